"""A fingerprint of a table's rows that any pass can take: in order, in pieces, merged.

Each row [x₁ … x_k y] (its float64 bytes) is mixed into one 64-bit word hᵢ; the rows then
combine as a polynomial H = Σᵢ hᵢ·B^(N−1−i) mod 2⁶⁴ in two lanes (two odd bases B). The hash
of rows r₁…r_n followed by s₁…s_m is H(r)·B^m + H(s), so file batches, threads and Dask
blocks fingerprint their pieces and merge them in row order, and the result never depends on
how the rows were cut. The fingerprint is the SHA-256 of the column names, N and the lanes.
It tells changed data apart; it is not meant to resist someone forging a collision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.data.dataset import Dataset

MASK = 2**64 - 1
#: The lanes' bases (odd, so every power is invertible mod 2⁶⁴).
BASES = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)
#: Mixes a column's word into a row's hash before the finaliser.
ROW_MULTIPLIER = 0xD6E8FEB86659FD93


def finalise(words: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser on every word: each input bit reaches every output bit."""
    words = words ^ (words >> np.uint64(30))
    words = words * np.uint64(0xBF58476D1CE4E5B9)
    words = words ^ (words >> np.uint64(27))
    words = words * np.uint64(0x94D049BB133111EB)
    return words ^ (words >> np.uint64(31))


def row_hashes(block: NDArray[np.floating]) -> NDArray[np.uint64]:
    """One 64-bit word per row of an n×q block of float64 values."""
    words = np.ascontiguousarray(block, dtype="<f8").reshape(block.shape[0], -1).view("<u8")
    hashes = np.zeros(words.shape[0], dtype=np.uint64)
    for column in range(words.shape[1]):
        hashes = finalise(hashes * np.uint64(ROW_MULTIPLIER) ^ words[:, column])
    return hashes


def descending_powers(base: int, n: int) -> NDArray[np.uint64]:
    """B^(n−1), …, B¹, B⁰ mod 2⁶⁴ (integer arrays wrap around, as the hash needs)."""
    powers = np.ones(n, dtype=np.uint64)
    if n > 1:
        powers[:-1] = np.cumprod(np.full(n - 1, base, dtype=np.uint64))[::-1]
    return powers


@dataclass
class RowsFingerprint:
    """The running fingerprint of a table's rows (see the module notes).

    >>> block = np.arange(12.0).reshape(4, 3)
    >>> whole = RowsFingerprint(["a", "b", "y"]).update(block)
    >>> parts = RowsFingerprint(["a", "b", "y"]).update(block[:1])
    >>> later = RowsFingerprint(["a", "b", "y"]).update(block[1:])
    >>> parts.merge(later).hexdigest() == whole.hexdigest()
    True
    """

    names: Sequence[str]
    n_rows: int = 0
    lanes: tuple[int, ...] = (0, 0)

    def update(self, block: NDArray[np.floating]) -> RowsFingerprint:
        """Fold the next rows (an n×q block) in; returns self."""
        block = np.asarray(block, dtype=np.float64)
        n = block.shape[0]
        if n == 0:
            return self
        hashes = row_hashes(block)
        lanes = []
        for base, lane in zip(BASES, self.lanes, strict=True):
            piece = int(np.sum(hashes * descending_powers(base, n), dtype=np.uint64))
            lanes.append((lane * pow(base, n, 2**64) + piece) & MASK)
        self.lanes = tuple(lanes)
        self.n_rows += n
        return self

    def merge(self, later: RowsFingerprint) -> RowsFingerprint:
        """The fingerprint of these rows followed by `later`'s (a new object)."""
        lanes = tuple(
            (lane * pow(base, later.n_rows, 2**64) + other) & MASK
            for base, lane, other in zip(BASES, self.lanes, later.lanes, strict=True)
        )
        return RowsFingerprint(self.names, self.n_rows + later.n_rows, lanes)

    def hexdigest(self) -> str:
        """'sha256:…' of the names, the row count and the lanes."""
        digest = hashlib.sha256()
        names = list(self.names)
        digest.update(json.dumps([names[:-1], names[-1] if names else ""]).encode())
        digest.update(json.dumps([self.n_rows, *self.lanes]).encode())
        return "sha256:" + digest.hexdigest()

    @classmethod
    def of_dataset(cls, data: Dataset) -> RowsFingerprint:
        """The fingerprint of a table in memory (its sample weights a last column)."""
        names = [*data.feature_names, data.target_name]
        if data.weights is None:
            return cls(names).update(np.column_stack([data.features, data.target]))
        block = np.column_stack([data.features, data.target, data.weights])
        return cls([*names, str(data.weight_name)]).update(block)
