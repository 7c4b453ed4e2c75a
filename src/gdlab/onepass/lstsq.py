"""One-pass least-squares statistics: the R factor of a tall-skinny QR of [A | y].

After one pass over the data, full-batch gradient descent on a squared loss needs nothing
else (docs/design.md, "one pass"). With R the leading p×p block of the triangular factor of [A | y],
z its last column and ρ = |corner|:

* Σe²(w) = ‖Rw − z‖² + ρ²        (a sum of squares: no cancellation near a perfect fit)
* Aᵀe(w) = Rᵀ(Rw − z)            (equal to Gw − c with G = AᵀA = RᵀR, c = Aᵀy = Rᵀz)
* optimum: Rw* = z by back substitution, Σe²(w*) = ρ²

QR keeps cond(A) where AᵀA squares it, and chunks merge by a QR of their stacked factors,
so the statistics split over chunks, files, threads and cluster workers.

When A has a bias column (constant, first), the pass factors the rows centred at a reference
row (`gdlab.onepass.centring`): columns far from zero then lose no digits, and `R`, `z`
are rebuilt from the centred factor exactly. The same pass may also sum the moments
M = [A | y]ᵀ[A | y] of those centred rows in extended precision (``np.longdouble``);
they merge by addition. `optimum` uses them to refine the QR solution: the residual of the
normal equations, g = Aᵀy − AᵀAw, computed from M carries the digits that float64 rounding
took from w, and RᵀRδ = g gives the correction (iterative refinement). The correction is
taken only where it is expected to beat the QR solution (see `refinement_pays`) and only
while successive corrections shrink.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import DataError
from gdlab.onepass.centring import (
    in_data_units,
    leading_constant,
    moved_factor,
    moved_moments,
    subtracted,
    uncentred,
)
from gdlab.onepass.solve import (
    column_norms,
    column_scaled,
    full_rank,
    gram_solve,
    r_svd,
    refinement_pays,
    solve_scaled,
)

Array = NDArray[np.float64]
ExtendedArray = NDArray[np.longdouble]

#: The extended-precision moments (no BLAS for long doubles: ~5 ns a product) are summed
#: and transformed only while their products stay within this many (about half a second):
#: a wide design's N·(p+1)² or (p+1)³ would cost minutes for a refinement of the optimum.
MOMENTS_WORK_LIMIT = 10**8
#: At most this many refinement steps (each gains roughly the digits float64 lost).
REFINE_MAX_STEPS = 5


@dataclass(frozen=True)
class LeastSquaresStats:
    """The triangular factor of [A | y]: R (p×p), z (p), ρ ≥ 0 and the row count N.

    `reference` and `centred`, when set, are the row of [A | y] the pass centred the rows
    at (A's first column a constant k, the bias, which stays as it is) and the (p+1)×(p+1)
    factor of those centred rows; R and z are rebuilt from them (`centring.uncentred`).
    `moments` is the extended-precision [A | y]ᵀ[A | y] of the rows the pass factored
    (the centred ones when `centred` is set), when the rows were seen (None for
    statistics rebuilt from a factor alone); it only sharpens `optimum`.
    """

    R: Array
    z: Array
    rho: float
    n_rows: int
    moments: ExtendedArray | None = field(default=None, repr=False, compare=False)
    reference: Array | None = field(default=None, repr=False, compare=False)
    centred: Array | None = field(default=None, repr=False, compare=False)
    weight_total: float | None = field(default=None, compare=False)

    @classmethod
    def from_arrays(
        cls, A: ArrayLike, y: ArrayLike, chunk_rows: int | None = None
    ) -> LeastSquaresStats:
        """Statistics of in-memory data, optionally built chunk by chunk (TSQR).

        A constant first column (ones) is the bias: the rows are then centred at the first.

        >>> stats = LeastSquaresStats.from_arrays([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], [1, 3, 5])
        >>> np.round(stats.optimum(), 12)
        array([1., 2.])
        """
        A = np.asarray(A, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if chunk_rows is None or chunk_rows >= A.shape[0]:
            affordable = A.shape[0] * (A.shape[1] + 1) ** 2 <= MOMENTS_WORK_LIMIT
            augmented = np.column_stack([A, y])
            first = augmented[0] if leading_constant(A) is not None else None
            return cls.from_augmented(augmented, moments=affordable, reference=first)
        chunks = (
            cls.from_arrays(A[start : start + chunk_rows], y[start : start + chunk_rows])
            for start in range(0, A.shape[0], chunk_rows)
        )
        return merge_all(chunks)

    @classmethod
    def from_augmented(
        cls,
        M: ArrayLike,
        block_rows: int | None = None,
        moments: bool = False,
        *,
        reference: ArrayLike | None = None,
    ) -> LeastSquaresStats:
        """Statistics of the rows of M = [A | y] (y last), TSQR in blocks of `block_rows` rows.

        The same as ``from_arrays(A, y, chunk_rows=block_rows)`` up to rounding, but every
        full block is factored in one batched LAPACK call (no Python loop over chunks): the
        fast path of the engines' one pass. With `moments`, the extended-precision moments
        that sharpen `optimum` are summed too (see `wants_moments` for their cost). With a
        `reference` row (A's first column a constant, see the class) the rows are centred
        at it: in float64 for the factor, in extended precision for the moments, so that
        they stay the data's moments where x − r rounds.

        >>> M = np.column_stack([np.ones(5), np.arange(5.0), 1 + 2 * np.arange(5.0)])
        >>> np.round(LeastSquaresStats.from_augmented(M, block_rows=3).optimum(), 12)
        array([1., 2.])
        """
        M = np.asarray(M, dtype=np.float64)
        n_rows, columns = M.shape
        row = None if reference is None else np.asarray(reference, dtype=np.float64)
        shift = None if row is None else subtracted(row)
        extended = extended_gram(M, shift) if moments else None
        if shift is not None:
            M = M - shift
        rows = max(block_rows or n_rows, columns)
        full = n_rows // rows * rows
        if full // rows < 2:
            return cls.from_factor(r_factor(M), n_rows, extended, reference=row)
        blocks = cast(Array, np.linalg.qr(M[:full].reshape(-1, rows, columns), mode="r"))
        stacked = np.vstack([blocks.reshape(-1, columns), M[full:]])
        return cls.from_factor(r_factor(stacked), n_rows, extended, reference=row)

    @classmethod
    def from_factor(
        cls,
        factor: Array,
        n_rows: int,
        moments: ExtendedArray | None = None,
        *,
        reference: ArrayLike | None = None,
    ) -> LeastSquaresStats:
        """Split a (p+1)×(p+1) triangular factor of [A | y] into R, z and ρ.

        With a `reference` row the factor is that of the rows centred at it (see the class).
        """
        p = factor.shape[1] - 1
        row, centred = None, None
        if reference is not None:
            row = np.asarray(reference, dtype=np.float64)
            centred = np.array(factor, dtype=np.float64)
            factor = uncentred(centred, row)
        R, z, rho = factor[:p, :p].copy(), factor[:p, p].copy(), abs(float(factor[p, p]))
        return cls(R, z, rho, n_rows, moments, row, centred)

    @functools.cached_property
    def singular(self) -> tuple[Array, Array]:
        """(σ, Vᵀ) of R = UΣVᵀ, σ descending, computed once for these statistics: the
        collinearity check and the Hessian's eigen-decomposition both read it (not to be
        changed in place)."""
        return r_svd(self.R)

    @functools.cached_property
    def column_norms(self) -> Array:
        """‖R_j‖ of every column of R, which are those of A (computed once, not to be changed)."""
        return column_norms(self.R)

    @functools.cached_property
    def has_full_rank(self) -> bool:
        """True when R has full rank, to rounding (`solve.full_rank`; computed once)."""
        return full_rank(self.R, self.column_norms)

    @property
    def n_weights(self) -> int:
        """Number of weights p (columns of A)."""
        return int(self.R.shape[0])

    @property
    def mass(self) -> float:
        """Σwᵢ over the rows of weighted statistics (each row scaled by √wᵢ), else the row
        count N: what an averaged loss (mse) divides by."""
        return float(self.n_rows) if self.weight_total is None else float(self.weight_total)

    def factor(self) -> Array:
        """The (p+1)×(p+1) triangular factor of [A | y] again (signs normalised)."""
        p = self.n_weights
        out = np.zeros((p + 1, p + 1))
        out[:p, :p] = self.R
        out[:p, p] = self.z
        out[p, p] = self.rho
        return out

    def raw_moments(self) -> ExtendedArray | None:
        """The extended-precision moments of the rows of [A | y] themselves (not centred)."""
        if self.moments is None or self.reference is None:
            return self.moments
        origin = np.zeros_like(self.reference)
        origin[0] = self.reference[0]
        return moved_moments(self.moments, self.reference, origin)

    def merge(self, other: LeastSquaresStats) -> LeastSquaresStats:
        """Statistics of the two row sets together: QR of the stacked factors."""
        return merge_all([self, other])

    def transformed(
        self, M: ArrayLike, *, reference_features: ArrayLike | None = None
    ) -> LeastSquaresStats:
        """Statistics of the same rows with A replaced by A·M (a change of weights w = Mv).

        The factor of [AM | y] is the triangular factor of [[RM, z], [0, ρ]]; no data pass.
        Centred statistics stay centred when M keeps the bias (M's first column a multiple
        of e₀): the new reference row is rᵀM, its feature entries `reference_features`
        when the caller knows them without the rounding M holds, as a standardisation does
        whose means are kept in two parts.
        """
        changed = self.transformed_rows(M, reference_features)
        return changed if self.weight_total is None else replace(changed, weight_total=self.mass)

    def transformed_rows(
        self, M: ArrayLike, reference_features: ArrayLike | None = None
    ) -> LeastSquaresStats:
        """`transformed`, before the rows' total weight is carried over."""
        M = np.asarray(M, dtype=np.float64)
        p = self.n_weights
        keeps_bias = M.shape == (p, p) and M[0, 0] != 0.0 and not M[1:, 0].any()
        if self.centred is None or self.reference is None or not keeps_bias:
            return transformed_factor(self.factor(), M, self.n_rows, self.raw_moments())
        moved = np.asarray(self.reference[:p].astype(np.longdouble) @ M, dtype=np.float64)
        if reference_features is not None:
            moved[1:] = np.asarray(reference_features, dtype=np.float64).reshape(p - 1)
        within = M.copy()
        within[0, 1:] = 0.0  # the bias column carries the shift: see `centring`
        row = np.concatenate([moved, self.reference[p:]])
        return transformed_factor(self.centred, within, self.n_rows, self.moments, row)

    def sum_squared_errors(self, w: ArrayLike) -> float:
        """Σ(Aw − y)² = ‖Rw − z‖² + ρ²."""
        gap = self.R @ np.asarray(w, dtype=np.float64) - self.z
        return float(gap @ gap + self.rho**2)

    def rank(self) -> int:
        """The number of independent columns of A (of R, to rounding): p unless columns are
        collinear, constant beside the bias, or all zero."""
        if self.has_full_rank:
            return self.n_weights
        scaled, _ = self.column_scaled()
        return int(np.linalg.matrix_rank(scaled))

    def least_sum_of_squares(self) -> float:
        """min_w Σ(Aw − y)²: ρ² when R has full rank; otherwise Σe² at the minimum-norm
        optimum, since the QR without pivoting then puts part of y's residual along a
        rounding-noise column of R, and ρ² alone comes out too small.

        >>> x = np.array([0.0, 1.0, 2.0])
        >>> stats = LeastSquaresStats.from_arrays(np.column_stack([x, 2 * x]), np.ones(3))
        >>> round(stats.least_sum_of_squares(), 12)
        1.2
        """
        if self.has_full_rank:
            return self.rho**2
        return self.sum_squared_errors(self.optimum())

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
        return column_scaled(self.R)

    def column_moments(self, intercept: bool = True) -> tuple[Array, Array, Array]:
        """(origin, offsets, spreads) of the feature columns, from the factor alone.

        With the bias (`intercept`, column 0, the constant k) each feature's mean is
        origin + offset, kept in two parts (the origin is the reference row, the offset the
        centred mean k·R₀ⱼ/R₀₀), and its spread the standard deviation √(Σᵢ≥₁ Rᵢⱼ²/N): the
        part of the column orthogonal to the bias, no E[x²] − mean² that cancels. Without
        the bias the origins and offsets are 0 and the spread is the root mean square
        ‖R·ⱼ‖/√N. Weighted statistics give the weighted means and spreads (N is then Σwᵢ).

        >>> x = 1e8 + np.array([0.0, 1.0, 2.0, 3.0])
        >>> stats = LeastSquaresStats.from_arrays(np.column_stack([np.ones(4), x]), np.ones(4))
        >>> origin, offset, spread = stats.column_moments()
        >>> origin.tolist(), offset.round(12).tolist(), spread.round(12).tolist()
        ([100000000.0], [1.5], [1.11803398875])
        """
        n = max(self.mass, 1e-300)  # N, or Σw of weighted rows
        if not intercept:
            zeros = np.zeros(self.n_weights)
            return zeros, zeros.copy(), np.linalg.norm(self.R, axis=0) / np.sqrt(n)
        p = self.n_weights
        factor, origin, k = self.factor(), np.zeros(p - 1), 1.0
        if self.centred is not None and self.reference is not None:
            factor, origin, k = self.centred, self.reference[1:p], float(self.reference[0])
        features = factor[:p, 1:p]
        offsets = k * features[0] / factor[0, 0] if factor[0, 0] != 0 else np.zeros(p - 1)
        spreads = np.linalg.norm(features[1:], axis=0) / np.sqrt(n)
        return origin.copy(), offsets, spreads

    def optimum(self) -> Array:
        """The least-squares weights w* solving Rw* = z, refined from the moments.

        Back substitution on the column-scaled factor (the centred one when there is one,
        the bias then mapped back to the data's units in extended precision) keeps the
        accuracy QR bought; a rank-deficient R falls back to the minimum-norm solution.
        Then `refine` adds what extended-precision normal-equation residuals can still
        tell (see the module notes).
        """
        p = self.n_weights
        if self.centred is not None and self.reference is not None:
            R, z = self.centred[:p, :p], self.centred[:p, p]
            if full_rank(R):
                return in_data_units(self.refine(solve_scaled(R, z)), self.reference)
        if not self.has_full_rank:
            scaled, norms = self.column_scaled()
            solution, *_ = np.linalg.lstsq(scaled, self.z, rcond=None)
            return cast(Array, solution / norms)
        solution = refined(self.factor(), self.raw_moments(), solve_scaled(self.R, self.z))
        return np.asarray(solution, dtype=np.float64)

    def refine(self, w: Array) -> ExtendedArray:
        """Iterative refinement of w, a solution of the statistics' own triangular system:
        the centred one when the pass centred (`centred`), else R·w = z.

        The answer comes back in extended precision; see `refined`.
        """
        if self.centred is not None:
            return refined(self.centred, self.moments, w)
        return refined(self.factor(), self.moments, w)


def refined(factor: Array, moments: ExtendedArray | None, w: Array) -> ExtendedArray:
    """w refined: δ from RᵀRδ = c − Gw with c, G from the moments of `factor`'s rows.

    Steps are taken only where `refinement_pays` (else the extended-precision residual is
    noise next to the QR's error, as on NIST's Filip) and each accepted step is followed
    by a correction at most half as large (evidence that the iteration contracts towards
    the true optimum); otherwise w comes back unchanged.
    """
    start = np.asarray(w, dtype=np.longdouble)
    if moments is None:
        return start
    p = factor.shape[0] - 1
    R, z, rho = factor[:p, :p], factor[:p, p], abs(float(factor[p, p]))
    scaled, norms = column_scaled(R)
    if not refinement_pays(scaled, z, rho, norms * np.asarray(w, dtype=np.float64)):
        return start
    gram, moment = moments[:p, :p], moments[:p, p]

    def correction(v: ExtendedArray) -> ExtendedArray:
        residual = np.asarray(moment - gram @ v, dtype=np.float64)
        return np.asarray(gram_solve(scaled, residual / norms) / norms, dtype=np.longdouble)

    delta = correction(start)
    for _ in range(REFINE_MAX_STEPS):
        candidate = start + delta
        following = correction(candidate)
        if not np.linalg.norm(following) < 0.5 * np.linalg.norm(delta):
            break
        start, delta = candidate, following
    return start


def transformed_factor(
    factor: Array,
    M: Array,
    n_rows: int,
    moments: ExtendedArray | None,
    reference: Array | None = None,
) -> LeastSquaresStats:
    """The statistics of the rows of `factor`'s data with A replaced by A·M (see `transformed`)."""
    p = M.shape[0]
    block = np.zeros((p + 1, p + 1))
    block[:p, :p] = factor[:p, :p] @ M
    block[:p, p] = factor[:p, p]
    block[p, p] = factor[p, p]
    moved = None
    if moments is not None and (p + 1) ** 3 <= MOMENTS_WORK_LIMIT:
        augmented = np.eye(p + 1, dtype=np.longdouble)
        augmented[:p, :p] = M
        moved = augmented.T @ moments @ augmented
    return LeastSquaresStats.from_factor(r_factor(block), n_rows, moved, reference=reference)


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


def extended_gram(M: Array, shift: ArrayLike | None = None) -> ExtendedArray:
    """MᵀM summed in extended precision (np.longdouble), of M − shift when given."""
    extended = np.array(M, dtype=np.longdouble)  # a copy: shifted in place, in long double
    if shift is not None:
        extended -= np.asarray(shift, dtype=np.float64)  # exact in long double
    return cast(ExtendedArray, extended.T @ extended)  # einsum's sums, in order, but faster


def r_factor(M: Array) -> Array:
    """The square upper-triangular factor R of M = QR, diagonal ≥ 0 (Q is never formed).

    LAPACK's raw output holds R above the diagonal of hᵀ (the reflectors below it); taking
    it through a kept mask is `qr(mode="r")` without the mask it builds anew each call
    (a seventh of a small pass).
    """
    raw, _ = np.linalg.qr(M, mode="raw")
    rows, columns = min(M.shape), M.shape[1]
    return square_r(np.where(upper_triangle(rows, columns), raw.T[:rows], 0.0))


@functools.lru_cache(maxsize=16)
def upper_triangle(rows: int, columns: int) -> NDArray[np.bool_]:
    """The (read-only) mask of the upper triangle of a rows × columns matrix."""
    mask = np.triu(np.ones((rows, columns), dtype=bool))
    mask.flags.writeable = False
    return mask


def square_r(R: Array) -> Array:
    """Pad a short R (fewer rows than columns) with zero rows and make its diagonal ≥ 0."""
    cols = R.shape[1]
    if R.shape[0] < cols:
        R = np.vstack([R, np.zeros((cols - R.shape[0], cols))])
    signs = np.where(R.diagonal() < 0, -1.0, 1.0)
    return cast(Array, R * signs[:, None])


def merge_all(parts: Iterable[LeastSquaresStats]) -> LeastSquaresStats:
    """Merge statistics of many row sets in one QR of all their stacked factors.

    Centred parts merge centred, every one moved to the first part's reference row first;
    when some part is not centred (or its bias constant differs), all merge as factors of
    the data itself.
    """
    parts = list(parts)
    if not parts:
        raise DataError("no data rows to build statistics from")
    if len(parts) == 1:
        return parts[0]
    merged = merge_rows(parts)
    if all(part.weight_total is None for part in parts):
        return merged
    return replace(merged, weight_total=sum(part.mass for part in parts))


def merge_rows(parts: list[LeastSquaresStats]) -> LeastSquaresStats:
    """`merge_all` of two or more parts, before their total weight is added up."""
    n_rows = sum(part.n_rows for part in parts)
    first = parts[0].reference
    centred = [
        (part.centred, part.reference, part.moments)
        for part in parts
        if part.centred is not None
        and part.reference is not None
        and first is not None
        and part.reference.size == first.size
        and part.reference[0] == first[0]
    ]
    if first is not None and len(centred) == len(parts):
        factors, moments = [], []
        for factor, row, extended in centred:
            factors.append(moved_factor(cast(Array, factor), cast(Array, row), first))
            if extended is not None:
                extended = moved_moments(extended, cast(Array, row), first)
            moments.append(extended)
        stacked = r_factor(np.vstack(factors))
        return LeastSquaresStats.from_factor(
            stacked, n_rows, merged_moments(moments), reference=first
        )
    stacked = np.vstack([part.factor() for part in parts])
    raw = merged_moments([part.raw_moments() for part in parts])
    return LeastSquaresStats.from_factor(r_factor(stacked), n_rows, raw)


def merged_moments(parts: list[ExtendedArray | None]) -> ExtendedArray | None:
    """The sum of the parts' moments, or None when some part has none."""
    present = [part for part in parts if part is not None]
    if len(present) < len(parts):
        return None
    return cast(ExtendedArray, np.sum(present, axis=0, dtype=np.longdouble))
