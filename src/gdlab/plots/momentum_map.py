"""The momentum map: how fast heavy-ball momentum converges at each (η, β) on this data.

Each cell is the convergence rate — the factor by which the slowest direction's error
shrinks per step, max over the Hessian's eigenvalues of the 2×2 iteration's spectral radius
(`gdlab.analysis.modes.heavy_ball_rates`); darker is faster, and past the contour at 1 the
run diverges. Polyak's optimum (η*, β*) = (4/(√λmax + √λmin)², ((√κ − 1)/(√κ + 1))²) is
starred, plain GD's best rate sits on the β = 0 edge, and the run's own setting is marked.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import Normalize

from gdlab.analysis.modes import heavy_ball_rates
from gdlab.analysis.quadratic import analyze, heavy_ball_parameters
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, themed
from gdlab.plots.view import RunLike, as_view

#: Grid cells along each axis.
GRID = 161


def momentum_map_figure(run: RunLike, *, theme: str | Theme = "light", grid: int = GRID) -> Figure:
    """The convergence rate over (η, β) for the run's data, its stable region, the optimum."""
    view = as_view(run)
    analysis = analyze(view.stats, view.loss)
    eigenvalues = analysis.hessian_eigenvalues
    best_lr, best_beta = heavy_ball_parameters(eigenvalues)
    largest = float(eigenvalues[-1])
    nesterov = view.optimizer == "nesterov"
    lrs = np.geomspace(1e-3 * 2 / largest, 4.4 / largest, grid)  # 4/λmax: the bound at β → 1
    betas = np.linspace(0.0, 0.995, grid)
    rates = heavy_ball_rates(lrs, betas, eigenvalues, nesterov=nesterov)
    with themed(theme) as chosen:
        figure = Figure(figsize=(8.4, 6.2), layout="constrained")
        ax = figure.subplots()
        converging = np.ma.masked_where(~(rates < 1.0), rates)  # diverging cells: blank
        cmap = chosen.landscape_colormap().with_extremes(bad=chosen.color("floor"))
        fastest = float(np.min(rates))
        mesh = ax.pcolormesh(
            lrs, betas, converging, cmap=cmap, norm=Normalize(fastest, 1.0), shading="auto"
        )
        ax.contour(
            lrs, betas, rates, levels=[1.0], colors=[chosen.color("gradient")], linewidths=1.6
        )
        ax.plot(
            [], [], color=chosen.color("gradient"), lw=1.6, label="rate = 1: beyond, it diverges"
        )
        ax.plot(
            [best_lr],
            [best_beta],
            "*",
            ms=16,
            color=chosen.color("optimum"),
            mec="black",
            label=(
                f"best (η*, β*) = ({best_lr:.3g}, {best_beta:.3g}), rate {np.sqrt(best_beta):.3g}"
            ),
        )
        ax.plot(
            [2 / (eigenvalues[0] + largest)],
            [0.0],
            "D",
            ms=8,
            color=chosen.color("fit"),
            mec="black",
            label=f"plain GD's best rate {2 / (eigenvalues[0] + largest):.3g}",
        )
        beta = view.config.momentum if view.optimizer in ("momentum", "nesterov") else 0.0
        ax.plot(
            [view.lr],
            [beta],
            "o",
            ms=9,
            mfc="white",
            mec=chosen.color("path"),
            mew=2.4,
            label=f"this run: η = {view.lr:.3g}, β = {beta:.3g}",
        )
        ax.set_xscale("log")
        ax.set_xlabel("learning rate η (log)")
        ax.set_ylabel("momentum β")
        bar = figure.colorbar(mesh, ax=ax, shrink=0.9)
        bar.set_label("convergence rate per step (max over directions); grey: diverges")
        ax.legend(loc="lower left", fontsize=8)
        kind = "Nesterov" if nesterov else "heavy-ball"
        ax.set_title(f"The {kind} momentum map of this data (κ = {analysis.condition_number:.3g})")
    return figure
