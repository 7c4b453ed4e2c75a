"""The one pass on a Dask cluster: block statistics on the workers, merged by tree reduction.

Each block of rows of `DaskData` becomes `LeastSquaresStats` on a worker (with, when asked,
an even sample of its rows and their fingerprint); the pieces merge `SPLIT_EVERY` at a time
up a tree, so only small (p+1)×(p+1) factors (and samples) travel. The cluster
is the one at ``--scheduler ADDRESS`` (checked and watched by `gdlab.onepass.cluster`, so a
wrong address or a cluster that dies ends the pass in seconds, with one line), else the
current `distributed.Client`, else a local one started for the pass.
"""

from __future__ import annotations

import gc
import logging
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab.data.columns import MissingTally, first_line
from gdlab.data.dask import DaskData, block_rows, block_values, import_dask
from gdlab.data.dataset import Dataset, check_weights
from gdlab.data.fingerprint import RowsFingerprint
from gdlab.data.progress import progress_lines
from gdlab.data.sample import EvenSample
from gdlab.errors import DataError, GdlabError
from gdlab.onepass.arrays import default_threads, pass_statistics, wants_kernel
from gdlab.onepass.cluster import connect_client, wait_for_result
from gdlab.onepass.groups import Folds, Grouping
from gdlab.onepass.lstsq import LeastSquaresStats, merge_all, wants_moments

#: Partial statistics merged per node of the reduction tree.
SPLIT_EVERY = 8


@dataclass(frozen=True)
class PassPiece:
    """What the pass learns from some rows: their statistics and, when asked, an even
    sample of them and their fingerprint (each merges in row order)."""

    statistics: LeastSquaresStats
    sample: EvenSample | None = None
    fingerprint: RowsFingerprint | None = None
    missing: MissingTally | None = None
    #: The statistics of each group of a grouping (held out, folds), None where it has no rows.
    groups: tuple[LeastSquaresStats | None, ...] | None = None


def block_piece(
    features: Any,
    target: Any,
    names: Sequence[str],
    intercept: bool,
    source: str,
    moments: bool | None = False,
    kernel: bool | None = False,
    fingerprint: bool = False,
    sample_rows: int | None = None,
    blocks: int = 1,
    drop_missing: bool = False,
    hint: bool = False,
    rows_apart: RowsApart | None = None,
) -> PassPiece:
    """The pass over one block (run on a worker); with `drop_missing`, rows with a missing
    value are left out and counted (see `block_rows`).

    `moments` and `kernel` None (a pass of unknown length) are decided here as for a pass
    of this block's rows times `blocks`: a dataframe's partitions are alike in size.
    `rows_apart` brings the block's sample weights and the grouping of its rows.
    """
    tally = MissingTally() if drop_missing else None
    weights = None
    if rows_apart is not None and rows_apart.extra_names:
        X, y, weights = rows_apart.rows(features, target, names, source, tally, hint)
    else:
        X, y = block_rows(features, target, names, source, tally, hint)
    rows, columns = float(y.shape[0] * blocks), len(names) + 1
    if moments is None:
        moments = wants_moments(rows, columns)
    if kernel is None:
        kernel = wants_kernel(rows * columns, columns)
    groups = None
    if rows_apart is None:
        stats = pass_statistics(X, y, intercept, threads=1, moments=moments, kernel=kernel)
    else:
        groups = rows_apart.statistics(X, y, weights, intercept, moments, kernel)
        stats = merge_all([part for part in groups if part is not None])
    if not (fingerprint or sample_rows):
        return PassPiece(stats, missing=tally, groups=groups)
    block = np.column_stack([X, y])
    sample = EvenSample(len(names), sample_rows).update(block) if sample_rows else None
    digest = RowsFingerprint(list(names)).update(block) if fingerprint else None
    return PassPiece(stats, sample, digest, tally, groups)


