"""The simplest neural network: one linear layer, ŷ = A·w (A has the bias column first).

`design_matrix` builds A from the feature columns, `weight_names` names its weights.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def design_matrix(features: ArrayLike, intercept: bool = True) -> NDArray[np.float64]:
    """The model's input A: a column of ones first (for b), then the features.

    >>> design_matrix([[2.0], [3.0]])
    array([[1., 2.],
           [1., 3.]])
    """
    X = np.asarray(features, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if not intercept:
        return X
    return np.hstack([np.ones((X.shape[0], 1), dtype=X.dtype), X])


def weight_names(feature_names: Sequence[str], intercept: bool = True) -> list[str]:
    """Names of the weights in order: `b` for the bias, then one per feature."""
    return (["b"] if intercept else []) + list(feature_names)
