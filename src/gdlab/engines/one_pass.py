"""One pass over [A | y] into `LeastSquaresStats`: the TSQR every statistics engine runs.

Rows are copied a cache-sized slab at a time into a buffer, all full blocks of a slab are
factored by one batched LAPACK call (`LeastSquaresStats.from_augmented`), and the slabs'
statistics merge in row order (`merge_all`), on a few threads. The data is read once and
never copied whole, so in-memory arrays, file batches and dask blocks all go through here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.lstsq import LeastSquaresStats, merge_all, wants_moments

#: Rows per QR block: [A | y] blocks this tall are factored together in one batched call.
BLOCK_ROWS = 2048
#: [A | y] is assembled and factored this many bytes at a time (cache-sized slabs).
SLAB_BYTES = 2**20
#: From this many values on, the pass pins BLAS to one thread (see `one_blas_thread`).
PIN_BLAS_VALUES = 2**18


def default_threads() -> int:
    """Threads for the statistics pass: the machine's cores, at most 8."""
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
) -> LeastSquaresStats:
    """TSQR of [part₀ | part₁ | …] (columns or blocks of columns, y last), slab by slab.

    Each slab of rows is copied into a cache-sized buffer and factored by
    `LeastSquaresStats.from_augmented`; the slabs' statistics merge in row order. The data
    is read once and never copied whole. `moments` (default: when `wants_moments` says the
    data is small enough) also sums the extended-precision moments that sharpen the optimum.

    >>> x = np.arange(5.0)
    >>> stats = augmented_statistics([np.ones(5), x, 1 + 2 * x], block_rows=2)
    >>> stats.n_rows, np.round(stats.optimum(), 12)
    (5, array([1., 2.]))
    """
    blocks_of_columns = [part.reshape(part.shape[0], -1) for part in parts]
    edges = np.cumsum([0, *(part.shape[1] for part in blocks_of_columns)])
    n_rows = parts[0].shape[0]
    block = block_rows or BLOCK_ROWS
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
            found.append(LeastSquaresStats.from_augmented(buffer[:size], block, extended))
        return merge_all(found)

    workers = min(threads or default_threads(), len(starts))
    share = -(-len(starts) // workers)
    ranges = [starts[i : i + share] for i in range(0, len(starts), share)]  # in row order
    with one_blas_thread(n_rows * int(edges[-1])):
        if workers == 1:
            return slabs(starts)
        with ThreadPoolExecutor(workers) as pool:
            return merge_all(pool.map(slabs, ranges))


def array_statistics(
    A: ArrayLike, y: ArrayLike, chunk_rows: int | None = None, threads: int | None = None
) -> LeastSquaresStats:
    """TSQR of in-memory [A | y] in blocks of `chunk_rows` rows (see `augmented_statistics`).

    >>> A = np.column_stack([np.ones(5), np.arange(5.0)])
    >>> stats = array_statistics(A, 1 + 2 * np.arange(5.0), chunk_rows=2)
    >>> stats.n_rows, np.round(stats.optimum(), 12)
    (5, array([1., 2.]))
    """
    A = np.asarray(A, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return augmented_statistics([A, y], chunk_rows, threads)


def all_finite(stats: LeastSquaresStats) -> bool:
    """True when the statistics hold no NaN/inf (their data had none and did not overflow)."""
    finite = np.isfinite(stats.R).all() and np.isfinite(stats.z).all()
    return bool(finite and np.isfinite(stats.rho))
