"""How large a table's columns are once read, known before reading them.

A Parquet file's metadata gives its columns' sizes without decoding a value
(`parquet_decoded_size`), a CSV file is about its own size, a gzip file's trailer gives its
content's size. `auto` reads files into memory only when they are known to be small, and
no engine reads into memory columns that would take more than `MEMORY_SHARE` of the
machine's memory (`check_fits_in_memory`): the stream engine reads them in bounded memory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gdlab.data.columns import is_parquet, parquet_decoded_size
from gdlab.data.csvformat import compression_of
from gdlab.data.progress import byte_size
from gdlab.errors import DataError

if TYPE_CHECKING:
    pass

#: A gzip file's trailer gives its content's size mod 2³²: exact for files this small.
GZIP_EXACT_BELOW = 4 * 2**20
#: A compressed file that does not say its content's size counts as this many times larger.
UNSAID_RATIO = 64
#: Files whose wanted columns take more than this share of the machine's memory once read
#: are not read into memory (the stream engine reads them in bounded memory).
MEMORY_SHARE = 0.5


def decoded_size(file: Path, wanted: Sequence[str]) -> int | None:
    """About the bytes of the wanted columns once read: from a Parquet file's metadata,
    before anything is decoded (`parquet_decoded_size`); a CSV file's size (its content's,
    when compressed; None when the compression does not say)."""
    import pyarrow as pa

    if is_parquet(file):
        import pyarrow.parquet as pq

        try:
            metadata = pq.ParquetFile(file).metadata
        except (pa.ArrowException, OSError):
            return file.stat().st_size  # unreadable: reading it will say so
        return parquet_decoded_size(metadata, wanted)
    size = file.stat().st_size
    compression = compression_of(file)
    if compression is None:
        return size
    if compression == "gzip" and size < GZIP_EXACT_BELOW:
        with file.open("rb") as handle:
            handle.seek(-4, 2)
            return max(size, int.from_bytes(handle.read(4), "little"))
    return None


def check_fits_in_memory(source: str, names: Sequence[str], decoded: int | None) -> None:
    """Refuse to read files into memory whose wanted columns would take more than
    `MEMORY_SHARE` of the machine's memory (known before reading: see `decoded_size`)."""
    memory = physical_memory()
    if decoded is None or memory is None or decoded <= MEMORY_SHARE * memory:
        return
    raise DataError(
        f"{source}: its columns {', '.join(names)} "
        f"take about {byte_size(decoded)} once read, more than half of this machine's memory "
        f"({byte_size(memory)}); the stream engine reads files in bounded memory (for the "
        "l2 and mse losses)"
    )


def physical_memory() -> int | None:
    """The machine's memory in bytes (None where the system does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None
