"""Every kind of picture by name, and `plot_run` that writes one to a file.

This is what `gdlab plot RUN.json --kind KIND` and `gdlab fit … --plot KIND` call.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from gdlab.data.dataset import Dataset
from gdlab.errors import ConfigError
from gdlab.plots.animation import DEFAULT_FRAMES, write_animation
from gdlab.plots.compare import compare_figure
from gdlab.plots.diagnostics import diagnostics_figure
from gdlab.plots.eigen import eigen_figure
from gdlab.plots.figure import Figure
from gdlab.plots.landscape import landscape_figure
from gdlab.plots.momentum_map import momentum_map_figure
from gdlab.plots.output import write_figure
from gdlab.plots.seed import seed_figure, styled_seed_figure
from gdlab.plots.style import themed
from gdlab.plots.sweep import sweep_figure
from gdlab.plots.validation import validation_figure
from gdlab.plots.view import RunLike, RunView, as_view
from gdlab.training.sweep import sweep

#: The kinds of picture, with what each shows (for --help and error messages).
KINDS = {
    "seed": "the seed program's 1×2 figure: the fit and the loss curve, exactly",
    "seed-styled": "the seed figure for a reader: titles, axes, legend, the optimum",
    "landscape": "loss contours around the optimum with the path of the descent",
    "compare": "several optimizers / learning rates: paths and loss gaps",
    "animation": "GIF or MP4 of training: line, point on the landscape, loss",
    "diagnostics": "predicted vs actual, residuals y − ŷ, weight trajectories, L − L*",
    "lr-sweep": "the loss after the run's steps at 40 rates, measured against predicted",
    "eigen": "the error along each eigenvector of the Hessian over the steps",
    "momentum-map": "the convergence rate of momentum over (η, β), its optimum, this run",
    "curve": "the fitted curve of a polynomial (--degree, a formula of one column) over x",
    "path": "the weights along the L1 regularisation path (fit --path)",
    "validation": "training and held-out loss after each step (--validation or --cv)",
}

#: The file suffix each kind is written with when no output file is named.
DEFAULT_SUFFIX = {"animation": ".gif"}


def check_kind(kind: str) -> str:
    """A known kind of picture, or a `ConfigError` listing them."""
    if kind not in KINDS:
        raise ConfigError(f"unknown picture kind '{kind}'; choose one of: {', '.join(KINDS)}")
    return kind


def default_filename(kind: str) -> str:
    """The file a kind is written to by default.

    >>> default_filename("landscape"), default_filename("animation")
    ('landscape.png', 'animation.gif')
    """
    return f"{check_kind(kind)}{DEFAULT_SUFFIX.get(kind, '.png')}"


def seed_kind_figure(view: RunView, theme: str) -> Figure:
    """The seed figure of a one-feature run with an intercept, exactly (dark: page colours)."""
    with themed(theme, readable=False):
        return seed_figure(view)


def plot_run(
    run: RunLike,
    kind: str,
    out: str | os.PathLike[str],
    data: Dataset | None = None,
    *,
    theme: str = "light",
    compare: str | None = None,
    weights: Sequence[str] | None = None,
    fps: float = 10,
    frames: int = DEFAULT_FRAMES,
    dpi: int | None = None,
    units: str = "auto",
) -> Path:
    """Draw one kind of picture of a run and write it to `out` (format from its suffix).

    `dpi` defaults to 100 for figures and 80 for animations (smaller files). `data`
    replaces the points drawn (the run's own rows, or its record's, by default). `units`
    are those of the diagnostics' weights: auto, data or standardized.
    """
    view = as_view(run, data)
    check_kind(kind)
    if kind == "animation":
        write_animation(
            view, out, fps=fps, max_frames=frames, theme=theme, dpi=dpi or 80, weights=weights
        )
        return Path(out)
    if kind == "seed":
        figure = seed_kind_figure(view, theme)
    elif kind == "seed-styled":
        figure = styled_seed_figure(view, theme=theme)
    elif kind == "landscape":
        figure = landscape_figure(view, weights=weights, theme=theme)
    elif kind == "compare":
        figure = compare_figure(view, spec=compare, weights=weights, theme=theme)
    elif kind == "lr-sweep":
        figure = sweep_figure(sweep(view.problem, view.config), theme=theme)
    elif kind == "eigen":
        figure = eigen_figure(view, theme=theme)
    elif kind == "momentum-map":
        figure = momentum_map_figure(view, theme=theme)
    elif kind == "curve":
        from gdlab.plots.curve import curve_figure

        figure = curve_figure(view, theme=theme)
    elif kind == "path":
        from gdlab.plots.lasso_path import path_figure

        figure = path_figure(run, theme=theme)
    elif kind == "validation":
        figure = validation_figure(view, theme=theme)
    else:
        figure = diagnostics_figure(view, theme=theme, units=units)
    return write_figure(figure, out, dpi or 100)
