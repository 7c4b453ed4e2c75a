"""The learning rate swept against theory: a range test whose answer is known in advance.

A learning-rate finder trains briefly at many rates and reads a rate off the curve of the
loss (the rate where it falls fastest, or the rate of its minimum divided by ten). For the
linear layer on a quadratic loss gdlab also knows, before training, what each of those runs
will give (`gdlab.analysis.modes`, for GD, momentum and Nesterov): `sweep` puts the measured
losses beside the predicted ones and beside the rates the analysis justifies (the stable
bound, the best constant rate), so a learner sees where the heuristics land and why.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.modes import ROTATION_INVARIANT, losses_of_modes, predicted_modes
from gdlab.analysis.training import stable_bound_for
from gdlab.errors import ConfigError, LearningRateWarning
from gdlab.optim.optimizers import make_optimizer
from gdlab.optim.schedules import parse_schedule
from gdlab.training.config import TrainingConfig
from gdlab.training.fit import train_problem
from gdlab.training.problem import Problem
from gdlab.training.record import Run

Array = NDArray[np.float64]

#: Rates a default sweep tries (on a log grid)…
DEFAULT_RATES = 40
#: …from this fraction of the stable bound to this multiple of it (past the bound).
BELOW_BOUND, PAST_BOUND = 1e-3, 3.0
#: The fewest rates a sweep takes.
MIN_RATES = 20


@dataclass(frozen=True)
class Sweep:
    """The loss after `steps` updates at each rate, measured and (where known) predicted.

    `measured_losses[i]` is the loss after the last update the run at `lrs[i]` took
    (`steps_run[i]`; fewer than `steps` when it diverged first, `diverged[i]`).
    """

    lrs: Array
    measured_losses: Array
    steps_run: list[int]
    diverged: list[bool]
    predicted_losses: Array | None
    steps: int
    optimizer: str
    initial_loss: float
    optimum_loss: float
    lr_max_stable: float | None
    lr_best: float | None

    @property
    def steepest_lr(self) -> float | None:
        """The usual finder's pick: the rate where log L falls fastest against log η."""
        usable = self.usable()
        if usable.sum() < 3:
            return None
        log_lr, log_loss = np.log(self.lrs[usable]), np.log(self.gaps()[usable])
        slopes = np.diff(log_loss) / np.diff(log_lr)
        steepest = int(np.argmin(slopes))
        return float(math.exp((log_lr[steepest] + log_lr[steepest + 1]) / 2))

    @property
    def min_over_ten_lr(self) -> float | None:
        """The other usual pick: the rate of the lowest measured loss, divided by ten."""
        usable = self.usable()
        if not usable.any():
            return None
        lowest = int(np.argmin(np.where(usable, self.measured_losses, np.inf)))
        return float(self.lrs[lowest] / 10)

    def usable(self) -> NDArray[np.bool_]:
        """The rates whose run took every step and ended on a finite loss."""
        finite = np.isfinite(self.measured_losses)
        return finite & ~np.asarray(self.diverged, dtype=bool)

    def gaps(self) -> Array:
        """The measured loss above the optimum's (floored, for log scales)."""
        floor = 1e-15 * max(abs(self.optimum_loss), 1.0)
        return np.maximum(self.measured_losses - self.optimum_loss, floor)

    def to_record(self) -> dict[str, Any]:
        """The sweep as plain JSON values."""
        return {
            "optimizer": self.optimizer,
            "steps": self.steps,
            "lrs": self.lrs.tolist(),
            "measured_losses": self.measured_losses.tolist(),
            "steps_run": list(self.steps_run),
            "diverged": list(self.diverged),
            "predicted_losses": (
                None if self.predicted_losses is None else self.predicted_losses.tolist()
            ),
            "initial_loss": self.initial_loss,
            "optimum_loss": self.optimum_loss,
            "lr_max_stable": self.lr_max_stable,
            "lr_best": self.lr_best,
            "finder": {"steepest": self.steepest_lr, "minimum_over_10": self.min_over_ten_lr},
        }


