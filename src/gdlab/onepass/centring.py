"""Centring in the pass: every column but the bias, and y, shifted by a reference row.

A column far from zero (x = c + N(0, 1) with c = 1e8) makes [1 | x] nearly collinear:
the QR of the raw columns keeps cond ≈ c²/σ, and sums of x² cancel. When A's first
column is a constant k (the bias, k = 1 for ones), the pass therefore factors the rows
of D = [A | y] centred at a reference row r, its first row by default: every column
j ≥ 1 becomes D_j − r_j, the bias column stays k. For values within a factor 2 of the
reference, x − r_j is exact (Sterbenz's lemma), so the centred columns, their factor and
their moments carry no rounding from the offset at all. Elsewhere the shift rounds each
value by at most ε·|r_j|, a backward error of the size the QR makes anyway.

Nothing is lost: with s = r but s₀ = 0, Aw − y = A_c w' − y_c for w' = w + e₀·(sᵀw − η)/k
(η = r's last entry), so the centred factor and r are the least-squares problem in the
data's own units. Its factor is the centred one with s·R₀₀/k added to the first row
(`uncentred`): only the bias column's row changes. Parts centred at different references
merge after moving them to one (`moved_factor`, `moved_moments`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
ExtendedArray = NDArray[np.longdouble]


def reference_row(
    columns: Sequence[NDArray[np.floating]], target: NDArray[np.floating], constant: float = 1.0
) -> Array | None:
    """The first row of [k | columns | target], k the bias column's `constant`.

    None without rows (no reference is needed) or when the row is not finite.

    >>> reference_row([np.array([5.0, 6.0])], np.array([1.0, 3.0])).tolist()
    [1.0, 5.0, 1.0]
    """
    if target.shape[0] == 0:
        return None
    values = [constant, *(float(column[0]) for column in columns), float(target[0])]
    return np.array(values) if all(map(math.isfinite, values)) else None


def subtracted(reference: Array) -> Array:
    """What centring subtracts from each row: the reference, but 0 for the bias column."""
    values = np.array(reference, dtype=np.float64)
    values[0] = 0.0
    return values


def leading_constant(A: NDArray[np.floating]) -> float | None:
    """The value k when A's first column is a nonzero constant (a design's bias), else None.

    >>> leading_constant(np.array([[1.0, 2.0], [1.0, 5.0]])), leading_constant(np.zeros((2, 1)))
    (1.0, None)
    """
    if A.ndim != 2 or A.shape[1] == 0 or A.shape[0] == 0:
        return None
    k = float(A[0, 0])
    if k == 0.0 or not math.isfinite(k) or not (A[:, 0] == k).all():
        return None
    return k


def uncentred(centred: Array, reference: Array) -> Array:
    """The factor of the rows themselves from the factor of the rows centred at `reference`.

    Row 0 (the bias column's) gains s·R₀₀/k; the other rows are the same.
    """
    moved = np.array(centred, dtype=np.float64)  # `moved_factor` to the origin (0, but k)
    moved[0, 1:] += reference[1:] / reference[0] * moved[0, 0]
    return moved


def moved_factor(centred: Array, reference: Array, target: Array) -> Array:
    """The factor of rows centred at `reference`, moved to rows centred at `target`.

    The rows gain δ = reference − target (the same bias constant k in both), which the
    bias column carries: only row 0 changes, by δ·R₀₀/k.
    """
    moved = np.array(centred, dtype=np.float64)
    delta = (reference[1:] - target[1:]) / reference[0]
    moved[0, 1:] += delta * moved[0, 0]
    return moved


def moved_moments(moments: ExtendedArray, reference: Array, target: Array) -> ExtendedArray:
    """The moments of rows centred at `reference`, moved to `target`: TᵀMT, T = I + e₀δᵀ/k.

    δ and the product are in long double, where δ of two float64 values near each other
    is exact.
    """
    start = np.asarray(reference, dtype=np.longdouble)
    delta = (start[1:] - np.asarray(target, dtype=np.longdouble)[1:]) / start[0]
    T = np.eye(start.size, dtype=np.longdouble)
    T[0, 1:] = delta
    return cast(ExtendedArray, T.T @ moments @ T)


def in_data_units(centred_weights: ExtendedArray, reference: Array) -> Array:
    """Weights w from the centred solution w': w_j = w'_j, w₀ = w'₀ + (η − Σ r_j w'_j)/k.

    Summed in extended precision, so the bias loses nothing to the offsets' size beyond
    what the slopes' own digits carry.
    """
    weights = np.asarray(centred_weights, dtype=np.longdouble).copy()
    row = np.asarray(reference, dtype=np.longdouble)
    weights[0] = weights[0] + (row[-1] - row[1:-1] @ weights[1:]) / row[0]
    return weights.astype(np.float64)
