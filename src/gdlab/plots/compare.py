"""The same data under several optimizers and learning rates, side by side.

Each member trains from the run's own start for the run's number of steps. Left: their
paths on one landscape; right: the loss gap L(w) − L(w*) on a log scale over the steps.
A member that diverges is drawn (clipped at the picture's edge) and says so in the legend.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from numpy.typing import NDArray

from gdlab.analysis.digits import distinct
from gdlab.data.dataset import Dataset
from gdlab.errors import ConfigError, LearningRateWarning
from gdlab.optim.optimizers import OPTIMIZERS
from gdlab.plots.figure import Figure
from gdlab.plots.landscape import LandscapeArtists, draw_landscape, draw_path
from gdlab.plots.style import Theme, themed
from gdlab.plots.surface import box_around, choose_plane
from gdlab.plots.view import RunLike, RunView, as_view, view_of_run
from gdlab.training.config import TrainingConfig
from gdlab.training.fit import train_problem

Array = NDArray[np.float64]

#: Optimizers whose step is about `lr` per weight whatever the gradient's size.
ADAPTIVE = ("adam", "adagrad", "rmsprop")


@dataclass(frozen=True)
class Member:
    """One optimizer at one learning rate, with a label for the legend."""

    optimizer: str
    lr: float
    note: str = ""
    #: The run itself: drawn from its record (its own options and path), not trained again.
    is_run: bool = False

    @property
    def label(self) -> str:
        """'gd lr=0.002 (this run)'."""
        text = f"{self.optimizer} lr={self.lr:.3g}"
        return f"{text} ({self.note})" if self.note else text


def adaptive_lr(view: RunView) -> float:
    """A rate for Adam-like optimizers, whose steps are ≈ lr per weight: one significant digit
    of the largest distance to the optimum over a third of the steps (0.1 for the seed)."""
    distance = float(np.nanmax(np.abs(view.optimum - view.init)))
    if not distance > 0:
        distance = max(float(np.abs(view.optimum).max()), 1.0)
    rate = distance / max(view.steps_run / 3.0, 1.0)
    exponent = math.floor(math.log10(rate))
    return round(rate / 10**exponent) * 10**exponent


def default_lr(view: RunView, optimizer: str) -> float:
    """A member's rate when none is given: `adaptive_lr` for Adam-like ones, else the run's."""
    return adaptive_lr(view) if optimizer in ADAPTIVE else view.lr


def default_members(view: RunView) -> list[Member]:
    """The run itself, plain GD at the best constant rate 2/(λmin+λmax), momentum and Adam.

    Momentum and Adam join only when this build of gdlab has them.
    """
    members = [
        Member(view.optimizer, view.lr, "this run", is_run=True),
        Member("gd", view.analysis.lr_optimal, "best constant rate"),
    ]
    members += [Member(name, default_lr(view, name)) for name in ("momentum", "adam")]
    return [member for member in members if member.is_run or member.optimizer in OPTIMIZERS]


def parse_members(spec: str, view: RunView) -> list[Member]:
    """Members from 'gd:0.002,momentum:0.002,adam:0.1' ('gd:best' = 2/(λmin+λmax); no rate =
    the default for that optimizer).

    The run itself always comes first so its path keeps the path colour.
    """
    members = [Member(view.optimizer, view.lr, "this run", is_run=True)]
    for part in spec.split(","):
        name, _, rate = (text.strip() for text in part.partition(":"))
        if not name:
            raise ConfigError(f"--compare: empty entry in '{spec}' (expected NAME[:LR],...)")
        if name not in OPTIMIZERS:
            known = ", ".join(OPTIMIZERS)
            raise ConfigError(f"--compare: unknown optimizer '{name}'; choose one of: {known}")
        note = "best constant rate" if rate == "best" else ""
        members.append(Member(name, member_lr(view, name, rate), note))
    return members


def member_lr(view: RunView, name: str, rate: str) -> float:
    """The learning rate written after NAME: in a spec: a number, 'best', or empty."""
    if not rate:
        return default_lr(view, name)
    if rate == "best":
        return view.analysis.lr_optimal
    try:
        value = float(rate)
    except ValueError:
        raise ConfigError(
            f"--compare: '{rate}' is not a learning rate (a number or 'best')"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"--compare: learning rate must be a finite number > 0, got {rate}")
    return value


def train_member(view: RunView, member: Member) -> RunView:
    """Train one member from the run's start on the run's data; divergence is kept, not raised.

    The run itself is not trained again: its recorded path and losses are used.
    """
    if member.is_run:
        return view
    config = TrainingConfig(
        lr=member.lr,
        steps=max(view.steps_run, 1),
        optimizer=member.optimizer,
        loss=view.loss_name,
        huber_delta=view.config.huber_delta,
        init=tuple(view.init),
        intercept=view.intercept,
    )
    with warnings.catch_warnings():  # a member past the bound is shown diverging, on purpose
        warnings.simplefilter("ignore", LearningRateWarning)
        run = train_problem(view.problem, config, raise_on_divergence=False)  # no data pass
    member_view = view_of_run(run)
    return replace(member_view, load_points=lambda: view._points)


def member_label(member: Member, run: RunView) -> str:
    """The member's label, saying where it diverged if it did."""
    if run.stop_reason == "diverged":
        return f"{member.label} — diverged at step {run.steps_run}"
    return member.label


