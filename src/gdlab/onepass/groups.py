"""Rows set apart during the pass: a held-out share, or K folds, each with its statistics.

Statistics merge, so the pass can keep one set per group of rows at no extra cost in
reading: the held-out loss after every step then costs O(p²), like the training loss, and
K-fold cross-validation trains each fold on the merge of the other folds' statistics.

- `Holdout`: row i is held out when a 64-bit hash of its values and the seed falls below
  fraction·2⁶⁴. The split depends only on the rows' contents and the seed — not on their
  order, batches, files or Dask blocks — so every engine holds out the same rows.
- `Folds`: row i (counted from 0 over the whole data, in order) is in fold i mod K, as
  documented for the run record's `cv`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.data.fingerprint import finalise, row_hashes

Labels = NDArray[np.intp]


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

    def labels(self, rows: NDArray[np.floating], first_row: int) -> Labels:
        """1 for the held-out rows of a block of rows [x₁ … x_k y], else 0."""
        hashes = finalise(row_hashes(rows) ^ np.uint64(self.seed * 0x9E3779B97F4A7C15 % 2**64))
        threshold = np.uint64(min(int(self.fraction * 2.0**64), 2**64 - 1))
        return (hashes < threshold).astype(np.intp)


@dataclass(frozen=True)
class Folds:
    """K folds by row number: row i is in fold i mod K.

    >>> Folds(3).labels(np.zeros((5, 2)), first_row=4).tolist()
    [1, 2, 0, 1, 2]
    """

    count: int

    def labels(self, rows: NDArray[np.floating], first_row: int) -> Labels:
        """The fold of each row of a block that starts at data row `first_row` (from 0)."""
        return np.asarray((first_row + np.arange(rows.shape[0])) % self.count, dtype=np.intp)


Grouping = Holdout | Folds
