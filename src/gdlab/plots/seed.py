"""The seed program's figure: the exact replica of the study note's, and a styled one.

`seed_figure` is the note's figure as it drew it (docs/design.md, "The seed program"): left,
the data, the predictions at each x (green) and the line b + a·x over x from −4 to 6;
right, the loss after each training step — kept byte-for-byte in behaviour
(tests/plots/test_seed.py checks it). `styled_seed_figure` tells the same story for a
reader: titles, labelled axes, a legend, the least-squares line and the loss's floor.

Both take a run (`seed_figure(run)`, `draw_fit(ax, run)`) or, as the note does, the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from gdlab.errors import ConfigError
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.plots.view import RunView, as_view
from gdlab.training.record import Run, RunRecord

#: The seed draws its fitted line over this x range.
SEED_LINE_RANGE = (-4.0, 6.0)


@dataclass(frozen=True)
class FitArtists:
    """What `draw_fit` drew: the data, the predictions and the fitted line."""

    data: PathCollection
    predictions: PathCollection
    line: Line2D


def is_run(value: Any) -> bool:
    """True for what the picture functions accept as a run (not an array of numbers)."""
    return isinstance(value, Run | RunRecord | RunView | dict)


def line_view(run: Any) -> RunView:
    """The run as a view, checked to be the seed's kind of fit: one feature and a bias."""
    view = as_view(run)
    if not (view.is_line and view.intercept):
        raise ConfigError(
            "the seed figure needs one feature and an intercept; "
            "try --kind landscape or --kind diagnostics"
        )
    return view


def draw_fit(
    first: Any, second: Any = None, weights: ArrayLike | None = None, ax: Axes | None = None
) -> FitArtists:
    """The seed's left panel: data points, predictions at each x (green), the line b + a·x.

    Call it with a run — ``draw_fit(ax, run)`` or ``draw_fit(run, ax=ax)`` — or, as the seed
    program does, with the arrays: ``draw_fit(x, y, weights, ax)``.
    """
    if isinstance(first, Axes) and is_run(second):
        ax, first, second = first, second, None
    if is_run(first):
        view = line_view(first)
        ax = ax if ax is not None else second if isinstance(second, Axes) else None
        x, y, weights = view.dataset.features[:, 0], view.dataset.target, view.weights
    else:
        x, y = first, second
    ax = ax if ax is not None else Figure().subplots()
    x = np.asarray(x, dtype=np.float64)
    b, a = (float(v) for v in np.asarray(weights, dtype=np.float64)[:2])
    data = ax.scatter(x, y, alpha=0.7)
    predictions = ax.scatter(x, b + a * x, c="g", alpha=0.6)
    line_x = np.array(SEED_LINE_RANGE)
    (line,) = ax.plot(line_x, b + a * line_x, "g", alpha=0.6)
    return FitArtists(data, predictions, line)


def draw_loss_curve(losses: Any, ax: Axes | None = None) -> Line2D:
    """The seed's right panel: the loss after each training step (of a run, or a list)."""
    if isinstance(losses, Axes) and ax is not None and is_run(ax):
        losses, ax = ax, losses  # draw_loss_curve(ax, run)
    if is_run(losses):
        losses = as_view(losses).losses
    ax = ax if ax is not None else Figure().subplots()
    values = np.asarray(losses, dtype=np.float64)
    (line,) = ax.plot(range(len(values)), values)
    ax.set_ylabel("Loss")
    ax.set_xlabel("Training steps")
    return line


def seed_figure(
    run: Any,
    y: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    losses: ArrayLike | None = None,
) -> Figure:
    """The seed's figure exactly: 1×2 panels, 10×4 inches, wspace 0.3 (docs/design.md).

    ``seed_figure(run)`` draws a run of one feature with a bias; ``seed_figure(x, y,
    weights, losses)`` draws the arrays as the seed program does.
    """
    if is_run(run):
        view = line_view(run)
        x, y, weights, losses = (
            view.dataset.features[:, 0],
            view.dataset.target,
            view.weights,
            view.losses,
        )
    else:
        x = run
    figure = Figure()
    ax_fit, ax_loss = figure.subplots(1, 2)
    figure.subplots_adjust(wspace=0.3)
    figure.set_size_inches(10, 4)
    draw_fit(x, y, weights, ax_fit)
    draw_loss_curve(losses, ax_loss)
    return figure


def line_label(b: float, a: float) -> str:
    """'ŷ = 1.42·x − 1.54'."""
    sign = "−" if b < 0 else "+"
    return f"ŷ = {a:.3g}·x {sign} {abs(b):.3g}"


def styled_seed_figure(run: Any, *, theme: str | Theme = "light") -> Figure:
    """The seed figure for a reader: the same two panels, with titles, labelled axes, a
    legend, the least-squares line beside the trained one, and the loss's floor L(w*)."""
    view = line_view(run)
    x, y = view.dataset.features[:, 0], view.dataset.target
    b, a = (float(v) for v in view.weights)
    b_star, a_star = (float(v) for v in view.optimum)
    with themed(theme) as chosen:
        figure = Figure(figsize=(11.0, 4.4), layout="constrained")
        ax_fit, ax_loss = figure.subplots(1, 2)
        ax_fit.scatter(x, y, s=18, alpha=0.7, color=chosen.color("data"), label="data (x, y)")
        ax_fit.scatter(
            x, b + a * x, s=14, alpha=0.6, color=chosen.color("fit"), label="predictions ŷ"
        )
        span = np.array([min(SEED_LINE_RANGE[0], x.min()), max(SEED_LINE_RANGE[1], x.max())])
        ax_fit.plot(
            span,
            b + a * span,
            color=chosen.color("fit"),
            lw=2,
            label=f"after {view.steps_run} steps: {line_label(b, a)}",
        )
        ax_fit.plot(
            span,
            b_star + a_star * span,
            ls="--",
            lw=1.2,
            color=chosen.color("optimum"),
            label=f"least squares: {line_label(b_star, a_star)}",
        )
        ax_fit.set_xlabel(view.dataset.feature_names[0])
        ax_fit.set_ylabel(view.dataset.target_name)
        ax_fit.set_title("The fit: a line through the points")
        ax_fit.legend(loc="upper left")
        steps = np.arange(1, view.steps_run + 1)
        ax_loss.plot(steps, view.losses, color=chosen.color("loss"), lw=2, label="loss L(w)")
        ax_loss.axhline(
            view.optimum_loss,
            ls="--",
            lw=1.2,
            color=chosen.color("floor"),
            label=f"floor L(w*) = {view.optimum_loss:.4g}",
        )
        ax_loss.set_xlabel("Training steps")
        ax_loss.set_ylabel(f"Loss ({'½Σe²' if view.loss_name == 'l2' else view.loss_name})")
        ax_loss.set_title(f"The loss after each step (lr {view.lr:g}, {view.optimizer})")
        ax_loss.legend(loc="upper right")
        figure.suptitle("The seed program: fit y = a·x + b by gradient descent")
    return figure
