"""The learning rate `lr="auto"` picks: the fastest rate the analysis justifies, per optimizer.

Every rule works on the problem as trained — its loss (l2, mse, Huber), the ridge penalty,
standardised or not — through the eigenvalues λ of its Hessian (for Huber, of AᵀA, which
bounds Huber's curvature from above):

* plain GD: η = 2/(λ_min + λ_max) over the non-zero λ. Each direction with curvature then
  shrinks by at most (κ − 1)/(κ + 1) per step, the best any constant rate does; directions
  with λ = 0 (collinear features) are ones GD never moves along.
* heavy ball and Nesterov with momentum β: the η that minimises the spectral radius of
  their iteration on the quadratic (`momentum_growth`) over every λ, set by the flattest
  and the steepest directions. For heavy ball every η with (1 − √β)² ≤ ηλ ≤ (1 + √β)² for
  all λ reaches the floor √β, and auto takes the geometric middle of that range (Polyak's
  rate at Polyak's β). Otherwise, and always for Nesterov, it is the η at which the two end
  directions shrink alike (bisection), kept within 90% (`MOMENTUM_MARGIN`) of the bound
  that damps the steepest direction by √β a step (`damped_bound`): on ill-conditioned data
  the unconstrained optimum sits at the edge of stability, where the steepest direction is
  barely damped and the loss first climbs a hundredfold; the margin costs the flattest
  direction at most 10% of its speed.
* mini-batch SGD (B < N rows a step): a batch's Hessian h·(N/B)·A_BᵀA_B has no eigenvalue
  above L_B = h·(N/B)·min(λ_max(AᵀA), sum of the B largest ‖a_i‖²) (plus the penalty λ), so
  η = 1/L_B makes every step a descent step on its batch's loss. Momentum takes (1 − β)/L_B,
  the same effective step η/(1 − β).
* Adam, AdaGrad, RMSProp move each weight by about η a step whatever the gradient's size, so
  their rate is a share of D∞ = max_i |w₀ᵢ − w*ᵢ|, the largest distance from the start to the
  optimum per weight. AdaGrad: η = D∞/√2 (Duchi, Hazan and Singer, 2011; its steps then
  shrink like 1/√k). Adam and RMSProp keep hovering within about η of the optimum once
  there, so the longer the run the smaller the rate: Adam η = D∞·min(1/10, 10/K),
  RMSProp η = D∞·min(1/10, 2/K), for a run of K steps. Adam then covers D∞ within a tenth
  of its steps and RMSProp within half of them. Every one is capped so that a step of η in
  every weight raises the loss by at most its excess at the start: ½η²·tr H ≤ L(w₀) − L*,
  η ≤ √(2(L(w₀) − L*)/tr H) (weights of very different scales, unstandardised, would
  otherwise be thrown far past the optimum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.quadratic import momentum_growth

Array = NDArray[np.float64]

#: Optimizers whose steps are about lr per weight (the distance rule applies).
ADAPTIVE = ("adagrad", "rmsprop", "adam")
#: Momentum optimizers and whether each is Nesterov's.
MOMENTUM = {"momentum": False, "nesterov": True}
#: Bisection steps for the balanced momentum rate (far below float64's resolution).
BISECTION_STEPS = 200
#: Momentum rates stay this share of the bound that keeps the steepest direction at √β.
MOMENTUM_MARGIN = 0.9


@dataclass(frozen=True)
class RateChoice:
    """The learning rate a run used and how it was chosen (the run record's `lr_choice`).

    `auto` is True when gdlab chose it (`lr="auto"`); `rule` says how, with its numbers.
    """

    lr: float
    auto: bool
    rule: str

    def to_record(self) -> dict[str, Any]:
        """The choice as plain JSON values."""
        return {"lr": self.lr, "auto": self.auto, "rule": self.rule}

    @classmethod
    def given(cls, lr: float) -> RateChoice:
        """A rate the caller gave.

        >>> RateChoice.given(0.002).rule
        'given: lr = 0.002'
        """
        return cls(float(lr), False, f"given: lr = {lr:g}")


#: float64's machine epsilon (`np.finfo` costs a lookup each call, on every fit).
EPSILON = float(np.finfo(np.float64).eps)


def curved(eigenvalues: Array) -> Array:
    """The eigenvalues that are not zero to rounding (λ > p·ε·λ_max), ascending.

    >>> curved(np.array([1e-20, 2.0, 8.0])).tolist()
    [2.0, 8.0]
    """
    values = np.sort(np.asarray(eigenvalues, dtype=np.float64))
    largest = float(values[-1])
    kept = values[values > largest * values.size * EPSILON]
    return kept if kept.size else values[-1:]


def gd_rate(eigenvalues: Array) -> float:
    """Plain GD's best constant rate 2/(λ_min + λ_max), over the non-zero eigenvalues.

    >>> gd_rate(np.array([0.0, 1.0, 3.0]))
    0.5
    """
    values = curved(eigenvalues)
    return float(2.0 / (values[0] + values[-1]))


def damped_bound(largest: float, beta: float, nesterov: bool) -> float:
    """The largest rate at which the steepest direction (curvature `largest`) still shrinks
    by √β a step: heavy ball (1 + √β)²/λ, Nesterov (1 + √β/(1 + β + √β))/λ.

    >>> damped_bound(1.0, 0.25, nesterov=False), round(damped_bound(1.0, 0.25, True), 12)
    (2.25, 1.285714285714)
    """
    root = math.sqrt(beta)
    if nesterov:
        return (1 + root / (1 + beta + root)) / largest
    return (1 + root) ** 2 / largest


def momentum_rate(eigenvalues: Array, beta: float, nesterov: bool) -> float:
    """The rate with the smallest spectral radius of heavy ball / Nesterov at momentum β
    (beyond heavy ball's plateau, among those within `MOMENTUM_MARGIN` of `damped_bound`;
    see the module notes).

    >>> momentum_rate(np.array([1.0, 4.0]), 0.25, nesterov=False)  # √(0.25·0.5625)
    0.375
    >>> round(momentum_rate(np.array([1.0, 4.0]), 0.0, nesterov=True), 12)  # β = 0: plain GD
    0.4
    """
    values = curved(eigenvalues)
    low, high = float(values[0]), float(values[-1])
    if beta == 0:
        return 2.0 / (low + high)
    limit = MOMENTUM_MARGIN * damped_bound(high, beta, nesterov)
    if not nesterov:
        first = (1 - math.sqrt(beta)) ** 2 / low  # below it the flattest direction is slower
        last = (1 + math.sqrt(beta)) ** 2 / high  # above it the steepest one is
        if first <= last:  # every direction fits the plateau: no margin needed
            return math.sqrt(first * last)
        below, above = last, first
    else:
        below, above = 1.0 / high, 1.0 / low
    if limit <= below:
        return limit

    def imbalance(lr: float) -> float:
        return momentum_growth(lr, low, beta, nesterov) - momentum_growth(lr, high, beta, nesterov)

    for _ in range(BISECTION_STEPS):  # imbalance(below) ≥ 0 ≥ imbalance(above)
        middle = math.sqrt(below * above)
        if middle in (below, above):
            break
        if imbalance(middle) > 0:
            below = middle
        else:
            above = middle
    return min(math.sqrt(below * above), limit)


def spectral_radius(eigenvalues: Array, lr: float, beta: float, nesterov: bool) -> float:
    """The slowest per-step shrink factor over the curved directions at this rate.

    >>> round(spectral_radius(np.array([1.0, 3.0]), 0.5, 0.0, nesterov=False), 12)
    0.5
    """
    values = curved(eigenvalues)
    return max(momentum_growth(lr, float(v), beta, nesterov) for v in (values[0], values[-1]))


def batch_curvature(
    row_norms_squared: Array, batch_size: int, curvature_scale: float, largest: float, l2: float
) -> float:
    """L_B: no batch of `batch_size` rows has a Hessian eigenvalue above it (see the notes).

    `largest` is λ_max of the full Hessian h·AᵀA, `curvature_scale` that h.

    >>> batch_curvature(np.array([1.0, 4.0, 9.0]), 1, 1.0, 12.0, 0.0)  # (3/1)·min(12, 9)
    27.0
    """
    rows = row_norms_squared.size
    size = min(int(batch_size), rows)
    heaviest = float(np.sum(np.partition(row_norms_squared, rows - size)[rows - size :]))
    gram_largest = largest / curvature_scale
    return curvature_scale * (rows / size) * min(gram_largest, heaviest) + l2


def adaptive_rate(optimizer: str, distance: float, steps: int, cap: float = math.inf) -> float:
    """The rate of Adam, AdaGrad or RMSProp for a start D∞ = `distance` from the optimum,
    at most `cap` (`adaptive_cap`).

    >>> adaptive_rate("adam", 2.0, 50), adaptive_rate("adam", 2.0, 1000)
    (0.2, 0.02)
    """
    if optimizer == "adagrad":
        rate = distance / math.sqrt(2.0)
    else:
        per_run = 10.0 if optimizer == "adam" else 2.0
        rate = distance * min(0.1, per_run / max(int(steps), 1))
    return min(rate, cap) if cap > 0 else rate


def adaptive_cap(start_excess: float, eigenvalues: Array) -> float:
    """√(2(L(w₀) − L*)/tr H): a step of this size in every weight raises the loss by at most
    its excess at the start (inf when that cannot be said: no excess, or it overflows).

    >>> adaptive_cap(2.0, np.array([1.0, 3.0]))
    1.0
    """
    trace = float(np.sum(eigenvalues))
    if not (math.isfinite(start_excess) and start_excess > 0 and trace > 0):
        return math.inf
    return math.sqrt(2.0 * start_excess / trace)


def adaptive_rule(optimizer: str, distance: float, steps: int, cap: float = math.inf) -> str:
    """`adaptive_rate` in words, with its numbers."""
    if (
        adaptive_rate(optimizer, distance, steps, cap)
        == cap
        < adaptive_rate(optimizer, distance, steps)
    ):
        return (
            f"√(2(L(w₀) − L*)/tr H) = {cap:.4g}: a step of lr in every weight raises the loss "
            "by at most its excess at the start"
        )
    what = f"D∞ = {distance:.4g} the largest distance from the start to the optimum"
    if optimizer == "adagrad":
        return f"D∞/√2, {what}"
    per_run = "10" if optimizer == "adam" else "2"
    return f"D∞·min(1/10, {per_run}/{steps} steps), {what}"


def start_distance(start: Array, optimum: Array) -> float:
    """D∞ = max_i |start_i − optimum_i|, or the optimum's own scale (at least 1) when the
    start is the optimum (any small rate then does).

    >>> start_distance(np.array([0.0, 0.0]), np.array([1.0, -3.0]))
    3.0
    """
    gap = np.abs(np.asarray(start, dtype=np.float64) - np.asarray(optimum, dtype=np.float64))
    distance = float(np.max(gap)) if gap.size else 0.0
    if math.isfinite(distance) and distance > 0:
        return distance
    scale = float(np.max(np.abs(optimum))) if np.size(optimum) else 0.0
    return scale if math.isfinite(scale) and scale > 0 else 1.0
