"""Plan a world-café rotation: who sits at which table in each round, so people meet new faces.

`plan_rotation` first checks the organiser's rules (see constraints.py), computes a lower bound
on pair coincidences, tries the exact constructions (constructions.py) when no rule but hosts
constrains the plan, and otherwise (or to balance attributes, or when a construction misses the
bound) improves a plan by local search (search.py) until the bound or the time limit is
reached. `method="greedy"` runs the Good Enough Golfers baseline instead (greedy.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from math import comb

import numpy as np
from numpy.random import default_rng

from kt_workshop.i18n import _
from kt_workshop.plan.algorithms.balance import encode, relabel
from kt_workshop.plan.algorithms.constraints import Constraints, Rules, check
from kt_workshop.plan.algorithms.constructions import as_tables, best_construction
from kt_workshop.plan.algorithms.greedy import greedy_plan
from kt_workshop.plan.algorithms.scores import (
    balanced_pairs,
    even_sizes,
    imbalance,
    least_coincidences,
    max_meetings_floor,
    round_pair_bound,
    score_plan,
)
from kt_workshop.plan.algorithms.search import improve
from kt_workshop.plan.algorithms.seating import initial_plan, meetings

__all__ = ["Constraints", "RotationPlan", "plan_rotation", "plan_bound"]


@dataclass
class RotationPlan:
    """A seating plan per round and table, with its scores and any rule that could not hold."""

    rounds: list[list[list[int]]]
    coincidences: int
    max_meetings: int
    lower_bound: int
    seconds: float
    imbalance: int = 0
    method: str = "search"
    problems: list[str] = field(default_factory=list)
    moved: int | None = None

    @property
    def gap(self) -> int:
        """How many coincidences above the lower bound (0 means provably optimal)."""
        return self.coincidences - self.lower_bound

    def to_json(self) -> dict:
        """Return the plan and its figures as plain JSON data."""
        out = {
            "rounds": self.rounds,
            "coincidences": self.coincidences,
            "max_meetings": self.max_meetings,
            "lower_bound": self.lower_bound,
            "seconds": round(self.seconds, 4),
            "gap": self.gap,
            "method": self.method,
            "problems": list(self.problems),
        }
        if self.imbalance:
            out["imbalance"] = self.imbalance
        if self.moved is not None:
            out["moved"] = self.moved
        return out


def round_sizes(rules: Rules) -> list[list[int]]:
    """Table sizes of every round (open tables only), as even as the seated people allow."""
    return [
        even_sizes(int(rules.present[r].sum()), len(rules.open[r])) for r in range(rules.rounds)
    ]


def plan_bound(rules: Rules, history: np.ndarray | None = None) -> int:
    """Give the fewest coincidences any plan keeping these rules can have (history included).

    The counting bound of scores.lower_bound, with the rules folded in: pairs kept apart or
    fixed at different tables never meet, pairs kept together meet every round, and meetings
    already held (history) only add to what a pair has. Plus the round-pair bound, extended to
    pairs of (held, future) rounds: the people of a held table who are still here spread over
    the future round's tables, and the people of a future table came from the held round's
    tables or were not there.
    """
    n = rules.n
    sizes = round_sizes(rules)
    base = np.zeros((n, n), dtype=np.int64) if history is None else meetings(history, n)
    forced = np.zeros((n, n), dtype=np.int64)
    never = np.ones((n, n), dtype=bool)
    for r in range(rules.rounds):
        here = rules.present[r]
        both = here[:, None] & here[None, :]
        pin = rules.pinned[r]
        pinned_apart = (pin[:, None] >= 0) & (pin[None, :] >= 0) & (pin[:, None] != pin[None, :])
        never &= ~both | pinned_apart
        forced += both & (pin[:, None] >= 0) & (pin[:, None] == pin[None, :])
    grouped = np.zeros((n, n), dtype=bool)
    for members in rules.groups:
        grouped[np.ix_(members, members)] = True
        both = rules.present[:, members][:, :, None] & rules.present[:, members][:, None, :]
        forced[np.ix_(members, members)] = both.sum(axis=0)
    if rules.apart is not None:
        never |= rules.apart
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    free = upper & ~never & ~grouped
    held = base + forced
    fixed_part = held[upper & ~free]
    to_place = sum(comb(s, 2) for row in sizes for s in row) - int(forced[upper].sum())
    counting = int((fixed_part * (fixed_part - 1) // 2).sum())
    counting += least_coincidences(max(to_place, 0), held[free]) if free.any() else 0
    pairs = int((base[upper] * (base[upper] - 1) // 2).sum()) + round_pair_bound(sizes)
    if history is not None:
        pairs += _held_future_pairs(rules, history, sizes)
    return max(counting, pairs)


def _held_future_pairs(rules: Rules, history: np.ndarray, sizes: list[list[int]]) -> int:
    """Pairs that must share a table both in a held round and in a future round."""
    total = 0
    for past in history:
        used = len(set(past[past >= 0].tolist()))
        for r, row in enumerate(sizes):
            here = rules.present[r]
            stayed = np.bincount(past[here & (past >= 0)], minlength=1)
            backward = sum(balanced_pairs(int(k), len(row)) for k in stayed)
            newcomers = int((here & (past < 0)).sum())
            left = list(row)
            for _newcomer in range(newcomers):
                # A newcomer relieves the table where one person fewer saves the most pairs.
                gain = [balanced_pairs(s, used) - balanced_pairs(s - 1, used) for s in left]
                left[int(np.argmax(gain))] -= 1
            forward = sum(balanced_pairs(max(s, 0), used) for s in left)
            total += max(backward, forward)
    return total


def plan_rotation(
    tables: int,
    rounds: int,
    people: int | None = None,
    size: int | None = None,
    hosts: bool = False,
    seed: int = 0,
    time_limit: float = 1.0,
    constraints: Constraints | None = None,
    attributes: list[dict] | None = None,
    method: str = "auto",
) -> RotationPlan:
    """Plan who sits at which table each round so that as few pairs as possible meet twice.

    People are 0..N-1 (N = people, or tables*size); sizes differ by at most one. With hosts,
    person t hosts table t and never moves. `method` is "auto" (constructions, then local
    search), "search" (local search only) or "greedy" (the Good Enough Golfers baseline).
    """
    start = time.perf_counter()
    n = _people(tables, rounds, people, size, hosts, attributes, method)
    rules = check(n, tables, rounds, hosts, constraints)
    problems = list(rules.problems)
    lower = plan_bound(rules)
    cap = max_meetings_floor(n, round_sizes(rules), lower)
    codes = encode(attributes) if attributes else None
    rng = default_rng(seed)
    seat, name = None, method
    if method == "greedy":
        seat, more = greedy_plan(rules, rng)
        problems += more
    else:
        if method == "auto" and rules.is_free():
            found = best_construction(tables, n, rounds, hosts)
            if found is not None:
                seat, name = found[0], f"construction:{found[1]}"
                if codes is not None:
                    # Half the time for relabelling, the rest for the search to polish.
                    until = start + time_limit / 2
                    seat = relabel(seat, codes, (rules.pinned < 0).all(axis=0), rng, until)
        if seat is None:
            seat, more = initial_plan(rules, rng)
            problems += more
            name = "search"
        met = meetings(seat)[np.triu_indices(n, 1)]
        done = codes is None and int((met * (met - 1) // 2).sum()) <= lower
        if not done:
            left = max(0.0, time_limit - (time.perf_counter() - start))
            seat, steps = improve(
                rules, seat, cap=cap, target=lower, seed=seed, time_limit=left, codes=codes
            )
            if steps and name != "search":
                name += "+search"
    return finish(seat, rules, lower, start, name, problems, attributes)


def finish(seat, rules, lower, start, name, problems, attributes, moved=None) -> RotationPlan:
    """Package a seat array as a RotationPlan, recounting its scores from the tables."""
    plan = as_tables(seat, rules.tables)
    scores = score_plan(plan, rules.n)
    return RotationPlan(
        rounds=plan,
        coincidences=scores.coincidences,
        max_meetings=scores.max_meetings,
        lower_bound=lower,
        seconds=time.perf_counter() - start,
        imbalance=imbalance(plan, attributes),
        method=name,
        problems=problems,
        moved=moved,
    )


def _people(tables, rounds, people, size, hosts, attributes, method) -> int:
    """Check the sizes asked for and return the number of people."""
    if tables < 1:
        raise ValueError(_("There must be at least one table (got %(t)s).", t=tables))
    if rounds < 1:
        raise ValueError(_("There must be at least one round (got %(r)s).", r=rounds))
    if people is None:
        if size is None:
            raise ValueError(_("Give the number of people or the table size."))
        people = tables * size
    if people < 1:
        raise ValueError(_("There must be at least one person (got %(n)s).", n=people))
    if hosts and people < tables:
        raise ValueError(
            _(
                "Each of the %(t)s tables needs a host, but there are %(n)s people.",
                t=tables,
                n=people,
            )
        )
    if attributes is not None and len(attributes) != people:
        raise ValueError(
            _("Attributes are given for %(k)s people, not %(n)s.", k=len(attributes), n=people)
        )
    if method not in ("auto", "search", "greedy"):
        raise ValueError(_("Unknown planning method %(m)r.", m=method))
    return people
