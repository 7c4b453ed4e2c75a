"""An evenly spaced sample of rows that arrive in blocks, for pictures of large data.

A scatter of 1e8 points is a solid blot, and holding them all would break the streaming
engines' bounded memory, so pictures of large data draw every s-th row: `EvenSample` keeps
rows 0, s, 2s, … of what it has seen, doubling s whenever more than 2·`max_rows` are kept
(halving the kept rows, [::2], at stride s leaves exactly the rows at stride 2s). Samples
of pieces taken apart (Dask blocks) merge into one, evenly spaced within each piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from gdlab.data.dataset import Dataset, from_arrays


@dataclass
class EvenSample:
    """Rows at one stride from the blocks seen so far (columns: the features, then y).

    >>> sample = EvenSample(2, max_rows=2)
    >>> for start in (0, 4, 8):
    ...     _ = sample.update(np.column_stack([np.arange(start, start + 4.0)] * 2)[: 10 - start])
    >>> sample.rows[:, 0].tolist(), sample.stride
    ([0.0, 4.0, 8.0], 4)
    """

    n_columns: int
    max_rows: int
    stride: int = 1
    seen: int = 0
    rows: NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 0)))

    def __post_init__(self) -> None:
        if self.rows.size == 0:
            self.rows = np.empty((0, self.n_columns))

    def update(self, block: NDArray[np.floating]) -> EvenSample:
        """Take the rows of the next block that fall on the stride; returns self."""
        first = -self.seen % self.stride  # the first row of this block on the stride
        self.rows = np.vstack(
            [self.rows, np.asarray(block, dtype=np.float64)[first :: self.stride]]
        )
        self.seen += block.shape[0]
        self.thin()
        return self

    def thin(self) -> None:
        """Double the stride while more than 2·`max_rows` rows are kept."""
        while len(self.rows) > 2 * self.max_rows:
            self.rows, self.stride = self.rows[::2], 2 * self.stride

    def merge(self, later: EvenSample) -> EvenSample:
        """This sample and a later piece's, at the larger stride (a new object)."""
        stride = max(self.stride, later.stride)
        rows = np.vstack(
            [self.rows[:: stride // self.stride], later.rows[:: stride // later.stride]]
        )
        merged = EvenSample(self.n_columns, self.max_rows, stride, self.seen + later.seen, rows)
        merged.thin()
        return merged

    def dataset(self, feature_names: Sequence[str], target_name: str, source: str) -> Dataset:
        """The sampled rows as a `Dataset`."""
        names = list(feature_names)
        return from_arrays(self.rows[:, :-1], self.rows[:, -1], names, target_name, source)
