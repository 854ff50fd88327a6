"""Rotation planning: every plan keeps the rules, scores are honest, bounds are never too high."""

import itertools
import json
from math import comb

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kt_workshop.plan.algorithms import designs
from kt_workshop.plan.algorithms.constructions import (
    affine_plan,
    as_tables,
    best_construction,
    polynomial_plan,
    round_robin,
)
from kt_workshop.plan.algorithms.rotation import Constraints, plan_rotation
from kt_workshop.plan.algorithms.scores import (
    imbalance,
    lower_bound,
    score_plan,
)

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def recount(rounds, n):
    """Meetings per pair, counted the slow obvious way."""
    met = {}
    for tables in rounds:
        for table in tables:
            for a, b in itertools.combinations(sorted(table), 2):
                met[a, b] = met.get((a, b), 0) + 1
    worst = max(met.values(), default=0)
    return worst, sum(comb(m, 2) for m in met.values())


def assert_valid(plan, n, tables, rounds, hosts=False, constraints=None):
    """Check every invariant a user relies on."""
    c = constraints or Constraints()
    assert len(plan.rounds) == rounds
    for r, round_tables in enumerate(plan.rounds):
        assert len(round_tables) == tables
        seated = sorted(p for table in round_tables for p in table)
        assert seated == list(range(n)), "everyone seated exactly once"
        assert all(table == sorted(table) for table in round_tables)
        closed = c.closed.get(r, set())
        if len(closed) < tables:
            assert all(not round_tables[t] for t in closed), "closed tables stay empty"
            sizes = [len(round_tables[t]) for t in range(tables) if t not in closed]
            assert max(sizes) - min(sizes) <= 1, "open tables differ by at most one"
        where = {p: t for t, table in enumerate(round_tables) for p in table}
        if hosts:
            assert all(where[t] == t for t in range(tables) if t not in closed)
        if not plan.problems:
            assert all(where[p] == t for p, t in c.fixed.items() if t not in closed)
            assert all(where[a] != where[b] for a, b in c.apart)
            assert all(where[a] == where[b] for a, b in c.together)
    worst, coincidences = recount(plan.rounds, n)
    assert (plan.max_meetings, plan.coincidences) == (worst, coincidences)
    assert plan.lower_bound <= plan.coincidences
    assert plan.to_json()["gap"] == plan.coincidences - plan.lower_bound


@FAST
@given(
    tables=st.integers(1, 6),
    people=st.integers(1, 26),
    rounds=st.integers(1, 5),
    hosts=st.booleans(),
    seed=st.integers(0, 5),
)
def test_any_plan_keeps_the_invariants(tables, people, rounds, hosts, seed):
    hosts = hosts and people >= tables
    plan = plan_rotation(tables, rounds, people=people, hosts=hosts, seed=seed, time_limit=0.05)
    assert_valid(plan, people, tables, rounds, hosts)
    assert plan.problems == []


