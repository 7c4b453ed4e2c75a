"""What the data says about gradient descent before and after training.

Everything comes from the one-pass statistics (`LeastSquaresStats`) and the loss: the
closed-form optimum, the Hessian H = h·AᵀA (h = 1 for l2, 2/N for mse) with its
eigen-decomposition H = V·diag(λ)·Vᵀ (from the SVD of R: A = QR, R = UΣVᵀ, λ = h·σ²), and
what follows for a quadratic loss L(w) = L* + ½(w − w*)ᵀH(w − w*):

* plain GD, w ← w − ηHΔ, moves each eigen-direction i by the factor (1 − ηλ_i) per step, so
  it is stable exactly for η < 2/λ_max and fastest at η = 2/(λ_min + λ_max);
* after k steps, L_k = L* + ½ Σ λ_i (1 − ηλ_i)^{2k} (v_iᵀ(w₀ − w*))²  (exact);
* heavy-ball momentum is fastest at η = 4/(√λ_max + √λ_min)², β = ((√κ − 1)/(√κ + 1))².
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.analysis.deferred import Deferred, Later
from gdlab.analysis.regression import RegressionSummary
from gdlab.model.losses import LOSSES, Loss
from gdlab.onepass.lstsq import LeastSquaresStats

Array = NDArray[np.float64]

#: "Reached the optimum" means the loss is within this fraction above its minimum …
RELATIVE_GAP = 1e-3
#: … or, when the minimum is (nearly) zero, this fraction of the starting excess is left.
EXCESS_GAP = 1e-6


@dataclass(frozen=True)
class Outlook:
    """What plain GD at one constant rate η will do from one start (exact for a quadratic)."""

    lr: float
    ratio_to_bound: float
    contraction: float
    slowest_eigenvalue: float
    gap: float
    steps_to_gap: int | None

    @property
    def converges(self) -> bool:
        """True when every direction with curvature shrinks: max|1 − ηλ_i| < 1."""
        return self.contraction < 1

    def to_record(self) -> dict[str, Any]:
        """The outlook as plain JSON values."""
        return {
            "lr": self.lr,
            "ratio_to_bound": self.ratio_to_bound,
            "contraction_per_step": self.contraction,
            "converges": self.converges,
            "gap": self.gap,
            "steps_to_gap": self.steps_to_gap,
        }


@dataclass(frozen=True)
class Conditioning:
    """The problem before and after standardising the features (same start, best rates)."""

    condition_before: float
    condition_after: float
    steps_before: int | None
    steps_after: int | None
    applied: bool
    feature_means: tuple[float, ...] = ()
    feature_scales: tuple[float, ...] = ()

    def to_record(self) -> dict[str, Any]:
        """The comparison as plain JSON values."""
        return {
            "applied": self.applied,
            "feature_means": list(self.feature_means),
            "feature_scales": list(self.feature_scales),
            "condition_number_before": self.condition_before,
            "condition_number_after": self.condition_after,
            "steps_at_best_lr_before": self.steps_before,
            "steps_at_best_lr_after": self.steps_after,
        }


@dataclass(frozen=True)
class Analysis:
    """Optimum and curvature of a quadratic loss on one dataset, and what GD will do.

    Weights (`optimum_weights`, and every `init` passed to the functions below) are in the
    data's units. The eigen-decomposition and the rates belong to the coordinates training
    ran in: with `to_original` = M (standardised training), those are v with w = M·v.

    The optimum's weights (a refined solve), the outlook, the conditioning and the
    regression table may be given as a `Later` (`gdlab.analysis.deferred`): each is then
    computed when first read. `gdlab.fit` leaves them to whoever reads them.
    """

    if TYPE_CHECKING:  # to type checkers a plain required field, as it is to its readers
        optimum_weights: NDArray[np.float64]
    else:  # a required field that may be given as a `Later`
        optimum_weights: Deferred[NDArray[np.float64]] = Deferred()
    optimum_loss: float
    hessian_eigenvalues: NDArray[np.float64]
    lr_max_stable: float
    lr_optimal: float
    condition_number: float
    hessian_eigenvectors: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))
    loss: str = "l2"
    n_rows: int = 0
    momentum_lr: float = math.nan
    momentum_beta: float = math.nan
    outlook: Deferred[Outlook | None] = Deferred(None)  # noqa: RUF009 (descriptor)
    conditioning: Deferred[Conditioning | None] = Deferred(None)  # noqa: RUF009 (descriptor)
    regression: Deferred[RegressionSummary | None] = Deferred(None)  # noqa: RUF009 (descriptor)
    to_original: NDArray[np.float64] | None = None
    #: Σw of weighted rows (else N): what the mse loss averages over.
    mass: float = 0.0

    @property
    def lr_by_loss(self) -> dict[str, dict[str, float]]:
        """The two GD rates for each loss: the Hessians differ by h, so the rates by 1/h."""
        mass = self.mass or self.n_rows
        scale = LOSSES[self.loss].curvature_scale(mass)
        rates = {}
        for name, other in LOSSES.items():
            ratio = scale / other.curvature_scale(mass)
            rates[name] = {
                "lr_max_stable": self.lr_max_stable * ratio,
                "lr_optimal": self.lr_optimal * ratio,
            }
        return rates

    def _repr_html_(self) -> str:
        """The analysis as a notebook shows it: the optimum, the spectrum, the rate bounds."""
        from gdlab.analysis.display import table

        rows: list[list[object]] = [
            ["optimum loss L(w*)", self.optimum_loss],
            ["largest stable lr (plain GD)", self.lr_max_stable],
            ["best constant lr 2/(λmin+λmax)", self.lr_optimal],
            ["condition number κ", self.condition_number],
            ["Hessian eigenvalues", ", ".join(f"{v:.4g}" for v in self.hessian_eigenvalues)],
            ["optimum weights", ", ".join(f"{v:.6g}" for v in self.optimum_weights)],
        ]
        return table(["", f"loss {self.loss}, {self.n_rows:,} rows"], rows, "Analysis")

    def to_record(self) -> dict[str, object]:
        """The run record's `analysis` section (the keys of docs/design.md first, then the rest)."""
        record: dict[str, object] = {
            "lr_max_stable": self.lr_max_stable,
            "lr_optimal": self.lr_optimal,
            "condition_number": self.condition_number,
            "hessian_eigenvalues": self.hessian_eigenvalues.tolist(),
            "hessian_eigenvectors": self.hessian_eigenvectors.tolist(),
            "lr_by_loss": self.lr_by_loss,
            "momentum_best": {"lr": self.momentum_lr, "beta": self.momentum_beta},
        }
        for name in ("outlook", "conditioning", "regression"):
            part = getattr(self, name)
            if part is not None:
                record[name] = part.to_record()
        return record


