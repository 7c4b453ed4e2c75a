"""Training as a moving picture: the line sweeping through the data, the point moving on the
landscape, the loss curve growing — written as GIF or MP4 by `gdlab.plots.encode`.

The figure is laid out once; the moving artists are marked animated, the still picture
behind them is drawn once and kept, and each frame restores it, updates the artists'
data and draws only them (blitting). No layout engine runs per frame, which is what makes
this several times faster than `FuncAnimation` with a layout engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.text import Text
from numpy.typing import NDArray

from gdlab.atomic import atomic_write_bytes
from gdlab.data.dataset import Dataset
from gdlab.errors import ConfigError
from gdlab.model.linear import predict
from gdlab.plots.diagnostics import set_loss_scale
from gdlab.plots.encode import frame_delay_ms, gif_bytes, mp4_bytes
from gdlab.plots.figure import Figure
from gdlab.plots.landscape import clipped, draw_landscape, loss_formula
from gdlab.plots.style import Theme, themed
from gdlab.plots.surface import Plane, box_around, choose_plane
from gdlab.plots.view import RunLike, as_view

Array = NDArray[np.float64]

#: Default and hard limits on the number of frames (a GIF stays small and quick to make).
DEFAULT_FRAMES = 60
MAX_FRAMES = 500


def frame_indices(n_points: int, max_frames: int = DEFAULT_FRAMES) -> NDArray[np.int_]:
    """Which recorded points become frames: all when few, else exactly `max_frames`, two
    thirds evenly spaced and a third log-spaced so the fast early steps get frames too;
    first and last always.

    >>> frame_indices(5).tolist()
    [0, 1, 2, 3, 4]
    >>> frame_indices(1000, 7).tolist()
    [0, 9, 99, 250, 500, 749, 999]
    """
    if not 2 <= max_frames <= MAX_FRAMES:
        raise ConfigError(f"frames must be between 2 and {MAX_FRAMES}, got {max_frames}")
    if n_points <= max_frames:
        return np.arange(n_points)
    early_count = max_frames // 3
    even = np.linspace(0, n_points - 1, max_frames - early_count)
    early = np.geomspace(1, n_points, early_count + 2)[1:-1] - 1
    chosen = np.unique(np.round(np.concatenate([even, early])).astype(int))
    missing = max_frames - len(chosen)
    if missing > 0:  # some early frames fell on the same point: fill in with unused ones
        unused = np.setdiff1d(np.arange(n_points), chosen)
        extra = unused[np.round(np.linspace(0, len(unused) - 1, missing)).astype(int)]
        chosen = np.union1d(chosen, extra)
    return chosen


@dataclass
class MovingArtists:
    """The artists a frame updates; the rest of the figure is a still background."""

    line: Line2D | None
    predictions: PathCollection
    trail: Line2D | None
    point: Line2D | None
    curve: Line2D
    head: Line2D
    label: Text

    def all(self) -> list[Artist]:
        """Every moving artist, in drawing order."""
        found: list[Artist | None] = [
            self.line,
            self.predictions,
            self.trail,
            self.point,
            self.curve,
            self.head,
            self.label,
        ]
        return [artist for artist in found if artist is not None]


class TrainingAnimation:
    """A run's training as frames: build once, then `frame(i)` gives frame i as RGB pixels."""

    def __init__(
        self,
        run: RunLike,
        data: Dataset | None = None,
        *,
        max_frames: int = DEFAULT_FRAMES,
        theme: str | Theme = "light",
        dpi: int = 80,
        grid_size: int = 81,
        weights: Sequence[str] | None = None,
    ) -> None:
        self.view = as_view(run, data)
        self.indices = frame_indices(len(self.view.path), max_frames)
        self.grid_size = grid_size
        self.box: tuple[float, float, float, float] | None = None
        self.line_range = (0.0, 1.0)
        with themed(theme) as chosen:
            self.theme = chosen
            self.figure = Figure(figsize=self.size(), dpi=dpi, layout="constrained")
            self.plane = choose_plane(self.view, weights) if self.view.n_weights >= 2 else None
            self.moving = self.build()
        self.canvas = FigureCanvasAgg(self.figure)
        for artist in self.moving.all():
            artist.set_animated(True)
        self.canvas.draw()
        self.figure.set_layout_engine("none")
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def size(self) -> tuple[float, float]:
        """Figure size in inches: three panels with a landscape, two without."""
        return (12.6, 4.3) if self.view.n_weights >= 2 else (9.0, 4.3)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return len(self.indices)

    def build(self) -> MovingArtists:
        """Lay out the panels, draw the still parts, and create the moving artists."""
        view = self.view
        panels = self.figure.subplots(1, 3 if self.plane is not None else 2)
        ax_fit, ax_loss = panels[0], panels[-1]
        line, predictions = self.build_fit(ax_fit)
        trail = point = None
        if self.plane is not None:
            trail, point = self.build_landscape(panels[1], self.plane)
        curve, head, label = self.build_loss(ax_loss)
        self.figure.suptitle(
            f"Training: {view.steps_run} steps of {view.optimizer}, lr {view.lr:g}, "
            f"loss {loss_formula(view.loss_name)} on {view.n_rows} rows"
        )
        return MovingArtists(line, predictions, trail, point, curve, head, label)

    def build_fit(self, ax: Axes) -> tuple[Line2D | None, PathCollection]:
        """The data with the line (one feature) or predicted vs actual (several)."""
        view, theme = self.view, self.theme
        y = view.dataset.target
        if not view.is_line:
            ax.plot(
                *[[y.min(), y.max()]] * 2, "--", color=theme.color("floor"), lw=1.1, label="ŷ = y"
            )
            predictions = ax.scatter(
                y, y, s=14, color=theme.color("fit"), alpha=0.7, label="prediction ŷ"
            )
            ax.set_xlabel(f"actual {view.dataset.target_name}")
            ax.set_ylabel(f"predicted {view.dataset.target_name}")
            ax.set_title("Predictions")
            ax.set_ylim(*padded(y))
            ax.legend(loc="upper left")
            return None, predictions
        x = view.dataset.features[:, 0]
        ax.scatter(x, y, s=16, color=theme.color("data"), alpha=0.7, label="data")
        predictions = ax.scatter(
            x, y, s=12, color=theme.color("fit"), alpha=0.6, label="predictions ŷ"
        )
        (line,) = ax.plot([], [], color=theme.color("fit"), lw=2, label="fitted line")
        self.line_range = padded(x)
        ax.set_xlim(*self.line_range)
        ax.set_ylim(*padded(y))
        ax.set_xlabel(view.dataset.feature_names[0])
        ax.set_ylabel(view.dataset.target_name)
        ax.set_title("The fit")
        ax.legend(loc="upper left")
        return line, predictions

    def build_landscape(self, ax: Axes, plane: Plane) -> tuple[Line2D, Line2D]:
        """The landscape with the whole path faint, and the moving trail and point on top."""
        view, theme = self.view, self.theme
        box = self.box = box_around(plane, view.framed_path())
        draw_landscape(
            view,
            ax,
            plane=plane,
            box=box,
            theme=theme,
            show_run=False,
            colorbar=False,
            grid_size=self.grid_size,
        )
        coords = clipped(plane.project(view.path), box)
        color = theme.color("path")
        ax.plot(coords[:, 0], coords[:, 1], color=color, lw=1, alpha=0.3)
        ax.plot(coords[:1, 0], coords[:1, 1], "o", ms=8, mfc="white", mec=color, mew=2)
        (trail,) = ax.plot([], [], color=color, lw=1.6, marker="o", ms=2.8, zorder=4)
        (point,) = ax.plot([], [], "o", ms=9, color=color, mec="white", mew=1.2, zorder=7)
        ax.set_title("The weights on the loss landscape")
        return trail, point

    def build_loss(self, ax: Axes) -> tuple[Line2D, Line2D, Text]:
        """The loss axes at their final scale, the floor line, the growing curve and the
        title that counts the steps."""
        view, theme = self.view, self.theme
        series = view.loss_series
        ax.axhline(
            view.optimum_loss,
            color=theme.color("floor"),
            ls="--",
            lw=1.2,
            label=f"optimum L(w*) = {view.optimum_loss:.4g}",
        )
        (curve,) = ax.plot([], [], color=theme.color("loss"), lw=1.8, label="loss L(w)")
        (head,) = ax.plot([], [], "o", ms=6, color=theme.color("loss"))
        ax.set_xlim(-0.02 * max(view.steps_run, 1), max(view.steps_run, 1) * 1.02)
        set_loss_scale(ax, series, view.optimum_loss)
        ax.set_xlabel("Training steps")
        ax.set_ylabel("Loss")
        # Laid out with the curve complete, so the legend settles where it never hides it.
        curve.set_data(np.arange(len(series)), series)
        ax.legend(loc="best")
        label = ax.set_title(self.step_title(view.steps_run))
        return curve, head, label

    def step_title(self, step: int) -> str:
        """The loss panel's title at a step: 'Loss after step 12/50: 88.616'."""
        loss = self.view.loss_series[step]
        return f"Loss after step {step}/{self.view.steps_run}: {loss:.5g}"

    def update(self, frame: int) -> None:
        """Set every moving artist to the state after the frame's step."""
        view, moving = self.view, self.moving
        index = int(self.indices[frame])
        weights = view.path[index]
        step = int(view.path_steps[index])
        fitted = view.predictions(weights)
        target = view.dataset.target
        if moving.line is not None:
            x = view.dataset.features[:, 0]
            moving.predictions.set_offsets(np.column_stack([x, fitted]))
            xs = np.array(self.line_range)
            moving.line.set_data(xs, predict(xs[:, None], weights, view.intercept))
        else:
            moving.predictions.set_offsets(np.column_stack([target, fitted]))
        if moving.trail is not None and moving.point is not None and self.plane is not None:
            coords = clipped(self.plane.project(view.path[: index + 1]), self.box)
            moving.trail.set_data(coords[:, 0], coords[:, 1])
            moving.point.set_data(coords[-1:, 0], coords[-1:, 1])
        series = view.loss_series[: step + 1]
        moving.curve.set_data(np.arange(len(series)), series)
        moving.head.set_data([step], series[-1:])
        moving.label.set_text(self.step_title(step))

    def frame(self, frame: int) -> NDArray[np.uint8]:
        """Frame number `frame` as an H×W×3 RGB array: background, then the moving artists."""
        self.update(frame)
        self.canvas.restore_region(self.background)
        for artist in self.moving.all():
            self.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

    def frames(self) -> Iterator[NDArray[np.uint8]]:
        """Every frame, in order."""
        for frame in range(self.n_frames):
            yield self.frame(frame)


