"""Exact least squares in rational arithmetic, the yardstick of the accuracy tests."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def exact_optimum(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The least-squares weights of the float64 data as stored, exactly, then rounded.

    The normal equations AᵀAw = Aᵀy are formed and solved (Gaussian elimination) in
    `fractions.Fraction`: no rounding anywhere before the final conversion to float64.
    """
    rows = [[Fraction(value) for value in row] for row in np.asarray(A, dtype=float).tolist()]
    target = [Fraction(value) for value in np.asarray(y, dtype=float).tolist()]
    p = len(rows[0])
    system = [
        [sum((row[i] * row[j] for row in rows), Fraction(0)) for j in range(p)]
        + [sum((row[i] * t for row, t in zip(rows, target, strict=True)), Fraction(0))]
        for i in range(p)
    ]
    for k in range(p):
        pivot = next(i for i in range(k, p) if system[i][k] != 0)
        system[k], system[pivot] = system[pivot], system[k]
        for i in range(k + 1, p):
            ratio = system[i][k] / system[k][k]
            system[i] = [a - ratio * b for a, b in zip(system[i], system[k], strict=True)]
    weights = [Fraction(0)] * p
    for i in reversed(range(p)):
        known = sum((system[i][j] * weights[j] for j in range(i + 1, p)), Fraction(0))
        weights[i] = (system[i][p] - known) / system[i][i]
    return np.array([float(w) for w in weights])


def correct_digits(weights: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """Correct significant digits of each weight, −log10 |w − w*|/|w*| (17 when exact)."""
    error = np.abs(np.asarray(weights, dtype=float) - exact) / np.abs(exact)
    return -np.log10(np.maximum(error, 1e-17))
