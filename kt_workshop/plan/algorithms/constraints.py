"""The organiser's hard rules for a rotation, checked before any search starts.

`Constraints` is what a caller writes: who cannot leave their table, who must sit apart or
together, which tables close in which round. `check` turns it into `Rules`, the form the
planners use (per round: who is seated, who is pinned to which table, table capacities), and
lists in plain words every rule that cannot hold together with the others, saying which one
gives way. The planners then respect every rule that is left, always. Messages name people,
tables and rounds as the organiser does (`Names`); without names, by 1-based numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kt_workshop.i18n import _, list_of, ngettext


@dataclass
class Names:
    """What the organiser calls the people, tables and rounds the planner numbers from 0."""

    people: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    rounds: list[str] = field(default_factory=list)

    def person(self, p: int) -> str:
        """A person's name, or "Person 3" (counted from 1) when the plan has none."""
        return self.people[p] if 0 <= p < len(self.people) else _("Person %(n)s", n=p + 1)

    def table(self, t: int) -> str:
        """A table's name, or "Table 2" (counted from 1)."""
        return self.tables[t] if 0 <= t < len(self.tables) else _("Table %(n)s", n=t + 1)

    def round(self, r: int) -> str:
        """A round as the grid names it ("Afternoon round 1"), or "Round 1"."""
        return self.rounds[r] if 0 <= r < len(self.rounds) else _("Round %(n)s", n=r + 1)

    def later(self, start: int) -> Names:
        """The same names for a plan of the rounds from `start` on (a re-plan)."""
        return Names(self.people, self.tables, self.rounds[start:])

    def listed(self, people: list[int]) -> str:
        """People named in a message: 'Ana', 'Ana and Bo', 'Ana, Bo and Cy'."""
        return list_of(self.person(p) for p in people)


@dataclass
class Constraints:
    """Hard rules: fixed seats (access needs), pairs kept apart or together, closed tables."""

    fixed: dict[int, int] = field(default_factory=dict)
    apart: list[tuple[int, int]] = field(default_factory=list)
    together: list[tuple[int, int]] = field(default_factory=list)
    closed: dict[int, set[int]] = field(default_factory=dict)
    # (round, person) -> table: a seat the organiser locked for one round only.
    pinned: dict[tuple[int, int], int] = field(default_factory=dict)
    names: Names = field(default_factory=Names)


@dataclass
class Rules:
    """Constraints resolved per round, in the arrays the planners work on."""

    n: int
    tables: int
    present: np.ndarray  # (rounds, n) bool: seated this round
    open: list[list[int]]  # per round, the open tables
    pinned: np.ndarray  # (rounds, n) int: table the person must sit at, -1 if free
    apart: np.ndarray | None  # (n, n) bool, symmetric
    groups: list[list[int]]  # people who must sit together (two or more each)
    problems: list[str] = field(default_factory=list)
    hosts: bool = False
    names: Names = field(default_factory=Names)

    @property
    def rounds(self) -> int:
        """Number of rounds planned."""
        return self.present.shape[0]

    def capacity(self, r: int) -> tuple[int, int]:
        """Seats per open table in round r (lo) and how many tables take one more."""
        seated = int(self.present[r].sum())
        return divmod(seated, len(self.open[r]))

    def group_of(self) -> np.ndarray:
        """For each person the index of their keep-together group, or -1."""
        out = np.full(self.n, -1, dtype=np.int64)
        for gid, members in enumerate(self.groups):
            out[members] = gid
        return out

    def is_free(self) -> bool:
        """True when nothing but hosts constrains the plan (constructions may be used)."""
        hosts = np.full(self.n, -1, dtype=np.int64)
        if self.hosts:
            hosts[: self.tables] = np.arange(min(self.tables, self.n))
        return (
            bool((self.pinned == hosts[None, :]).all())
            and self.apart is None
            and not self.groups
            and all(len(o) == self.tables for o in self.open)
            and bool(self.present.all())
        )


