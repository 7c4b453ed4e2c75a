"""Centring in the pass: every column but the ones, and y, shifted by a reference row.

A column far from zero (x = c + N(0, 1) with c = 1e8) makes [1 | x] nearly collinear:
the QR of the raw columns keeps cond ≈ c²/σ, and sums of x² cancel. The pass therefore
factors the rows of [1 | A − 1·aᵀ | y − η] instead, where the shift (a, η) is a reference
row of the data, its first row by default; the ones column is not shifted (a₀ = 0). For
values within a factor 2 of the reference, x − a is exact (Sterbenz's lemma), so the
centred columns, their factor and their moments carry no rounding from the offset at all.
Elsewhere the shift rounds each value by at most ε·|a|, a backward error of the size the
QR makes anyway.

Nothing is lost: with w' = w + e₀·(aᵀw − η), Aw − y = A_c w' − y_c, so the centred factor
and the shift are the least-squares problem in the data's own units. Its factor is the
centred one with a·√N added to the first row (`uncentred`): only the row of the ones
column changes. Two parts with different references merge after moving one to the
other's reference (`moved_factor`, `moved_moments`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
ExtendedArray = NDArray[np.longdouble]


def reference_row(
    columns: Sequence[NDArray[np.floating]], target: NDArray[np.floating]
) -> Array | None:
    """The shift of [1 | columns | target]: 0 for the ones, then each column's first value.

    None for no rows (any reference would do; none is needed).

    >>> reference_row([np.array([5.0, 6.0])], np.array([1.0, 3.0])).tolist()
    [0.0, 5.0, 1.0]
    """
    if target.shape[0] == 0:
        return None
    first = [float(column[0]) for column in columns]
    row = np.array([0.0, *first, float(target[0])])
    return row if np.isfinite(row).all() else None


def leading_ones(A: NDArray[np.floating]) -> bool:
    """True when the first column of the 2-D array A is all ones (a design's bias column).

    >>> leading_ones(np.array([[1.0, 2.0], [1.0, 5.0]])), leading_ones(np.ones((2, 0)))
    (True, False)
    """
    if A.ndim != 2 or A.shape[1] == 0 or A.shape[0] == 0 or A[0, 0] != 1.0:
        return False
    return bool(np.all(A[:, 0] == 1.0))


def uncentred(centred: Array, shift: Array) -> Array:
    """The factor of the data itself from the factor of its centred rows (see the module).

    Row 0 (the ones column's) gains shift·R₀₀ = shift·√N; the other rows are the same.
    """
    return moved_factor(centred, shift)


def moved_factor(centred: Array, delta: Array) -> Array:
    """The factor of rows centred at reference r − δ, given their factor centred at r.

    The rows gain δ (δ₀ = 0), which the ones column carries: only row 0 changes.
    """
    moved = np.array(centred, dtype=np.float64)
    moved[0, :] += delta * moved[0, 0]
    return moved


def moved_moments(moments: ExtendedArray, shift: Array, reference: Array) -> ExtendedArray:
    """The moments of rows centred at `shift`, moved to `reference`: TᵀMT, T = I + e₀δᵀ.

    δ = shift − reference and the product are in long double, where δ of two float64
    values near each other is exact.
    """
    delta = np.asarray(shift, dtype=np.longdouble) - np.asarray(reference, dtype=np.longdouble)
    T = np.eye(delta.size, dtype=np.longdouble)
    T[0, 1:] = delta[1:]
    return cast(ExtendedArray, T.T @ moments @ T)


def in_data_units(centred_weights: ExtendedArray, shift: Array) -> Array:
    """Weights w from the centred solution w': w_j = w'_j, w₀ = w'₀ + η − Σ a_j w'_j.

    Summed in extended precision, so the bias loses nothing to the offsets' size beyond
    what the slopes' own digits carry.
    """
    weights = np.asarray(centred_weights, dtype=np.longdouble).copy()
    ext = np.asarray(shift, dtype=np.longdouble)
    weights[0] = weights[0] + ext[-1] - ext[1:-1] @ weights[1:]
    return weights.astype(np.float64)
