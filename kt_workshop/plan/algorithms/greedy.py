"""The Good Enough Golfers baseline: plan one round at a time and never look back.

After the method of the Good Enough Golfers tool (islemaster/good-enough-golfers), as described
in the project notes, not its code: each round starts from a random seating; then, for about 30
generations, the table with the most conflict (the sum over its pairs of the squared number of
times they met in earlier rounds; a keep-apart pair weighs as good as infinity) gives up one
person in the best swap with someone at another table, as long as a swap helps. Earlier rounds
are never revisited, which is why it falls behind on long or tight plans. Our rules (fixed
people, groups, closed tables) are kept by the same seating as the other planners; groups are
not swapped.
"""

from __future__ import annotations

import numpy as np

from kt_workshop.plan.algorithms.constraints import Rules
from kt_workshop.plan.algorithms.seating import initial_plan, seat_round

GENERATIONS = 30
FORBIDDEN = 1e9  # a keep-apart pair: never worth it


def improve_round(rules: Rules, r: int, row: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Swap people out of the most conflicted table of round r for up to 30 generations."""
    in_group = np.zeros(rules.n, dtype=bool)
    for members in rules.groups:
        in_group[members] = True
    movable = rules.present[r] & (rules.pinned[r] < 0) & ~in_group
    row = row.copy()
    for _ in range(GENERATIONS):
        X = np.zeros((rules.n, rules.tables))
        here = np.flatnonzero(row >= 0)
        X[here, row[here]] = 1.0
        S = weight @ X  # S[i, T]: conflict person i would have at table T
        conflict = (S * X).sum(axis=0) / 2
        worst = int(np.argmax(conflict))
        if conflict[worst] <= 0:
            break
        out = np.flatnonzero((row == worst) & movable)
        other = np.flatnonzero((row != worst) & (row >= 0) & movable)
        if not out.size or not other.size:
            break
        b = row[other]
        delta = (
            S[out][:, b]
            - weight[np.ix_(out, other)]
            - S[out, worst][:, None]
            + S[other, worst][None, :]
            - weight[np.ix_(other, out)].T
            - S[other, b][None, :]
        )
        k = int(np.argmin(delta))
        if delta.flat[k] >= 0:
            break
        i, j = np.unravel_index(k, delta.shape)
        row[out[i]], row[other[j]] = row[other[j]], worst
    return row


def greedy_plan(
    rules: Rules, rng: np.random.Generator, base: np.ndarray | None = None
) -> tuple[np.ndarray, list[str]]:
    """Plan every round in turn like Good Enough Golfers; return seats and rules given up."""
    seat, problems = initial_plan(rules, rng, base)  # only to settle impossible rules
    met = np.zeros((rules.n, rules.n)) if base is None else base.astype(float)
    apart = np.zeros((rules.n, rules.n)) if rules.apart is None else rules.apart * FORBIDDEN
    random_start = np.zeros((rules.n, rules.n))
    for r in range(rules.rounds):
        row, _stuck = seat_round(rules, r, rng, random_start)
        if row is None:
            row = seat[r]
        row = improve_round(rules, r, row, met**2 + apart)
        seat[r] = row
        here = row >= 0
        met += (row[:, None] == row[None, :]) & here[:, None] & here[None, :]
        np.fill_diagonal(met, 0)
    return seat, problems
