"""The second pass of a robust covariance (`--cov`): the sandwich's meat at the optimum.

The first pass gave the bread (the factor R) and the optimum ŵ; this pass goes over the
rows again — in memory, streamed from the files, or block by block on Dask — and sums the
meat of `gdlab.onepass.sandwich` at ŵ. Held-out rows (`--validation FRACTION`) are left
out as in the first pass, so the covariance is that of the weights the summary reports.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.robust import Covariance, sandwich_covariance
from gdlab.data.dask import DaskData
from gdlab.data.dataset import Dataset
from gdlab.data.files import FileSource
from gdlab.errors import ConfigError, DataError
from gdlab.onepass.groups import Holdout
from gdlab.onepass.sandwich import Frame, Meat, merge_meats
from gdlab.training.config import TrainingConfig

if TYPE_CHECKING:
    from gdlab.training.problem import Problem

Array = NDArray[np.float64]
#: (the feature columns, target y, sample weights or None, clusters or None)
Block = tuple[Sequence[Array], Array, Array | None, Array | None]


def robust_covariance(
    problem: Problem, data: Dataset | FileSource | DaskData, config: TrainingConfig
) -> Covariance:
    """The covariance of `config.cov` for the least-squares optimum of `problem`."""
    if not config.is_quadratic or config.l2 > 0:
        raise ConfigError(
            "a robust covariance ({option}) is that of least squares: use the l2 or mse loss "
            "without --l2",
            option="cov",
        )
    kind = "cluster" if config.cluster_column else config.cov
    stats = problem.statistics
    frame = Frame.at_optimum(stats, stats.optimum())
    if problem.engine == "dask" and problem.rows is None:
        meat = dask_second_pass(data, frame, kind, config)
    else:
        meat = summed_meat(row_blocks(problem, data, config), frame, kind, config.intercept)
    return sandwich_covariance(stats, meat, frame, config.cluster_column)


def summed_meat(blocks: Iterator[Block], frame: Frame, kind: str, intercept: bool) -> Meat:
    """The meat of every block, each summed on a worker thread while the next is read (at
    most one block per worker in flight), merged in order."""
    from gdlab.onepass.arrays import default_threads, one_blas_thread

    workers = default_threads()
    parts: list[Meat] = []
    in_flight: deque[Future[Meat]] = deque()
    with one_blas_thread(), ThreadPoolExecutor(workers) as pool:
        for block in blocks:
            in_flight.append(pool.submit(block_meat, frame, kind, intercept, *block))
            if len(in_flight) > workers:
                parts.append(in_flight.popleft().result())
        parts += [future.result() for future in in_flight]
    return merge_meats(parts) if parts else Meat(kind, frame.weights.size)


def block_meat(
    frame: Frame,
    kind: str,
    intercept: bool,
    columns: Sequence[Array],
    target: Array,
    weights: Array | None,
    clusters: Array | None,
) -> Meat:
    """One block's meat: its design [1 | x₁ … x_k] built here, on the worker."""
    ones = [np.ones(target.shape[0])] if intercept else []
    meat = Meat(kind, frame.weights.size)
    meat.add_rows(frame, np.column_stack([*ones, *columns]), target, weights, clusters)
    return meat


def dask_second_pass(
    data: Dataset | FileSource | DaskData, frame: Frame, kind: str, config: TrainingConfig
) -> Meat:
    """The meat summed on the Dask cluster, block by block (files read by dask, or its own
    collections, which then carry their cluster labels as `extras`)."""
    from gdlab.data.dask import dask_files
    from gdlab.onepass.dask_sandwich import dask_meat

    dask_data = dask_files(data) if isinstance(data, FileSource) else data
    if not isinstance(dask_data, DaskData):
        raise ConfigError("the dask engine's second pass needs files or dask collections")
    if config.cluster_column and dask_data.cluster_name is None:
        raise DataError(f"{dask_data.source}: no cluster column '{config.cluster_column}'")
    holdout = (
        Holdout(float(config.validation), config.seed)
        if isinstance(config.validation, float)
        else None
    )
    return dask_meat(dask_data, frame, kind, config.intercept, holdout, config.scheduler)


def row_blocks(
    problem: Problem, data: Dataset | FileSource | DaskData, config: TrainingConfig
) -> Iterator[Block]:
    """The training rows once more, in blocks: those in memory, else the files' batches."""
    column = config.cluster_column
    if problem.rows is not None:
        rows = problem.rows
        if column and rows.clusters is None:
            raise DataError(f"{problem.info.source}: no cluster column '{column}' in the data")
        columns = [rows.features[:, j] for j in range(rows.n_features)]
        yield columns, rows.target, rows.weights, rows.clusters
        return
    if not isinstance(data, FileSource):
        raise ConfigError(
            "a robust covariance ({option}) on a Dask collection needs its rows in files",
            option="cov",
        )
    if column and data.cluster_name is None:
        data = data.with_columns(clusters=column)
    holdout = (
        Holdout(float(config.validation), config.seed)
        if isinstance(config.validation, float)
        else None
    )
    for batch in data.batches():
        columns, target = list(batch.columns[:-1]), batch.target
        weights, clusters = batch.weights, batch.clusters
        if holdout is not None:
            keep = holdout.labels(batch.columns, batch.first_row) == 0
            columns, target = [column[keep] for column in columns], target[keep]
            weights = None if weights is None else weights[keep]
            clusters = None if clusters is None else clusters[keep]
        yield columns, target, weights, clusters