@dataclass(frozen=True)
class RowsApart:
    """What a block's rows carry besides [x y]: their sample weights (the first of the
    extra columns `extras`, named `extra_names`, when `weight_name` is set), and the
    grouping that sets some rows apart, with the data row the block starts at (for folds
    by row number)."""

    extras: Any = None
    extra_names: tuple[str, ...] = ()
    weight_name: str | None = None
    grouping: Grouping | None = None
    first_row: int = 0

    def rows(
        self,
        features: Any,
        target: Any,
        names: Sequence[str],
        source: str,
        tally: MissingTally | None,
        hint: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The block's features, target and checked weights, rows with a missing value in
        any of them left out together (with a `tally`), as `block_rows` does."""
        allow = tally is not None
        X = block_values(features, names[:-1], source, allow_missing=allow, hint=hint)
        y = block_values(target, names[-1:], source, allow_missing=allow, hint=hint)[:, 0]
        extra = block_values(self.extras, self.extra_names, source, allow_missing=allow)
        if tally is not None:
            columns = {name: X[:, j] for j, name in enumerate(names[:-1])}
            columns.update({name: extra[:, j] for j, name in enumerate(self.extra_names)})
            keep = tally.keep({**columns, names[-1]: y})
            if keep is not None:
                X, y, extra = X[keep], y[keep], extra[keep]
        if self.weight_name is None:
            return X, y, None
        weights = extra[:, 0]
        check_weights(weights, self.weight_name, source, self.first_row)
        return X, y, weights

    def statistics(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weights: np.ndarray | None,
        intercept: bool,
        moments: bool | None,
        kernel: bool | None,
    ) -> tuple[LeastSquaresStats | None, ...]:
        """The block's statistics per group (one group without a grouping)."""
        if self.grouping is None:
            return (
                pass_statistics(
                    X, y, intercept, threads=1, moments=moments, kernel=kernel, weights=weights
                ),
            )
        labels = self.grouping.labels(np.column_stack([X, y]), self.first_row)
        parts: list[LeastSquaresStats | None] = []
        for group in range(self.grouping.count):
            keep = labels == group
            if not keep.any():
                parts.append(None)
                continue
            w = None if weights is None else weights[keep]
            parts.append(
                pass_statistics(
                    X[keep],
                    y[keep],
                    intercept,
                    threads=1,
                    moments=moments,
                    kernel=kernel,
                    weights=w,
                )
            )
        return tuple(parts)


def merge_pieces(pieces: Sequence[PassPiece]) -> PassPiece:
    """The pieces of consecutive row blocks as one (statistics, samples, fingerprints)."""
    stats = merge_all([piece.statistics for piece in pieces])
    groups = None
    if pieces[0].groups is not None:
        columns = zip(*(piece.groups or () for piece in pieces), strict=True)
        groups = tuple(
            merge_all(present) if (present := [p for p in column if p is not None]) else None
            for column in columns
        )
    sample, digest, tally = pieces[0].sample, pieces[0].fingerprint, pieces[0].missing
    for piece in pieces[1:]:
        if sample is not None and piece.sample is not None:
            sample = sample.merge(piece.sample)
        if digest is not None and piece.fingerprint is not None:
            digest = digest.merge(piece.fingerprint)
        if tally is not None and piece.missing is not None:
            tally = tally.merge(piece.missing)
    return PassPiece(stats, sample, digest, tally, groups)


def tree_reduce(
    parts: list[Any], split_every: int = SPLIT_EVERY, merge: Callable[..., Any] = merge_pieces
) -> Any:
    """Merge delayed pieces `split_every` at a time, level by level, down to one."""
    from dask import delayed

    while len(parts) > 1:
        parts = [
            delayed(merge)(parts[start : start + split_every])
            for start in range(0, len(parts), split_every)
        ]
    return parts[0]


def pass_graph(
    data: DaskData,
    intercept: bool,
    split_every: int = SPLIT_EVERY,
    fingerprint: bool = False,
    sample_rows: int | None = None,
    grouping: Grouping | None = None,
    first_rows: Sequence[int] | None = None,
) -> Any:
    """The delayed tree: a `PassPiece` for every row block, merged up to one (with each
    group's statistics when the data carry weights or a `grouping` sets rows apart; folds
    need `first_rows`, the data row each block starts at)."""
    from dask import delayed

    names = [*data.feature_names, data.target_name]
    feature_blocks = np.ravel(data.features.to_delayed()).tolist()
    target_blocks = np.ravel(data.target.to_delayed()).tolist()
    if len(feature_blocks) != len(target_blocks):
        raise DataError(f"{data.source}: features and target are split into different blocks")
    rows = data.target.shape[0]  # NaN (or lazy) for frames of unknown length
    known = isinstance(rows, int | float | np.number) and math.isfinite(rows)
    columns = len(names) + 1
    moments = wants_moments(float(rows), columns) if known else None  # unknown: per block
    kernel = wants_kernel(float(rows) * columns, columns) if known else None
    count = len(target_blocks)
    drop, hint = data.drop_missing, data.from_files
    extra_blocks: list[Any] = [None] * count
    if data.extras is not None:
        extra_blocks = np.ravel(data.extras.to_delayed()).tolist()
    apart = data.weight_name is not None or grouping is not None
    extra_names = tuple(name for name in (data.weight_name, data.cluster_name) if name)
    starts = list(first_rows) if first_rows is not None else [0] * count
    parts = [
        delayed(block_piece)(
            X,
            y,
            names,
            intercept,
            data.source,
            moments,
            kernel,
            fingerprint,
            sample_rows,
            count,
            drop,
            hint,
            RowsApart(extras, extra_names, data.weight_name, grouping, start) if apart else None,
        )
        for X, y, extras, start in zip(
            feature_blocks, target_blocks, extra_blocks, starts, strict=True
        )
    ]
    return tree_reduce(parts, split_every)


def block_starts(data: DaskData) -> list[int]:
    """The data row each block starts at (counted from 0): from the chunks of dask arrays,
    else by counting each partition's rows (a pass over one column). With rows left out
    for a missing value, folds are counted over the rows as read."""
    chunks = getattr(data.target, "chunks", None)
    if chunks and all(isinstance(size, int) for size in chunks[0]):
        sizes = list(chunks[0])
    else:
        sizes = [int(size) for size in data.target.map_partitions(len).compute()]
    return [0, *np.cumsum(sizes)[:-1].tolist()]


@contextmanager
def dask_client(scheduler: str | None = None) -> Iterator[Any]:
    """A client of the cluster at `scheduler`, else the current one, else a local cluster."""
    import_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = connect_client(scheduler)
        except GdlabError:
            # A half-made Client sits in a reference cycle; finalised later by a collection
            # on Dask's IO-loop thread, its __del__ waits for that thread: a deadlock.
            gc.collect()
            raise
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


def dask_pass(
    data: DaskData,
    intercept: bool = True,
    scheduler: str | None = None,
    split_every: int = SPLIT_EVERY,
    fingerprint: bool = False,
    sample_rows: int | None = None,
    grouping: Grouping | None = None,
) -> PassResult:
    """The pass on the cluster; a task's bad data comes back as a `DataError`. With a
    `grouping` (or weights), the result's `groups` are each group's statistics."""
    where = f"the Dask cluster at {scheduler}" if scheduler else data.source
    with (
        dask_client(scheduler) as client,
        progress_lines(f"computing the statistics of {data.source} on Dask", data.nbytes),
    ):
        try:
            starts = block_starts(data) if isinstance(grouping, Folds) else None
            graph = pass_graph(
                data, intercept, split_every, fingerprint, sample_rows, grouping, starts
            )
            piece: PassPiece = wait_for_result(client, client.compute(graph), where)
        except GdlabError:
            raise
        except (ValueError, TypeError, OSError, ArithmeticError) as error:
            raise DataError(f"{data.source}: {first_line(error)}") from None
    if piece.missing is not None:
        piece.missing.warn(data.source)
    stats = piece.statistics
    if stats.n_rows < 2:
        raise DataError(f"{data.source}: need at least 2 rows to fit a line, got {stats.n_rows}")
    sample = None
    if piece.sample is not None:
        sample = piece.sample.dataset(data.feature_names, data.target_name, data.source)
    digest = piece.fingerprint.hexdigest() if piece.fingerprint is not None else None
    if piece.groups is not None and not all(part is not None for part in piece.groups):
        raise DataError(f"{data.source}: a held-out share or fold has no rows; use more rows")
    groups = None if piece.groups is None else tuple(p for p in piece.groups if p is not None)
    return PassResult(stats, sample, digest, piece.missing, groups)


@dataclass(frozen=True)
class PassResult:
    """The finished pass: the statistics, the sampled rows and the fingerprint (if asked)."""

    statistics: LeastSquaresStats
    sample: Dataset | None
    fingerprint: str | None
    missing: MissingTally | None = None
    groups: tuple[LeastSquaresStats, ...] | None = None


def dask_statistics(
    data: DaskData,
    intercept: bool = True,
    scheduler: str | None = None,
    split_every: int = SPLIT_EVERY,
) -> LeastSquaresStats:
    """The statistics of `data` from one pass on the cluster (see `dask_pass`)."""
    return dask_pass(data, intercept, scheduler, split_every).statistics