def parse_rates(text: str) -> Array:
    """'MIN:MAX:N' → N rates spaced evenly in log from MIN to MAX.

    >>> rates = parse_rates("1e-3:1e-1:21")
    >>> len(rates), float(rates[0]), float(rates[10]), float(rates[-1])
    (21, 0.001, 0.01, 0.1)
    """
    parts = text.split(":")
    try:
        low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        raise ConfigError(f"--lrs '{text}': expected MIN:MAX:N, e.g. 1e-5:1e-1:40") from None
    if len(parts) != 3 or not (0 < low < high and math.isfinite(high)):
        raise ConfigError(f"--lrs '{text}': need 0 < MIN < MAX, both finite")
    if not MIN_RATES <= count <= 1000:
        raise ConfigError(f"--lrs '{text}': take between {MIN_RATES} and 1000 rates")
    return np.geomspace(low, high, count)


def default_rates(first: Run, count: int = DEFAULT_RATES) -> Array:
    """A log grid through the interesting range: from far below the optimizer's stable
    bound to past it; for adaptive optimizers (no bound), around the distance to cover."""
    options = first.config.optimizer_options
    bound = stable_bound_for(first.analysis, first.config.optimizer, options)
    if bound is not None:
        return np.geomspace(BELOW_BOUND * bound, PAST_BOUND * bound, count)
    distance = float(np.max(np.abs(first.analysis.optimum_weights - first.init)))
    scale = distance if distance > 0 else 1.0
    return np.geomspace(1e-4 * scale, 10 * scale, count)


def sweep(
    problem: Problem, config: TrainingConfig, lrs: Array | None = None, steps: int | None = None
) -> Sweep:
    """Train `steps` updates (default: the config's) from one start at each rate of `lrs`
    (default: `default_rates`), on one prepared problem; predict each where the analysis can.
    """
    config = config.with_options(steps=steps or config.steps, tol=None)
    with warnings.catch_warnings():  # rates past the bound are swept on purpose
        warnings.simplefilter("ignore", LearningRateWarning)
        probe = train_problem(problem, config.with_options(steps=1), raise_on_divergence=False)
        start = tuple(float(v) for v in probe.init)  # every rate starts from the same point
        grid = default_rates(probe) if lrs is None else np.asarray(lrs, dtype=np.float64)
        runs = [
            train_problem(
                problem, config.with_options(lr=float(lr), init=start), raise_on_divergence=False
            )
            for lr in grid
        ]
    measured = np.array([run.final_loss if run.losses else np.nan for run in runs], dtype=float)
    analysis = probe.analysis
    options = config.optimizer_options
    bound = stable_bound_for(analysis, config.optimizer, options)
    return Sweep(
        lrs=grid,
        measured_losses=measured,
        steps_run=[len(run.losses) for run in runs],
        diverged=[run.stop_reason == "diverged" for run in runs],
        predicted_losses=predicted_sweep(probe, config, grid),
        steps=config.steps,
        optimizer=config.optimizer,
        initial_loss=probe.initial_loss,
        optimum_loss=analysis.optimum_loss,
        lr_max_stable=bound,
        lr_best=analysis.lr_optimal if config.optimizer == "gd" else None,
    )


def predicted_sweep(probe: Run, config: TrainingConfig, lrs: Array) -> Array | None:
    """The loss after the config's steps at each rate, from the analysis alone (None where
    the optimizer mixes the eigen-directions, or the loss is not quadratic)."""
    if config.optimizer not in ROTATION_INVARIANT or not config.is_quadratic:
        return None
    if config.batch_size is not None:
        return None  # mini-batches: the steps are random
    predicted = []
    for lr in lrs:
        rate = parse_schedule(config.schedule, lr, config.steps) if config.schedule else lr
        optimizer = make_optimizer(config.optimizer, rate, **config.optimizer_options)
        modes = predicted_modes(probe.analysis, probe.init, optimizer, config.steps)
        predicted.append(float(losses_of_modes(probe.analysis, modes[-1:])[0]))
    return np.array(predicted)
