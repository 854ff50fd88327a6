"""Seating plans built by algebra instead of search, for the sizes where algebra knows the answer.

Every construction returns an array `seat[round, person] -> table`, or None when it does not
apply. They are exact and take microseconds to milliseconds, which is why the planner tries them
before searching:

- `polynomial_plan`: g tables, g a prime power q. Person (t, c) (home table t, colour c) sits at
  table t + a0(c)*x + a1(c)*x^2 + ... in round x (field arithmetic, a_i(c) the base-q digits of
  c). Two people share at most as many rounds as the polynomial has roots, so with at most q
  people per table (one digit) nobody meets twice for up to q rounds, and colour 0 never moves
  (the hosts). With more than q per table it still meets the round-pair lower bound exactly: a
  table of one round spreads as evenly as possible over the tables of any other round. With
  q*q people one more round ("everyone with your colour") completes the affine plane.
  When g is not a prime power, the integers mod g do the same job for as many rounds as g's
  smallest prime factor.
- `affine_plan`: p^k people, tables of p^d: the tables of a round are the cosets of a
  d-dimensional subspace of GF(p)^k. Rounds whose subspaces share only the zero vector never
  seat a pair together twice (32 people, 8 tables of 4: 9 rounds; 64 in 16 of 4: 21 rounds).
- `round_robin`: tables of two, the circle method, n - 1 rounds.
- `difference_plan`: g tables of any number, person (t, c) at table t + d[x][c] mod g in round
  x, where d is a difference array: any two rows differ by a different amount in every column,
  so no two people meet twice, and a traveller (c > 0, column 0 being all zeros) never sits at
  the same table twice. Small arrays are found by a seeded search with a node budget; the ones
  that take longer are stored (150 people at 15 tables of 10 over 6 rounds).
- `tabulated_plan`: resolvable designs that no formula here gives (see designs.py).

`fit` then adapts a plan: fewer rounds, fewer people (removing people who never meet each
other, so table sizes stay within one), and hosts (people who never meet each other, relabelled
so that person t sits at table t every round). Without hosts, `best_construction` also builds
the plan with a host at each table and leaves the hosts out: where that works, the travellers
of the host plan never come back to a table, and neither do they without the hosts.
"""

from __future__ import annotations

import random
from functools import lru_cache

import numpy as np

from kt_workshop.plan.algorithms import designs
from kt_workshop.plan.algorithms.scores import meeting_counts


def prime_power(q: int) -> tuple[int, int] | None:
    """Return (p, k) with q = p**k and p prime, or None."""
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    k = 0
    while q % p == 0:
        q //= p
        k += 1
    return (p, k) if q == 1 else None


def _digits(value: int, base: int, length: int) -> list[int]:
    """Base-`base` digits of value, least significant first."""
    out = []
    for _ in range(length):
        value, d = divmod(value, base)
        out.append(d)
    return out


