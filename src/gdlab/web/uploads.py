"""Uploaded tables: parsed in memory with pyarrow, kept in a small bounded cache.

A file never touches a path the server names: its bytes are parsed in memory, only its
numeric columns are kept (as float64 arrays), and it is found again only by an unguessable
id, so one user cannot reach another's data. The id is a keyed hash of the file (its name and
bytes, with a key each server draws at start): the same file uploaded again to the same server
gets the same id back, so a shared link that names it works again. Uploads stay until the
server stops; the least recently used are dropped when the cache is over its count or size.

Parsing is bounded before it decodes: a CSV file's header is counted against
`MAX_UPLOAD_COLUMNS` and its rows are read in blocks, stopping past the row limit; a
Parquet file's own metadata gives its rows, columns and decoded size, checked against the
limits before a single value is decoded (a small file that decodes to gigabytes is refused).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import re
import secrets
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from gdlab.data.cells import column_values
from gdlab.data.columns import first_line, parquet_decoded_size
from gdlab.data.csvformat import SAMPLE_BYTES, sniff_delimiter
from gdlab.errors import DataError
from gdlab.web.schemas import LARGEST_VALUE

UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.\- ()+,]")
#: The most columns an uploaded table may have (its header is counted before decoding).
MAX_UPLOAD_COLUMNS = 1000
#: The most bytes an uploaded Parquet file may decode to (its metadata says, beforehand).
MAX_DECODED_BYTES = 512 * 2**20


class TooLarge(DataError):
    """The upload is over a size limit (HTTP 413)."""


@dataclass(frozen=True)
class UploadedTable:
    """The numeric columns of one uploaded file, and why the others were skipped."""

    id: str
    filename: str
    columns: dict[str, np.ndarray]
    skipped: dict[str, str]

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(next(iter(self.columns.values())))

    @property
    def nbytes(self) -> int:
        """Memory held by the kept columns."""
        return sum(column.nbytes for column in self.columns.values())


def safe_filename(name: str | None) -> str:
    """The last part of a client's file name, with odd characters replaced (for messages).

    >>> safe_filename("C:\\\\Users\\\\me\\\\my data.csv"), safe_filename("../../etc/passwd")
    ('my data.csv', 'passwd')
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = UNSAFE_NAME_CHARACTERS.sub("_", base)[:100]
    return base if base.strip(". ") else "upload.csv"


def parse_table(
    content: bytes,
    filename: str,
    max_rows: int,
    table_id: str | None = None,
    max_columns: int = MAX_UPLOAD_COLUMNS,
    max_decoded_bytes: int = MAX_DECODED_BYTES,
) -> UploadedTable:
    """Read CSV or Parquet bytes; keep the numeric columns; say why each other one is skipped.

    The limits on rows, columns and (Parquet) decoded size are checked before the values
    are decoded (see the module notes). The table is known by `table_id` (by default a
    fresh random id). Arrow's memory is handed back to the system once the columns are
    copied out (its pool would keep it).
    """
    try:
        return read_table(content, filename, max_rows, table_id, max_columns, max_decoded_bytes)
    finally:
        pa.default_memory_pool().release_unused()


def read_table(
    content: bytes,
    filename: str,
    max_rows: int,
    table_id: str | None,
    max_columns: int = MAX_UPLOAD_COLUMNS,
    max_decoded_bytes: int = MAX_DECODED_BYTES,
) -> UploadedTable:
    """`parse_table` itself."""
    if not content.strip():
        raise DataError(f"{filename}: the file is empty")
    if content[:4] == b"PAR1":
        table = read_parquet(content, filename, max_rows, max_columns, max_decoded_bytes)
    else:
        table = read_csv(content, filename, max_rows, max_columns)
    if table.num_rows == 0:
        raise DataError(f"{filename}: no data rows (only a header?)")
    names = table.column_names
    counts = Counter(names)  # linear in the columns, however many there are
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    if duplicated:
        raise DataError(f"{filename}: column name '{duplicated[0]}' appears more than once")
    columns: dict[str, np.ndarray] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            columns[name] = finite_column(table.column(name), name, filename)
        except DataError as error:
            skipped[name] = str(error).removeprefix(f"{filename}: ")
    if len(columns) < 2:
        reasons = "; ".join(f"'{name}': {why}" for name, why in skipped.items())
        raise DataError(
            f"{filename}: needs at least two numeric columns (a feature and a target), "
            f"found {len(columns)}" + (f"; skipped {reasons}" if reasons else "")
        )
    return UploadedTable(table_id or secrets.token_urlsafe(16), filename, columns, skipped)


def read_csv(content: bytes, filename: str, max_rows: int, max_columns: int) -> pa.Table:
    """Parse CSV bytes with type inference (a column with a word in it stays text).

    The header's columns are counted first and the rows are read block by block, stopping
    as soon as they pass `max_rows`; the separator (, ; tab |) is recognised.
    """
    from pyarrow import csv as arrow_csv

    sample = content[:SAMPLE_BYTES].decode("utf-8", errors="replace")
    delimiter = sniff_delimiter(sample)
    header = content.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    columns = header_width(header, delimiter)
    if columns > max_columns:
        raise TooLarge(f"{filename}: {columns:,} columns; the limit is {max_columns:,}")
    batches, rows = [], 0
    try:
        reader = arrow_csv.open_csv(
            pa.BufferReader(content), parse_options=arrow_csv.ParseOptions(delimiter=delimiter)
        )
        schema = reader.schema
        schema.names  # noqa: B018 - header names are decoded lazily; check them here
        for batch in reader:
            rows += batch.num_rows
            if rows > max_rows:
                raise TooLarge(
                    f"{filename}: {rows_read(reader, rows)} rows; the limit is {max_rows}"
                )
            batches.append(batch)
    except pa.ArrowInvalid as error:
        raise DataError(f"{filename}: not a readable CSV file ({first_line(error)})") from None
    except UnicodeDecodeError:
        raise DataError(f"{filename}: not a readable CSV file (not UTF-8 text)") from None
    return pa.Table.from_batches(batches, schema=schema)


