"""One-pass least-squares statistics: the R factor of a tall-skinny QR of [A | y].

After one pass over the data, full-batch gradient descent on a squared loss needs nothing
else (DESIGN.md §3). With R the leading p×p block of the triangular factor of [A | y],
z its last column and ρ = |corner|:

* Σe²(w) = ‖Rw − z‖² + ρ²        (a sum of squares: no cancellation near a perfect fit)
* Aᵀe(w) = Rᵀ(Rw − z)            (equal to Gw − c with G = AᵀA = RᵀR, c = Aᵀy = Rᵀz)
* optimum: Rw* = z by back substitution, Σe²(w*) = ρ²

QR keeps cond(A) where AᵀA squares it, and chunks merge by a QR of their stacked factors,
so the statistics split over chunks, files, threads and cluster workers.

The same pass also sums the moments M = [A | y]ᵀ[A | y] in extended precision
(``np.longdouble``); they merge by addition. `optimum` uses them to refine the QR solution:
the residual of the normal equations, g = Aᵀy − AᵀAw, computed from M carries the digits
that float64 rounding took from w, and RᵀRδ = g gives the correction (iterative refinement).
The correction is trusted only where extended precision can resolve the normal equations
(ε_ext·cond(R)² small) and only while successive corrections shrink.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import DataError

Array = NDArray[np.float64]
ExtendedArray = NDArray[np.longdouble]

#: Refine only when ε_ext·cond(R)² is below this: the normal equations then keep digits.
REFINE_CONDITION_LIMIT = 1e-3
#: The extended-precision moments (no BLAS for long doubles: ~5 ns a product) are summed
#: and transformed only while their products stay within this many (about half a second):
#: a wide design's N·(p+1)² or (p+1)³ would cost minutes for a refinement of the optimum.
MOMENTS_WORK_LIMIT = 10**8
#: At most this many refinement steps (each gains roughly the digits float64 lost).
REFINE_MAX_STEPS = 5


@dataclass(frozen=True)
class LeastSquaresStats:
    """The triangular factor of [A | y]: R (p×p), z (p), ρ ≥ 0 and the row count N.

    `moments` is [A | y]ᵀ[A | y] summed in extended precision, when the rows were seen
    (None for statistics rebuilt from a factor alone); it only sharpens `optimum`.
    """

    R: Array
    z: Array
    rho: float
    n_rows: int
    moments: ExtendedArray | None = field(default=None, repr=False, compare=False)

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
            affordable = A.shape[0] * (A.shape[1] + 1) ** 2 <= MOMENTS_WORK_LIMIT
            moments = augmented_moments(A, y) if affordable else None
            return cls.from_factor(triangular_factor(A, y), A.shape[0], moments)
        chunks = (
            cls.from_arrays(A[start : start + chunk_rows], y[start : start + chunk_rows])
            for start in range(0, A.shape[0], chunk_rows)
        )
        return merge_all(chunks)

    @classmethod
    def from_augmented(
        cls, M: ArrayLike, block_rows: int | None = None, moments: bool = False
    ) -> LeastSquaresStats:
        """Statistics of the rows of M = [A | y] (y last), TSQR in blocks of `block_rows` rows.

        The same as ``from_arrays(A, y, chunk_rows=block_rows)`` up to rounding, but every
        full block is factored in one batched LAPACK call (no Python loop over chunks): the
        fast path of the engines' one pass. With `moments`, the extended-precision moments
        that sharpen `optimum` are summed too (see `wants_moments` for their cost).

        >>> M = np.column_stack([np.ones(5), np.arange(5.0), 1 + 2 * np.arange(5.0)])
        >>> np.round(LeastSquaresStats.from_augmented(M, block_rows=3).optimum(), 12)
        array([1., 2.])
        """
        M = np.asarray(M, dtype=np.float64)
        n_rows, columns = M.shape
        extended = extended_gram(M) if moments else None
        rows = max(block_rows or n_rows, columns)
        full = n_rows // rows * rows
        if full // rows < 2:
            return cls.from_factor(r_factor(M), n_rows, extended)
        blocks = cast(Array, np.linalg.qr(M[:full].reshape(-1, rows, columns), mode="r"))
        stacked = np.vstack([blocks.reshape(-1, columns), M[full:]])
        return cls.from_factor(r_factor(stacked), n_rows, extended)

    @classmethod
    def from_factor(
        cls, factor: Array, n_rows: int, moments: ExtendedArray | None = None
    ) -> LeastSquaresStats:
        """Split a (p+1)×(p+1) triangular factor of [A | y] into R, z and ρ."""
        p = factor.shape[1] - 1
        R, z, rho = factor[:p, :p].copy(), factor[:p, p].copy(), abs(float(factor[p, p]))
        return cls(R, z, rho, n_rows, moments)

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
        return merge_all([self, other])

    def transformed(self, M: ArrayLike) -> LeastSquaresStats:
        """Statistics of the same rows with A replaced by A·M (a change of weights w = Mv).

        The factor of [AM | y] is the triangular factor of [[RM, z], [0, ρ]]; no data pass.
        """
        M = np.asarray(M, dtype=np.float64)
        p = self.n_weights
        block = np.zeros((p + 1, p + 1))
        block[:p, :p] = self.R @ M
        block[:p, p] = self.z
        block[p, p] = self.rho
        moments = None
        if self.moments is not None and (p + 1) ** 3 <= MOMENTS_WORK_LIMIT:
            augmented = np.eye(p + 1, dtype=np.longdouble)
            augmented[:p, :p] = M
            moments = augmented.T @ self.moments @ augmented
        return LeastSquaresStats.from_factor(r_factor(block), self.n_rows, moments)

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

    def column_scaled(self) -> tuple[Array, Array]:
        """(S, d) with R = S·diag(d): unit-norm columns, the scaling every solve starts from."""
        norms = np.linalg.norm(self.R, axis=0)
        if np.any(norms == 0):
            raise DataError("a feature column is all zeros; its weight is undetermined")
        return self.R / norms, norms

    def optimum(self) -> Array:
        """The least-squares weights w* solving Rw* = z, refined from the moments.

        Back substitution on the column-scaled R keeps the accuracy QR bought; a
        rank-deficient R falls back to the minimum-norm solution. Then `refine` adds what
        extended-precision normal-equation residuals can still tell (see the module notes).
        """
        scaled, norms = self.column_scaled()
        diagonal = np.abs(np.diag(scaled))
        if diagonal.min() <= np.finfo(float).eps * self.n_weights * diagonal.max():
            solution, *_ = np.linalg.lstsq(scaled, self.z, rcond=None)
            return cast(Array, solution / norms)
        return self.refine(back_substitution(scaled, self.z) / norms)

    def refine(self, w: Array) -> Array:
        """Iterative refinement of w: δ from RᵀRδ = c − Gw with c, G from the moments.

        Steps are taken only while ε_ext·cond(R)² < `REFINE_CONDITION_LIMIT` (else the
        extended-precision residual is noise, as on NIST's Filip) and each accepted step is
        followed by a correction at most half as large (evidence that the iteration
        contracts towards the true optimum); otherwise w comes back unchanged.
        """
        if self.moments is None:
            return w
        scaled, norms = self.column_scaled()
        singular = np.linalg.svd(scaled, compute_uv=False)
        condition = singular[0] / singular[-1]
        if np.finfo(np.longdouble).eps * condition**2 >= REFINE_CONDITION_LIMIT:
            return w
        p = self.n_weights
        gram, moment = self.moments[:p, :p], self.moments[:p, p]

        def correction(v: Array) -> Array:
            residual = np.asarray(moment - gram @ v.astype(np.longdouble), dtype=np.float64)
            return gram_solve(scaled, residual / norms) / norms

        delta = correction(w)
        for _ in range(REFINE_MAX_STEPS):
            candidate = w + delta
            following = correction(candidate)
            if not np.linalg.norm(following) < 0.5 * np.linalg.norm(delta):
                break
            w, delta = candidate, following
        return w


#: Extended-precision moments cost about N·(p+1)² long-double products, without BLAS:
#: measured here 45 ms for a million rows at p+1 = 3, where the QR pass takes 10 ms. The one
#: pass sums them while N·(p+1)² stays within this budget (about 20 ms of extra work);
#: beyond it the QR solution stands alone (at least 5.5 correct digits on every NIST set).
EXTENDED_MOMENTS_BUDGET = 2**22


def wants_moments(n_rows: float, n_columns: int) -> bool:
    """True when summing extended-precision moments of N rows × (p+1) columns is affordable.

    >>> wants_moments(1_000, 3), wants_moments(1_000_000, 3)
    (True, False)
    """
    return bool(n_rows * n_columns**2 <= EXTENDED_MOMENTS_BUDGET)


def extended_gram(M: Array) -> ExtendedArray:
    """MᵀM summed in extended precision (np.longdouble)."""
    extended = np.asarray(M, dtype=np.longdouble)
    return cast(ExtendedArray, np.einsum("ij,ik->jk", extended, extended))


def augmented_moments(A: Array, y: Array) -> ExtendedArray:
    """[A | y]ᵀ[A | y] summed in extended precision (merges across chunks by addition)."""
    return extended_gram(np.column_stack([A, y]))


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
    moments = None
    collected = [part.moments for part in parts if part.moments is not None]
    if len(collected) == len(parts):
        moments = cast(ExtendedArray, np.sum(collected, axis=0, dtype=np.longdouble))
    return LeastSquaresStats.from_factor(r_factor(stacked), n_rows, moments)


def gram_solve(S: Array, g: Array) -> Array:
    """Solve SᵀSx = g with two triangular solves (Sᵀ lower, then S upper); no inverse."""
    lower_solution = back_substitution(S.T[::-1, ::-1], g[::-1])[::-1]
    return back_substitution(S, lower_solution)


def back_substitution(U: Array, b: Array) -> Array:
    """Solve Ux = b for upper-triangular U, row by row from the bottom."""
    n = U.shape[0]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - U[i, i + 1 :] @ x[i + 1 :]) / U[i, i]
    return x
