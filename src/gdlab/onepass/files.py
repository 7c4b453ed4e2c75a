"""The one pass over CSV/Parquet files in bounded memory: batch statistics, merged in order.

Batches come from `gdlab.data.files` (pyarrow's streaming readers); a few threads turn them
into QR statistics while the next batch is read, and `merge_all` folds them in file order. At
most a few batches are in memory at once, whatever the files' size. A rich progress bar shows
the pass on stderr when stderr is a terminal; elsewhere a pass longer than a second says how
far it is in a line now and then (`gdlab.data.progress`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from gdlab.data.files import Batch, FileSource, check_finite_batch
from gdlab.data.progress import progress_lines
from gdlab.errors import DataError
from gdlab.onepass.arrays import (
    all_finite,
    default_threads,
    one_blas_thread,
    pass_statistics,
    wants_kernel,
)
from gdlab.onepass.groups import Grouping, grouped
from gdlab.onepass.lstsq import LeastSquaresStats, merge_all, wants_moments

if TYPE_CHECKING:
    from rich.console import Console

#: Merge the partial statistics whenever this many have piled up.
MERGE_EVERY = 64


def batch_statistics(
    batch: Batch, intercept: bool, moments: bool = False, kernel: bool = False
) -> LeastSquaresStats:
    """QR statistics of one batch's [A | y] (A with its ones), read from its columns (each
    row scaled by √w when the batch has sample weights)."""
    return pass_statistics(
        batch.columns[:-1],
        batch.target,
        intercept,
        threads=1,
        moments=moments,
        kernel=kernel,
        weights=batch.weights,
    )


def grouped_batch_statistics(
    batch: Batch,
    intercept: bool,
    moments: bool,
    kernel: bool,
    grouping: Grouping | None,
    first_row: int = 0,
) -> tuple[LeastSquaresStats | None, ...]:
    """One batch's statistics per group of `grouping` (None for a group with no rows here);
    without a grouping, the batch's statistics alone. `first_row` is the number of the
    batch's first row over the whole data (rows of earlier files and batches before it)."""
    if grouping is None:
        return (batch_statistics(batch, intercept, moments, kernel),)
    labels = grouping.labels(batch.columns, first_row)
    weighted = batch.weights is not None
    columns = [*batch.columns, *([batch.weights] if batch.weights is not None else [])]
    parts: list[LeastSquaresStats | None] = []
    for group in grouped(columns, labels, grouping.count):
        if group is None:
            parts.append(None)
            continue
        values, weights = (group[:-1], group[-1]) if weighted else (group, None)
        rows = replace(batch, columns=tuple(values), weights=weights)
        parts.append(batch_statistics(rows, intercept, moments, kernel))
    return tuple(parts)


def stream_statistics(
    source: FileSource,
    intercept: bool = True,
    batch_rows: int | None = None,
    threads: int | None = None,
    console: Console | None = None,
    observe: Callable[[NDArray[np.float64]], None] | None = None,
) -> LeastSquaresStats:
    """One pass over the files: batch statistics on `threads` threads, merged in file order.

    `observe` sees every batch's rows [x₁ … x_k y] in file order, on the calling thread,
    as they are read (to sample or fingerprint them in the same pass).
    """
    (stats,) = stream_group_statistics(
        source, intercept, None, batch_rows, threads, console, observe
    )
    return stats


def stream_group_statistics(
    source: FileSource,
    intercept: bool = True,
    grouping: Grouping | None = None,
    batch_rows: int | None = None,
    threads: int | None = None,
    console: Console | None = None,
    observe: Callable[[NDArray[np.float64]], None] | None = None,
) -> tuple[LeastSquaresStats, ...]:
    """`stream_statistics` kept apart per group of `grouping` (a held-out share, K folds;
    `gdlab.onepass.groups`): one statistic per group, from the same single pass."""
    workers = threads or default_threads()
    names = [*source.feature_names, source.target_name]
    # At most one row per 8 bytes of file: a bound on N for the moments' cost, and about
    # one value per 8 bytes: the pass's size, for the choice of the compiled kernel.
    moments = wants_moments(source.content_bytes / 8, source.n_features + 2)
    kernel = wants_kernel(source.content_bytes / 8, source.n_features + 2)
    count = 1 if grouping is None else grouping.count
    groups: list[list[LeastSquaresStats]] = [[] for _ in range(count)]
    in_flight: deque[tuple[Batch, Future[tuple[LeastSquaresStats | None, ...]]]] = deque()

    def collect() -> Batch:
        batch, future = in_flight.popleft()
        for parts, part in zip(groups, future.result(), strict=True):
            if part is None:
                continue
            if not all_finite(part):
                check_finite_batch(batch, names)
                raise DataError(f"{batch.file}: values too large to square in float64")
            parts.append(part)
            if len(parts) >= MERGE_EVERY:
                parts[:] = [merge_all(parts)]
        return batch

    with (
        progress_bar(source, console) as advance,
        one_blas_thread(),
        ThreadPoolExecutor(workers) as pool,
    ):
        seen = 0  # rows before this batch, over every file: folds go by this row number
        for batch in source.batches(batch_rows):
            if observe is not None:
                observe(np.column_stack(batch.columns))
            job = (batch, intercept, moments, kernel, grouping, seen)
            in_flight.append((batch, pool.submit(grouped_batch_statistics, *job)))
            seen += batch.n_rows
            if len(in_flight) > workers:
                advance(collect())
        while in_flight:
            advance(collect())
    if grouping is None and not groups[0]:
        raise DataError(f"{source.source}: need at least 2 rows to fit a line, got 0")
    if not all(groups):
        raise DataError(f"{source.source}: a held-out share or fold has no rows; use more rows")
    merged = tuple(merge_all(parts) for parts in groups)
    rows = sum(stats.n_rows for stats in merged)
    if rows < 2:
        raise DataError(f"{source.source}: need at least 2 rows to fit a line, got {rows}")
    return merged


@contextmanager
def progress_bar(
    source: FileSource, console: Console | None = None
) -> Iterator[Callable[[Batch], None]]:
    """A rich progress bar over the files' bytes on stderr (plain lines when not a terminal)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = console or Console(stderr=True)
    sizes = [file.stat().st_size for file in source.files]
    offsets = dict(zip(source.files, accumulate([0, *sizes[:-1]]), strict=True))
    if not console.is_terminal:
        with progress_lines(f"reading {source.source}", sum(sizes), console.file) as lines:

            def count(batch: Batch) -> None:
                lines.done = offsets[batch.file] + batch.bytes_read

            yield count
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"reading {escape(source.source)}", total=sum(sizes))

        def advance(batch: Batch) -> None:
            progress.update(task, completed=offsets[batch.file] + batch.bytes_read)

        yield advance
        progress.update(task, completed=sum(sizes))
