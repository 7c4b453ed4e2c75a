"""Read a CSV or Parquet file into a `Dataset`, with errors that name file, column and row.

A CSV file's encoding and separator are recognised (`gdlab.data.csvformat`) unless
`ReadOptions` give them; its wanted columns are read as text, so a bad cell can be named by
its row. A missing value is an error that says where, or with ``missing="drop"`` the row
is left out and the rows left out are counted (`MissingTally`). The file must not change
while it is read (`gdlab.data.stamps`), and a wanted column must appear once in its header.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gdlab.data.cells import column_values
from gdlab.data.csvformat import CsvFormat, csv_format
from gdlab.data.dataset import Dataset, from_arrays
from gdlab.data.options import ReadOptions
from gdlab.data.stamps import check_unchanged, stamp
from gdlab.errors import DataError, DataWarning

if TYPE_CHECKING:
    import pyarrow as pa

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def read_errors() -> tuple[type[BaseException], ...]:
    """What Arrow raises on a file it cannot read: its own errors, bad UTF-8, I/O failures."""
    import pyarrow as pa

    return (pa.ArrowException, UnicodeDecodeError, OSError)


#: Column names listed at most in a message.
LISTED_NAMES = 20


def read_table(
    path: str | Path,
    x_columns: Sequence[str],
    y_column: str,
    options: ReadOptions | None = None,
    **read: Any,
) -> Dataset:
    """Load the named feature columns and target from a CSV or Parquet file.

    `options` (or keywords: ``missing``, ``delimiter``, ``encoding``) say how to read it
    (`ReadOptions`). Every failure is a `DataError` whose message says what is wrong and
    where; rows left out for a missing value are counted in a `DataWarning`. The dataset's
    `extra` keeps the file's absolute path (``absolute_source``) for run records.
    """
    if not x_columns:
        raise DataError("no feature columns given (use --x COL[,COL...])")
    options = read_options(options, read)
    tally = MissingTally()
    columns = read_file_columns(Path(path), [*x_columns, y_column], options, tally)
    tally.warn(str(path))
    X = np.column_stack([columns[name] for name in x_columns])
    data = from_arrays(X, columns[y_column], tuple(x_columns), y_column, source=str(path))
    extra = {"absolute_source": os.path.abspath(path), **(tally.details() if tally.dropped else {})}
    return replace(data, extra=extra)


def read_options(options: ReadOptions | None, read: Mapping[str, Any]) -> ReadOptions:
    """`options`, or the read options given as keywords (not both)."""
    if options is not None and read:
        raise DataError("give the read options as `options` or as keywords, not both")
    return options if options is not None else ReadOptions.from_options(read)


def read_columns(
    path: str | Path,
    names: Sequence[str],
    options: ReadOptions | None = None,
    required: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """The named columns of a CSV or Parquet file as float64 arrays, checked cell by cell.

    Every failure is a `DataError` naming the file and, where it applies, column and row.
    With ``missing="drop"`` a row is left out for a missing value in the `required`
    columns (all of them by default); the others keep NaN where a value is missing.
    """
    tally = MissingTally()
    read = options or ReadOptions()
    columns = read_file_columns(Path(path), names, read, tally, required)
    tally.warn(str(path))
    return columns


@dataclass
class MissingTally:
    """Rows seen and rows left out for a missing value (``missing="drop"``), by column."""

    rows: int = 0
    dropped: int = 0
    by_column: dict[str, int] = field(default_factory=dict)

    def keep(self, columns: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """Count the rows of `columns` (NaN: missing); the mask of rows to keep, or None
        when all are kept."""
        values = list(columns.values())
        self.rows += len(values[0]) if values else 0
        missing = {name: np.isnan(column) for name, column in columns.items()}
        gaps = {name: int(mask.sum()) for name, mask in missing.items() if mask.any()}
        if not gaps:
            return None
        for name, count in gaps.items():
            self.by_column[name] = self.by_column.get(name, 0) + count
        drop = np.logical_or.reduce([missing[name] for name in gaps])
        self.dropped += int(drop.sum())
        return ~drop

    def merge(self, other: MissingTally) -> MissingTally:
        """Both tallies together (a new object)."""
        by_column = dict(self.by_column)
        for name, count in other.by_column.items():
            by_column[name] = by_column.get(name, 0) + count
        return MissingTally(self.rows + other.rows, self.dropped + other.dropped, by_column)

    def details(self) -> dict[str, object]:
        """What the run record keeps of it."""
        return {"rows_read": self.rows, "rows_dropped_missing": self.dropped}

    def message(self, source: str) -> str:
        """The one line that says how many rows were left out, and for which columns."""
        counts = ", ".join(f"{name}: {count:,}" for name, count in self.by_column.items())
        return (
            f"{source}: left out {self.dropped:,} of {self.rows:,} rows with a missing value "
            f"in a column used (missing cells by column: {counts})"
        )

    def warn(self, source: str) -> None:
        """Say how many rows were left out (a `DataWarning`), if any; refuse when all were."""
        if not self.dropped:
            return
        if self.dropped == self.rows:
            raise DataError(f"{self.message(source)}; no rows are left")
        warnings.warn(DataWarning(self.message(source)), stacklevel=3)


def read_file_columns(
    file: Path,
    names: Sequence[str],
    options: ReadOptions,
    tally: MissingTally,
    required: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """The named columns of one file (rows with a missing value in a `required` column,
    all by default, left out when asked)."""
    if not file.exists():
        raise DataError(f"{file}: no such file")
    if file.is_dir():
        raise DataError(f"{file}: is a directory, expected a CSV or Parquet file")
    before = stamp(file)
    if before.size == 0:
        raise DataError(f"{file}: the file is empty")
    wanted = list(dict.fromkeys(names))
    table = _read_parquet(file, wanted) if is_parquet(file) else _read_csv(file, wanted, options)
    check_unchanged(file, before)
    if table.num_rows == 0:
        raise DataError(f"{file}: no data rows (only a header?)")
    allow = options.drops_missing
    columns = {
        name: column_values(table.column(name), name, file, allow_missing=allow) for name in wanted
    }
    needed = wanted if required is None else list(dict.fromkeys(required))
    keep = tally.keep({name: columns[name] for name in needed}) if allow else None
    if keep is not None:
        columns = {name: values[keep] for name, values in columns.items()}
    return columns


def is_parquet(file: Path) -> bool:
    """True when the file name or its magic bytes say Parquet."""
    if file.suffix.lower() in PARQUET_SUFFIXES:
        return True
    try:
        with file.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError as error:
        raise DataError(f"{file}: cannot be read ({error.strerror})") from None


def check_columns(available: Sequence[str], wanted: Sequence[str], file: Path) -> None:
    """Raise a `DataError` naming every wanted column the file lacks, listing what it has,
    or a wanted column its header names more than once."""
    present = set(available)
    missing = [name for name in wanted if name not in present]
    if missing:
        lacking = ", ".join(f"'{name}'" for name in missing[:LISTED_NAMES])
        plural = "s" if len(missing) > 1 else ""
        hint = separator_hint(available)
        raise DataError(
            f"{file}: no column{plural} {lacking}; available columns: {listing(available)}{hint}",
            option="delimiter",
        )
    counts = Counter(available)
    twice = [name for name in dict.fromkeys(wanted) if counts[name] > 1]
    if twice:
        where = ", ".join(f"'{name}' ({counts[name]} times)" for name in twice)
        raise DataError(
            f"{file}: the header names {where} more than once, so which column to use is "
            "ambiguous; rename the copies"
        )


def listing(names: Sequence[str]) -> str:
    """Column names for a message: all of them, or the first `LISTED_NAMES` and a count."""
    if not names:
        return "(none)"
    shown = ", ".join(names[:LISTED_NAMES])
    return shown if len(names) <= LISTED_NAMES else f"{shown}, … ({len(names):,} in all)"


def separator_hint(available: Sequence[str]) -> str:
    """When the one column found holds ';', a tab or '|', say the file is not comma-separated."""
    if len(available) == 1:
        for separator, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            if separator in available[0]:
                return f" (the file seems to separate columns with {name}; give {{option}})"
    return ""


def column_names(file: Path, options: ReadOptions | None = None) -> list[str]:
    """The column names in a CSV's header or a Parquet file's schema, or a `DataError`."""
    if is_parquet(file):
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(file).names)
        except read_errors() as error:
            raise DataError(f"{file}: not a readable Parquet file ({first_line(error)})") from None
    from pyarrow import csv

    fmt = csv_format(file, options)
    try:
        with csv.open_csv(
            file, read_options=fmt.read_options(), parse_options=fmt.parse_options()
        ) as reader:
            return list(reader.schema.names)
    except read_errors() as error:
        raise DataError(f"{file}: not a readable CSV file ({first_line(error)})") from None


def text_options(wanted: list[str]) -> Any:
    """CSV conversion reading just the wanted columns, as text (missing cells as null)."""
    import pyarrow as pa
    from pyarrow import csv

    return csv.ConvertOptions(
        include_columns=wanted,
        column_types=dict.fromkeys(wanted, pa.string()),
        strings_can_be_null=True,
    )


def _read_csv(file: Path, wanted: list[str], options: ReadOptions) -> pa.Table:
    from pyarrow import csv

    fmt = csv_format(file, options)
    check_columns(column_names(file, options), wanted, file)
    # Read the wanted columns as text so a bad cell can be reported with its row.
    try:
        return csv.read_csv(
            file,
            read_options=fmt.read_options(),
            parse_options=fmt.parse_options(),
            convert_options=text_options(wanted),
        )
    except read_errors() as error:
        raise csv_error(file, fmt, error) from None


def csv_error(file: Path, fmt: CsvFormat, error: BaseException) -> DataError:
    """The one-line error for a CSV file pyarrow could not read (bad text named as such)."""
    from gdlab.data.csvformat import not_in_encoding

    if isinstance(error, UnicodeDecodeError) or "invalid UTF8" in str(error):
        return not_in_encoding(file, fmt.encoding, b"", None)
    return DataError(f"{file}: {first_line(error)}")


def parquet_decoded_size(metadata: Any, names: Sequence[str] | None = None) -> int:
    """About the bytes the named columns (all by default) take once read, from a Parquet
    file's metadata alone: 8 bytes a value (as float64), text at its uncompressed size.

    Encoded sizes say little: a million zeros take a few bytes, uncompressed or not.
    """
    wanted = None if names is None else set(names)
    total = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            if wanted is not None and chunk.path_in_schema not in wanted:
                continue
            total += 8 * chunk.num_values
            if chunk.physical_type in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
                total += chunk.total_uncompressed_size
    return total


def _read_parquet(file: Path, wanted: list[str]) -> pa.Table:
    import pyarrow.parquet as pq

    check_columns(column_names(file), wanted, file)
    try:  # text stays dictionary-encoded: its repeats are not decoded (see `column_values`)
        return pq.read_table(file, columns=wanted, read_dictionary=wanted)
    except read_errors() as error:
        raise DataError(f"{file}: not a readable Parquet file ({first_line(error)})") from None


def first_line(error: BaseException) -> str:
    """The first line of an exception's message, for one-line reports."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
