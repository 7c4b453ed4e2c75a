"""Diagnostics of a fit with any number of features, and the loss over its floor.

Predicted vs actual (points on the diagonal are perfect); residuals e = y − ŷ against the
fitted ŷ (statsmodels' and scikit-learn's sign: a point above zero is a row the fit
under-predicts; a pattern means the line misses something); each weight's trajectory over
the steps with its optimum dashed, in the data's units or standardised ones; and the gap
L − L* on a log axis, where a steady descent is a straight line and its slope the rate.

Real data have many rows: up to `SCATTER_MAX_ROWS` points are drawn as dots that fade as
they crowd (`point_alpha`), more as hexagons coloured by how many rows fall in each. When
the points are an even sample of a larger file, the panels say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from gdlab.data.dataset import Dataset
from gdlab.errors import ConfigError
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, get_theme, themed
from gdlab.plots.view import RunLike, RunView, as_view, prepared

#: A loss curve spanning more than this ratio is drawn on a log axis (`draw_loss_history`).
LOG_SCALE_RATIO = 20.0
#: Above this many points a scatter becomes a hexbin density.
SCATTER_MAX_ROWS = 5000
#: Hexagons across a density panel.
HEX_GRID = 45
#: Above this many weights the trajectories' legend moves beside the panel.
LEGEND_INSIDE_MAX = 6
#: The weights' units a trajectory panel can show.
UNITS = ("auto", "data", "standardized")


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


def loss_gap(losses: ArrayLike, optimum_loss: float) -> np.ndarray:
    """L − L* at each step, for a log axis: values at or below the floor (rounding, or a
    floor found to a tolerance) become 1e-15·max(|L*|, 1); a blown-up loss is NaN (not drawn).

    >>> loss_gap([3.0, 2.0, 1.0], 1.0).tolist()
    [2.0, 1.0, 1e-15]
    """
    values = np.asarray(losses, dtype=np.float64)
    tiny = 1e-15 * max(abs(optimum_loss), 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        gaps = values - optimum_loss
        return np.where(np.isfinite(gaps), np.maximum(gaps, tiny), np.nan)


def draw_loss_gap(
    losses: ArrayLike,
    optimum_loss: float,
    ax: Axes | None = None,
    *,
    theme: str | Theme = "light",
) -> Line2D:
    """log(L − L*) over the steps (index 0 is the start): how far above its floor the loss is.

    GD on a quadratic falls like cᵏ, a straight line here, so its slope shows the rate and
    a bend shows where the slowest direction takes over.
    """
    theme = get_theme(theme)
    ax = ax if ax is not None else Figure(layout="constrained").subplots()
    gaps = loss_gap(losses, optimum_loss)
    (curve,) = ax.plot(
        np.arange(len(gaps)),
        gaps,
        color=theme.color("loss"),
        lw=1.8,
        label=f"L(w) − L(w*), with L(w*) = {optimum_loss:.6g}",
    )
    ax.set_yscale("log")
    ax.set_xlabel("Training steps")
    ax.set_ylabel("L − L* (log scale)")
    ax.set_title("Loss above its floor")
    ax.legend(loc="upper right")
    return curve


def point_alpha(n_points: int) -> float:
    """Opacity of one dot among `n_points`: solid for a few, fading as they crowd.

    >>> point_alpha(50), round(point_alpha(2500), 2), point_alpha(10**6)
    (0.8, 0.4, 0.1)
    """
    return float(np.clip(20.0 / np.sqrt(max(n_points, 1)), 0.1, 0.8))


def draw_points(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    theme: Theme,
    quantity: str,
    label: str,
    extent: tuple[float, float, float, float] | None = None,
) -> Collection:
    """Dots (fading with N) up to `SCATTER_MAX_ROWS` points; more become hexagons coloured
    by the rows in each (log scale, with a colour bar), over `extent` when given."""
    if x.size <= SCATTER_MAX_ROWS:
        size = 14 if x.size <= 1000 else 6
        alpha = point_alpha(x.size)
        return ax.scatter(x, y, s=size, color=theme.color(quantity), alpha=alpha, lw=0, label=label)
    cells = ax.hexbin(
        x,
        y,
        gridsize=HEX_GRID,
        mincnt=1,
        norm=LogNorm(),
        cmap=theme.density_colormap(quantity),
        linewidths=0.2,
        extent=extent,
    )
    ax.figure.colorbar(cells, ax=ax, label=f"rows per hexagon ({label})", pad=0.01)
    return cells


def drawn_rows(view: RunView) -> str:
    """'' for every row; else the sample drawn: '(an even sample: 20,000 of 1,000,000 rows)'."""
    if not view.sampled:
        return ""
    return f" (an even sample: {view.dataset.n_rows:,} of {view.n_rows:,} rows)"


@dataclass(frozen=True)
class ScatterArtists:
    """Points (dots or a hexbin) and the reference line they are judged against."""

    points: Collection
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
    span = np.array([min(actual.min(), predicted.min()), max(actual.max(), predicted.max())])
    square = (span[0], span[1], span[0], span[1])  # round hexagons around the diagonal
    points = draw_points(ax, actual, predicted, theme, "fit", "prediction ŷ", square)
    (reference,) = ax.plot(span, span, "--", color=theme.color("floor"), lw=1.1, label="ŷ = y")
    ax.set_xlabel(f"actual {view.dataset.target_name}")
    ax.set_ylabel(f"predicted {view.dataset.target_name}")
    ax.set_title("Predicted vs actual" + drawn_rows(view))
    ax.legend(loc="upper left")  # the dots, or only the diagonal beside the hexagons' bar
    return ScatterArtists(points, reference)


def draw_residuals(
    run: RunLike,
    ax: Axes | None = None,
    *,
    data: Dataset | None = None,
    theme: str | Theme = "light",
) -> ScatterArtists:
    """Residuals e = y − ŷ (statsmodels' and scikit-learn's sign) against the fitted ŷ."""
    view, ax, theme = prepared(run, ax, data, theme)
    fitted = view.predictions(view.weights)
    residuals = view.dataset.target - fitted
    points = draw_points(ax, fitted, residuals, theme, "data", "residual e = y − ŷ")
    reference = ax.axhline(0.0, color=theme.color("floor"), ls="--", lw=1.1, label="e = 0")
    ax.set_xlabel(f"fitted {view.dataset.target_name} (ŷ)")
    ax.set_ylabel("residual y − ŷ (above 0: under-predicted)")
    ax.set_title("Residuals vs fitted" + drawn_rows(view))
    ax.legend(loc="upper left")
    return ScatterArtists(points, reference)


@dataclass(frozen=True)
class TrajectoryArtists:
    """Per weight: its values over the steps and its optimum as a dashed line."""

    lines: list[Line2D]
    optima: list[Line2D]
    #: "data" or "standardized": the units the weights are drawn in.
    units: str


def chosen_units(view: RunView, units: str) -> str:
    """`units` checked; "auto" is standardised for a --standardize run, else the data's."""
    if units not in UNITS:
        raise ConfigError(f"unknown weight units '{units}'; choose one of: {', '.join(UNITS)}")
    if units == "auto":
        return "standardized" if view.config.standardize else "data"
    return units


