"""Attribute balance for the local search: how far tables stray from a fair share of each value.

Mirrors `scores.imbalance` (which recounts from scratch for the result) in array form, so the
search can price every swap of a round at once: a person with value v leaving table A and one
with value u joining it changes only the counts (A, v), (A, u), (B, v) and (B, u).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kt_workshop.planning.scores import _value


def encode(attributes: Sequence[dict]) -> np.ndarray:
    """Turn per-person attribute dicts into codes (people x keys), -1 for unknown."""
    keys = sorted({key for person in attributes for key in person})
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
        """Counts per (round, table, value) and the excess of counts c-1, c and c+1."""
        counts = np.einsum("rnt,nv->rtv", X, onehot)
        sizes = X.sum(axis=1)
        seated = np.maximum(sizes.sum(axis=1), 1)
        share = counts.sum(axis=1)[:, None, :] * sizes[:, :, None] / seated[:, None, None]
        low, high = np.floor(share + 1e-9), np.ceil(share - 1e-9)

        def excess(c):
            return np.maximum(0, np.maximum(low - c, c - high))

        return excess(counts - 1), excess(counts), excess(counts + 1)

    def total(self, X: np.ndarray) -> int:
        """Total imbalance over rounds, tables, attributes and values."""
        return int(round(sum(self._excess(X, onehot)[1].sum() for onehot in self.onehots)))

    def deltas(self, X: np.ndarray, seat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Change in imbalance for every swap (round, i, j) and every move (round, i, table)."""
        w, n, g = X.shape
        swap = np.zeros((w, n, n))
        move = np.zeros((w, n, g))
        rows = np.arange(w)[:, None]
        where = np.where(seat >= 0, seat, 0)
        for k, onehot in enumerate(self.onehots):
            minus, now, plus = self._excess(X, onehot)
            value = np.maximum(self.codes[:, k], 0)
            known = (self.codes[:, k] >= 0)[None, :]
            leave = np.where(known, (minus - now)[rows, where, value[None, :]], 0.0)
            join = np.where(known[:, :, None], (plus - now)[:, :, value].transpose(0, 2, 1), 0.0)
            joined = np.take_along_axis(join, np.broadcast_to(where[:, None, :], (w, n, n)), 2)
            pair = leave[:, :, None] + leave[:, None, :] + joined + joined.transpose(0, 2, 1)
            same = self.codes[:, k][:, None] == self.codes[:, k][None, :]
            swap += np.where(same[None], 0.0, pair)
            move += leave[:, :, None] + join
        return swap, move
