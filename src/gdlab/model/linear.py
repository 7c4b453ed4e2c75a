"""The simplest neural network: one linear layer, ŷ = b + X·a (bias first in the weights).

`predict` is the one place a prediction is computed — the saved model, the scikit-learn
estimator and the pictures all call it; `design_matrix` builds A = [1 | X] for the engines
and the statistics, `weight_names` names the weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray


def predict(features: ArrayLike, weights: ArrayLike, intercept: bool = True) -> NDArray[np.float64]:
    """ŷ = b + X·a for features X (N×k) and weights (b, a₁, …, a_k); without an intercept
    ŷ = X·w.

    >>> predict([[2.0], [3.0]], [0.5, 2.0])
    array([4.5, 6.5])
    """
    X = np.asarray(features, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    w = np.asarray(weights, dtype=np.float64)
    if not intercept:
        return np.asarray(X @ w, dtype=np.float64)
    return np.asarray(X @ w[1:] + w[0], dtype=np.float64)


def residuals(
    features: ArrayLike, weights: ArrayLike, y: ArrayLike, intercept: bool = True
) -> NDArray[np.float64]:
    """The seed's `yerror`: ŷ − y (prediction minus target)."""
    return predict(features, weights, intercept) - np.asarray(y, dtype=np.float64)


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


#: The bias's name when no feature has it: the seed's y = a·x + b; else the first one free.
BIAS_NAMES = ("b", "bias", "intercept")


def bias_name(feature_names: Sequence[str]) -> str:
    """The bias's weight name: `b`, unless a feature is named so (then `bias`, `intercept`,
    or `b_`, `b__`, … whichever no feature has), so that no two weights share a name.

    >>> bias_name(["x"]), bias_name(["b", "x"]), bias_name(["b", "bias", "intercept"])
    ('b', 'bias', 'b_')
    """
    taken = set(feature_names)
    for name in BIAS_NAMES:
        if name not in taken:
            return name
    name = "b_"
    while name in taken:
        name += "_"
    return name


def weight_names(feature_names: Sequence[str], intercept: bool = True) -> list[str]:
    """Names of the weights in order: the bias (`bias_name`: `b`), then one per feature."""
    return ([bias_name(feature_names)] if intercept else []) + list(feature_names)
