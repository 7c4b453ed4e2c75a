"""What a CSV file is made of: its compression, text encoding and column separator.

`csv_format` reads the first `SAMPLE_BYTES` of a file (decompressed: ``.csv.gz`` and the
like are read as pyarrow reads them) and decides, unless `ReadOptions` say: the encoding
(UTF-8, or UTF-16 when the file starts with its byte-order mark) and the separator (the
one of ``, ; tab |`` that splits the first lines into the same number of fields, at least
two). Text that is not in the encoding is a one-line `DataError` saying how to read it.
`open_stream` opens a file for pyarrow's readers together with a count of the bytes read
from disk (a compressed stream cannot say where it is, its file can).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdlab.data.options import SNIFFED_DELIMITERS, ReadOptions
from gdlab.errors import DataError

if TYPE_CHECKING:
    pass

#: Bytes read to recognise the encoding and separator.
SAMPLE_BYTES = 64 * 1024
#: Lines of the sample compared to recognise the separator.
SNIFF_LINES = 50
#: Compressed files pyarrow reads, by suffix.
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".lz4": "lz4"}
#: Byte-order marks and the encoding they announce.
BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@dataclass(frozen=True)
class CsvFormat:
    """How to read one CSV file: its encoding (a Python codec name) and separator."""

    encoding: str = "utf-8"
    delimiter: str = ","

    def read_options(self, **settings: Any) -> Any:
        """pyarrow's `csv.ReadOptions` for this file (plus block size, skipped rows…)."""
        from pyarrow import csv as arrow_csv

        encoding = "utf8" if self.encoding == "utf-8" else self.encoding
        return arrow_csv.ReadOptions(encoding=encoding, **settings)

    def parse_options(self) -> Any:
        """pyarrow's `csv.ParseOptions` with this file's separator."""
        from pyarrow import csv as arrow_csv

        return arrow_csv.ParseOptions(delimiter=self.delimiter)


def compression_of(file: Path) -> str | None:
    """The compression a file's suffix names (gzip for .gz, …), or None."""
    return COMPRESSIONS.get(file.suffix.lower())


def open_stream(file: Path) -> tuple[Any, Callable[[], int]]:
    """A pyarrow input stream of the file's (decompressed) bytes, and the bytes read so far
    from the file itself (what a progress bar over file sizes counts)."""
    import pyarrow as pa

    raw = pa.OSFile(str(file), "rb")
    compression = compression_of(file)
    if compression is None:
        return raw, raw.tell
    return pa.CompressedInputStream(raw, compression), raw.tell


def read_sample(file: Path) -> bytes:
    """The first `SAMPLE_BYTES` of the file's (decompressed) content."""
    stream, _ = open_stream(file)
    with stream:
        return bytes(stream.read(SAMPLE_BYTES))


def csv_format(file: Path, options: ReadOptions | None = None) -> CsvFormat:
    """The file's encoding and separator: as `options` give them, else recognised.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp(), "t.csv")
    >>> _ = path.write_bytes("x;y\\n1,5;2\\n".encode("utf-16"))
    >>> csv_format(path)
    CsvFormat(encoding='utf-16', delimiter=';')
    """
    import pyarrow as pa

    options = options or ReadOptions()
    try:
        sample = read_sample(file)
    except (OSError, pa.ArrowException) as error:
        raise DataError(f"{file}: cannot be read ({str(error).splitlines()[0]})") from None
    encoding = options.encoding or announced_encoding(sample) or "utf-8"
    if options.encoding is None and encoding == "utf-8" and looks_like_utf16(sample):
        raise not_in_encoding(file, encoding, sample, None)  # NULs are valid UTF-8
    text = decode_sample(file, sample, encoding, complete=len(sample) < SAMPLE_BYTES)
    return CsvFormat(encoding, options.delimiter or sniff_delimiter(text))


def announced_encoding(sample: bytes) -> str | None:
    """The encoding a byte-order mark at the start announces, or None."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if sample.startswith(mark):
            return encoding
    return None


def decode_sample(file: Path, sample: bytes, encoding: str, complete: bool) -> str:
    """The sample as text; bytes that are not `encoding` are a `DataError` saying what to do."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return str(decoder.decode(sample, final=complete))
    except UnicodeDecodeError as error:
        raise not_in_encoding(file, encoding, sample, error.start) from None


def not_in_encoding(file: Path, encoding: str, sample: bytes, at: int | None) -> DataError:
    """The one-line error for text that is not in `encoding`, with a guess when one fits."""
    where = (
        f" (byte 0x{sample[at]:02x} at offset {at})" if at is not None and at < len(sample) else ""
    )
    name = "UTF-8" if encoding == "utf-8" else encoding
    return DataError(
        f"{file}: the text is not {name}{where}{guess_encoding(sample)}; give the file's "
        "encoding with {option}, e.g. {option} cp949 (Korean Excel) or {option} cp1252 "
        "(Western European Excel)",
        option="encoding",
    )


def looks_like_utf16(sample: bytes) -> bool:
    """True when a quarter of the bytes are NUL: text in UTF-16 (no table has NULs)."""
    return bool(sample) and sample.count(0) >= len(sample) // 4


def guess_encoding(sample: bytes) -> str:
    """A note when the bytes read well as Korean (cp949) or look like UTF-16 without a mark."""
    if looks_like_utf16(sample):
        order = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        return f"; it looks like UTF-16 without a byte-order mark ({order})"
    try:
        text = sample.decode("cp949")
    except UnicodeDecodeError:
        return ""
    if any("\uac00" <= character <= "\ud7a3" for character in text):
        return "; it reads as Korean text in cp949"
    return ""


def sniff_delimiter(text: str) -> str:
    """The separator of ``, ; tab |`` that splits the first lines alike into the most fields.

    A candidate must give the header at least two fields; among those, the one that gives
    the most lines the header's count wins (ties: the more fields, then the order above).
    Without one, a comma (a file of one column).

    >>> sniff_delimiter("a;b\\n1,5;2,5\\n"), sniff_delimiter("a\\tb\\n1\\t2\\n")
    (';', '\\t')
    >>> sniff_delimiter("a\\n1\\n")
    ','
    """
    lines = [line for line in text.splitlines()[:SNIFF_LINES] if line.strip()]
    best, best_score = ",", (0, 0)
    for candidate in SNIFFED_DELIMITERS:
        try:
            counts = [
                len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=candidate)
            ]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(count == counts[0] for count in counts), counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best