@st.composite
def feasible_rules(draw):
    """Sizes plus rules that can all hold together: at most one fixed person per table."""
    tables = draw(st.integers(3, 5))
    size = draw(st.integers(3, 4))
    rounds = draw(st.integers(1, 4))
    n = tables * size
    people = draw(st.permutations(range(n)))
    k_fixed = draw(st.integers(0, tables - 1))
    fixed = {people[i]: i for i in range(k_fixed)}
    free = people[k_fixed:]
    together = [(free[0], free[1])] if draw(st.booleans()) else []
    pool = free[2:]
    pairs = min(draw(st.integers(0, 3)), len(pool) // 2)
    apart = [(pool[i], pool[i + 1]) for i in range(0, pairs * 2, 2)]
    closed = {}
    if draw(st.booleans()):
        closed[draw(st.integers(0, rounds - 1))] = {tables - 1}
    return tables, size, rounds, Constraints(fixed, apart, together, closed)


@FAST
@given(case=feasible_rules(), seed=st.integers(0, 3))
def test_rules_always_hold(case, seed):
    tables, size, rounds, rules = case
    plan = plan_rotation(tables, rounds, size=size, seed=seed, time_limit=0.05, constraints=rules)
    assert plan.problems == []
    assert_valid(plan, tables * size, tables, rounds, constraints=rules)


@FAST
@given(
    rounds=st.lists(st.permutations(range(12)), min_size=1, max_size=4),
    cut=st.sampled_from([2, 3, 4, 6]),
)
def test_score_plan_equals_a_recount(rounds, cut):
    plan = [[sorted(order[i : i + cut]) for i in range(0, 12, cut)] for order in rounds]
    scores = score_plan(plan, 12)
    assert (scores.max_meetings, scores.coincidences) == recount(plan, 12)


def _partitions(people, sizes):
    """Every way to split people into tables of the given sizes (tables unlabelled)."""
    if not sizes:
        yield []
        return
    first, rest = people[0], people[1:]
    for mates in itertools.combinations(rest, sizes[0] - 1):
        left = [p for p in rest if p not in mates]
        for tail in _partitions(left, sizes[1:]):
            yield [[first, *mates], *tail]


def brute_force_optimum(n, tables, rounds):
    """Fewest coincidences over all plans (round 0 fixed: relabelling people is free)."""
    sizes = [n // tables + (1 if t < n % tables else 0) for t in range(tables)]
    pairs = {pair: k for k, pair in enumerate(itertools.combinations(range(n), 2))}
    vectors = []
    for split in _partitions(list(range(n)), sizes):
        v = np.zeros(len(pairs), dtype=np.int64)
        for table in split:
            for pair in itertools.combinations(sorted(table), 2):
                v[pairs[pair]] = 1
        vectors.append(v)
    vectors = np.array(vectors)
    best = None
    for rest in itertools.combinations_with_replacement(range(len(vectors)), rounds - 1):
        m = vectors[0] + vectors[list(rest)].sum(axis=0)
        c = int((m * (m - 1) // 2).sum())
        best = c if best is None else min(best, c)
    return best


@pytest.mark.parametrize(
    "n,tables,rounds",
    [
        (4, 2, 3),
        (6, 2, 3),
        (6, 2, 4),
        (6, 3, 4),
        (6, 3, 6),
        (7, 2, 3),
        (7, 3, 3),
        (8, 2, 3),
        (8, 4, 3),
        (9, 3, 3),
        (5, 1, 2),
        (9, 2, 2),
    ],
)
def test_lower_bound_never_above_the_optimum(n, tables, rounds):
    optimum = brute_force_optimum(n, tables, rounds)
    sizes = [n // tables + (1 if t < n % tables else 0) for t in range(tables)]
    assert lower_bound(n, sizes, rounds) <= optimum
    plan = plan_rotation(tables, rounds, people=n, time_limit=0.3)
    assert plan.coincidences >= optimum
    assert plan.lower_bound <= optimum


def test_lower_bound_for_big_tables_is_165():
    assert lower_bound(65, [13] * 5, 3) == 165
    assert lower_bound(65, [[13] * 5] * 3) == 165


def test_counting_bound_translates_repeats_into_coincidences():
    # 4 people at one table for 3 rounds: every pair meets 3 times, C(3, 2) each.
    assert lower_bound(4, [4], 3) == 6 * 3
    # 6 people, 2 tables of 3, 4 rounds: 24 meetings on 15 pairs, so 9 pairs meet twice.
    assert lower_bound(6, [3, 3], 4) >= 9


def test_big_tables_reach_the_bound_at_once():
    plan = plan_rotation(5, 3, size=13, time_limit=1.0, order=("pairs", "returns", "balance"))
    assert plan.lower_bound == 165 == plan.coincidences
    assert plan.max_meetings == 2
    assert plan.method.startswith("construction")


def test_big_tables_trade_pair_meetings_for_new_tables_and_say_so():
    # 13 people of a table can only spread over the 4 tables they have not sat at: 15 pairs
    # meet again per table and pair of rounds, 225 in all, where 165 would do with returns.
    plan = plan_rotation(5, 3, size=13, time_limit=1.0)
    assert plan.returns == plan.returners == 0
    assert plan.coincidences == 225
    assert plan.gave_up == [
        "Sending everyone to a new table and question each round costs repeat meetings:"
        " 225 pair coincidences instead of 165."
    ]


@pytest.mark.parametrize("g", [2, 3, 4, 5, 7, 8, 9])
def test_polynomial_plan_has_no_repeats(g):
    for size in range(1, g + 1):
        seat = polynomial_plan(g, g * size, g)
        assert recount(as_tables(seat, g), g * size)[1] == 0
        assert (seat[:, :g] == np.arange(g)).all(), "colour 0 never moves: the hosts"
    affine_plane = polynomial_plan(g, g * g, g + 1)
    assert recount(as_tables(affine_plane, g), g * g) == (1, 0)
    assert all(
        len(pair_set) == comb(g * g, 2)
        for pair_set in [
            {
                pair
                for tables in as_tables(affine_plane, g)
                for table in tables
                for pair in itertools.combinations(table, 2)
            }
        ]
    ), "an affine plane seats every pair together exactly once"


@pytest.mark.parametrize(
    "tables,people,rounds", [(8, 32, 9), (16, 64, 21), (9, 27, 13), (4, 16, 5), (4, 8, 7)]
)
def test_affine_plan_has_no_repeats(tables, people, rounds):
    seat = affine_plan(tables, people, rounds)
    assert seat is not None
    plan = as_tables(seat, tables)
    assert all(len(table) == people // tables for tables_ in plan for table in tables_)
    assert recount(plan, people)[1] == 0


@pytest.mark.parametrize("n", [2, 4, 6, 10])
def test_round_robin_meets_everyone_once(n):
    plan = as_tables(round_robin(n // 2, n, n - 1), n // 2)
    assert recount(plan, n) == (1, 0)


@pytest.mark.parametrize("key", sorted(designs.DESIGNS))
def test_stored_designs_are_resolvable_with_no_repeats(key):
    people, size = key
    plan = designs.decode(designs.DESIGNS[key])
    for round_tables in plan:
        assert sorted(p for t in round_tables for p in t) == list(range(people))
        assert all(len(t) == size for t in round_tables)
    assert recount(plan, people)[1] == 0


@pytest.mark.parametrize(
    "tables,size,rounds",
    [(5, 3, 7), (6, 3, 8), (8, 4, 9), (8, 4, 10), (7, 4, 9), (7, 3, 10), (13, 5, 4)],
)
def test_known_instances_have_no_repeats(tables, size, rounds):
    # Pair meetings first: with more rounds than tables, new tables first trades some away.
    order = ("pairs", "returns", "balance")
    plan = plan_rotation(tables, rounds, size=size, time_limit=0.5, order=order)
    assert plan.coincidences == 0
    assert_valid(plan, tables * size, tables, rounds)


def test_hosts_stay_with_a_construction():
    plan = plan_rotation(13, 4, size=5, hosts=True)
    assert plan.coincidences == 0 and plan.method.startswith("construction")
    assert_valid(plan, 65, 13, 4, hosts=True)


def test_uneven_numbers_use_a_construction_with_people_removed():
    found = best_construction(8, 30, 9)
    assert found is not None
    plan = as_tables(found[0], 8)
    assert recount(plan, 30)[1] == 0
    assert all(max(map(len, r)) - min(map(len, r)) <= 1 for r in plan)


def test_same_seed_same_plan():
    # The search stops at the lower bound (0 here), so both runs take the same steps.
    rules = Constraints(apart=[(0, 1), (2, 3)], fixed={6: 1})
    pairs_first = ("pairs", "returns", "balance")
    runs = [
        plan_rotation(4, 3, size=4, seed=3, constraints=rules, time_limit=5.0, order=pairs_first)
        for _ in "ab"
    ]
    assert runs[0].coincidences == runs[0].lower_bound == 0
    assert runs[0].rounds == runs[1].rounds
    # Handing out tables stops at a count of shuffles, or at the deadline: give it time.
    greedy = [plan_rotation(5, 4, size=4, seed=2, method="greedy", time_limit=30) for _ in "ab"]
    assert greedy[0].rounds == greedy[1].rounds


def test_greedy_baseline_keeps_the_rules():
    rules = Constraints(apart=[(0, 1)], fixed={2: 0}, together=[(3, 4)], closed={1: {2}})
    plan = plan_rotation(4, 4, size=4, method="greedy", constraints=rules)
    assert plan.method == "greedy"
    assert_valid(plan, 16, 4, 4, constraints=rules)


def _problem(plan, *words):
    """The one problem that mentions all the words."""
    hits = [p for p in plan.problems if all(w in p for w in words)]
    assert hits, plan.problems
    return hits[0]


def test_together_pair_fixed_at_different_tables_is_reported():
    rules = Constraints(fixed={3: 0, 4: 1}, together=[(3, 4)])
    plan = plan_rotation(3, 2, size=4, constraints=rules, time_limit=0.1)
    text = _problem(plan, "Person 4", "Person 5", "together")
    assert "fixed at Table 2" in text  # without names, counted from 1 as the grid counts
    assert all({p: t for t, table in enumerate(r) for p in table}[3] == 0 for r in plan.rounds), (
        "the fixed seats still hold"
    )


def test_too_many_fixed_people_at_one_table_is_reported():
    rules = Constraints(fixed={p: 0 for p in range(5)})
    plan = plan_rotation(3, 2, size=3, constraints=rules, time_limit=0.1)
    _problem(plan, "Table 1", "fixed")
    assert_valid(plan, 9, 3, 2)


def test_pair_both_apart_and_together_is_kept_apart():
    rules = Constraints(apart=[(1, 2)], together=[(1, 2)])
    plan = plan_rotation(3, 2, size=3, constraints=rules, time_limit=0.1)
    _problem(plan, "Person 2", "Person 3", "apart")
    for r in plan.rounds:
        where = {p: t for t, table in enumerate(r) for p in table}
        assert where[1] != where[2]


def test_closing_every_table_is_reported():
    plan = plan_rotation(2, 2, size=3, constraints=Constraints(closed={0: {0, 1}}))
    _problem(plan, "Every table", "Round 1")
    assert_valid(plan, 6, 2, 2)


def test_fixed_person_at_a_closed_table_is_reported():
    rules = Constraints(fixed={0: 1}, closed={1: {1}})
    plan = plan_rotation(3, 2, size=3, constraints=rules, time_limit=0.1)
    _problem(plan, "Person 1", "closed in Round 2")
    assert_valid(plan, 9, 3, 2, constraints=Constraints(closed={1: {1}}))


def test_impossible_keep_apart_is_reported():
    # Four people who must all sit apart, but only three tables.
    apart = list(itertools.combinations(range(4), 2))
    plan = plan_rotation(3, 1, size=3, constraints=Constraints(apart=apart), time_limit=0.1)
    _problem(plan, "no seating", "apart")
    assert_valid(plan, 9, 3, 1)


def test_closed_table_seats_are_shared_out():
    rules = Constraints(closed={1: {0}, 2: {0, 3}})
    plan = plan_rotation(4, 3, size=4, constraints=rules, time_limit=0.2)
    assert plan.problems == []
    assert_valid(plan, 16, 4, 3, constraints=rules)


def _slow_imbalance(plan, attributes):
    """Imbalance recounted independently: distance outside floor/ceil of each fair share."""
    total = 0
    for tables in plan:
        seated = [p for t in tables for p in t]
        for key in {k for a in attributes for k in a}:
            values = {attributes[p].get(key) for p in seated} - {None}
            for table in tables:
                for v in values:
                    share = sum(attributes[p].get(key) == v for p in seated) * len(table)
                    share /= len(seated)
                    count = sum(attributes[p].get(key) == v for p in table)
                    total += max(0, int(np.floor(share)) - count, count - int(np.ceil(share)))
    return total


def test_attributes_are_balanced():
    countries = [{"country": c} for c in ["PL", "DE", "UK", "FR"] for _ in range(4)]
    pairs_first = ("pairs", "returns", "balance")
    plan = plan_rotation(4, 3, size=4, attributes=countries, time_limit=1.0, order=pairs_first)
    assert plan.imbalance == _slow_imbalance(plan.rounds, countries) == 0
    assert plan.coincidences == 0
    lumpy = [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]]
    assert imbalance(lumpy, countries) == _slow_imbalance(lumpy, countries) > 0


def test_to_json_has_the_cli_keys():
    data = json.loads(json.dumps(plan_rotation(3, 2, size=3).to_json()))
    assert {"rounds", "coincidences", "max_meetings", "lower_bound", "seconds"} <= set(data)
    assert {"gap", "method", "problems"} <= set(data)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tables": 0, "rounds": 1, "size": 2},
        {"tables": 2, "rounds": 0, "size": 2},
        {"tables": 2, "rounds": 1},
        {"tables": 4, "rounds": 1, "people": 3, "hosts": True},
    ],
)
def test_nonsense_sizes_raise_a_clear_error(kwargs):
    with pytest.raises(ValueError):
        plan_rotation(**kwargs)