def hessian_eigen(stats: LeastSquaresStats, loss: Loss) -> tuple[Array, Array]:
    """Eigenvalues (ascending) and eigenvectors (columns) of H = h·RᵀR via the SVD of R."""
    singular, vt = stats.singular  # σ descending (LAPACK's order): the eigenvalues reversed
    eigenvalues = loss.curvature_scale(stats.mass) * singular[::-1] ** 2
    return eigenvalues, vt[::-1].T.copy()


def hessian_eigenvalues(stats: LeastSquaresStats, loss: Loss) -> NDArray[np.float64]:
    """Eigenvalues of the Hessian h·AᵀA, ascending, from the singular values of R."""
    return hessian_eigen(stats, loss)[0]


def stable_lr_bound(eigenvalues: NDArray[np.float64]) -> float:
    """The largest learning rate for which plain GD converges: 2/λ_max (exclusive).

    >>> stable_lr_bound(np.array([1.0, 4.0]))
    0.5
    """
    largest = float(eigenvalues[-1])
    return 2.0 / largest if largest > 0 else math.inf


def optimal_constant_lr(eigenvalues: NDArray[np.float64]) -> float:
    """The constant rate with the fastest worst-case GD convergence: 2/(λ_min + λ_max).

    >>> optimal_constant_lr(np.array([1.0, 3.0]))
    0.5
    """
    total = float(eigenvalues[0] + eigenvalues[-1])
    return 2.0 / total if total > 0 else math.inf


