"""The dask engine: QR statistics built on a Dask cluster by tree reduction, then O(p²) steps.

Each block of rows — a chunk of a dask array, a partition of a dask dataframe, or of files
read by ``dask.dataframe`` — becomes `LeastSquaresStats` on a worker; `merge_all` folds them
`SPLIT_EVERY` at a time up a tree, so only small (p+1)×(p+1) factors travel. The cluster is
the one at ``--scheduler ADDRESS``, else the current `distributed.Client`, else a local one
started for the pass. Dask is an optional extra: ``pip install 'gdlab[dask]'``.
"""

from __future__ import annotations

import gc
import logging
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdlab.engines.one_pass import default_threads, pass_statistics, wants_kernel
from gdlab.engines.stats import StatsEngine, require_quadratic
from gdlab.errors import ConfigError, DataError, GdlabError
from gdlab.losses import Loss
from gdlab.lstsq import LeastSquaresStats, merge_all, wants_moments
from gdlab.readers import first_line, is_parquet
from gdlab.sources import FileSource

#: Partial statistics merged per node of the reduction tree.
SPLIT_EVERY = 8
#: Rows per dask chunk when gdlab makes the dask array itself.
BLOCK_ROWS = 1 << 20
#: How long to try reaching a scheduler given by address.
CONNECT_TIMEOUT = "10s"


@dataclass(frozen=True)
class DaskData:
    """Features (n×k) and target (n) as Dask collections, named like a `Dataset`."""

    features: Any
    target: Any
    feature_names: tuple[str, ...]
    target_name: str = "y"
    source: str = "dask"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        """Number of feature columns k."""
        return len(self.feature_names)


def is_dask_collection(value: object) -> bool:
    """True for a dask array, dataframe or series (without importing dask when it is unused)."""
    dask = sys.modules.get("dask")
    return dask is not None and bool(dask.is_dask_collection(value))


def import_dask() -> Any:
    """Import dask and distributed, or say how to install them."""
    try:
        import dask.array
        import dask.dataframe
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the dask engine needs the optional extra: pip install 'gdlab[dask]'"
        ) from None
    return dask


def dask_arrays(
    features: Any,
    target: Any,
    feature_names: Sequence[str] | None = None,
    target_name: str = "y",
    block_rows: int = BLOCK_ROWS,
    source: str = "dask",
) -> DaskData:
    """Wrap arrays (dask or in-memory) as `DaskData`, chunked by rows, one chunk across columns."""
    dask = import_dask()
    if isinstance(features, dask.dataframe.DataFrame | dask.dataframe.Series):  # block: partition
        frame = features.to_frame() if features.ndim == 1 else features
        names = tuple(feature_names or [str(name) for name in frame.columns])
        target_name = str(getattr(target, "name", None) or target_name)
        return DaskData(frame, target, names, target_name, source)
    X = dask.array.asarray(features) if is_dask_collection(features) else None
    if X is None:
        X = dask.array.from_array(np.asarray(features, dtype=np.float64), chunks=block_rows)
    y = dask.array.asarray(target) if is_dask_collection(target) else None
    if y is None:
        y = dask.array.from_array(np.asarray(target, dtype=np.float64), chunks=block_rows)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or y.ndim != 1:
        raise DataError(f"dask data: need features N×k and a 1-D target, got {X.shape}, {y.shape}")
    k = X.shape[1]
    names = tuple(feature_names) if feature_names else default_feature_names(k)
    if len(names) != k:
        raise DataError(f"{len(names)} feature names given for {k} feature columns")
    X = X.rechunk({1: -1})
    y = y.rechunk({0: X.chunks[0]})
    return DaskData(X, y, names, target_name, source)


def default_feature_names(k: int) -> tuple[str, ...]:
    """`x` for one feature, `x1…xk` for several (as `gdlab.data` names them)."""
    return ("x",) if k == 1 else tuple(f"x{i + 1}" for i in range(k))


def dask_frame(
    frame: Any, x_columns: Sequence[str], y_column: str, source: str = "dask"
) -> DaskData:
    """Columns of a dask dataframe as `DaskData` (one block per partition)."""
    missing = [name for name in [*x_columns, y_column] if name not in frame.columns]
    if missing:
        listed = ", ".join(str(name) for name in frame.columns)
        raise DataError(f"{source}: no column '{missing[0]}'; available columns: {listed}")
    return DaskData(frame[list(x_columns)], frame[y_column], tuple(x_columns), y_column, source)


def dask_files(source: FileSource) -> DaskData:
    """Files read by ``dask.dataframe`` (CSV split into byte blocks, Parquet by row group)."""
    dask = import_dask()
    wanted = [*source.feature_names, source.target_name]
    parquet = [str(file) for file in source.files if is_parquet(file)]
    text = [str(file) for file in source.files if not is_parquet(file)]
    frames = []
    if parquet:
        frames.append(dask.dataframe.read_parquet(parquet, columns=wanted))
    if text:
        frames.append(dask.dataframe.read_csv(text, usecols=wanted, blocksize="64MB"))
    frame = frames[0] if len(frames) == 1 else dask.dataframe.concat(frames)
    data = dask_frame(frame, source.feature_names, source.target_name, source.source)
    return DaskData(data.features, data.target, data.feature_names, data.target_name, source.source)


