"""The fitted curve of a polynomial (or any formula of one number column): one linear layer
drawing a curve, because its features are x, x², … of the same x.

`curve_figure(run)` draws the data as (x, y), the model after training and the optimum as
curves over x: each is b + Σⱼ aⱼ·fⱼ(x), the design (`gdlab.data.design`) evaluated on an
even grid of x. It needs a run trained through a formula whose right side reads one
numeric column and has that column as a term (``y ~ x + I(x**2)``, ``--degree N``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.data.design import Design
from gdlab.data.designed import design_of
from gdlab.errors import ConfigError
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.plots.view import RunView, as_view

Array = NDArray[np.float64]
#: Points of the grid the curves are drawn over.
GRID_POINTS = 200


@dataclass(frozen=True)
class Curve:
    """A run's curve: the raw column x, the data (x, y), a grid and ŷ along it."""

    variable: str
    x: Array
    y: Array
    grid: Array
    trained: Array
    optimum: Array


def curve_design(view: RunView) -> Design:
    """The run's design, checked to be a curve in one number column that is itself a term."""
    design = design_of(view.problem.info.details)
    if design is None or len(design.variables) != 1 or design.levels:
        raise ConfigError(
            "--kind curve needs a run fitted through a formula of one number column, "
            "e.g. --degree 3 or --formula 'y ~ x + I(x**2)'"
        )
    if design.variables[0] not in design.columns:
        raise ConfigError(f"--kind curve needs the column {design.variables[0]} as a term")
    return design


def curve_of(run: Any) -> Curve:
    """The data, the grid and the trained and optimal curves of a run (see the module notes)."""
    import pandas as pd

    view = as_view(run)
    design = curve_design(view)
    variable = design.variables[0]
    x = view.dataset.features[:, design.columns.index(variable)]
    grid = np.linspace(float(x.min()), float(x.max()), GRID_POINTS)
    features, _ = design.apply(pd.DataFrame({variable: grid}), 0, "the grid", target=False)
    ones = np.ones((GRID_POINTS, 1))
    A = np.hstack([ones, features]) if view.intercept else features
    return Curve(
        variable,
        x,
        view.dataset.target,
        grid,
        A @ np.asarray(view.weights, dtype=np.float64),
        A @ np.asarray(view.trained_optimum[0], dtype=np.float64),
    )


def curve_figure(run: Any, *, theme: str | Theme = "light") -> Figure:
    """The data and the fitted curves of a run over its one raw column."""
    view = as_view(run)
    curve = curve_of(view)
    design = curve_design(view)
    with themed(theme) as chosen:
        figure = Figure(figsize=(7.5, 4.6), layout="constrained")
        ax = figure.subplots()
        ax.scatter(curve.x, curve.y, s=16, alpha=0.7, color=chosen.color("data"), label="data")
        ax.plot(
            curve.grid,
            curve.trained,
            lw=2,
            color=chosen.color("fit"),
            label=f"after {view.steps_run} steps of {view.optimizer}",
        )
        ax.plot(
            curve.grid,
            curve.optimum,
            ls="--",
            lw=1.2,
            color=chosen.color("optimum"),
            label="optimum",
        )
        ax.set_xlabel(curve.variable)
        ax.set_ylabel(view.dataset.target_name)
        ax.set_title(f"One linear layer, a curve: {design.formula}")
        ax.legend(loc="best")
    return figure