def condition_number(eigenvalues: NDArray[np.float64]) -> float:
    """λ_max/λ_min of the Hessian (inf when it is singular)."""
    smallest = float(eigenvalues[0])
    return float(eigenvalues[-1]) / smallest if smallest > 0 else math.inf


def heavy_ball_parameters(eigenvalues: NDArray[np.float64]) -> tuple[float, float]:
    """Polyak's best heavy-ball (η, β): 4/(√λ_max + √λ_min)² and ((√κ − 1)/(√κ + 1))².

    >>> heavy_ball_parameters(np.array([1.0, 9.0]))
    (0.25, 0.25)
    """
    low = math.sqrt(max(float(eigenvalues[0]), 0.0))
    high = math.sqrt(max(float(eigenvalues[-1]), 0.0))
    if high + low == 0:  # no curvature at all: any rate, no momentum
        return math.inf, 0.0
    return 4.0 / (high + low) ** 2, ((high - low) / (high + low)) ** 2


def momentum_lr_bound(eigenvalues: NDArray[np.float64], beta: float, nesterov: bool) -> float:
    """The stable rate bound of momentum on a quadratic: 2(1+β)/λ_max (heavy ball) or
    2(1+β)/((1+2β)·λ_max) (Nesterov); β = 0 gives plain GD's 2/λ_max.

    >>> momentum_lr_bound(np.array([1.0, 4.0]), 0.5, nesterov=False)
    0.75
    """
    curvature = (1 + 2 * beta if nesterov else 1.0) * float(eigenvalues[-1])
    return 2 * (1 + beta) / curvature if curvature > 0 else math.inf


def momentum_growth(lr: float, eigenvalue: float, beta: float, nesterov: bool) -> float:
    """Per-step growth of the error along one eigen-direction under momentum: the spectral
    radius of the 2×2 iteration on (e_k, e_{k−1}).

    Heavy ball: e_{k+1} = (1 + β − ηλ)e_k − βe_{k−1}; Nesterov:
    e_{k+1} = (1+β)(1 − ηλ)e_k − β(1 − ηλ)e_{k−1}. Above 1 the direction diverges.

    >>> round(momentum_growth(0.5, 1.0, 0.0, nesterov=False), 12)  # plain GD: |1 − ηλ|
    0.5
    """
    shrink = 1 - lr * eigenvalue
    if not math.isfinite(shrink):  # a rate past float64's range
        return math.inf
    if nesterov:
        iteration = np.array([[(1 + beta) * shrink, -beta * shrink], [1.0, 0.0]])
    else:
        iteration = np.array([[1 + beta - lr * eigenvalue, -beta], [1.0, 0.0]])
    return float(np.max(np.abs(np.linalg.eigvals(iteration))))


def mode_coordinates(analysis: Analysis, init: ArrayLike) -> Array:
    """c = Vᵀ(w₀ − w*): how far the start lies from the optimum along each eigenvector.

    Weights are in the data's units; when training ran in other coordinates (w = M·v,
    `to_original`), the difference is carried into them first: Vᵀ M⁻¹(w₀ − w*).
    """
    start = np.asarray(init, dtype=np.float64) - analysis.optimum_weights
    if analysis.to_original is not None:
        start = np.asarray(np.linalg.solve(analysis.to_original, start), dtype=np.float64)
    return np.asarray(analysis.hessian_eigenvectors.T @ start, dtype=np.float64)