def check(
    n: int,
    tables: int,
    rounds: int,
    hosts: bool = False,
    constraints: Constraints | None = None,
    present: np.ndarray | None = None,
) -> Rules:
    """Resolve constraints into Rules, listing every rule that cannot hold and what gives way."""
    c = constraints or Constraints()
    name = c.names
    problems: list[str] = []
    if present is None:
        present = np.ones((rounds, n), dtype=bool)
    open_tables = [list(range(tables)) for _ in range(rounds)]
    for r, closed in sorted(c.closed.items()):
        if not 0 <= r < rounds:
            problems.append(
                _(
                    "%(round)s is not planned, so closing tables in it is ignored.",
                    round=name.round(r),
                )
            )
            continue
        bad = sorted(t for t in closed if not 0 <= t < tables)
        if bad:
            problems.append(
                ngettext(
                    "%(table)s does not exist, so it cannot be closed.",
                    "%(table)s do not exist, so they cannot be closed.",
                    len(bad),
                    table=list_of(name.table(t) for t in bad),
                )
            )
        left = [t for t in range(tables) if t not in closed]
        if not left:
            problems.append(
                _("Every table is closed in %(round)s; all stay open.", round=name.round(r))
            )
            continue
        open_tables[r] = left

    pinned = np.full((rounds, n), -1, dtype=np.int64)
    wanted: dict[int, int] = {}
    if hosts:
        wanted.update({t: t for t in range(min(tables, n))})
    for p, t in sorted(c.fixed.items()):
        if not 0 <= p < n:
            problems.append(
                _(
                    "%(person)s is not in the plan; their fixed seat is ignored.",
                    person=name.person(p),
                )
            )
        elif not 0 <= t < tables:
            problems.append(
                _(
                    "%(person)s is fixed at %(table)s, which does not exist; ignored.",
                    person=name.person(p),
                    table=name.table(t),
                )
            )
        elif p in wanted and wanted[p] != t:
            problems.append(
                _(
                    "%(person)s hosts %(host)s and cannot also be fixed at %(table)s; they host.",
                    person=name.person(p),
                    host=name.table(wanted[p]),
                    table=name.table(t),
                )
            )
        else:
            wanted[p] = t
    for p, t in sorted(wanted.items()):
        for r in range(rounds):
            if not present[r, p]:
                continue
            if t in open_tables[r]:
                pinned[r, p] = t
            elif not hosts or p in c.fixed:
                problems.append(
                    _(
                        "%(person)s must stay at %(table)s but it is closed in %(round)s;"
                        " they move that round.",
                        person=name.person(p),
                        table=name.table(t),
                        round=name.round(r),
                    )
                )

    _pin_locked_seats(c, n, tables, rounds, present, open_tables, pinned, problems)
    apart_pairs = _apart_pairs(c, n, pinned, problems)
    groups = _together_groups(c, n, rounds, pinned, apart_pairs, open_tables, present, problems)
    rules = Rules(n, tables, present, open_tables, pinned, None, groups, problems, hosts, name)
    _pin_groups(rules)
    _check_capacity(rules)
    _drop_pinned_apart(rules, apart_pairs)
    if apart_pairs:
        rules.apart = np.zeros((n, n), dtype=bool)
        for a, b in apart_pairs:
            rules.apart[a, b] = rules.apart[b, a] = True
    return rules


def _apart_pairs(c: Constraints, n: int, pinned: np.ndarray, problems: list[str]) -> list:
    """Keep-apart pairs that make sense on their own (known people, not fixed side by side)."""
    pairs = []
    name = c.names
    for a, b in c.apart:
        if not (0 <= a < n and 0 <= b < n) or a == b:
            problems.append(
                _(
                    "The keep-apart rule for %(a)s and %(b)s names no two people; ignored.",
                    a=name.person(a),
                    b=name.person(b),
                )
            )
            continue
        same = [
            r for r in range(pinned.shape[0]) if pinned[r, a] >= 0 and pinned[r, a] == pinned[r, b]
        ]
        if same:
            problems.append(
                _(
                    "%(a)s and %(b)s must be kept apart but both are fixed at %(table)s;"
                    " they sit together there.",
                    a=name.person(a),
                    b=name.person(b),
                    table=name.table(int(pinned[same[0], a])),
                )
            )
            continue
        pairs.append((min(a, b), max(a, b)))
    return sorted(set(pairs))


