"""Triangular solves for the one-pass statistics, and when extended precision pays.

Every solve starts from the column-scaled factor (unit-norm columns), where back
substitution keeps the accuracy QR bought; `refinement_pays` weighs the QR answer's
expected error against that of a refinement from extended-precision moments.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: Refine only when the refined answer's expected error, times this margin, is below the
#: QR answer's (both from cond(R), see `refinement_pays`).
REFINE_MARGIN = 16.0
#: A column-scaled diagonal entry below this times p·max is rounding, not a direction:
#: exactly collinear columns leave entries of a few ε after Householder's rounding.
RANK_TOLERANCE = 16 * np.finfo(float).eps


def column_scaled(R: Array) -> tuple[Array, Array]:
    """(S, d) with R = S·diag(d): unit-norm columns; a zero column (an all-zero feature)
    stays zero with d = 1, so its weight comes out 0 from a minimum-norm solve.

    >>> column_scaled(np.array([[3.0, 0.0], [0.0, 0.0]]))[1].tolist()
    [3.0, 1.0]
    """
    norms = np.linalg.norm(R, axis=0)
    norms = np.where(norms == 0, 1.0, norms)
    return R / norms, norms


def full_rank(R: Array) -> bool:
    """True when the column-scaled R has no zero column and a diagonal clear of rounding."""
    norms = np.linalg.norm(R, axis=0)
    if np.any(norms == 0):
        return False
    diagonal = np.abs(np.diag(R / norms))
    return bool(diagonal.min() > RANK_TOLERANCE * R.shape[0] * diagonal.max())


def solve_scaled(R: Array, z: Array) -> Array:
    """Rw = z by back substitution on the column-scaled R (full rank)."""
    scaled, norms = column_scaled(R)
    return back_substitution(scaled, z) / norms


def refinement_pays(scaled: Array, z: Array, rho: float, v: Array) -> bool:
    """True when refining from extended-precision moments is expected to beat the QR.

    With κ = cond(S) of the column-scaled factor S, v the scaled solution and t = ρ/‖v‖:
    the QR solution's relative error is about ε·κ·(1 + κ·t) (least squares' own
    sensitivity), the refined one's about ε_ext·κ²·(1 + ‖[z, ρ]‖/‖v‖), the rounding of
    the moments' sums that the residual c − Gw inherits. Refine when the second, with a
    margin (`REFINE_MARGIN`), is the smaller.
    """
    singular = np.linalg.svd(scaled, compute_uv=False)
    if singular[-1] == 0:
        return False
    kappa = singular[0] / singular[-1]
    size = max(float(np.linalg.norm(v)), np.finfo(float).tiny)
    target = float(np.hypot(np.linalg.norm(z), rho))
    qr_error = np.finfo(np.float64).eps * kappa * (1 + kappa * rho / size)
    refined_error = np.finfo(np.longdouble).eps * kappa**2 * (1 + target / size)
    return bool(REFINE_MARGIN * refined_error < qr_error)


def gram_solve(S: Array, g: Array) -> Array:
    """Solve SᵀSx = g with two triangular solves (Sᵀ lower, then S upper); no inverse."""
    lower_solution = back_substitution(S.T[::-1, ::-1], g[::-1])[::-1]
    return back_substitution(S, lower_solution)


def back_substitution(U: Array, b: Array) -> Array:
    """Solve Ux = b for upper-triangular U, row by row from the bottom."""
    n = U.shape[0]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - U[i, i + 1 :] @ x[i + 1 :]) / U[i, i]
    return x
