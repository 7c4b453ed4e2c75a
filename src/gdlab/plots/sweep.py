"""The learning-rate sweep: the loss after K steps at each rate, measured against predicted.

Both axes are logarithmic. The solid curve is what each short run measured; the dashed
curve what the analysis predicted before training (they coincide below the stable bound).
Vertical lines mark the rates the analysis justifies — the stable bound and, for plain GD,
the best constant rate 2/(λmin + λmax) — and the two rates the usual finder heuristics
would pick from the measured curve (the steepest descent, the minimum ÷ 10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.training.sweep import Sweep


@dataclass(frozen=True)
class SweepArtists:
    """What `draw_sweep` drew: the two curves and the marked rates by name."""

    measured: Line2D
    predicted: Line2D | None
    marks: dict[str, Line2D]


def draw_sweep(result: Sweep, ax: Axes, theme: Theme) -> SweepArtists:
    """The measured and predicted loss gaps over the rates, with the marked rates."""
    usable = result.usable()
    gaps = np.where(usable, result.gaps(), np.nan)
    (measured,) = ax.plot(
        result.lrs, gaps, "o-", ms=3.5, lw=1.6, color=theme.color("loss"), label="measured"
    )
    predicted = None
    if result.predicted_losses is not None:
        floor = 1e-15 * max(abs(result.optimum_loss), 1.0)
        with np.errstate(invalid="ignore"):
            expected = np.maximum(result.predicted_losses - result.optimum_loss, floor)
        top = 10 * np.nanmax(gaps) if np.isfinite(gaps).any() else 1.0
        shown = np.where(np.isfinite(expected) & (expected <= top), expected, np.nan)
        (predicted,) = ax.plot(
            result.lrs, shown, "--", lw=1.4, color=theme.color("floor"), label="predicted"
        )
    diverged = np.asarray(result.diverged, dtype=bool)
    if diverged.any():
        ceiling = np.nanmax(gaps) * 3 if np.isfinite(gaps).any() else 1.0
        ax.plot(
            result.lrs[diverged],
            np.full(int(diverged.sum()), ceiling),
            "x",
            color=theme.color("gradient"),
            label="diverged before the last step",
        )
    marks = {}
    for name, rate, color, style in (
        ("stable bound", result.lr_max_stable, theme.color("gradient"), "-"),
        ("best constant rate", result.lr_best, theme.color("fit"), "-"),
        ("finder: steepest", result.steepest_lr, theme.color("path"), ":"),
        ("finder: minimum ÷ 10", result.min_over_ten_lr, theme.color("data"), ":"),
    ):
        if rate is not None:
            marks[name] = ax.axvline(
                rate, color=color, ls=style, lw=1.3, label=f"{name}: {rate:.3g}"
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate η (log)")
    ax.set_ylabel(f"loss gap after {result.steps} steps, L − L*  (log)")
    return SweepArtists(measured, predicted, marks)


def sweep_figure(result: Sweep, *, theme: str | Theme = "light") -> Figure:
    """The sweep as a figure, titled with its optimizer and steps."""
    with themed(theme) as chosen:
        figure = Figure(figsize=(8.4, 5.4), layout="constrained")
        ax = figure.subplots()
        draw_sweep(result, ax, chosen)
        ax.legend(loc="best")
        ax.set_title(
            f"Learning-rate sweep: {result.steps} steps of {result.optimizer} at "
            f"{len(result.lrs)} rates, measured against the analysis"
        )
    return figure
