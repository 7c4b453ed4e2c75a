"""The analysis of one training run: what `fit` knows before the first step.

It ties the pieces together for the coordinates training runs in (standardised or not,
penalised or not): the optimum in the data's units, the Hessian's eigen-decomposition and
the learning-rate bounds, the outlook of plain GD at the chosen rate, the conditioning
before and after standardising, and the regression summary of the unpenalised fit.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.analysis.deferred import Later, replace_unread
from gdlab.analysis.digits import distinct
from gdlab.analysis.quadratic import (
    Analysis,
    Conditioning,
    Outlook,
    analyze,
    compare_conditioning,
    gd_outlook,
    momentum_growth,
    momentum_lr_bound,
)
from gdlab.analysis.rates import gd_rate, momentum_rate
from gdlab.analysis.regression import RegressionSummary, regression_summary
from gdlab.analysis.robust import Covariance
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
    conditioning_scaling: Standardization | Later,
    covariance: Covariance | None = None,
) -> Analysis:
    """The run's `Analysis`: `trained_stats` are those of the problem trained (penalised,
    in trained coordinates v), `data_stats` those of the plain data in its own units.

    `init` is the start v₀ in trained coordinates; weights in the result are in the data's
    units, w = M·v with M = `scaling.to_original()` (identity without scaling). The
    conditioning compares the plain data before and after `conditioning_scaling` (which
    may be a `Later` too).

    Only the spectrum and the rate bounds are computed now: the optimum (a refined solve),
    the outlook, the conditioning and the regression table are computed when first read
    (by a run record, a summary, an explanation), not by every fit. The data's own analysis
    serves the trained problem when that is the data itself, the conditioning before
    standardising, and the regression table, so each is computed at most once. Without
    `lr` (a rate still to be chosen) the result has no outlook yet (`with_outlook`).
    `covariance` is the summary's robust covariance (`--cov`), when one was asked for.
    """
    data = analyze(data_stats, loss, optimum=Later(data_stats.optimum))
    if trained_stats is data_stats:
        trained = data  # its outlook is added below, with the other parts
        outlook: Outlook | Later | None = None if lr is None else Later(gd_outlook, data, init, lr)
    else:
        trained = analyze(trained_stats, loss, init=init, lr=lr)
        outlook = trained.outlook
    start = np.asarray(init, dtype=np.float64)
    if scaling is not None:
        trained = in_original_units(trained, scaling.to_original())
        start = scaling.to_original() @ start
    applied = scaling is not None
    conditioning = Later(
        conditioning_of, data, data_stats, loss, start, conditioning_scaling, applied
    )
    regression = Later(regression_of, data, data_stats, names, intercept, covariance)
    return replace_unread(
        trained, outlook=outlook, conditioning=conditioning, regression=regression
    )


def conditioning_of(
    data: Analysis,
    data_stats: LeastSquaresStats,
    loss: Loss,
    start: Array,
    scaling: Standardization | Later,
    applied: bool,
) -> Conditioning | None:
    """The data's `Analysis` against that of its features standardised by `scaling`, from
    one start in the data's units (see `compare_conditioning`); None when a constant
    feature beside the bias makes standardising impossible.

    Standardising moves the weights, w = M·v, not the optimum: its v* is M⁻¹w*, so the
    standardised analysis needs only its spectrum (from the factor of [AM | y]).
    """
    standardization: Standardization = scaling() if isinstance(scaling, Later) else scaling
    if any(standardization.constant) and standardization.intercept:
        return None
    standard_map = standardization.to_original()
    plain = replace(data_stats, moments=None)  # the moments only sharpen an optimum
    standard = analyze(plain.transformed(standard_map), loss, optimum=data.optimum_weights)
    after = replace(standard, to_original=standard_map)  # its optimum is in the data's units
    return replace(
        compare_conditioning(data, after, start, applied),
        feature_means=tuple(float(m) for m in standardization.means),
        feature_scales=tuple(float(s) for s in standardization.scales),
    )


def regression_of(
    data: Analysis,
    data_stats: LeastSquaresStats,
    names: Sequence[str],
    intercept: bool,
    covariance: Covariance | None = None,
) -> RegressionSummary:
    """The regression table of the data, at the optimum its `Analysis` already holds (with
    the robust `covariance` of `--cov`, when one was asked for)."""
    return regression_summary(data_stats, names, intercept, data.optimum_weights, covariance)


def with_outlook(analysis: Analysis, init: ArrayLike, lr: float) -> Analysis:
    """The analysis with plain GD's outlook at rate `lr` from `init` (data units), computed
    when first read; the parts not read yet stay so."""
    return replace_unread(analysis, outlook=Later(gd_outlook, analysis, init, lr))


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
        f"lr={lr:g} is {times(lr / bound)} the largest stable learning rate for this data, "
        f"{shown_bound} ({bound_formula(optimizer)}, where λ_max = {largest:.6g} is the largest "
        f"eigenvalue of the Hessian of the {analysis.loss} loss, built from XᵀX); along that "
        f"direction each step multiplies the error by {factor(growth)}, so this run will "
        "diverge. "
        f"Use lr < {shown_bound}; the fastest constant rate {best_words} is {shown_best}."
    )


def times(ratio: float) -> str:
    """'2.5×', or for a ratio past float64's range, a bound that is true of it.

    >>> times(2.5), times(float("inf"))
    ('2.5×', 'over 1.8e+308×')
    """
    return f"{ratio:.3g}×" if math.isfinite(ratio) else f"over {sys.float_info.max:.2g}×"


def factor(value: float) -> str:
    """A growth factor as text ('3.2', or 'more than 1.8e+308' past float64's range)."""
    return f"{value:.3g}" if math.isfinite(value) else f"more than {sys.float_info.max:.2g}"


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
