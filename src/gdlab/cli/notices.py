"""What the command line prints besides its output: one clean line per message on stderr.

`printable` escapes what a hostile input could use to drive the terminal. `warnings_as_lines`
shows every warning raised while a command runs as ``gdlab: warning: …`` (never Python's
two-line form with a file name and a source line); gdlab's own `LearningRateWarning` is
shown even where warnings are filtered, since the command line promises it.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


def printable(message: str) -> str:
    """`message` on one line, control characters (a NUL, an escape sequence) shown escaped.

    >>> printable("bad column 'x\\x1b[2J'\\n  in a.csv")
    "bad column 'x\\\\x1b[2J' in a.csv"
    """
    line = " ".join(message.split())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def warning_line(message: Warning | str) -> str:
    """The line a warning is shown as.

    >>> warning_line(UserWarning("lr is  too large"))
    'gdlab: warning: lr is too large'
    """
    return f"gdlab: warning: {printable(str(message))}"


@contextmanager
def warnings_as_lines(stream: TextIO | None = None) -> Iterator[None]:
    """Within: each warning shown is one `warning_line` on `stream` (default: stderr).

    The warning filters and `warnings.showwarning` are restored on exit.
    """
    from gdlab.errors import DataWarning, LearningRateWarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        print(warning_line(message), file=stream if stream is not None else sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", LearningRateWarning)
        warnings.simplefilter("always", DataWarning)
        warnings.showwarning = show
        yield
