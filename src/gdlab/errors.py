"""The errors gdlab raises on purpose: each one a clear, one-line message for the user.

The command line turns them into exit codes (docs/design.md, "Public contracts"):
`DataError` and `ConfigError` mean bad input (exit 2), `DivergedError` a run that blew up
(exit 3).
"""

from __future__ import annotations

import importlib.util
import sys


class GdlabError(Exception):
    """Base of every error gdlab raises on purpose; its message is meant for the user.

    An error about one training option names it in its message as ``{option}``; each caller
    spells it its own way (`spelled`): Python and the web as the keyword (``l2``), the
    command line as the flag (``--l2``), the scikit-learn estimator as its parameter.

    >>> error = ConfigError("{option} must be ≥ 0, got -1", option="l2")
    >>> str(error), error.spelled("--l2")
    ('l2 must be ≥ 0, got -1', '--l2 must be ≥ 0, got -1')
    """

    exit_code = 1

    def __init__(self, message: str, *, option: str | None = None) -> None:
        self.option = option
        self.template = message
        super().__init__(message.replace("{option}", option) if option else message)

    def spelled(self, name: str) -> str:
        """The message with its option written as `name`."""
        return self.template.replace("{option}", name) if self.option else str(self)


class DataError(GdlabError, ValueError):
    """The data cannot be used: a missing file, an unknown column, a bad cell…"""

    exit_code = 2


class ConfigError(GdlabError, ValueError):
    """A setting is out of range or inconsistent (lr ≤ 0, steps < 1, wrong --init count…)."""

    exit_code = 2


class DivergedError(GdlabError):
    """Training diverged; carries the partial run so callers can still show it (and, like
    every error, may name the option to change as ``{option}``)."""

    exit_code = 3

    def __init__(self, message: str, run: object | None = None, *, option: str | None = None):
        super().__init__(message, option=option)
        self.run = run


class LearningRateWarning(UserWarning):
    """The learning rate is at or above the stable bound for this data: the run will diverge."""


#: The optional extras and the modules each one installs (as they are imported).
EXTRAS = {
    "web": ("fastapi", "uvicorn", "plotly", "python_multipart"),
    "dask": ("dask", "distributed"),
    "sklearn": ("sklearn",),
    "formula": ("formulaic", "pandas"),
    "fast": ("numba",),
}


class MissingExtraError(ConfigError):
    """An optional part of gdlab is not installed; the message names the extra to install."""


def require_extra(extra: str, what: str) -> None:
    """Raise a `MissingExtraError` (exit 2) unless every module of `extra` is installed:
    one line that says which extra brings what is missing (`what` needs it)."""
    missing = [name for name in EXTRAS[extra] if not installed(name)]
    if missing:
        raise MissingExtraError(
            f"{what} needs the '{extra}' extra, which brings {', '.join(missing)}: "
            f"pip install 'gdlab[{extra}]'"
        )


def installed(module: str) -> bool:
    """True when `module` can be imported (found on the path, or imported already).

    >>> installed("json"), installed("no_such_module_anywhere")
    (True, False)
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ValueError, ImportError):  # in sys.modules without a spec, or a broken parent
        return sys.modules.get(module) is not None


class DataWarning(UserWarning):
    """Something about the data a user should know that does not stop the run: rows left
    out for a missing value, integers float64 rounds, columns that make the fit ambiguous."""
