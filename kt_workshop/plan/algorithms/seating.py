"""Seat one round from scratch while keeping every hard rule: the starting point of all planners.

A plan is kept as an array `seat[round, person] -> table` (-1 when the person is not there that
round). People who must sit together move as one unit; fixed people and their groups are seated
first, then groups, then everyone else, each at the allowed table where they have met the
fewest people so far. Sizes stay within one: with `lo` seats per open table and `big` tables
taking one more, a table may reach lo + 1 only while fewer than `big` tables have.
"""

from __future__ import annotations

import numpy as np

from kt_workshop.i18n import _
from kt_workshop.plan.algorithms.constraints import Rules


def meetings(seat: np.ndarray, n: int | None = None) -> np.ndarray:
    """Count for every pair of people how many rounds of `seat` they share a table."""
    n = seat.shape[1] if n is None else n
    counts = np.zeros((n, n), dtype=np.int64)
    for row in seat:
        here = row >= 0
        counts += (row[:, None] == row[None, :]) & here[:, None] & here[None, :]
    np.fill_diagonal(counts, 0)
    return counts


def units(rules: Rules, r: int) -> list[list[int]]:
    """The people of round r as units that move together (groups, then single people)."""
    in_group = np.zeros(rules.n, dtype=bool)
    out = []
    for members in rules.groups:
        here = [p for p in members if rules.present[r, p]]
        in_group[members] = True
        if here:
            out.append(here)
    out.extend([p] for p in range(rules.n) if rules.present[r, p] and not in_group[p])
    return out


def seat_round(
    rules: Rules, r: int, rng: np.random.Generator, weights: np.ndarray, tries: int = 30
) -> tuple[np.ndarray | None, list[int]]:
    """Seat round r keeping every rule; return the seats, or None and the unit that did not fit."""
    all_units = units(rules, r)
    pinned = [u for u in all_units if rules.pinned[r, u[0]] >= 0]
    free = [u for u in all_units if rules.pinned[r, u[0]] < 0]
    stuck: list[int] = []
    for attempt in range(tries):
        order = list(rng.permutation(len(free)))
        # Bigger groups first, then people with keep-apart partners, then the rest.
        order.sort(key=lambda i: (-len(free[i]), -_partners(rules, free[i])))
        if attempt and stuck:
            order.sort(key=lambda i: free[i] != stuck)
        row, stuck = place(rules, r, rng, weights, pinned + [free[i] for i in order])
        if row is not None:
            return row, []
    return None, stuck


def _partners(rules: Rules, unit: list[int]) -> int:
    """How many keep-apart partners a unit has (they are harder to place)."""
    return 0 if rules.apart is None else int(rules.apart[unit].sum())


def place(rules, r, rng, weights, ordered, row=None) -> tuple[np.ndarray | None, list[int]]:
    """Place units one by one at the cheapest allowed table (after those already in `row`)."""
    lo, big = rules.capacity(r)
    is_open = np.zeros(rules.tables, dtype=bool)
    is_open[rules.open[r]] = True
    row = np.full(rules.n, -1, dtype=np.int64) if row is None else row.copy()
    size = np.bincount(row[row >= 0], minlength=rules.tables)
    bigs = int((size == lo + 1).sum())
    for unit in ordered:
        k = len(unit)
        placed = row >= 0
        fixed = int(rules.pinned[r, unit[0]])
        if fixed >= 0:
            table = fixed
        else:
            room = is_open & ((size + k <= lo) | ((size + k == lo + 1) & (bigs < big)))
            if rules.apart is not None:
                partners = rules.apart[unit].any(axis=0) & placed
                room &= np.bincount(row[partners], minlength=rules.tables) == 0
            if not room.any():
                return None, unit
            cost = np.bincount(
                row[placed], weights[unit][:, placed].sum(axis=0), minlength=rules.tables
            )
            cost = cost + rng.random(rules.tables) * 1e-3
            cost[~room] = np.inf
            table = int(np.argmin(cost))
        row[unit] = table
        size[table] += k
        if size[table] == lo + 1:
            bigs += 1
    return row, []


def initial_plan(
    rules: Rules, rng: np.random.Generator, base: np.ndarray | None = None
) -> tuple[np.ndarray, list[str]]:
    """Seat every round in turn, each avoiding pairs that met before; report rules given up.

    When a keep-apart rule makes a round impossible to seat, the rules of the unit that did not
    fit are dropped (and said so), since a plan with a stated exception beats no plan.
    """
    met = np.zeros((rules.n, rules.n), dtype=np.float64) if base is None else base.astype(float)
    seat = np.full((rules.rounds, rules.n), -1, dtype=np.int64)
    problems: list[str] = []
    for r in range(rules.rounds):
        row, stuck = seat_round(rules, r, rng, met)
        while row is None:
            problems.append(_give_way(rules, r, stuck))
            row, stuck = seat_round(rules, r, rng, met)
        seat[r] = row
        here = row >= 0
        met += (row[:, None] == row[None, :]) & here[:, None] & here[None, :]
        np.fill_diagonal(met, 0)
    return seat, problems


def _give_way(rules: Rules, r: int, stuck: list[int]) -> str:
    """Drop the rule that kept a unit from being seated and say which one it was."""
    if rules.apart is not None and rules.apart[stuck].any():
        partners = sorted(set(np.flatnonzero(rules.apart[stuck].any(axis=0)).tolist()))
        rules.apart[np.ix_(stuck, partners)] = False
        rules.apart[np.ix_(partners, stuck)] = False
        return _(
            "%(round)s has no seating that keeps %(person)s apart from %(others)s;"
            " that rule is dropped.",
            round=rules.names.round(r),
            person=rules.names.person(stuck[0]),
            others=rules.names.listed(partners),
        )
    if len(stuck) > 1:
        rules.groups = [g for g in rules.groups if stuck[0] not in g]
        return _(
            "%(round)s has no seating that keeps %(people)s together; that rule is dropped.",
            round=rules.names.round(r),
            people=rules.names.listed(stuck),
        )
    raise RuntimeError("a single person without rules could not be seated")  # pragma: no cover
