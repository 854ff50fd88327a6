"""Local search that improves a seating plan: tabu search over swaps on a meeting-count matrix.

The plan is `seat[round, person] -> table`; M[i, j] counts the rounds i and j share a table
(plus, when re-planning, the rounds already held). A pair that meets m times costs f(m) =
C(m, 2), plus a steep penalty once m passes `cap` (the fewest meetings some pair must reach),
so the worst pair is fixed first and the total of coincidences second.

Each step prices every swap of two people at different tables in every round at once with
NumPy: with SU[r, i, T] the cost of i joining table T of round r and SD[r, i, T] the saving of
i leaving it, swapping i (table A) and j (table B) changes the cost by
SU[i, B] + SU[j, A] - SD[i, A] - SD[j, B] - 2 * up(M[i, j]). When sizes are uneven, moving one
person from a table of lo + 1 to a table of lo is priced the same way. The best allowed move is
made even when it makes things worse; moving a person back to the table they just left is
forbidden for a few steps (tabu), unless it gives a new best plan. After a long time without a
new best the search restarts from the best plan with a few random swaps.

Hard rules never break: fixed people and absent people do not move, keep-apart partners never
join each other's table, and keep-together groups move only as a whole (group moves are tried
every few steps and kept when they do not make the plan worse).
"""

from __future__ import annotations

import time

import numpy as np

from kt_workshop.planning.balance import Balance
from kt_workshop.planning.constraints import Rules
from kt_workshop.planning.seating import meetings

HEAVY = 1000  # weight of each meeting beyond `cap`: worse than any realistic number of repeats


def pair_costs(cap: int, top: int) -> np.ndarray:
    """Cost f(m) of a pair that meets m times, for m = 0..top."""
    m = np.arange(top + 1, dtype=np.float64)
    over = np.maximum(m - max(cap, 1), 0)
    return m * (m - 1) / 2 + HEAVY * over**3


