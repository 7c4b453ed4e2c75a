"""Optimizers as pairs of pure functions, in the style of optax.

An optimizer is ``GradientTransformation(init, update)``: ``init(params) -> state`` and
``update(grads, state, params) -> (updates, new_state)``; the loop applies
``params + updates``. Small transforms chain into optimizers, e.g. ``gd(lr)`` is
``scale(-lr)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from gdlab.errors import ConfigError

Array = NDArray[np.floating]
State = Any
InitFn = Callable[[Array], State]
UpdateFn = Callable[[Array, State, Array], tuple[Array, State]]


class GradientTransformation(NamedTuple):
    """A pure optimizer: `init` builds the state, `update` turns gradients into updates."""

    init: InitFn
    update: UpdateFn


class EmptyState(NamedTuple):
    """State of a stateless transform."""


def scale(factor: float) -> GradientTransformation:
    """Multiply the incoming updates by a constant: u ← factor·u."""

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        return factor * grads, state

    update.scale_factor = factor  # type: ignore[attr-defined]  # read by `constant_scale`
    return GradientTransformation(init, update)


def constant_scale(optimizer: GradientTransformation) -> float | None:
    """The factor f when `optimizer` is exactly u = f·g with no state (plain GD), else None.

    An engine with a fused loop can then run the steps without calling `update` each time.

    >>> constant_scale(gd(0.1)), constant_scale(chain(gd(0.1)))
    (-0.1, None)
    """
    return getattr(optimizer.update, "scale_factor", None)


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply transforms one after another; the state is the tuple of their states."""

    def init(params: Array) -> tuple[State, ...]:
        return tuple(t.init(params) for t in transforms)

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        new_states = []
        for transform, inner in zip(transforms, state, strict=True):
            grads, inner = transform.update(grads, inner, params)
            new_states.append(inner)
        return grads, tuple(new_states)

    return GradientTransformation(init, update)


def check_lr(lr: float) -> float:
    """A learning rate must be a finite number > 0."""
    if not np.isfinite(lr) or lr <= 0:
        raise ConfigError(f"learning rate must be a finite number > 0, got {lr}")
    return float(lr)


def gd(lr: float) -> GradientTransformation:
    """Plain gradient descent, the seed's optimizer: w ← w − lr·∇L(w).

    >>> opt = gd(0.1)
    >>> updates, _ = opt.update(np.array([1.0, -2.0]), opt.init(np.zeros(2)), np.zeros(2))
    >>> updates
    array([-0.1,  0.2])
    """
    return scale(-check_lr(lr))


OPTIMIZERS: dict[str, Callable[..., GradientTransformation]] = {"gd": gd}


def make_optimizer(name: str, lr: float, **params: float) -> GradientTransformation:
    """Build an optimizer by name with its learning rate and extra parameters."""
    try:
        factory = OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise ConfigError(f"unknown optimizer '{name}'; choose one of: {known}") from None
    return factory(lr, **params)
