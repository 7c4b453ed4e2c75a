"""The stats engine: one pass builds the QR statistics, then every step costs O(p²), whatever N.

For a quadratic loss L = s·Σe² (DESIGN.md §3), with R, z, ρ the triangular factor of [A | y]:

* L(w) = s·(‖Rw − z‖² + ρ²)            (a sum of squares: exact near a perfect fit)
* ∇L(w) = h·Rᵀ(Rw − z)                  (h = 2s: 1 for l2, 2/N for mse)

The iterates are the seed's, w ← w − lr·∇L(w), up to floating-point rounding. The pass
splits into row chunks (cache-sized QRs, run on a few threads) merged by `merge_all`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from operator import mul

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.engines.dense import resolve_dtype
from gdlab.errors import ConfigError
from gdlab.losses import Loss
from gdlab.lstsq import LeastSquaresStats, merge_all

Array = NDArray[np.floating]

#: Up to this many weights the fused loop runs on Python floats (cheaper than numpy calls).
SCALAR_LOOP_MAX_WEIGHTS = 6
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
) -> LeastSquaresStats:
    """TSQR of [part₀ | part₁ | …] (columns or blocks of columns, y last), slab by slab.

    Each slab of rows is copied into a cache-sized buffer and factored by
    `LeastSquaresStats.from_augmented`; the slabs' statistics merge in row order. The data
    is read once and never copied whole.

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

    def slabs(chunk: range) -> LeastSquaresStats:
        buffer = np.empty((rows, int(edges[-1])))
        found = []
        for start in chunk:
            size = min(rows, n_rows - start)
            for part, left, right in zip(blocks_of_columns, edges, edges[1:], strict=False):
                buffer[:size, left:right] = part[start : start + size]
            found.append(LeastSquaresStats.from_augmented(buffer[:size], block))
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


def require_quadratic(loss: Loss, engine: str) -> None:
    """Statistics engines run quadratic losses only; say which engine can run the others."""
    if not loss.is_quadratic:
        raise ConfigError(
            f"the {engine} engine needs a quadratic loss (l2 or mse), not {loss.name}; "
            "use --engine dense (or auto)"
        )


def all_finite(stats: LeastSquaresStats) -> bool:
    """True when the statistics hold no NaN/inf (their data had none and did not overflow)."""
    return bool(
        np.isfinite(stats.R).all() and np.isfinite(stats.z).all() and np.isfinite(stats.rho)
    )


class StatsEngine:
    """L(w) and ∇L(w) of a quadratic loss from one-pass QR statistics (no row touched again)."""

    name = "stats"

    def __init__(self, stats: LeastSquaresStats, loss: Loss, dtype: str = "float64") -> None:
        require_quadratic(loss, self.name)
        self.dtype = resolve_dtype(dtype)
        self.loss = loss
        self.stats = stats
        self.n_rows = stats.n_rows
        self.n_weights = stats.n_weights
        self._sum_weight = loss.sum_weight(stats.n_rows)
        self._curvature = loss.curvature_scale(stats.n_rows)
        self._R = stats.R.astype(self.dtype)
        self._z = stats.z.astype(self.dtype)
        self._rho_squared = stats.rho**2
        self._gram = stats.R.T @ stats.R  # G = AᵀA and c = Aᵀy, for the fused loop
        self._moment = stats.R.T @ stats.z

    @classmethod
    def from_arrays(
        cls,
        A: ArrayLike,
        y: ArrayLike,
        loss: Loss,
        dtype: str = "float64",
        chunk_rows: int | None = None,
        threads: int | None = None,
    ) -> StatsEngine:
        """One pass over in-memory A and y (see `array_statistics`)."""
        return cls(array_statistics(A, y, chunk_rows, threads), loss, dtype)

    def loss_and_grad(self, w: NDArray[np.floating]) -> tuple[float, NDArray[np.floating]]:
        """L(w) = s·(‖Rw − z‖² + ρ²) and ∇L(w) = h·Rᵀ(Rw − z), O(p²)."""
        gap = self._R @ w - self._z
        return float(self._sum_weight * (gap @ gap + self._rho_squared)), self._curvature * (
            self._R.T @ gap
        )

    def statistics(self) -> LeastSquaresStats:
        """The QR statistics the engine runs on."""
        return self.stats

    def descend(self, w0: ArrayLike, factor: float, steps: int) -> tuple[Array, Array]:
        """Plain GD fused: `steps` updates w ← w + factor·∇L(w); the path (w0 first) and losses.

        The steps are the real recurrence, one after another: with K = −factor·h·G and
        b = −factor·h·c (G = RᵀR, c = Rᵀz) each is w ← w − (Kw − b). The loss at every
        point then comes in one go from the sum of squares s·(‖Rw − z‖² + ρ²).
        """
        K = (-factor * self._curvature) * self._gram
        b = (-factor * self._curvature) * self._moment
        start = np.asarray(w0, dtype=self.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            if self.dtype == np.float64 and self.n_weights <= SCALAR_LOOP_MAX_WEIGHTS:
                path = scalar_descent(K, b, start, steps)
            else:
                path = array_descent(K.astype(self.dtype), b.astype(self.dtype), start, steps)
            gaps = path @ self._R.T - self._z
            losses = self._sum_weight * (np.einsum("ij,ij->i", gaps, gaps) + self._rho_squared)
        return path, losses


def scalar_descent(K: Array, b: Array, w0: Array, steps: int) -> Array:
    """w ← w − (Kw − b), `steps` times, on Python floats (small p: no numpy call per step)."""
    rows, offsets, weights = K.tolist(), b.tolist(), range(b.size)
    w = w0.tolist()
    path = [w]
    for _ in range(steps):
        w = [w[i] - (sum(map(mul, rows[i], w)) - offsets[i]) for i in weights]
        path.append(w)
    return np.array(path)


def array_descent(K: Array, b: Array, w0: Array, steps: int) -> Array:
    """w ← w − (Kw − b), `steps` times, with numpy (any p, any dtype)."""
    path = np.empty((steps + 1, w0.size), dtype=w0.dtype)
    path[0] = w0
    for step in range(steps):
        w = path[step]
        path[step + 1] = w - (K @ w - b)
    return path
