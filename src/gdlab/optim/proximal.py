"""Proximal steps for the L1 penalty: ISTA and FISTA on the smooth part's gradient.

The objective F(w) = f(w) + λ₁‖m⊙w‖₁ (f: the loss, with the ridge term when --l2 is set; m:
1 for each penalised weight, 0 for the bias) is not differentiable where a weight is 0, so
the L1 term enters through its proximal map, the soft threshold
S(v, t) = sign(v)·max(|v| − t, 0), weight by weight:

- ISTA (`ista`): w ← S(w − η∇f(w), η·λ₁·m), gradient descent followed by the threshold;
  stable for η < 2/λmax(∇²f), the same bound as plain GD. Other optimizers take their own
  step u and then the same threshold, w ← S(w + u, η·λ₁·m) (`thresholded`): a heuristic
  for momentum and the adaptive rules, whose steps are not η·∇f.
- FISTA (`fista`): the same step taken from the extrapolated point
  y = x_k + ((t_k − 1)/t_{k+1})·(x_k − x_{k−1}), t_{k+1} = (1 + √(1 + 4t_k²))/2 (Beck and
  Teboulle, 2009); it converges for η ≤ 1/λmax. The loop's weights are the points y where
  the gradient is taken.

Both are optax-style transforms: ``update(grads, state, params)`` returns the move
``new − params``. Each step costs one gradient, O(d²) on the statistics.

>>> opt = ista(0.5, l1=1.0, mask=np.array([0.0, 1.0]))
>>> move, _ = opt.update(np.array([1.0, -1.0]), opt.init(np.zeros(2)), np.zeros(2))
>>> move  # the bias steps by −η·g; the weight's step 0.5 is thresholded away (η·λ₁ = 0.5)
array([-0.5,  0. ])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.optim.optimizers import (
    FistaState,
    GradientTransformation,
    LearningRate,
    State,
    accelerated_proximal,
    checked,
    gd,
    make_optimizer,
    rate_at,
    soft_threshold,
)

__all__ = [
    "FistaState",
    "fista",
    "ista",
    "proximal_optimizer",
    "rate_at",
    "soft_threshold",
    "thresholded",
]

Array = NDArray[np.floating]


def thresholded(
    inner: GradientTransformation, lr: LearningRate, l1: float, mask: ArrayLike | None = None
) -> GradientTransformation:
    """`inner`'s step u, then the soft threshold: w ← S(w + u, η_k·λ₁·m)."""
    lr = checked(lr)

    def init(params: Array) -> tuple[State, int]:
        return inner.init(params), 0

    def update(grads: Array, state: State, params: Array) -> tuple[Array, State]:
        inner_state, count = state
        step, inner_state = inner.update(grads, inner_state, params)
        weights = 1.0 if mask is None else np.asarray(mask)
        new = soft_threshold(params + step, rate_at(lr, count) * l1 * weights)
        return (new - params).astype(params.dtype, copy=False), (inner_state, count + 1)

    return GradientTransformation(init, update)


def ista(
    lr: LearningRate, l1: float = 0.0, mask: ArrayLike | None = None
) -> GradientTransformation:
    """Proximal gradient descent: w ← S(w − η∇f(w), η·λ₁·m) (see the module notes)."""
    return thresholded(gd(lr), lr, l1, mask)


def fista(
    lr: LearningRate, l1: float = 0.0, mask: ArrayLike | None = None
) -> GradientTransformation:
    """Accelerated proximal gradient (FISTA); with λ₁ = 0, Nesterov's accelerated GD."""
    return accelerated_proximal(lr, l1, mask)


def proximal_optimizer(
    name: str, lr: LearningRate, l1: float, mask: ArrayLike, **options: float
) -> GradientTransformation:
    """The optimizer `name` with the L1 penalty's proximal step: ISTA for gd, FISTA for
    fista, any other's own step then the threshold.

    >>> opt = proximal_optimizer("gd", 1.0, 0.5, np.ones(1))
    >>> opt.update(np.array([-2.0]), opt.init(np.zeros(1)), np.zeros(1))[0]
    array([1.5])
    """
    if name == "fista":
        make_optimizer(name, lr, **options)  # its options checked as everywhere
        return fista(lr, l1, mask)
    if name == "gd":
        make_optimizer(name, lr, **options)
        return ista(lr, l1, mask)
    return thresholded(make_optimizer(name, lr, **options), lr, l1, mask)
