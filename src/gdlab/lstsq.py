"""One-pass least-squares statistics: the R factor of a tall-skinny QR of [A | y].

After one pass over the data, full-batch gradient descent on a squared loss needs nothing
else (DESIGN.md §3). With R the leading p×p block of the triangular factor of [A | y],
z its last column and ρ = |corner|:

* Σe²(w) = ‖Rw − z‖² + ρ²        (a sum of squares: no cancellation near a perfect fit)
* Aᵀe(w) = Rᵀ(Rw − z)            (equal to Gw − c with G = AᵀA = RᵀR, c = Aᵀy = Rᵀz)
* optimum: Rw* = z by back substitution, Σe²(w*) = ρ²

QR keeps cond(A) where AᵀA squares it, and chunks merge by a QR of their stacked factors,
so the statistics split over chunks, files, threads and cluster workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import DataError

Array = NDArray[np.float64]


@dataclass(frozen=True)
class LeastSquaresStats:
    """The triangular factor of [A | y]: R (p×p), z (p), ρ ≥ 0 and the row count N."""

    R: Array
    z: Array
    rho: float
    n_rows: int

    @classmethod
    def from_arrays(
        cls, A: ArrayLike, y: ArrayLike, chunk_rows: int | None = None
    ) -> LeastSquaresStats:
        """Statistics of in-memory data, optionally built chunk by chunk (TSQR).

        >>> stats = LeastSquaresStats.from_arrays([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], [1, 3, 5])
        >>> np.round(stats.optimum(), 12)
        array([1., 2.])
        """
        A = np.asarray(A, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if chunk_rows is None or chunk_rows >= A.shape[0]:
            return cls.from_factor(triangular_factor(A, y), A.shape[0])
        chunks = (
            cls.from_arrays(A[start : start + chunk_rows], y[start : start + chunk_rows])
            for start in range(0, A.shape[0], chunk_rows)
        )
        return merge_all(chunks)

    @classmethod
    def from_augmented(cls, M: ArrayLike, block_rows: int | None = None) -> LeastSquaresStats:
        """Statistics of the rows of M = [A | y] (y last), TSQR in blocks of `block_rows` rows.

        The same as ``from_arrays(A, y, chunk_rows=block_rows)`` up to rounding, but every
        full block is factored in one batched LAPACK call (no Python loop over chunks): the
        fast path of the engines' one pass.

        >>> M = np.column_stack([np.ones(5), np.arange(5.0), 1 + 2 * np.arange(5.0)])
        >>> np.round(LeastSquaresStats.from_augmented(M, block_rows=3).optimum(), 12)
        array([1., 2.])
        """
        M = np.asarray(M, dtype=np.float64)
        n_rows, columns = M.shape
        rows = max(block_rows or n_rows, columns)
        full = n_rows // rows * rows
        if full // rows < 2:
            return cls.from_factor(r_factor(M), n_rows)
        blocks = cast(Array, np.linalg.qr(M[:full].reshape(-1, rows, columns), mode="r"))
        stacked = np.vstack([blocks.reshape(-1, columns), M[full:]])
        return cls.from_factor(r_factor(stacked), n_rows)

    @classmethod
    def from_factor(cls, factor: Array, n_rows: int) -> LeastSquaresStats:
        """Split a (p+1)×(p+1) triangular factor of [A | y] into R, z and ρ."""
        p = factor.shape[1] - 1
        return cls(factor[:p, :p].copy(), factor[:p, p].copy(), abs(float(factor[p, p])), n_rows)

    @property
    def n_weights(self) -> int:
        """Number of weights p (columns of A)."""
        return int(self.R.shape[0])

    def factor(self) -> Array:
        """The (p+1)×(p+1) triangular factor of [A | y] again (signs normalised)."""
        p = self.n_weights
        out = np.zeros((p + 1, p + 1))
        out[:p, :p] = self.R
        out[:p, p] = self.z
        out[p, p] = self.rho
        return out

    def merge(self, other: LeastSquaresStats) -> LeastSquaresStats:
        """Statistics of the two row sets together: QR of the stacked factors."""
        stacked = np.vstack([self.factor(), other.factor()])
        return LeastSquaresStats.from_factor(r_factor(stacked), self.n_rows + other.n_rows)

    def sum_squared_errors(self, w: ArrayLike) -> float:
        """Σ(Aw − y)² = ‖Rw − z‖² + ρ²."""
        gap = self.R @ np.asarray(w, dtype=np.float64) - self.z
        return float(gap @ gap + self.rho**2)

    def residual_correlation(self, w: ArrayLike) -> Array:
        """Aᵀ(Aw − y) = Rᵀ(Rw − z), the gradient of ½Σe²."""
        return self.R.T @ (self.R @ np.asarray(w, dtype=np.float64) - self.z)

    def gram(self) -> Array:
        """G = AᵀA = RᵀR."""
        return self.R.T @ self.R

    def singular_values(self) -> Array:
        """Singular values of A (those of R), descending."""
        return cast(Array, np.linalg.svd(self.R, compute_uv=False))

    def optimum(self) -> Array:
        """The least-squares weights w* solving Rw* = z (columns scaled first).

        Back substitution on the column-scaled R keeps the accuracy QR bought; a
        rank-deficient R falls back to the minimum-norm solution.
        """
        norms = np.linalg.norm(self.R, axis=0)
        if np.any(norms == 0):
            raise DataError("a feature column is all zeros; its weight is undetermined")
        scaled = self.R / norms
        diagonal = np.abs(np.diag(scaled))
        if diagonal.min() <= np.finfo(float).eps * self.n_weights * diagonal.max():
            solution, *_ = np.linalg.lstsq(scaled, self.z, rcond=None)
            return solution / norms
        return back_substitution(scaled, self.z) / norms


def triangular_factor(A: Array, y: Array) -> Array:
    """The (p+1)×(p+1) upper-triangular factor of [A | y] from one Householder QR."""
    augmented = np.column_stack([A, y])
    return r_factor(augmented)


def r_factor(M: Array) -> Array:
    """The square upper-triangular factor R of M = QR, diagonal ≥ 0 (Q is never formed)."""
    return square_r(cast(Array, np.linalg.qr(M, mode="r")))


def square_r(R: Array) -> Array:
    """Pad a short R (fewer rows than columns) with zero rows and make its diagonal ≥ 0."""
    cols = R.shape[1]
    if R.shape[0] < cols:
        R = np.vstack([R, np.zeros((cols - R.shape[0], cols))])
    signs = np.where(np.diag(R) < 0, -1.0, 1.0)
    return cast(Array, R * signs[:, None])


def merge_all(parts: Iterable[LeastSquaresStats]) -> LeastSquaresStats:
    """Merge statistics of many row sets in one QR of all their stacked factors."""
    parts = list(parts)
    if not parts:
        raise DataError("no data rows to build statistics from")
    if len(parts) == 1:
        return parts[0]
    stacked = np.vstack([part.factor() for part in parts])
    n_rows = sum(part.n_rows for part in parts)
    return LeastSquaresStats.from_factor(r_factor(stacked), n_rows)


def back_substitution(U: Array, b: Array) -> Array:
    """Solve Ux = b for upper-triangular U, row by row from the bottom."""
    n = U.shape[0]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - U[i, i + 1 :] @ x[i + 1 :]) / U[i, i]
    return x
