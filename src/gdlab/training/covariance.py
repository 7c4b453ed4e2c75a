"""The second pass of a robust covariance (`--cov`): the sandwich's meat at the optimum.

The first pass gave the bread (the factor R) and the optimum ŵ; this pass goes over the
rows again — in memory, streamed from the files, or block by block on Dask — and sums the
meat of `gdlab.onepass.sandwich` at ŵ. Held-out rows (`--validation FRACTION`) are left
out as in the first pass, so the covariance is that of the weights the summary reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.robust import Covariance, sandwich_covariance
from gdlab.data.dask import DaskData
from gdlab.data.dataset import Dataset
from gdlab.data.files import FileSource
from gdlab.errors import ConfigError, DataError
from gdlab.model.linear import design_matrix
from gdlab.onepass.groups import Holdout
from gdlab.onepass.sandwich import Frame, Meat
from gdlab.training.config import TrainingConfig

if TYPE_CHECKING:
    from gdlab.training.problem import Problem

Array = NDArray[np.float64]
#: (design A with its ones, target y, sample weights or None, clusters or None)
Block = tuple[Array, Array, Array | None, Array | None]


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
        meat = Meat(kind, stats.n_weights)
        # One worker sums a batch while the next is read (at most two in memory).
        with ThreadPoolExecutor(1) as worker:
            pending: Future[None] | None = None
            for block in row_blocks(problem, data, config):
                if pending is not None:
                    pending.result()
                pending = worker.submit(meat.add_rows, frame, *block)
            if pending is not None:
                pending.result()
    return sandwich_covariance(stats, meat, frame, config.cluster_column)


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
        yield (
            design_matrix(rows.features, config.intercept),
            rows.target,
            rows.weights,
            (rows.clusters),
        )
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
        ones = [np.ones(batch.n_rows)] if config.intercept else []
        design = np.column_stack([*ones, *batch.columns[:-1]])  # one copy, the bias first
        target, weights, clusters = batch.target, batch.weights, batch.clusters
        if holdout is not None:
            keep = holdout.labels(batch.columns, batch.first_row) == 0
            design, target = design[keep], target[keep]
            weights = None if weights is None else weights[keep]
            clusters = None if clusters is None else clusters[keep]
        yield design, target, weights, clusters
