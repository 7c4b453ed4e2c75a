"""A `Dataset`: feature columns and a target in memory, validated cell by cell.

It holds the raw columns; `gdlab.model.linear.design_matrix` adds the column of ones that
carries the offset b, *first*, so weights read (b, a1, a2, …) as in the seed program.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.data.frames import feature_matrix, target_vector
from gdlab.errors import DataError

#: The largest |value| a data cell may hold: squares of errors on such data stay finite.
MAX_MAGNITUDE = 1e100
#: The most feature columns a fit takes: its analysis (SVDs of the p×p factor) costs O(p³),
#: about a second at this width.
MAX_FEATURES = 1000


@dataclass(frozen=True)
class Dataset:
    """Feature columns (N×k), a target (N), their names and where they came from.

    `weights`, when set, are the rows' sample weights wᵢ ≥ 0 (weighted least squares: row i
    counts wᵢ times), read from the column `weight_name`.
    """

    features: NDArray[np.float64]
    target: NDArray[np.float64]
    feature_names: tuple[str, ...] = ("x",)
    target_name: str = "y"
    source: str = "arrays"
    extra: dict[str, object] = field(default_factory=dict)
    weights: NDArray[np.float64] | None = None
    weight_name: str | None = None
    #: Each row's cluster (`--cov cluster:COL`), read from the column `cluster_name`.
    clusters: NDArray[np.float64] | None = None
    cluster_name: str | None = None

    @property
    def n_rows(self) -> int:
        """Number of examples N."""
        return int(self.features.shape[0])

    @property
    def n_features(self) -> int:
        """Number of feature columns k (weights are k+1 with the bias)."""
        return int(self.features.shape[1])

    def rows(self) -> NDArray[np.float64]:
        """The rows [x₁ … x_k y] side by side (what groups and fingerprints hash)."""
        return np.column_stack([self.features, self.target])

    def subset(self, keep: NDArray[np.bool_]) -> Dataset:
        """The rows where `keep` is True (their weights too), in order."""
        weights = None if self.weights is None else self.weights[keep]
        clusters = None if self.clusters is None else self.clusters[keep]
        return replace(
            self,
            features=self.features[keep],
            target=self.target[keep],
            weights=weights,
            clusters=clusters,
        )


def from_arrays(
    features: ArrayLike,
    target: ArrayLike,
    feature_names: Sequence[str] | None = None,
    target_name: str | None = None,
    source: str = "arrays",
    weights: ArrayLike | None = None,
    weight_name: str | None = None,
) -> Dataset:
    """Validate in-memory data (1-D or 2-D features, 1-D target) into a `Dataset`.

    Features and target may be numpy arrays, lists, pandas or polars DataFrames/Series or
    Dask collections; a frame's column names become the feature names and a Series' name
    the target's, unless `feature_names` / `target_name` are given. `weights` are sample
    weights, one finite wᵢ ≥ 0 per row, not all zero (`check_weights`).
    """
    X, column_names = feature_matrix(features)
    y, series_name = target_vector(target)
    feature_names = feature_names if feature_names is not None else column_names
    target_name = target_name or series_name or "y"
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise DataError(f"features must be 1-D or 2-D, got shape {X.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"target must be 1-D, got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise DataError(f"features have {X.shape[0]} rows but the target has {y.shape[0]}")
    names = tuple(feature_names) if feature_names is not None else default_names(X.shape[1])
    if len(names) != X.shape[1]:
        raise DataError(f"{len(names)} feature names given for {X.shape[1]} feature columns")
    check_finite(X, names, source)
    check_finite(y[:, None], (target_name,), source)
    if X.shape[0] < 2:
        raise DataError(f"{source}: need at least 2 rows to fit a line, got {X.shape[0]}")
    w = None
    if weights is not None:
        w, weight_name = target_vector(weights)[0], weight_name or "weights"
        if w.shape != y.shape:
            raise DataError(f"{source}: {w.size} sample weights for {y.size} rows")
        check_weights(w, weight_name, source)
    return Dataset(X, y, names, target_name, source, weights=w, weight_name=weight_name)


def check_weights(weights: NDArray[np.float64], name: str, source: str, first_row: int = 0) -> None:
    """Sample weights must be finite and ≥ 0 (a zero drops the row); say which one is not.

    >>> try:
    ...     check_weights(np.array([1.0, -2.0]), "w", "d.csv")
    ... except DataError as error:
    ...     print(error)
    d.csv: sample weight -2 in column 'w' at data row 2 is negative; weights must be ≥ 0
    """
    check_finite(weights[:, None], (name,), source)
    negative = weights < 0
    if negative.any():
        row = int(np.argmax(negative))
        raise DataError(
            f"{source}: sample weight {weights[row]:g} in column '{name}' at data row "
            f"{first_row + row + 1} is negative; weights must be ≥ 0"
        )


def default_names(k: int) -> tuple[str, ...]:
    """`x` for one feature (the seed's name), `x1…xk` for several."""
    return ("x",) if k == 1 else tuple(f"x{i + 1}" for i in range(k))


def check_finite(values: NDArray[np.float64], names: Sequence[str], source: str) -> None:
    """Raise a `DataError` naming the first NaN/inf cell, or one too large to square safely.

    Cells must satisfy |v| ≤ `MAX_MAGNITUDE`, so that sums of squared errors stay far from
    float64's overflow (≈1.8e308) on any number of rows.
    """
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        kind = "missing value (NaN)" if np.isnan(values[row, col]) else "infinite value"
        raise DataError(f"{source}: {kind} in column '{names[col]}' at data row {row + 1}")
    huge = np.abs(values) > MAX_MAGNITUDE
    if huge.any():
        row, col = np.argwhere(huge)[0]
        raise DataError(
            f"{source}: value {values[row, col]:.3g} in column '{names[col]}' at data row "
            f"{row + 1} is too large: its square would overflow; rescale the column "
            f"(gdlab takes |value| ≤ {MAX_MAGNITUDE:.0e})"
        )
