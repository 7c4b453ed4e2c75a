"""Engines: how the loss and its gradient are computed over the data for given weights.

Every engine satisfies `Engine`; the one training loop (`gdlab.training.loop`) and the analysis
never care which one runs:

* ``dense``  — the rows in memory, touched every step (any loss; mini-batch SGD);
* ``stats``  — one pass builds QR statistics of in-memory data, then each step is O(p²);
* ``stream`` — the same statistics from one bounded-memory pass over CSV/Parquet files;
* ``dask``   — the same statistics built on a Dask cluster by tree reduction.

``auto`` picks stats for quadratic losses with full batches and moderate p, stream for files,
dask for dask collections (or with a scheduler address), dense otherwise.
`make_engine` builds one over in-memory A and y; `gdlab.training.problem.engine_for` builds
the engine of a run over prepared data of any kind.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gdlab.engines.base import Engine, FusedDescent
from gdlab.engines.dense import DenseEngine
from gdlab.engines.minibatch import MiniBatchEngine
from gdlab.engines.stats import StatsEngine
from gdlab.engines.stream import StreamEngine
from gdlab.errors import ConfigError
from gdlab.model.losses import Loss

ENGINES = ("dense", "stats", "stream", "dask")
#: `auto` runs the stats engine up to this many weights (its pass costs O(N·p²)).
MAX_STATS_WEIGHTS = 1000


def choose_engine(
    loss: Loss,
    kind: str,
    n_weights: int,
    batch_size: int | None = None,
    scheduler: str | None = None,
) -> str:
    """What `auto` runs: dense when rows are needed every step, else a statistics engine
    (`gdlab.training.problem.prepare` first reads small files into memory).

    >>> from gdlab.model.losses import HUBER, L2
    >>> [choose_engine(L2, "memory", 2), choose_engine(L2, "files", 2)]
    ['stats', 'stream']
    >>> [choose_engine(HUBER, "files", 2), choose_engine(L2, "memory", 2, batch_size=8)]
    ['dense', 'dense']
    """
    if not loss.is_quadratic or batch_size is not None:
        return "dense"
    if kind == "dask" or scheduler:
        return "dask"
    if kind == "files":
        return "stream"
    return "stats" if n_weights <= MAX_STATS_WEIGHTS else "dense"


def check_engine_name(name: str) -> str:
    """An engine name must be `auto` or one of `ENGINES`."""
    if name not in ("auto", *ENGINES):
        known = ", ".join(("auto", *ENGINES))
        raise ConfigError(f"unknown engine '{name}'; choose one of: {known}")
    return name


def make_engine(
    name: str,
    A: ArrayLike,
    y: ArrayLike,
    loss: Loss,
    dtype: str = "float64",
    *,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
) -> Engine:
    """Build the engine called `name` over an in-memory design matrix A and target y."""
    check_engine_name(name)
    A = np.asarray(A, dtype=np.float64)
    if name == "auto":
        name = choose_engine(loss, "memory", A.shape[1], batch_size)
    if batch_size is not None and name != "dense":
        raise ConfigError(
            f"mini-batch SGD ({{option}}) runs on the dense engine, not {name}", option="batch_size"
        )
    if name == "stream":
        raise ConfigError("the stream engine reads files; in-memory data runs on the stats engine")
    if name == "dask":
        from gdlab.data.dask import dask_arrays
        from gdlab.engines.dask import DaskEngine

        return DaskEngine(dask_arrays(A, y), loss, intercept=False, dtype=dtype)
    if name == "stats":
        return StatsEngine.from_arrays(A, y, loss, dtype=dtype)
    if batch_size is not None:
        if rng is None:
            raise ConfigError("mini-batch SGD needs a random generator to shuffle the rows")
        return MiniBatchEngine(A, y, loss, batch_size, rng, dtype=dtype)
    return DenseEngine(A, y, loss, dtype=dtype)


__all__ = [
    "ENGINES",
    "DenseEngine",
    "Engine",
    "FusedDescent",
    "MiniBatchEngine",
    "StatsEngine",
    "StreamEngine",
    "choose_engine",
    "make_engine",
]
