"""The seed program's figure, exactly as the study note drew it (docs/design.md).

Left: the data, the predictions at each x (green) and the line b + a·x; right: the loss
after each training step. Kept byte-for-byte in behaviour: tests/test_plots.py checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

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
    """The seed's figure exactly: 1×2 panels, 10×4 inches, wspace 0.3 (docs/design.md)."""
    figure = Figure()
    ax_fit, ax_loss = figure.subplots(1, 2)
    figure.subplots_adjust(wspace=0.3)
    figure.set_size_inches(10, 4)
    draw_fit(x, y, weights, ax_fit)
    draw_loss_curve(losses, ax_loss)
    return figure
