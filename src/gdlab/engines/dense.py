"""The dense engine: data in memory, every row touched at every step (as the seed does)."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import ConfigError
from gdlab.model.losses import HuberLoss, Loss
from gdlab.onepass.lstsq import LeastSquaresStats

DTYPES = {"float64": np.float64, "float32": np.float32}


def resolve_dtype(dtype: str) -> np.dtype:
    """The numpy dtype for 'float64' or 'float32'."""
    try:
        return np.dtype(DTYPES[dtype])
    except KeyError:
        raise ConfigError(f"unknown dtype '{dtype}'; choose float64 or float32") from None


def check_range(A: NDArray[np.float64], y: NDArray[np.float64], dtype: np.dtype) -> None:
    """float32 squares overflow beyond ≈1.8e19: refuse data whose errors could reach that.

    float64 needs no scan (a full pass over the data): `from_arrays` already refuses values
    beyond ±1e100, far inside float64's range for squares.
    """
    if dtype == np.float64:
        return
    limit = np.sqrt(np.finfo(dtype).max) / 1e3
    largest = max(float(np.max(np.abs(A), initial=0.0)), float(np.max(np.abs(y), initial=0.0)))
    if largest > limit:
        raise ConfigError(
            f"values up to {largest:.3g} are too large for {dtype.name}: squared errors "
            f"would overflow; use float64 or rescale the data"
        )


class DenseEngine:
    """L(w) and ∇L(w) = Aᵀ·dL/de from the full design matrix, in the chosen dtype.

    Rows of weighted least squares come scaled by √wᵢ; `mass` is then Σwᵢ (else N), what
    an averaged loss divides by.
    """

    name = "dense"

    def __init__(
        self,
        A: ArrayLike,
        y: ArrayLike,
        loss: Loss,
        dtype: str = "float64",
        statistics: LeastSquaresStats | None = None,
        mass: float | None = None,
    ) -> None:
        self.dtype = resolve_dtype(dtype)
        if statistics is not None:
            self.__dict__["_stats"] = statistics  # computed already (`cached_property`)
        self._A64 = np.asarray(A, dtype=np.float64)
        self._y64 = np.asarray(y, dtype=np.float64)
        check_range(self._A64, self._y64, self.dtype)
        self.A = self._A64.astype(self.dtype, copy=False)
        self.y = self._y64.astype(self.dtype, copy=False)
        self.loss = loss
        self.n_rows, self.n_weights = self.A.shape
        self.mass = float(self.n_rows if mass is None else mass)

    def loss_and_grad(self, w: NDArray[np.floating]) -> tuple[float, NDArray[np.floating]]:
        """One pass over the rows: e = Aw − y, L(e), Aᵀ·dL/de."""
        residual = self.A @ w - self.y
        slope = self.loss.residual_gradient(residual, self.mass)
        return self.loss.value(residual, self.mass), self.A.T @ slope

    @cached_property
    def _stats(self) -> LeastSquaresStats:
        stats = LeastSquaresStats.from_arrays(self._A64, self._y64)
        if self.mass == self.n_rows:
            return stats
        return replace(stats, weight_total=self.mass)  # rows scaled by √w: their Σw

    def statistics(self) -> LeastSquaresStats:
        """The QR statistics of the float64 data (given, or computed once on first use)."""
        return self._stats

    def optimum(self) -> tuple[NDArray[np.float64], float]:
        """The loss's minimiser over all rows and the loss there (QR solve, or IRLS for Huber)."""
        from gdlab.engines.robust import huber_minimum

        if isinstance(self.loss, HuberLoss):
            weights = huber_minimum(self._A64, self._y64, self.loss)
        else:
            weights = self._stats.optimum()
        return weights, self.loss.value(self._A64 @ weights - self._y64, self.mass)
