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
from gdlab.onepass.lstsq import LeastSquaresStats, merge_all, wants_moments

if TYPE_CHECKING:
    from rich.console import Console

#: Merge the partial statistics whenever this many have piled up.
MERGE_EVERY = 64


def batch_statistics(
    batch: Batch, intercept: bool, moments: bool = False, kernel: bool = False
) -> LeastSquaresStats:
    """QR statistics of one batch's [A | y] (A with its ones), read from its columns."""
    return pass_statistics(
        batch.columns[:-1], batch.target, intercept, threads=1, moments=moments, kernel=kernel
    )


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
    workers = threads or default_threads()
    names = [*source.feature_names, source.target_name]
    # At most one row per 8 bytes of file: a bound on N for the moments' cost, and about
    # one value per 8 bytes: the pass's size, for the choice of the compiled kernel.
    moments = wants_moments(source.content_bytes / 8, source.n_features + 2)
    kernel = wants_kernel(source.content_bytes / 8, source.n_features + 2)
    parts: list[LeastSquaresStats] = []
    in_flight: deque[tuple[Batch, Future[LeastSquaresStats]]] = deque()

    def collect() -> Batch:
        batch, future = in_flight.popleft()
        part = future.result()
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
        for batch in source.batches(batch_rows):
            if observe is not None:
                observe(np.column_stack(batch.columns))
            in_flight.append(
                (batch, pool.submit(batch_statistics, batch, intercept, moments, kernel))
            )
            if len(in_flight) > workers:
                advance(collect())
        while in_flight:
            advance(collect())
    stats = merge_all(parts)
    if stats.n_rows < 2:
        raise DataError(f"{source.source}: need at least 2 rows to fit a line, got {stats.n_rows}")
    return stats


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