def padded(values: Array, fraction: float = 0.08) -> tuple[float, float]:
    """(low, high) of the values with a margin on both sides."""
    low, high = float(np.min(values)), float(np.max(values))
    pad = fraction * (high - low) if high > low else max(abs(high), 1.0) * fraction
    return low - pad, high + pad


#: File types an animation is written as.
ANIMATION_FORMATS = ("gif", "mp4")


def write_animation(
    run: RunLike,
    path: str | os.PathLike[str],
    data: Dataset | None = None,
    *,
    fps: float = 10,
    max_frames: int = DEFAULT_FRAMES,
    theme: str | Theme = "light",
    dpi: int = 80,
    weights: Sequence[str] | None = None,
) -> TrainingAnimation:
    """Write the run's training as a GIF or MP4 (by `path`'s suffix), atomically."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in ANIMATION_FORMATS:
        raise ConfigError(f"{path}: an animation is written as .gif or .mp4 (got '.{fmt}')")
    frame_delay_ms(fps)
    animation = TrainingAnimation(
        run, data, max_frames=max_frames, theme=theme, dpi=dpi, weights=weights
    )
    encode = gif_bytes if fmt == "gif" else mp4_bytes
    content = encode(animation.frames(), fps)
    atomic_write_bytes(path, content)
    return animation
