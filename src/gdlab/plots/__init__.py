"""Pictures of a run. Helpers take an optional `ax`, draw, and return what they drew.

Library code never calls `plt.show()` and never relies on pyplot's current figure:
figures are built with `matplotlib.figure.Figure` and saved through the Agg canvas.
One module per kind of picture — `seed` (the study note's figure), `landscape`,
`compare`, `animation`, `diagnostics` — over `view` (what a picture needs from a run),
`surface` (the loss on a plane of weights) and `style` (one colour per quantity).
`plot_run(run, kind, out)` writes any kind to a file.

The names below load on first use (PEP 562): `gdlab demo` draws its one figure without
importing the other kinds' modules (the animation's Pillow, the landscape's contours).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Each public name and the module that defines it.
_EXPORTS = {
    "TrainingAnimation": "gdlab.plots.animation",
    "write_animation": "gdlab.plots.animation",
    "Member": "gdlab.plots.compare",
    "compare_figure": "gdlab.plots.compare",
    "default_members": "gdlab.plots.compare",
    "parse_members": "gdlab.plots.compare",
    "diagnostics_figure": "gdlab.plots.diagnostics",
    "draw_loss_history": "gdlab.plots.diagnostics",
    "draw_predicted_vs_actual": "gdlab.plots.diagnostics",
    "draw_residuals": "gdlab.plots.diagnostics",
    "draw_weight_trajectories": "gdlab.plots.diagnostics",
    "KINDS": "gdlab.plots.kinds",
    "check_kind": "gdlab.plots.kinds",
    "default_filename": "gdlab.plots.kinds",
    "plot_run": "gdlab.plots.kinds",
    "draw_landscape": "gdlab.plots.landscape",
    "draw_path": "gdlab.plots.landscape",
    "Figure": "gdlab.plots.figure",
    "landscape_figure": "gdlab.plots.landscape",
    "figure_png": "gdlab.plots.output",
    "save_figure": "gdlab.plots.output",
    "write_figure": "gdlab.plots.output",
    "SEED_LINE_RANGE": "gdlab.plots.seed",
    "FitArtists": "gdlab.plots.seed",
    "draw_fit": "gdlab.plots.seed",
    "draw_loss_curve": "gdlab.plots.seed",
    "seed_figure": "gdlab.plots.seed",
    "styled_seed_figure": "gdlab.plots.seed",
    "DARK": "gdlab.plots.style",
    "LIGHT": "gdlab.plots.style",
    "Theme": "gdlab.plots.style",
    "get_theme": "gdlab.plots.style",
    "themed": "gdlab.plots.style",
    "RunView": "gdlab.plots.view",
    "as_view": "gdlab.plots.view",
}


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

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gdlab.plots' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
