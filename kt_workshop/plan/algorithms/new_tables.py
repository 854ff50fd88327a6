"""Travellers at a new table every round: count returns, and hand each round's groups to tables.

Who meets whom depends only on which people share a table in a round, never on which table it
is: the groups of a round can be handed to the tables in any order without changing a single
pair meeting or the balance at the tables. Nobody returning is then a graph colouring: the
groups of a round take its tables once each, and groups of different rounds that share a
traveller must not take the same table; a tabu search swapping two groups' tables finds one
(`colour_tables`). Then, questions included, handing each group the tables where its
travellers have not been is an assignment problem per round (SciPy's linear_sum_assignment);
each round's best choice depends on the others, so the rounds are revisited until none
improves, and seeded shuffles of one round leave a local optimum.

A traveller is anyone not held at one table all day (hosts and people with access needs stay).
A *return* is a traveller sitting at a table they sat at in another round; a *question repeat*
is a traveller meeting a question they discussed in another round (a table's question is its
host's, so with one question per table the two are the same). Both count alike: what the
organiser wants is a new table and a new question every round. Groups with someone who must
sit at a given table (a host, a fixed seat, a locked cell) keep that table, and closed tables
get no group.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment

FORBIDDEN = 1e9  # the cost of moving a group away from someone held at their table


class PlaceScores(NamedTuple):
    """How often travellers come back: returns and question repeats, and who they are."""

    returns: int  # seats at a table the traveller sat at in another round
    returners: int  # travellers with at least one return
    question_repeats: int  # seats with a question the traveller met in another round
    question_repeaters: int  # travellers who meet a question again
    fewest_returns: int  # returns no plan avoids (more rounds than tables)
    fewest_question_repeats: int  # question repeats no plan avoids (more rounds than questions)


def travellers(pinned: np.ndarray, present: np.ndarray) -> np.ndarray:
    """People who move: everyone but those held at one table in every round they are there."""
    held = pinned.max(axis=0, initial=-1)
    stays = (((pinned == held[None, :]) & (pinned >= 0)) | ~present).all(axis=0) & (held >= 0)
    return ~stays


def question_grid(questions, rounds: int, tables: int) -> np.ndarray:
    """Question codes per round and table (-1: none); by default each table is its own question."""
    if questions is None:
        return np.tile(np.arange(tables), (rounds, 1))
    keys: dict = {}
    grid = np.full((rounds, tables), -1, dtype=np.int64)
    for r, row in enumerate(questions):
        for t, key in enumerate(row):
            if key is not None:
                grid[r, t] = keys.setdefault(key, len(keys))
    return grid


def _counts(seat: np.ndarray, moving: np.ndarray, grid: np.ndarray):
    """Per person (travellers only), rounds at each table and rounds with each question."""
    n, g = seat.shape[1], grid.shape[1]
    tables = np.zeros((n, g), dtype=np.int64)
    asked = np.zeros((n, max(int(grid.max(initial=-1)) + 1, 1)), dtype=np.int64)
    for r in range(seat.shape[0]):
        _add(tables, asked, seat[r], grid[r], moving, 1)
    return tables, asked


def _add(tables, asked, row, questions, moving, sign: int) -> None:
    """Count (sign 1) or uncount (sign -1) one round's seats."""
    people = np.flatnonzero((row >= 0) & moving)
    # Each person sits once per round, so no index repeats and plain indexing adds up.
    tables[people, row[people]] += sign
    q = questions[row[people]]
    has = q >= 0
    asked[people[has], q[has]] += sign


def _repeats(counts: np.ndarray) -> np.ndarray:
    """Per person, how many of their rounds repeat a table (or question) of another round."""
    return np.maximum(counts - 1, 0).sum(axis=1)


def fewest_returns(present: np.ndarray, moving: np.ndarray, tables: int) -> int:
    """Returns no plan can avoid: a traveller here for more rounds than there are tables."""
    rounds = present[:, moving].sum(axis=0)
    return int(np.maximum(rounds - tables, 0).sum())


def fewest_question_repeats(present: np.ndarray, moving: np.ndarray, grid: np.ndarray) -> int:
    """Question repeats no plan can avoid: more rounds than questions (a round where every
    table asks the same question repeats it for everyone who met it before)."""
    asked = grid[grid >= 0]
    if not asked.size:
        return 0
    # Only rounds with a question at every table force a repeat (else sit where none is).
    questioned = present[~(grid < 0).any(axis=1)][:, moving].sum(axis=0)
    return int(np.maximum(questioned - np.unique(asked).size, 0).sum())


def fewest_repeats(present: np.ndarray, moving: np.ndarray, grid: np.ndarray) -> int:
    """Returns and question repeats no plan can avoid (more rounds than tables or questions)."""
    return fewest_returns(present, moving, grid.shape[1]) + fewest_question_repeats(
        present, moving, grid
    )


