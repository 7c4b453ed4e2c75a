"""Standardised features: train on z = (x − mean)/scale, report weights in the data's units.

With the bias column, ŷ = b' + Σ a'_j z_j = (b' − Σ a'_j m_j/s_j) + Σ (a'_j/s_j) x_j, so the
weights map linearly, w = M·v with M = [[1, −m/s], [0, diag(1/s)]]: the predictions, and so
every loss, are the same in both coordinates. Without a bias column the features are only
scaled (centring could not be undone), M = diag(1/s).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import DataError

Array = NDArray[np.float64]

#: A feature whose spread is at most this fraction of its size is constant to rounding.
ROUNDING_SPREAD = 64 * np.finfo(np.float64).eps


@dataclass(frozen=True)
class Standardization:
    """Per-feature means m (zeros without a bias column) and scales s > 0."""

    means: Array
    scales: Array
    intercept: bool
    constant: tuple[bool, ...] = ()

    def require_varying(self, names: Sequence[str]) -> None:
        """Raise a `DataError` naming a constant feature: centring would zero it."""
        for name, fixed in zip(names, self.constant, strict=False):
            if fixed and self.intercept:
                raise DataError(
                    f"{{option}}: column '{name}' is constant, so centring leaves it all "
                    f"zeros (the bias already carries a constant); drop the column",
                    option="standardize",
                )

    def apply(self, features: ArrayLike) -> Array:
        """z = (x − m)/s, column by column."""
        X = np.asarray(features, dtype=np.float64)
        return np.asarray((X - self.means) / self.scales, dtype=np.float64)

    def to_original(self) -> Array:
        """M with w = M·v: standardised weights v to weights in the data's units.

        >>> Standardization(np.array([2.0]), np.array([4.0]), True).to_original()
        array([[ 1.  , -0.5 ],
               [ 0.  ,  0.25]])
        """
        k = self.means.size
        if not self.intercept:
            return np.diag(1.0 / self.scales)
        M = np.zeros((k + 1, k + 1))
        M[0, 0] = 1.0
        M[0, 1:] = -self.means / self.scales
        M[1:, 1:] = np.diag(1.0 / self.scales)
        return M

    def to_standard(self) -> Array:
        """M⁻¹ with v = M⁻¹·w: b' = b + Σ a_j m_j, a'_j = a_j·s_j (exact, no inversion)."""
        k = self.means.size
        if not self.intercept:
            return np.diag(self.scales)
        inverse = np.zeros((k + 1, k + 1))
        inverse[0, 0] = 1.0
        inverse[0, 1:] = self.means
        inverse[1:, 1:] = np.diag(self.scales)
        return inverse


def fit_standardization(features: ArrayLike, intercept: bool = True) -> Standardization:
    """Means and standard deviations of the feature columns (a constant column keeps scale 1).

    >>> s = fit_standardization([[1.0], [3.0]])
    >>> s.means, s.scales
    (array([2.]), array([1.]))
    """
    X = np.asarray(features, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    means = X.mean(axis=0) if intercept else np.zeros(X.shape[1])
    spread = X.std(axis=0) if intercept else np.sqrt(np.mean(X**2, axis=0))
    # A column of one repeated value (0.1, 0.1, …) has a spread of rounding noise, not 0.
    size = np.max(np.abs(X), axis=0, initial=0.0)
    constant = (spread <= ROUNDING_SPREAD * size) if intercept else spread == 0
    scales = np.where(constant, 1.0, spread)
    return Standardization(means, scales, intercept, tuple(bool(v) for v in constant))


def standardization_from_gram(
    gram: ArrayLike, n_rows: int, intercept: bool = True
) -> Standardization:
    """`fit_standardization` from G = AᵀA alone (sums and sums of squares), for data that is
    streamed or distributed rather than held in memory.

    >>> s = standardization_from_gram([[2.0, 4.0], [4.0, 10.0]], 2)
    >>> s.means, s.scales
    (array([2.]), array([1.]))
    """
    G = np.asarray(gram, dtype=np.float64)
    squares = np.diag(G)[1:] if intercept else np.diag(G)
    means = G[0, 1:] / n_rows if intercept else np.zeros(squares.size)
    variance = np.maximum(squares / n_rows - means**2, 0.0) if intercept else squares / n_rows
    spread = np.sqrt(variance)
    scales = np.where(spread > 0, spread, 1.0)
    return Standardization(means, scales, intercept, tuple(bool(v) for v in spread == 0))


def standardization_from_factor(
    R: ArrayLike, n_rows: int, intercept: bool = True
) -> Standardization:
    """`fit_standardization` from the triangular factor R of A (A = QR, ones column first
    with `intercept`), for data that is streamed or distributed.

    Column j of A is Σᵢ R[i, j]·qᵢ with q₀ = ones/√N, so its mean is R[0, j]/√N and its
    centred sum of squares Σ_{i≥1} R[i, j]², with no cancellation (unlike E[x²] − E[x]²).

    >>> R = np.linalg.qr(np.column_stack([np.ones(2), [1.0, 3.0]]), mode="r")
    >>> s = standardization_from_factor(R, 2)
    >>> np.round(np.abs(s.means), 12), np.round(s.scales, 12)
    (array([2.]), array([1.]))
    """
    R = np.asarray(R, dtype=np.float64) * np.where(np.diag(R) < 0, -1.0, 1.0)[:, None]
    if intercept:
        means = R[0, 1:] / np.sqrt(n_rows)
        spread = np.linalg.norm(R[1:, 1:], axis=0) / np.sqrt(n_rows)
        size = np.linalg.norm(R[:, 1:], axis=0) / np.sqrt(n_rows)
        constant = spread <= ROUNDING_SPREAD * size
    else:
        means = np.zeros(R.shape[1])
        spread = np.linalg.norm(R, axis=0) / np.sqrt(n_rows)
        constant = spread == 0
    scales = np.where(constant, 1.0, spread)
    return Standardization(means, scales, intercept, tuple(bool(v) for v in constant))
