"""Re-plan the rounds still to come when someone leaves, arrives late or a table closes.

Rounds already held stay exactly as they were and count as history: a pair who met this
morning should not meet again this afternoon. The rounds to come are repaired from the plan
the room already has (previous_future) with as few changes as possible: people who are gone
leave an empty seat, late arrivals and people from a closed or overfull table take free seats
where they have met the fewest people, and the local search then trades a cost per person
moved (per round) against coincidences, as in minimal-perturbation timetabling.
"""

from __future__ import annotations

import time

import numpy as np

from kt_workshop.i18n import _
from kt_workshop.plan.algorithms.constraints import Constraints, Rules, check
from kt_workshop.plan.algorithms.rotation import RotationPlan, finish, plan_bound, round_sizes
from kt_workshop.plan.algorithms.scores import even_sizes, max_meetings_floor
from kt_workshop.plan.algorithms.search import improve
from kt_workshop.plan.algorithms.seating import initial_plan, meetings, place, seat_round, units


def _seat_array(rounds: list[list[list[int]]], n: int) -> np.ndarray:
    """Turn per round, per table lists of people into seat[round, person] (-1 if absent)."""
    seat = np.full((len(rounds), n), -1, dtype=np.int64)
    for r, tables in enumerate(rounds):
        for t, table in enumerate(tables):
            seat[r, list(table)] = t
    return seat


def replan(
    history: list[list[list[int]]],
    future_rounds: int,
    tables: int,
    present: set[int],
    previous_future: list[list[list[int]]] | None,
    constraints: Constraints | None = None,
    time_limit: float = 0.2,
    seed: int = 0,
    hosts: bool = False,
    move_cost: float = 1.0,
    attributes: list[dict] | None = None,
) -> RotationPlan:
    """Re-plan the rounds to come for the people present, moving as few people as possible.

    The result holds the held rounds unchanged followed by the new ones; its scores count all
    of them. Closed tables are keyed by round of the whole day (history rounds first).
    `moved` counts seats (person and round) that differ from previous_future.
    """
    start = time.perf_counter()
    if future_rounds < 0 or tables < 1:
        raise ValueError(_("There must be at least one table and no negative rounds."))
    everyone = [p for rnd in (history + (previous_future or [])) for t in rnd for p in t]
    n = max([*everyone, *present, len(attributes or []) - 1, -1]) + 1
    held = len(history)
    past = _seat_array(history, n)
    here = np.zeros((future_rounds, n), dtype=bool)
    here[:, sorted(present)] = True
    c = constraints or Constraints()
    shifted = Constraints(
        fixed=dict(c.fixed),
        apart=list(c.apart),
        together=list(c.together),
        closed={r - held: set(t) for r, t in c.closed.items() if r >= held},
        pinned={(r - held, p): t for (r, p), t in c.pinned.items() if r >= held},
        names=c.names.later(held),
    )
    rules = check(n, tables, future_rounds, hosts, shifted, present=here)
    problems = list(rules.problems)
    previous = np.full((future_rounds, n), -1, dtype=np.int64)
    if previous_future:
        known = _seat_array(previous_future[:future_rounds], n)
        previous[: known.shape[0]] = known
    base = meetings(past, n)
    rng = np.random.default_rng(seed)
    seat, more = _repair(rules, previous, base, rng)
    problems += more
    lower = plan_bound(rules, past)
    sizes = [even_sizes(int((row >= 0).sum()), tables) for row in past] + round_sizes(rules)
    cap = max(max_meetings_floor(n, sizes, lower), 1)
    if future_rounds and rules.present.any():
        # Recounting the whole day at the end takes about as long as setting up did, and the
        # last search step may run over: keep a margin so the whole call fits the limit.
        left = max(0.0, 0.9 * time_limit - 2 * (time.perf_counter() - start))
        seat, _steps = improve(
            rules,
            seat,
            base=base,
            cap=cap,
            target=lower,
            seed=seed,
            time_limit=left,
            codes=_codes(attributes, n),
            previous=previous,
            move_cost=move_cost,
            patience=max(100, 2 * n),
        )
    moved = int(((seat != previous) & (previous >= 0) & (seat >= 0)).sum())
    full = np.concatenate([past, seat]) if held else seat
    return finish(full, rules, lower, start, "replan", problems, attributes, moved=moved)


def _codes(attributes, n):
    """Attribute codes for the search, padded for people without attributes."""
    if not attributes:
        return None
    from kt_workshop.plan.algorithms.balance import encode

    return encode(list(attributes) + [{}] * (n - len(attributes)))


