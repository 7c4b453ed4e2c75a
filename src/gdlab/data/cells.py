"""One column's cells as float64, each bad cell named by its column and (1-based) row.

`column_values` converts an Arrow column of numbers, text (parsed as CSV files write
numbers) or dictionary-encoded text (its distinct values converted once, its repeats never
decoded). A missing cell is an error naming the option that leaves such rows out, or NaN
when missing values are allowed; a column that is mostly text is said to hold text (to be
encoded first); integers beyond 2^53, which float64 rounds, are warned about.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gdlab.errors import DataError, DataWarning

if TYPE_CHECKING:
    import pyarrow as pa

#: A number as CSV files write them (Python's float() also takes '1_000' and other digits).
PLAIN_NUMBER = re.compile(
    r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)", re.I | re.A
)
#: A whole number written out (its digits beyond 2^53 are lost in float64).
WHOLE_NUMBER = re.compile(r"[+-]?\d+", re.A)
#: A number written with a decimal comma, as European spreadsheets do.
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+", re.A)
#: float64 holds every integer up to this magnitude exactly, and no larger one for sure.
EXACT_INTEGERS = 2**53
#: A column whose first cells are at least this share non-numbers holds text (categories).
TEXT_SHARE = 0.5
#: Cells looked at to tell a text column from a numeric column with a bad cell.
TEXT_SAMPLE = 200
#: Characters of a cell shown at most in a message.
SHOWN_CHARACTERS = 40


def column_values(
    column: pa.ChunkedArray | pa.Array,
    name: str,
    file: Path,
    first_row: int = 0,
    *,
    allow_missing: bool = False,
    warned: set[str] | None = None,
    hint: bool = True,
) -> np.ndarray:
    """Convert one column to float64, naming the first missing or non-numeric cell.

    With `allow_missing` a missing cell (null, NaN, blank text) becomes NaN instead of an
    error. Integers beyond 2^53, which float64 rounds, are warned about (`DataWarning`;
    once per column in `warned`, when given). `hint`: a missing value's error names the
    option that leaves such rows out (callers without that option pass False).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_null(kind):  # a block of a column with only empty cells
        column, kind = pc.cast(column, pa.float64()), pa.float64()
    if pa.types.is_dictionary(kind):
        column = dictionary_values(column, name, file, first_row, allow_missing, hint)
        kind = column.type
    is_text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if pa.types.is_decimal(kind):
        column, kind = pc.cast(column, pa.float64()), pa.float64()
    if not (is_text or pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        raise DataError(f"{file}: column '{name}' is {kind}, not numeric{encode_hint(kind)}")
    warned = set() if warned is None else warned
    if pa.types.is_integer(kind) and name not in warned:
        warn_inexact_integers(column, name, file, first_row, warned)
    texts = None
    if is_text:
        texts = pc.utf8_trim_whitespace(column)
        if allow_missing:
            texts = pc.if_else(pc.equal(texts, ""), pa.scalar(None, pa.string()), texts)
        try:
            column = pc.cast(texts, pa.float64())
        except pa.ArrowInvalid:
            return text_values(texts.to_pylist(), name, file, first_row, allow_missing, hint)
    if column.null_count and not allow_missing:
        row = first_row + column.is_null().to_pylist().index(True)
        raise DataError(missing_message(file, name, row, hint=hint), option="missing")
    values = numpy_values(column, np.float64)
    if not allow_missing and pa.types.is_floating(kind):
        gaps = np.flatnonzero(np.isnan(values))
        if gaps.size:
            row = first_row + int(gaps[0])
            message = missing_message(file, name, row, "(NaN)", hint=hint)
            raise DataError(message, option="missing")
    if texts is not None and name not in warned:
        warn_long_whole_numbers(values, texts, name, file, first_row, warned)
    return values


def dictionary_values(
    column: Any, name: str, file: Path, first_row: int, allow_missing: bool, hint: bool
) -> pa.ChunkedArray:
    """A dictionary-encoded column as float64 without decoding its repeats: each chunk's
    distinct values are converted once, then looked up by index."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    converted, offset = [], first_row
    for chunk in chunks:
        indices = numpy_values(chunk.indices)
        values = chunk.dictionary
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            texts = [text.strip() if text is not None else None for text in values.to_pylist()]
            words = [i for i, text in enumerate(texts) if text and not PLAIN_NUMBER.fullmatch(text)]
            if words:
                valid = numpy_values(chunk.is_valid())
                row = offset + int(np.flatnonzero((indices == words[0]) & valid)[0])
                word = texts[words[0]] or ""
                if len(words) >= TEXT_SHARE * len(texts) and any(c.isalpha() for c in word):
                    raise DataError(text_column_message(file, name, word, row))
                parse_number(word, name, row, file, hint)  # names the cell
            values = pa.array([float(t) if t else None for t in texts], pa.float64())
        elif not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
            raise DataError(f"{file}: column '{name}' is {values.type}, not numeric")
        numbers = pc.take(pc.cast(values, pa.float64()), chunk.indices)
        converted.append(numbers)
        offset += len(chunk)
    return pa.chunked_array(converted, pa.float64())


def text_column_message(file: Path, name: str, word: str, row: int) -> str:
    """The error for a column of text (categories): what it holds and what to do."""
    return (
        f"{file}: column '{name}' holds text, not numbers (non-numeric value {shown(word)} at "
        f"data row {row + 1}); encode it as numbers first (a feature of one target, named in "
        "--x or as C(column) in --formula, gdlab one-hot encodes itself)"
    )


def encode_hint(kind: pa.DataType) -> str:
    """What to do with a column of true/false values or dates."""
    import pyarrow as pa

    if pa.types.is_boolean(kind):
        return " (true/false: encode it as 0/1)"
    return ""


def text_values(
    texts: list[str | None],
    name: str,
    file: Path,
    first_row: int,
    allow_missing: bool,
    hint: bool = True,
) -> np.ndarray:
    """Text cells as numbers one by one; the first bad one is named, and a column that is
    mostly text is said to hold text (categories to encode)."""
    if holds_text(texts):
        word = next(t for t in texts if t and not PLAIN_NUMBER.fullmatch(t))
        raise DataError(text_column_message(file, name, word, first_row + texts.index(word)))
    values = np.empty(len(texts))
    for row, text in enumerate(texts):
        if allow_missing and text is None:
            values[row] = math.nan
        else:
            values[row] = parse_number(text, name, first_row + row, file, hint)
    return values


def holds_text(texts: Sequence[str | None]) -> bool:
    """True when a column's first cells (trimmed; None where empty) are mostly words: a
    column of categories, where a column of numbers with a typo is not (its bad cell is
    then named by its row).

    >>> holds_text(["north", "south", "1"]), holds_text(["1", "2", "3x"])
    (True, False)
    """
    sample = [text for text in texts[:TEXT_SAMPLE] if text]
    words = [text for text in sample if not PLAIN_NUMBER.fullmatch(text)]
    return (
        bool(words)
        and len(words) >= TEXT_SHARE * len(sample)
        and any(c.isalpha() for c in words[0])
    )


def missing_message(
    file: Path, name: str, row: int, what: str = "", line: int | None = None, hint: bool = True
) -> str:
    """The error for a missing cell: where it is, and (`hint`) the option that leaves such
    rows out."""
    kind = f"missing value {what}" if what else "missing value"
    at = f" (line {line})" if line is not None else ""
    option = "; to leave out rows with a missing value, use {option}=drop" if hint else ""
    return f"{file}: {kind} in column '{name}' at data row {row + 1}{at}{option}"


def parse_number(text: str | None, name: str, row: int, file: Path, hint: bool = True) -> float:
    """One cell as a finite float, or a `DataError` with its column and (1-based) data row."""
    where = f"in column '{name}' at data row {row + 1} (line {row + 2})"
    if text is None or not text.strip():
        raise DataError(missing_message(file, name, row, line=row + 2, hint=hint), option="missing")
    if not PLAIN_NUMBER.fullmatch(text.strip()):
        comma = " (a decimal comma? gdlab reads numbers with a decimal point)"
        note = comma if DECIMAL_COMMA.fullmatch(text.strip()) else ""
        raise DataError(f"{file}: non-numeric value {shown(text)} {where}{note}")
    value = float(text)
    if not math.isfinite(value):
        raise DataError(f"{file}: non-finite value {shown(text)} {where}")
    return value


def shown(text: str) -> str:
    """A cell for a message: quoted, and cut to `SHOWN_CHARACTERS` (a cell may be huge).

    >>> shown("abc"), shown("x" * 50)[-3:]
    ("'abc'", "x'…")
    """
    if len(text) <= SHOWN_CHARACTERS:
        return repr(text)
    return repr(text[:SHOWN_CHARACTERS]) + "…"


def warn_inexact_integers(
    column: Any, name: str, file: Path, first_row: int, warned: set[str]
) -> None:
    """Warn when an integer column holds values beyond ±2^53, which float64 rounds."""
    values = numpy_values(column)
    if values.dtype.kind not in "iu" or values.dtype.itemsize < 8:
        return
    beyond = values > EXACT_INTEGERS
    if values.dtype.kind == "i":
        beyond |= values < -EXACT_INTEGERS
    if beyond.any():
        row = int(np.argmax(beyond))
        warned.add(name)
        warn_rounded(file, name, str(values[row]), float(values[row]), first_row + row)


def warn_long_whole_numbers(
    values: np.ndarray, texts: Any, name: str, file: Path, first_row: int, warned: set[str]
) -> None:
    """Warn when whole numbers written as text lie beyond ±2^53 (float64 rounds them)."""
    with np.errstate(invalid="ignore"):
        beyond = np.flatnonzero(np.abs(values) >= EXACT_INTEGERS)  # 2^53 + 1 rounds to 2^53
    for row in beyond[:TEXT_SAMPLE]:
        text = texts[int(row)].as_py()
        if text is not None and WHOLE_NUMBER.fullmatch(text) and abs(int(text)) > EXACT_INTEGERS:
            warned.add(name)
            warn_rounded(file, name, text, float(values[row]), first_row + int(row))
            return


def warn_rounded(file: Path, name: str, written: str, value: float, row: int) -> None:
    """The `DataWarning` for an integer float64 cannot hold exactly."""
    warnings.warn(
        DataWarning(
            f"{file}: column '{name}' holds integers beyond 2^53 (e.g. {written} at data row "
            f"{row + 1}), which float64 cannot hold exactly: they are rounded (that one to "
            f"{value:.17g})"
        ),
        stacklevel=4,
    )


def numpy_values(column: Any, dtype: Any = None) -> np.ndarray:
    """An Arrow array or chunked array as numpy values (nulls of floats as NaN).

    Through DLPack where the type allows, not Arrow's `to_numpy`, which imports pandas where
    it is installed (half a second, for nothing).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if hasattr(column, "combine_chunks"):
        column = column.combine_chunks()
    if column.null_count and pa.types.is_floating(column.type):
        column = pc.fill_null(column, float("nan"))
    try:
        with warnings.catch_warnings():  # pyarrow's capsule without a version: deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            values = np.from_dlpack(column) if not column.null_count else None
    except (TypeError, BufferError, AttributeError, ValueError):  # a type DLPack cannot carry
        values = None
    if values is None:
        values = column.to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=dtype)
