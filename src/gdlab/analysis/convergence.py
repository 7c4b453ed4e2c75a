"""Did a run converge, how far is it, and how many steps would it take: the record's
`convergence`.

A run has converged when its last loss L is within `CONVERGED_GAP` (10⁻⁶), relative, of
the optimum's loss L*, or when its own tolerance (--tol) stopped it. The relative gap is
(L − L*)/L*; data that a line fits exactly (L* below `EXACT_FIT` of the starting loss L₀,
zero up to rounding) have it measured against that share of L₀ instead, max(L*, 10⁻¹²·L₀).

The predicted steps to get there come from the exact analysis of the quadratic (l2, mse,
with or without the penalty, in the coordinates trained) for a constant rate:

* plain GD: the excess ½Σλᵢcᵢ²(1 − ηλᵢ)^{2k} falls monotonically, so the first k below the
  target is found by bisection (`steps_to_gap`);
* heavy ball and Nesterov: along each eigen-direction the error is e_k = c₁z₁ᵏ + c₂z₂ᵏ with
  z₁, z₂ the roots of the 2×2 iteration (`momentum_growth`) and c₁, c₂ from e₀ and e₁. The
  excess oscillates, so the steps are those after which its envelope
  ½Σλ(|c₁||z₁|ᵏ + |c₂||z₂|ᵏ)² ≥ excess stays below the target: an upper bound.

Adaptive optimizers, mini-batches, schedules and Huber's loss have no such prediction (None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.analysis.quadratic import Analysis, mode_coordinates, steps_to_gap

Array = NDArray[np.float64]

#: Converged: the loss is within this share of L* above it.
CONVERGED_GAP = 1e-6
#: Below this share of the starting loss, L* is an exact fit (zero up to rounding).
EXACT_FIT = 1e-12
#: Predictions stop looking beyond this many steps (None: more than that, or never).
MAX_PREDICTED_STEPS = 10**15
#: Roots of a mode's iteration closer than this (relative) are taken as a double root.
DOUBLE_ROOT = 1e-7


def gap_scale(optimum_loss: float, initial_loss: float) -> float:
    """What the gap is measured against: L*, or `EXACT_FIT`·L₀ when L* is below that.

    >>> gap_scale(75.4, 338.0), gap_scale(0.0, 1e4)
    (75.4, 1e-08)
    """
    floor = EXACT_FIT * abs(initial_loss) if math.isfinite(initial_loss) else 0.0
    return max(optimum_loss, floor, 1e-300)


def relative_gap(loss: float, optimum_loss: float, initial_loss: float) -> float:
    """(L − L*)/max(L*, 10⁻¹²·L₀): how far above the optimum's loss a loss is (inf: blew up).

    >>> relative_gap(75.393, 75.386, 338.8) < 1e-4
    True
    """
    if not math.isfinite(loss):
        return math.inf
    return (loss - optimum_loss) / gap_scale(optimum_loss, initial_loss)


def target_gap(optimum_loss: float, initial_loss: float) -> float:
    """The excess L − L* that counts as converged: `CONVERGED_GAP` of the gap scale."""
    return CONVERGED_GAP * gap_scale(optimum_loss, initial_loss)


@dataclass(frozen=True)
class Suggestion:
    """The one change that gets an unconverged run there: new option values, and the steps
    predicted with them (None: no prediction, e.g. for Adam)."""

    options: dict[str, Any]
    steps: int | None

    def to_record(self) -> dict[str, Any]:
        """The suggestion as plain JSON values."""
        return {"options": dict(self.options), "steps_to_converge": self.steps}


@dataclass(frozen=True)
class Convergence:
    """Whether the run reached the optimum, how far it is, and the steps it would take.

    `relative_gap` is None when the optimum is not known (Huber with a penalty);
    `steps_to_converge` (predicted from the start at the run's rate) is None where it
    cannot be predicted; `suggestion` is set for a run that ended unconverged.
    """

    converged: bool
    relative_gap: float | None
    steps_to_converge: int | None
    target_gap: float
    reason: str
    suggestion: Suggestion | None = field(default=None)

    def to_record(self) -> dict[str, Any]:
        """The run record's `convergence` section."""
        return {
            "converged": self.converged,
            "relative_gap": self.relative_gap,
            "steps_to_converge": self.steps_to_converge,
            "target_gap": self.target_gap,
            "reason": self.reason,
            "suggestion": None if self.suggestion is None else self.suggestion.to_record(),
        }


def mode_roots(eigenvalues: Array, lr: float, beta: float, nesterov: bool) -> tuple[Array, Array]:
    """The two roots (complex) of each mode's iteration z² − a·z + b = 0.

    Heavy ball: a = 1 + β − ηλ, b = β; Nesterov: a = (1 + β)(1 − ηλ), b = β(1 − ηλ).
    """
    x = lr * eigenvalues
    if nesterov:
        a, b = (1 + beta) * (1 - x), beta * (1 - x)
    else:
        a, b = 1 + beta - x, np.full_like(x, beta)
    root = np.sqrt((a * a - 4 * b).astype(complex))
    return (a + root) / 2, (a - root) / 2


def momentum_envelope(
    analysis: Analysis, init: ArrayLike, lr: float, beta: float, nesterov: bool
) -> tuple[Array, Array, Array, Array, Array]:
    """Per mode, for the steps k ≥ 1: the weights ½λ, the roots' sizes |z₁|, |z₂| and the
    amplitudes |c₁|, |c₂| of e_k = c₁z₁^(k−1) + c₂z₂^(k−1), fitted to e₁ and e₂ (the first step
    starts from a zero velocity, so the recursion holds from there on). A double root z has
    e_k = (e₁ + (k−1)·d)·z^(k−1): its amplitudes are |e₁| and −|d| (the sign marks it)."""
    eigenvalues = analysis.hessian_eigenvalues
    start = mode_coordinates(analysis, init)
    x = lr * eigenvalues
    z1, z2 = mode_roots(eigenvalues, lr, beta, nesterov)
    a, b = (z1 + z2).real, (z1 * z2).real
    first = (1 - (1 + beta) * x if nesterov else 1 - x) * start  # e₁
    second = a * first - b * start  # e₂
    size = np.maximum(np.abs(z1), np.abs(z2))
    double = np.abs(z1 - z2) <= DOUBLE_ROOT * np.maximum(size, 1e-300)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        c1 = np.where(double, 0, (second - z2 * first) / np.where(double, 1, z1 - z2))
        c2 = first - c1
        slope = np.where(size > 0, np.abs(second / np.where(size > 0, z1, 1) - first), 0.0)
    amplitude1 = np.where(double, np.abs(first), np.abs(c1))
    amplitude2 = np.where(double, -slope, np.abs(c2))
    return 0.5 * eigenvalues, np.abs(z1), np.abs(z2), amplitude1, amplitude2


def envelope_at(parts: tuple[Array, Array, Array, Array, Array], k: int) -> float:
    """½Σλ(|c₁||z₁|^(k−1) + |c₂||z₂|^(k−1))² at step k ≥ 1, a bound on the excess there
    (double roots: ((|e₁| + (k−1)|d|)|z|^(k−1))²)."""
    weights, size1, size2, amplitude1, amplitude2 = parts
    j = k - 1
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        power1, power2 = size1**j, size2**j
        distinct = amplitude1 * power1 + amplitude2 * power2
        repeated = (amplitude1 - j * amplitude2) * power1
        term = np.where(amplitude2 < 0, repeated, distinct)
        return float(np.sum(weights * term**2))


def momentum_steps_to_gap(
    analysis: Analysis, init: ArrayLike, lr: float, beta: float, nesterov: bool, gap: float
) -> int | None:
    """Steps of heavy ball / Nesterov at rate `lr` after which the loss stays within `gap`
    of L* (the envelope's bound; None: never, or beyond `MAX_PREDICTED_STEPS`)."""
    eigenvalues = analysis.hessian_eigenvalues
    start = mode_coordinates(analysis, init)
    if 0.5 * float(np.sum(eigenvalues * start**2)) <= gap:
        return 0
    if not gap > 0:
        return None
    parts = momentum_envelope(analysis, init, lr, beta, nesterov)
    weights, size1, size2, amplitude1, amplitude2 = parts
    active = (weights > 0) & ((amplitude1 > 0) | (amplitude2 != 0))
    if not np.any(active):
        return 1
    if float(np.max(np.maximum(size1, size2)[active])) >= 1.0:
        return None
    # A double root's term (|e₁| + j|d|)|z|^j may rise before it falls: it peaks by j*.
    double = active & (amplitude2 < 0) & (size1 > 0)
    peak = 1
    if np.any(double):
        with np.errstate(divide="ignore"):
            tops = 1 / -np.log(size1[double]) - amplitude1[double] / -amplitude2[double]
        peak = 1 + max(0, math.ceil(float(np.max(tops))))
    if envelope_at(parts, peak) <= gap:  # below from the peak on: how early did it get there?
        while peak > 1 and envelope_at(parts, peak - 1) <= gap:
            peak -= 1
        return peak
    low, high = peak, 2 * peak
    while envelope_at(parts, high) > gap:  # the envelope falls from `peak` on
        low, high = high, 2 * high
        if high > MAX_PREDICTED_STEPS:
            return None
    while high - low > 1:
        middle = (low + high) // 2
        if envelope_at(parts, middle) <= gap:
            high = middle
        else:
            low = middle
    return high


def predicted_steps(
    analysis: Analysis, init: ArrayLike, lr: float, optimizer: str, beta: float, gap: float
) -> int | None:
    """Steps from `init` (data units) at constant rate `lr` until the loss is within `gap` of
    L*: exact for plain GD, an upper bound for momentum (None for other optimizers)."""
    if optimizer == "gd":
        steps = steps_to_gap(analysis, init, lr, gap)
    elif optimizer in ("momentum", "nesterov"):
        steps = momentum_steps_to_gap(analysis, init, lr, beta, optimizer == "nesterov", gap)
    else:
        return None
    return steps if steps is None or steps <= MAX_PREDICTED_STEPS else None
