"""Fixed groups, travelling moderators: every group meets every moderator once per block."""

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kt_workshop.plan.algorithms.fixed_groups import check_fixed_groups, plan_fixed_groups

fast = settings(max_examples=120, deadline=None)
sizes = st.integers(1, 12)


def sequence(block, group):
    """What one group sees, round by round (None for self-led)."""
    return [row[group] for row in block]


@fast
@given(sizes, sizes, st.integers(1, 15), st.integers(1, 4))
def test_no_moderator_in_two_places_and_no_group_meets_one_twice(
    groups, moderators, rounds, blocks
):
    plan = plan_fixed_groups(groups, moderators, rounds, blocks)
    assert len(plan.blocks) == blocks
    for block in plan.blocks:
        assert len(block) == rounds
        for row in block:
            assert len(row) == groups
            busy = [m for m in row if m is not None]
            assert len(busy) == len(set(busy))
            assert all(0 <= m < moderators for m in busy)
        for group in range(groups):
            met = [m for m in sequence(block, group) if m is not None]
            assert len(met) == len(set(met))


@fast
@given(sizes, sizes, st.integers(0, 3), st.integers(1, 4))
def test_enough_rounds_means_everyone_meets_everyone_once(groups, moderators, extra, blocks):
    needed = max(groups, moderators)
    plan = plan_fixed_groups(groups, moderators, needed + extra, blocks)
    for block in plan.blocks:
        for group in range(groups):
            met = sequence(block, group)
            assert Counter(m for m in met if m is not None) == Counter(range(moderators))
            # Self-led rounds are exactly the rounds without a moderator.
            assert met.count(None) == needed + extra - moderators
        for row in block[:needed]:
            assert row.count(None) == max(0, groups - moderators)
        assert all(row == [None] * groups for row in block[needed:])
    assert bool(extra) == any("self-led" in problem for problem in plan.problems)


@fast
@given(sizes, sizes, st.integers(1, 4))
def test_default_rounds_is_what_everyone_meeting_everyone_takes(groups, moderators, blocks):
    plan = plan_fixed_groups(groups, moderators, blocks=blocks)
    assert plan.rounds == plan.rounds_needed == max(groups, moderators)
    if blocks <= max(groups, moderators):
        assert plan.problems == []
        assert check_fixed_groups(plan, groups, moderators) == []


@fast
@given(sizes, sizes, st.integers(2, 4), st.integers(0, 2))
def test_each_group_meets_the_moderators_in_a_new_order_each_block(
    groups, moderators, blocks, extra
):
    needed = max(groups, moderators)
    if needed < 2:
        # One group and one moderator: there is only one order.
        return
    blocks = min(blocks, needed)
    plan = plan_fixed_groups(groups, moderators, needed + extra, blocks)
    for first in range(blocks):
        for second in range(first + 1, blocks):
            for group in range(groups):
                assert sequence(plan.blocks[first], group) != sequence(plan.blocks[second], group)


@fast
@given(sizes, sizes, st.data())
def test_too_few_rounds_gives_the_fullest_partial_plan(groups, moderators, data):
    needed = max(groups, moderators)
    if needed < 2:
        return
    rounds = data.draw(st.integers(1, needed - 1))
    plan = plan_fixed_groups(groups, moderators, rounds, blocks=2)
    assert any("not every group can meet every moderator" in p for p in plan.problems)
    for block in plan.blocks:
        for row in block:
            # Every round uses as many moderators as there are groups to visit.
            assert sum(m is not None for m in row) == min(groups, moderators)
    assert plan.blocks[0] != plan.blocks[1]
    problems = check_fixed_groups(plan, groups, moderators)
    assert problems and all("does not meet" in problem for problem in problems)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 8, 9])
def test_prime_power_orders_give_orthogonal_blocks(n):
    plan = plan_fixed_groups(n, n, blocks=n - 1)
    assert check_fixed_groups(plan, n, n) == []
    for first in range(n - 1):
        for second in range(first + 1, n - 1):
            pairs = {
                (plan.blocks[first][r][g], plan.blocks[second][r][g])
                for r in range(n)
                for g in range(n)
            }
            assert len(pairs) == n * n


def test_reference_event():
    # 5 groups, 5 moderators, a morning and an afternoon block of 5 rounds each.
    plan = plan_fixed_groups(5, 5, rounds=5, blocks=2)
    assert plan.problems == []
    assert check_fixed_groups(plan, 5, 5) == []
    morning, afternoon = plan.blocks
    for block in plan.blocks:
        for row in block:
            assert sorted(row) == [0, 1, 2, 3, 4]
    for group in range(5):
        assert sequence(morning, group) != sequence(afternoon, group)
    data = plan.to_json()
    assert set(data) == {"blocks", "problems"}
    assert json.loads(json.dumps(data)) == data


def test_fewer_moderators_than_groups_shows_self_led_rounds():
    plan = plan_fixed_groups(5, 3, blocks=1)
    for group in range(5):
        assert sequence(plan.blocks[0], group).count(None) == 2
    assert "null" in json.dumps(plan.to_json())


def test_more_moderators_than_groups_needs_more_rounds():
    plan = plan_fixed_groups(3, 5)
    assert plan.rounds == 5
    assert check_fixed_groups(plan, 3, 5) == []
    for row in plan.blocks[0]:
        assert None not in row


def test_more_blocks_than_orders_says_so_and_neighbours_still_differ():
    plan = plan_fixed_groups(2, 2, blocks=3)
    assert any("some blocks repeat" in problem for problem in plan.problems)
    assert plan.blocks[0] != plan.blocks[1] != plan.blocks[2]


def test_check_catches_a_broken_plan():
    plan = plan_fixed_groups(4, 4, blocks=2)
    blocks = json.loads(json.dumps(plan.blocks))
    blocks[0][0][1] = blocks[0][0][0]
    problems = check_fixed_groups(blocks, 4, 4)
    assert any("moderator 1 is at groups 1 and 2" in p for p in problems)
    assert any("meets moderator(s) 1 twice" in p for p in problems)
    assert any("does not meet moderator(s) 2" in p for p in problems)
    assert check_fixed_groups([plan.blocks[0], plan.blocks[0]], 4, 4) == [
        "Blocks 1 and 2 are in the same order."
    ]
    broken = [[[0, 1, 1], [5, 0]]]
    problems = check_fixed_groups(broken, 2, 2)
    assert any("round 1 has 3 groups, not 2" in p for p in problems)
    assert any("group 1 has an unknown moderator (5)" in p for p in problems)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 3), "number of groups must be between 1"),
        ((3, 0), "number of moderators must be between 1"),
        ((3, 3, 0), "number of rounds must be between 1"),
        ((3, 3, 3, 0), "number of blocks must be between 1"),
        ((1000, 3), "between 1 and 200 (got 1000)"),
    ],
)
def test_bad_sizes_say_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_fixed_groups(*args)