def place_scores(seat: np.ndarray, moving: np.ndarray, grid: np.ndarray) -> PlaceScores:
    """Count returns and question repeats of a plan given as seat[round, person] -> table."""
    tables, asked = _counts(seat, moving, grid)
    back, again = _repeats(tables), _repeats(asked)
    return PlaceScores(
        int(back.sum()),
        int((back > 0).sum()),
        int(again.sum()),
        int((again > 0).sum()),
        fewest_returns(seat >= 0, moving, grid.shape[1]),
        fewest_question_repeats(seat >= 0, moving, grid),
    )


def colour_tables(
    seat: np.ndarray,
    rules,
    moving: np.ndarray,
    rng: np.random.Generator,
    steps: int,
    deadline: float | None = None,
) -> np.ndarray:
    """Relabel rounds by tabu search on a graph colouring: each round's groups take its open
    tables once each, and two groups of different rounds that share k travellers cost k when
    they take the same table (so a plan costs 0 exactly when nobody returns). Groups with
    someone held at a table keep it. A move swaps the tables of two groups of one round.
    """
    w, n = seat.shape
    g = rules.tables
    # A vertex per (round, label); a padding vertex (index V) fills closed tables' places.
    verts = [(r, t) for r in range(w) for t in rules.open[r]]
    size = len(verts)
    member = np.zeros((n, size + 1))
    fixed = np.zeros(size + 1, dtype=bool)
    fixed[size] = True
    slots = np.full((w, g), size, dtype=np.int64)
    for i, (r, t) in enumerate(verts):
        here = seat[r] == t
        member[here & moving, i] = 1.0
        fixed[i] = bool((rules.pinned[r][here] >= 0).any())
        slots[r, t] = i
    round_of = np.array([r for r, _t in verts] + [-1])
    weight = member.T @ member
    weight[round_of[:, None] == round_of[None, :]] = 0.0
    colour = np.array([t for _r, t in verts] + [0])
    table = np.zeros((size + 1, g))
    table[np.arange(size + 1), colour] = 1.0
    table[size] = 0.0
    cost_at = weight @ table  # cost_at[v, c]: what v would cost at table c
    cost_at[size] = 0.0
    cost = cost_at[np.arange(size), colour[:size]].sum() / 2
    best, best_colour = cost, colour.copy()
    tabu = np.zeros((size + 1, g), dtype=np.int64)
    free = ~fixed[slots]
    pair_free = free[:, :, None] & free[:, None, :] & ~np.eye(g, dtype=bool)[None]
    floor = fewest_returns(rules.present, moving, g)
    for step in range(steps):
        if best <= floor or (deadline is not None and time.perf_counter() > deadline):
            break
        here = colour[slots]  # (w, g): each slot's table
        at = cost_at[slots[:, :, None], here[:, None, :]]  # at[r, i, j]: slot i at j's table
        own = np.diagonal(at, axis1=1, axis2=2)
        delta = at - own[:, :, None] + np.swapaxes(at, 1, 2) - own[:, None, :]
        hot = own > 0
        banned = tabu[slots[:, :, None], here[:, None, :]] > step
        ok = pair_free & (hot[:, :, None] | hot[:, None, :])
        ok &= ~(banned | np.swapaxes(banned, 1, 2)) | (cost + delta < best - 1e-9)
        delta = np.where(ok, delta, np.inf)
        low = delta.min()
        if not np.isfinite(low):
            break
        hits = np.flatnonzero(delta.ravel() <= low + 1e-9)
        r, i, j = np.unravel_index(int(hits[rng.integers(hits.size)]), delta.shape)
        u, v = slots[r, i], slots[r, j]
        a, b = colour[u], colour[v]
        cost_at[:, a] += weight[:, v] - weight[:, u]
        cost_at[:, b] += weight[:, u] - weight[:, v]
        colour[u], colour[v] = b, a
        tenure = step + 3 + int(rng.integers(0, g + 1))
        tabu[u, a] = tabu[v, b] = tenure
        cost += low
        if cost < best - 1e-9:
            best, best_colour = cost, colour.copy()
    out = seat.copy()
    for i, (r, t) in enumerate(verts):
        out[r][seat[r] == t] = best_colour[i]
    return out


