"""Tabular files read in batches, for one pass over data that may not fit in memory.

`open_files` takes a CSV or Parquet file, a glob (``data/*.parquet``) or a directory of such
files, and checks every file's columns up front. `FileSource.batches` then yields the wanted
columns as float64 blocks, one bounded batch at a time (pyarrow's streaming readers), and
every bad cell becomes a `DataError` naming the file, the column and the (1-based) data row.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from gdlab.data.columns import (
    PARQUET_SUFFIXES,
    check_columns,
    column_names,
    first_line,
    float_values,
    is_parquet,
    parse_number,
    read_table,
)
from gdlab.data.dataset import Dataset, check_weights, from_arrays
from gdlab.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

Array = NDArray[np.float64]
#: File names a directory source picks up.
TABLE_SUFFIXES = (".csv", *PARQUET_SUFFIXES)
#: A batch holds about this many bytes of float64 values.
BATCH_BYTES = 16 * 2**20
GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Batch:
    """A block of rows from one file: the feature columns and the target, and where from;
    the rows' sample weights and cluster labels when the source names such columns."""

    columns: tuple[Array, ...]
    file: Path
    first_row: int
    bytes_read: int
    weights: Array | None = None
    clusters: Array | None = None

    @property
    def features(self) -> Array:
        """The feature columns side by side (n×k; a copy)."""
        return np.column_stack(self.columns[:-1])

    @property
    def target(self) -> Array:
        """The target column (n)."""
        return self.columns[-1]

    @property
    def n_rows(self) -> int:
        """Rows in this batch."""
        return int(self.target.shape[0])


@dataclass(frozen=True)
class FileSource:
    """CSV/Parquet files to read in one pass: which files, which columns, as the user named them."""

    files: tuple[Path, ...]
    feature_names: tuple[str, ...]
    target_name: str
    source: str
    #: The column of sample weights (`--weights`), and of clusters (`--cov cluster:COL`).
    weight_name: str | None = None
    cluster_name: str | None = None

    @property
    def extra_names(self) -> tuple[str, ...]:
        """The columns read beside the features and target: weights, then clusters."""
        return tuple(name for name in (self.weight_name, self.cluster_name) if name)

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
            check_file_columns(file, names)
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
        """Details for the run record: the file count when there are several."""
        return {"files": len(self.files)} if len(self.files) > 1 else {}

    @property
    def total_bytes(self) -> int:
        """Size of all the files together (what a progress bar counts)."""
        return sum(file.stat().st_size for file in self.files)

    def batches(self, batch_rows: int | None = None) -> Iterator[Batch]:
        """Every row once, file after file, at most `batch_rows` rows per batch."""
        extras = self.extra_names
        rows = batch_rows or default_batch_rows(self.n_features + 1 + len(extras))
        wanted = [*self.feature_names, self.target_name, *extras]
        for file in self.files:
            reader = parquet_batches if is_parquet(file) else csv_batches
            for batch in reader(file, wanted, rows):
                yield self.split_extras(batch) if extras else batch

    def split_extras(self, batch: Batch) -> Batch:
        """A batch read with the extra columns last, those columns set apart (and checked)."""
        k = self.n_features + 1
        rest = iter(batch.columns[k:])
        weights = next(rest) if self.weight_name else None
        clusters = next(rest) if self.cluster_name else None
        if weights is not None and self.weight_name:
            check_weights(weights, self.weight_name, str(batch.file), batch.first_row)
        return replace(batch, columns=batch.columns[:k], weights=weights, clusters=clusters)

    def read(self) -> Dataset:
        """All rows in memory, as a `Dataset` (for engines that touch the rows every step)."""
        k, extras = self.n_features, self.extra_names
        names = (*self.feature_names, *extras)
        parts = [read_table(file, names, self.target_name) for file in self.files]
        features = np.concatenate([part.features for part in parts])
        target = np.concatenate([part.target for part in parts])
        columns = dict(zip(extras, features[:, k:].T, strict=True))
        dataset = from_arrays(
            features[:, :k],
            target,
            self.feature_names,
            self.target_name,
            self.source,
            weights=columns.get(self.weight_name or ""),
            weight_name=self.weight_name,
        )
        clusters = columns.get(self.cluster_name or "")
        if clusters is None:
            return dataset
        return replace(dataset, clusters=clusters, cluster_name=self.cluster_name)


