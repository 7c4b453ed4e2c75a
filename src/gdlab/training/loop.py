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
from operator import le
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.analysis.deferred import Deferred, Later
from gdlab.engines.base import Engine, FusedDescent
from gdlab.errors import ConfigError
from gdlab.optim.optimizers import GradientTransformation, constant_scale
from gdlab.training.config import CHECKS

Array = NDArray[np.floating]
#: Called after each update with (step, loss, weights); returning True stops the run.
StepCallback = Callable[[int, float, Array], bool | None]

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
    if TYPE_CHECKING:  # to type checkers a plain field, as it is to its readers
        gradients: Array | None = None
    else:  # the fused loop's are computed from the path when first read (traces, explain)
        gradients: Deferred[Array | None] = Deferred(None)

    @property
    def diverged(self) -> bool:
        """True when the loop stopped because the loss blew up or kept growing."""
        return self.stop_reason == "diverged"

    @property
    def steps_run(self) -> int:
        """Number of updates applied."""
        return len(self.losses)


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
    path is kept too (for traces). Plain GD on an engine with a fused loop (`FusedDescent`)
    runs there: the same steps, and the callback and stop rules applied to each of them.
    """
    steps = CHECKS["steps"](steps)
    tol, tol_kind = CHECKS["tol"](tol), CHECKS["tol_kind"](tol_kind)
    rules = StopRules(on_step, tol, tol_kind, patience)
    # Overflow on the way (a start past the dtype's range, a rate that blows up) is left to
    # the numbers: inf/NaN, which the stop rules turn into "diverged" (one errstate for all).
    with np.errstate(over="ignore", invalid="ignore"):
        w = np.array(init, dtype=engine.dtype)
        if w.shape != (engine.n_weights,):
            raise ConfigError(f"expected {engine.n_weights} initial weights, got {w.size}")
        started = time.perf_counter()
        factor = constant_scale(optimizer)
        # The engine's own class must fuse the steps: a wrapper (ridge) forwarding `descend`
        # to the engine it wraps would run that engine's loss, not its own.
        if factor is not None and callable(getattr(type(engine), "descend", None)):
            return train_fused(cast(FusedDescent, engine), factor, w, steps, started, rules)
        return train_stepwise(engine, optimizer, w, steps, started, rules)


def train_stepwise(
    engine: Engine,
    optimizer: GradientTransformation,
    w: Array,
    steps: int,
    started: float,
    rules: StopRules,
) -> TrainResult:
    """Any optimizer on any engine, one update and one loss-and-gradient call per step."""
    on_step, tol, tol_kind, patience = rules.on_step, rules.tol, rules.tol_kind, rules.patience
    state = optimizer.init(w)
    loss, grad = engine.loss_and_grad(w)
    initial_loss = float(loss)
    losses: list[float] = []
    path = [w.copy()]
    gradients = [np.array(grad, copy=True)]
    stop_reason = "steps"
    growth = 0
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
        growth, diverging = growth_check(loss, previous, growth, initial_loss, patience)
        if diverging:
            stop_reason = "diverged"
            break
        if tol is not None and reached_tolerance(tol_kind, tol, previous, loss, grad):
            stop_reason = "tol"
            break
    if stop_reason == "steps" and still_climbing(initial_loss, losses, growth, patience):
        stop_reason = "diverged"
    return TrainResult(
        weights=w,
        initial_loss=initial_loss,
        losses=losses,
        path=np.array(path),
        stop_reason=stop_reason,
        train_seconds=time.perf_counter() - started,
        gradients=np.array(gradients),
    )


def growth_check(
    loss: float, previous: float, growth: int, initial_loss: float, patience: int
) -> tuple[int, bool]:
    """Count the steps the loss has grown in a row; True when that, or NaN/inf, means divergence."""
    growth = growth + 1 if loss > previous else 0
    return growth, not math.isfinite(loss) or (growth >= patience and loss > initial_loss)


def still_climbing(initial_loss: float, losses: list[float], growth: int, patience: int) -> bool:
    """True when the steps ran out with the loss climbing above the start for longer than a
    momentum transient may (`patience − GROWTH_PATIENCE` steps): diverging."""
    climbing = len(losses) > 1 and losses[-1] > max(initial_loss, losses[-2])
    return climbing and growth > patience - GROWTH_PATIENCE


@dataclass(frozen=True)
class StopRules:
    """What may end a run before its last step: the callback, the tolerance, the patience."""

    on_step: StepCallback | None
    tol: float | None
    tol_kind: str
    patience: int

    @property
    def per_step(self) -> bool:
        """True when every step must be looked at (a callback or a tolerance is set)."""
        return self.on_step is not None or self.tol is not None


def train_fused(
    engine: FusedDescent, factor: float, w: Array, steps: int, started: float, rules: StopRules
) -> TrainResult:
    """Plain GD (u = factor·g) in the engine's fused loop, in blocks, with the loop's stop rules.

    The steps of a block are computed first, then looked at one by one in order (callback,
    divergence, tolerance), as the step-by-step loop does; a run cut short keeps its prefix.
    Runs inside `train`'s errstate: a diverging block's inf/NaN are not warned about.
    """
    paths = [w[None, :]]
    initial_loss = float("nan")
    losses: list[float] = []
    stop_reason = "steps"
    growth = 0
    while len(losses) < steps and stop_reason == "steps":
        block = min(FUSED_BLOCK_STEPS, steps - len(losses))
        path, block_losses = engine.descend(paths[-1][-1], factor, block)
        values = block_losses.tolist()  # a block's few losses: Python compares them faster
        if not losses:
            initial_loss = values[0]
        # calm: never rose from a finite start (a NaN compares False, and losses are ≥ 0)
        calm = math.isfinite(values[0]) and all(map(le, values[1:], values))
        if calm and not rules.per_step:
            losses.extend(values[1:])  # never rose: `growth_check` stays 0
            growth = 0
        else:
            grads = engine.path_gradients(path) if rules.tol is not None else None
            previous = values[0]
            for taken, loss in enumerate(values[1:], start=1):
                losses.append(loss)
                stop_reason = step_verdict(
                    rules,
                    len(losses),
                    loss,
                    previous,
                    growth,
                    initial_loss,
                    path[taken],
                    grads,
                    taken,
                )
                growth = growth + 1 if loss > previous else 0
                previous = loss
                if stop_reason != "steps":
                    path = path[: taken + 1]
                    break
        paths.append(path[1:])
    if stop_reason == "steps" and still_climbing(initial_loss, losses, growth, rules.patience):
        stop_reason = "diverged"
    full_path = path if len(paths) == 2 else np.concatenate(paths)  # one block: w₀ leads it
    gradients: Any = Later(quiet_gradients, engine, full_path)  # read by traces, explanations
    return TrainResult(
        weights=full_path[-1].copy(),
        initial_loss=initial_loss,
        losses=losses,
        path=full_path,
        stop_reason=stop_reason,
        train_seconds=time.perf_counter() - started,
        gradients=gradients,
    )


def quiet_gradients(engine: FusedDescent, path: Array) -> Array:
    """∇L at every point of a fused run's path, read maybe long after `train`: inf/NaN on a
    diverging path are the numbers, not warnings."""
    with np.errstate(over="ignore", invalid="ignore"):
        return engine.path_gradients(path)


def step_verdict(
    rules: StopRules,
    step: int,
    loss: float,
    previous: float,
    growth: int,
    initial_loss: float,
    w: Array,
    grads: Array | None,
    taken: int,
) -> str:
    """Why the run ends at this step ("stopped", "diverged", "tol"), or "steps" to go on."""
    if rules.on_step is not None and rules.on_step(step, loss, w):
        return "stopped"
    _, diverging = growth_check(loss, previous, growth, initial_loss, rules.patience)
    if diverging:
        return "diverged"
    tol_reached = (
        grads is not None
        and rules.tol is not None
        and reached_tolerance(rules.tol_kind, rules.tol, previous, loss, grads[taken])
    )
    return "tol" if tol_reached else "steps"
