"""The error along each eigenvector of the Hessian, measured and predicted, step by step.

On a quadratic loss L(w) = L* + ½(w − w*)ᵀH(w − w*), with H = V·diag(λ)·Vᵀ, the error
c = Vᵀ(w − w*) splits into independent directions ("modes"): the gradient along mode i is
λᵢcᵢ. Plain GD multiplies cᵢ by (1 − ηλᵢ) each step; momentum and Nesterov, which also
act on each mode alone, follow a two-term recurrence whose growth per step is the spectral
radius of a 2×2 matrix (`gdlab.analysis.quadratic.momentum_growth`). So for these optimizers
(rotation-invariant: their update commutes with a change of orthonormal basis) the whole run
is known in advance: `predicted_modes` runs the optimizer itself on the diagonal problem,
mode by mode, with any schedule. Adaptive optimizers (AdaGrad, RMSProp, Adam) scale each
weight separately, which mixes the modes, so nothing is predicted for them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.analysis.quadratic import Analysis, momentum_growth
from gdlab.optim.optimizers import GradientTransformation

Array = NDArray[np.float64]

#: Optimizers whose update acts on each eigen-direction on its own (see the module notes).
ROTATION_INVARIANT = ("gd", "momentum", "nesterov")


def mode_path(analysis: Analysis, path: ArrayLike) -> Array:
    """cₖ = Vᵀ M⁻¹(wₖ − w*) for every row wₖ of a path (weights in the data's units; M maps
    the coordinates training ran in to them, `Analysis.to_original`)."""
    offsets = np.atleast_2d(np.asarray(path, dtype=np.float64)) - analysis.optimum_weights
    if analysis.to_original is not None:
        offsets = np.asarray(np.linalg.solve(analysis.to_original, offsets.T).T, dtype=np.float64)
    return np.asarray(offsets @ analysis.hessian_eigenvectors, dtype=np.float64)


def predicted_modes(
    analysis: Analysis, init: ArrayLike, optimizer: GradientTransformation, steps: int
) -> Array:
    """The modes' errors after each of `steps` updates of a rotation-invariant optimizer:
    (steps + 1)×p, the start first. The optimizer runs on the diagonal problem, where the
    gradient of mode i is λᵢcᵢ.

    >>> from gdlab.analysis.quadratic import Analysis
    >>> from gdlab.optim.optimizers import gd
    >>> toy = Analysis(np.zeros(2), 0.0, np.array([1.0, 3.0]), 0.5, 0.5, 3.0, np.eye(2))
    >>> predicted_modes(toy, [1.0, 1.0], gd(0.25), 2)[-1]  # (1 − 0.25)², (1 − 0.75)²
    array([0.5625, 0.0625])
    """
    eigenvalues = analysis.hessian_eigenvalues
    c = mode_path(analysis, np.asarray(init, dtype=np.float64)[None, :])[0]
    state = optimizer.init(c)
    rows = [c]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            updates, state = optimizer.update(eigenvalues * c, state, c)
            c = c + updates
            rows.append(c)
    return np.array(rows)


def losses_of_modes(analysis: Analysis, modes: ArrayLike) -> Array:
    """L = L* + ½ Σᵢ λᵢcᵢ² for each row of modes."""
    with np.errstate(over="ignore", invalid="ignore"):
        squares = np.asarray(modes, dtype=np.float64) ** 2
        return analysis.optimum_loss + 0.5 * squares @ analysis.hessian_eigenvalues


def mode_factors(lr: float, eigenvalues: ArrayLike, optimizer: str, beta: float = 0.0) -> Array:
    """Each mode's growth per step: |1 − ηλᵢ| for GD, the 2×2 spectral radius for momentum
    and Nesterov (below 1: that direction shrinks; above: it blows up).

    >>> mode_factors(0.25, [1.0, 3.0], "gd")
    array([0.75, 0.25])
    """
    values = np.asarray(eigenvalues, dtype=np.float64)
    if optimizer == "gd":
        return np.abs(1.0 - lr * values)
    nesterov = optimizer == "nesterov"
    return np.array([momentum_growth(lr, float(lam), beta, nesterov) for lam in values])


def heavy_ball_rates(
    lrs: ArrayLike, betas: ArrayLike, eigenvalues: ArrayLike, nesterov: bool = False
) -> Array:
    """The convergence rate (growth per step of the slowest mode) on a grid of (η, β):
    max over λᵢ of the spectral radius of the 2×2 iteration; ≥ 1 where the run diverges.

    Heavy ball: z² − (1 + β − ηλ)z + β = 0; Nesterov: z² − (1+β)(1 − ηλ)z + β(1 − ηλ) = 0.

    >>> float(heavy_ball_rates([0.25], [0.25], [1.0, 9.0])[0, 0])  # Polyak's best: √β
    0.5
    """
    eta = np.asarray(lrs, dtype=np.float64)[None, :, None]
    beta = np.asarray(betas, dtype=np.float64)[:, None, None]
    lam = np.asarray(eigenvalues, dtype=np.float64)[None, None, :]
    shrink = 1.0 - eta * lam
    if nesterov:
        trace, determinant = (1 + beta) * shrink, beta * shrink
    else:
        trace, determinant = 1 + beta - eta * lam, beta + 0.0 * lam
    discriminant = trace**2 - 4 * determinant
    root = np.sqrt(np.abs(discriminant))
    real = np.maximum(np.abs(trace + root), np.abs(trace - root)) / 2
    complex_pair = np.sqrt(np.abs(determinant))
    radius = np.where(discriminant >= 0, real, complex_pair)
    return np.asarray(radius.max(axis=2), dtype=np.float64)