@lru_cache(maxsize=32)
def galois_field(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Addition and multiplication tables of GF(q); elements 0..q-1 are base-p digit vectors."""
    p, k = prime_power(q)  # type: ignore[misc]
    digits = np.array([_digits(a, p, k) for a in range(q)], dtype=np.int64)
    weights = p ** np.arange(k)
    add = ((digits[:, None, :] + digits[None, :, :]) % p) @ weights
    if k == 1:
        a = np.arange(q)
        return add, np.outer(a, a) % q
    exp = _powers_of_x(p, k)
    log = np.zeros(q, dtype=np.int64)
    log[exp] = np.arange(q - 1)
    a = np.arange(1, q)
    mul = np.zeros((q, q), dtype=np.int64)
    mul[1:, 1:] = exp[(log[a][:, None] + log[a][None, :]) % (q - 1)]
    return add, mul


def _powers_of_x(p: int, k: int) -> np.ndarray:
    """x^0, x^1, ... x^(q-2) modulo the first primitive polynomial of degree k over GF(p)."""
    q = p**k
    for tail in range(1, q):
        low = _digits(tail, p, k)  # x^k = -(low part), the polynomial is monic
        if low[0] == 0:
            continue
        power, seen = [1] + [0] * (k - 1), []
        for _ in range(q - 1):
            seen.append(sum(d * p**i for i, d in enumerate(power)))
            top = power[-1]
            power = [0] + power[:-1]
            power = [(d - top * c) % p for d, c in zip(power, low, strict=True)]
        if len(set(seen)) == q - 1:
            return np.array(seen, dtype=np.int64)
    raise ValueError(f"no primitive polynomial of degree {k} over GF({p})")  # pragma: no cover


def _smallest_factor(g: int) -> int:
    """Smallest prime factor of g (g itself when prime)."""
    return next(d for d in range(2, g + 1) if g % d == 0)


def polynomial_plan(tables: int, people: int, rounds: int) -> np.ndarray | None:
    """Seat person (t, c) at table t + a0(c)x + a1(c)x^2 + ... in round x (see module doc)."""
    g = tables
    if g < 2 or people < g:
        return None
    colours = -(-people // g)
    person = np.arange(people)
    colour, home = person // g, person % g
    if prime_power(g):
        add, mul = galois_field(g)
        degree = 1
        while g**degree < colours:
            degree += 1
        coefficients = [(colour // g**i) % g for i in range(degree)]
        affine_round = rounds == g + 1 and people == g * g
        if rounds > g and not affine_round:
            return None
        seat = np.zeros((rounds, people), dtype=np.int64)
        for x in range(min(rounds, g)):
            table, power = home.copy(), x
            for a in coefficients:
                table = add[table, mul[a, power]]
                power = mul[power, x]
            seat[x] = table
        if affine_round:
            seat[g] = colour
        return seat
    if rounds > _smallest_factor(g) or colours > g:
        return None
    return np.array([(home + colour * x) % g for x in range(rounds)], dtype=np.int64)


def _span(vectors: list[int], p: int, k: int) -> frozenset[int]:
    """All GF(p) combinations of the given vectors (ints of base-p digits)."""
    span = {0}
    for v in vectors:
        span = {_vadd(s, _vscale(v, c, p, k), p, k) for s in span for c in range(p)}
    return frozenset(span)


def _vadd(a: int, b: int, p: int, k: int) -> int:
    """Add two vectors of GF(p)^k stored as base-p integers."""
    if p == 2:
        return a ^ b
    da, db = _digits(a, p, k), _digits(b, p, k)
    return sum(((x + y) % p) * p**i for i, (x, y) in enumerate(zip(da, db, strict=True)))


def _vscale(a: int, c: int, p: int, k: int) -> int:
    """Multiply a vector of GF(p)^k by the scalar c."""
    return sum(((x * c) % p) * p**i for i, x in enumerate(_digits(a, p, k)))


@lru_cache(maxsize=16)
def _disjoint_subspaces(p: int, k: int, d: int, wanted: int) -> tuple[frozenset[int], ...]:
    """Up to `wanted` d-dimensional subspaces of GF(p)^k sharing only the zero vector."""
    if k % d == 0:
        # A Desarguesian spread: the multiples of the subfield GF(p^d) inside GF(p^k).
        exp = _powers_of_x(p, k)
        q = p**k
        step = (q - 1) // (p**d - 1)
        return tuple(
            frozenset([0, *(int(exp[(i + j * step) % (q - 1)]) for j in range(p**d - 1))])
            for i in range(min(step, wanted))
        )
    n = p**k
    # Lines only (k odd here). Beutelspacher (1975): at most (p^k - p^3) / (p^2 - 1) + 1 lines
    # of GF(p)^k share only zero, so ask no more of the search (32 people: 9 rounds, not 10).
    if d != 2 or n > 64 or wanted > (n - p**3) // (p**2 - 1) + 1:
        return ()
    subspaces = sorted(
        {_span([a, b], p, k) for a in range(1, n) for b in range(a + 1, n)}, key=sorted
    )
    best: list[frozenset[int]] = []
    budget = [20000]  # search nodes: a count keeps the result the same on every machine

    def extend(chosen: list[frozenset[int]], used: frozenset[int], start: int) -> bool:
        nonlocal best
        budget[0] -= 1
        if len(chosen) > len(best):
            best = list(chosen)
        if len(best) >= wanted or budget[0] < 0:
            return True
        for i in range(start, len(subspaces)):
            s = subspaces[i]
            if len(s & used) == 1 and extend([*chosen, s], used | s, i + 1):
                return True
        return False

    extend([], frozenset([0]), 0)
    return tuple(best)


def affine_plan(tables: int, people: int, rounds: int) -> np.ndarray | None:
    """Seat people (vectors of GF(p)^k) by cosets of subspaces sharing only zero (module doc)."""
    if people % tables or people == tables:
        return None
    size = people // tables
    pp, ps = prime_power(people), prime_power(size)
    if not pp or not ps or pp[0] != ps[0] or pp[0] > 7:
        return None
    p, k = pp
    d = ps[1]
    subspaces = _disjoint_subspaces(p, k, d, rounds)
    if len(subspaces) < rounds:
        return None
    seat = np.zeros((rounds, people), dtype=np.int64)
    for r, subspace in enumerate(subspaces[:rounds]):
        label: dict[int, int] = {}
        for v in range(people):
            coset = min(_vadd(v, u, p, k) for u in subspace)
            seat[r, v] = label.setdefault(coset, len(label))
    return seat


def round_robin(tables: int, people: int, rounds: int) -> np.ndarray | None:
    """Pair everyone with someone new each round (circle method; tables of two)."""
    if people != 2 * tables or rounds > people - 1:
        return None
    n = people
    seat = np.zeros((rounds, n), dtype=np.int64)
    for r in range(rounds):
        pairs = [(r, n - 1)] + [((r + i) % (n - 1), (r - i) % (n - 1)) for i in range(1, n // 2)]
        for t, (a, b) in enumerate(pairs):
            seat[r, a] = seat[r, b] = t
    return seat


@lru_cache(maxsize=64)
def find_difference_array(
    g: int, colours: int, rounds: int, budget: int = 4000
) -> tuple[tuple[int, ...], ...] | None:
    """A rounds x colours array over the integers mod g whose rows differ by a different amount
    in every column (first row and column all zeros), or None when `budget` nodes find none.

    A depth-first search over the cells column by column, restarted in a new seeded random
    value order every 500 nodes: a count, not a clock, so the answer is the same everywhere.
    """
    # A colour's tables differ from colour 0's by a different amount each round: rounds <= g.
    if colours > g or rounds > g or rounds < 1 or colours < 1:
        return None
    cells = [(c, x) for c in range(1, colours) for x in range(1, rounds)]
    rng = random.Random(0)
    spent = 0
    while spent < budget:
        d = [[0] * colours for _ in range(rounds)]
        # used[y][x]: differences row y - row x already taken by a column.
        used = [[{0} for _x in range(rounds)] for _y in range(rounds)]
        nodes = [0]

        def fill(k: int, d=d, used=used, nodes=nodes) -> bool:
            if k == len(cells):
                return True
            nodes[0] += 1
            if nodes[0] > 500:
                return False
            c, x = cells[k]
            for v in rng.sample(range(g), g):
                if any((d[y][c] - v) % g in used[y][x] for y in range(x)):
                    continue
                d[x][c] = v
                for y in range(x):
                    used[y][x].add((d[y][c] - v) % g)
                if fill(k + 1):
                    return True
                for y in range(x):
                    used[y][x].discard((d[y][c] - v) % g)
            return False

        if fill(0):
            return tuple(tuple(row) for row in d)
        spent += nodes[0]
    return None


def difference_plan(tables: int, people: int, rounds: int) -> np.ndarray | None:
    """Seat person (t, c) at table t + d[x][c] mod g in round x (see module doc)."""
    g = tables
    if g < 2 or people % g or people == g:
        return None
    colours = people // g
    stored = designs.DIFFERENCE_ARRAYS.get((g, colours, rounds))
    d = stored if stored is not None else find_difference_array(g, colours, rounds)
    if d is None:
        return None
    d = np.array(d, dtype=np.int64)
    person = np.arange(people)
    colour, home = person // g, person % g
    return (home[None, :] + d[:, colour]) % g


def tabulated_plan(tables: int, people: int, rounds: int) -> np.ndarray | None:
    """Seat people by a stored resolvable design with these sizes, if one is stored."""
    design = designs.lookup(tables, people, rounds)
    if design is None:
        return None
    seat = np.zeros((rounds, people), dtype=np.int64)
    for r, round_tables in enumerate(design[:rounds]):
        for t, table in enumerate(round_tables):
            seat[r, list(table)] = t
    return seat


CONSTRUCTIONS = {
    "polynomial": polynomial_plan,
    "affine": affine_plan,
    "round-robin": round_robin,
    "design": tabulated_plan,
    "difference": difference_plan,
}


def as_tables(seat: np.ndarray, tables: int) -> list[list[list[int]]]:
    """Turn seat[round, person] into per round, per table, sorted lists of people."""
    out = []
    for row in seat:
        round_tables: list[list[int]] = [[] for _ in range(tables)]
        for person, table in enumerate(row.tolist()):
            if table >= 0:
                round_tables[table].append(person)
        out.append(round_tables)
    return out


def _strangers(seat: np.ndarray, count: int, avoid: set[int] | None = None) -> list[int] | None:
    """Find `count` people of whom no two ever share a table (a small depth-first search)."""
    n = seat.shape[1]
    met = meeting_counts(as_tables(seat, int(seat.max()) + 1), n) > 0
    avoid = avoid or set()
    order = sorted((p for p in range(n) if p not in avoid), key=lambda p: -p)
    budget = [20000]

    def grow(chosen: list[int], candidates: list[int]) -> list[int] | None:
        if len(chosen) == count:
            return chosen
        budget[0] -= 1
        if budget[0] < 0 or len(chosen) + len(candidates) < count:
            return None
        for i, p in enumerate(candidates):
            rest = [c for c in candidates[i + 1 :] if not met[p, c]]
            found = grow([*chosen, p], rest)
            if found:
                return found
        return None

    return grow([], order)


def fit(seat: np.ndarray, tables: int, people: int, rounds: int, hosts: bool) -> np.ndarray | None:
    """Adapt a plan to fewer rounds, fewer people and hosts at fixed tables (module doc)."""
    seat = seat[:rounds]
    extra = seat.shape[1] - people
    if extra < 0 or (extra > 0 and extra >= tables):
        return None
    if extra:
        # Removing people who never met keeps every round's table sizes within one.
        gone = _strangers(seat, extra)
        if gone is None:
            return None
        seat = np.delete(seat, gone, axis=1)
    if hosts:
        if people < tables:
            return None
        host_of = list(range(tables))
        if any(len(set(seat[:, t].tolist())) > 1 or seat[0, t] != t for t in host_of):
            found = _strangers(seat, tables)
            if found is None:
                return None
            # Relabel people so the hosts are 0..g-1, then tables so host t sits at t.
            order = found + [p for p in range(people) if p not in found]
            seat = seat[:, order]
            for r in range(seat.shape[0]):
                relabel = np.empty(tables, dtype=np.int64)
                relabel[seat[r, :tables]] = np.arange(tables)
                seat[r] = relabel[seat[r]]
    return seat


def best_construction(
    tables: int, people: int, rounds: int, hosts: bool = False
) -> tuple[np.ndarray, str] | None:
    """Give the best exact construction for these sizes, with its name, or None.

    Best is fewest meetings first (the worst pair, then coincidences), then a plan whose
    travellers already come back no more than the rounds force. Without hosts, plans with a
    host at each table are tried too, hosts left out.
    """
    best: tuple[tuple[int, int, bool], np.ndarray, str] | None = None
    shapes = [(people, hosts)] + ([] if hosts else [(people + tables, True)])
    for name, build in CONSTRUCTIONS.items():
        for count, with_hosts in shapes:
            full = tables * -(-count // tables)
            for size in dict.fromkeys([count, full]):
                raw = build(tables, size, rounds)
                if raw is None:
                    continue
                seat = fit(raw, tables, count, rounds, with_hosts)
                if seat is None:
                    continue
                seat = seat[:, count - people :]
                # Returns count only when they are already as few as the rounds allow: other
                # labels are handed out afterwards, so an arbitrary labelling says nothing.
                floor = max(rounds - tables, 0) * (people - (tables if hosts else 0))
                key = (*_quick_scores(seat), _returns(seat, tables if hosts else 0) > floor)
                if best is None or key < best[0]:
                    best = (key, seat, name)
                break
    return None if best is None else (best[1], best[2])


def _returns(seat: np.ndarray, hosts: int) -> int:
    """Seats at a table the person sat at in another round (the first `hosts` people stay)."""
    moving = seat[:, hosts:]
    distinct = [len(set(column.tolist())) for column in moving.T]
    return int(moving.shape[0] * moving.shape[1] - sum(distinct))


def _quick_scores(seat: np.ndarray) -> tuple[int, int]:
    """Max meetings and coincidences of a seat array (vectorised)."""
    n = seat.shape[1]
    counts = np.zeros((n, n), dtype=np.int64)
    for row in seat:
        counts += row[:, None] == row[None, :]
    np.fill_diagonal(counts, 0)
    pairs = counts[np.triu_indices(n, 1)]
    if pairs.size == 0:
        return 0, 0
    return int(pairs.max()), int((pairs * (pairs - 1) // 2).sum())
