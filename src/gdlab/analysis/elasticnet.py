"""The elastic net on the one-pass statistics: its optimum by coordinate descent, its path.

The objective is F(w) = f(w) + λ₁‖m⊙w‖₁ with f the quadratic loss (½Σe² or mean e²) plus
½λ₂‖m⊙w‖² (m: 1 for each penalised weight, 0 for the bias). On the statistics
f(w) = ½wᵀHw − bᵀw + c with H = h·AᵀA (+ λ₂ on the penalised diagonal), b = h·Aᵀy — all
from the R factor, O(d²) per coordinate sweep, without touching the rows again.

`elastic_net_optimum` runs glmnet's covariance updates (Friedman, Hastie and Tibshirani,
2010), one weight at a time: w_j ← S(b_j − Σ_{k≠j} H_jk w_k, λ₁m_j)/H_jj, S the soft
threshold, keeping the gradient Hw − b up to date in O(d) per change. Once the signs settle
it solves the optimality conditions on the weights that are not zero exactly,
H_AA·w_A = b_A − λ₁·sign(w_A)·m_A, and checks them on the others (|∇f_j| ≤ λ₁): the optimum
to the last digits, as scikit-learn's `ElasticNet` with λ₁ = N·α·ρ and λ₂ = N·α·(1−ρ) for
the l2 loss (½Σe²), since its objective is that one divided by N.

`regularization_path` solves a grid of λ₁ from λ₁max (where every penalised weight is 0)
down, each solve starting from the last one's weights (warm starts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.model.losses import Loss
from gdlab.onepass.lstsq import LeastSquaresStats

Array = NDArray[np.float64]
#: Coordinate sweeps before the exact solve on the weights that are not zero.
MAX_SWEEPS = 2000
#: A sweep whose largest change (in units of √H_jj) is at most this, relative, ends the sweeps.
SWEEP_TOL = 1e-10
#: Points of the path's grid, and its smallest λ₁ as a share of λ₁max.
PATH_POINTS = 40
PATH_RATIO = 1e-3


@dataclass(frozen=True)
class Quadratic:
    """f(w) = ½wᵀHw − bᵀw + c, the smooth part of the objective."""

    H: Array
    b: Array
    c: float

    def value(self, w: Array) -> float:
        """f(w)."""
        return float(0.5 * w @ self.H @ w - self.b @ w + self.c)


def quadratic_of(stats: LeastSquaresStats, loss: Loss) -> Quadratic:
    """The smooth part of the objective from the statistics (the ridge rows, when merged in,
    are part of them: see `gdlab.engines.ridge.ridge_statistics`). Weighted statistics
    (rows scaled by √wᵢ) average over their mass Σwᵢ, as the engines do."""
    h = loss.curvature_scale(stats.mass)
    R, z = stats.R, stats.z
    return Quadratic(h * (R.T @ R), h * (R.T @ z), 0.5 * h * float(z @ z + stats.rho**2))


def objective(quadratic: Quadratic, w: Array, l1: float, mask: Array) -> float:
    """F(w) = f(w) + λ₁‖m⊙w‖₁."""
    return quadratic.value(w) + l1 * float(np.abs(mask * w).sum())


def lambda_max(quadratic: Quadratic, mask: Array) -> float:
    """The smallest λ₁ at which every penalised weight of the optimum is 0: the largest
    |∂f/∂w_j| over penalised j at the optimum of the free weights alone.

    >>> q = Quadratic(np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([1.0, 3.0]), 0.0)
    >>> lambda_max(q, np.array([0.0, 1.0]))  # b = 1/2 alone; ∂f/∂w₁ = 1/2 − 3
    2.5
    """
    free = mask == 0
    w = np.zeros(len(mask))
    if free.any():
        w[free] = np.linalg.lstsq(quadratic.H[np.ix_(free, free)], quadratic.b[free], rcond=None)[0]
    gradient = quadratic.H @ w - quadratic.b
    return float(np.max(np.abs(gradient[~free]), initial=0.0))


def elastic_net_optimum(
    quadratic: Quadratic, l1: float, mask: Array, start: Array | None = None
) -> Array:
    """The minimiser of f(w) + λ₁‖m⊙w‖₁ (see the module notes).

    >>> q = Quadratic(np.eye(2), np.array([3.0, 0.5]), 0.0)
    >>> elastic_net_optimum(q, 1.0, np.ones(2))  # S(3, 1) = 2, S(0.5, 1) = 0
    array([2., 0.])
    """
    H, b = quadratic.H, quadratic.b
    d = len(b)
    w = np.zeros(d) if start is None else np.array(start, dtype=np.float64)
    thresholds = l1 * np.asarray(mask, dtype=np.float64)
    for _ in range(4):  # sweeps, then an exact solve; again if the signs were not yet right
        w = coordinate_sweeps(H, b, thresholds, w)
        polished = active_set_solve(H, b, thresholds, w)
        if polished is not None:
            return polished
    return w


def coordinate_sweeps(H: Array, b: Array, thresholds: Array, w: Array) -> Array:
    """Cyclic coordinate descent from `w` until a sweep changes little (or `MAX_SWEEPS`)."""
    w = w.copy()
    diagonal = np.diag(H).copy()
    gradient = H @ w - b
    live = np.flatnonzero(diagonal > 0)
    w[diagonal <= 0] = 0.0  # a column of zeros: its weight does nothing, keep it at 0
    scale = np.sqrt(diagonal)
    for _ in range(MAX_SWEEPS):
        largest, size = 0.0, 0.0
        for j in live:
            old = w[j]
            rho = diagonal[j] * old - gradient[j]
            new = float(np.sign(rho) * max(abs(rho) - thresholds[j], 0.0) / diagonal[j])
            if new != old:
                gradient += H[:, j] * (new - old)
                w[j] = new
                largest = max(largest, abs(new - old) * scale[j])
            size = max(size, abs(new) * scale[j])
        if largest <= SWEEP_TOL * max(size, 1e-300):
            break
    return w


def active_set_solve(H: Array, b: Array, thresholds: Array, w: Array) -> Array | None:
    """Solve the optimality conditions exactly on the weights of `w` that are not zero (and
    the free ones); the result, if the signs hold and every other weight's gradient lies
    within its threshold, else None."""
    active = (w != 0) | (thresholds == 0)
    signs = np.sign(w)
    solved = np.zeros_like(w)
    inside = np.ix_(active, active)
    target = b[active] - thresholds[active] * signs[active]
    solved[active] = np.linalg.lstsq(H[inside], target, rcond=None)[0]
    penalised = active & (thresholds > 0)
    if np.any(np.sign(solved[penalised]) != signs[penalised]):
        return None
    gradient = H @ solved - b
    room = thresholds[~active] * (1 + 1e-9) + 1e-12 * np.abs(b).max(initial=1.0)
    if np.any(np.abs(gradient[~active]) > room):
        return None
    return solved


@dataclass(frozen=True)
class RegularizationPath:
    """The optimum at each λ₁ of a grid (λ₂ held), and a held-out score per λ₁ when given."""

    l1: Array
    l2: float
    weights: Array
    scores: Array | None = None

    def to_record(self) -> dict[str, object]:
        """The run record's `regularization_path` section."""
        return {
            "l1": self.l1.tolist(),
            "l2": self.l2,
            "weights": self.weights.tolist(),
            "scores": None if self.scores is None else self.scores.tolist(),
        }


