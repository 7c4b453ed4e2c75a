"""Tabular files read in batches, for one pass over data that may not fit in memory.

`open_files` takes a CSV or Parquet file, a glob (``data/*.parquet``, ``data/**/*.csv``) or
a directory of such files (`gdlab.data.paths` finds them: each file once, no link loops),
checks every file's columns up front and notes each file's size and modification time.
`FileSource.batches` then yields the wanted columns as float64 blocks, one bounded batch at
a time (pyarrow's streaming readers); every bad cell becomes a `DataError` naming the file,
the column and the (1-based) data row, and a file that changed while it was read is
refused (`gdlab.data.stamps`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.data.batches import Batch, csv_batches, parquet_batches
from gdlab.data.columns import (
    MissingTally,
    check_columns,
    column_names,
    is_parquet,
    read_file_columns,
    read_options,
)
from gdlab.data.csvformat import CsvFormat, compression_of, csv_format
from gdlab.data.dataset import MAX_FEATURES, Dataset, check_weights, from_arrays
from gdlab.data.options import ReadOptions
from gdlab.data.paths import resolve_files
from gdlab.data.progress import progress_lines
from gdlab.data.sizes import UNSAID_RATIO, check_fits_in_memory, decoded_size
from gdlab.data.stamps import FileStamp, check_unchanged, stamp
from gdlab.errors import DataError

Array = NDArray[np.float64]
#: A batch holds about this many bytes of float64 values.
BATCH_BYTES = 16 * 2**20


@dataclass(frozen=True)
class FileSource:
    """CSV/Parquet files to read in one pass: which files, which columns, as the user named
    them, how to read them, and each file's stamp when it was opened."""

    files: tuple[Path, ...]
    feature_names: tuple[str, ...]
    target_name: str
    source: str
    options: ReadOptions = field(default_factory=ReadOptions)
    stamps: tuple[FileStamp, ...] = ()
    formats: tuple[CsvFormat | None, ...] = ()
    tally: MissingTally = field(default_factory=MissingTally, compare=False, repr=False)
    #: The column of sample weights (`--weights`), and of clusters (`--cov cluster:COL`).
    weight_name: str | None = None
    cluster_name: str | None = None

    @property
    def extra_names(self) -> tuple[str, ...]:
        """The columns read beside the features and target: weights, then clusters."""
        return tuple(name for name in (self.weight_name, self.cluster_name) if name)

    @property
    def wanted(self) -> list[str]:
        """Every column a pass reads: the features, the target, then the extra columns."""
        return [*self.feature_names, self.target_name, *self.extra_names]

    def with_columns(self, weights: str | None = None, clusters: str | None = None) -> FileSource:
        """The same files, reading sample weights and/or cluster labels from these columns."""
        names = [name for name in (weights, clusters) if name]
        for name in names:
            if name in (*self.feature_names, self.target_name):
                raise DataError(
                    f"{self.source}: column '{name}' holds the sample weights or clusters; it "
                    "cannot also be a feature or the target"
                )
        for file in self.files:
            check_columns(column_names(file, self.options), names, file)
        return replace(
            self,
            weight_name=weights or self.weight_name,
            cluster_name=clusters or self.cluster_name,
        )

    @property
    def n_features(self) -> int:
        """Number of feature columns k."""
        return len(self.feature_names)

    @property
    def extra(self) -> dict[str, Any]:
        """Details for the run record: the file count when there are several, the read
        options that differ from the defaults, the rows left out by the last pass."""
        details: dict[str, Any] = {"files": len(self.files)} if len(self.files) > 1 else {}
        given = {
            name: getattr(self.options, name)
            for name in ("missing", "delimiter", "encoding")
            if getattr(self.options, name) != getattr(ReadOptions(), name)
        }
        if given:
            details["read_options"] = given
        if self.tally.dropped:
            details.update(self.tally.details())
        return details

    @property
    def total_bytes(self) -> int:
        """Size of all the files together (what a progress bar counts)."""
        return sum(file.stat().st_size for file in self.files)

    @property
    def content_bytes(self) -> int:
        """The files' sizes, a compressed CSV file counted by its content's size (or, when
        it does not say, as `UNSAID_RATIO` times its own): a bound on the values read."""
        total = 0
        for file in self.files:
            size = file.stat().st_size
            if compression_of(file) is not None:
                size = decoded_size(file, ()) or UNSAID_RATIO * size
            total += size
        return total

    @property
    def decoded_bytes(self) -> int | None:
        """About how many bytes the wanted columns take once read (see `decoded_size`);
        None when a compressed file does not say."""
        wanted = self.wanted
        sizes = [decoded_size(file, wanted) for file in self.files]
        return None if None in sizes else sum(size or 0 for size in sizes)

    def fits_in(self, limit: int) -> bool:
        """True when the wanted columns are known to take at most `limit` bytes once read."""
        decoded = self.decoded_bytes
        return decoded is not None and decoded <= limit

    def batches(self, batch_rows: int | None = None) -> Iterator[Batch]:
        """Every row once, file after file, at most `batch_rows` rows per batch.

        Rows with a missing value are left out when the options say so, and counted; a file
        that changed while it was read is a `DataError`.
        """
        wanted = self.wanted
        rows = batch_rows or default_batch_rows(len(wanted))
        tally = self.restart_tally()
        warned: set[str] = set()
        for file, before, fmt in zip(self.files, self.stamps, self.formats, strict=True):
            if fmt is None:
                reader = parquet_batches(file, wanted, rows, self.options, tally, warned)
            else:
                reader = csv_batches(file, wanted, rows, self.options, fmt, tally, warned)
            for batch in reader:
                yield self.split_extras(batch) if self.extra_names else batch
            check_unchanged(file, before)
        tally.warn(self.source)

    def split_extras(self, batch: Batch) -> Batch:
        """A batch read with the extra columns last, those columns set apart (and checked)."""
        k = self.n_features + 1
        rest = iter(batch.columns[k:])
        weights = next(rest) if self.weight_name else None
        clusters = next(rest) if self.cluster_name else None
        if weights is not None and self.weight_name:
            check_weights(weights, self.weight_name, str(batch.file), batch.first_row)
        return replace(batch, columns=batch.columns[:k], weights=weights, clusters=clusters)

    def check_unchanged(self) -> None:
        """A `DataError` when a file is not as it was when opened (for passes read by
        others, such as Dask's workers, after they end)."""
        for file, before in zip(self.files, self.stamps, strict=True):
            check_unchanged(file, before)

    def read(self) -> Dataset:
        """All rows in memory, as a `Dataset` (for engines that touch the rows every step)."""
        wanted = self.wanted
        check_fits_in_memory(self.source, wanted, self.decoded_bytes)
        tally = self.restart_tally()
        parts = []
        with progress_lines(f"reading {self.source} into memory", self.total_bytes) as progress:
            for file, before in zip(self.files, self.stamps, strict=True):
                parts.append(read_file_columns(file, wanted, self.options, tally))
                check_unchanged(file, before)
                progress.done += before.size
        tally.warn(self.source)
        features = np.column_stack(
            [np.concatenate([part[name] for part in parts]) for name in self.feature_names]
        )
        target = np.concatenate([part[self.target_name] for part in parts])
        extras = {name: np.concatenate([part[name] for part in parts]) for name in self.extra_names}
        data = from_arrays(
            features,
            target,
            self.feature_names,
            self.target_name,
            self.source,
            weights=extras.get(self.weight_name or ""),
            weight_name=self.weight_name,
        )
        clusters = extras.get(self.cluster_name or "")
        if clusters is not None:
            data = replace(data, clusters=clusters, cluster_name=self.cluster_name)
        return replace(data, extra=self.extra)

    def restart_tally(self) -> MissingTally:
        """The tally of rows left out, emptied for a new pass."""
        self.tally.rows = self.tally.dropped = 0
        self.tally.by_column.clear()
        return self.tally


