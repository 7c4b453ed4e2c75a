"""A line on stderr for a pass that takes more than a second.

On a terminal the stream pass draws rich's progress bar. Elsewhere — a log file, a pipe, a
notebook — and for passes without a bar (files read into memory, a pass on a Dask
cluster), `progress_lines` writes one line once the pass has run for `FIRST_LINE_SECONDS`
and another every `EVERY_SECONDS` while it goes on, so no command works for minutes
without saying so. A pass that ends sooner prints nothing.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

#: The first line comes after this many seconds of work …
FIRST_LINE_SECONDS = 1.0
#: … and the next ones this often.
EVERY_SECONDS = 15.0
#: Passes over less data than this take no progress lines: a second spent on so little is
#: the cost of starting up (imports, a local cluster), which no line would explain.
SMALL_PASS_BYTES = 8 * 2**20


@dataclass
class PassProgress:
    """How far a pass is: `done` of `total` bytes (total None: unknown)."""

    what: str
    total: int | None = None
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        """'gdlab: reading big.csv (1.2 GB): 40% after 6 s'."""
        size = f" ({byte_size(self.total)})" if self.total else ""
        share = f": {100 * self.done / self.total:.0f}%" if self.total and self.done else ""
        return f"gdlab: {self.what}{size}{share} after {time.monotonic() - self.started:.0f} s"


@contextmanager
def progress_lines(
    what: str, total: int | None = None, stream: IO[str] | None = None
) -> Iterator[PassProgress]:
    """Within: a line on `stream` (stderr) after a second, then every `EVERY_SECONDS`
    (nothing for a pass over fewer than `SMALL_PASS_BYTES` bytes, when `total` is known).

    >>> with progress_lines("reading data.csv", 100) as progress:
    ...     progress.done = 50  # a pass this small prints nothing
    """
    progress = PassProgress(what, total)
    if total is not None and total < SMALL_PASS_BYTES:
        yield progress
        return
    finished = threading.Event()

    def report() -> None:
        wait = FIRST_LINE_SECONDS
        while not finished.wait(wait):
            print(progress.line(), file=stream or sys.stderr, flush=True)
            wait = EVERY_SECONDS

    reporter = threading.Thread(target=report, name="gdlab-progress", daemon=True)
    reporter.start()
    try:
        yield progress
    finally:
        finished.set()
        reporter.join()


def byte_size(count: int) -> str:
    """A byte count for people.

    >>> byte_size(1_500_000_000), byte_size(119_177_915), byte_size(2048), byte_size(10)
    ('1.5 GB', '119 MB', '2 KB', '10 bytes')
    """
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if count >= size:
            value = count / size
            return f"{value:.0f} {unit}" if value >= 100 else f"{value:.2g} {unit}"
    return f"{count} bytes"
