"""Group formation: balanced, colleagues apart, deterministic per seed, pins honoured."""

import json
import re
import time
from collections import Counter
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kt_workshop.plan.algorithms.groups import form_groups, make_up, measure_balance

COUNTRIES = {
    "UK": 20,
    "Poland": 9,
    "Germany": 8,
    "Belgium": 7,
    "Italy": 6,
    "Norway": 5,
    "Czech Republic": 5,
    "Netherlands": 5,
}
SECTORS = ["criminal justice", "university research", "charity", "helpline", "international"]

fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_delegates():
    """65 delegates from 8 countries, as at the reference event, with colleagues in pairs/fours."""
    people = []
    for country, count in COUNTRIES.items():
        for number in range(count):
            people.append(
                {
                    "name": f"{country} {number}",
                    "country": country,
                    "sector": SECTORS[(number + len(people)) % len(SECTORS)],
                    # Up to four colleagues from one organisation per country.
                    "organisation": f"{country} org {number // 4}",
                }
            )
    return people


def recount(people, groups, balance, apart):
    """Independent recount of the balance figure, written from the definition."""
    n = sum(len(group) for group in groups)
    figure = {}
    for attribute in balance:
        totals = Counter(people[p][attribute].strip() for group in groups for p in group)
        totals.pop("", None)
        within = cells = 0
        for group in groups:
            here = Counter(people[p][attribute].strip() for p in group)
            for value, total in totals.items():
                ideal = total * len(group) / n
                cells += 1
                # Compare with integers so the test does not inherit float rounding.
                low = total * len(group) // n
                high = -(-total * len(group) // n)
                assert low <= ideal <= high
                within += low <= here[value] <= high
        figure[attribute] = (within, cells)
    pairs = 0
    for attribute in apart:
        for group in groups:
            for a, b in combinations(group, 2):
                value = people[a][attribute].strip()
                pairs += bool(value) and value == people[b][attribute].strip()
    return figure, pairs


def spread_minimum(people, groups, attribute):
    """Fewest same-value pairs when each value is spread as evenly as possible over the groups."""
    total = 0
    for count in Counter(p[attribute] for p in people if p[attribute]).values():
        per, extra = divmod(count, len(groups))
        total += extra * (per + 1) * per // 2 + (len(groups) - extra) * per * (per - 1) // 2
    return total


@st.composite
def instances(draw, max_people=36):
    """A delegate list with a few columns (some unknowns) and a number of groups."""
    n = draw(st.integers(1, max_people))
    groups = draw(st.integers(1, min(n, 8)))
    values = {
        "country": draw(st.integers(1, 6)),
        "sector": draw(st.integers(1, 4)),
        "organisation": draw(st.integers(1, n)),
    }
    people = [
        {
            name: draw(st.sampled_from(["", *[f"{name[0]}{i}" for i in range(count)]]))
            for name, count in values.items()
        }
        for _person in range(n)
    ]
    return people, groups


@fast
@given(instances(), st.integers(0, 2**32))
def test_sizes_within_one_and_everyone_placed_once(instance, seed):
    people, groups = instance
    result = form_groups(people, groups, seed=seed)
    sizes = [len(group) for group in result.groups]
    assert len(sizes) == groups
    assert max(sizes) - min(sizes) <= 1
    assert sorted(p for group in result.groups for p in group) == list(range(len(people)))
    assert all(group == sorted(group) for group in result.groups)


@fast
@given(instances(), st.integers(0, 2**32))
def test_same_seed_same_split(instance, seed):
    people, groups = instance
    assert form_groups(people, groups, seed=seed) == form_groups(people, groups, seed=seed)


@fast
@given(instances(), st.data())
def test_pins_are_honoured(instance, data):
    people, groups = instance
    small = len(people) // groups
    wanted = data.draw(
        st.dictionaries(st.integers(0, len(people) - 1), st.integers(0, groups - 1), max_size=8)
    )
    # Keep at most the smaller group size per group, which any split can honour.
    load, fixed = Counter(), {}
    for person, group in wanted.items():
        if load[group] < small:
            load[group] += 1
            fixed[person] = group
    result = form_groups(people, groups, fixed=fixed, seed=data.draw(st.integers(0, 99)))
    for person, group in fixed.items():
        assert person in result.groups[group]
    sizes = [len(group) for group in result.groups]
    assert max(sizes) - min(sizes) <= 1


@fast
@given(instances(), st.integers(0, 2**32))
def test_balance_figure_matches_a_recount(instance, seed):
    people, groups = instance
    result = form_groups(people, groups, seed=seed)
    figure, pairs = recount(people, result.groups, ["country", "sector"], ["organisation"])
    for attribute, (within, cells) in figure.items():
        reported = result.balance["attributes"][attribute]
        assert (reported["within"], reported["cells"]) == (within, cells)
        assert reported["score"] == (within / cells if cells else 1.0)
        assert len(reported["deviations"]) == cells - within
    minimum = result.balance["apart_minimum"]
    assert result.balance["apart"]["organisation"]["pairs"] == pairs
    assert result.balance["apart_conflicts"] == pairs - minimum


@fast
@given(instances(), st.integers(0, 2**32))
def test_easy_instances_reach_the_optimum(instance, seed):
    # One balanced column and one apart column can always both be perfect (round the fair-share
    # matrix), so anything less is a search failure.
    people, groups = instance
    result = form_groups(people, groups, balance=["country"], seed=seed)
    assert result.balance["attributes"]["country"]["score"] == 1.0
    assert result.balance["apart_minimum"] == spread_minimum(people, result.groups, "organisation")
    assert result.balance["apart_conflicts"] == 0


def test_reference_event_is_balanced_and_fast():
    people = reference_delegates()
    start = time.perf_counter()
    result = form_groups(people, 5, seed=0)
    elapsed = time.perf_counter() - start
    assert [len(group) for group in result.groups] == [13] * 5
    for attribute in ("country", "sector"):
        assert result.balance["attributes"][attribute]["score"] == 1.0
    # Eight countries: UK (20) gives 4 per group, every small country at most 2 per group.
    countries = make_up(people, result.groups, "country")
    assert all(made["UK"] == 4 for made in countries)
    assert all(max(made.values()) <= 4 for made in countries)
    assert result.balance["apart_conflicts"] == 0
    # The budget is 100 ms; the margin keeps a busy test machine from failing the build.
    assert elapsed < 1.0


def test_another_seed_gives_another_equally_good_split():
    people = reference_delegates()
    first, second = form_groups(people, 5, seed=1), form_groups(people, 5, seed=2)
    assert first.groups != second.groups
    assert first.balance["attributes"] == second.balance["attributes"]
    assert first.balance["apart_conflicts"] == second.balance["apart_conflicts"] == 0


def test_large_workshop_within_budget():
    people = [
        {
            "country": f"c{(i * 7) % 11}",
            "sector": f"s{(i * 3) % 6}",
            "role": f"r{i % 4}",
            "organisation": f"o{(i * 13) % 90}",
        }
        for i in range(500)
    ]
    start = time.perf_counter()
    result = form_groups(people, 40, balance=["country", "sector", "role"], seed=3)
    assert time.perf_counter() - start < 4.0
    assert sorted(len(group) for group in result.groups) == [12] * 20 + [13] * 20
    assert result.balance["apart_conflicts"] == 0
    assert all(entry["score"] >= 0.99 for entry in result.balance["attributes"].values())


def test_to_json_is_exactly_groups_and_balance():
    people = reference_delegates()
    data = form_groups(people, 5).to_json()
    assert set(data) == {"groups", "balance"}
    assert json.loads(json.dumps(data)) == data
    assert sorted(p for group in data["groups"] for p in group) == list(range(65))


def test_deviations_name_the_group_value_and_range():
    people = [{"country": "UK"}] * 3 + [{"country": "PL"}] * 3
    report = measure_balance(people, [[0, 1, 2], [3, 4, 5]], balance=["country"], apart=[])
    deviation = report["attributes"]["country"]["deviations"][0]
    assert deviation == {"group": 0, "value": "PL", "count": 0, "ideal": [1, 2]}
    assert report["attributes"]["country"]["within"] == 0
    assert report["attributes"]["country"]["cells"] == 4


def test_unknown_values_are_not_counted():
    people = [{"country": ""}, {"country": " "}, {"country": "UK"}, {}]
    result = form_groups(people, 2, balance=["country"], apart=["country"])
    assert result.balance["attributes"]["country"]["cells"] == 2
    assert make_up(people, result.groups, "country") in ([{"UK": 1}, {}], [{}, {"UK": 1}])
    assert result.balance["apart"]["country"] == {"pairs": 0, "minimum": 0}


def test_unavoidable_colleagues_are_the_minimum_not_a_conflict():
    people = [{"organisation": "police"}] * 5 + [{"organisation": "charity"}]
    result = form_groups(people, 2, balance=[], apart=["organisation"])
    # Five colleagues over two groups: 3 + 2 sit together, 3 + 1 pairs at best.
    assert result.balance["apart_minimum"] == 4
    assert result.balance["apart_conflicts"] == 0


def test_pinned_colleagues_raise_the_minimum():
    people = [{"organisation": "police"}] * 4
    result = form_groups(people, 2, balance=[], apart=["organisation"], fixed={0: 0, 1: 0})
    assert result.groups == [[0, 1], [2, 3]]
    assert result.balance["apart_minimum"] == 2
    assert result.balance["apart_conflicts"] == 0


def test_make_up_counts_each_group():
    people = [{"sector": "police"}, {"sector": "charity"}, {"sector": "police"}, {"sector": ""}]
    assert make_up(people, [[0, 2, 3], [1]], "sector") == [{"police": 2}, {"charity": 1}]


@pytest.mark.parametrize(
    ("groups", "fixed", "message"),
    [
        (0, None, "at least one group"),
        (5, None, "more groups (5) than people (4)"),
        (2, {7: 0}, "not in the list"),
        (2, {0: 2}, "does not exist"),
        (2, {0: 0, 1: 0, 2: 0}, "at most 2 people"),
        (3, {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1}, "only 1 may be that large"),
    ],
)
def test_bad_requests_say_what_is_wrong(groups, fixed, message):
    people = [{"country": "UK"}] * 4
    if groups == 3:
        people = [{"country": "UK"}] * 7
    with pytest.raises(ValueError, match=re.escape(message)):
        form_groups(people, groups, fixed=fixed)
