"""Losses of the residual e = ŷ − y.

`l2` is the seed's ``reduce_mean(l2_loss(e))`` = ½·Σe² (TensorFlow's l2_loss is already a
scalar, so the mean changes nothing); `mse` is mean(e²). Both are quadratic in w, so their
curvature is a multiple of G = AᵀA: `curvature_scale` gives that multiple (1 for l2, 2/N
for mse), which is what learning-rate bounds need.
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

    def sum_weight(self, n_rows: int) -> float:
        """The factor s in L = s·Σe²: ½ for l2, 1/N for mse."""
        return self.factor / n_rows if self.averaged else self.factor

    def curvature_scale(self, n_rows: int) -> float:
        """The factor h in Hessian = h·AᵀA (= 2s): 1 for l2, 2/N for mse."""
        return 2.0 * self.sum_weight(n_rows)

    def value(self, residual: NDArray[np.floating]) -> float:
        """L(e) for a vector of residuals."""
        return float(self.sum_weight(residual.shape[0]) * (residual @ residual))

    def residual_gradient(self, residual: NDArray[np.floating]) -> NDArray[np.floating]:
        """dL/de; the weight gradient is Aᵀ·(dL/de)."""
        return self.curvature_scale(residual.shape[0]) * residual


L2 = Loss("l2", "half the sum of squared errors, ½·Σ(ŷ−y)² (the seed's loss)", 0.5, False)
MSE = Loss("mse", "mean squared error, Σ(ŷ−y)²/N", 1.0, True)
LOSSES = {loss.name: loss for loss in (L2, MSE)}


def get_loss(name: str) -> Loss:
    """Look a loss up by name, or raise a `ConfigError` listing the known ones."""
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(LOSSES)
        raise ConfigError(f"unknown loss '{name}'; choose one of: {known}") from None
