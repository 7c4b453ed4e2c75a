"""A `Run` in a notebook: a one-line `repr` and an HTML card with its numbers and curves.

The card says what ran on what data, where the loss went and how far it stopped from the
least-squares optimum, the weights beside the optimum's, and draws the loss curve (and, for
a line fit, the points and the line) as inline SVG.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from gdlab.analysis.display import curve_svg, number, table

if TYPE_CHECKING:
    from gdlab.training.record import Run

#: A line fit's card draws at most this many points.
CARD_POINTS = 400


def short_repr(run: Run) -> str:
    """'Run(seed data, 50 rows: gd lr=0.002, 50 of 50 steps, loss 150 → 75.41, optimum 75.39)'."""
    data = "seed data" if run.data.source == "seed" else run.data.source
    return (
        f"Run({data}, {run.data.n_rows:,} rows: {run.config.optimizer} lr={run.config.lr:g}, "
        f"{len(run.losses)} of {run.config.steps} steps, loss {number(run.initial_loss, 4)} → "
        f"{number(run.final_loss, 4)}, optimum {number(run.analysis.optimum_loss, 4)}, "
        f"stopped: {run.stop_reason})"
    )


def relative_gap(run: Run) -> float:
    """(L − L*)/L* of the final loss (the excess over the start's when L* is 0)."""
    floor = run.analysis.optimum_loss
    excess = run.final_loss - floor
    if floor > 0:
        return float(excess / floor)
    start = run.initial_loss - floor
    return float(excess / start) if start > 0 else 0.0


def line_svg(run: Run, width: int = 320, height: int = 110) -> str:
    """The points and the fitted line of a one-feature run with a bias, as SVG."""
    problem = run.problem
    points = problem.points if problem is not None else None
    if points is None or points.n_features != 1 or not run.config.intercept:
        return ""
    take = np.unique(np.linspace(0, points.n_rows - 1, min(points.n_rows, CARD_POINTS)).astype(int))
    x, y = points.features[take, 0], points.target[take]
    b, a = (float(v) for v in run.weights)
    low, high = float(x.min()), float(x.max())
    fitted = np.array([b + a * low, b + a * high])
    y_low, y_high = min(float(y.min()), fitted.min()), max(float(y.max()), fitted.max())
    pad, x_span, y_span = 6, high - low or 1.0, y_high - y_low or 1.0

    def at(u: float, v: float) -> tuple[float, float]:
        return (
            pad + (width - 2 * pad) * (u - low) / x_span,
            pad + (height - 2 * pad) * (y_high - v) / y_span,
        )

    dots = "".join(
        '<circle cx="{:.1f}" cy="{:.1f}" r="1.6" fill="#1f77b4" fill-opacity="0.6"/>'.format(
            *at(u, v)
        )
        for u, v in zip(x, y, strict=True)
    )
    (x1, y1), (x2, y2) = at(low, fitted[0]), at(high, fitted[1])
    title = f"the data and the line ŷ = {b:.3g} + {a:.3g}·x"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="none" stroke="#ccc"/>{dots}'
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="green" '
        'stroke-width="2"/></svg>'
    )


def run_html(run: Run) -> str:
    """The HTML card of a run (see the module notes)."""
    gap = relative_gap(run)
    summary = [
        ["data", f"{run.data.source} ({run.data.n_rows:,} rows)"],
        ["model", f"{run.data.target} ~ {' + '.join(run.data.features) or '(bias only)'}"],
        ["training", f"{run.config.optimizer}, lr {run.config.lr:g}, loss {run.config.loss}"],
        ["steps", f"{len(run.losses)} of {run.config.steps} (stopped: {run.stop_reason})"],
        ["loss", f"{number(run.initial_loss)} → {number(run.final_loss)}"],
        ["optimum L(w*)", number(run.analysis.optimum_loss)],
        [
            "gap to the optimum",
            f"{gap:.3g} of L(w*)" if run.analysis.optimum_loss > 0 else f"{gap:.3g}",
        ],
        ["largest stable lr (GD)", number(run.analysis.lr_max_stable)],
    ]
    weights = [
        [name, float(start), float(value), float(best)]
        for name, start, value, best in zip(
            run.weight_names, run.init, run.weights, run.analysis.optimum_weights, strict=True
        )
    ]
    losses = np.concatenate([[run.initial_loss], run.losses])
    curve = curve_svg(
        losses,
        floor=run.analysis.optimum_loss,
        title="the loss after each step (log scale), its floor L(w*) dashed",
        caption=f"loss over {len(run.losses)} steps (log); floor dashed",
    )
    return (
        '<div style="display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start">'
        f"<div>{table(['', ''], summary, 'gdlab run')}"
        f"{table(['weight', 'start', 'after', 'optimum'], weights)}</div>"
        f"<div>{curve}<br>{line_svg(run)}</div></div>"
    )
