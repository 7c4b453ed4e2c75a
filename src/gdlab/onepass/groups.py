"""Rows set apart during the pass: a held-out share, or K folds, each with its statistics.

Statistics merge, so the pass can keep one set per group of rows at no extra cost in
reading: the held-out loss after every step then costs O(p²), like the training loss, and
K-fold cross-validation trains each fold on the merge of the other folds' statistics.

- `Holdout`: row i is held out when a 64-bit hash of its values and the seed falls below
  fraction·2⁶⁴ (each value's bits xor-ed in and multiplied by an odd constant, column after
  column, then SplitMix64's finaliser: distinct rows get distinct hashes, cheaply). The
  split depends only on the rows' contents and the seed — not on their order, batches,
  files or Dask blocks — so every engine holds out the same rows.
- `Folds`: row i (counted from 0 over the whole data, in order) is in fold i mod K, as
  documented for the run record's `cv`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.data.fingerprint import ROW_MULTIPLIER, finalise

Labels = NDArray[np.intp]
#: A block of rows: an n×q matrix [x₁ … x_k y], or its q columns.
Rows = NDArray[np.floating] | Sequence[NDArray[np.floating]]


def columns_of(rows: Rows) -> list[NDArray[np.float64]]:
    """The columns of a block of rows, as contiguous float64 vectors."""
    if isinstance(rows, np.ndarray):
        rows = [rows[:, j] for j in range(rows.shape[1])] if rows.ndim == 2 else [rows]
    return [np.ascontiguousarray(column, dtype="<f8") for column in rows]


def split_hashes(rows: Rows, seed: int) -> NDArray[np.uint64]:
    """One well-mixed 64-bit word per row of values, depending on the values and `seed`."""
    columns = columns_of(rows)
    hashes = np.full(columns[0].shape[0], seed * 0x9E3779B97F4A7C15 % 2**64, dtype=np.uint64)
    multiplier = np.uint64(ROW_MULTIPLIER)
    for column in columns:
        hashes ^= column.view("<u8")
        hashes *= multiplier
    return finalise(hashes)


def grouped(
    columns: Sequence[NDArray[np.float64]], labels: Labels, count: int
) -> list[list[NDArray[np.float64]] | None]:
    """The columns' rows of each group 0 … count−1, in order (None for an empty group):
    one gather per column, then contiguous slices."""
    order = np.argsort(labels, kind="stable")
    ends = np.cumsum(np.bincount(labels, minlength=count))
    gathered = [np.asarray(column)[order] for column in columns]
    parts: list[list[NDArray[np.float64]] | None] = []
    for group in range(count):
        start, stop = (int(ends[group - 1]) if group else 0), int(ends[group])
        parts.append([column[start:stop] for column in gathered] if stop > start else None)
    return parts


@dataclass(frozen=True)
class Holdout:
    """A seeded share of the rows held out (group 1); the rest train (group 0).

    >>> rows = np.arange(20000.0).reshape(10000, 2)
    >>> labels = Holdout(0.25, seed=0).labels(rows, 0)
    >>> reversed_rows = Holdout(0.25, seed=0).labels(rows[::-1], 0)
    >>> round(float(labels.mean()), 2), bool((reversed_rows == labels[::-1]).all())
    (0.25, True)
    """

    fraction: float
    seed: int
    count: int = 2

    def labels(self, rows: Rows, first_row: int) -> Labels:
        """1 for the held-out rows of a block of rows [x₁ … x_k y], else 0."""
        hashes = split_hashes(rows, self.seed)
        threshold = np.uint64(min(int(self.fraction * 2.0**64), 2**64 - 1))
        return (hashes < threshold).astype(np.intp)


@dataclass(frozen=True)
class Folds:
    """K folds by row number: row i is in fold i mod K.

    >>> Folds(3).labels(np.zeros((5, 2)), first_row=4).tolist()
    [1, 2, 0, 1, 2]
    """

    count: int

    def labels(self, rows: Rows, first_row: int) -> Labels:
        """The fold of each row of a block that starts at data row `first_row` (from 0)."""
        n = rows.shape[0] if isinstance(rows, np.ndarray) else len(rows[0])
        return np.asarray((first_row + np.arange(n)) % self.count, dtype=np.intp)


Grouping = Holdout | Folds