def _repair(rules: Rules, previous: np.ndarray, base: np.ndarray, rng) -> tuple[np.ndarray, list]:
    """Start from the previous plan and reseat only the people who must move."""
    seat = np.full((rules.rounds, rules.n), -1, dtype=np.int64)
    weights = base.astype(np.float64)
    problems: list[str] = []
    for r in range(rules.rounds):
        row = _keep(rules, r, previous[r], weights)
        seated = row >= 0
        waiting = [u for u in units(rules, r) if not seated[u[0]]]
        waiting.sort(key=lambda u: (rules.pinned[r, u[0]] < 0, -len(u)))
        new, _stuck = place(rules, r, rng, weights, waiting, row)
        if new is None:
            new, _stuck = seat_round(rules, r, rng, weights)
        if new is None:
            # Only a rule that cannot hold gets here: let the planner drop it and say so.
            one = Rules(
                rules.n,
                rules.tables,
                rules.present[r : r + 1],
                [rules.open[r]],
                rules.pinned[r : r + 1],
                rules.apart,
                rules.groups,
                names=rules.names.later(r),
            )
            fresh, more = initial_plan(one, rng, base)
            rules.apart, rules.groups = one.apart, one.groups
            problems += more
            new = fresh[0]
        seat[r] = new
        here = new >= 0
        weights += (new[:, None] == new[None, :]) & here[:, None] & here[None, :]
        np.fill_diagonal(weights, 0)
    return seat, problems


def _keep(rules: Rules, r: int, before: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Keep everyone who may stay where they were; unseat the rest (and any surplus)."""
    row = np.where(rules.present[r], before, -1)
    is_open = np.zeros(rules.tables, dtype=bool)
    is_open[rules.open[r]] = True
    row[(row >= 0) & ~is_open[np.maximum(row, 0)]] = -1
    pinned = rules.pinned[r]
    row[(pinned >= 0) & (row != pinned)] = -1
    for members in rules.groups:
        tables = {int(row[p]) for p in members if rules.present[r, p]}
        if len(tables) > 1 or -1 in tables:
            row[members] = -1
    if rules.apart is not None:
        for a, b in zip(*np.nonzero(np.triu(rules.apart, 1)), strict=True):
            if row[a] >= 0 and row[a] == row[b]:
                row[b if pinned[b] < 0 else a] = -1
    lo, big = rules.capacity(r)
    size = np.bincount(row[row >= 0], minlength=rules.tables)
    pinned_here = np.bincount(pinned[(pinned >= 0) & rules.present[r]], minlength=rules.tables)
    order = sorted(rules.open[r], key=lambda t: (-pinned_here[t], -size[t]))
    group_of = rules.group_of()
    for rank, t in enumerate(order):
        limit = lo + 1 if rank < big else lo
        while size[t] > limit:
            # The person with most earlier meetings at this table gives up the seat.
            there = [p for p in np.flatnonzero(row == t) if pinned[p] < 0]
            singles = [p for p in there if group_of[p] < 0] or there
            mates = np.flatnonzero(row == t)
            worst = max(singles, key=lambda p: weights[p, mates].sum())
            unit = [worst] if group_of[worst] < 0 else rules.groups[group_of[worst]]
            row[unit] = -1
            size = np.bincount(row[row >= 0], minlength=rules.tables)
    return row


def regroup(
    groups: list[list[int]],
    closed: set[int],
    newcomers: list[int],
    stays: dict[int, int] | None = None,
) -> tuple[list[list[int]], dict[int, int]]:
    """Fixed groups from a round on: a closed group merges into the smallest open one, late
    arrivals join the smallest groups, and nobody else moves.

    groups: members of each group now; closed: groups that stop meeting; newcomers: people in
    no group yet; stays: person -> group for people who cannot move (they go to the nearest
    open group, by position, when theirs closes). Returns the new groups and, per person who
    cannot move and had to, the group they now stay in.
    """
    stays = stays or {}
    open_ = [g for g in range(len(groups)) if g not in closed]
    if not open_:
        raise ValueError(_("At least one table or group must stay open."))
    result = [list(members) if g not in closed else [] for g, members in enumerate(groups)]
    kept: dict[int, int] = {}

    def smallest() -> int:
        return min(open_, key=lambda g: (len(result[g]), g))

    for g in sorted(closed):
        if not 0 <= g < len(groups):
            continue
        movers = [p for p in groups[g] if p not in stays]
        for p in (p for p in groups[g] if p in stays):
            nearest = min(open_, key=lambda other: (abs(other - g), other))
            result[nearest].append(p)
            kept[p] = nearest
        if movers:
            result[smallest()].extend(movers)
    for p in newcomers:
        result[smallest()].append(p)
    return [sorted(members) for members in result], kept
