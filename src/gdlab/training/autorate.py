"""`lr="auto"` settled for one run: the rule of `gdlab.analysis.rates` applied to the problem
as it trains (its Hessian, its start and optimum in the coordinates trained, its batches).

`choose_rate` returns the `RateChoice` the run record keeps as `lr_choice`: the number, and
in words how it was chosen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.quadratic import Analysis, start_excess
from gdlab.analysis.rates import (
    ADAPTIVE,
    MOMENTUM,
    RateChoice,
    adaptive_cap,
    adaptive_rate,
    adaptive_rule,
    batch_curvature,
    curved,
    gd_rate,
    momentum_rate,
    spectral_radius,
    start_distance,
)
from gdlab.training.config import TrainingConfig

Array = NDArray[np.float64]


def trained_optimum(analysis: Analysis) -> Array:
    """The optimum in the coordinates training runs in (v* = M⁻¹w* when standardised)."""
    optimum = np.asarray(analysis.optimum_weights, dtype=np.float64)
    if analysis.to_original is None:
        return optimum
    return np.asarray(np.linalg.solve(analysis.to_original, optimum), dtype=np.float64)


def hessian_words(config: TrainingConfig, analysis: Analysis) -> str:
    """Which Hessian the rule read, e.g. "the l2 loss's Hessian (standardised), λ 4.35…44.8"."""
    values = curved(analysis.hessian_eigenvalues)
    what = (
        "AᵀA (it bounds Huber's curvature)"
        if not config.is_quadratic
        else f"the Hessian of the {config.loss} loss"
    )
    how = [
        word
        for word, on in (("standardised", config.standardize), ("penalised", config.l2 > 0))
        if on
    ]
    shown = f" ({', '.join(how)})" if how else ""
    return f"{what}{shown}, λ from {values[0]:.4g} to {values[-1]:.4g}"


def is_mini_batch(config: TrainingConfig, n_rows: int) -> bool:
    """True when each step sees fewer rows than all of them."""
    return config.batch_size is not None and config.batch_size < n_rows


def choose_rate(
    config: TrainingConfig, analysis: Analysis, start: Array, engine: Any
) -> RateChoice:
    """The rate of this run: the given one, or the `lr="auto"` rule for its optimizer.

    `analysis` is the run's (the Hessian of the problem trained, its optimum), `start` the
    first weights in the coordinates trained, `engine` what computes the steps (its rows
    give a mini-batch's curvature bound).
    """
    if not config.lr_is_auto:
        return RateChoice.given(float(config.lr))
    optimizer = config.optimizer
    eigenvalues = analysis.hessian_eigenvalues
    beta = config.momentum
    if optimizer in ADAPTIVE:
        trained_start = np.asarray(start, dtype=np.float64)
        distance = start_distance(trained_start, trained_optimum(analysis))
        in_data_units = (
            trained_start if analysis.to_original is None else analysis.to_original @ trained_start
        )
        cap = adaptive_cap(start_excess(analysis, in_data_units), eigenvalues)
        lr = adaptive_rate(optimizer, distance, config.steps, cap)
        words = adaptive_rule(optimizer, distance, config.steps, cap)
        rule = f"auto for {optimizer}: {words}"
    elif is_mini_batch(config, analysis.n_rows):
        lr, rule = mini_batch_rate(config, analysis, engine)
    elif optimizer in MOMENTUM:
        nesterov = MOMENTUM[optimizer]
        lr = momentum_rate(eigenvalues, beta, nesterov)
        shrink = spectral_radius(eigenvalues, lr, beta, nesterov)
        name = "Nesterov" if nesterov else "heavy ball"
        rule = (
            f"auto for {name} at β = {beta:g}: the rate with the smallest spectral radius on "
            f"the quadratic ({shrink:.4g} a step), from {hessian_words(config, analysis)}"
        )
    elif optimizer == "fista":
        lr = 1.0 / float(curved(eigenvalues)[-1])
        rule = f"auto for FISTA: 1/λmax (its step bound) of {hessian_words(config, analysis)}"
    else:
        lr = gd_rate(eigenvalues)
        rule = f"auto: 2/(λmin+λmax) of {hessian_words(config, analysis)}"
    return RateChoice(float(lr), True, rule)


def mini_batch_rate(config: TrainingConfig, analysis: Analysis, engine: Any) -> tuple[float, str]:
    """1/L_B (momentum: (1 − β)/L_B) for batches of `config.batch_size` rows."""
    A = np.asarray(engine.A, dtype=np.float64)
    norms = np.einsum("ij,ij->i", A, A)
    scale = engine.loss.curvature_scale(engine.mass)
    # λ_max with the penalty is at least the data's own: a safe stand-in for it.
    largest = float(analysis.hessian_eigenvalues[-1])
    bound = batch_curvature(norms, int(config.batch_size or 1), scale, largest, config.l2)
    share = 1 - config.momentum if config.optimizer in MOMENTUM else 1.0
    lead = "(1 − β)/L_B" if share != 1.0 else "1/L_B"
    rule = (
        f"auto for mini-batches of {config.batch_size} rows: {lead}, L_B = {bound:.4g} "
        "bounds the curvature any batch's step sees"
    )
    return share / bound, rule
