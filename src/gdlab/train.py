"""The one training loop: every engine and optimizer runs through `train`.

Like the seed program, the loss is recorded *after* each update (``losses[k]`` follows
update k+1); the loss at the start is kept apart as ``initial_loss``. Evaluating the loss
and the gradient together at each new point costs one pass per step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.engines.base import Engine, FusedDescent
from gdlab.errors import ConfigError
from gdlab.optimizers import GradientTransformation, constant_scale

Array = NDArray[np.floating]
#: Called after each update with (step, loss, weights); returning True stops the run.
StepCallback = Callable[[int, float, Array], bool | None]

#: A loss that has grown this many steps in a row, above where it started, is diverging.
GROWTH_PATIENCE = 10
#: The fused loop runs this many steps between two looks at the losses.
FUSED_BLOCK_STEPS = 1000


@dataclass(frozen=True)
class TrainResult:
    """What the loop produced: final weights, the loss history, the path and why it stopped."""

    weights: Array
    initial_loss: float
    losses: list[float]
    path: Array
    stop_reason: str
    train_seconds: float

    @property
    def diverged(self) -> bool:
        """True when the loop stopped because the loss blew up or kept growing."""
        return self.stop_reason == "diverged"

    @property
    def steps_run(self) -> int:
        """Number of updates applied."""
        return len(self.losses)


def check_steps(steps: int) -> int:
    """Steps must be a whole number ≥ 1."""
    if int(steps) != steps or steps < 1:
        raise ConfigError(f"steps must be a whole number ≥ 1, got {steps}")
    return int(steps)


def train(
    engine: Engine,
    optimizer: GradientTransformation,
    init: ArrayLike,
    steps: int,
    on_step: StepCallback | None = None,
) -> TrainResult:
    """Run `steps` updates of `optimizer` from `init`, recording the loss after each.

    Stops early, with ``stop_reason="diverged"``, when the loss turns NaN/inf or has grown
    for `GROWTH_PATIENCE` steps in a row to above its starting value; with
    ``stop_reason="stopped"`` when `on_step` returns True (a user pressed Stop).
    Plain GD on an engine with a fused loop (`FusedDescent`) runs there, same rule.
    """
    steps = check_steps(steps)
    w = np.array(init, dtype=engine.dtype)
    if w.shape != (engine.n_weights,):
        raise ConfigError(f"expected {engine.n_weights} initial weights, got {w.size}")
    started = time.perf_counter()
    factor = constant_scale(optimizer)
    if on_step is None and factor is not None and hasattr(engine, "descend"):
        return train_fused(cast(FusedDescent, engine), factor, w, steps, started)
    state = optimizer.init(w)
    loss, grad = engine.loss_and_grad(w)
    initial_loss = float(loss)
    losses: list[float] = []
    path = [w.copy()]
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
            if on_step is not None and on_step(step, float(loss), w):
                stop_reason = "stopped"
                break
            growth, diverging = growth_check(loss, previous, growth, initial_loss)
            if diverging:
                stop_reason = "diverged"
                break
    if stop_reason == "steps" and still_climbing(initial_loss, losses):
        stop_reason = "diverged"
    return TrainResult(
        weights=w,
        initial_loss=initial_loss,
        losses=losses,
        path=np.array(path),
        stop_reason=stop_reason,
        train_seconds=time.perf_counter() - started,
    )


def growth_check(
    loss: float, previous: float, growth: int, initial_loss: float
) -> tuple[int, bool]:
    """Count the steps the loss has grown in a row; True when that, or NaN/inf, means divergence."""
    growth = growth + 1 if loss > previous else 0
    return growth, not math.isfinite(loss) or (growth >= GROWTH_PATIENCE and loss > initial_loss)


def still_climbing(initial_loss: float, losses: list[float]) -> bool:
    """True when the last step raised the loss above the start (diverging as the steps ran out)."""
    return len(losses) > 1 and losses[-1] > max(initial_loss, losses[-2])


def train_fused(
    engine: FusedDescent, factor: float, w: Array, steps: int, started: float
) -> TrainResult:
    """Plain GD (u = factor·g) in the engine's fused loop, in blocks, with the loop's stop rule."""
    paths = [w[None, :]]
    initial_loss = float("nan")
    losses: list[float] = []
    stop_reason = "steps"
    growth = 0
    while len(losses) < steps and stop_reason == "steps":
        block = min(FUSED_BLOCK_STEPS, steps - len(losses))
        path, block_losses = engine.descend(paths[-1][-1], factor, block)
        if not losses:
            initial_loss = float(block_losses[0])
        if np.all(np.isfinite(block_losses)) and np.all(np.diff(block_losses) <= 0):
            losses.extend(block_losses[1:].tolist())  # never rose: `growth_check` stays 0
            growth = 0
        else:
            previous = float(block_losses[0])
            for taken, loss in enumerate(block_losses[1:].tolist(), start=1):
                losses.append(loss)
                growth, diverging = growth_check(loss, previous, growth, initial_loss)
                previous = loss
                if diverging:
                    stop_reason = "diverged"
                    path = path[: taken + 1]
                    break
        paths.append(path[1:])
    if stop_reason == "steps" and still_climbing(initial_loss, losses):
        stop_reason = "diverged"
    full_path = np.concatenate(paths)
    return TrainResult(
        weights=full_path[-1].copy(),
        initial_loss=initial_loss,
        losses=losses,
        path=full_path,
        stop_reason=stop_reason,
        train_seconds=time.perf_counter() - started,
    )
