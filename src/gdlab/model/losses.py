"""Losses of the residual e = ŷ − y.

`l2` is the seed's ``reduce_mean(l2_loss(e))`` = ½·Σe² (TensorFlow's l2_loss is already a
scalar, so the mean changes nothing); `mse` is mean(e²). Both are quadratic in w, so their
curvature is a multiple of G = AᵀA: `curvature_scale` gives that multiple (1 for l2, 2/N
for mse), which is what learning-rate bounds need. `huber` is quadratic only near zero, so it
runs on an engine that touches the rows every step.

`n_rows` lets a mini-batch use the full data's weighting: an averaged loss divides by N, not
by the batch size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.errors import ConfigError


@dataclass(frozen=True)
class Loss:
    """A quadratic loss L(e) = s·Σe² of the residuals; `name` is what run records store."""

    name: str
    description: str
    factor: float
    averaged: bool
    is_quadratic = True

    def sum_weight(self, n_rows: float) -> float:
        """The factor s in L = s·Σe²: ½ for l2, 1/N for mse."""
        return self.factor / n_rows if self.averaged else self.factor

    def curvature_scale(self, n_rows: float) -> float:
        """The factor h in Hessian = h·AᵀA (= 2s): 1 for l2, 2/N for mse."""
        return 2.0 * self.sum_weight(n_rows)

    def value(self, residual: NDArray[np.floating], n_rows: float | None = None) -> float:
        """L(e) for a vector of residuals (of N = `n_rows` rows, by default all of them)."""
        return float(self.sum_weight(n_rows or residual.shape[0]) * (residual @ residual))

    def residual_gradient(
        self, residual: NDArray[np.floating], n_rows: float | None = None
    ) -> NDArray[np.floating]:
        """dL/de; the weight gradient is Aᵀ·(dL/de)."""
        return self.curvature_scale(n_rows or residual.shape[0]) * residual


@dataclass(frozen=True)
class HuberLoss(Loss):
    """Huber's loss Σρ(e): ρ(e) = ½e² for |e| ≤ δ, δ·(|e| − ½δ) beyond.

    The seed's ½Σe² near zero, linear in the tails, so outliers pull less. Its Hessian
    AᵀDA (D = 1 where |e| ≤ δ, else 0) never exceeds AᵀA, so the l2 bounds on the
    learning rate still guarantee stability.

    >>> loss = HuberLoss("huber", "", 0.5, False, delta=1.0)
    >>> loss.value(np.array([0.5, -3.0])), loss.residual_gradient(np.array([0.5, -3.0]))
    (2.625, array([ 0.5, -1. ]))
    """

    delta: float = 1.0
    is_quadratic = False

    def value(self, residual: NDArray[np.floating], n_rows: float | None = None) -> float:
        """Σρ(e) (a sum, like l2, so `n_rows` changes nothing)."""
        size = np.abs(residual)
        inside = 0.5 * residual * residual
        outside = self.delta * (size - 0.5 * self.delta)
        return float(np.sum(np.where(size <= self.delta, inside, outside)))

    def residual_gradient(
        self, residual: NDArray[np.floating], n_rows: float | None = None
    ) -> NDArray[np.floating]:
        """dρ/de = e clipped to [−δ, δ]."""
        return np.clip(residual, -self.delta, self.delta)


L2 = Loss("l2", "half the sum of squared errors, ½·Σ(ŷ−y)² (the seed's loss)", 0.5, False)
MSE = Loss("mse", "mean squared error, Σ(ŷ−y)²/N", 1.0, True)
HUBER_DESCRIPTION = "Huber's loss: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond (robust to outliers)"
HUBER = HuberLoss("huber", HUBER_DESCRIPTION, 0.5, False, delta=1.0)
LOSSES: dict[str, Loss] = {loss.name: loss for loss in (L2, MSE, HUBER)}


def get_loss(name: str) -> Loss:
    """Look a loss up by name, or raise a `ConfigError` listing the known ones."""
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(LOSSES)
        raise ConfigError(f"unknown loss '{name}'; choose one of: {known}") from None


def huber(delta: float = 1.0) -> HuberLoss:
    """Huber's loss with threshold δ > 0 (in the target's units)."""
    if not np.isfinite(delta) or delta <= 0:
        raise ConfigError(f"the Huber threshold δ must be a finite number > 0, got {delta}")
    return HuberLoss("huber", HUBER_DESCRIPTION, 0.5, False, delta=float(delta))
