"""Blocks of rows read from one CSV or Parquet file with pyarrow's streaming readers.

`parquet_batches` reads row group by row group; `csv_batches` reads the types pyarrow
infers and, after a cell of another type, restarts as text parsed cell by cell
(`csv_text_batches`). `to_batch` makes each block's wanted columns float64: a bad cell is a
`DataError` naming file, column and row, values whose squares would overflow are refused,
and rows with a missing value are left out (and counted) when the read options say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from gdlab.data.cells import column_values
from gdlab.data.columns import MissingTally, csv_error, first_line, text_options
from gdlab.data.csvformat import CsvFormat, open_stream
from gdlab.data.dataset import MAX_MAGNITUDE
from gdlab.data.options import ReadOptions
from gdlab.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Batch:
    """A block of rows from one file: the feature columns and the target, and where from.

    `first_row` is the file's data row (0-based) the block starts at; rows left out for a
    missing value are not in the block. `weights` and `clusters` are the rows' sample
    weights and cluster labels, when the source reads such columns.
    """

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


def parquet_batches(
    file: Path,
    wanted: list[str],
    rows: int,
    options: ReadOptions,
    tally: MissingTally,
    warned: set[str],
) -> Iterator[Batch]:
    """Batches of a Parquet file, row group by row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    size = file.stat().st_size
    done = 0
    try:
        # No pre-buffering (it reads the whole file); text stays dictionary-encoded.
        parquet = pq.ParquetFile(file, pre_buffer=False, read_dictionary=wanted)
        total = max(1, parquet.metadata.num_rows)
        for record_batch in parquet.iter_batches(batch_size=rows, columns=wanted):
            read = size * (done + record_batch.num_rows) // total
            batch = to_batch(record_batch, wanted, file, done, read, options, tally, warned)
            done += record_batch.num_rows
            yield batch
    except (pa.ArrowInvalid, OSError) as error:
        raise DataError(f"{file}: not a readable Parquet file ({first_line(error)})") from None
    if done == 0:
        raise DataError(f"{file}: no data rows")


def csv_batches(
    file: Path,
    wanted: list[str],
    rows: int,
    options: ReadOptions,
    fmt: CsvFormat,
    tally: MissingTally,
    warned: set[str],
) -> Iterator[Batch]:
    """Batches of a CSV file, read as float64; after a cell that is not a plain number, as text.

    The text reading restarts after the rows already read and reports the first bad cell with
    its row; it also accepts what the typed reader refuses but `parse_number` takes.
    """
    import pyarrow as pa
    from pyarrow import csv

    done = 0
    block = max(1 << 20, rows * 16 * len(wanted))
    # Types as pyarrow infers them from the first block: integers stay integers, so those
    # beyond 2^53 can be told; a later cell of another type restarts the reading as text.
    numbers = csv.ConvertOptions(include_columns=wanted)
    try:
        stream, position = open_stream(file)
        with stream:
            reader = csv.open_csv(
                stream,
                read_options=fmt.read_options(block_size=block),
                parse_options=fmt.parse_options(),
                convert_options=numbers,
            )
            for record_batch in reader:
                batch = to_batch(
                    record_batch, wanted, file, done, position(), options, tally, warned
                )
                done += record_batch.num_rows
                yield batch
    except pa.ArrowInvalid as error:
        if "invalid UTF8" in str(error):
            raise csv_error(file, fmt, error) from None
        yield from csv_text_batches(file, wanted, done, block, options, fmt, tally, warned)
        return
    except (UnicodeDecodeError, OSError, pa.ArrowException) as error:
        raise csv_error(file, fmt, error) from None
    if done == 0:
        raise DataError(f"{file}: no data rows (only a header?)")


def csv_text_batches(
    file: Path,
    wanted: list[str],
    skip: int,
    block: int,
    options: ReadOptions,
    fmt: CsvFormat,
    tally: MissingTally,
    warned: set[str],
) -> Iterator[Batch]:
    """Batches of a CSV file from data row `skip` on, read as text and parsed cell by cell."""
    import pyarrow as pa
    from pyarrow import csv

    done = skip
    try:
        stream, position = open_stream(file)
        with stream:
            reader = csv.open_csv(
                stream,
                read_options=fmt.read_options(block_size=block, skip_rows_after_names=skip),
                parse_options=fmt.parse_options(),
                convert_options=text_options(wanted),
            )
            for record_batch in reader:
                batch = to_batch(
                    record_batch, wanted, file, done, position(), options, tally, warned
                )
                done += record_batch.num_rows
                yield batch
    except (pa.ArrowException, UnicodeDecodeError, OSError) as error:
        raise csv_error(file, fmt, error) from None
    if done == 0:
        raise DataError(f"{file}: no data rows (only a header?)")


def to_batch(
    record_batch: pa.RecordBatch,
    wanted: list[str],
    file: Path,
    first_row: int,
    bytes_read: int,
    options: ReadOptions,
    tally: MissingTally,
    warned: set[str],
) -> Batch:
    """Convert one record batch's wanted columns into a float64 `Batch`.

    Infinite values and values beyond ±`MAX_MAGNITUDE` are refused with their row (their
    squares would overflow the statistics, as in memory); rows with a missing value are
    left out when the options say so; integers float64 rounds are warned about once per
    column (`warned`).
    """
    allow = options.drops_missing
    columns = {
        name: column_values(
            record_batch.column(name), name, file, first_row, allow_missing=allow, warned=warned
        )
        for name in wanted
    }
    for name, values in columns.items():
        check_magnitudes(values, name, file, first_row)
    keep = tally.keep(columns) if allow else None
    kept = [values if keep is None else values[keep] for values in columns.values()]
    return Batch(tuple(kept), file, first_row, bytes_read)


def check_magnitudes(values: Array, name: str, file: Path, first_row: int) -> None:
    """Raise a `DataError` at the first infinite value or one beyond ±`MAX_MAGNITUDE`."""
    with np.errstate(invalid="ignore"):
        bad = np.abs(values) > MAX_MAGNITUDE
    if not bad.any():
        return
    row = int(np.argmax(bad))
    where = f"in column '{name}' at data row {first_row + row + 1}"
    if np.isinf(values[row]):
        raise DataError(f"{file}: infinite value {where}")
    raise DataError(
        f"{file}: value {values[row]:.3g} {where} is too large: its square would overflow; "
        f"rescale the column (gdlab takes |value| ≤ {MAX_MAGNITUDE:.0e})"
    )
