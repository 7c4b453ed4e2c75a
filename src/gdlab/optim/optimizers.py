"""Optimizers as pairs of pure functions: optax's API, PyTorch's update rules.

An optimizer is ``GradientTransformation(init, update)``: ``init(params) -> state`` and
``update(grads, state, params) -> (updates, new_state)``; the loop applies
``params + updates``. Small transforms chain into optimizers, e.g.
``adam(lr) = chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(lr))``. That much is
optax's design; the formulas are torch.optim's, which optax's adagrad and rmsprop do not
share (ε inside the root, AdaGrad's sum starting at 0.1). docs/conventions.md writes out
every rule, its defaults, and how it relates to PyTorch, optax and Keras.

The learning rate may be a number or a schedule (a function of the update count k,
see `gdlab.optim.schedules`). Notation: g is the gradient, u the update, η_k the rate of update k.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import ConfigError

Array = NDArray[np.floating]
State = Any
InitFn = Callable[[Array], State]
UpdateFn = Callable[[Array, State, Array], tuple[Array, State]]
#: A learning rate: a constant, or a schedule k ↦ η_k over the update count k = 0, 1, …
LearningRate = float | Callable[[int], float]


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


class CountState(NamedTuple):
    """How many updates a schedule has seen."""

    updates: int


class TraceState(NamedTuple):
    """The velocity v of a momentum method."""

    velocity: Array


class SumState(NamedTuple):
    """A running (possibly decaying) sum of squared gradients."""

    sum_of_squares: Array


class AdamState(NamedTuple):
    """Adam's first and second moment estimates and its update count."""

    updates: int
    mu: Array
    nu: Array


def check_lr(lr: float) -> float:
    """A learning rate must be a finite number > 0."""
    if not math.isfinite(lr) or lr <= 0:
        raise ConfigError(f"learning rate must be a finite number > 0, got {lr}")
    return float(lr)


def scale_by_learning_rate(lr: LearningRate) -> GradientTransformation:
    """Step downhill: u ← −η_k·u, with η_k = lr, or lr(k) for a schedule."""
    if not callable(lr):
        return scale(-check_lr(lr))
    schedule = lr

    def init(params: Array) -> CountState:
        return CountState(0)

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        return -schedule(state.updates) * grads, CountState(state.updates + 1)

    return GradientTransformation(init, update)


def trace(decay: float, nesterov: bool = False) -> GradientTransformation:
    """Momentum: v ← g + β·v; u = v (heavy ball) or u = g + β·v (Nesterov)."""

    def init(params: Array) -> TraceState:
        return TraceState(np.zeros_like(params))

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        velocity = grads + decay * state.velocity
        out = grads + decay * velocity if nesterov else velocity
        return out, TraceState(velocity)

    return GradientTransformation(init, update)


def scale_by_rss(eps: float) -> GradientTransformation:
    """AdaGrad's scaling: s ← s + g²; u = g/(√s + ε) (per weight), s from 0 as in PyTorch.

    optax's `scale_by_rss` of the same name starts s at 0.1 and takes g/√(s + ε).
    """

    def init(params: Array) -> SumState:
        return SumState(np.zeros_like(params))

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        total = state.sum_of_squares + grads**2
        return grads / (np.sqrt(total) + eps), SumState(total)

    return GradientTransformation(init, update)


def scale_by_rms(decay: float, eps: float) -> GradientTransformation:
    """RMSProp's scaling: s ← ρ·s + (1−ρ)·g²; u = g/(√s + ε) (per weight), as in PyTorch.

    optax's `scale_by_rms` takes g/√(s + ε) unless told ``eps_in_sqrt=False``.
    """

    def init(params: Array) -> SumState:
        return SumState(np.zeros_like(params))

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        average = decay * state.sum_of_squares + (1 - decay) * grads**2
        return grads / (np.sqrt(average) + eps), SumState(average)

    return GradientTransformation(init, update)


