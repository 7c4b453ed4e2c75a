"""The simplest neural network: one linear layer, ŷ = A·w (A has the bias column first)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def predict(A: ArrayLike, w: ArrayLike) -> NDArray[np.floating]:
    """Predictions ŷ = A·w for a design matrix A (N×p) and weights w (p).

    >>> predict([[1.0, 2.0], [1.0, 3.0]], [0.5, 2.0])
    array([4.5, 6.5])
    """
    return np.asarray(A) @ np.asarray(w)


def residuals(A: ArrayLike, w: ArrayLike, y: ArrayLike) -> NDArray[np.floating]:
    """The seed's `yerror`: ŷ − y (prediction minus target)."""
    return predict(A, w) - np.asarray(y)
