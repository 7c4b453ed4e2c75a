"""Data for the linear layer: the seed's recipe, validated arrays and the design matrix.

A `Dataset` holds raw feature columns and a target; `design_matrix` adds the column of ones
that carries the offset b, *first*, so weights read (b, a1, a2, …) as in the seed program.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.errors import ConfigError, DataError
from gdlab.frames import feature_matrix, target_vector

SEED_ROWS = 50
#: The largest |value| a data cell may hold: squares of errors on such data stay finite.
MAX_MAGNITUDE = 1e100


@dataclass(frozen=True)
class Dataset:
    """Feature columns (N×k), a target (N), their names and where they came from."""

    features: NDArray[np.float64]
    target: NDArray[np.float64]
    feature_names: tuple[str, ...] = ("x",)
    target_name: str = "y"
    source: str = "arrays"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Number of examples N."""
        return int(self.features.shape[0])

    @property
    def n_features(self) -> int:
        """Number of feature columns k (weights are k+1 with the bias)."""
        return int(self.features.shape[1])


def seed_data(rng: np.random.Generator, n: int = SEED_ROWS, noise: float = 1.0) -> Dataset:
    """The seed program's data: two ramps with standard-normal noise added to both.

    ``x = linspace(-2, 4, n) + ε₁``, ``y = linspace(-6, 6, n) + ε₂`` with ε ~ N(0, noise²).

    >>> data = seed_data(np.random.default_rng(0))
    >>> data.features.shape, data.target.shape
    ((50, 1), (50,))
    """
    if n < 2:
        raise DataError(f"the seed recipe needs at least 2 points, got n={n}")
    ramps = np.array([np.linspace(-2, 4, n), np.linspace(-6, 6, n)])
    ramps += noise * rng.standard_normal((2, n))
    x, y = ramps
    return Dataset(x.reshape(-1, 1), y, source="seed", extra={"n": n, "noise": noise})


def seed_dataset(seed: int, n: int = SEED_ROWS, noise: float = 1.0) -> Dataset:
    """The seed data for a seed number: the first draws of ``default_rng(seed)``.

    `gdlab.demo` draws the data first and the initial weights after, from one generator,
    so this regenerates a demo run's data from its record.
    """
    data = seed_data(np.random.default_rng(check_seed(seed)), n, noise)
    return replace(data, extra={**data.extra, "seed": seed})


def check_seed(seed: int) -> int:
    """A seed must be a whole number ≥ 0 (what `numpy.random.default_rng` accepts)."""
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ConfigError(f"seed must be a whole number ≥ 0, got {seed}")
    return int(seed)


def from_arrays(
    features: ArrayLike,
    target: ArrayLike,
    feature_names: Sequence[str] | None = None,
    target_name: str | None = None,
    source: str = "arrays",
) -> Dataset:
    """Validate in-memory data (1-D or 2-D features, 1-D target) into a `Dataset`.

    Features and target may be numpy arrays, lists, pandas or polars DataFrames/Series or
    Dask collections; a frame's column names become the feature names and a Series' name
    the target's, unless `feature_names` / `target_name` are given.
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
    return Dataset(X, y, names, target_name, source)


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


def design_matrix(features: ArrayLike, intercept: bool = True) -> NDArray[np.float64]:
    """The model's input A: a column of ones first (for b), then the features.

    >>> design_matrix([[2.0], [3.0]])
    array([[1., 2.],
           [1., 3.]])
    """
    X = np.asarray(features, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if not intercept:
        return X
    return np.hstack([np.ones((X.shape[0], 1), dtype=X.dtype), X])


def weight_names(feature_names: Sequence[str], intercept: bool = True) -> list[str]:
    """Names of the weights in order: `b` for the bias, then one per feature."""
    return (["b"] if intercept else []) + list(feature_names)