class Tabu:
    """The search state: seats, one-hot seats, meeting counts and tabu tenures."""

    def __init__(self, rules, seat, base, cap, codes, previous, move_cost, seed):
        self.rules = rules
        self.rng = np.random.default_rng(seed)
        self.w, self.n, self.g = rules.rounds, rules.n, rules.tables
        self.seat = seat.copy()
        self.base = np.zeros((self.n, self.n), dtype=np.int64) if base is None else base
        self.f = pair_costs(cap, self.w + int(self.base.max(initial=0)) + 2)
        self.up = np.diff(self.f)
        self.down = np.concatenate([[0.0], self.up[:-1]])
        in_group = np.zeros(self.n, dtype=bool)
        for members in rules.groups:
            in_group[members] = True
        self.movable = rules.present & (rules.pinned < 0) & ~in_group[None, :]
        self.is_open = np.zeros((self.w, self.g), dtype=bool)
        for r, tables in enumerate(rules.open):
            self.is_open[r, tables] = True
        self.uneven = any(rules.capacity(r)[1] > 0 for r in range(self.w))
        self.apart = None if rules.apart is None else rules.apart.astype(np.float64)
        self.balance = None if codes is None or codes.shape[1] == 0 else Balance(codes)
        self.eps = 1.0 / (2 * self.w * self.n * (1 if codes is None else codes.shape[1]) + 1)
        self.previous = previous
        self.move_cost = move_cost if previous is not None else 0.0
        self.tabu = np.zeros((self.w, self.n, self.g), dtype=np.int64)
        self.rows = np.arange(self.w)[:, None, None]
        self.cols = np.arange(self.n)[None, :, None]
        self.load(self.seat)

    def load(self, seat: np.ndarray) -> None:
        """Take a plan as the current state and count everything afresh."""
        self.seat = seat.copy()
        self.X = np.zeros((self.w, self.n, self.g), dtype=np.float64)
        r, p = np.nonzero(seat >= 0)
        self.X[r, p, seat[r, p]] = 1.0
        self.M = self.base + meetings(seat)
        self.sizes = self.X.sum(axis=1).astype(np.int64)
        self.cost = self.exact_cost()

    def exact_cost(self) -> float:
        """Cost of the current plan recounted from scratch."""
        cost = self.f[self.M].sum() / 2
        if self.move_cost:
            moved = (self.seat != self.previous) & (self.previous >= 0) & (self.seat >= 0)
            cost += self.move_cost * moved.sum()
        if self.balance is not None:
            cost += self.eps * self.balance.total(self.X)
        return float(cost)

    def _moving_cost(self) -> np.ndarray | None:
        """Cost of seating each person at each table relative to the previous plan."""
        if not self.move_cost:
            return None
        cost = np.full((self.w, self.n, self.g), self.move_cost)
        known = self.previous >= 0
        r, p = np.nonzero(known)
        cost[r, p, self.previous[r, p]] = 0.0
        cost[~known] = 0.0
        return cost

    def best_move(self, step: int, best_cost: float):
        """Find the best allowed swap or move; None when nothing may move."""
        w, n, g = self.w, self.n, self.g
        U, D = self.up[self.M], self.down[self.M]
        flat = self.X.transpose(1, 0, 2).reshape(n, w * g)
        SU = (U @ flat).reshape(n, w, g).transpose(1, 0, 2)
        SD = (D @ flat).reshape(n, w, g).transpose(1, 0, 2)
        where = np.where(self.seat >= 0, self.seat, 0)
        across = np.broadcast_to(where[:, None, :], (w, n, n))
        own = np.take_along_axis(SD, where[:, :, None], 2)[:, :, 0]
        join = SU - own[:, :, None]
        extra = self._moving_cost()
        if extra is not None:
            join = join + extra - np.take_along_axis(extra, where[:, :, None], 2)
        balance_swap = balance_move = None
        if self.balance is not None:
            balance_swap, balance_move = self.balance.deltas(self.X, self.seat)
            join = join + self.eps * balance_move
        joined = np.take_along_axis(join, across, 2)
        swap = joined + joined.transpose(0, 2, 1) - 2 * U[None]
        if balance_swap is not None:
            # join counted each person's move alone; the swap's own balance change replaces it.
            alone = np.take_along_axis(balance_move, across, 2)
            swap += self.eps * (balance_swap - alone - alone.transpose(0, 2, 1))
        allowed = self.movable[:, :, None] & self.movable[:, None, :]
        allowed &= where[:, :, None] != where[:, None, :]
        if extra is None and self.balance is None and (own > 0).any():
            # Only swaps that break up a repeated meeting are worth looking at.
            allowed &= (own > 0)[:, :, None] | (own > 0)[:, None, :]
        conflicts = None
        if self.apart is not None:
            conflicts = np.einsum("ij,rjt->rit", self.apart, self.X)
            clash = np.take_along_axis(conflicts, across, 2) - self.apart[None] > 0.5
            allowed &= ~(clash | clash.transpose(0, 2, 1))
        tabu = np.take_along_axis(self.tabu, across, 2) > step
        tabu |= tabu.transpose(0, 2, 1)
        allowed &= ~tabu | (self.cost + swap < best_cost - 1e-9)
        swap = np.where(allowed, swap, np.inf)
        move = None
        if self.uneven:
            size_here = np.take_along_axis(self.sizes, where, 1)
            ok = self.movable[:, :, None] & self.is_open[:, None, :]
            ok &= size_here[:, :, None] == self.sizes[:, None, :] + 1
            if conflicts is not None:
                ok &= conflicts < 0.5
            ok &= (self.tabu <= step) | (self.cost + join < best_cost - 1e-9)
            move = np.where(ok, join, np.inf)
        return self._pick(swap, move)

    def _pick(self, swap, move):
        """Choose among the cheapest moves at random (ties are common)."""
        best = swap.min() if move is None else min(swap.min(), move.min())
        if not np.isfinite(best):
            return None
        hits = np.flatnonzero(swap.ravel() <= best + 1e-9)
        if move is not None:
            hits = np.concatenate([hits, swap.size + np.flatnonzero(move.ravel() <= best + 1e-9)])
        k = int(hits[self.rng.integers(hits.size)])
        if k < swap.size:
            r, i, j = np.unravel_index(k, swap.shape)
            return ("swap", int(r), int(i), int(j), float(best))
        r, i, t = np.unravel_index(k - swap.size, move.shape)
        return ("move", int(r), int(i), int(t), float(best))

    def relocate(self, r: int, people: list[int], table: int) -> None:
        """Seat people at a table in round r, updating meeting counts and sizes."""
        row = self.seat[r]
        for i in people:
            old = row[i]
            if old == table:
                continue
            left = np.flatnonzero(row == old)
            left = left[left != i]
            self.M[i, left] -= 1
            self.M[left, i] -= 1
            row[i] = table
            joined = np.flatnonzero(row == table)
            joined = joined[joined != i]
            self.M[i, joined] += 1
            self.M[joined, i] += 1
            self.X[r, i, old] = 0.0
            self.X[r, i, table] = 1.0
            self.sizes[r, old] -= 1
            self.sizes[r, table] += 1

    def apply(self, move, step: int) -> None:
        """Make a move chosen by best_move and forbid undoing it for a while."""
        kind, r, i, x, delta = move
        tenure = step + 2 + int(self.rng.integers(0, 5 + self.n // 8))
        a = int(self.seat[r, i])
        if kind == "swap":
            b = int(self.seat[r, x])
            self.relocate(r, [i], b)
            self.relocate(r, [x], a)
            self.tabu[r, x, b] = tenure
        else:
            self.relocate(r, [i], x)
        self.tabu[r, i, a] = tenure
        self.cost += delta

    def kick(self, count: int) -> None:
        """Make a few random allowed swaps to leave a dead end."""
        for _ in range(count):
            r = int(self.rng.integers(self.w))
            free = np.flatnonzero(self.movable[r])
            if free.size < 2:
                continue
            i, j = (int(p) for p in self.rng.choice(free, 2, replace=False))
            a, b = int(self.seat[r, i]), int(self.seat[r, j])
            if a == b or not self._may_join(r, i, b, j) or not self._may_join(r, j, a, i):
                continue
            self.relocate(r, [i], b)
            self.relocate(r, [j], a)
        self.cost = self.exact_cost()

    def _may_join(self, r: int, person: int, table: int, leaving: int) -> bool:
        """True when no keep-apart partner of person sits at table (apart from `leaving`)."""
        if self.apart is None:
            return True
        there = np.flatnonzero(self.seat[r] == table)
        there = there[there != leaving]
        return not self.apart[person, there].any()

    def group_move(self) -> None:
        """Try swapping a keep-together group with as many people from another table."""
        groups = self.rules.groups
        if not groups:
            return
        r = int(self.rng.integers(self.w))
        members = [p for p in groups[int(self.rng.integers(len(groups)))] if self.seat[r, p] >= 0]
        if not members or self.rules.pinned[r, members[0]] >= 0:
            return
        a = int(self.seat[r, members[0]])
        b = int(self.rng.choice(self.rules.open[r]))
        others = np.flatnonzero((self.seat[r] == b) & self.movable[r])
        if a == b or others.size < len(members):
            return
        stay = [p for p in np.flatnonzero(self.seat[r] == a).tolist() if p not in members]
        picked = others[np.argsort(self.M[np.ix_(others, stay)].sum(axis=1), kind="stable")]
        picked = picked[: len(members)].tolist()
        if self.apart is not None:
            rest_b = [p for p in np.flatnonzero(self.seat[r] == b).tolist() if p not in picked]
            if self.apart[np.ix_(members, rest_b)].any() or self.apart[np.ix_(picked, stay)].any():
                return
        before = self.cost
        self.relocate(r, members, b)
        self.relocate(r, picked, a)
        after = self.exact_cost()
        if after <= before + 1e-9:
            self.cost = after
        else:
            self.relocate(r, picked, b)
            self.relocate(r, members, a)


def improve(
    rules: Rules,
    seat: np.ndarray,
    *,
    base: np.ndarray | None = None,
    cap: int = 1,
    target: float = 0.0,
    seed: int = 0,
    time_limit: float = 1.0,
    max_steps: int | None = None,
    codes: np.ndarray | None = None,
    previous: np.ndarray | None = None,
    move_cost: float = 0.0,
    patience: int | None = None,
) -> tuple[np.ndarray, int]:
    """Improve a plan by tabu search until it costs `target` or time runs out; return it and
    the number of steps taken.

    The same seed gives the same plan whenever the search ends at the target, at `max_steps`
    or by `patience` (steps without a better plan); a time limit that cuts it short may cut at
    a different step on a slower machine.
    """
    state = Tabu(rules, seat, base, cap, codes, previous, move_cost, seed)
    best_seat, best_cost = state.seat.copy(), state.cost
    deadline = time.perf_counter() + time_limit
    stall = max(200, 10 * rules.n)
    step = since_best = 0
    while best_cost > target + 1e-9:
        if time.perf_counter() > deadline or (max_steps is not None and step >= max_steps):
            break
        if patience is not None and since_best >= patience:
            break
        move = state.best_move(step, best_cost)
        if move is None or since_best and since_best % stall == 0:
            state.load(best_seat)
            state.kick(max(2, rules.n // 8))
            since_best += 1
            continue
        state.apply(move, step)
        step += 1
        if rules.groups and step % 4 == 0:
            state.group_move()
        if state.cost < best_cost - 1e-9:
            state.cost = state.exact_cost()
            if state.cost < best_cost - 1e-9:
                best_seat, best_cost = state.seat.copy(), state.cost
                since_best = 0
                continue
        since_best += 1
    return best_seat, step