def rows_read(reader: object, rows: int) -> str:
    """'25' when the reader has no more rows, else 'over 25' (the rest is never decoded)."""
    try:
        reader.read_next_batch()  # type: ignore[attr-defined]
    except StopIteration:
        return f"{rows:,}"
    return f"over {rows:,}"


def header_width(header: str, delimiter: str) -> int:
    """The number of fields in a header line (quotes respected)."""
    first = header.rstrip("\r")
    try:
        return len(next(csv.reader([first], delimiter=delimiter), []))
    except csv.Error:
        return first.count(delimiter) + 1


def read_parquet(
    content: bytes, filename: str, max_rows: int, max_columns: int, max_decoded_bytes: int
) -> pa.Table:
    """Parse Parquet bytes, once their metadata shows them within the limits."""
    import pyarrow.parquet as pq

    try:  # text stays dictionary-encoded: its repeats are never decoded
        parquet = pq.ParquetFile(pa.BufferReader(content))
        parquet = pq.ParquetFile(pa.BufferReader(content), read_dictionary=parquet.schema.names)
        metadata = parquet.metadata
        decoded = parquet_decoded_size(metadata)
    except (pa.ArrowInvalid, OSError) as error:
        raise DataError(f"{filename}: not a readable Parquet file ({first_line(error)})") from None
    if metadata.num_rows > max_rows:
        raise TooLarge(f"{filename}: {metadata.num_rows} rows; the limit is {max_rows}")
    if metadata.num_columns > max_columns:
        raise TooLarge(
            f"{filename}: {metadata.num_columns:,} columns; the limit is {max_columns:,}"
        )
    if decoded > max_decoded_bytes:
        raise TooLarge(
            f"{filename}: decodes to {decoded // 2**20:,} MiB; the limit is "
            f"{max_decoded_bytes // 2**20:,} MiB"
        )
    try:
        return parquet.read()
    except (pa.ArrowInvalid, OSError) as error:
        raise DataError(f"{filename}: not a readable Parquet file ({first_line(error)})") from None


def finite_column(column: pa.ChunkedArray, name: str, filename: str) -> np.ndarray:
    """One column as finite float64, or a `DataError` naming its first bad cell."""
    try:
        values = column_values(column, name, Path(filename), hint=False)
    except pa.ArrowInvalid:  # text a float() accepts but Arrow does not, like "1_000"
        raise DataError(f"{filename}: column '{name}' is not numeric") from None
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DataError(
            f"{filename}: non-finite value {values[bad[0]]} in column '{name}' "
            f"at data row {bad[0] + 1}"
        )
    huge = np.flatnonzero(np.abs(values) > LARGEST_VALUE)
    if huge.size:
        raise DataError(
            f"{filename}: value {values[huge[0]]:g} in column '{name}' at data row "
            f"{huge[0] + 1} is beyond ±{LARGEST_VALUE:g} (its square would overflow)"
        )
    return values


class UploadCache:
    """Uploaded tables by id, least recently used dropped first beyond `entries` or `nbytes`."""

    def __init__(self, entries: int, nbytes: int) -> None:
        self.max_entries = entries
        self.max_bytes = nbytes
        self._tables: OrderedDict[str, UploadedTable] = OrderedDict()
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)

    def id_for(self, content: bytes, filename: str) -> str:
        """The id of this file on this server: HMAC-SHA256 of its name and bytes, 22 characters.

        >>> cache = UploadCache(2, 1000)
        >>> same = cache.id_for(b"x,y", "a.csv")
        >>> same == cache.id_for(b"x,y", "a.csv") != cache.id_for(b"x,y", "b.csv"), len(same)
        (True, 22)
        """
        digest = hmac.new(self._key, filename.encode() + b"\0" + content, hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()[:16]).decode().rstrip("=")

    def add(self, table: UploadedTable) -> None:
        """Keep `table`, dropping the oldest uploads until the cache is within its bounds."""
        if table.nbytes > self.max_bytes:
            raise TooLarge(
                f"{table.filename}: its numeric columns take {table.nbytes // 2**20} MiB in "
                f"memory; the server keeps at most {self.max_bytes // 2**20} MiB of uploads"
            )
        with self._lock:
            self._tables[table.id] = table
            while len(self._tables) > self.max_entries or self.total_bytes() > self.max_bytes:
                self._tables.popitem(last=False)

    def get(self, upload_id: str) -> UploadedTable | None:
        """The table with this id (and mark it recently used), or None."""
        with self._lock:
            table = self._tables.get(upload_id)
            if table is not None:
                self._tables.move_to_end(upload_id)
            return table

    def total_bytes(self) -> int:
        """Memory held by all kept uploads."""
        return sum(table.nbytes for table in self._tables.values())

    def __len__(self) -> int:
        return len(self._tables)
