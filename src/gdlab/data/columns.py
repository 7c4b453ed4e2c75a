"""Read a CSV or Parquet file into a `Dataset`, with errors that name file, column and row.

pyarrow is imported by the functions that read (it costs a tenth of a second, and `gdlab
demo` reads no file). A CSV file is read as numbers first; only a file with a cell that is
not a plain number, or a missing one, is read again as text to name that cell.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gdlab.data.dataset import Dataset, from_arrays
from gdlab.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
#: A number as CSV files write them (Python's float() also takes '1_000' and other digits).
PLAIN_NUMBER = re.compile(
    r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)", re.I | re.A
)


def read_errors() -> tuple[type[BaseException], ...]:
    """What Arrow raises on a file it cannot read: its own errors, bad UTF-8, I/O failures."""
    import pyarrow as pa

    return (pa.ArrowException, UnicodeDecodeError, OSError)


def read_table(path: str | Path, x_columns: Sequence[str], y_column: str) -> Dataset:
    """Load the named feature columns and target from a CSV or Parquet file.

    Every failure is a `DataError` whose message says what is wrong and where. The
    dataset's `extra` keeps the file's absolute path (``absolute_source``) for run records.
    """
    if not x_columns:
        raise DataError("no feature columns given (use --x COL[,COL...])")
    columns = read_columns(path, [*x_columns, y_column])
    X = np.column_stack([columns[name] for name in x_columns])
    dataset = from_arrays(X, columns[y_column], tuple(x_columns), y_column, source=str(path))
    return replace(dataset, extra={"absolute_source": os.path.abspath(path)})


def read_columns(path: str | Path, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The named columns of a CSV or Parquet file as float64 arrays, checked cell by cell.

    Every failure is a `DataError` naming the file and, where it applies, column and row.
    """
    file = Path(path)
    if not file.exists():
        raise DataError(f"{file}: no such file")
    if file.is_dir():
        raise DataError(f"{file}: is a directory, expected a CSV or Parquet file")
    if file.stat().st_size == 0:
        raise DataError(f"{file}: the file is empty")
    wanted = list(dict.fromkeys(names))
    table = _read_parquet(file, wanted) if is_parquet(file) else _read_csv(file, wanted)
    if table.num_rows == 0:
        raise DataError(f"{file}: no data rows (only a header?)")
    return {name: column_values(table.column(name), name, file) for name in wanted}


def is_parquet(file: Path) -> bool:
    """True when the file name or its magic bytes say Parquet."""
    if file.suffix.lower() in PARQUET_SUFFIXES:
        return True
    with file.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def check_columns(available: Sequence[str], wanted: Sequence[str], file: Path) -> None:
    """Raise a `DataError` naming every wanted column the file lacks, listing what it has."""
    missing = [name for name in wanted if name not in available]
    if missing:
        listed = ", ".join(available) if available else "(none)"
        lacking = ", ".join(f"'{name}'" for name in missing)
        plural = "s" if len(missing) > 1 else ""
        hint = separator_hint(available)
        raise DataError(f"{file}: no column{plural} {lacking}; available columns: {listed}{hint}")


def separator_hint(available: Sequence[str]) -> str:
    """When the one column found holds ';', a tab or '|', say the file is not comma-separated."""
    if len(available) == 1:
        for separator, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            if separator in available[0]:
                return f" (the file seems to separate columns with {name}; use commas)"
    return ""


def column_names(file: Path) -> list[str]:
    """The column names in a CSV's header or a Parquet file's schema, or a `DataError`."""
    if is_parquet(file):
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(file).names)
        except read_errors() as error:
            raise DataError(f"{file}: not a readable Parquet file ({first_line(error)})") from None
    from pyarrow import csv

    try:
        with csv.open_csv(file) as reader:
            return list(reader.schema.names)
    except read_errors() as error:
        raise DataError(f"{file}: not a readable CSV file ({first_line(error)})") from None


def _read_csv(file: Path, wanted: list[str]) -> pa.Table:
    import pyarrow as pa
    from pyarrow import csv

    check_columns(column_names(file), wanted, file)
    numbers = csv.ConvertOptions(
        include_columns=wanted, column_types=dict.fromkeys(wanted, pa.float64())
    )
    try:
        table = csv.read_csv(file, convert_options=numbers)
        if not any(column.null_count for column in table.columns):
            return table
    except read_errors():
        pass
    # Read the wanted columns as text so a bad cell can be reported with its row.
    options = csv.ConvertOptions(
        include_columns=wanted,
        column_types=dict.fromkeys(wanted, pa.string()),
        strings_can_be_null=True,
    )
    try:
        return csv.read_csv(file, convert_options=options)
    except read_errors() as error:
        raise DataError(f"{file}: {first_line(error)}") from None


def _read_parquet(file: Path, wanted: list[str]) -> pa.Table:
    import pyarrow.parquet as pq

    check_columns(column_names(file), wanted, file)
    try:
        return pq.read_table(file, columns=wanted)
    except read_errors() as error:
        raise DataError(f"{file}: not a readable Parquet file ({first_line(error)})") from None


def column_values(column: pa.ChunkedArray, name: str, file: Path) -> np.ndarray:
    """Convert one column to float64, naming the first missing or non-numeric cell."""
    import pyarrow as pa

    is_text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    if is_text or pa.types.is_decimal(column.type):
        import pyarrow.compute as pc  # ~0.05 s more: only for columns that need casting
    if pa.types.is_decimal(column.type):
        column = pc.cast(column, pa.float64())
    if not (is_text or pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        raise DataError(f"{file}: column '{name}' is {column.type}, not numeric")
    if is_text:
        try:
            column = pc.cast(pc.utf8_trim_whitespace(column), pa.float64())
        except pa.ArrowInvalid:
            for row, text in enumerate(column.to_pylist()):
                parse_number(text, name, row, file)  # raises at the first bad cell
            raise DataError(f"{file}: column '{name}' holds text that is not a number") from None
    if column.null_count:
        row = next(i for i, v in enumerate(column.is_null().to_pylist()) if v)
        raise DataError(f"{file}: missing value in column '{name}' at data row {row + 1}")
    return float_values(column)


def float_values(column: Any) -> np.ndarray:
    """A numeric Arrow array or chunked array without nulls, as float64 numpy values.

    Through DLPack, not Arrow's `to_numpy`, which imports pandas where it is installed
    (half a second, for nothing).
    """
    if hasattr(column, "combine_chunks"):
        column = column.combine_chunks()
    try:
        values = np.from_dlpack(column)
    except (TypeError, BufferError, AttributeError):  # a type DLPack cannot carry
        values = column.to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)


def parse_number(text: str | None, name: str, row: int, file: Path) -> float:
    """One cell as a finite float, or a `DataError` with its column and (1-based) data row."""
    where = f"in column '{name}' at data row {row + 1} (line {row + 2})"
    if text is None or not text.strip():
        raise DataError(f"{file}: missing value {where}")
    if not PLAIN_NUMBER.fullmatch(text.strip()):
        raise DataError(f"{file}: non-numeric value {text!r} {where}")
    value = float(text)
    if not math.isfinite(value):
        raise DataError(f"{file}: non-finite value {text!r} {where}")
    return value


def first_line(error: BaseException) -> str:
    """The first line of an exception's message, for one-line reports."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
