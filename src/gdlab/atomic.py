"""Writes that respect their target, and the files of one command committed as a set.

What a write does depends on what the path names (`write_target`):

* a regular file, or a name that does not exist yet, is replaced atomically: the bytes go
  to a hidden temporary file in the same folder, are flushed to disk, and the temporary
  file is renamed over the target, so readers see the old file or the new one, never a mix;
* a symbolic link is written through: the file it points to is replaced, the link stays;
* anything else that exists — a device (/dev/null, /dev/full), a FIFO, a terminal, or a
  file descriptor's alias such as /dev/stdout — is a stream: it is opened and written to,
  never replaced or removed.

Inside `output_set()` writes are only staged; when the block ends without an error they
are committed together, the streams written first, then every staged file renamed into
place by a small helper process in a session of its own, which a kill of gdlab (or of its
process group) cannot stop half-way: after any kill either all the files of the set are
the new ones or all are the old ones. An error in the block commits nothing.

Every failure (a full disk, a read-only file system, a folder that cannot be made) is a
`DataError` naming the path and the system's reason.
"""

from __future__ import annotations

import contextvars
import os
import re
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
#: Paths that name an open file descriptor rather than a file (written to as a stream).
DESCRIPTOR_ALIAS = re.compile(r"^/(dev/(stdout|stderr|stdin|fd/\d+)|proc/(self|\d+)/fd/\d+)$")
#: Symbolic links followed at most (the kernel's own limit is 40).
MAX_LINKS = 40
#: Signals the commit helper ignores while it renames (a Ctrl-C must not stop it midway).
COMMIT_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}
#: The commit helper: renames its arguments pairwise (temporary → final), in order.
RENAME_ALL = (
    "import os, sys\n"
    "names = sys.argv[1:]\n"
    "for tmp, final in zip(names[::2], names[1::2]):\n"
    "    os.replace(tmp, final)\n"
)


@dataclass(frozen=True)
class WriteTarget:
    """Where a write lands: `path` (the file itself, links followed) and how (`stream`)."""

    path: Path
    stream: bool
    descriptor: int | None = None