def default_batch_rows(n_columns: int) -> int:
    """Rows per batch so that a batch holds about `BATCH_BYTES` of float64 values."""
    return max(1024, BATCH_BYTES // (8 * n_columns))


def open_files(
    path: str | Path,
    x_columns: Sequence[str],
    y_column: str,
    options: ReadOptions | None = None,
    **read: Any,
) -> FileSource:
    """Resolve a file, glob or directory and check that every file has the wanted columns.

    `options` (or keywords: ``missing``, ``delimiter``, ``encoding``) say how to read the
    files (`ReadOptions`).

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("a.csv", "b.csv"):
    ...     _ = Path(folder, name).write_text("x;y\\n1;2\\n2;4\\n")
    >>> source = open_files(os.path.join(folder, "*.csv"), ["x"], "y")
    >>> [file.name for file in source.files], sum(b.n_rows for b in source.batches())
    (['a.csv', 'b.csv'], 4)
    """
    if not x_columns:
        raise DataError("no feature columns given (use --x COL[,COL...])")
    check_width(len(x_columns))
    options = read_options(options, read)
    files, stamps, formats = checked_files(
        resolve_files(str(path)), [*x_columns, y_column], options
    )
    return FileSource(files, tuple(x_columns), y_column, str(path), options, stamps, formats)


def checked_files(
    files: Sequence[Path], wanted: Sequence[str], options: ReadOptions
) -> tuple[tuple[Path, ...], tuple[FileStamp, ...], tuple[CsvFormat | None, ...]]:
    """The files, each stamped, with its CSV format (None: Parquet), each checked to hold
    the wanted columns."""
    stamps = tuple(stamp(file) for file in files)
    formats = []
    for file, before in zip(files, stamps, strict=True):
        if before.size == 0:
            raise DataError(f"{file}: the file is empty")
        fmt = None if is_parquet(file) else csv_format(file, options)
        check_columns(column_names(file, options), list(wanted), file)
        formats.append(fmt)
    return tuple(files), stamps, tuple(formats)


def check_width(n_features: int) -> None:
    """Refuse more feature columns than gdlab analyses in reasonable time (`MAX_FEATURES`)."""
    if n_features > MAX_FEATURES:
        raise DataError(
            f"{n_features:,} feature columns given; gdlab fits at most {MAX_FEATURES:,} "
            "(its analysis costs grow with the cube of the columns); choose fewer columns"
        )


def check_file_columns(file: Path, wanted: list[str], options: ReadOptions | None = None) -> None:
    """Raise a `DataError` when a file is empty, unreadable or lacks a wanted column."""
    if stamp(file).size == 0:
        raise DataError(f"{file}: the file is empty")
    check_columns(column_names(file, options), wanted, file)


def check_finite_batch(batch: Batch, names: Sequence[str]) -> None:
    """Raise a `DataError` naming the first NaN/inf cell of a batch by file, column and row."""
    values = np.column_stack([batch.features, batch.target])
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        kind = "missing value (NaN)" if np.isnan(values[row, col]) else "infinite value"
        where = f"column '{names[col]}' at data row {batch.first_row + row + 1}"
        raise DataError(f"{batch.file}: {kind} in {where}")
