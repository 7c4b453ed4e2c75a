"""Triangular solves for the one-pass statistics, when extended precision pays, and R's SVD.

Every solve starts from the column-scaled factor (unit-norm columns), where back
substitution keeps the accuracy QR bought; `refinement_pays` weighs the QR answer's
expected error against that of a refinement from extended-precision moments.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import cast

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
    norms = column_norms(R)
    norms = np.where(norms == 0, 1.0, norms)
    return R / norms, norms


def column_norms(R: Array) -> Array:
    """The 2-norm of every column: `np.linalg.norm(R, axis=0)`'s very sums, in two calls
    instead of its many (a tiny R is analysed on every fit)."""
    return cast(Array, np.sqrt(np.add.reduce(R * R, axis=0)))


def full_rank(R: Array, norms: Array | None = None) -> bool:
    """True when the column-scaled R has no zero column and a diagonal clear of rounding
    (`norms`: R's `column_norms`, when known already)."""
    norms = column_norms(R) if norms is None else norms
    if not norms.all():
        return False
    diagonal = (np.abs(R.diagonal()) / norms).tolist()  # p numbers: Python's min, max
    return min(diagonal) > RANK_TOLERANCE * R.shape[0] * max(diagonal)


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


#: SVDs of wide R kept (by its bytes): a run analyses the same R several times, in copies of
#: its statistics too (the run, the data before and after standardising, the advice), and
#: a wide R costs O(p³) each time.
SVD_CACHE_ENTRIES = 4
#: Below this many weights an SVD costs less than hashing R to look it up.
SVD_CACHE_MIN_WEIGHTS = 16
_svd_cache: OrderedDict[bytes, tuple[Array, Array]] = OrderedDict()
_svd_lock = threading.Lock()


def r_svd(R: Array) -> tuple[Array, Array]:
    """(σ, Vᵀ) of R = UΣVᵀ, computed once for the same R (a copy each call).

    >>> singular, vt = r_svd(np.diag([3.0, 4.0]))
    >>> singular.tolist(), np.abs(vt).tolist()
    ([4.0, 3.0], [[0.0, 1.0], [1.0, 0.0]])
    """
    R = np.ascontiguousarray(R, dtype=np.float64)
    if R.shape[0] < SVD_CACHE_MIN_WEIGHTS:
        _, singular, vt = np.linalg.svd(R)
        return singular, vt
    key = str(R.shape).encode() + hashlib.blake2b(R.tobytes(), digest_size=16).digest()
    with _svd_lock:
        found = _svd_cache.get(key)
        if found is not None:
            _svd_cache.move_to_end(key)
    if found is None:
        _, singular, vt = np.linalg.svd(R)
        found = (singular, vt)
        with _svd_lock:
            _svd_cache[key] = found
            while len(_svd_cache) > SVD_CACHE_ENTRIES:
                _svd_cache.popitem(last=False)
    return found[0].copy(), found[1].copy()