def lambda_grid(largest: float, points: int = PATH_POINTS, ratio: float = PATH_RATIO) -> Array:
    """`points` values of λ₁, evenly spaced in log from `largest` down to `largest`·`ratio`.

    >>> lambda_grid(10.0, 3, 0.01)
    array([10. ,  1. ,  0.1])
    """
    return np.geomspace(largest, largest * ratio, points)


def regularization_path(
    quadratic: Quadratic,
    mask: Array,
    l2: float = 0.0,
    grid: Array | None = None,
    score: Callable[[float, Array], float] | None = None,
) -> RegularizationPath:
    """The optimum along a λ₁ grid (default: `lambda_grid` from `lambda_max`), warm-started.

    `score(λ₁, w)`, when given, scores each optimum on held-out rows (smaller is better), for
    choosing λ₁ by cross-validation; the path keeps the scores.
    """
    values = grid if grid is not None else lambda_grid(max(lambda_max(quadratic, mask), 1e-12))
    w = np.zeros(len(mask))
    weights, scores = [], []
    for l1 in values:
        w = elastic_net_optimum(quadratic, float(l1), mask, start=w)
        weights.append(w.copy())
        if score is not None:
            scores.append(score(float(l1), w))
    return RegularizationPath(
        np.asarray(values, dtype=np.float64),
        float(l2),
        np.array(weights),
        None if score is None else np.array(scores),
    )
