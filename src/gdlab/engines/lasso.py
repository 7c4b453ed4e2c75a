"""The L1 penalty on any engine: the loss reported is f(w) + λ₁‖m⊙w‖₁ (m: 0 for the bias).

The gradient stays that of the smooth part f (the data loss, with the ridge term): the L1
term is not differentiable where a weight is 0 and enters training through the proximal
step (`gdlab.optim.proximal`), not through the gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.engines.base import Engine
from gdlab.onepass.lstsq import LeastSquaresStats


class LassoEngine:
    """Any engine with λ₁‖m⊙w‖₁ added to its loss (not to its gradient: see the module notes)."""

    def __init__(self, inner: Engine, l1: float, mask: NDArray[np.float64]) -> None:
        self.inner = inner
        self.l1 = float(l1)
        self.mask = np.asarray(mask, dtype=np.float64)
        self.name = inner.name
        self.loss = inner.loss
        self.n_rows = inner.n_rows
        self.n_weights = inner.n_weights
        self.dtype = inner.dtype

    def penalty(self, w: NDArray[np.floating]) -> float:
        """λ₁‖m⊙w‖₁."""
        return self.l1 * float(np.abs(self.mask * w).sum())

    def loss_and_grad(self, w: NDArray[np.floating]) -> tuple[float, NDArray[np.floating]]:
        """The penalised loss, and the smooth part's gradient."""
        loss, grad = self.inner.loss_and_grad(w)
        return loss + self.penalty(w), grad

    def statistics(self) -> LeastSquaresStats:
        """The smooth part's statistics (its Hessian bounds the proximal step as GD's)."""
        return self.inner.statistics()

    def __getattr__(self, name: str) -> Any:
        """Anything else an engine offers comes from the wrapped engine."""
        return getattr(self.inner, name)
