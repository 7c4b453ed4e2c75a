"""The seed program's data recipe: two noisy ramps, drawn from a seeded generator."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gdlab.data.dataset import Dataset
from gdlab.errors import ConfigError, DataError

SEED_ROWS = 50


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
