"""Form balanced groups: mix countries, sectors and other columns, keep colleagues apart.

The planner starts from a greedy deal (delegates with rare values first, each to the group that
needs them most) and then swaps pairs of delegates while a swap lowers the penalty; a few
seeded "kicks" (a forced repairing swap, kept only if the plan is no worse) leave local optima.
The penalty is lexicographic: colleagues sitting together (pairs sharing an "apart" value) come
first, then cells outside floor/ceil of their fair share (the figure the organiser sees), then
the sum of squared deviations from each group's fair share of every value. Counts are kept
scaled by the number of delegates so every quantity is an integer and the result does not
depend on floating-point rounding: the same seed gives the same groups on any machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from kt_workshop.i18n import _

# Local search stops after this many sweeps over all delegates even if a swap still helps;
# in practice it converges in a handful, the cap only bounds the worst case.
MAX_SWEEPS = 30
# After the local search settles, this many kicks (a forced swap that repairs one bad cell,
# then local search around it) try to leave a local optimum. A count, not a clock, keeps the
# result the same for the same seed on any machine.
KICKS = 40


@dataclass
class GroupResult:
    """Groups of person indices (each sorted) and how well they are balanced."""

    groups: list[list[int]]
    balance: dict

    def to_json(self) -> dict:
        """Return the groups and their balance figure as plain JSON data."""
        return {"groups": [list(group) for group in self.groups], "balance": self.balance}


def _value(person: dict, attribute: str) -> str:
    """One cell of the delegate list, normalised: whitespace trimmed, missing means unknown."""
    raw = person.get(attribute)
    return "" if raw is None else str(raw).strip()


def _columns(names: Iterable[str] | str) -> list[str]:
    """Column names without repeats; a lone string is one column, not a list of letters."""
    if isinstance(names, str):
        names = [names]
    return list(dict.fromkeys(name for name in names if name))


def column_key(name: str) -> str:
    """A column name as a person reads it: case and surrounding or repeated spaces aside."""
    return " ".join(str(name).split()).casefold()


def match_columns(asked: Iterable[str] | str, available: dict[str, str]) -> list[str]:
    """The keys of the columns a person named, matched by key or label as they read them.

    `available` maps each column's key to the label a person sees. A name that matches no
    column is an error that lists the columns there are.
    """
    index: dict[str, str] = {}
    for key, label in available.items():
        index.setdefault(column_key(key), key)
        index.setdefault(column_key(label), key)
    found = []
    for name in _columns(asked):
        if not column_key(name):
            continue
        key = index.get(column_key(name))
        if key is None:
            raise ValueError(
                _(
                    "There is no column “%(name)s”. The columns are: %(columns)s.",
                    name=name.strip(),
                    columns=", ".join(available.values()),
                )
            )
        found.append(key)
    return list(dict.fromkeys(found))


def _encode(people: list[dict], attribute: str) -> tuple[np.ndarray, list[str]]:
    """Codes per person (-1 for unknown) and the sorted list of known values."""
    values = [_value(person, attribute) for person in people]
    known = sorted({value for value in values if value})
    index = {value: code for code, value in enumerate(known)}
    codes = np.array([index.get(value, -1) for value in values], dtype=np.int64)
    return codes, known


def _sizes(people_count: int, groups: int, fixed: dict[int, int]) -> list[int]:
    """Group sizes that differ by at most one and leave room for every pinned person."""
    small, large_count = divmod(people_count, groups)
    pinned = Counter(fixed.values())
    for group, count in sorted(pinned.items()):
        if count > small + (1 if large_count else 0):
            raise ValueError(
                _(
                    "%(count)s people are pinned to group %(group)s, but groups hold at most "
                    "%(size)s people.",
                    count=count,
                    group=group + 1,
                    size=small + (1 if large_count else 0),
                )
            )
    must_be_large = [group for group in range(groups) if pinned[group] > small]
    if len(must_be_large) > large_count:
        raise ValueError(
            _(
                "Too many people are pinned: %(full)s groups would need %(size)s people "
                "each, but only %(allowed)s may be that large.",
                full=len(must_be_large),
                size=small + 1,
                allowed=large_count,
            )
        )
    # The remaining larger groups are the first ones, so "group 1 has one more" reads naturally.
    others = [group for group in range(groups) if group not in must_be_large]
    large = set(must_be_large) | set(others[: large_count - len(must_be_large)])
    return [small + 1 if group in large else small for group in range(groups)]


def _validate(people: list[dict], groups: int, fixed: dict[int, int]) -> None:
    """Raise ValueError with a message the organiser can act on."""
    if groups < 1:
        raise ValueError(_("There must be at least one group (got %(groups)s).", groups=groups))
    if groups > len(people):
        raise ValueError(
            _(
                "There are more groups (%(groups)s) than people (%(people)s).",
                groups=groups,
                people=len(people),
            )
        )
    for person, group in fixed.items():
        if not 0 <= person < len(people):
            raise ValueError(_("A pinned person (%(person)s) is not in the list.", person=person))
        if not 0 <= group < groups:
            raise ValueError(
                _(
                    "Person %(person)s is pinned to group %(group)s, which does not exist.",
                    person=person,
                    group=group + 1,
                )
            )


def _fewest_pairs(
    codes: np.ndarray, members: list[list[int]], fixed: dict[int, int], value_count: int
) -> int:
    """Fewest same-value pairs any split with these group sizes and pins could have."""
    sizes = [len(group) for group in members]
    pinned_total = Counter(fixed.values())
    total = 0
    for value in range(value_count):
        holders = np.flatnonzero(codes == value)
        counts = [0] * len(sizes)
        free = 0
        for person in holders:
            if person in fixed:
                counts[fixed[person]] += 1
            else:
                free += 1
        # Room for this value: free seats plus the seats its own pinned holders already take.
        room = [sizes[g] - pinned_total[g] + counts[g] for g in range(len(sizes))]
        total += sum(count * (count - 1) // 2 for count in counts)
        # Adding to the emptiest group is optimal because pair counts are convex.
        for _person in range(free):
            open_groups = [g for g in range(len(sizes)) if counts[g] < room[g]]
            if not open_groups:
                break
            target = min(open_groups, key=lambda g: counts[g])
            total += counts[target]
            counts[target] += 1
    return total


def measure_balance(
    people: list[dict],
    groups: list[list[int]],
    balance: Iterable[str] = ("country", "sector"),
    apart: Iterable[str] = ("organisation",),
    fixed: dict[int, int] | None = None,
) -> dict:
    """Say how close each group's mix is to its fair share and how many colleagues sit together."""
    balance, apart, fixed = _columns(balance), _columns(apart), dict(fixed or {})
    placed = [person for group in groups for person in group]
    placed_people = [people[person] for person in placed]
    # An empty plan has nothing to measure; 1 avoids dividing by zero below.
    total = len(placed) or 1
    attributes = {}
    for attribute in balance:
        codes, values = _encode(placed_people, attribute)
        overall = Counter(codes[codes >= 0].tolist())
        within, cells, deviations = 0, 0, []
        offset = 0
        for group_index, group in enumerate(groups):
            here = Counter(codes[offset : offset + len(group)].tolist())
            offset += len(group)
            for code, value in enumerate(values):
                # Fair share of value v in group g is count_v * size_g / N: floor or ceil is fine.
                low, high = divmod(overall[code] * len(group), total)
                high = low + (1 if high else 0)
                cells += 1
                if low <= here[code] <= high:
                    within += 1
                else:
                    deviations.append(
                        {
                            "group": group_index,
                            "value": value,
                            "count": here[code],
                            "ideal": [low, high],
                        }
                    )
        attributes[attribute] = {
            "within": within,
            "cells": cells,
            "score": within / cells if cells else 1.0,
            "deviations": deviations,
        }
    apart_report = {}
    for attribute in apart:
        codes, values = _encode(people, attribute)
        pairs = 0
        for group in groups:
            here = Counter(int(codes[person]) for person in group if codes[person] >= 0)
            pairs += sum(count * (count - 1) // 2 for count in here.values())
        apart_report[attribute] = {
            "pairs": pairs,
            "minimum": _fewest_pairs(codes, groups, fixed, len(values)),
        }
    pairs = sum(entry["pairs"] for entry in apart_report.values())
    minimum = sum(entry["minimum"] for entry in apart_report.values())
    return {
        "attributes": attributes,
        "apart": apart_report,
        "apart_conflicts": max(0, pairs - minimum),
        "apart_minimum": minimum,
    }


def make_up(people: list[dict], groups: list[list[int]], attribute: str) -> list[dict[str, int]]:
    """Count each group's values of one column (unknowns left out), most common first."""
    result = []
    for group in groups:
        counts = Counter(_value(people[person], attribute) for person in group)
        counts.pop("", None)
        result.append(dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))))
    return result