def scale_by_adam(b1: float, b2: float, eps: float) -> GradientTransformation:
    """Adam's scaling: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; u = m̂/(√v̂ + ε),
    with the bias corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) at update t = 1, 2, …"""

    def init(params: Array) -> AdamState:
        return AdamState(0, np.zeros_like(params), np.zeros_like(params))

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        count = state.updates + 1
        mu = b1 * state.mu + (1 - b1) * grads
        nu = b2 * state.nu + (1 - b2) * grads**2
        mu_hat = mu / (1 - b1**count)
        nu_hat = nu / (1 - b2**count)
        return mu_hat / (np.sqrt(nu_hat) + eps), AdamState(count, mu, nu)

    return GradientTransformation(init, update)


def check_option(name: str, value: float, low: float, high: float | None) -> float:
    """An optimizer option must be finite and lie in [low, high) (or be > low when high is None)."""
    inside = value > low if high is None else low <= value < high
    if not (math.isfinite(value) and inside):
        allowed = f"> {low:g}" if high is None else f"in [{low:g}, {high:g})"
        raise ConfigError(f"optimizer option {name} must be {allowed}, got {value:g}")
    return float(value)


def gd(lr: LearningRate) -> GradientTransformation:
    """Plain gradient descent, the seed's optimizer: w ← w − η·∇L(w).

    >>> opt = gd(0.1)
    >>> updates, _ = opt.update(np.array([1.0, -2.0]), opt.init(np.zeros(2)), np.zeros(2))
    >>> updates
    array([-0.1,  0.2])
    """
    return scale_by_learning_rate(lr)


def momentum(lr: LearningRate, momentum: float = 0.9) -> GradientTransformation:
    """Heavy-ball momentum (Polyak): v ← ∇L(w) + β·v; w ← w − η·v.

    The same as w_{k+1} = w_k − η∇L(w_k) + β(w_k − w_{k−1}); β = `momentum`.
    """
    beta = check_option("momentum", momentum, 0.0, 1.0)
    return chain(trace(beta), scale_by_learning_rate(lr))


def nesterov(lr: LearningRate, momentum: float = 0.9) -> GradientTransformation:
    """Nesterov momentum: v ← ∇L(w) + β·v; w ← w − η·(∇L(w) + β·v), a look-ahead step."""
    beta = check_option("momentum", momentum, 0.0, 1.0)
    return chain(trace(beta, nesterov=True), scale_by_learning_rate(lr))


def adagrad(lr: LearningRate, eps: float = 1e-8) -> GradientTransformation:
    """AdaGrad: s ← s + g²; w ← w − η·g/(√s + ε), per weight (rates shrink with history).

    torch.optim.Adagrad(lr, eps=1e-8): PyTorch's rule, but its ε defaults to 1e-10.
    """
    return chain(scale_by_rss(check_option("eps", eps, 0.0, None)), scale_by_learning_rate(lr))


def rmsprop(lr: LearningRate, decay: float = 0.9, eps: float = 1e-8) -> GradientTransformation:
    """RMSProp: s ← ρ·s + (1−ρ)·g²; w ← w − η·g/(√s + ε), per weight; ρ = `decay`.

    torch.optim.RMSprop(lr, alpha=0.9): PyTorch's rule, but its ρ defaults to 0.99.
    """
    scaling = scale_by_rms(
        check_option("decay", decay, 0.0, 1.0), check_option("eps", eps, 0.0, None)
    )
    return chain(scaling, scale_by_learning_rate(lr))