@dataclass(frozen=True)
class CompareArtists:
    """Per member: its path on the landscape and its loss-gap curve."""

    members: list[Member]
    runs: list[RunView]
    landscape: LandscapeArtists
    paths: list[Line2D]
    gaps: list[Line2D]


def loss_gaps(run: RunView, optimum_loss: float, ceiling: float) -> Array:
    """L − L* after each step (step 0 = the start), kept within (tiny, ceiling] for a log axis."""
    gaps = run.loss_series - optimum_loss
    tiny = 1e-15 * max(abs(optimum_loss), 1.0)
    with np.errstate(invalid="ignore"):
        gaps = np.where(np.isnan(gaps), ceiling, gaps)
        return np.clip(gaps, tiny, ceiling)


def draw_comparison(
    view: RunView,
    members: Sequence[Member],
    ax_landscape: Axes,
    ax_gap: Axes,
    *,
    theme: Theme,
    grid_size: int = 121,
    weights: Sequence[str] | None = None,
) -> CompareArtists:
    """Train each member, draw their paths on one landscape and their loss gaps on log axes."""
    runs = [train_member(view, member) for member in members]
    plane = choose_plane(view, weights)
    settled = [run.path for run in runs if run.stop_reason != "diverged"] or [view.framed_path()]
    box = box_around(plane, np.vstack(settled))
    landscape = draw_landscape(
        view,
        ax_landscape,
        plane=plane,
        box=box,
        theme=theme,
        grid_size=grid_size,
        show_run=False,
        colorbar=False,
    )
    start_gap = view.initial_loss - view.optimum_loss
    # A start whose loss overflows has no gap to scale by: the axis tops out at 1e300.
    ceiling = 10 * max(start_gap, 1e-300) if math.isfinite(start_gap) else 1e300
    labels = [member_label(member, run) for member, run in zip(members, runs, strict=True)]
    colors = [theme.series_color(index) for index in range(len(members))]
    gaps = [
        ax_gap.plot(
            np.arange(run.steps_run + 1),
            loss_gaps(run, view.optimum_loss, ceiling),
            color=color,
            lw=1.8,
            label=label,
        )[0]
        for run, color, label in zip(runs, colors, labels, strict=True)
    ]
    # Drawn last to first, so the run itself lies on top of the others.
    paths = [
        draw_path(ax_landscape, plane.project(run.path), color, label, box=box).line
        for run, color, label in reversed(list(zip(runs, colors, labels, strict=True)))
    ][::-1]
    highest = max(float(np.max(gap.get_ydata())) for gap in gaps)
    ax_landscape.set_title("Paths on the loss landscape")
    ax_gap.set_yscale("log")
    ax_gap.set_ylim(top=highest * 3)
    ax_gap.set_xlabel("Training steps")
    ax_gap.set_ylabel("loss gap L(w) − L(w*)  (log)")
    ax_gap.set_title("Distance to the optimum's loss")
    return CompareArtists(list(members), runs, landscape, paths, gaps)


def compare_figure(
    run: RunLike,
    data: Dataset | None = None,
    *,
    spec: str | None = None,
    members: Sequence[Member] | None = None,
    theme: str | Theme = "light",
    grid_size: int = 121,
    weights: Sequence[str] | None = None,
) -> Figure:
    """The run beside other optimizers/rates: paths on one landscape, loss gaps over steps.

    `spec` is the CLI's 'gd:0.002,momentum:0.002,adam:0.1'; with neither `spec` nor
    `members`, `default_members` are compared.
    """
    view = as_view(run, data)
    if members is None:
        members = parse_members(spec, view) if spec else default_members(view)
    with themed(theme) as chosen:
        figure = Figure(figsize=(13.0, 6.4), layout="constrained")
        ax_landscape, ax_gap = figure.subplots(1, 2, width_ratios=[1.05, 1])
        drawn = draw_comparison(
            view,
            members,
            ax_landscape,
            ax_gap,
            theme=chosen,
            grid_size=grid_size,
            weights=weights,
        )
        ax_gap.legend(handles=drawn.gaps, loc="lower left")
        ax_landscape.legend(
            handles=[drawn.landscape.optimum, drawn.landscape.valley],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.08),
            ncols=2,
            frameon=False,
        )
        best, bound = distinct(view.analysis.lr_optimal, view.analysis.lr_max_stable)
        figure.suptitle(
            f"Optimizers compared on the same data and start: {view.steps_run} "
            f"step{'' if view.steps_run == 1 else 's'}, "
            f"best constant GD rate 2/(λmin+λmax) = {best}, GD diverges above {bound}"
        )
    return figure