class _Column:
    """One column's counts per value and group, and what adding or removing a person costs."""

    def __init__(self, codes: np.ndarray, sizes: np.ndarray, balanced: bool, weights: tuple):
        values = int(codes.max()) + 1
        # Unknown values go to an extra last row whose costs stay zero, so lookups need no masks.
        self.unknown = values
        self.codes = np.where(codes >= 0, codes, values)
        self.balanced = balanced
        self.n = len(codes)
        self.outside_weight, self.apart_weight = weights
        if balanced:
            # Deviation from fair share, scaled by N: N * count - count_v * size_g (an integer).
            totals = np.bincount(codes[codes >= 0], minlength=values + 1)
            self.counts = -np.outer(totals, sizes)
        else:
            self.counts = np.zeros((values + 1, len(sizes)), dtype=np.int64)
        self.gain = np.zeros_like(self.counts)
        self.lose = np.zeros_like(self.counts)
        self.refresh()

    def costs(self, counts, sign: int):
        """Change in penalty when a cell (or array of cells) gains (+1) or loses (-1) a person."""
        if not self.balanced:
            # A newcomer sits with everyone already there; a leaver stops sitting with the rest.
            return self.apart_weight * (counts if sign > 0 else 1 - counts)
        after = counts + sign * self.n
        # |N * count - count_v * size_g| < N is exactly floor <= count <= ceil.
        outside = np.where(np.abs(after) >= self.n, 1, 0) - np.where(np.abs(counts) >= self.n, 1, 0)
        # ((D + sN)^2 - D^2) / N stays an integer.
        return 2 * sign * counts + self.n + self.outside_weight * outside

    def refresh(self) -> None:
        """Recompute the cost tables after the counts were replaced wholesale."""
        self.gain = self.costs(self.counts, 1)
        self.lose = self.costs(self.counts, -1)
        self.gain[self.unknown] = self.lose[self.unknown] = 0

    def place(self, person: int, group: int, sign: int) -> None:
        """Count a person in (sign 1) or out of (sign -1) a group."""
        code = self.codes[person]
        self.counts[code, group] += sign * (self.n if self.balanced else 1)
        if code != self.unknown:
            self.gain[code, group] = self.costs(self.counts[code, group], 1)
            self.lose[code, group] = self.costs(self.counts[code, group], -1)

    def known(self) -> np.ndarray:
        """The count matrix without the unknown row."""
        return self.counts[: self.unknown]


