"""Standardised features: train on z = (x − mean)/scale, report weights in the data's units.

With the bias column, ŷ = b' + Σ a'_j z_j = (b' − Σ a'_j m_j/s_j) + Σ (a'_j/s_j) x_j, so the
weights map linearly, w = M·v with M = [[1, −m/s], [0, diag(1/s)]]: the predictions, and so
every loss, are the same in both coordinates. Without a bias column the features are only
scaled (centring could not be undone), M = diag(1/s).

A mean far from zero (x ≈ 1e8 + N(0, 1)) is kept in two parts, an origin (a value of the
data, e.g. its first row) plus the offset of the mean from it: (x − origin) − offset is
then exact where x − m with m rounded to float64 would be off by up to half an ulp of 1e8,
and the standard deviation comes from the centred values, never from E[x²] − m², which
cancels. Standardised data far from zero is then, to rounding, the same as the
standardised data centred beforehand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import DataError

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Standardization:
    """Per-feature means m (zeros without a bias column) and scales s > 0.

    `origin` and `offsets`, when set, are the means in two parts, m = origin + offsets
    (`means` is their float64 sum, for the map to the data's units).
    """

    means: Array
    scales: Array
    intercept: bool
    constant: tuple[bool, ...] = ()
    origin: Array | None = None
    offsets: Array | None = None

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
        """z = (x − m)/s column by column, as ((x − origin) − offset)/s with two-part means.

        >>> s = standardization_from_moments([1e8], [0.5], [2.0])
        >>> s.apply([[1e8 + 1.5]]).tolist()
        [[0.5]]
        """
        X = np.asarray(features, dtype=np.float64)
        if self.origin is not None and self.offsets is not None:
            return np.asarray(((X - self.origin) - self.offsets) / self.scales, dtype=np.float64)
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


def fit_standardization(
    features: ArrayLike, intercept: bool = True, weights: ArrayLike | None = None
) -> Standardization:
    """Means and standard deviations of the feature columns (a constant column keeps scale 1).

    With the bias, the values are centred at the first row before they are averaged (the
    mean then in two parts, see the module notes). With sample `weights` the means and
    standard deviations are the weighted ones (row i counts wᵢ times).

    >>> s = fit_standardization([[1.0], [3.0]])
    >>> s.means, s.scales
    (array([2.]), array([1.]))
    """
    X = np.asarray(features, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if not intercept:
        spread = np.sqrt(np.average(X**2, axis=0, weights=w))
        return standardization_from_moments(
            np.zeros(X.shape[1]), np.zeros(X.shape[1]), spread, False
        )
    origin = X[0].copy() if X.shape[0] else np.zeros(X.shape[1])
    centred = X - origin
    offsets = np.average(centred, axis=0, weights=w)
    spread = np.sqrt(np.average((centred - offsets) ** 2, axis=0, weights=w))
    return standardization_from_moments(origin, offsets, spread)


def standardization_from_moments(
    origin: ArrayLike, offsets: ArrayLike, spreads: ArrayLike, intercept: bool = True
) -> Standardization:
    """The standardisation with means origin + offsets and standard deviations `spreads`.

    The moments of data that is streamed or distributed come from its one-pass statistics
    (`LeastSquaresStats.column_moments`): centred, so nothing cancels. Without the bias
    the means are 0 and `spreads` are the root mean squares.

    >>> s = standardization_from_moments([1e8], [1.0], [0.5])
    >>> s.means, s.scales
    (array([1.00000001e+08]), array([0.5]))
    """
    spread = np.asarray(spreads, dtype=np.float64)
    scales = np.where(spread > 0, spread, 1.0)
    constant = tuple(bool(v) for v in spread == 0)
    if not intercept:
        return Standardization(np.zeros(spread.size), scales, False, constant)
    start = np.asarray(origin, dtype=np.float64)
    offset = np.asarray(offsets, dtype=np.float64)
    return Standardization(start + offset, scales, True, constant, start, offset)
