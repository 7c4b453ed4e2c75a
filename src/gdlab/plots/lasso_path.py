"""The L1 regularisation path: each feature weight of the optimum as λ₁ falls.

`path_figure(run)` draws the path a run computed (`gdlab fit … --path`, the record's
`regularization_path`): one line per feature weight over λ₁ on a log axis, largest λ₁ on
the left where every weight is exactly 0, the run's own λ₁ marked; with held-out scores
(cross-validation) a second panel draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gdlab.errors import ConfigError
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.training.record import Run, RunRecord


def path_of(run: Any) -> tuple[Mapping[str, Any], tuple[str, ...], float, bool]:
    """The run's path record, its weight names, its λ₁ and whether it has an intercept."""
    if isinstance(run, Run):
        path, names, config = run.regularization_path, run.weight_names, run.config
    elif isinstance(run, RunRecord):
        path, names, config = run.raw.get("regularization_path"), run.weight_names, run.config
    else:
        raise ConfigError("--kind path draws a run or its record")
    if not isinstance(path, Mapping) or not path.get("l1"):
        raise ConfigError("the run has no regularisation path: fit it with --path")
    return path, names, float(config.l1), bool(config.intercept)


def path_figure(run: Any, *, theme: str | Theme = "light") -> Figure:
    """The weights along the path (and the held-out scores, when the path has them)."""
    path, names, l1, intercept = path_of(run)
    grid = np.asarray(path["l1"], dtype=np.float64)
    weights = np.asarray(path["weights"], dtype=np.float64)
    scores = path.get("scores")
    first = 1 if intercept else 0
    with themed(theme):
        figure = Figure(figsize=(8.0, 4.8), layout="constrained")
        axes = figure.subplots(1, 2 if scores else 1, squeeze=False)[0]
        ax = axes[0]
        for column in range(first, weights.shape[1]):
            ax.plot(grid, weights[:, column], lw=1.6, label=names[column])
        ax.axhline(0.0, color="0.5", lw=0.8)
        if l1 > 0:
            ax.axvline(l1, ls="--", lw=1.0, color="0.3", label=f"this run: λ₁ = {l1:g}")
        ax.set_xscale("log")
        ax.invert_xaxis()  # λ₁ falls from left to right: the weights enter one by one
        ax.set_xlabel("λ₁ (L1 penalty)")
        ax.set_ylabel("weight at the optimum")
        l2 = float(path.get("l2", 0.0))
        extra = f", λ₂ = {l2:g}" if l2 else ""
        ax.set_title(f"The L1 path: weights become exactly 0 as λ₁ grows{extra}")
        if weights.shape[1] - first <= 12:
            ax.legend(loc="best", fontsize="small")
        if scores:
            axes[1].plot(grid, np.asarray(scores, dtype=np.float64), marker="o", ms=3)
            axes[1].set_xscale("log")
            axes[1].invert_xaxis()
            axes[1].set_xlabel("λ₁")
            axes[1].set_ylabel("held-out score")
            axes[1].set_title("Cross-validation")
    return figure