def adam(
    lr: LearningRate, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> GradientTransformation:
    """Adam: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − η·m̂/(√v̂ + ε) (bias-corrected).

    >>> opt = adam(0.1)
    >>> updates, _ = opt.update(np.array([4.0, -0.5]), opt.init(np.zeros(2)), np.zeros(2))
    >>> np.round(updates, 6)  # the first Adam step has size η in every coordinate
    array([-0.1,  0.1])
    """
    scaling = scale_by_adam(
        check_option("b1", b1, 0.0, 1.0),
        check_option("b2", b2, 0.0, 1.0),
        check_option("eps", eps, 0.0, None),
    )
    return chain(scaling, scale_by_learning_rate(lr))


class FistaState(NamedTuple):
    """FISTA's previous proximal point x_{k−1}, its t_k and the update count."""

    previous: Array
    t: float
    updates: int


def soft_threshold(values: ArrayLike, threshold: ArrayLike) -> NDArray[np.float64]:
    """S(v, t) = sign(v)·max(|v| − t, 0): the proximal map of t·|v|.

    >>> soft_threshold([3.0, -0.5, -2.0], 1.0)
    array([ 2.,  0., -1.])
    """
    v = np.asarray(values, dtype=np.float64)
    shrunk = np.maximum(np.abs(v) - np.asarray(threshold, dtype=np.float64), 0.0)
    return np.sign(v) * shrunk + 0.0  # + 0.0: no −0 in what is printed


def rate_at(lr: LearningRate, update: int) -> float:
    """η_k of update k: the constant, or the schedule's value."""
    return float(lr(update)) if callable(lr) else float(lr)


def checked(lr: LearningRate) -> LearningRate:
    """A constant rate checked (a schedule checks its own)."""
    return lr if callable(lr) else check_lr(lr)


def accelerated_proximal(
    lr: LearningRate, l1: float = 0.0, mask: ArrayLike | None = None
) -> GradientTransformation:
    """FISTA's steps, thresholded by η·λ₁·m (`gdlab.optim.proximal` says how and why)."""
    lr = checked(lr)

    def init(params: Array) -> FistaState:
        return FistaState(np.array(params, dtype=np.float64), 1.0, 0)

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        eta = rate_at(lr, state.updates)
        weights = 1.0 if mask is None else np.asarray(mask)
        point = soft_threshold(params - eta * grads, eta * l1 * weights)
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * state.t**2)) / 2.0
        ahead = point + ((state.t - 1.0) / t_next) * (point - state.previous)
        move = (ahead - params).astype(params.dtype, copy=False)
        return move, FistaState(point, float(t_next), state.updates + 1)

    return GradientTransformation(init, update)


def fista(lr: LearningRate) -> GradientTransformation:
    """FISTA, accelerated proximal gradient (Beck and Teboulle): with --l1 it thresholds each
    step (`gdlab.optim.proximal`); without, it is Nesterov's accelerated gradient with the
    momentum (t_k − 1)/t_{k+1} growing towards 1."""
    return accelerated_proximal(lr)


OPTIMIZERS: dict[str, Callable[..., GradientTransformation]] = {
    "gd": gd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "fista": fista,
}


def optimizer_options(name: str) -> dict[str, float]:
    """The options an optimizer takes, with their defaults (e.g. adam: b1, b2, eps).

    >>> optimizer_options("rmsprop")
    {'decay': 0.9, 'eps': 1e-08}
    """
    return dict(declared_defaults(name))


@functools.cache
def declared_defaults(name: str) -> tuple[tuple[str, float], ...]:
    """(option, default) pairs of an optimizer's signature, read once (inspect is slow)."""
    parameters = list(inspect.signature(OPTIMIZERS[name]).parameters.values())[1:]
    return tuple((p.name, float(p.default)) for p in parameters)


def make_optimizer(name: str, lr: LearningRate, /, **options: float) -> GradientTransformation:
    """Build an optimizer by name with its learning rate (or schedule) and options.

    Unknown names and options raise a `ConfigError` that lists the valid ones (``lr`` too:
    the rate is not one of the options).

    >>> make_optimizer("gd", 0.1, lr=1.0)
    Traceback (most recent call last):
    ...
    gdlab.errors.ConfigError: optimizer 'gd' has no option lr; it takes: no options
    """
    try:
        factory = OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise ConfigError(f"unknown optimizer '{name}'; choose one of: {known}") from None
    if options:
        valid = optimizer_options(name)
        unknown = sorted(set(options) - set(valid))
        if unknown:
            takes = ", ".join(valid) if valid else "no options"
            raise ConfigError(
                f"optimizer '{name}' has no option {', '.join(unknown)}; it takes: {takes}"
            )
    return factory(lr, **{key: float(value) for key, value in options.items()})