def send_to_new_tables(
    seat: np.ndarray,
    rules,
    grid: np.ndarray | None = None,
    seed: int = 0,
    kicks: int = 100,
    deadline: float | None = None,
) -> np.ndarray:
    """Hand each round's groups to tables so travellers come back as little as possible."""
    w, n = seat.shape
    g = rules.tables
    grid = np.tile(np.arange(g), (w, 1)) if grid is None else grid
    moving = travellers(rules.pinned, rules.present)
    seat = seat.copy()
    tables = np.zeros((n, g), dtype=np.int64)
    asked = np.zeros((n, max(int(grid.max(initial=-1)) + 1, 1)), dtype=np.int64)

    def choose(r: int) -> bool:
        """Give round r's groups their best tables, the other rounds as they are."""
        row = seat[r]
        labels = np.array(rules.open[r])
        here = np.flatnonzero((row >= 0) & moving)
        onehot = np.zeros((n, g))
        onehot[here, row[here]] = 1.0
        q = grid[r, labels]
        seen = (q[None, :] >= 0) & (asked[:, np.maximum(q, 0)] > 0)
        # cost[k, t]: travellers of the group now at labels[k] who sat at (or met) labels[t].
        cost = onehot[:, labels].T @ ((tables[:, labels] > 0) + seen)
        held = rules.pinned[r]
        for person in np.flatnonzero(held >= 0):
            k = int(np.searchsorted(labels, row[person]))
            cost[k] += FORBIDDEN
            cost[k, int(np.searchsorted(labels, held[person]))] -= FORBIDDEN
        rows, cols = linear_sum_assignment(cost)
        if cost[rows, cols].sum() >= np.trace(cost) - 1e-9:
            return False
        mapping = np.arange(g)
        mapping[labels[rows]] = labels[cols]
        seat[r] = np.where(row >= 0, mapping[np.maximum(row, 0)], -1)
        return True

    def total() -> int:
        """Returns plus question repeats of the current labels."""
        return int(_repeats(tables).sum() + _repeats(asked).sum())

    def settle() -> None:
        """Revisit the rounds until none improves (each visit only ever improves)."""
        for _sweep in range(4 * w):
            changed = False
            for r in range(w):
                _add(tables, asked, seat[r], grid[r], moving, -1)
                changed |= choose(r)
                _add(tables, asked, seat[r], grid[r], moving, 1)
            if not changed:
                return

    rng = np.random.default_rng(seed)
    seat = colour_tables(seat, rules, moving, rng, steps=5 * w * g, deadline=deadline)
    for r in range(w):
        _add(tables, asked, seat[r], grid[r], moving, 1)
    settle()
    best, best_seat = total(), seat.copy()
    floor = fewest_repeats(rules.present, moving, grid)
    # Shuffling one round's labels leaves a local optimum; a count keeps the result repeatable
    # (the deadline only cuts it short on a slow machine).
    for _kick in range(kicks):
        if best <= floor or (deadline is not None and time.perf_counter() > deadline):
            break
        r = int(rng.integers(w))
        free = [t for t in rules.open[r] if not (rules.pinned[r][seat[r] == t] >= 0).any()]
        if len(free) < 2:
            continue
        _add(tables, asked, seat[r], grid[r], moving, -1)
        mapping = np.arange(g)
        mapping[free] = rng.permutation(free)
        seat[r] = np.where(seat[r] >= 0, mapping[np.maximum(seat[r], 0)], -1)
        _add(tables, asked, seat[r], grid[r], moving, 1)
        settle()
        if total() <= best:
            best, best_seat = total(), seat.copy()
        else:
            seat[:] = best_seat
            tables[:], asked[:] = _counts(seat, moving, grid)
    return best_seat


class Places:
    """Table returns and question repeats of a plan under change, for the local search.

    A person's cost of sitting at table T of round r, against where they sit now, is a return
    when they sit at T in another round and a question repeat when they meet T's question in
    another round; `weight` puts both in the search's order (above or below pair meetings).
    """

    def __init__(self, grid: np.ndarray, moving: np.ndarray, weight: float):
        self.grid, self.moving, self.weight = grid, moving, weight
        self.tables = self.asked = None

    def load(self, seat: np.ndarray) -> None:
        """Count a whole plan afresh."""
        self.tables, self.asked = _counts(seat, self.moving, self.grid)

    def total(self) -> float:
        """Weighted returns and question repeats of the current plan."""
        repeats = np.maximum(self.tables - 1, 0).sum() + np.maximum(self.asked - 1, 0).sum()
        return self.weight * float(repeats)

    def join(self, r: int, where: np.ndarray) -> np.ndarray:
        """Weighted change for each person moving from their table to each table of round r."""
        n, g = self.tables.shape
        people = np.arange(n)
        table = np.arange(g)[None, :]
        own = where[:, None]
        back = (self.tables - (table == own)) >= 1
        left = (self.tables[people, where] >= 2)[:, None]
        q, mine = self.grid[r][None, :], self.grid[r][where][:, None]
        asked_there = self.asked[people[:, None], np.maximum(q, 0)] - (q == mine)
        again = (q >= 0) & (asked_there >= 1)
        dropped = (mine >= 0) & (self.asked[people, np.maximum(mine[:, 0], 0)] >= 2)[:, None]
        change = back.astype(np.float64) - left + again - dropped
        change[~self.moving] = 0.0
        return self.weight * change

    def move(self, r: int, person: int, old: int, new: int) -> None:
        """Follow one person from table old to table new in round r."""
        if not self.moving[person] or old == new:
            return
        self.tables[person, old] -= 1
        self.tables[person, new] += 1
        q_old, q_new = self.grid[r, old], self.grid[r, new]
        if q_old >= 0:
            self.asked[person, q_old] -= 1
        if q_new >= 0:
            self.asked[person, q_new] += 1

    def returning(self, r: int, row: np.ndarray) -> np.ndarray:
        """Travellers who, in round r, sit at a table or meet a question they have met before."""
        n = row.size
        seated = (row >= 0) & self.moving
        where = np.maximum(row, 0)
        q = self.grid[r][where]
        again = (self.tables[np.arange(n), where] >= 2) | (
            (q >= 0) & (self.asked[np.arange(n), np.maximum(q, 0)] >= 2)
        )
        return seated & again