def write_target(path: str | os.PathLike[str]) -> WriteTarget:
    """What writing to `path` means: replace a regular file, or write to a stream.

    Symbolic links are followed one by one, so a link to a file is written through and a
    link to /dev/stdout is a stream.

    >>> write_target("/dev/null").stream, write_target("/tmp/new-file.json").stream
    (True, False)
    """
    current = os.path.abspath(os.fspath(path))
    for _ in range(MAX_LINKS):
        alias = DESCRIPTOR_ALIAS.match(current)
        if alias:
            number = current.rsplit("/", 1)[-1]
            named = {"stdout": 1, "stderr": 2, "stdin": 0}
            own = current.startswith("/dev/") or "/self/" in current
            descriptor = named.get(number, int(number) if number.isdigit() else None)
            return WriteTarget(Path(current), True, descriptor if own else None)
        if not os.path.islink(current):
            break
        current = os.path.join(os.path.dirname(current), os.readlink(current))
        current = os.path.abspath(current)
    else:
        raise DataError(f"{path}: too many levels of symbolic links")
    target = Path(current)
    try:
        mode = target.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # new; a folder on the way may be made
        return WriteTarget(target, False)
    except OSError as error:
        raise DataError(f"{path}: cannot write here ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise DataError(f"{path}: is a folder; give a file name to write")
    return WriteTarget(target, not stat.S_ISREG(mode))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` as its target asks (see the module notes); return `path`.

    A regular file is replaced through a temporary file in the same folder, so readers
    see the old file or the new one, never a mix. Inside `output_set()` it is only staged.
    """
    target = write_target(path)
    staging = STAGING.get()
    if staging is not None:
        staging.stage(Path(path), target, data)
    elif target.stream:
        write_stream(path, target, data)
    else:
        temporary = stage_file(target.path, data)
        try:
            os.replace(temporary, target.path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise DataError(f"{path}: cannot write here ({error.strerror})") from None
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def stage_file(target: Path, data: bytes) -> str:
    """`data` in a new temporary file beside `target`, flushed to disk; its name."""
    make_folder(target.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise DataError(f"{target}: cannot write here ({error.strerror or error})") from None
    try:
        os.chmod(name, file_mode(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as error:
        Path(name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise DataError(f"{target}: cannot write here ({reason})") from None
        raise
    return name


def write_stream(path: str | os.PathLike[str], target: WriteTarget, data: bytes) -> None:
    """Write `data` to a device, FIFO or descriptor as a stream (nothing is replaced)."""
    descriptor = target.descriptor
    try:
        if descriptor is not None:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
            write_all(descriptor, data)
            return
        fd = os.open(target.path, os.O_WRONLY | os.O_APPEND)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as error:
        raise DataError(f"{path}: cannot write here ({error.strerror or error})") from None


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out (pipes may take less than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def make_folder(folder: str | os.PathLike[str]) -> Path:
    """Create `folder` (and its parents) if needed; a path that cannot be one is a DataError."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
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


@dataclass
class OutputSet:
    """Files staged by the writes of one command, committed together (see `output_set`)."""

    files: dict[Path, str] = field(default_factory=dict)
    streams: list[tuple[Path, WriteTarget, bytes]] = field(default_factory=list)

    def stage(self, given: Path, target: WriteTarget, data: bytes) -> None:
        """Stage one write: a stream's bytes are kept, a file goes to a temporary name."""
        if target.stream:
            self.streams.append((given, target, data))
            return
        previous = self.files.pop(target.path, None)
        if previous is not None:
            Path(previous).unlink(missing_ok=True)
        self.files[target.path] = stage_file(target.path, data)

    def discard(self) -> None:
        """Remove every staged temporary file; nothing is committed."""
        for temporary in self.files.values():
            Path(temporary).unlink(missing_ok=True)
        self.files.clear()
        self.streams.clear()

    def commit(self) -> None:
        """Write the streams, then rename every staged file into place in one helper run."""
        for given, target, data in self.streams:
            write_stream(given, target, data)
        moves = [(temporary, final) for final, temporary in self.files.items()]
        self.files.clear()
        try:
            rename_together(moves)
        except OSError as error:
            for temporary, _ in moves:
                Path(temporary).unlink(missing_ok=True)
            raise DataError(f"cannot put the outputs in place ({error.strerror})") from None


STAGING: contextvars.ContextVar[OutputSet | None] = contextvars.ContextVar(
    "gdlab_output_set", default=None
)


@contextmanager
def output_set() -> Iterator[OutputSet]:
    """Stage every write made within; commit them all at the end, or none on an error.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with output_set():
    ...     _ = atomic_write_text(folder / "a.txt", "new a")
    ...     _ = atomic_write_text(folder / "b.txt", "new b")
    ...     (folder / "a.txt").exists()
    False
    >>> (folder / "a.txt").read_text(), (folder / "b.txt").read_text()
    ('new a', 'new b')
    """
    outer = STAGING.get()
    if outer is not None:  # nested: the outer set commits these writes with its own
        yield outer
        return
    staged = OutputSet()
    token = STAGING.set(staged)
    try:
        yield staged
    except BaseException:
        staged.discard()
        raise
    finally:
        STAGING.reset(token)
    staged.commit()


def rename_together(moves: list[tuple[str, Path]]) -> None:
    """Rename each temporary file to its final name, all or (after a kill) none.

    One rename is atomic by itself. Several are done by a helper process started in a
    session of its own with the usual stop signals blocked, so nothing sent to gdlab or
    its process group stops it between two renames; gdlab waits for it to finish.
    """
    if len(moves) == 1:
        os.replace(*moves[0])
    if len(moves) <= 1:
        return
    arguments = [os.fsencode(name) for pair in moves for name in (pair[0], os.fspath(pair[1]))]
    if not sys.executable:  # an embedded interpreter: no helper to start
        for temporary, final in moves:
            os.replace(temporary, final)
        return
    pid = os.posix_spawn(
        sys.executable,
        [os.fsencode(sys.executable), b"-I", b"-S", b"-c", RENAME_ALL.encode(), *arguments],
        os.environ,
        setsid=True,
        setsigmask=COMMIT_SIGNALS,
    )
    status = wait_for(pid)
    if status != 0:
        missing = [temporary for temporary, _ in moves if os.path.exists(temporary)]
        for temporary, final in moves:  # the helper failed: finish here what it left
            if temporary in missing:
                os.replace(temporary, final)


def wait_for(pid: int) -> int:
    """The exit status of child `pid`; waits on through a Ctrl-C, then re-raises it."""
    interrupted: BaseException | None = None
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except KeyboardInterrupt as error:  # the helper goes on; so does the wait
            interrupted = error
    if interrupted is not None:
        raise interrupted
    return os.waitstatus_to_exitcode(status)
