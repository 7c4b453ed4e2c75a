"""The one training loop: every engine and optimizer runs through `train`.

Like the seed program, the loss is recorded *after* each update (``losses[k]`` follows
update k+1); the loss at the start is kept apart as ``initial_loss``. Evaluating the loss
and the gradient together at each new point costs one pass per step.

Stopping rules: the step count is the maximum; with a tolerance the loop also stops
(``stop_reason="tol"``) once ‖∇L(w)‖ ≤ tol (``tol_kind="grad"``) or once the loss changes
by at most tol relative to its previous value, |L_k − L_{k−1}| ≤ tol·|L_{k−1}|
(``tol_kind="loss"``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.engines.base import Engine
from gdlab.errors import ConfigError
from gdlab.optimizers import GradientTransformation

Array = NDArray[np.floating]
#: Called after each update with (step, loss, weights); returning True stops the run.
StepCallback = Callable[[int, float, Array], bool | None]

#: The most updates one run may take: the loop keeps every iterate, so more would only
#: exhaust memory (a mistyped --steps must not take the machine down).
MAX_STEPS = 1_000_000

#: A loss that has grown this many steps in a row, above where it started, is diverging.
GROWTH_PATIENCE = 10
#: Momentum methods on a quadratic settle over about 1/(1 − √β) steps; give them this many of
#: those time-scales of climbing before calling it divergence.
MOMENTUM_TIME_SCALES = 2


def divergence_patience(momentum: float = 0.0) -> int:
    """Steps a loss may grow in a row before the run counts as diverging.

    Plain GD: `GROWTH_PATIENCE`. A momentum method (β > 0) may climb far above its start
    before settling (heavy ball at its best β does, for ~1/(1 − √β) steps), so it gets
    `MOMENTUM_TIME_SCALES` of those time-scales more.

    >>> divergence_patience(), divergence_patience(0.81)
    (10, 30)
    """
    if not 0 < momentum < 1:
        return GROWTH_PATIENCE
    return GROWTH_PATIENCE + math.ceil(MOMENTUM_TIME_SCALES / (1 - math.sqrt(momentum)) - 1e-9)


#: What a tolerance measures: the gradient's norm, or the relative change of the loss.
TOL_KINDS = ("grad", "loss")


@dataclass(frozen=True)
class TrainResult:
    """What the loop produced: final weights, the loss history, the path and why it stopped."""

    weights: Array
    initial_loss: float
    losses: list[float]
    path: Array
    stop_reason: str
    train_seconds: float
    gradients: Array | None = None

    @property
    def diverged(self) -> bool:
        """True when the loop stopped because the loss blew up or kept growing."""
        return self.stop_reason == "diverged"

    @property
    def steps_run(self) -> int:
        """Number of updates applied."""
        return len(self.losses)


def check_steps(steps: int) -> int:
    """Steps must be a whole number from 1 to `MAX_STEPS`."""
    if int(steps) != steps or steps < 1:
        raise ConfigError(f"steps must be a whole number ≥ 1, got {steps}")
    if steps > MAX_STEPS:
        raise ConfigError(f"steps must be at most {MAX_STEPS:,}, got {steps:,}")
    return int(steps)


def check_tol(tol: float | None, tol_kind: str) -> float | None:
    """A tolerance is None (run all steps) or a finite number ≥ 0 of a known kind."""
    if tol_kind not in TOL_KINDS:
        raise ConfigError(f"unknown tolerance kind '{tol_kind}'; choose one of: grad, loss")
    if tol is not None and not (math.isfinite(tol) and tol >= 0):
        raise ConfigError(f"--tol must be a finite number ≥ 0, got {tol}")
    return None if tol is None else float(tol)


def reached_tolerance(tol_kind: str, tol: float, previous: float, loss: float, grad: Array) -> bool:
    """True when the stopping rule of `tol_kind` holds (see the module notes)."""
    if tol_kind == "grad":
        return bool(np.linalg.norm(grad) <= tol)
    return abs(loss - previous) <= tol * abs(previous)


def train(
    engine: Engine,
    optimizer: GradientTransformation,
    init: ArrayLike,
    steps: int,
    on_step: StepCallback | None = None,
    tol: float | None = None,
    tol_kind: str = "grad",
    patience: int = GROWTH_PATIENCE,
) -> TrainResult:
    """Run up to `steps` updates of `optimizer` from `init`, recording the loss after each.

    Stops early, with ``stop_reason="diverged"``, when the loss turns NaN/inf or has grown
    for `patience` steps in a row to above its starting value (see `divergence_patience`);
    a run whose steps run out while its loss climbs above the start, for longer than a
    momentum transient may (`patience − GROWTH_PATIENCE` steps), diverged too; with
    ``stop_reason="stopped"`` when `on_step` returns True (a user pressed Stop); with
    ``stop_reason="tol"`` when the tolerance rule holds. The gradient at every point of the
    path is kept too (for traces).
    """
    steps = check_steps(steps)
    tol = check_tol(tol, tol_kind)
    w = np.array(init, dtype=engine.dtype)
    if w.shape != (engine.n_weights,):
        raise ConfigError(f"expected {engine.n_weights} initial weights, got {w.size}")
    started = time.perf_counter()
    state = optimizer.init(w)
    loss, grad = engine.loss_and_grad(w)
    initial_loss = float(loss)
    losses: list[float] = []
    path = [w.copy()]
    gradients = [np.array(grad, copy=True)]
    stop_reason = "steps"
    growth = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            updates, state = optimizer.update(grad, state, w)
            w = (w + updates).astype(engine.dtype, copy=False)
            previous = loss
            loss, grad = engine.loss_and_grad(w)
            losses.append(float(loss))
            path.append(w.copy())
            gradients.append(np.array(grad, copy=True))
            if on_step is not None and on_step(step, float(loss), w):
                stop_reason = "stopped"
                break
            growth = growth + 1 if loss > previous else 0
            if not math.isfinite(loss) or (growth >= patience and loss > initial_loss):
                stop_reason = "diverged"
                break
            if tol is not None and reached_tolerance(tol_kind, tol, previous, loss, grad):
                stop_reason = "tol"
                break
    climbing = len(losses) > 1 and losses[-1] > max(initial_loss, losses[-2])
    if stop_reason == "steps" and climbing and growth > patience - GROWTH_PATIENCE:
        stop_reason = "diverged"  # still climbing above the start when the steps ran out
    return TrainResult(
        weights=w,
        initial_loss=initial_loss,
        losses=losses,
        path=np.array(path),
        stop_reason=stop_reason,
        train_seconds=time.perf_counter() - started,
        gradients=np.array(gradients),
    )
