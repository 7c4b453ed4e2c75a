"""Ctrl-C ends every command the same way: exit 130 and one line, "gdlab: interrupted".

While a command runs, the command line's own SIGINT handler records the interrupt, then
raises KeyboardInterrupt as Python's does. The record is what counts: an interrupt that a
library turns into something else (typer's silent exit 130, a SystemError inside an
import, a read error) or swallows is still seen when the command ends, and the command
then ends as interrupted, never with exit 0. Before the command starts (the imports of
the `gdlab` program) and after it ends (the interpreter's shutdown) an interrupt is only
recorded, and the program exits 130 as soon as it can: its last exit handler ends it
(`exit_if_interrupted`), before Python's teardown could lose the signal.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

#: The line every interrupted command ends with, and its exit status.
MESSAGE = "gdlab: interrupted"
EXIT_STATUS = 130


@dataclass
class Watch:
    """Whether an interrupt arrived while a command was watched, and whether it was said."""

    interrupted: bool = False
    reported: bool = False


#: Interrupts while no command is watched (startup, shutdown): only recorded.
UNWATCHED = Watch()
#: The exit status the program is ending with (set by `exit_program`).
ENDING: list[int] = []
#: The watches of the commands running now, innermost last.
WATCHES: list[Watch] = []


def in_main_thread() -> bool:
    """Signal handlers can only be set from the main thread."""
    return threading.current_thread() is threading.main_thread()


def record_only(signum: int, frame: FrameType | None) -> None:
    """A SIGINT handler that only records the interrupt (before and after a command)."""
    UNWATCHED.interrupted = True


def defer_during_startup() -> None:
    """As the `gdlab` program starts, record a Ctrl-C instead of raising it mid-import."""
    program = os.path.basename(sys.argv[0]) if sys.argv else ""
    if in_main_thread() and program in ("gdlab", "__main__.py", "-m"):
        signal.signal(signal.SIGINT, record_only)
        atexit.register(exit_if_interrupted)  # registered first, so it runs last


@contextmanager
def watching() -> Iterator[Watch]:
    """Within: a SIGINT is recorded on the yielded `Watch`, then raised (KeyboardInterrupt).

    An interrupt recorded during startup counts as one in the command.
    """
    watch = Watch(interrupted=UNWATCHED.interrupted)
    UNWATCHED.interrupted = False
    if not in_main_thread():
        WATCHES.append(watch)
        try:
            yield watch
        finally:
            WATCHES.remove(watch)
        return

    def record_and_raise(signum: int, frame: FrameType | None) -> None:
        watch.interrupted = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, record_and_raise)
    WATCHES.append(watch)
    try:
        yield watch
    finally:
        WATCHES.remove(watch)
        signal.signal(signal.SIGINT, previous)


def current() -> Watch | None:
    """The watch of the command running now (None outside a command)."""
    return WATCHES[-1] if WATCHES else None


def exit_program(code: int) -> None:
    """sys.exit(code) for the `gdlab` program; a Ctrl-C during shutdown still ends in 130."""
    ENDING.append(code)
    if in_main_thread():
        signal.signal(signal.SIGINT, record_only)
    sys.exit(code)


def exit_if_interrupted() -> None:
    """The program's last exit handler: it ends the program here, with 130 when an
    interrupt was recorded at any point (and the one line, unless it was said already).

    Python's own teardown would come after this, and it gives SIGINT its default action
    back: a Ctrl-C then (or a signal pyarrow held back and re-sends) would kill the process
    or be lost. Nothing is left to do by then but free memory, so the program ends first.
    """
    if not ENDING:  # the command did not finish through `exit_program`: leave it be
        return
    code = ENDING[-1]
    if UNWATCHED.interrupted and code != EXIT_STATUS:
        print(MESSAGE, file=sys.stderr)
        code = EXIT_STATUS
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe, a closed stream
            pass
    os._exit(code)
