"""The minimiser of Huber's loss, for the run record's optimum, by iteratively reweighted LS.

Huber's loss is not quadratic, so no one-pass statistic gives its optimum. IRLS does: with
weights ωᵢ = min(1, δ/|eᵢ|) from the current residuals, solve the weighted least-squares
problem min Σωᵢeᵢ² (a QR of [√ω·A | √ω·y]) and repeat. Each solve minimises a quadratic
that lies above the loss and touches it at the current point, so the loss never rises.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gdlab.model.losses import HuberLoss
from gdlab.onepass.lstsq import LeastSquaresStats

Array = NDArray[np.float64]
#: Stop when a step moves no weight by more than this, relative to the weights' size.
IRLS_TOLERANCE = 1e-13
IRLS_MAX_ITERATIONS = 500


def huber_minimum(A: Array, y: Array, loss: HuberLoss) -> Array:
    """The weights minimising Σρ_δ(Aw − y), starting from the least-squares optimum.

    >>> A = np.column_stack([np.ones(5), np.arange(5.0)])
    >>> y = np.array([0.0, 1.0, 2.0, 3.0, 40.0])  # a line with one outlier
    >>> np.round(huber_minimum(A, y, HuberLoss("huber", "", 0.5, False, delta=1.0)), 6)
    array([-0.5,  1.5])
    """
    w = LeastSquaresStats.from_arrays(A, y).optimum()
    for _ in range(IRLS_MAX_ITERATIONS):
        size = np.abs(A @ w - y)
        weights = np.sqrt(np.minimum(1.0, loss.delta / np.maximum(size, 1e-300)))
        step = LeastSquaresStats.from_arrays(A * weights[:, None], y * weights).optimum()
        moved = np.max(np.abs(step - w)) / max(np.max(np.abs(step)), 1e-300)
        w = step
        if moved <= IRLS_TOLERANCE:
            break
    return w
