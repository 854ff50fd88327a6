"""Local search that improves a seating plan: tabu search over swaps on a meeting-count matrix.

The plan is `seat[round, person] -> table`; M[i, j] counts the rounds i and j share a table
(plus, when re-planning, the rounds already held). A pair that meets m times costs f(m) =
C(m, 2), plus HEAVY * (m - cap)^3 once m passes `cap` (the fewest meetings some pair must
reach), so the worst pair is fixed first and the total of coincidences second. Attribute
imbalance and, when re-planning, a cost per seat moved are added with weights that keep that
order (imbalance never outweighs a single coincidence).

Each step takes one round where a pair that met too often sits together and prices every swap
of two people at different tables of that round at once with NumPy: with SU[i, T] the cost of
i joining table T and SD[i, A] the saving of i leaving its table A, swapping i (table A) and j
(table B) changes the cost by SU[i, B] + SU[j, A] - SD[i, A] - SD[j, B] - 2 * up(M[i, j]).
Only swaps that move someone out of a repeated meeting are considered while there are any.
When sizes are uneven, moving one person from a table of lo + 1 to a table of lo is priced the
same way. The best allowed move is made even when it makes things worse; moving a person back
to the table they just left is forbidden for a few steps (tabu), unless it gives a new best
plan. After a long time without a new best the search restarts from the best plan with a few
random swaps.

Hard rules never break: fixed people and absent people do not move, keep-apart partners never
join each other's table, and keep-together groups move only as a whole (group moves are tried
every few steps and kept when they do not make the plan worse).
"""

from __future__ import annotations

import time

import numpy as np

from kt_workshop.plan.algorithms.balance import Balance
from kt_workshop.plan.algorithms.constraints import Rules
from kt_workshop.plan.algorithms.seating import meetings

HEAVY = 1000  # weight of each meeting beyond `cap`: worse than any realistic number of repeats


def pair_costs(cap: int, top: int) -> np.ndarray:
    """Cost f(m) of a pair that meets m times, for m = 0..top."""
    m = np.arange(top + 1, dtype=np.float64)
    over = np.maximum(m - max(cap, 1), 0)
    return m * (m - 1) / 2 + HEAVY * over**3


