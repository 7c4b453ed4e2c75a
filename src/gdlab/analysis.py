"""What the data says about gradient descent before and after training.

Everything comes from the one-pass statistics (`LeastSquaresStats`) and the loss: the
closed-form optimum, the Hessian H = h·AᵀA (h = 1 for l2, 2/N for mse) and its
eigenvalues, and the learning-rate bounds of plain GD on a quadratic:
stable below 2/λ_max, fastest at 2/(λ_min + λ_max).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.losses import Loss
from gdlab.lstsq import LeastSquaresStats


@dataclass(frozen=True)
class Analysis:
    """Optimum and curvature of a quadratic loss on one dataset."""

    optimum_weights: NDArray[np.float64]
    optimum_loss: float
    hessian_eigenvalues: NDArray[np.float64]
    lr_max_stable: float
    lr_optimal: float
    condition_number: float

    def to_record(self) -> dict[str, object]:
        """The run record's `analysis` section (DESIGN.md §4)."""
        return {
            "lr_max_stable": self.lr_max_stable,
            "lr_optimal": self.lr_optimal,
            "condition_number": self.condition_number,
            "hessian_eigenvalues": self.hessian_eigenvalues.tolist(),
        }


def hessian_eigenvalues(stats: LeastSquaresStats, loss: Loss) -> NDArray[np.float64]:
    """Eigenvalues of the Hessian h·AᵀA, ascending, from the singular values of R."""
    singular = stats.singular_values()
    return np.sort(loss.curvature_scale(stats.n_rows) * singular**2)


def stable_lr_bound(eigenvalues: NDArray[np.float64]) -> float:
    """The largest learning rate for which plain GD converges: 2/λ_max (exclusive).

    >>> stable_lr_bound(np.array([1.0, 4.0]))
    0.5
    """
    return float(2.0 / eigenvalues[-1])


def optimal_constant_lr(eigenvalues: NDArray[np.float64]) -> float:
    """The constant rate with the fastest worst-case GD convergence: 2/(λ_min + λ_max)."""
    return float(2.0 / (eigenvalues[0] + eigenvalues[-1]))


def condition_number(eigenvalues: NDArray[np.float64]) -> float:
    """λ_max/λ_min of the Hessian (inf when it is singular)."""
    smallest = eigenvalues[0]
    return float(eigenvalues[-1] / smallest) if smallest > 0 else float("inf")


def analyze(stats: LeastSquaresStats, loss: Loss) -> Analysis:
    """Optimum, eigenvalues and learning-rate bounds for `loss` on data with `stats`."""
    eigenvalues = hessian_eigenvalues(stats, loss)
    return Analysis(
        optimum_weights=stats.optimum(),
        optimum_loss=loss.sum_weight(stats.n_rows) * stats.rho**2,
        hessian_eigenvalues=eigenvalues,
        lr_max_stable=stable_lr_bound(eigenvalues),
        lr_optimal=optimal_constant_lr(eigenvalues),
        condition_number=condition_number(eigenvalues),
    )
