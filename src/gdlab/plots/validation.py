"""Training and held-out loss over the steps (`gdlab plot RUN --kind validation`).

The left axis is the training loss, the right one the held-out loss (`--validation`) or the
K-fold mean with a band of ± one standard deviation (`--cv`): two axes, because the two
losses are sums over different numbers of rows (with ½Σe²) and only their shapes compare.
Where the held-out curve turns up while the training loss still falls, more steps fit
noise; the best held-out step is marked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from gdlab.errors import ConfigError
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.plots.view import RunLike, RunView, as_view


@dataclass(frozen=True)
class ValidationArtists:
    """What `draw_validation` drew: the two curves and the best held-out step's mark."""

    training: Line2D
    held_out: Line2D
    best: Line2D


def held_out_curve(view: RunView) -> tuple[np.ndarray, np.ndarray | None, str]:
    """The held-out loss per step (1, 2, …), its spread over folds (or None), and its name."""
    if view.validation_losses is not None:
        return np.asarray(view.validation_losses, dtype=np.float64), None, "held-out loss"
    if view.cv:
        mean = np.asarray(view.cv["losses_mean"], dtype=np.float64)
        spread = np.asarray(view.cv["losses_std"], dtype=np.float64)
        return mean, spread, f"{view.cv['folds']}-fold cross-validated loss (mean ± sd)"
    raise ConfigError("this run has no held-out loss to draw: train it with --validation or --cv")


def draw_validation(view: RunView, ax: Axes, theme: Theme) -> ValidationArtists:
    """The training loss on `ax`, the held-out loss on a twin axis, the best step marked."""
    held, spread, name = held_out_curve(view)
    steps = np.arange(1, len(view.losses) + 1)
    (training,) = ax.plot(steps, view.losses, color=theme.color("loss"), lw=1.8)
    training.set_label("training loss (left axis)")
    right = ax.twinx()
    held_steps = np.arange(1, len(held) + 1)
    colour = theme.color("fit")
    (held_out,) = right.plot(held_steps, held, color=colour, lw=1.8, label=f"{name} (right)")
    if spread is not None:
        right.fill_between(held_steps, held - spread, held + spread, color=colour, alpha=0.2)
    finite = np.where(np.isfinite(held), held, np.inf)
    best = int(np.argmin(finite)) + 1 if len(held) else 0
    best_line = ax.axvline(
        best, color=theme.color("optimum"), ls="--", lw=1.2, label=f"lowest held-out: step {best}"
    )
    ax.set_xlabel("Training steps")
    ax.set_ylabel("Training loss")
    right.set_ylabel(name.capitalize())
    ax.set_title("Training and held-out loss after each step")
    handles = [training, held_out, best_line]
    ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="upper right")
    return ValidationArtists(training, held_out, best_line)


def validation_figure(run: RunLike, *, theme: str | Theme = "light") -> Figure:
    """The training and held-out curves of a run trained with --validation or --cv."""
    view = as_view(run)
    with themed(theme) as chosen:
        figure = Figure(figsize=(8.5, 4.8), layout="constrained")
        draw_validation(view, figure.subplots(), chosen)
    return figure