def predicted_losses(
    analysis: Analysis, init: ArrayLike, lr: float | Sequence[float], steps: int
) -> Array:
    """The exact loss after each of `steps` GD updates (a constant rate or one per step).

    L_k = L* + ½ Σ_i λ_i c_i² Π_{j<k} (1 − η_j λ_i)², with c = Vᵀ(w₀ − w*).
    """
    coordinates = mode_coordinates(analysis, init)
    eigenvalues = analysis.hessian_eigenvalues
    rates = np.broadcast_to(np.asarray(lr, dtype=np.float64), (steps,))
    with np.errstate(over="ignore", invalid="ignore"):
        factors = np.cumprod((1.0 - np.outer(rates, eigenvalues)) ** 2, axis=0)
        excess = 0.5 * factors @ (eigenvalues * coordinates**2)
    return analysis.optimum_loss + excess


def excess_after(eigenvalues: Array, weights: Array, lr: float, k: int) -> float:
    """½ Σ λ_i c_i² (1 − ηλ_i)^{2k} for the per-mode weights λ_i c_i² (k may be huge)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return float(0.5 * np.sum(weights * np.abs(1.0 - lr * eigenvalues) ** (2.0 * k)))


def steps_to_gap(analysis: Analysis, init: ArrayLike, lr: float, gap: float) -> int | None:
    """The fewest constant-rate GD steps after which L_k − L* ≤ gap (None: never).

    Each term of the exact excess shrinks geometrically, so the first k is found by
    bisection below the bound log(gap/E₀)/(2·log max|1 − ηλ_i|).
    """
    return steps_within(analysis.hessian_eigenvalues, mode_weights(analysis, init), lr, gap)


def steps_within(eigenvalues: Array, weights: Array, lr: float, gap: float) -> int | None:
    """`steps_to_gap` for the per-direction weights λ_i c_i² of a start (`mode_weights`)."""
    if excess_after(eigenvalues, weights, lr, 0) <= gap:
        return 0
    active = weights > 0  # directions the start has no share in never count
    if not np.isfinite(weights).all() or not active.any():
        return None  # a start so far out that its excess overflows float64
    eigenvalues, weights = eigenvalues[active], weights[active]
    with np.errstate(over="ignore"):
        slowest = float(np.max(np.abs(1.0 - lr * eigenvalues)))
    if slowest >= 1.0 or gap <= 0:
        return None
    if slowest == 0.0:
        return 1
    high = max(1, math.ceil(math.log(gap / (0.5 * weights.sum())) / (2 * math.log(slowest))))
    excess = excess_curve(eigenvalues, weights, lr)
    low = 0  # excess(low) > gap ≥ excess(high)
    while high - low > 1:
        middle = (low + high) // 2
        if excess(middle) <= gap:
            high = middle
        else:
            low = middle
    return high


#: Up to this many directions `excess_curve` sums on Python floats (cheaper than numpy calls,
#: and numpy sums fewer than 8 terms in this same order).
SCALAR_EXCESS_MAX_TERMS = 7


def excess_curve(eigenvalues: Array, weights: Array, lr: float) -> Callable[[int], float]:
    """k ↦ `excess_after(eigenvalues, weights, lr, k)` for directions that all shrink
    (|1 − ηλ_i| < 1): what `steps_to_gap` bisects on, a dozen times per call."""
    if weights.size > SCALAR_EXCESS_MAX_TERMS:
        return lambda k: excess_after(eigenvalues, weights, lr, k)
    pairs = zip(weights.tolist(), eigenvalues.tolist(), strict=True)
    terms = [(w, abs(1.0 - lr * e)) for w, e in pairs]
    return lambda k: 0.5 * sum(w * f ** (2.0 * k) for w, f in terms)


def mode_weights(analysis: Analysis, init: ArrayLike) -> Array:
    """λ_i c_i²: each eigen-direction's share of the starting excess (inf past float64)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return analysis.hessian_eigenvalues * mode_coordinates(analysis, init) ** 2


