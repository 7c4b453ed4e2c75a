"""The loss landscape: filled log-spaced contours, the path of the descent, the optimum.

Levels are L* + g with the gaps g spaced evenly in log, so both the steep walls and the
flat floor of a long, narrow valley show. The path is drawn step by step (dots joined),
with its start and end marked, the steepest-descent direction −∇L(w₀) as an arrow and
the valley floor (the flattest direction through w*) dashed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.colors import BoundaryNorm
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from matplotlib.text import Annotation
from numpy.typing import NDArray

from gdlab.analysis.digits import distinct
from gdlab.data.dataset import Dataset
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.plots.surface import LossGrid, Plane, box_around, choose_plane, loss_grid
from gdlab.plots.view import RunLike, RunView, as_view, prepared

Array = NDArray[np.float64]
Box = tuple[float, float, float, float]

#: Decades of loss above the optimum that the contour levels span.
LEVEL_DECADES = 3
LEVELS_PER_DECADE = 5
#: Paths longer than this are drawn as a line without a dot per step.
MAX_DOTTED_STEPS = 80


@dataclass(frozen=True)
class PathArtists:
    """One drawn path: the joined dots, and the start and end markers."""

    line: Line2D
    start: Line2D
    end: Line2D


@dataclass(frozen=True)
class LandscapeArtists:
    """What `draw_landscape` drew, with the plane, box and grid it drew them on."""

    plane: Plane
    box: Box
    grid: LossGrid
    filled: QuadContourSet
    lines: QuadContourSet
    optimum: Line2D
    valley: Line2D
    path: PathArtists | None
    gradient: Annotation | None
    colorbar: Colorbar | None


def contour_levels(grid: LossGrid, optimum_loss: float) -> Array:
    """L* followed by L* + g for gaps g log-spaced up to the grid's highest loss."""
    top = float(grid.loss.max()) - optimum_loss
    if not top > 0:
        top = max(abs(optimum_loss), 1.0)
    count = int(LEVEL_DECADES * LEVELS_PER_DECADE) + 1
    gaps = np.geomspace(top * 10.0**-LEVEL_DECADES, top, count)
    floor = min(optimum_loss, float(grid.loss.min()))
    return np.concatenate([[floor], optimum_loss + gaps])


def draw_loss_surface(
    ax: Axes, grid: LossGrid, optimum_loss: float, theme: Theme
) -> tuple[QuadContourSet, QuadContourSet]:
    """Filled contours of the loss on `grid` and thin lines at the same levels."""
    levels = contour_levels(grid, optimum_loss)
    cmap = theme.landscape_colormap()
    norm = BoundaryNorm(levels, 256)
    filled = ax.contourf(grid.xs, grid.ys, grid.loss, levels=levels, cmap=cmap, norm=norm)
    lines = ax.contour(
        grid.xs, grid.ys, grid.loss, levels=levels[1:], colors="white", linewidths=0.4, alpha=0.5
    )
    return filled, lines


def draw_path(
    ax: Axes,
    coords: Array,
    color: str,
    label: str,
    *,
    end_label: str | None = None,
    box: Box | None = None,
) -> PathArtists:
    """The path as dots joined by lines, a hollow start and a filled end marker.

    Points far outside `box` (a diverging run) are clipped to 50 box-widths so the
    line still leaves the picture in the right direction without breaking the renderer.
    """
    coords = clipped(coords, box)
    marker = "o" if len(coords) <= MAX_DOTTED_STEPS + 1 else None
    (line,) = ax.plot(
        coords[:, 0],
        coords[:, 1],
        color=color,
        lw=1.6,
        marker=marker,
        ms=3.2,
        label=label,
        zorder=4,
        path_effects=[withStroke(linewidth=3.0, foreground="white", alpha=0.4)],
    )
    (start,) = ax.plot(
        coords[:1, 0], coords[:1, 1], "o", ms=9, mfc="white", mec=color, mew=2.2, zorder=5
    )
    finite = coords[np.all(np.isfinite(coords), axis=1)]
    last = finite[-1:] if len(finite) else coords[:1]
    (end,) = ax.plot(last[:, 0], last[:, 1], "o", ms=9, color=color, mec="white", mew=1.2, zorder=5)
    if end_label is not None:
        start.set_label("start w₀")
        end.set_label(end_label)
    return PathArtists(line, start, end)


def clipped(coords: Array, box: Box | None) -> Array:
    """Coordinates limited to 50 box-widths around the box (NaN stays NaN)."""
    coords = np.array(coords, dtype=np.float64)
    if box is None:
        return coords
    width = max(box[1] - box[0], box[3] - box[2])
    with np.errstate(invalid="ignore"):
        coords[:, 0] = np.clip(coords[:, 0], box[0] - 50 * width, box[1] + 50 * width)
        coords[:, 1] = np.clip(coords[:, 1], box[2] - 50 * width, box[3] + 50 * width)
    return coords


