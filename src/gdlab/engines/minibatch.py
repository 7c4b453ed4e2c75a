"""Mini-batch SGD on in-memory data: each step's gradient comes from the next batch of rows.

Every epoch visits the rows in a fresh order drawn from the run's generator (so a seed fixes
every batch). The gradient is the batch's unbiased estimate of the full one,
(N/|B|)·A_Bᵀ·dL/de_B, so a batch of all N rows is plain GD and the learning rate keeps its
meaning (and its stable bound). The loss recorded after each update is the full data's:
O(p²) from the QR statistics for a quadratic loss, one pass over the rows otherwise.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.engines.dense import DenseEngine
from gdlab.errors import ConfigError
from gdlab.model.losses import Loss


def check_batch_size(batch_size: int) -> int:
    """A batch size must be a whole number ≥ 1."""
    if int(batch_size) != batch_size or batch_size < 1:
        raise ConfigError(f"batch size must be a whole number ≥ 1, got {batch_size}")
    return int(batch_size)


class MiniBatchEngine(DenseEngine):
    """The dense engine with stochastic gradients from shuffled mini-batches."""

    def __init__(
        self,
        A: ArrayLike,
        y: ArrayLike,
        loss: Loss,
        batch_size: int,
        rng: np.random.Generator,
        dtype: str = "float64",
        mass: float | None = None,
    ) -> None:
        super().__init__(A, y, loss, dtype=dtype, mass=mass)
        self.batch_size = min(check_batch_size(batch_size), self.n_rows)
        self._rng = rng
        self._order = np.arange(0)
        self._position = 0

    def next_batch(self) -> NDArray[np.intp]:
        """Row indices of the next batch; a new shuffled epoch starts when one runs out."""
        if self._position >= self._order.size:
            self._order = self._rng.permutation(self.n_rows)
            self._position = 0
        batch = self._order[self._position : self._position + self.batch_size]
        self._position += self.batch_size
        return batch

    def full_loss(self, w: NDArray[np.floating]) -> float:
        """L(w) over all N rows (from the QR statistics when the loss is quadratic)."""
        if self.loss.is_quadratic:
            stats = self.statistics()
            return self.loss.sum_weight(self.mass) * stats.sum_squared_errors(w)
        return self.loss.value(self.A @ w - self.y)

    def loss_and_grad(self, w: NDArray[np.floating]) -> tuple[float, NDArray[np.floating]]:
        """The full loss at w and the next batch's gradient, (N/|B|)·A_Bᵀ·dL/de_B."""
        rows = self.next_batch()
        A_batch = self.A[rows]
        residual = A_batch @ w - self.y[rows]
        slope = self.loss.residual_gradient(residual, self.mass)
        return self.full_loss(w), (self.n_rows / rows.size) * (A_batch.T @ slope)
