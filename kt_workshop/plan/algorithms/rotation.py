"""Plan a world-café rotation: who sits at which table in each round, so people meet new faces.

`plan_rotation` first checks the organiser's rules (see constraints.py), computes a lower bound
on pair coincidences, tries the exact constructions (constructions.py) when no rule but hosts
constrains the plan, and otherwise (or to balance attributes, or when a construction misses the
bound) improves a plan by local search (search.py) until the bound or the time limit is
reached. `method="greedy"` runs the Good Enough Golfers baseline instead (greedy.py).

Travellers should meet a new table, and so a new question, every round. Which table a round's
group sits at never changes who meets whom, so the plan's tables are then handed out round by
round so that nobody returns where that can be done (new_tables.py). Where it cannot, the
organiser's order decides (`order`, by default new tables first, then pair meetings, then
balance): with new tables first, the search trades pair meetings for returns, and the plan
says what that cost; with pair meetings first, it says how many people return.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from math import comb

import numpy as np
from numpy.random import default_rng

from kt_workshop.i18n import _, ngettext
from kt_workshop.plan.algorithms.balance import encode, relabel
from kt_workshop.plan.algorithms.constraints import Constraints, Rules, check
from kt_workshop.plan.algorithms.constructions import as_tables, best_construction
from kt_workshop.plan.algorithms.greedy import greedy_plan
from kt_workshop.plan.algorithms.new_tables import (
    Places,
    fewest_repeats,
    place_scores,
    question_grid,
    send_to_new_tables,
    travellers,
)
from kt_workshop.plan.algorithms.scores import (
    balanced_pairs,
    even_sizes,
    imbalance,
    least_coincidences,
    max_meetings_floor,
    round_pair_bound,
    score_plan,
)
from kt_workshop.plan.algorithms.search import HEAVY, improve
from kt_workshop.plan.algorithms.seating import initial_plan, meetings

__all__ = ["Constraints", "RotationPlan", "plan_rotation", "plan_bound", "ORDER"]

# What the travelling planner minimises, most important first (the organiser may swap the first
# two; balance at the tables always comes last).
ORDER = ("returns", "pairs", "balance")
ORDERS = (ORDER, ("pairs", "returns", "balance"))


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
    returns: int = 0
    returners: int = 0
    question_repeats: int = 0
    question_repeaters: int = 0
    fewest_returns: int = 0
    fewest_question_repeats: int = 0
    gave_up: list[str] = field(default_factory=list)

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
            "returns": self.returns,
            "people_returning": self.returners,
            "question_repeats": self.question_repeats,
            "people_repeating_a_question": self.question_repeaters,
            "fewest_returns": self.fewest_returns,
            "fewest_question_repeats": self.fewest_question_repeats,
            "gave_up": list(self.gave_up),
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
    questions: list[list] | None = None,
    order: tuple[str, ...] = ORDER,
) -> RotationPlan:
    """Plan who sits where each round: travellers at new tables, pairs meeting as rarely as can be.

    People are 0..N-1 (N = people, or tables*size); sizes differ by at most one. With hosts,
    person t hosts table t and never moves. `method` is "auto" (constructions, then local
    search), "search" (local search only) or "greedy" (the Good Enough Golfers baseline).
    `questions[round][table]` is the question asked there (any key, None for none); by default
    each table keeps its own question all day. `order` is ORDER or ("pairs", "returns",
    "balance").
    """
    start = time.perf_counter()
    n = _people(tables, rounds, people, size, hosts, attributes, method)
    order = _order(order)
    grid = _questions(questions, rounds, tables)
    rules = check(n, tables, rounds, hosts, constraints)
    problems = list(rules.problems)
    lower = plan_bound(rules)
    cap = max_meetings_floor(n, round_sizes(rules), lower)
    codes = encode(attributes) if attributes else None
    moving = travellers(rules.pinned, rules.present)
    returns_first = order[0] == "returns"
    # Time for the search, then for handing out tables; with new tables first, the rest is
    # kept to trade pair meetings for returns if it comes to that.
    budget, handing_out = (0.4, 0.5) if returns_first else (0.8, 1.0)
    budget, handing_out = budget * time_limit, handing_out * time_limit
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
                    until = start + budget / 2
                    seat = relabel(seat, codes, (rules.pinned < 0).all(axis=0), rng, until)
        if seat is None:
            seat, more = initial_plan(rules, rng)
            problems += more
            name = "search"
        met = meetings(seat)[np.triu_indices(n, 1)]
        done = codes is None and int((met * (met - 1) // 2).sum()) <= lower
        if not done:
            left = max(0.0, budget - (time.perf_counter() - start))
            seat, steps = improve(
                rules,
                seat,
                cap=cap,
                target=lower,
                seed=seed,
                time_limit=left,
                codes=codes,
                places=Places(grid, moving, _second_weight(rules)),
            )
            if steps and name != "search":
                name += "+search"
    # Handing out tables takes milliseconds; its shuffles (needed when there are more rounds
    # than tables) stop at the deadline.
    seat = send_to_new_tables(seat, rules, grid, seed, deadline=start + handing_out)
    gave_up: list[str] = []
    floor = fewest_repeats(rules.present, moving, grid)
    if method != "greedy" and returns_first and _repeats(seat, moving, grid) > floor:
        seat, name, gave_up = _trade_for_new_tables(
            rules, seat, name, cap, seed, codes, grid, moving, start + time_limit
        )
    elif method != "greedy" and codes is not None:
        # Nothing to trade: the time left goes to balance, returns and meetings held as they
        # are: first by swapping whole itineraries (which keeps both), then by the search.
        if rules.is_free():
            # (Only without pair rules: another's itinerary may seat someone with a partner.)
            free = (rules.pinned < 0).all(axis=0)
            seat = relabel(seat, codes, free, rng, start + time_limit - 0.05)
        left = start + time_limit - 0.05 - time.perf_counter()
        if left > 0.05:
            weight = HEAVY * 2.0 if returns_first else _second_weight(rules)
            seat, _steps = improve(
                rules,
                seat,
                cap=cap,
                target=0.0,
                seed=seed,
                time_limit=left,
                codes=codes,
                places=Places(grid, moving, weight),
            )
    plan = finish(seat, rules, lower, start, name, problems, attributes, grid=grid)
    plan.gave_up = gave_up + _what_was_given_up(plan, returns_first, rounds, tables)
    return plan


def _trade_for_new_tables(rules, seat, name, cap, seed, codes, grid, moving, deadline):
    """Search again with returns above pair meetings; keep the result if it has fewer repeats.

    Returns the seats, the method's name and, when new tables cost pair meetings, a sentence
    saying how many.
    """
    before = _coincidences(seat)
    left = max(0.0, deadline - 0.1 - time.perf_counter())
    traded, _steps = improve(
        rules,
        seat,
        cap=cap,
        target=0.0,
        seed=seed,
        time_limit=left,
        codes=codes,
        # A return outweighs any number of pair coincidences and one pair meeting once more
        # than it must (HEAVY), not a pair side by side round after round (8 * HEAVY).
        places=Places(grid, moving, 2.0 * HEAVY),
        patience=max(2000, 20 * rules.n),
    )
    until = min(time.perf_counter() + 0.05, deadline)
    traded = send_to_new_tables(traded, rules, grid, seed, deadline=until)
    if _repeats(traded, moving, grid) >= _repeats(seat, moving, grid):
        return seat, name, []
    after = _coincidences(traded)
    cost = []
    if after > before:
        cost.append(
            _(
                "Sending everyone to a new table and question each round costs repeat meetings:"
                " %(after)s pair coincidences instead of %(before)s.",
                after=after,
                before=before,
            )
        )
    return traded, name + "+new-tables", cost


def _what_was_given_up(plan: RotationPlan, returns_first: bool, rounds: int, tables: int):
    """Sentences for the organiser about travellers who come back to a table or a question."""
    out = []
    if plan.returners:
        sentence = ngettext(
            "%(num)s person returns to a table they sat at.",
            "%(num)s people return to a table they sat at.",
            plan.returners,
        )
        if plan.fewest_returns:
            sentence += " " + _(
                "With %(r)s rounds and %(t)s tables, %(k)s returns cannot be avoided.",
                r=rounds,
                t=tables,
                k=plan.fewest_returns,
            )
        elif not returns_first:
            sentence += " " + _("Fewer repeat meetings came first, as asked.")
        out.append(sentence)
    extra = plan.question_repeats - plan.fewest_question_repeats
    if plan.question_repeaters and extra > 0 and plan.question_repeats != plan.returns:
        out.append(
            ngettext(
                "%(num)s person meets a question they have discussed before.",
                "%(num)s people meet a question they have discussed before.",
                plan.question_repeaters,
            )
        )
    return out


def _second_weight(rules: Rules) -> float:
    """Weight of a return below pair meetings: all returns together weigh less than one."""
    return 1.0 / (4 * rules.rounds * rules.n + 2)


def _coincidences(seat: np.ndarray) -> int:
    """Pair coincidences of a seat array."""
    met = meetings(seat)[np.triu_indices(seat.shape[1], 1)]
    return int((met * (met - 1) // 2).sum())


def _repeats(seat: np.ndarray, moving: np.ndarray, grid: np.ndarray) -> int:
    """Returns plus question repeats of a seat array."""
    found = place_scores(seat, moving, grid)
    return found.returns + found.question_repeats


def finish(
    seat, rules, lower, start, name, problems, attributes, moved=None, grid=None
) -> RotationPlan:
    """Package a seat array as a RotationPlan, recounting its scores from the tables."""
    plan = as_tables(seat, rules.tables)
    scores = score_plan(plan, rules.n)
    if grid is None or grid.shape[0] != seat.shape[0]:
        grid = question_grid(None, seat.shape[0], rules.tables)
    places = place_scores(seat, travellers(rules.pinned, rules.present), grid)
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
        returns=places.returns,
        returners=places.returners,
        question_repeats=places.question_repeats,
        question_repeaters=places.question_repeaters,
        fewest_returns=places.fewest_returns,
        fewest_question_repeats=places.fewest_question_repeats,
    )


def _order(order) -> tuple[str, ...]:
    """The organiser's order of what matters, checked."""
    order = tuple(order)
    if order not in ORDERS:
        raise ValueError(
            _(
                "Order what matters as %(a)s or %(b)s.",
                a=", ".join(ORDERS[0]),
                b=", ".join(ORDERS[1]),
            )
        )
    return order


def _questions(questions, rounds: int, tables: int) -> np.ndarray:
    """The question grid, checked against the plan's rounds and tables."""
    if questions is not None and (
        len(questions) != rounds or any(len(row) != tables for row in questions)
    ):
        raise ValueError(
            _("Give one question (or none) per table for each of the %(r)s rounds.", r=rounds)
        )
    return question_grid(questions, rounds, tables)


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