def draw_optimum(ax: Axes, plane: Plane, theme: Theme) -> Line2D:
    """The optimum w* as a gold star."""
    (marker,) = ax.plot(
        [plane.center[0]],
        [plane.center[1]],
        "*",
        ms=17,
        color=theme.color("optimum"),
        mec="black",
        mew=0.9,
        label="optimum w*",
        zorder=6,
    )
    return marker


def draw_valley_floor(ax: Axes, view: RunView, plane: Plane, box: Box, theme: Theme) -> Line2D:
    """The flattest direction of the loss within the plane, through w*, dashed."""
    basis = np.column_stack([plane.u, plane.v])
    G = view.stats.gram()
    _, vectors = np.linalg.eigh(basis.T @ G @ basis)
    direction = vectors[:, 0]
    reach = 2 * max(box[1] - box[0], box[3] - box[2])
    cx, cy = plane.center
    xs = [cx - reach * direction[0], cx + reach * direction[0]]
    ys = [cy - reach * direction[1], cy + reach * direction[1]]
    (line,) = ax.plot(
        xs,
        ys,
        ls=(0, (5, 4)),
        lw=1.1,
        color=theme.color("optimum"),
        alpha=0.9,
        label="valley floor (flattest direction)",
        zorder=3,
    )
    return line


def draw_gradient_arrow(
    ax: Axes, view: RunView, plane: Plane, box: Box, theme: Theme
) -> Annotation | None:
    """−∇L(w₀) projected on the plane, as an arrow from the start (a third of the box)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a start far out has no arrow
        scale = view.loss.curvature_scale(view.stats.mass)
        gradient = scale * view.stats.residual_correlation(view.init)
        direction = -np.array([gradient @ plane.u, gradient @ plane.v])
    norm = float(np.hypot(*direction))
    if not np.isfinite(norm) or norm == 0:
        return None
    start = plane.project(view.init)[0]
    length = 0.3 * min(box[1] - box[0], box[3] - box[2])
    end = start + length * direction / norm
    return ax.annotate(
        "",
        xy=(float(end[0]), float(end[1])),
        xytext=(float(start[0]), float(start[1])),
        arrowprops={
            "arrowstyle": "-|>",
            "color": theme.color("gradient"),
            "lw": 2.2,
            "mutation_scale": 16,
            "shrinkA": 0,
            "shrinkB": 0,
        },
        zorder=3.5,
    )


def gradient_legend_handle(theme: Theme) -> Line2D:
    """A legend entry for the gradient arrow (annotations have none of their own)."""
    return Line2D(
        [],
        [],
        color=theme.color("gradient"),
        lw=2.2,
        marker=">",
        ms=6,
        label="−∇L(w₀): steepest descent at the start",
    )


def draw_landscape(
    run: RunLike,
    ax: Axes | None = None,
    *,
    data: Dataset | None = None,
    weights: Sequence[str] | None = None,
    plane: Plane | None = None,
    box: Box | None = None,
    theme: str | Theme = "light",
    grid_size: int = 121,
    show_run: bool = True,
    colorbar: bool = True,
) -> LandscapeArtists:
    """Draw the loss over a plane of weights, centred on the optimum, with the run's path.

    `weights` names two weights to draw over (default: b and a for a line, else the
    eigen-slice); `show_run=False` leaves the path and arrow out (for comparisons).
    """
    view, ax, theme = prepared(run, ax, data, theme)
    plane = plane if plane is not None else choose_plane(view, weights)
    box = box if box is not None else box_around(plane, view.framed_path())
    grid = loss_grid(view, plane, box, grid_size)
    filled, lines = draw_loss_surface(ax, grid, view.optimum_loss, theme)
    valley = draw_valley_floor(ax, view, plane, box, theme)
    path = gradient = None
    if show_run:
        path = draw_path(
            ax,
            plane.project(view.path),
            theme.color("path"),
            f"path of {view.optimizer}",
            end_label=f"after {view.steps_run} step{'' if view.steps_run == 1 else 's'}",
            box=box,
        )
        gradient = draw_gradient_arrow(ax, view, plane, box, theme)
    optimum = draw_optimum(ax, plane, theme)
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    if (box[1] - box[0]) == (box[3] - box[2]):
        ax.set_aspect("equal")
    ax.set_xlabel(plane.xlabel)
    ax.set_ylabel(plane.ylabel)
    ax.grid(False)
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, shrink=0.9, pad=0.02)
        ticks = [float(level) for level in np.asarray(filled.levels)[::LEVELS_PER_DECADE]]
        bar.set_ticks(ticks)
        bar.set_ticklabels([f"{level:.4g}" for level in ticks])
        bar.set_label(f"loss L(w), log-spaced above L* = {view.optimum_loss:.4g}")
    return LandscapeArtists(plane, box, grid, filled, lines, optimum, valley, path, gradient, bar)


def valley_caption(view: RunView) -> str:
    """Why the valley has its shape and what this run's rate does in it, in numbers."""
    parts = [f"Valley: κ = λmax/λmin = {view.analysis.condition_number:.3g}"]
    if view.intercept and view.is_line:
        scaling = view.problem.natural_scaling  # x's mean and standard deviation
        mean, n = float(scaling.means[0]), view.stats.mass
        spread = 0.0 if scaling.constant[0] else n * float(scaling.scales[0]) ** 2
        centred = sorted((float(n), spread))  # the Hessian's diagonal once x is centred
        kappa = centred[1] / centred[0] if centred[0] > 0 else math.inf
        parts.append(
            f"x̄ = {mean:.3g} ≠ 0 tilts it (centred x: κ = {kappa:.3g}, untilted)"
            if abs(mean) > 1e-12
            else "x̄ = 0: b and a are independent, no tilt"
        )
    lines = ["; ".join(parts)]
    if view.optimizer == "gd":
        lines.append(rate_caption(view))
    if not view.drawable(view.path[:1])[0]:
        loss = view.initial_loss
        size = f"is {loss:.3g}" if math.isfinite(loss) else "overflows float64"
        lines.append(f"the start lies far outside this picture (its loss {size})")
    return "\n".join(lines)