def draw_weight_trajectories(
    run: RunLike,
    ax: Axes | None = None,
    *,
    data: Dataset | None = None,
    theme: str | Theme = "light",
    units: str = "auto",
) -> TrajectoryArtists:
    """Each weight over the training steps, with its optimum w*ᵢ dashed in the same colour.

    `units`: "data" (the weights as the model uses them), "standardized" (those of features
    scaled to mean 0 and standard deviation 1, comparable across features whatever their
    units: a'ⱼ = aⱼ·sⱼ, b' = b + Σ aⱼ·mⱼ) or "auto" (standardised for a --standardize run).
    Every weight gets its own colour (`Theme.weight_colors`) and its name in the legend.
    """
    view, ax, theme = prepared(run, ax, data, theme)
    units = chosen_units(view, units)
    path = view.in_units(view.path, units)
    optimum = view.in_units(view.trained_optimum[0], units)
    names = [f"{name}′" if units == "standardized" else name for name in view.weight_names]
    lines, optima = [], []
    for index, (name, color) in enumerate(zip(names, theme.weight_colors(len(names)), strict=True)):
        (line,) = ax.plot(view.path_steps, path[:, index], color=color, lw=1.8, label=name)
        optima.append(ax.axhline(optimum[index], color=color, ls="--", lw=1.0, alpha=0.9))
        lines.append(line)
    ax.plot([], [], "--", color=theme.color("floor"), lw=1.0, label="optimum (dashed)")
    ax.set_xlabel("Training steps")
    if units == "standardized":
        ax.set_ylabel("weight on standardised features")
        ax.set_title("Weights over the steps (standardised units)")
    else:
        ax.set_ylabel("weight value (data units)")
        ax.set_title("Weights over the steps")
    if view.n_weights > LEGEND_INSIDE_MAX:  # beside the panel, one row per weight
        columns = int(np.ceil((view.n_weights + 1) / 14))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), ncols=columns, fontsize=8)
    else:
        ax.legend(loc="best")
    return TrajectoryArtists(lines, optima, units)


def diagnostics_figure(
    run: RunLike,
    data: Dataset | None = None,
    *,
    theme: str | Theme = "light",
    units: str = "auto",
) -> Figure:
    """2×2: predicted vs actual, residuals vs fitted, weight trajectories (in `units`, see
    `draw_weight_trajectories`), and log(L − L*) over the steps."""
    view = as_view(run, data)
    with themed(theme) as chosen:
        figure = Figure(figsize=(11.5, 8.0), layout="constrained")
        (ax_pred, ax_resid), (ax_weights, ax_loss) = figure.subplots(2, 2)
        draw_predicted_vs_actual(view, ax_pred, theme=chosen)
        draw_residuals(view, ax_resid, theme=chosen)
        draw_weight_trajectories(view, ax_weights, theme=chosen, units=units)
        draw_loss_gap(view.loss_series, view.trained_optimum[1], ax_loss, theme=chosen)
        features = ", ".join(view.dataset.feature_names)
        if len(features) > 60:
            features = f"{view.dataset.n_features} features"
        figure.suptitle(
            f"Diagnostics: {view.dataset.target_name} ~ {features}; "
            f"{view.steps_run} steps of {view.optimizer}, lr {view.lr:g}"
        )
    return figure
