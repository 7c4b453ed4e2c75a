"""The engine protocol shared by every way of computing a loss and its gradient."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from gdlab.model.losses import Loss
from gdlab.onepass.lstsq import LeastSquaresStats


class Engine(Protocol):
    """Gives L(w) and ∇L(w) over some data; knows its size and its least-squares statistics."""

    name: str
    loss: Loss
    n_rows: int
    n_weights: int
    dtype: np.dtype

    def loss_and_grad(self, w: NDArray[np.floating]) -> tuple[float, NDArray[np.floating]]:
        """The loss at w and its gradient with respect to w."""
        ...

    def statistics(self) -> LeastSquaresStats:
        """One-pass statistics of the data (float64), for the optimum and the curvature."""
        ...


class FusedDescent(Engine, Protocol):
    """An engine that can run plain GD's steps itself, without a call per step."""

    def descend(
        self, w0: NDArray[np.floating], factor: float, steps: int
    ) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        """`steps` updates w ← w + factor·∇L(w): the path (w0 first) and the loss at each point.

        A diverging run overflows to inf/NaN; the caller (`train`) silences those warnings.
        """
        ...

    def path_gradients(self, path: NDArray[np.floating]) -> NDArray[np.floating]:
        """∇L at every point of a path (rows), in one go (inf/NaN on a diverging one, unwarned)."""
        ...
