"""Pictures of a run. Helpers take an optional `ax`, draw, and return what they drew.

Library code never calls `plt.show()` and never relies on pyplot's current figure:
figures are built with `matplotlib.figure.Figure` and saved through the Agg canvas.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from gdlab.fileio import atomic_write_bytes

#: The seed draws its fitted line over this x range.
SEED_LINE_RANGE = (-4.0, 6.0)


@dataclass(frozen=True)
class FitArtists:
    """What `draw_fit` drew: the data, the predictions and the fitted line."""

    data: PathCollection
    predictions: PathCollection
    line: Line2D


def draw_fit(x: ArrayLike, y: ArrayLike, weights: ArrayLike, ax: Axes | None = None) -> FitArtists:
    """The seed's left panel: data points, predictions at each x (green), the line b + a·x."""
    ax = ax if ax is not None else Figure().subplots()
    x = np.asarray(x, dtype=np.float64)
    b, a = (float(v) for v in np.asarray(weights, dtype=np.float64)[:2])
    data = ax.scatter(x, y, alpha=0.7)
    predictions = ax.scatter(x, b + a * x, c="g", alpha=0.6)
    line_x = np.array(SEED_LINE_RANGE)
    (line,) = ax.plot(line_x, b + a * line_x, "g", alpha=0.6)
    return FitArtists(data, predictions, line)


def draw_loss_curve(losses: ArrayLike, ax: Axes | None = None) -> Line2D:
    """The seed's right panel: the loss after each training step."""
    ax = ax if ax is not None else Figure().subplots()
    values = np.asarray(losses, dtype=np.float64)
    (line,) = ax.plot(range(len(values)), values)
    ax.set_ylabel("Loss")
    ax.set_xlabel("Training steps")
    return line


def seed_figure(x: ArrayLike, y: ArrayLike, weights: ArrayLike, losses: ArrayLike) -> Figure:
    """The seed's figure exactly: 1×2 panels, 10×4 inches, wspace 0.3 (DESIGN.md §1.7)."""
    figure = Figure()
    ax_fit, ax_loss = figure.subplots(1, 2)
    figure.subplots_adjust(wspace=0.3)
    figure.set_size_inches(10, 4)
    draw_fit(x, y, weights, ax_fit)
    draw_loss_curve(losses, ax_loss)
    return figure


def figure_png(figure: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas (no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_figure(figure: Figure, path: str | os.PathLike[str], dpi: int = 100) -> None:
    """Write a figure as PNG to `path` atomically."""
    atomic_write_bytes(path, figure_png(figure, dpi))
