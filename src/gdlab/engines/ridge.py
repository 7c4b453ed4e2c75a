"""The ridge (L2) penalty: minimise L(w) + ½·λ·‖w‖², the bias b left unpenalised.

For a loss L = s·Σe² the penalty equals s·Σ of extra residuals √(λ/(2s))·w_j with target 0,
so the penalised problem is a least-squares problem on [A; √(λ/2s)·I] and its statistics are
the data's merged with those few rows: the optimum, the Hessian h·AᵀA + λ·I and every
learning-rate bound then come out of the same code as without a penalty.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.engines.base import Engine
from gdlab.errors import ConfigError
from gdlab.model.losses import Loss
from gdlab.onepass.lstsq import LeastSquaresStats


def check_l2(l2: float) -> float:
    """A ridge strength must be a finite number ≥ 0."""
    if not (np.isfinite(l2) and l2 >= 0):
        raise ConfigError(f"{{option}} must be a finite number ≥ 0, got {l2}", option="l2")
    return float(l2)


def penalty_mask(n_weights: int, intercept: bool) -> NDArray[np.float64]:
    """1 for each penalised weight, 0 for the bias (which ridge leaves free).

    >>> penalty_mask(3, intercept=True)
    array([0., 1., 1.])
    """
    mask = np.ones(n_weights)
    if intercept:
        mask[0] = 0.0
    return mask


def ridge_statistics(
    stats: LeastSquaresStats, l2: float, mask: NDArray[np.float64], loss: Loss
) -> LeastSquaresStats:
    """Statistics of the penalised problem: the data's merged with rows √(λ/2s)·e_j, y = 0."""
    if l2 == 0:
        return stats
    weight = np.sqrt(l2 / (2 * loss.sum_weight(stats.mass)))
    rows = np.diag(weight * mask)[mask > 0]
    extra = LeastSquaresStats.from_arrays(rows, np.zeros(rows.shape[0]))
    return replace(stats.merge(extra), n_rows=stats.n_rows, weight_total=stats.weight_total)


class RidgeEngine:
    """Any engine with the penalty added: L(w) + ½λ‖m⊙w‖² and ∇L(w) + λ·m⊙w."""

    def __init__(self, inner: Engine, l2: float, mask: NDArray[np.float64]) -> None:
        self.inner = inner
        self.l2 = check_l2(l2)
        self.mask = np.asarray(mask, dtype=inner.dtype)
        self.name = inner.name
        self.loss = inner.loss
        self.n_rows = inner.n_rows
        self.n_weights = inner.n_weights
        self.dtype = inner.dtype

    def loss_and_grad(self, w: NDArray[np.floating]) -> tuple[float, NDArray[np.floating]]:
        """The data loss and gradient plus the penalty's."""
        loss, grad = self.inner.loss_and_grad(w)
        masked = self.mask * w
        return loss + 0.5 * self.l2 * float(masked @ masked), grad + self.l2 * masked

    def statistics(self) -> LeastSquaresStats:
        """Statistics of the penalised least-squares problem (see `ridge_statistics`)."""
        return ridge_statistics(self.inner.statistics(), self.l2, self.mask, self.loss)

    def __getattr__(self, name: str) -> Any:
        """Anything else an engine offers comes from the wrapped engine."""
        return getattr(self.inner, name)
