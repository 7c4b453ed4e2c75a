"""One pass over [A | y] into `LeastSquaresStats`: the TSQR every statistics engine runs.

`pass_statistics` is the entry point. Large passes run the compiled Householder kernel of
`gdlab.onepass.householder` (the data is read once, at about memory speed), split over a few
threads, when numba is installed (the `fast` extra: ``pip install 'gdlab[fast]'``).
Smaller passes, where loading the kernel would cost more than it saves, passes without
numba, and passes that also sum the extended-precision moments that sharpen the optimum (see
`gdlab.onepass.lstsq.wants_moments`), take the LAPACK route below: rows are copied a cache-sized
slab at a time into a buffer, all full blocks of a slab are factored by one batched LAPACK
call (`LeastSquaresStats.from_augmented`), and the slabs' statistics merge in row order
(`merge_all`), on a few threads. Either way the data is read once and never copied whole,
so in-memory arrays, file batches and dask blocks all go through here.

With a bias column (`intercept`, or a constant first column in `features`) both routes
factor the rows centred at the first row (`gdlab.onepass.centring`): columns far from
zero keep their digits, and the statistics keep that reference row, so nothing of the
data's own units is lost.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.onepass.centring import leading_constant, reference_row, subtracted
from gdlab.onepass.lstsq import LeastSquaresStats, merge_all, square_r, wants_moments

#: Rows per QR block: [A | y] blocks this tall are factored together in one batched call.
BLOCK_ROWS = 2048
#: [A | y] is assembled and factored this many bytes at a time (cache-sized slabs).
SLAB_BYTES = 2**20
#: From this many values on, the pass pins BLAS to one thread (see `one_blas_thread`).
PIN_BLAS_VALUES = 2**18
#: Up to this many columns of [A | y] the compiled kernel beats LAPACK's blocked QR
#: (measured: 3.7× faster at 65 columns, 1.6× at 201).
KERNEL_MAX_COLUMNS = 256
#: From this many values of [A | y] on, the kernel's pass plus loading it (numba and its
#: cached code: ~0.45 s and ~140 MB, once per process) beats LAPACK's pass (measured:
#: `gdlab fit` on 1e7 × 2 rows 1.2 s with LAPACK, 1.7 s with the kernel loaded cold;
#: passes of 1e8 rows 1.6 s against 0.45 s).
KERNEL_MIN_VALUES = 2**24
#: A factor whose nonzero columns peak outside [2⁻⁴⁵⁰, 2⁴⁵⁰] may have over- or underflowed
#: in the kernel's unscaled squares; LAPACK (which scales) redoes such passes.
SAFE_MAGNITUDE = 2.0**450


@functools.cache
def default_threads() -> int:
    """Threads for the statistics pass: the machine's cores, at most 8 (asked once: asking
    costs a few µs, a tenth of a small pass)."""
    return max(1, min(8, os.cpu_count() or 1))


@contextmanager
def one_blas_thread(values: int = PIN_BLAS_VALUES) -> Iterator[None]:
    """BLAS on one thread while the pass runs, for passes of at least `values` values.

    The pass makes thousands of small LAPACK calls, from several threads of its own; a
    multithreaded BLAS then spends its time synchronising (measured here: 100× slower for
    p = 101 on a busy 2-core machine).
    """
    if values < PIN_BLAS_VALUES:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def slab_rows(n_columns: int, block_rows: int = BLOCK_ROWS) -> int:
    """Rows per slab: about `SLAB_BYTES` of [A | y], a whole number of blocks."""
    blocks = max(1, SLAB_BYTES // (8 * n_columns * block_rows))
    return blocks * max(block_rows, n_columns)


def augmented_statistics(
    parts: Sequence[NDArray[np.floating]],
    block_rows: int | None = None,
    threads: int | None = None,
    moments: bool | None = None,
    *,
    reference: NDArray[np.float64] | None = None,
) -> LeastSquaresStats:
    """TSQR of [part₀ | part₁ | …] (columns or blocks of columns, y last), slab by slab.

    Each slab of rows is copied into a cache-sized buffer and factored by
    `LeastSquaresStats.from_augmented`; the slabs' statistics merge in row order. The data
    is read once and never copied whole. `moments` (default: when `wants_moments` says the
    data is small enough) also sums the extended-precision moments that sharpen the optimum.
    With a `reference` row (part₀ a constant: the bias) the rows are centred at it (see
    `gdlab.onepass.centring`).

    >>> x = np.arange(5.0)
    >>> stats = augmented_statistics([np.ones(5), x, 1 + 2 * x], block_rows=2)
    >>> stats.n_rows, np.round(stats.optimum(), 12)
    (5, array([1., 2.]))
    """
    n_rows = parts[0].shape[0]
    block = block_rows or BLOCK_ROWS
    if n_rows <= block:  # one block (a small table): one QR of the whole, no slabs or threads
        whole = np.column_stack(parts)
        extended = wants_moments(n_rows, whole.shape[1]) if moments is None else moments
        return LeastSquaresStats.from_augmented(whole, block, extended, reference=reference)
    blocks_of_columns = [part.reshape(part.shape[0], -1) for part in parts]
    edges = np.cumsum([0, *(part.shape[1] for part in blocks_of_columns)])
    rows = slab_rows(int(edges[-1]), block)
    starts = range(0, max(n_rows, 1), rows)
    extended = wants_moments(n_rows, int(edges[-1])) if moments is None else moments

    def slabs(chunk: range) -> LeastSquaresStats:
        buffer = np.empty((min(rows, n_rows), int(edges[-1])))
        found = []
        for start in chunk:
            size = min(rows, n_rows - start)
            for part, left, right in zip(blocks_of_columns, edges, edges[1:], strict=False):
                buffer[:size, left:right] = part[start : start + size]
            found.append(
                LeastSquaresStats.from_augmented(
                    buffer[:size], block, extended, reference=reference
                )
            )
        return merge_all(found)

    workers = min(threads or default_threads(), len(starts))
    share = -(-len(starts) // workers)
    ranges = [starts[i : i + share] for i in range(0, len(starts), share)]  # in row order
    with one_blas_thread(n_rows * int(edges[-1])):
        if workers == 1:
            return slabs(starts)
        with ThreadPoolExecutor(workers) as pool:
            return merge_all(pool.map(slabs, ranges))


def wants_kernel(n_values: float, n_columns: int) -> bool:
    """True when a pass over `n_values` values of [A | y] should run the compiled kernel.

    Below `KERNEL_MIN_VALUES` LAPACK's pass costs less than loading the kernel once; above
    `KERNEL_MAX_COLUMNS` columns LAPACK's blocked QR is the faster one; without numba
    (`kernel_available`) LAPACK's is the only one.

    >>> wants_kernel(1e6 * 3, 3), wants_kernel(1e7 * 300, 300)
    (False, False)
    >>> wants_kernel(1e7 * 3, 3) == kernel_available()
    True
    """
    large = n_values >= KERNEL_MIN_VALUES and n_columns <= KERNEL_MAX_COLUMNS
    return bool(large and kernel_available())


def kernel_available() -> bool:
    """True when numba, which compiles the kernel, is installed (the `fast` extra)."""
    try:
        return importlib.util.find_spec("numba") is not None
    except ValueError:  # in sys.modules without a spec
        return sys.modules.get("numba") is not None


def pass_statistics(
    features: NDArray[np.floating] | Sequence[NDArray[np.floating]],
    target: NDArray[np.floating],
    intercept: bool = False,
    block_rows: int | None = None,
    threads: int | None = None,
    moments: bool | None = None,
    kernel: bool | None = None,
    weights: NDArray[np.floating] | None = None,
) -> LeastSquaresStats:
    """The statistics of [1 | features | target] from one pass (ones only with `intercept`).

    With `weights` (wᵢ ≥ 0, one per row) each row is scaled by √wᵢ: the statistics of
    weighted least squares, whose Σe² is Σwᵢeᵢ² (see `weighted_statistics`).

    `features` is a 2-D array or a sequence of 1-D columns; a constant first column of a
    2-D array (a design matrix's bias) is the bias, ones standing for `intercept`. With a
    bias the rows are centred at the first row (see the module notes). The compiled kernel runs when
    `kernel` says so (default: `wants_kernel` for this pass's size) on `threads` contiguous
    row ranges, merged in row order; otherwise, or when extended-precision `moments` are
    summed too (default: `wants_moments`, small data only), the LAPACK TSQR runs. Callers
    that split one large pass into many small ones (file batches, dask blocks) decide
    `kernel` and `moments` once for the whole pass.

    >>> x = np.arange(6.0)
    >>> stats = pass_statistics([x], 1 + 2 * x, intercept=True, kernel=True, moments=False)
    >>> stats.n_rows, np.round(stats.optimum(), 12)
    (6, array([1., 2.]))
    """
    constant = None
    if isinstance(features, np.ndarray):
        if not intercept and features.ndim == 2:
            constant = leading_constant(features)
        if constant == 1.0:  # ones: the kernel's own bias column
            features, intercept, constant = features[:, 1:], True, None
        columns = (
            [features[:, j] for j in range(features.shape[1])] if features.ndim == 2 else [features]
        )
    else:
        columns = list(features)
    n_rows, q = target.shape[0], int(intercept) + len(columns) + 1
    extended = wants_moments(n_rows, q) if moments is None else moments
    compiled = wants_kernel(n_rows * q, q) if kernel is None else kernel
    if weights is not None:
        root = np.sqrt(np.asarray(weights, dtype=np.float64))
        pass_ = WeightedPass(columns, target, root, intercept, block_rows, threads)
        return pass_.statistics(extended, compiled)
    reference = reference_row(columns, target) if intercept else None
    if compiled and not extended:
        stats = kernel_statistics(columns, target, intercept, block_rows, threads, reference)
        if stats is not None:
            return stats
    if constant is not None:  # a bias column of another constant, among the data's columns
        reference = reference_row(columns[1:], target, constant)
    ones = [ones_column(n_rows)] if intercept else []
    parts = [*ones, *columns, target]
    stats = augmented_statistics(parts, block_rows, threads, extended, reference=reference)
    if reference is not None and not all_finite(stats):  # centring overflowed: as they are
        return augmented_statistics(parts, block_rows, threads, extended)
    return stats


def ones_column(n_rows: int) -> NDArray[np.float64]:
    """The bias's column of ones: made for one block's rows, a read-only view of a single 1
    beyond (a column of 10⁸ ones would cost 800 MB)."""
    return np.ones(n_rows) if n_rows <= BLOCK_ROWS else np.broadcast_to(1.0, n_rows)


def kernel_statistics(
    columns: Sequence[NDArray[np.floating]],
    target: NDArray[np.floating],
    intercept: bool,
    block_rows: int | None = None,
    threads: int | None = None,
    reference: NDArray[np.float64] | None = None,
) -> LeastSquaresStats | None:
    """The compiled kernel's pass on `threads` row ranges; None when its factor is suspect,
    or when numba is not installed.

    With a `reference` row (only with `intercept`: its first entry is the ones' 1) the
    kernel centres the rows at it as it reads them.

    Suspect means not finite or out of the range where unscaled squares are exact to
    rounding (see `SAFE_MAGNITUDE`): the caller then redoes the pass with LAPACK, which
    also turns NaN and infinity in the data into a non-finite result of its own.
    """
    if not kernel_available():
        return None  # LAPACK's pass gives the same statistics, more slowly
    from gdlab.onepass.householder import BLOCK_ROWS, factor_rows, uniform_columns

    columns = uniform_columns(columns)
    n_rows = target.shape[0]
    block = block_rows or BLOCK_ROWS
    shift = None if reference is None else subtracted(reference)

    def factor(start: int, stop: int) -> LeastSquaresStats:
        R = factor_rows(columns, target, intercept, start, stop, block, shift)
        return LeastSquaresStats.from_factor(square_r(R), stop - start, reference=reference)

    return ranged_factor(factor, n_rows, block, threads)


def ranged_factor(
    factor: Callable[[int, int], LeastSquaresStats], n_rows: int, block: int, threads: int | None
) -> LeastSquaresStats | None:
    """The compiled kernel's `factor(start, stop)` over contiguous row ranges on threads,
    merged in row order; None when the factor is suspect (non-finite, or entries whose
    unscaled squares over- or underflow: LAPACK then redoes the pass)."""
    workers = max(1, min(threads or default_threads(), n_rows // (4 * block)))
    edges = [n_rows * i // workers for i in range(workers + 1)]
    if workers == 1:
        stats = factor(0, n_rows)
    else:
        with ThreadPoolExecutor(workers) as pool:
            stats = merge_all(pool.map(factor, edges[:-1], edges[1:]))
    peaks = np.abs(stats.factor()).max(axis=0)
    in_range = (peaks == 0) | ((peaks > 1 / SAFE_MAGNITUDE) & (peaks < SAFE_MAGNITUDE))
    return stats if np.isfinite(peaks).all() and in_range.all() else None


@dataclass(frozen=True)
class WeightedPass:
    """The pass of weighted least squares: row i of [1 | X | y] scaled by rootᵢ = √wᵢ.

    With a bias the rows are centred at the first row before they are scaled, as in the
    unweighted pass: the factor of [√w | √w(X − r) | √w(y − r_y)] is that of the data
    centred at r with the bias column √w in place of ones, and the `centring` algebra holds
    unchanged (its bias constant k = 1 multiplies that column). The statistics record
    Σwᵢ (`LeastSquaresStats.mass`), which averaged losses divide by.
    """

    columns: Sequence[NDArray[np.floating]]
    target: NDArray[np.floating]
    root: NDArray[np.float64]
    intercept: bool
    block_rows: int | None = None
    threads: int | None = None

    def statistics(self, moments: bool, kernel: bool) -> LeastSquaresStats:
        """The weighted statistics, compiled or through LAPACK (with the moments)."""
        reference = reference_row(self.columns, self.target) if self.intercept else None
        q = int(self.intercept) + len(self.columns) + 1
        shift = subtracted(reference) if reference is not None else np.zeros(q)
        stats = self.kernel(shift) if kernel and not moments else None
        if stats is None:
            offset = int(self.intercept)
            parts = [self.root] if self.intercept else []
            parts += [
                self.root * (np.asarray(column, dtype=np.float64) - shift[offset + j])
                for j, column in enumerate(self.columns)
            ]
            parts.append(self.root * (np.asarray(self.target, dtype=np.float64) - shift[-1]))
            stats = augmented_statistics(parts, self.block_rows, self.threads, moments)
        total = float(np.sum(self.root * self.root))
        rebuilt = LeastSquaresStats.from_factor(
            stats.factor(), stats.n_rows, stats.moments, reference=reference
        )
        return replace(rebuilt, weight_total=total)

    def kernel(self, shift: NDArray[np.float64]) -> LeastSquaresStats | None:
        """The compiled pass over the scaled rows, or None when its factor is suspect."""
        from gdlab.onepass.householder import BLOCK_ROWS, factor_weighted_rows, uniform_columns

        columns = uniform_columns(self.columns)
        block = self.block_rows or BLOCK_ROWS

        def factor(start: int, stop: int) -> LeastSquaresStats:
            R = factor_weighted_rows(
                columns, self.target, self.root, self.intercept, start, stop, block, shift
            )
            return LeastSquaresStats.from_factor(square_r(R), stop - start)

        return ranged_factor(factor, self.target.shape[0], block, self.threads)


def array_statistics(
    A: ArrayLike, y: ArrayLike, chunk_rows: int | None = None, threads: int | None = None
) -> LeastSquaresStats:
    """TSQR of in-memory [A | y] in blocks of `chunk_rows` rows (see `pass_statistics`).

    >>> A = np.column_stack([np.ones(5), np.arange(5.0)])
    >>> stats = array_statistics(A, 1 + 2 * np.arange(5.0), chunk_rows=2)
    >>> stats.n_rows, np.round(stats.optimum(), 12)
    (5, array([1., 2.]))
    """
    A = np.asarray(A, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return pass_statistics(A, y, block_rows=chunk_rows, threads=threads)


def all_finite(stats: LeastSquaresStats) -> bool:
    """True when the statistics hold no NaN/inf (their data had none and did not overflow)."""
    finite = math.isfinite(stats.rho) and np.isfinite(stats.R).all()
    return bool(finite and np.isfinite(stats.z).all())
