"""Re-planning: held rounds stay as they were, the rounds to come keep the rules, few people move."""

import itertools
import time
from math import comb

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kt_workshop.plan.algorithms.replan import replan
from kt_workshop.plan.algorithms.rotation import Constraints, plan_rotation

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def recount(rounds):
    """Coincidences over all rounds, counted the slow obvious way."""
    met = {}
    for tables in rounds:
        for table in tables:
            for pair in itertools.combinations(sorted(table), 2):
                met[pair] = met.get(pair, 0) + 1
    return max(met.values(), default=0), sum(comb(m, 2) for m in met.values())


def assert_valid(result, history, future, tables, present, closed=None):
    """History untouched; the present people seated once per future round, sizes within one."""
    closed = closed or {}
    held = len(history)
    assert result.rounds[:held] == history
    assert len(result.rounds) == held + future
    for r, round_tables in enumerate(result.rounds[held:], start=held):
        assert len(round_tables) == tables
        seated = sorted(p for table in round_tables for p in table)
        assert seated == sorted(present)
        shut = closed.get(r, set())
        assert all(not round_tables[t] for t in shut)
        sizes = [len(round_tables[t]) for t in range(tables) if t not in shut]
        assert max(sizes) - min(sizes) <= 1
    assert (result.max_meetings, result.coincidences) == recount(result.rounds)
    assert result.lower_bound <= result.coincidences


def _day(tables=5, size=6, rounds=5, seed=0):
    """A planned day to re-plan from (at the fewest pair meetings, which re-planning keeps)."""
    order = ("pairs", "returns", "balance")
    return plan_rotation(tables, rounds, size=size, seed=seed, time_limit=0.3, order=order).rounds


def test_one_person_leaving_moves_almost_nobody():
    day = _day()
    history, future = day[:2], day[2:]
    present = set(range(30)) - {7}
    result = replan(history, 3, 5, present, future)
    assert_valid(result, history, 3, 5, present)
    assert result.moved <= 2 * 3, "at most one swap per round to repair a table"
    assert result.to_json()["moved"] == result.moved


def test_late_arrivals_are_seated_in_every_round_to_come():
    day = _day()
    history, future = day[:1], day[1:]
    present = set(range(32))  # 30 and 31 arrive late
    result = replan(history, 4, 5, present, future)
    assert_valid(result, history, 4, 5, present)
    assert result.moved <= 4 * 4


def test_closed_table_empties_and_its_people_sit_elsewhere():
    day = _day()
    history, future = day[:3], day[3:]
    closed = {3: {2}, 4: {2}}
    result = replan(history, 2, 5, set(range(30)), future, Constraints(closed=closed))
    assert result.problems == []
    assert_valid(result, history, 2, 5, set(range(30)), closed)


def test_history_meetings_count_for_the_rounds_to_come():
    # Two held rounds where 0-1-2 sat together twice: the future must split them up.
    history = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1, 2], [3, 6, 7], [4, 5, 8]]]
    result = replan(history, 1, 3, set(range(9)), None)
    last = {p: t for t, table in enumerate(result.rounds[-1]) for p in table}
    assert len({last[0], last[1], last[2]}) == 3
    assert result.lower_bound >= 3  # the held rounds alone give 3 coincidences


def test_replan_without_previous_future_plans_from_scratch():
    history = _day(3, 4, 2)
    result = replan(history, 2, 3, set(range(12)), None)
    assert_valid(result, history, 2, 3, set(range(12)))


def test_fixed_people_stay_fixed_when_replanning():
    day = _day()
    rules = Constraints(fixed={0: 4}, apart=[(1, 2)])
    result = replan(day[:2], 3, 5, set(range(30)), day[2:], rules)
    for tables in result.rounds[2:]:
        where = {p: t for t, table in enumerate(tables) for p in table}
        assert where[0] == 4 and where[1] != where[2]


def test_150_people_replan_quickly():
    day = plan_rotation(10, 5, size=15, time_limit=0.5).rounds
    start = time.perf_counter()
    present = set(range(150)) - {3, 77}
    result = replan(day[:2], 3, 10, present, day[2:])
    assert time.perf_counter() - start < 1.0
    assert_valid(result, day[:2], 3, 10, present)


@FAST
@given(
    held=st.integers(0, 3),
    leave=st.sets(st.integers(0, 19), max_size=4),
    arrive=st.integers(0, 3),
    seed=st.integers(0, 3),
)
def test_replan_keeps_the_invariants(held, leave, arrive, seed):
    day = _day(4, 5, 5, seed)
    present = (set(range(20)) - leave) | set(range(20, 20 + arrive))
    result = replan(day[:held], 5 - held, 4, present, day[held:], seed=seed, time_limit=0.05)
    assert_valid(result, day[:held], 5 - held, 4, present)
    assert result.problems == []


def _splits(people, size):
    """Every way to split people into tables of `size` (tables unlabelled)."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    for mates in itertools.combinations(rest, size - 1):
        left = [p for p in rest if p not in mates]
        for tail in _splits(left, size):
            yield [[first, *mates], *tail]


def test_lower_bound_with_history_never_above_the_optimum():
    # Person 5 left after the held rounds and person 6 arrived; two rounds to come.
    history = [[[0, 1, 2], [3, 4, 5]], [[0, 3, 5], [1, 2, 4]]]
    present = [0, 1, 2, 3, 4, 6]
    best = min(
        recount(history + [a, b])[1]
        for a, b in itertools.product(list(_splits(present, 3)), repeat=2)
    )
    result = replan(history, 2, 2, set(present), None, time_limit=0.5)
    assert result.lower_bound <= best <= result.coincidences