def default_batch_rows(n_columns: int) -> int:
    """Rows per batch so that a batch holds about `BATCH_BYTES` of float64 values."""
    return max(1024, BATCH_BYTES // (8 * n_columns))


def open_files(path: str | Path, x_columns: Sequence[str], y_column: str) -> FileSource:
    """Resolve a file, glob or directory and check that every file has the wanted columns.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("a.csv", "b.csv"):
    ...     _ = Path(folder, name).write_text("x,y\\n1,2\\n2,4\\n")
    >>> source = open_files(os.path.join(folder, "*.csv"), ["x"], "y")
    >>> [file.name for file in source.files], sum(b.n_rows for b in source.batches())
    (['a.csv', 'b.csv'], 4)
    """
    if not x_columns:
        raise DataError("no feature columns given (use --x COL[,COL...])")
    wanted = [*x_columns, y_column]
    files = resolve_files(str(path))
    for file in files:
        check_file_columns(file, wanted)
    return FileSource(files, tuple(x_columns), y_column, str(path))


def resolve_files(path: str) -> tuple[Path, ...]:
    """The files a path names: itself, the matches of a glob, or a directory's table files."""
    if GLOB_CHARACTERS & set(path) and not Path(path).exists():
        matches = sorted(Path(match) for match in glob.glob(path, recursive=True))
        files = tuple(match for match in matches if match.is_file())
        if not files:
            raise DataError(f"{path}: no files match this pattern")
        return files
    where = Path(path)
    if not where.exists():
        raise DataError(f"{where}: no such file")
    if where.is_dir():
        files = tuple(
            sorted(f for f in where.iterdir() if f.is_file() and f.suffix.lower() in TABLE_SUFFIXES)
        )
        if not files:
            raise DataError(f"{where}: is a directory with no CSV or Parquet files in it")
        return files
    return (where,)


def check_file_columns(file: Path, wanted: list[str]) -> None:
    """Raise a `DataError` when a file is empty, unreadable or lacks a wanted column."""
    if file.stat().st_size == 0:
        raise DataError(f"{file}: the file is empty")
    check_columns(column_names(file), wanted, file)


def text_options(wanted: list[str]) -> Any:
    """CSV conversion reading just the wanted columns, as text (missing cells as null)."""
    import pyarrow as pa
    from pyarrow import csv

    return csv.ConvertOptions(
        include_columns=wanted,
        column_types=dict.fromkeys(wanted, pa.string()),
        strings_can_be_null=True,
    )


def parquet_batches(file: Path, wanted: list[str], rows: int) -> Iterator[Batch]:
    """Batches of a Parquet file, row group by row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    size = file.stat().st_size
    try:
        parquet = pq.ParquetFile(file, pre_buffer=False)  # pre-buffering reads the whole file
        total = max(1, parquet.metadata.num_rows)
        done = 0
        for record_batch in parquet.iter_batches(batch_size=rows, columns=wanted):
            read = size * (done + record_batch.num_rows) // total
            batch = to_batch(record_batch, wanted, file, done, read)
            done += batch.n_rows
            yield batch
    except (pa.ArrowInvalid, OSError) as error:
        raise DataError(f"{file}: not a readable Parquet file ({first_line(error)})") from None
    if done == 0:
        raise DataError(f"{file}: no data rows")


def csv_batches(file: Path, wanted: list[str], rows: int) -> Iterator[Batch]:
    """Batches of a CSV file, read as float64; after a cell that is not a plain number, as text.

    The text reading restarts after the rows already read and reports the first bad cell with
    its row; it also accepts what the typed reader refuses but `parse_number` takes.
    """
    import pyarrow as pa
    from pyarrow import csv

    done = 0
    block = max(1 << 20, rows * 16 * len(wanted))
    numbers = csv.ConvertOptions(
        include_columns=wanted, column_types=dict.fromkeys(wanted, pa.float64())
    )
    try:
        with pa.input_stream(file) as stream:
            reader = csv.open_csv(
                stream, read_options=csv.ReadOptions(block_size=block), convert_options=numbers
            )
            for record_batch in reader:
                batch = to_batch(record_batch, wanted, file, done, stream.tell())
                done += batch.n_rows
                yield batch
    except pa.ArrowInvalid:
        yield from csv_text_batches(file, wanted, done, block)
        return
    if done == 0:
        raise DataError(f"{file}: no data rows (only a header?)")


def csv_text_batches(file: Path, wanted: list[str], skip: int, block: int) -> Iterator[Batch]:
    """Batches of a CSV file from data row `skip` on, read as text and parsed cell by cell."""
    import pyarrow as pa
    from pyarrow import csv

    done = skip
    options = csv.ReadOptions(block_size=block, skip_rows_after_names=skip)
    try:
        with pa.input_stream(file) as stream:
            reader = csv.open_csv(
                stream, read_options=options, convert_options=text_options(wanted)
            )
            for record_batch in reader:
                batch = to_batch(record_batch, wanted, file, done, stream.tell())
                done += batch.n_rows
                yield batch
    except pa.ArrowInvalid as error:
        raise DataError(f"{file}: {first_line(error)}") from None
    if done == 0:
        raise DataError(f"{file}: no data rows (only a header?)")


def to_batch(
    record_batch: pa.RecordBatch, wanted: list[str], file: Path, first_row: int, bytes_read: int
) -> Batch:
    """Convert one record batch's wanted columns into a float64 `Batch`."""
    columns = [column_array(record_batch.column(name), name, file, first_row) for name in wanted]
    return Batch(tuple(columns), file, first_row, bytes_read)


def column_array(column: pa.Array, name: str, file: Path, first_row: int) -> Array:
    """One column of a batch as float64, naming the first missing or non-numeric cell."""
    import pyarrow as pa

    is_text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    if not (is_text or pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        raise DataError(f"{file}: column '{name}' is {column.type}, not numeric")
    if column.null_count:
        row = first_row + column.is_null().to_pylist().index(True)
        raise DataError(f"{file}: missing value in column '{name}' at data row {row + 1}")
    if is_text:
        import pyarrow.compute as pc  # ~0.2 s to import: only for columns read as text

        try:
            column = pc.cast(pc.utf8_trim_whitespace(column), pa.float64())
        except pa.ArrowInvalid:  # name the first bad cell, or take what Python's float takes
            texts = enumerate(column.to_pylist(), start=first_row)
            return np.array([parse_number(text, name, row, file) for row, text in texts])
    return float_values(column)


def check_finite_batch(batch: Batch, names: Sequence[str]) -> None:
    """Raise a `DataError` naming the first NaN/inf cell of a batch by file, column and row."""
    values = np.column_stack([batch.features, batch.target])
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        kind = "missing value (NaN)" if np.isnan(values[row, col]) else "infinite value"
        where = f"column '{names[col]}' at data row {batch.first_row + row + 1}"
        raise DataError(f"{batch.file}: {kind} in {where}")
