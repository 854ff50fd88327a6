"""Travellers at new tables: nobody sent back where the pair optimum allows, and honest scores."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kt_workshop.plan.algorithms import designs
from kt_workshop.plan.algorithms.constraints import check
from kt_workshop.plan.algorithms.constructions import find_difference_array
from kt_workshop.plan.algorithms.new_tables import (
    place_scores,
    question_grid,
    send_to_new_tables,
    travellers,
)
from kt_workshop.plan.algorithms.rotation import Constraints, plan_rotation
from kt_workshop.plan.algorithms.scores import imbalance, meeting_counts
from kt_workshop.plan.algorithms.seating import initial_plan, meetings

PAIRS_FIRST = ("pairs", "returns", "balance")


def tables_of(plan) -> dict[int, list[int]]:
    """Each person's table, round by round."""
    out: dict[int, list[int]] = {}
    for round_tables in plan.rounds:
        for t, table in enumerate(round_tables):
            for p in table:
                out.setdefault(p, []).append(t)
    return out


def slow_returns(plan, stay=()) -> tuple[int, int]:
    """Returns and people returning, counted the obvious way."""
    back = {p: len(ts) - len(set(ts)) for p, ts in tables_of(plan).items() if p not in stay}
    return sum(back.values()), sum(1 for b in back.values() if b)


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("tables,people,rounds", [(8, 40, 4), (7, 21, 7), (15, 150, 6)])
def test_nobody_returns_to_a_table_and_nobody_meets_twice(tables, people, rounds, seed):
    """The issue's shapes: 0 returns (nobody stays put all day) at 0 pair coincidences."""
    plan = plan_rotation(tables, rounds, people=people, seed=seed)
    assert (plan.coincidences, plan.returns, plan.returners) == (0, 0, 0)
    assert slow_returns(plan) == (0, 0)
    assert all(len(set(ts)) == rounds for ts in tables_of(plan).values())
    assert plan.gave_up == []
    data = plan.to_json()
    assert data["returns"] == data["people_returning"] == data["question_repeats"] == 0


def test_hosts_never_move_and_only_travellers_count():
    plan = plan_rotation(8, 4, people=48, hosts=True)
    where = tables_of(plan)
    assert all(where[t] == [t] * 4 for t in range(8)), "host t stays at table t"
    assert plan.returns == slow_returns(plan, stay=range(8))[0] == 0
    assert plan.coincidences == 0


def test_a_fixed_delegate_stays_and_the_others_still_move_on():
    rules = Constraints(fixed={5: 2})
    plan = plan_rotation(8, 4, people=40, constraints=rules, time_limit=1.0)
    assert tables_of(plan)[5] == [2, 2, 2, 2]
    assert plan.returns == slow_returns(plan, stay={5})[0] == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables=st.integers(2, 6),
    size=st.integers(2, 5),
    rounds=st.integers(1, 6),
    seed=st.integers(0, 50),
    pin=st.booleans(),
)
def test_handing_out_tables_keeps_who_meets_whom_and_the_balance(tables, size, rounds, seed, pin):
    """Relabelling tables never changes a pair meeting, the mix, a held seat; never adds returns."""
    n = tables * size
    constraints = Constraints(fixed={0: tables - 1}) if pin else None
    rules = check(n, tables, rounds, False, constraints)
    seat, _ = initial_plan(rules, np.random.default_rng(seed))
    out = send_to_new_tables(seat, rules, seed=seed, kicks=10)
    assert (meetings(out) == meetings(seat)).all()
    people = [{"country": "ABC"[p % 3]} for p in range(n)]
    # One round at a time: the mix of each round does not depend on its labels.
    for r in range(rounds):
        before = [[list(np.flatnonzero(seat[r] == t)) for t in range(tables)]]
        after = [[list(np.flatnonzero(out[r] == t)) for t in range(tables)]]
        assert imbalance(before, people) == imbalance(after, people)
    if pin:
        assert (out[:, 0] == tables - 1).all()
    moving = travellers(rules.pinned, rules.present)
    grid = question_grid(None, rounds, tables)
    assert place_scores(out, moving, grid).returns <= place_scores(seat, moving, grid).returns


def test_pairs_first_says_how_many_people_return():
    plan = plan_rotation(5, 3, size=13, order=PAIRS_FIRST)
    assert plan.coincidences == plan.lower_bound == 165
    assert plan.returners > 0 and plan.returns == slow_returns(plan)[0]
    assert plan.gave_up[0].startswith(f"{plan.returners} people return to a table they sat at.")


def test_more_rounds_than_tables_says_which_returns_cannot_be_avoided():
    plan = plan_rotation(5, 7, size=3, order=PAIRS_FIRST)
    assert plan.coincidences == 0
    assert plan.fewest_returns == 30  # 15 people, 2 rounds more than tables each
    assert plan.returns >= 30
    assert "30 returns cannot be avoided" in plan.gave_up[0]


def test_a_question_carried_by_two_tables_is_not_met_twice_when_new_tables_come_first():
    # Tables 0 and 1 discuss A, 2 and 3 discuss B: at the pair optimum every table of round 2
    # mixes people from A and B tables, so someone meets a question again.
    questions = [["A", "A", "B", "B"]] * 2
    first = plan_rotation(4, 2, size=4, questions=questions, time_limit=2.0)
    assert first.question_repeats == 0 and first.returns == 0
    assert first.coincidences > 0
    assert "pair coincidences instead of 0" in first.gave_up[0]
    pairs = plan_rotation(4, 2, size=4, questions=questions, time_limit=1.0, order=PAIRS_FIRST)
    assert pairs.coincidences == 0 and pairs.question_repeaters > 0
    assert any("meet a question they have discussed before" in g for g in pairs.gave_up)


def test_an_unknown_order_or_a_ragged_question_grid_is_refused():
    with pytest.raises(ValueError, match="Order what matters"):
        plan_rotation(4, 2, size=4, order=("balance", "pairs", "returns"))
    with pytest.raises(ValueError, match="one question"):
        plan_rotation(4, 2, size=4, questions=[["A", "B"]])


def _is_difference_array(rows, g) -> bool:
    """Any two rows differ by a different amount in every column."""
    return all(
        len({(a - b) % g for a, b in zip(x, y, strict=True)}) == len(x)
        for x, y in itertools.combinations(rows, 2)
    )


@pytest.mark.parametrize("key", sorted(designs.DIFFERENCE_ARRAYS))
def test_stored_difference_arrays_hold(key):
    g, colours, rounds = key
    rows = designs.DIFFERENCE_ARRAYS[key]
    assert len(rows) == rounds and all(len(row) == colours for row in rows)
    assert _is_difference_array(rows, g)


@pytest.mark.parametrize("g,colours,rounds", [(6, 5, 5), (8, 6, 4), (10, 6, 5), (12, 7, 5)])
def test_small_difference_arrays_are_found(g, colours, rounds):
    rows = find_difference_array(g, colours, rounds)
    assert rows is not None and _is_difference_array(rows, g)


def test_150_people_at_15_tables_of_10_meet_nobody_twice_over_6_rounds():
    plan = plan_rotation(15, 6, size=10)
    assert plan.method == "construction:difference"
    assert (plan.coincidences, plan.returns) == (0, 0)
    counts = meeting_counts(plan.rounds, 150)
    assert counts.max() == 1
