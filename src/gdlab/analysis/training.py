"""The analysis of one training run: what `fit` knows before the first step.

It ties the pieces together for the coordinates training runs in (standardised or not,
penalised or not): the optimum in the data's units, the Hessian's eigen-decomposition and
the learning-rate bounds, the outlook of plain GD at the chosen rate, the conditioning
before and after standardising, and the regression summary of the unpenalised fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.analysis.digits import distinct
from gdlab.analysis.quadratic import (
    Analysis,
    analyze,
    compare_conditioning,
    gd_outlook,
    momentum_growth,
    momentum_lr_bound,
)
from gdlab.analysis.rates import gd_rate, momentum_rate
from gdlab.analysis.regression import regression_summary
from gdlab.model.losses import Loss
from gdlab.model.standardize import Standardization
from gdlab.onepass.lstsq import LeastSquaresStats

Array = NDArray[np.float64]

#: Optimizers whose stability on a quadratic has a closed form (and their bound).
MOMENTUM_OPTIMIZERS = {"momentum": False, "nesterov": True}


def analyze_training(
    trained_stats: LeastSquaresStats,
    data_stats: LeastSquaresStats,
    loss: Loss,
    *,
    init: ArrayLike,
    lr: float | None,
    names: Sequence[str],
    intercept: bool,
    scaling: Standardization | None,
    conditioning_scaling: Standardization,
) -> Analysis:
    """The run's `Analysis`: `trained_stats` are those of the problem trained (penalised,
    in trained coordinates v), `data_stats` those of the plain data in its own units.

    `init` is the start v₀ in trained coordinates; weights in the result are in the data's
    units, w = M·v with M = `scaling.to_original()` (identity without scaling). The
    conditioning compares the plain data before and after `conditioning_scaling`. Without
    `lr` (a rate still to be chosen) the result has no outlook yet (`with_outlook`).
    """
    trained = analyze(trained_stats, loss, init=init, lr=lr)
    start = np.asarray(init, dtype=np.float64)
    if scaling is not None:
        trained = in_original_units(trained, scaling.to_original())
        start = scaling.to_original() @ start
    regression = regression_summary(data_stats, names, intercept)
    conditioning = None
    if not any(conditioning_scaling.constant) or not intercept:
        standard_map = conditioning_scaling.to_original()
        before = analyze(data_stats, loss)
        standard = analyze(data_stats.transformed(standard_map), loss)
        after = in_original_units(standard, standard_map)
        conditioning = replace(
            compare_conditioning(before, after, start, applied=scaling is not None),
            feature_means=tuple(float(m) for m in conditioning_scaling.means),
            feature_scales=tuple(float(s) for s in conditioning_scaling.scales),
        )
    return replace(trained, conditioning=conditioning, regression=regression)


def with_outlook(analysis: Analysis, init: ArrayLike, lr: float) -> Analysis:
    """The analysis with plain GD's outlook at rate `lr` from `init` (data units)."""
    return replace(analysis, outlook=gd_outlook(analysis, init, lr))


def in_original_units(analysis: Analysis, M: Array) -> Analysis:
    """The analysis of a problem trained in coordinates v, reported for weights w = M·v."""
    return replace(analysis, optimum_weights=M @ analysis.optimum_weights, to_original=M)


def stable_bound_for(
    analysis: Analysis, optimizer: str, options: Mapping[str, float]
) -> float | None:
    """The largest stable rate of `optimizer` on this quadratic (None: no closed form)."""
    if optimizer == "gd":
        return analysis.lr_max_stable
    if optimizer in MOMENTUM_OPTIMIZERS:
        beta = float(options.get("momentum", 0.9))
        eigenvalues = analysis.hessian_eigenvalues
        return momentum_lr_bound(eigenvalues, beta, MOMENTUM_OPTIMIZERS[optimizer])
    return None


def stability_warning(
    analysis: Analysis, optimizer: str, lr: float, options: Mapping[str, float]
) -> str | None:
    """A one-paragraph warning when `lr` is at or above the stable bound, else None."""
    bound = stable_bound_for(analysis, optimizer, options)
    if bound is None or lr < bound:
        return None
    largest = float(analysis.hessian_eigenvalues[-1])
    if optimizer in MOMENTUM_OPTIMIZERS:
        beta = float(options.get("momentum", 0.9))
        growth = momentum_growth(lr, largest, beta, MOMENTUM_OPTIMIZERS[optimizer])
    else:
        growth = abs(1 - lr * largest)
    shown_bound, shown_best = distinct(bound, best_rate(analysis, optimizer, options), digits=6)
    best_words = "for plain GD" if optimizer == "gd" else f"for {optimizer}"
    return (
        f"lr={lr:g} is {lr / bound:.3g}× the largest stable learning rate for this data, "
        f"{shown_bound} ({bound_formula(optimizer)}, where λ_max = {largest:.6g} is the largest "
        f"eigenvalue of the Hessian of the {analysis.loss} loss, built from XᵀX); along that "
        f"direction each step multiplies the error by {growth:.3g}, so this run will diverge. "
        f"Use lr < {shown_bound}; the fastest constant rate {best_words} is {shown_best}."
    )


def best_rate(analysis: Analysis, optimizer: str, options: Mapping[str, float]) -> float:
    """The fastest constant rate of plain GD, heavy ball or Nesterov on this quadratic (see
    `gdlab.analysis.rates`): what `lr="auto"` picks for them."""
    eigenvalues = analysis.hessian_eigenvalues
    if optimizer in MOMENTUM_OPTIMIZERS:
        beta = float(options.get("momentum", 0.9))
        return momentum_rate(eigenvalues, beta, MOMENTUM_OPTIMIZERS[optimizer])
    return gd_rate(eigenvalues)


def bound_formula(optimizer: str) -> str:
    """How the stable bound of `optimizer` is computed, in words."""
    if optimizer == "momentum":
        return "the heavy-ball bound 2(1+β)/λ_max"
    if optimizer == "nesterov":
        return "the Nesterov bound 2(1+β)/((1+2β)λ_max)"
    if optimizer == "gd":
        return "2/λ_max"
    return "2/λ_max for plain GD"
