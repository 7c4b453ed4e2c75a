"""Files that change while gdlab reads them: noticed, and refused.

A `FileStamp` is what the file system says of a file — device, inode, size and
modification time (nanoseconds). A read takes the stamp before it starts and compares it
after it ends (`check_unchanged`): a file appended to, truncated, rewritten or replaced
during the pass gives another stamp, and the pass is refused with a one-line `DataError`,
so no run trains on part of one version and part of another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gdlab.errors import DataError


@dataclass(frozen=True)
class FileStamp:
    """A file's identity and state: (device, inode), size in bytes, mtime in ns."""

    device: int
    inode: int
    size: int
    modified_ns: int


def stamp(file: Path) -> FileStamp:
    """The file's stamp now (a `DataError` when it cannot be looked at)."""
    try:
        info = os.stat(file)
    except FileNotFoundError:
        raise DataError(f"{file}: no such file") from None
    except OSError as error:
        raise DataError(f"{file}: cannot be read ({error.strerror})") from None
    return FileStamp(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def check_unchanged(file: Path, before: FileStamp) -> None:
    """Raise a `DataError` when the file is not as `before` said (changed during the read).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp(), "d.csv")
    >>> _ = path.write_text("x,y\\n1,2\\n")
    >>> before = stamp(path)
    >>> _ = path.write_text("x,y\\n")
    >>> check_unchanged(path, before)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdlab.errors.DataError: ...d.csv: changed while gdlab read it (size 8 → 4 bytes), so ...
    """
    try:
        after = stamp(file)
    except DataError:
        raise DataError(f"{file}: was removed while gdlab read it") from None
    if after == before:
        return
    if (after.device, after.inode) != (before.device, before.inode):
        what = "was replaced by another file"
    elif after.size != before.size:
        what = f"changed while gdlab read it (size {before.size} → {after.size} bytes)"
    else:
        what = "was modified while gdlab read it"
    raise DataError(
        f"{file}: {what}, so what was read is not one version of it; run again once "
        "the file is complete"
    )