class _Search:
    """Count matrices for one instance and the swap moves that improve them."""

    def __init__(self, people, sizes, balance, apart, fixed, rng):
        self.n = len(people)
        self.sizes = np.array(sizes, dtype=np.int64)
        self.rng = rng
        self.fixed = fixed
        # The penalty is lexicographic: colleagues together, then cells outside floor/ceil of
        # their fair share, then squared deviation. A swap touches 4 cells per attribute and
        # changes each squared term by at most 2N^2 + N, which sets the weights.
        cells = 4 * len(balance)
        outside_weight = cells * (2 * self.n * self.n + self.n) + 1
        weights = (outside_weight, (cells + 1) * outside_weight)
        self.outside_weight, self.apart_weight = weights
        self.balanced = [
            _Column(_encode(people, name)[0], self.sizes, True, weights) for name in balance
        ]
        self.apart = [
            _Column(_encode(people, name)[0], self.sizes, False, weights) for name in apart
        ]
        self.columns = self.balanced + self.apart
        self.group_of = np.full(self.n, -1, dtype=np.int64)

    def place(self, person: int, group: int, sign: int = 1) -> None:
        """Add (or with sign -1 remove) a person to a group's counts."""
        for column in self.columns:
            column.place(person, group, sign)
        self.group_of[person] = group if sign > 0 else -1

    def deal(self) -> None:
        """Greedy start: pinned people first, then rarest values first to the neediest group."""
        for person, group in sorted(self.fixed.items()):
            self.place(person, group)
        rarity = np.zeros(self.n)
        for column in self.balanced:
            totals = np.bincount(column.codes)
            rarity += np.where(column.codes != column.unknown, 1.0 / totals[column.codes], 0.0)
        order = self.rng.permutation(self.n)
        order = order[np.argsort(-rarity[order], kind="stable")]
        filled = np.bincount(self.group_of[self.group_of >= 0], minlength=len(self.sizes))
        for person in order:
            if person in self.fixed:
                continue
            cost = sum(
                (column.gain[column.codes[person]] for column in self.columns),
                np.zeros(len(self.sizes), dtype=np.int64),
            )
            cost[filled >= self.sizes] = np.iinfo(np.int64).max
            best = np.flatnonzero(cost == cost.min())
            group = int(best[self.rng.integers(len(best))])
            self.place(person, group)
            filled[group] += 1

    def swap_costs(self, person: int) -> np.ndarray:
        """Change in penalty for swapping this person with each other person."""
        here, there = self.group_of[person], self.group_of
        delta = np.zeros(self.n, dtype=np.int64)
        for column in self.columns:
            mine, theirs = column.codes[person], column.codes
            change = column.gain[theirs, here] + column.lose[theirs, there]
            change += column.gain[mine, there] + column.lose[mine, here]
            # Two people with the same value leave every count as it was.
            change[theirs == mine] = 0
            delta += change
        return delta

    def swap(self, person: int, other: int) -> None:
        """Exchange two people between their groups."""
        here, there = int(self.group_of[person]), int(self.group_of[other])
        self.place(person, here, -1)
        self.place(other, there, -1)
        self.place(person, there)
        self.place(other, here)

    def improve(self, movable: np.ndarray) -> None:
        """Swap pairs while a swap lowers the penalty, visiting people in seeded random order."""
        blocked = np.zeros(self.n, dtype=bool)
        blocked[list(self.fixed)] = True
        for _sweep in range(MAX_SWEEPS):
            improved = False
            for person in self.rng.permutation(movable):
                delta = self.swap_costs(person)
                delta[blocked | (self.group_of == self.group_of[person])] = 0
                best = delta.min()
                if best >= 0:
                    continue
                choices = np.flatnonzero(delta == best)
                self.swap(person, int(choices[self.rng.integers(len(choices))]))
                improved = True
            if not improved:
                break

    def pairs(self) -> int:
        """Pairs of people sharing an apart value in the same group."""
        return sum(int((c.known() * (c.known() - 1) // 2).sum()) for c in self.apart)

    def bad_cells(self) -> list[tuple[int, int, int]]:
        """(attribute, value, group) cells outside floor/ceil of their fair share."""
        cells = []
        for attribute, column in enumerate(self.balanced):
            for value, group in zip(*np.nonzero(np.abs(column.known()) >= self.n), strict=True):
                cells.append((attribute, int(value), int(group)))
        return cells

    def penalty(self) -> int:
        """Whole-plan penalty on the same scale as swap_costs."""
        # Floor division is safe: D^2 mod N is the same for every split with these sizes.
        squares = sum(int((c.known() ** 2).sum()) for c in self.balanced) // self.n
        bad = self.outside_weight * len(self.bad_cells())
        return squares + bad + self.apart_weight * self.pairs()

    def kick(self, movable_mask: np.ndarray) -> set[int]:
        """Force one swap that repairs a bad cell (or splits colleagues); return groups touched."""
        cells = self.bad_cells()
        if cells:
            attribute, value, group = cells[self.rng.integers(len(cells))]
            column = self.balanced[attribute]
            deviation = column.known()[value]
            # Move a holder of the value from where it is most over-represented to where it is
            # most under-represented, whichever side the bad cell is on.
            source = group if deviation[group] > 0 else int(np.argmax(deviation))
            target = group if deviation[group] < 0 else int(np.argmin(deviation))
            givers = (column.codes == value) & (self.group_of == source)
            takers = (column.codes != value) & (self.group_of == target)
        else:
            givers = np.zeros(self.n, dtype=bool)
            for column in self.apart:
                crowded = column.counts[column.codes, self.group_of] > 1
                givers |= crowded & (column.codes != column.unknown)
            takers = np.ones(self.n, dtype=bool)
        givers = np.flatnonzero(givers & movable_mask)
        if not len(givers):
            return set()
        person = int(givers[self.rng.integers(len(givers))])
        takers = np.flatnonzero(takers & movable_mask & (self.group_of != self.group_of[person]))
        if not len(takers):
            return set()
        # The least harmful partner: the kick should repair, not scatter.
        costs = self.swap_costs(person)[takers]
        choices = takers[costs == costs.min()]
        other = int(choices[self.rng.integers(len(choices))])
        touched = {int(self.group_of[person]), int(self.group_of[other])}
        self.swap(person, other)
        return touched

    def polish(self, movable: np.ndarray, fewest_pairs: int) -> None:
        """Kick the plan out of local optima, keeping a kick only if it is no worse."""
        movable_mask = np.zeros(self.n, dtype=bool)
        movable_mask[movable] = True
        best = self.penalty()
        for _kick in range(KICKS):
            if not self.bad_cells() and self.pairs() <= fewest_pairs:
                return
            saved = self.group_of.copy(), [column.counts.copy() for column in self.columns]
            touched = self.kick(movable_mask)
            if not touched:
                return
            self.improve(np.flatnonzero(movable_mask & np.isin(self.group_of, list(touched))))
            penalty = self.penalty()
            # Equal penalty is accepted so the search can drift along plateaus.
            if penalty <= best:
                best = penalty
                continue
            self.group_of = saved[0]
            for column, counts in zip(self.columns, saved[1], strict=True):
                column.counts = counts
                column.refresh()

    def groups(self) -> list[list[int]]:
        """Person indices per group, each sorted."""
        return [np.flatnonzero(self.group_of == g).tolist() for g in range(len(self.sizes))]


def form_groups(
    people: list[dict],
    groups: int,
    balance: Iterable[str] = ("country", "sector"),
    apart: Iterable[str] = ("organisation",),
    seed: int = 0,
    fixed: dict[int, int] | None = None,
) -> GroupResult:
    """Split delegates into groups that mix the balance columns and keep colleagues apart."""
    balance, apart, fixed = _columns(balance), _columns(apart), dict(fixed or {})
    _validate(people, groups, fixed)
    sizes = _sizes(len(people), groups, fixed)
    # Any integer seed works; NumPy's generator only takes non-negative ones.
    rng = np.random.default_rng(seed % 2**63)
    search = _Search(people, sizes, balance, apart, fixed, rng)
    search.deal()
    movable = np.array([p for p in range(len(people)) if p not in fixed], dtype=np.int64)
    search.improve(movable)
    # The colleague bound is computed once from the sizes and pins the search works with.
    fewest = measure_balance(people, search.groups(), [], apart, fixed)["apart_minimum"]
    search.polish(movable, fewest)
    members = search.groups()
    return GroupResult(members, measure_balance(people, members, balance, apart, fixed))
