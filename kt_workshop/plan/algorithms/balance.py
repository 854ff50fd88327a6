"""Attribute balance for the local search: how far tables stray from a fair share of each value.

Mirrors `scores.imbalance` (which recounts from scratch for the result) in array form, so the
search can price every swap of a round at once: a person with value v leaving table A and one
with value u joining it changes only the counts (A, v), (A, u), (B, v) and (B, u).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from kt_workshop.plan.algorithms.scores import _value


def encode(attributes: Sequence[dict]) -> np.ndarray:
    """Turn per-person attribute dicts into codes (people x keys), -1 for unknown."""
    # A column where nobody has a value has nothing to balance (and no values to index).
    keys = sorted(
        {key for person in attributes for key, value in person.items() if _value(person, key)}
    )
    codes = np.full((len(attributes), len(keys)), -1, dtype=np.int64)
    for k, key in enumerate(keys):
        values = [_value(person, key) for person in attributes]
        known = {v: i for i, v in enumerate(sorted({v for v in values if v}))}
        codes[:, k] = [known.get(v, -1) for v in values]
    return codes


class Balance:
    """Imbalance of a plan given as one-hot seats X[round, person, table]."""

    def __init__(self, codes: np.ndarray):
        self.codes = codes
        self.onehots = []
        for k in range(codes.shape[1]):
            column = codes[:, k]
            onehot = np.zeros((codes.shape[0], int(column.max()) + 1), dtype=np.float64)
            known = column >= 0
            onehot[np.flatnonzero(known), column[known]] = 1.0
            self.onehots.append(onehot)

    def _excess(self, X: np.ndarray, onehot: np.ndarray):
        """Counts per (table, value) of one round and the excess of counts c-1, c and c+1."""
        counts = X.T @ onehot
        sizes = X.sum(axis=0)
        share = counts.sum(axis=0)[None, :] * sizes[:, None] / max(sizes.sum(), 1.0)
        low, high = np.floor(share + 1e-9), np.ceil(share - 1e-9)

        def excess(c):
            return np.maximum(0, np.maximum(low - c, c - high))

        return excess(counts - 1), excess(counts), excess(counts + 1)

    def total(self, X: np.ndarray) -> int:
        """Total imbalance over the rounds X[round, person, table], attributes and values."""
        return int(
            round(sum(self._excess(x, onehot)[1].sum() for x in X for onehot in self.onehots))
        )

    def deltas(self, X: np.ndarray, seat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Change in imbalance for every swap (i, j) and every move (i, table) of one round."""
        n, g = X.shape
        swap = np.zeros((n, n))
        move = np.zeros((n, g))
        where = np.where(seat >= 0, seat, 0)
        for k, onehot in enumerate(self.onehots):
            minus, now, plus = self._excess(X, onehot)
            code = self.codes[:, k]
            value = np.maximum(code, 0)
            known = code >= 0
            leave = np.where(known, (minus - now)[where, value], 0.0)
            join = np.where(known[:, None], (plus - now)[:, value].T, 0.0)
            joined = join[:, where]
            pair = leave[:, None] + leave[None, :] + joined + joined.T
            swap += np.where(code[:, None] == code[None, :], 0.0, pair)
            move += leave[:, None] + join
        return swap, move


def relabel(
    seat: np.ndarray,
    codes: np.ndarray,
    may_swap: np.ndarray,
    rng: np.random.Generator,
    deadline: float,
) -> np.ndarray:
    """Balance tables by swapping whole itineraries of two people, keeping who meets whom.

    A construction thus keeps its coincidences while its tables mix attribute values.
    """
    w, n = seat.shape
    g = int(seat.max()) + 1
    seat = seat.copy()
    pool = np.flatnonzero(may_swap)
    if pool.size < 2:
        return seat
    rounds = np.arange(w)
    keys = []
    for k in range(codes.shape[1]):
        counts = np.zeros((w, g, int(codes[:, k].max()) + 1))
        seated = (seat >= 0) & (codes[:, k] >= 0)[None, :]
        r, p = np.nonzero(seated)
        np.add.at(counts, (r, seat[r, p], codes[p, k]), 1.0)
        sizes = np.stack([np.bincount(row[row >= 0], minlength=g) for row in seat])
        share = (
            counts.sum(axis=1)[:, None, :] * sizes[:, :, None] / sizes.sum(axis=1)[:, None, None]
        )
        keys.append((counts, np.floor(share + 1e-9), np.ceil(share - 1e-9)))

    def change(counts, low, high, t, v, step):
        """Change of excess when cells (round, t[round], v) gain `step`."""
        before = counts[rounds, t, v]
        cell_low, cell_high = low[rounds, t, v], high[rounds, t, v]
        after = before + step
        excess = np.maximum(0, np.maximum(cell_low - after, after - cell_high))
        return excess - np.maximum(0, np.maximum(cell_low - before, before - cell_high))

    # A count, not a clock, bounds the work, so the same seed gives the same plan.
    for _ in range(60 * n):
        if time.perf_counter() > deadline:
            break
        i, j = (int(p) for p in rng.choice(pool, 2, replace=False))
        ti, tj = seat[:, i], seat[:, j]
        if (ti == tj).all() or (ti < 0).any() or (tj < 0).any():
            continue
        delta, moves = 0.0, []
        for k, (counts, low, high) in enumerate(keys):
            a, b = codes[i, k], codes[j, k]
            if a == b:
                continue
            for t_from, t_to, v in ((ti, tj, a), (tj, ti, b)):
                if v >= 0:
                    delta += (change(counts, low, high, t_from, v, -1.0) * (ti != tj)).sum()
                    delta += (change(counts, low, high, t_to, v, 1.0) * (ti != tj)).sum()
                    moves.append((counts, t_from, t_to, v))
        if moves and delta <= 0:
            for counts, t_from, t_to, v in moves:
                counts[rounds, t_from, v] -= 1.0
                counts[rounds, t_to, v] += 1.0
            seat[:, [i, j]] = seat[:, [j, i]]
    return seat
