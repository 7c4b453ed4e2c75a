"""Diagnostics of a fit with any number of features, and the loss curve with its floor.

Predicted vs actual (points on the diagonal are perfect), residuals vs fitted (a pattern
means the line misses something), each weight's trajectory over the steps with its
optimum dashed, and the loss after each step above the floor L(w*) no optimizer can pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from gdlab.data.dataset import Dataset
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, get_theme, themed
from gdlab.plots.view import RunLike, as_view, prepared

#: A loss curve spanning more than this ratio is drawn on a log axis.
LOG_SCALE_RATIO = 20.0


@dataclass(frozen=True)
class LossArtists:
    """The loss curve (step 0 = the start) and the optimum's floor line."""

    curve: Line2D
    floor: Line2D


def draw_loss_history(
    losses: ArrayLike,
    optimum_loss: float,
    ax: Axes | None = None,
    *,
    theme: str | Theme = "light",
) -> LossArtists:
    """The loss at each step (index 0 is the start) over a dashed floor at L(w*).

    The y axis turns logarithmic when the losses span more than `LOG_SCALE_RATIO`.
    """
    theme = get_theme(theme)
    ax = ax if ax is not None else Figure(layout="constrained").subplots()
    values = np.asarray(losses, dtype=np.float64)
    (curve,) = ax.plot(
        np.arange(len(values)), values, color=theme.color("loss"), lw=1.8, label="loss L(w)"
    )
    floor = ax.axhline(
        optimum_loss,
        color=theme.color("floor"),
        ls="--",
        lw=1.2,
        label=f"optimum L(w*) = {optimum_loss:.4g}",
    )
    set_loss_scale(ax, values, optimum_loss)
    ax.set_xlabel("Training steps")
    ax.set_ylabel("Loss")
    ax.set_title("Loss after each step")
    ax.legend(loc="upper right")
    return LossArtists(curve, floor)


def set_loss_scale(ax: Axes, values: np.ndarray, optimum_loss: float) -> None:
    """Log scale for a curve over decades, limits that show the floor and the finite values."""
    finite = values[np.isfinite(values)]
    low = min(float(finite.min()) if len(finite) else optimum_loss, optimum_loss)
    high = float(finite.max()) if len(finite) else max(abs(optimum_loss), 1.0)
    if low > 0 and high / low > LOG_SCALE_RATIO:
        ax.set_yscale("log")
        ax.set_ylim(low / 1.3, high * 1.3)
    else:
        pad = 0.06 * (high - low) if high > low else max(abs(high), 1.0) * 0.05
        ax.set_ylim(low - pad, high + pad)


@dataclass(frozen=True)
class ScatterArtists:
    """Points and the reference line they are judged against."""

    points: PathCollection
    reference: Line2D


def draw_predicted_vs_actual(
    run: RunLike,
    ax: Axes | None = None,
    *,
    data: Dataset | None = None,
    theme: str | Theme = "light",
) -> ScatterArtists:
    """ŷ against y for the final weights, with the diagonal ŷ = y of a perfect fit."""
    view, ax, theme = prepared(run, ax, data, theme)
    actual = view.dataset.target
    predicted = view.predictions(view.weights)
    points = ax.scatter(
        actual, predicted, s=14, color=theme.color("fit"), alpha=0.7, label="prediction ŷ"
    )
    span = np.array([min(actual.min(), predicted.min()), max(actual.max(), predicted.max())])
    (reference,) = ax.plot(span, span, "--", color=theme.color("floor"), lw=1.1, label="ŷ = y")
    ax.set_xlabel(f"actual {view.dataset.target_name}")
    ax.set_ylabel(f"predicted {view.dataset.target_name}")
    ax.set_title("Predicted vs actual")
    ax.legend(loc="upper left")
    return ScatterArtists(points, reference)


def draw_residuals(
    run: RunLike,
    ax: Axes | None = None,
    *,
    data: Dataset | None = None,
    theme: str | Theme = "light",
) -> ScatterArtists:
    """Residuals e = ŷ − y against the fitted ŷ, around the zero line."""
    view, ax, theme = prepared(run, ax, data, theme)
    fitted = view.predictions(view.weights)
    points = ax.scatter(
        fitted,
        fitted - view.dataset.target,
        s=14,
        color=theme.color("data"),
        alpha=0.7,
        label="residual e = ŷ − y",
    )
    reference = ax.axhline(0.0, color=theme.color("floor"), ls="--", lw=1.1, label="e = 0")
    ax.set_xlabel(f"fitted {view.dataset.target_name} (ŷ)")
    ax.set_ylabel("residual ŷ − y")
    ax.set_title("Residuals vs fitted")
    ax.legend(loc="upper left")
    return ScatterArtists(points, reference)


@dataclass(frozen=True)
class TrajectoryArtists:
    """Per weight: its values over the steps and its optimum as a dashed line."""

    lines: list[Line2D]
    optima: list[Line2D]


def draw_weight_trajectories(
    run: RunLike,
    ax: Axes | None = None,
    *,
    data: Dataset | None = None,
    theme: str | Theme = "light",
) -> TrajectoryArtists:
    """Each weight over the training steps, with its optimum w*ᵢ dashed in the same colour."""
    view, ax, theme = prepared(run, ax, data, theme)
    lines, optima = [], []
    for index, name in enumerate(view.weight_names):
        color = theme.weight_color(index)
        (line,) = ax.plot(view.path_steps, view.path[:, index], color=color, lw=1.8, label=name)
        optimum = ax.axhline(view.optimum[index], color=color, ls="--", lw=1.0, alpha=0.9)
        lines.append(line)
        optima.append(optimum)
    ax.plot([], [], "--", color=theme.color("floor"), lw=1.0, label="optimum (dashed)")
    ax.set_xlabel("Training steps")
    ax.set_ylabel("weight value")
    ax.set_title("Weights over the steps")
    ax.legend(loc="best", ncols=2 if view.n_weights > 4 else 1)
    return TrajectoryArtists(lines, optima)


def diagnostics_figure(
    run: RunLike, data: Dataset | None = None, *, theme: str | Theme = "light"
) -> Figure:
    """2×2: predicted vs actual, residuals vs fitted, weight trajectories, loss with floor."""
    view = as_view(run, data)
    with themed(theme) as chosen:
        figure = Figure(figsize=(10.5, 8.0), layout="constrained")
        (ax_pred, ax_resid), (ax_weights, ax_loss) = figure.subplots(2, 2)
        draw_predicted_vs_actual(view, ax_pred, theme=chosen)
        draw_residuals(view, ax_resid, theme=chosen)
        draw_weight_trajectories(view, ax_weights, theme=chosen)
        draw_loss_history(view.loss_series, view.optimum_loss, ax_loss, theme=chosen)
        features = ", ".join(view.dataset.feature_names)
        sample = view.sampled
        drawn = f"\npoints: an evenly spaced {view.dataset.n_rows:,} of {view.n_rows:,} rows"
        figure.suptitle(
            f"Diagnostics: {view.dataset.target_name} ~ {features}; "
            f"{view.steps_run} steps of {view.optimizer}, lr {view.lr:g}"
            + (drawn if sample else "")
        )
    return figure