class Tabu:
    """The search state: seats, one-hot seats, meeting counts and tabu tenures."""

    def __init__(self, rules, seat, base, cap, codes, previous, move_cost, seed, places=None):
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
        # Pairs whose meetings no move can change (kept together) never count as a conflict.
        self.free_pair = np.ones((self.n, self.n), dtype=bool)
        for members in rules.groups:
            self.free_pair[np.ix_(members, members)] = False
        self.is_open = np.zeros((self.w, self.g), dtype=bool)
        for r, tables in enumerate(rules.open):
            self.is_open[r, tables] = True
        self.uneven = any(rules.capacity(r)[1] > 0 for r in range(self.w))
        self.apart = None if rules.apart is None else rules.apart.astype(np.float64)
        self.balance = None if codes is None or codes.shape[1] == 0 else Balance(codes)
        self.eps = 1.0 / (2 * self.w * self.n * (1 if codes is None else codes.shape[1]) + 1)
        # Returns and question repeats (new_tables.Places), weighted above or below pair
        # meetings as the organiser asks; balance always comes after them.
        self.places = places
        if places is not None:
            self.eps *= min(1.0, places.weight)
        self.previous = previous
        self.move_cost = move_cost if previous is not None else 0.0
        self.tabu = np.zeros((self.w, self.n, self.g), dtype=np.int64)
        self.load(self.seat)

    def load(self, seat: np.ndarray) -> None:
        """Take a plan as the current state and count everything afresh."""
        self.seat = seat.copy()
        self.X = np.zeros((self.w, self.n, self.g), dtype=np.float64)
        r, p = np.nonzero(seat >= 0)
        self.X[r, p, seat[r, p]] = 1.0
        self.M = self.base + meetings(seat)
        self.sizes = self.X.sum(axis=1).astype(np.int64)
        if self.places is not None:
            self.places.load(self.seat)
        self.cost = self.exact_cost()

    def exact_cost(self) -> float:
        """Cost of the current plan recounted from scratch."""
        cost = self.f[self.M].sum() / 2
        if self.move_cost:
            moved = (self.seat != self.previous) & (self.previous >= 0) & (self.seat >= 0)
            cost += self.move_cost * moved.sum()
        if self.balance is not None:
            cost += self.eps * self.balance.total(self.X)
        if self.places is not None:
            cost += self.places.total()
        return float(cost)

    def _moving_cost(self, r: int) -> np.ndarray | None:
        """Cost of seating each person at each table of round r, against the previous plan."""
        if not self.move_cost:
            return None
        cost = np.full((self.n, self.g), self.move_cost)
        before = self.previous[r]
        known = before >= 0
        cost[np.flatnonzero(known), before[known]] = 0.0
        cost[~known] = 0.0
        return cost

    def pick_round(self) -> int:
        """A round worth changing: one where a pair that met too often sits together."""
        if self.move_cost or self.balance is not None:
            return int(self.rng.integers(self.w))
        if self.places is not None and self.rng.random() < 0.5:
            back = [r for r in range(self.w) if self.places.returning(r, self.seat[r]).any()]
            if back:
                return int(self.rng.choice(back))
        hot = np.flatnonzero(((self.M >= 2) & self.free_pair).ravel())
        if hot.size == 0:
            return int(self.rng.integers(self.w))
        i, k = divmod(int(hot[self.rng.integers(hot.size)]), self.n)
        rounds = np.flatnonzero(
            (self.seat[:, i] == self.seat[:, k]) & (self.movable[:, i] | self.movable[:, k])
        )
        return int(self.rng.choice(rounds)) if rounds.size else int(self.rng.integers(self.w))

    def best_move(self, step: int, best_cost: float):
        """Find the best allowed swap or move of one round; None when nothing may move."""
        r = self.pick_round()
        U = self.up[self.M]
        X, row = self.X[r], self.seat[r]
        where = np.where(row >= 0, row, 0)
        SU = U @ X
        mates = where[:, None] == where[None, :]
        down = self.down[self.M]
        own = (down * mates).sum(axis=1)
        hot = movable_hot = None
        join = SU - own[:, None]
        if self.places is not None:
            join += self.places.join(r, where)
        extra = self._moving_cost(r)
        if extra is not None:
            join += extra - extra[np.arange(self.n), where][:, None]
        balance_swap = None
        if self.balance is not None:
            balance_swap, balance_move = self.balance.deltas(X, row)
            join += self.eps * balance_move
        joined = join[:, where]
        swap = joined + joined.T - 2 * U
        if balance_swap is not None:
            # join priced each person's move alone; the swap's own balance change replaces it.
            alone = self.eps * balance_move[:, where]
            swap += self.eps * balance_swap - alone - alone.T
        movable = self.movable[r]
        allowed = movable[:, None] & movable[None, :] & ~mates
        if extra is None and self.balance is None:
            hot = (down * (mates & self.free_pair)).sum(axis=1) > 0
            if self.places is not None:
                hot |= self.places.returning(r, row)
            movable_hot = hot & movable
        if movable_hot is not None and movable_hot.any():
            # Only swaps that break up a repeated meeting are worth looking at.
            allowed &= hot[:, None] | hot[None, :]
        conflicts = None
        if self.apart is not None:
            conflicts = self.apart @ X
            clash = conflicts[:, where] - self.apart > 0.5
            allowed &= ~(clash | clash.T)
        tabu = self.tabu[r][:, where] > step
        allowed &= ~(tabu | tabu.T) | (self.cost + swap < best_cost - 1e-9)
        swap = np.where(allowed, swap, np.inf)
        move = None
        if self.uneven:
            ok = movable[:, None] & self.is_open[r][None, :]
            ok &= self.sizes[r][where][:, None] == self.sizes[r][None, :] + 1
            if conflicts is not None:
                ok &= conflicts < 0.5
            ok &= (self.tabu[r] <= step) | (self.cost + join < best_cost - 1e-9)
            move = np.where(ok, join, np.inf)
        return self._pick(r, swap, move)

    def _pick(self, r, swap, move):
        """Choose among the cheapest moves at random (ties are common)."""
        best = swap.min() if move is None else min(swap.min(), move.min())
        if not np.isfinite(best):
            return None
        hits = np.flatnonzero(swap.ravel() <= best + 1e-9)
        if move is not None:
            hits = np.concatenate([hits, swap.size + np.flatnonzero(move.ravel() <= best + 1e-9)])
        k = int(hits[self.rng.integers(hits.size)])
        if k < swap.size:
            i, j = divmod(k, self.n)
            return ("swap", r, i, j, float(best))
        i, t = divmod(k - swap.size, self.g)
        return ("move", r, i, t, float(best))

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
            if self.places is not None:
                self.places.move(r, i, old, table)
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
            # i trades the mates at a for those at b, and x the other way round.
            change = self.X[r, :, b] - self.X[r, :, a]
            change[[i, x]] = 0
            changed = change.astype(np.int64)
            self.M[i] += changed
            self.M[:, i] += changed
            self.M[x] -= changed
            self.M[:, x] -= changed
            self.seat[r, i], self.seat[r, x] = b, a
            if self.places is not None:
                self.places.move(r, i, a, b)
                self.places.move(r, x, b, a)
            self.X[r, i, a] = self.X[r, x, b] = 0.0
            self.X[r, i, b] = self.X[r, x, a] = 1.0
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
    places=None,
) -> tuple[np.ndarray, int]:
    """Improve a plan by tabu search until it reaches `target` or time runs out.

    Returns the best plan and the number of steps taken. The same seed gives the same plan
    whenever the search ends at the target, at `max_steps` or by `patience` (steps without a
    better plan); a time limit that cuts it short may cut at a different step on a slower
    machine.
    """
    state = Tabu(rules, seat, base, cap, codes, previous, move_cost, seed, places)
    best_seat, best_cost = state.seat.copy(), state.cost
    deadline = time.perf_counter() + time_limit
    stall = max(200, 10 * rules.n)
    step = since_best = stuck = 0
    if not state.movable.any() and not rules.groups:
        return best_seat, step
    while best_cost > target + 1e-9 and stuck < 3:
        if time.perf_counter() > deadline or (max_steps is not None and step >= max_steps):
            break
        if patience is not None and since_best >= patience:
            break
        move = state.best_move(step, best_cost)
        stuck = stuck + 1 if move is None else 0
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
