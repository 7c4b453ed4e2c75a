"""Engines: how the loss and its gradient are computed over the data for given weights.

Every engine satisfies `Engine`; the one training loop (`gdlab.train`) and the analysis
never care which one runs. `make_engine` builds one by name.
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from gdlab.engines.base import Engine
from gdlab.engines.dense import DenseEngine
from gdlab.errors import ConfigError
from gdlab.losses import Loss

ENGINES = ("dense",)


def make_engine(
    name: str, A: ArrayLike, y: ArrayLike, loss: Loss, dtype: str = "float64"
) -> Engine:
    """Build the engine called `name` over design matrix A and target y."""
    if name in ("dense", "auto"):
        return DenseEngine(A, y, loss, dtype=dtype)
    known = ", ".join(("auto", *ENGINES))
    raise ConfigError(f"unknown engine '{name}'; choose one of: {known}")


__all__ = ["ENGINES", "DenseEngine", "Engine", "make_engine"]