def rate_caption(view: RunView) -> str:
    """What plain GD's rate does in the valley it trained on: lr·λ for the steepest and the
    flattest directions of the Hessian of the problem as trained (standardised, penalised).

    Along a direction with curvature λ each step multiplies the error by 1 − lr·λ: below
    lr·λmax = 1 no step overshoots, at 1 the steepest direction is done in one step, up to
    2 the overshoot shrinks (a zig-zag), at 2 it swings forever, beyond it grows.
    """
    trained = view.trained_eigenvalues
    eigenvalues = view.analysis.hessian_eigenvalues if trained is None else trained
    smallest, largest = float(eigenvalues[0]), float(eigenvalues[-1])
    steep, flat = view.lr * largest, view.lr * smallest
    shown = f"{steep:.3g}"
    for edge in (1.0, 2.0):  # 0.9996 is not 1: digits enough to show on which side it is
        if float(shown) == edge and not math.isclose(steep, edge, rel_tol=1e-9):
            shown = distinct(steep, edge)[0]
    if math.isclose(steep, 1.0, rel_tol=1e-9):
        across = "= 1: each step lands on the valley floor"
    elif steep < 1:
        across = "< 1: no overshoot across the valley"
    elif steep < 2 and not math.isclose(steep, 2.0, rel_tol=1e-9):
        across = "> 1: each step overshoots the floor (zig-zag)"
    elif math.isclose(steep, 2.0, rel_tol=1e-9):
        across = "= 2: each step swings across the valley, forever"
    else:
        across = "> 2: each overshoot grows (divergence)"
    trained_as = [
        word
        for word, applies in (
            ("standardised", view.config.standardize),
            ("penalised", view.config.l2 > 0),
        )
        if applies
    ]
    scope = f" (λ of the {', '.join(trained_as)} problem trained)" if trained_as else ""
    batches = " for full-batch steps" if view.config.batch_size is not None else ""
    lines = [f"lr·λmax = {shown}{scope}{batches} {across}"]
    if steep < 2:
        keeps = abs(1 - flat)  # digits enough to tell 0.9999994 from 1
        kept = distinct(keeps, 1.0)[0] if keeps < 1 else f"{keeps:.3g}"
        lines.append(
            f"lr·λmin = {flat:.3g}: along the flattest direction each step keeps "
            f"{kept} of the error"
        )
    return "\n".join(lines)


def loss_formula(name: str) -> str:
    """The short formula of a loss for titles: ½Σe² for l2, mean e² for mse."""
    return {"l2": "½Σe²", "mse": "mean e²"}.get(name, name)


def landscape_figure(
    run: RunLike,
    data: Dataset | None = None,
    *,
    weights: Sequence[str] | None = None,
    theme: str | Theme = "light",
    grid_size: int = 121,
) -> Figure:
    """The landscape picture of a run: contours, path, optimum, gradient arrow, caption.

    >>> from gdlab.training.fit import demo
    >>> figure = landscape_figure(demo(0), grid_size=21)
    >>> figure.axes[0].get_xlabel(), figure.axes[0].get_ylabel()
    ('b (offset)', 'a (slope)')
    """
    view = as_view(run, data)
    with themed(theme) as chosen:
        figure = Figure(figsize=(7.6, 7.0), layout="constrained")
        ax = figure.subplots()
        drawn = draw_landscape(view, ax, weights=weights, theme=chosen, grid_size=grid_size)
        handles: list[Artist] = []
        if drawn.path is not None:
            handles += [drawn.path.line, drawn.path.start, drawn.path.end]
        handles += [drawn.optimum, drawn.valley]
        if drawn.gradient is not None:
            handles.append(gradient_legend_handle(chosen))
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.09),
            ncols=3,
            frameon=False,
        )
        slice_note = " (slice through w*)" if drawn.plane.kind == "eigen" else ""
        steps = f"{view.steps_run} step{'' if view.steps_run == 1 else 's'}"
        outcome = " — diverged" if view.diverged else ""
        figure.suptitle(
            f"Loss landscape{slice_note}: {steps} of {view.optimizer}, "
            f"lr {view.lr:g}, loss {loss_formula(view.loss_name)}{outcome}"
        )
        ax.set_title(valley_caption(view), fontsize=9)
    return figure