def block_values(values: Any, names: Sequence[str], source: str) -> np.ndarray:
    """One block's columns as an n×k float64 matrix; non-numeric or missing values are errors."""
    if hasattr(values, "to_numpy") and hasattr(values, "ndim"):  # a pandas block
        from pandas.api.types import is_numeric_dtype

        frame = values.to_frame() if values.ndim == 1 else values
        for name, kind in zip(names, frame.dtypes, strict=True):
            if not is_numeric_dtype(kind):
                raise DataError(f"{source}: column '{name}' is {kind}, not numeric")
        array = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = np.asarray(values)
        if array.dtype.kind not in "biuf":
            raise DataError(f"{source}: the data is {array.dtype}, not numeric")
        array = array.astype(np.float64, copy=False).reshape(array.shape[0], -1)
    bad = ~np.isfinite(array)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        kind = "missing value (NaN)" if np.isnan(array[row, col]) else "infinite value"
        raise DataError(f"{source}: {kind} in column '{names[col]}'")
    return array


def block_statistics(
    features: Any,
    target: Any,
    names: Sequence[str],
    intercept: bool,
    source: str,
    moments: bool = False,
    kernel: bool = False,
) -> LeastSquaresStats:
    """QR statistics of one block (run on a worker)."""
    X = block_values(features, names[:-1], source)
    y = block_values(target, names[-1:], source)
    return pass_statistics(X, y.reshape(-1), intercept, threads=1, moments=moments, kernel=kernel)


def tree_reduce(parts: list[Any], split_every: int = SPLIT_EVERY) -> Any:
    """Merge delayed statistics `split_every` at a time, level by level, down to one."""
    from dask import delayed

    while len(parts) > 1:
        parts = [
            delayed(merge_all)(parts[start : start + split_every])
            for start in range(0, len(parts), split_every)
        ]
    return parts[0]


def statistics_graph(data: DaskData, intercept: bool, split_every: int = SPLIT_EVERY) -> Any:
    """The delayed tree: block statistics for every row block, merged up to one."""
    from dask import delayed

    names = [*data.feature_names, data.target_name]
    feature_blocks = np.ravel(data.features.to_delayed()).tolist()
    target_blocks = np.ravel(data.target.to_delayed()).tolist()
    if len(feature_blocks) != len(target_blocks):
        raise DataError(f"{data.source}: features and target are split into different blocks")
    rows = data.target.shape[0]  # NaN (or lazy) for frames of unknown length
    known = isinstance(rows, int | float | np.number) and math.isfinite(rows)
    columns = len(names) + 1
    moments = known and wants_moments(float(rows), columns)
    kernel = not known or wants_kernel(float(rows) * columns, columns)  # unknown: big, likely
    parts = [
        delayed(block_statistics)(X, y, names, intercept, data.source, moments, kernel)
        for X, y in zip(feature_blocks, target_blocks, strict=True)
    ]
    return tree_reduce(parts, split_every)


@contextmanager
def dask_client(scheduler: str | None = None) -> Iterator[Any]:
    """A client of the cluster at `scheduler`, else the current one, else a local cluster."""
    import_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        reason = None
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, ValueError, TimeoutError) as error:
            reason = first_line(error)
        if reason is not None:
            # The half-made Client sits in a reference cycle; finalised later by a collection
            # on Dask's IO-loop thread, its __del__ waits for that thread: a deadlock.
            gc.collect()
            raise ConfigError(
                f"--scheduler {scheduler}: no Dask scheduler reachable there ({reason})"
            )
        with client:
            yield client
        return
    current = current_client()
    if current is not None:
        yield current
        return
    with (
        LocalCluster(
            n_workers=default_threads(),
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


def current_client() -> Any:
    """The client `dask` would use now (e.g. one the caller started), or None."""
    from distributed import default_client

    try:
        return default_client()
    except ValueError:
        return None


def dask_statistics(
    data: DaskData,
    intercept: bool = True,
    scheduler: str | None = None,
    split_every: int = SPLIT_EVERY,
) -> LeastSquaresStats:
    """Build the statistics on the cluster; a task's bad data comes back as a `DataError`."""
    graph = statistics_graph(data, intercept, split_every)
    with dask_client(scheduler) as client:
        try:
            stats: LeastSquaresStats = client.compute(graph).result()
        except GdlabError:
            raise
        except (ValueError, TypeError, OSError) as error:
            raise DataError(f"{data.source}: {first_line(error)}") from None
    if stats.n_rows < 2:
        raise DataError(f"{data.source}: need at least 2 rows to fit a line, got {stats.n_rows}")
    return stats


class DaskEngine(StatsEngine):
    """The stats engine with its one pass run on a Dask cluster."""

    name = "dask"

    def __init__(
        self,
        data: DaskData,
        loss: Loss,
        intercept: bool = True,
        dtype: str = "float64",
        scheduler: str | None = None,
        split_every: int = SPLIT_EVERY,
    ) -> None:
        require_quadratic(loss, self.name)
        super().__init__(dask_statistics(data, intercept, scheduler, split_every), loss, dtype)
