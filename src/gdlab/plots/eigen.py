"""The eigendirections: the error along each eigenvector of the Hessian, step by step.

On a quadratic loss each eigenvector of the Hessian is a direction the optimizer moves along
on its own (`gdlab.analysis.modes`): plain GD multiplies the error there by (1 − ηλᵢ) each
step. Each mode's measured |cᵢ(k)| (solid) is drawn beside its predicted curve (dashed) on a
log axis, labelled with λᵢ and its factor per step, so the slow direction shows itself: the
flattest one, whose factor is nearest 1.
"""

from __future__ import annotations

import numpy as np

from gdlab.analysis.modes import ROTATION_INVARIANT, mode_factors, mode_path, predicted_modes
from gdlab.analysis.quadratic import analyze
from gdlab.analysis.training import in_original_units
from gdlab.engines.stats import standardized_statistics
from gdlab.errors import ConfigError
from gdlab.optim.optimizers import make_optimizer
from gdlab.optim.schedules import parse_schedule
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.plots.view import RunLike, as_view

#: At most this many modes are drawn: the flattest and the steepest ones.
MAX_MODES = 8


def shown_modes(count: int) -> list[int]:
    """The modes drawn: all of them, or the flattest and steepest few when there are many."""
    if count <= MAX_MODES:
        return list(range(count))
    half = MAX_MODES // 2
    return [*range(half), *range(count - half, count)]


def eigen_figure(run: RunLike, *, theme: str | Theme = "light") -> Figure:
    """|cᵢ(k)| over the steps for each eigen-direction, measured and predicted."""
    view = as_view(run)
    config = view.config
    if not config.is_quadratic:
        raise ConfigError("eigendirections need a quadratic loss (l2 or mse), not huber")
    analysis = analyze(view.stats, view.loss)
    if config.standardize:
        scaling = view.problem.natural_scaling
        standard = analyze(standardized_statistics(view.stats, scaling), view.loss)
        analysis = in_original_units(standard, scaling.to_original())
    measured = np.abs(mode_path(analysis, view.path))
    eigenvalues = analysis.hessian_eigenvalues
    predicted = None
    if config.optimizer in ROTATION_INVARIANT and config.l2 == 0 and config.batch_size is None:
        rate = (
            parse_schedule(config.schedule, view.lr, view.steps_run) if config.schedule else view.lr
        )
        optimizer = make_optimizer(config.optimizer, rate, **config.optimizer_options)
        predicted = np.abs(predicted_modes(analysis, view.init, optimizer, view.steps_run))
    factors = (
        mode_factors(view.lr, eigenvalues, config.optimizer, config.momentum)
        if config.optimizer in ROTATION_INVARIANT
        else None
    )
    with themed(theme) as chosen:
        figure = Figure(figsize=(8.6, 5.4), layout="constrained")
        ax = figure.subplots()
        # Below about 1e-16 of the start, float64 can no longer resolve the error.
        floor = 1e-17 * max(float(np.max(measured[0])), 1e-300)
        for order, mode in enumerate(shown_modes(len(eigenvalues))):
            color = chosen.weight_color(order)
            label = f"λ{mode + 1} = {eigenvalues[mode]:.3g}"
            if factors is not None:
                label += f", ×{factors[mode]:.3g} per step"
            ax.plot(
                view.path_steps,
                np.maximum(measured[:, mode], floor),
                color=color,
                lw=1.8,
                label=label,
            )
            if predicted is not None:
                ax.plot(
                    np.arange(view.steps_run + 1),
                    np.maximum(predicted[:, mode], floor),
                    "--",
                    color=color,
                    lw=1.0,
                )
        ax.axhline(
            10 * floor,
            ls=":",
            lw=1.0,
            color=chosen.color("floor"),
            label="float64's rounding floor",
        )
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlabel("Training steps")
        ax.set_ylabel("error along the eigenvector |cᵢ| = |vᵢᵀ(w − w*)|  (log)")
        ax.legend(
            loc="best",
            title="solid: measured; dashed: predicted" if predicted is not None else None,
        )
        ax.set_title(
            f"The error along each eigenvector of the Hessian: {view.steps_run} steps of "
            f"{view.optimizer}, lr {view.lr:g}"
        )
    return figure
