"""Atomic file writes: a failure never leaves a half-written result behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gdlab.errors import DataError

#: OS errors that mean the path given cannot take the file: the user's to fix (exit 2).
PATH_ERRORS = (
    FileExistsError,
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    The rename is atomic on POSIX, so readers see the old file or the new one, never a mix.
    """
    target = Path(path)
    if target.is_dir():
        raise DataError(f"{target}: is a folder; give a file name to write")
    make_folder(target.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except PATH_ERRORS as error:
        raise DataError(f"{target}: cannot write here ({error.strerror})") from None
    try:
        os.chmod(tmp_name, file_mode(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def make_folder(folder: str | os.PathLike[str]) -> Path:
    """Create `folder` (and its parents) if needed; a path that cannot be one is a DataError."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except PATH_ERRORS as error:
        where = error.filename or path
        raise DataError(f"{path}: cannot create this folder ({where}: {error.strerror})") from None
    return path


def file_mode(target: Path) -> int:
    """The mode a new file gets: the old file's, else the usual 0666 minus the umask."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))
