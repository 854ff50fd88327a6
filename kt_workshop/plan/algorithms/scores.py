"""How good a rotation plan is, and how good any plan could possibly be.

Quality comes in a fixed order: first the most times any pair of people share a table
(`max_meetings`), then the pair coincidences, the sum over pairs of C(m, 2) where m is how often
the pair shares a table (0 when nobody meets anyone twice), then how far the tables are from a
fair share of each attribute value (`imbalance`).

`lower_bound` gives a number of coincidences no plan with these table sizes can beat, so a plan
that reaches it is provably optimal and the search can stop.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb
from typing import NamedTuple

import numpy as np


class Scores(NamedTuple):
    """The two meeting figures of a plan, comparable in the order the organiser cares about."""

    max_meetings: int
    coincidences: int


def meeting_counts(rounds: Sequence[Sequence[Sequence[int]]], n_people: int) -> np.ndarray:
    """Count for every pair of people how many rounds they share a table."""
    counts = np.zeros((n_people, n_people), dtype=np.int64)
    for tables in rounds:
        label = np.full(n_people, -1, dtype=np.int64)
        for t, table in enumerate(tables):
            label[np.asarray(table, dtype=np.intp)] = t
        seated = label >= 0
        counts += (label[:, None] == label[None, :]) & seated[:, None] & seated[None, :]
    np.fill_diagonal(counts, 0)
    return counts


def score_plan(rounds: Sequence[Sequence[Sequence[int]]], n_people: int) -> Scores:
    """Recount from scratch how often pairs meet in a plan: the worst pair and the coincidences."""
    counts = meeting_counts(rounds, n_people)
    pairs = counts[np.triu_indices(n_people, 1)]
    if pairs.size == 0:
        return Scores(0, 0)
    return Scores(int(pairs.max()), int((pairs * (pairs - 1) // 2).sum()))


def _value(person: dict, key: str) -> str:
    """One attribute of one person, trimmed; missing or blank means unknown."""
    raw = person.get(key)
    return "" if raw is None else str(raw).strip()


def imbalance(rounds: Sequence[Sequence[Sequence[int]]], attributes: Sequence[dict] | None) -> int:
    """Count how far tables stray from a fair share of each attribute value, over all rounds.

    A value held by k of the n people seated in a round deserves k*size/n seats at a table of
    that size; a count below the floor or above the ceiling of that share adds the distance.
    Unknown values are not counted.
    """
    if not attributes:
        return 0
    keys = sorted({key for person in attributes for key in person})
    total = 0
    for tables in rounds:
        seated = [p for table in tables for p in table]
        if not seated:
            continue
        for key in keys:
            values = [_value(attributes[p], key) for p in seated]
            held = {v: values.count(v) for v in set(values) if v}
            for table in tables:
                here = [_value(attributes[p], key) for p in table]
                for value, k in held.items():
                    share = k * len(table) / len(seated)
                    low, high = int(np.floor(share)), int(np.ceil(share))
                    count = here.count(value)
                    total += max(0, low - count, count - high)
    return total


def balanced_pairs(people: int, tables: int) -> int:
    """Give the fewest pairs left sharing a table when `people` spread evenly over `tables`."""
    if people <= 0 or tables <= 0:
        return 0
    q, r = divmod(people, tables)
    return r * comb(q + 1, 2) + (tables - r) * comb(q, 2)


def even_sizes(people: int, tables: int) -> list[int]:
    """Split people over tables so sizes differ by at most one, larger tables first."""
    q, r = divmod(people, tables)
    return [q + 1] * r + [q] * (tables - r)


def least_coincidences(meetings: int, start_counts: np.ndarray) -> int:
    """Give the fewest coincidences once `meetings` more meetings land on pairs that met before.

    Each pair's cost C(m, 2) is convex in m, so the cheapest way to place meetings is to fill
    the pairs that met least first: the k-th extra meeting of a pair that met m times costs
    m + k - 1. At level L every pair that met at most L times offers one meeting costing L.
    """
    start_counts = np.asarray(start_counts, dtype=np.int64)
    total = int((start_counts * (start_counts - 1) // 2).sum())
    if meetings <= 0:
        return total
    if start_counts.size == 0:
        raise ValueError("meetings to place but no pair to place them on")
    offered = np.cumsum(np.bincount(start_counts))
    level = 0
    while meetings > 0:
        here = int(offered[min(level, offered.size - 1)])
        take = min(meetings, here)
        total += take * level
        meetings -= take
        level += 1
    return total


def _per_round(table_sizes_per_round, rounds: int | None) -> list[list[int]]:
    """Normalise sizes: one list reused for every round, or one list per round."""
    sizes = list(table_sizes_per_round)
    if sizes and not isinstance(sizes[0], (list, tuple, np.ndarray)):
        if rounds is None:
            raise ValueError("rounds is needed when one list of table sizes is given")
        return [[int(s) for s in sizes] for _ in range(rounds)]
    per_round = [[int(s) for s in round_sizes] for round_sizes in sizes]
    if rounds is not None and rounds != len(per_round):
        raise ValueError("rounds does not match the number of size lists")
    return per_round


def round_pair_bound(sizes: list[list[int]]) -> int:
    """Give the coincidences any two rounds force, summed over all pairs of rounds.

    Sum over pairs of C(m, 2) equals the number of (pair, two rounds) where the pair shares a
    table in both rounds. Between rounds a and b, the people of each table of a sit at one of
    b's tables each (a table cannot spread wider than b has tables), so at least
    balanced_pairs(size, tables of b) of their pairs meet again.
    """
    total = 0
    for a in range(len(sizes)):
        for b in range(a + 1, len(sizes)):
            open_a = sum(1 for s in sizes[a] if s > 0)
            open_b = sum(1 for s in sizes[b] if s > 0)
            forward = sum(balanced_pairs(s, open_b) for s in sizes[a])
            backward = sum(balanced_pairs(s, open_a) for s in sizes[b])
            total += max(forward, backward)
    return total


def lower_bound(
    n: int,
    table_sizes_per_round: Sequence[int] | Sequence[Sequence[int]],
    rounds: int | None = None,
) -> int:
    """Give the fewest pair coincidences any plan with these table sizes can have.

    Two bounds, the larger wins:

    (a) Counting: the rounds hold R = sum over rounds and tables of C(s, 2) meetings, spread
        over the C(n, 2) pairs. The R - C(n, 2) meetings beyond one per pair are repeats, and
        because C(m, 2) is convex the cheapest spread is the even one (each pair meets
        floor(R/P) or ceil(R/P) times), which is at least R - C(n, 2) and larger once some pair
        must meet three times. That even spread is the bound.
    (b) Round pairs: see `round_pair_bound`; for a few big tables it is the one that bites
        (65 people at 5 tables of 13 over 3 rounds: 165).

    `table_sizes_per_round` is one list of sizes used for every round (then give `rounds`) or
    one list per round (tables closed in a round are simply left out or given size 0).
    """
    sizes = _per_round(table_sizes_per_round, rounds)
    meetings = sum(comb(s, 2) for round_sizes in sizes for s in round_sizes)
    pairs = n * (n - 1) // 2
    counting = least_coincidences(meetings, np.zeros(pairs, dtype=np.int64)) if pairs else 0
    return max(counting, round_pair_bound(sizes))


def max_meetings_floor(n: int, sizes: list[list[int]], coincidences_floor: int) -> int:
    """Give a number of meetings some pair must reach in any plan (at least 1 if anyone meets)."""
    meetings = sum(comb(s, 2) for round_sizes in sizes for s in round_sizes)
    pairs = n * (n - 1) // 2
    if meetings == 0 or pairs == 0:
        return 0
    floor = -(-meetings // pairs)
    return max(floor, 2 if coincidences_floor > 0 else 1)
