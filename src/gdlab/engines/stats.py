"""The stats engine: one pass builds the QR statistics, then every step costs O(p²), whatever N.

For a quadratic loss L = s·Σe² (docs/design.md, "one pass"), with R, z, ρ the triangular
factor of [A | y]:

* L(w) = s·(‖Rw − z‖² + ρ²)            (a sum of squares: exact near a perfect fit)
* ∇L(w) = h·Rᵀ(Rw − z)                  (h = 2s: 1 for l2, 2/N for mse)

The iterates are the seed's, w ← w − lr·∇L(w), up to floating-point rounding. The pass itself
lives in `gdlab.onepass`; the stream and dask engines are this engine with their own
pass.
"""

from __future__ import annotations

from operator import mul

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.engines.dense import check_range, resolve_dtype
from gdlab.errors import ConfigError
from gdlab.model.losses import Loss
from gdlab.model.standardize import Standardization
from gdlab.onepass.arrays import array_statistics
from gdlab.onepass.lstsq import LeastSquaresStats

Array = NDArray[np.floating]

#: Up to this many weights the fused loop runs on Python floats (cheaper than numpy calls).
SCALAR_LOOP_MAX_WEIGHTS = 6


def check_statistics_range(stats: LeastSquaresStats, dtype: np.dtype) -> None:
    """float32 squares overflow beyond ≈1.8e19: refuse statistics whose squares could reach
    that (the data's check, `check_range`, for passes that never held the rows)."""
    if dtype == np.float64:
        return
    limit = float(np.sqrt(np.finfo(dtype).max)) / 1e3
    largest = float(np.max(np.abs(stats.factor()), initial=0.0))
    if not largest <= limit:
        raise ConfigError(
            f"the data's one-pass statistics reach {largest:.3g}, too large for {dtype.name}: "
            f"squared errors would overflow; use float64 or rescale the data"
        )


def require_quadratic(loss: Loss, engine: str) -> None:
    """Statistics engines run quadratic losses only; say which engine can run the others."""
    if not loss.is_quadratic:
        raise ConfigError(
            f"the {engine} engine needs a quadratic loss (l2 or mse), not {loss.name}; "
            "use the dense engine (or auto)"
        )


class StatsEngine:
    """L(w) and ∇L(w) of a quadratic loss from one-pass QR statistics (no row touched again)."""

    name = "stats"

    def __init__(
        self,
        stats: LeastSquaresStats,
        loss: Loss,
        dtype: str = "float64",
        name: str | None = None,
    ) -> None:
        if name is not None:
            self.name = name  # the pass that built the statistics: stats, stream or dask
        require_quadratic(loss, self.name)
        self.dtype = resolve_dtype(dtype)
        check_statistics_range(stats, self.dtype)
        self.loss = loss
        self.stats = stats
        self.n_rows = stats.n_rows
        self.n_weights = stats.n_weights
        self._sum_weight = loss.sum_weight(stats.mass)  # N, or Σw of weighted rows
        self._curvature = loss.curvature_scale(stats.mass)
        self._R = stats.R.astype(self.dtype, copy=False)  # read, never written
        self._z = stats.z.astype(self.dtype, copy=False)
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
        cls.check_data(A, y, dtype)
        return cls(array_statistics(A, y, chunk_rows, threads), loss, dtype)

    @staticmethod
    def check_data(A: ArrayLike, y: ArrayLike, dtype: str) -> None:
        """Refuse data whose squared errors would overflow in `dtype` (see `check_range`)."""
        A64, y64 = np.asarray(A, dtype=np.float64), np.asarray(y, dtype=np.float64)
        check_range(A64, y64, resolve_dtype(dtype))

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
        point then comes in one go from the sum of squares s·(‖Rw − z‖² + ρ²). A diverging
        run's inf/NaN are left to the caller (`train` silences their warnings).
        """
        start = np.asarray(w0, dtype=self.dtype)
        K = (-factor * self._curvature) * self._gram
        b = (-factor * self._curvature) * self._moment
        if self.dtype == np.float64 and self.n_weights <= SCALAR_LOOP_MAX_WEIGHTS:
            path = scalar_descent(K, b, start, steps)
        else:
            path = array_descent(K.astype(self.dtype), b.astype(self.dtype), start, steps)
        gaps = path @ self._R.T - self._z
        losses = self._sum_weight * (np.einsum("ij,ij->i", gaps, gaps) + self._rho_squared)
        return path, losses

    def path_gradients(self, path: ArrayLike) -> Array:
        """∇L(w) = h·(Gw − c) at every row w of `path`, in one matrix product (for traces;
        inf/NaN on a diverging path, warned about only outside `train`)."""
        points = np.asarray(path, dtype=np.float64)
        gradients = self._curvature * (points @ self._gram - self._moment)
        return gradients.astype(self.dtype, copy=False)


def standardized_statistics(
    stats: LeastSquaresStats, scaling: Standardization
) -> LeastSquaresStats:
    """The statistics in standardised coordinates v (w = M·v, M = `scaling.to_original()`).

    No second pass: the design A·M has the factor of R·M. Centred statistics stay centred:
    their reference row lands at ((a − origin) − offset)/s, computed from the two-part
    means (exactly −offset/s when the reference is the standardisation's origin), where
    M's entries −m/s hold m rounded to float64.
    """
    p = stats.n_weights
    moved = None
    if scaling.intercept and stats.reference is not None:
        moved = scaling.apply(stats.reference[None, 1:p])[0]
    return stats.transformed(scaling.to_original(), reference_features=moved)


def scalar_descent(K: Array, b: Array, w0: Array, steps: int) -> Array:
    """w ← w − (Kw − b), `steps` times, on Python floats (small p: no numpy call per step)."""
    if b.size == 2:
        return pair_descent(K, b, w0, steps)
    rows, offsets, weights = K.tolist(), b.tolist(), range(b.size)
    w = w0.tolist()
    path = [w]
    for _ in range(steps):
        w = [w[i] - (sum(map(mul, rows[i], w)) - offsets[i]) for i in weights]
        path.append(w)
    return np.array(path)


def pair_descent(K: Array, b: Array, w0: Array, steps: int) -> Array:
    """`scalar_descent` for two weights (a bias and one slope, the seed's model), written out:
    the same sums in the same order, at a fifth of the generic loop's cost."""
    (k00, k01), (k10, k11) = K.tolist()
    b0, b1 = b.tolist()
    u, v = w0.tolist()
    path = [u, v]  # flat: one list of floats converts faster than a list of pairs
    append = path.append
    for _ in range(steps):
        u, v = u - (k00 * u + k01 * v - b0), v - (k10 * u + k11 * v - b1)
        append(u)
        append(v)
    return np.array(path).reshape(steps + 1, 2)


def array_descent(K: Array, b: Array, w0: Array, steps: int) -> Array:
    """w ← w − (Kw − b), `steps` times, with numpy (any p, any dtype)."""
    path = np.empty((steps + 1, w0.size), dtype=w0.dtype)
    path[0] = w0
    for step in range(steps):
        w = path[step]
        path[step + 1] = w - (K @ w - b)
    return path
