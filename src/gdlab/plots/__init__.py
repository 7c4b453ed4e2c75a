"""Pictures of a run. Helpers take an optional `ax`, draw, and return what they drew.

Library code never calls `plt.show()` and never relies on pyplot's current figure:
figures are built with `matplotlib.figure.Figure` and saved through the Agg canvas.
One module per kind of picture — `seed` (the study note's figure), `landscape`,
`compare`, `animation`, `diagnostics` — over `view` (what a picture needs from a run),
`surface` (the loss on a plane of weights) and `style` (one colour per quantity).
`plot_run(run, kind, out)` writes any kind to a file.
"""

from __future__ import annotations

from gdlab.plots.animation import TrainingAnimation, write_animation
from gdlab.plots.compare import Member, compare_figure, default_members, parse_members
from gdlab.plots.diagnostics import (
    diagnostics_figure,
    draw_loss_history,
    draw_predicted_vs_actual,
    draw_residuals,
    draw_weight_trajectories,
)
from gdlab.plots.figure import Figure
from gdlab.plots.kinds import KINDS, check_kind, default_filename, plot_run
from gdlab.plots.landscape import draw_landscape, draw_path, landscape_figure
from gdlab.plots.output import figure_png, save_figure, write_figure
from gdlab.plots.seed import (
    SEED_LINE_RANGE,
    FitArtists,
    draw_fit,
    draw_loss_curve,
    seed_figure,
    styled_seed_figure,
)
from gdlab.plots.style import DARK, LIGHT, Theme, get_theme, themed
from gdlab.plots.view import RunView, as_view

__all__ = [
    "DARK",
    "KINDS",
    "LIGHT",
    "SEED_LINE_RANGE",
    "Figure",
    "FitArtists",
    "Member",
    "RunView",
    "Theme",
    "TrainingAnimation",
    "as_view",
    "check_kind",
    "compare_figure",
    "default_filename",
    "default_members",
    "diagnostics_figure",
    "draw_fit",
    "draw_landscape",
    "draw_loss_curve",
    "draw_loss_history",
    "draw_path",
    "draw_predicted_vs_actual",
    "draw_residuals",
    "draw_weight_trajectories",
    "figure_png",
    "get_theme",
    "landscape_figure",
    "parse_members",
    "plot_run",
    "save_figure",
    "seed_figure",
    "styled_seed_figure",
    "themed",
    "write_animation",
    "write_figure",
]