def _together_groups(c, n, rounds, pinned, apart_pairs, open_tables, present, problems):
    """Merge keep-together pairs into groups, refusing a pair that breaks another rule."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    apart = set(apart_pairs)
    smallest = min(
        (int(present[r].sum()) // len(open_tables[r]) + 1 for r in range(rounds)), default=n
    )
    name = c.names
    for a, b in c.together:
        if not (0 <= a < n and 0 <= b < n) or a == b:
            problems.append(
                _(
                    "The keep-together rule for %(a)s and %(b)s names no two people; ignored.",
                    a=name.person(a),
                    b=name.person(b),
                )
            )
            continue
        if (min(a, b), max(a, b)) in apart:
            problems.append(
                _(
                    "%(a)s and %(b)s are to be kept both apart and together; they are kept apart.",
                    a=name.person(a),
                    b=name.person(b),
                )
            )
            continue
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        side_a = [p for p in range(n) if root(p) == ra]
        side_b = [p for p in range(n) if root(p) == rb]
        why = _merge_conflict(a, b, side_a, side_b, pinned, apart, smallest, name)
        if why:
            problems.append(why)
            continue
        parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for p in range(n):
        groups.setdefault(root(p), []).append(p)
    return [members for members in groups.values() if len(members) > 1]


def _merge_conflict(a, b, side_a, side_b, pinned, apart, smallest, name: Names) -> str | None:
    """Say why people a and b (with their groups) cannot be kept together, or None."""
    for r in range(pinned.shape[0]):
        fixed_a = [(p, int(pinned[r, p])) for p in side_a if pinned[r, p] >= 0]
        fixed_b = [(p, int(pinned[r, p])) for p in side_b if pinned[r, p] >= 0]
        if fixed_a and fixed_b and fixed_a[0][1] != fixed_b[0][1]:
            return _(
                "%(a)s and %(b)s must be kept together but %(x)s cannot move from %(t)s and"
                " %(y)s is fixed at %(u)s; they sit apart.",
                a=name.person(a),
                b=name.person(b),
                x=name.person(fixed_a[0][0]),
                t=name.table(fixed_a[0][1]),
                y=name.person(fixed_b[0][0]),
                u=name.table(fixed_b[0][1]),
            )
    for x in side_a:
        for y in side_b:
            if (min(x, y), max(x, y)) in apart:
                return _(
                    "%(a)s and %(b)s must be kept together, but that would seat %(x)s"
                    " with %(y)s, who must be kept apart; they sit apart.",
                    a=name.person(a),
                    b=name.person(b),
                    x=name.person(x),
                    y=name.person(y),
                )
    if len(side_a) + len(side_b) > smallest:
        return _(
            "%(a)s and %(b)s must be kept together but that makes a group of %(k)s,"
            " more than a table seats (%(s)s); they sit apart.",
            a=name.person(a),
            b=name.person(b),
            k=len(side_a) + len(side_b),
            s=smallest,
        )
    return None


def _pin_groups(rules: Rules) -> None:
    """A group follows its pinned member: pin everyone in it to that table."""
    for members in rules.groups:
        for r in range(rules.rounds):
            tables = [int(rules.pinned[r, p]) for p in members if rules.pinned[r, p] >= 0]
            if tables:
                rules.pinned[r, members] = tables[0]


def _check_capacity(rules: Rules) -> None:
    """Unpin people when more are fixed at a table than it seats (or than may sit one over)."""
    group_of = rules.group_of()
    for r in range(rules.rounds):
        lo, big = rules.capacity(r)
        fixed_here = (rules.pinned[r] >= 0) & rules.present[r]
        if not fixed_here.any():
            continue
        for t in rules.open[r]:
            here = np.flatnonzero(fixed_here & (rules.pinned[r] == t)).tolist()
            limit = lo + 1 if big > 0 else lo
            moved: list[int] = []
            while len(here) > limit:
                last = here[-1]
                unit = [last] if group_of[last] < 0 else rules.groups[group_of[last]]
                rules.pinned[r, unit] = -1
                here = [p for p in here if p not in unit]
                moved.extend(unit)
            if len(here) == lo + 1:
                big -= 1
            if moved:
                rules.problems.append(
                    ngettext(
                        "%(table)s seats %(k)s in %(round)s but more are fixed there;"
                        " %(people)s moves.",
                        "%(table)s seats %(k)s in %(round)s but more are fixed there;"
                        " %(people)s move.",
                        len(moved),
                        table=rules.names.table(t),
                        k=limit,
                        round=rules.names.round(r),
                        people=rules.names.listed(sorted(moved)),
                    )
                )


def _drop_pinned_apart(rules: Rules, apart_pairs: list) -> None:
    """Drop keep-apart pairs whose groups are fixed at the same table."""
    for a, b in list(apart_pairs):
        for r in range(rules.rounds):
            if rules.pinned[r, a] >= 0 and rules.pinned[r, a] == rules.pinned[r, b]:
                rules.problems.append(
                    _(
                        "%(a)s and %(b)s must be kept apart but their groups are fixed at"
                        " %(table)s; they sit together there.",
                        a=rules.names.person(a),
                        b=rules.names.person(b),
                        table=rules.names.table(int(rules.pinned[r, a])),
                    )
                )
                apart_pairs.remove((a, b))
                break


def _pin_locked_seats(c, n, tables, rounds, present, open_tables, pinned, problems) -> None:
    """Hold the seats of locked cells for their round; say which locks cannot hold."""
    name = c.names
    for (r, p), t in sorted(c.pinned.items()):
        if not (0 <= r < rounds and 0 <= p < n and 0 <= t < tables) or not present[r, p]:
            problems.append(
                _(
                    "%(person)s has a locked seat in %(round)s that is not in the plan; ignored.",
                    person=name.person(p),
                    round=name.round(r),
                )
            )
        elif t not in open_tables[r]:
            problems.append(
                _(
                    "%(person)s is locked at %(table)s, which is closed in %(round)s;"
                    " they move that round.",
                    person=name.person(p),
                    table=name.table(t),
                    round=name.round(r),
                )
            )
        elif pinned[r, p] not in (-1, t):
            problems.append(
                _(
                    "%(person)s is locked at %(table)s in %(round)s but must stay at %(stay)s;"
                    " they stay.",
                    person=name.person(p),
                    table=name.table(t),
                    round=name.round(r),
                    stay=name.table(int(pinned[r, p])),
                )
            )
        else:
            pinned[r, p] = t