def start_excess(analysis: Analysis, init: ArrayLike) -> float:
    """L(w₀) − L* = ½ Σ λ_i c_i²: how far above its minimum the loss starts."""
    return excess_after(analysis.hessian_eigenvalues, mode_weights(analysis, init), 0.0, 0)


def convergence_gap(optimum_loss: float, initial_loss: float) -> float:
    """The loss gap that counts as "at the optimum": `RELATIVE_GAP`·L*, or, when L* is
    (nearly) zero, `EXCESS_GAP` of the starting excess L₀ − L*."""
    if optimum_loss > EXCESS_GAP * initial_loss:
        return RELATIVE_GAP * optimum_loss
    return EXCESS_GAP * max(initial_loss - optimum_loss, 0.0)


def gd_outlook(analysis: Analysis, init: ArrayLike, lr: float) -> Outlook:
    """How plain GD at rate `lr` from `init` will fare: stability, speed, steps to the gap."""
    eigenvalues = analysis.hessian_eigenvalues
    weights = mode_weights(analysis, init)
    start = excess_after(eigenvalues, weights, 0.0, 0)
    gap = convergence_gap(analysis.optimum_loss, analysis.optimum_loss + start)
    with np.errstate(over="ignore"):  # a rate past float64's range: an infinite factor
        factors = np.abs(1.0 - lr * eigenvalues)
        ratio = lr / analysis.lr_max_stable
    return Outlook(
        lr=float(lr),
        ratio_to_bound=float(ratio),
        contraction=float(factors.max()),
        slowest_eigenvalue=float(eigenvalues[int(np.argmax(factors))]),
        gap=gap,
        steps_to_gap=steps_within(eigenvalues, weights, lr, gap),
    )


def compare_conditioning(
    before: Analysis, after: Analysis, init: ArrayLike, applied: bool
) -> Conditioning:
    """κ and the steps to the optimum at each problem's best constant rate from one start
    (weights in the data's units; `after` maps its coordinates with `to_original`)."""
    weights = mode_weights(before, init)
    start = excess_after(before.hessian_eigenvalues, weights, 0.0, 0)
    gap = convergence_gap(before.optimum_loss, before.optimum_loss + start)
    return Conditioning(
        condition_before=before.condition_number,
        condition_after=after.condition_number,
        steps_before=steps_within(before.hessian_eigenvalues, weights, before.lr_optimal, gap),
        steps_after=steps_to_gap(after, init, after.lr_optimal, gap),
        applied=applied,
    )


def analyze(
    stats: LeastSquaresStats,
    loss: Loss,
    *,
    init: ArrayLike | None = None,
    lr: float | None = None,
    optimum: ArrayLike | Later | None = None,
) -> Analysis:
    """Optimum, eigen-decomposition and learning-rate bounds for `loss` on data with `stats`;
    with `init` and `lr`, also the `Outlook` of plain GD from there. An `optimum` known
    already (the same point in other coordinates, say) spares solving for it again; a
    `Later` one is solved for when first read."""
    eigenvalues, eigenvectors = hessian_eigen(stats, loss)
    momentum_lr, momentum_beta = heavy_ball_parameters(eigenvalues)
    if optimum is None:
        optimum = stats.optimum()
    analysis = Analysis(
        optimum_weights=cast(
            Any, optimum if isinstance(optimum, Later) else np.asarray(optimum, float)
        ),
        optimum_loss=loss.sum_weight(stats.mass) * stats.least_sum_of_squares(),
        hessian_eigenvalues=eigenvalues,
        lr_max_stable=stable_lr_bound(eigenvalues),
        lr_optimal=optimal_constant_lr(eigenvalues),
        condition_number=condition_number(eigenvalues),
        hessian_eigenvectors=eigenvectors,
        loss=loss.name,
        n_rows=stats.n_rows,
        mass=stats.mass,
        momentum_lr=momentum_lr,
        momentum_beta=momentum_beta,
    )
    if init is not None and lr is not None:
        analysis = replace(analysis, outlook=gd_outlook(analysis, init, lr))
    return analysis
