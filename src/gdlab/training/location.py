"""Where a run's data lives: the path as the user gave it, and the absolute path it had.

A run record and a saved model keep both — ``data.source`` as given (``points.csv``) and
``data.absolute_source`` as it resolved when the run read it (``/home/me/work/points.csv``)
— so a record read from another folder still finds its file, an exported script reads the
data from where it was, and a record whose file has moved says, in one line, how to point
at it (``{option}``, spelled ``--data`` on the command line).
"""

from __future__ import annotations

import os
from pathlib import Path

from gdlab.data.paths import GLOB_CHARACTERS, find_files
from gdlab.errors import DataError
from gdlab.training.record import DataInfo

#: Sources that name no file: the seed recipe, in-memory arrays, Dask collections.
NOT_FILES = frozenset({"seed", "arrays", "dask", ""})
#: The key of the absolute path in the record's ``data`` section.
ABSOLUTE_KEY = "absolute_source"


def absolute_source(source: str) -> str:
    """The absolute form of a file, directory or glob (``os.path.abspath``: links kept).

    >>> absolute_source("/data/../data/points.csv")
    '/data/points.csv'
    """
    return os.path.abspath(source)


def names_data(path: str) -> bool:
    """True when `path` is an existing file or directory, or a glob that matches a file."""
    try:
        if Path(path).exists():
            return True
    except (OSError, ValueError):  # a name no file can have (a NUL, too long)
        return False
    if not GLOB_CHARACTERS & set(path):
        return False
    try:  # each file once, links to folders not followed (`gdlab.data.paths`)
        files, _ = find_files(path)
    except DataError:
        return False
    return bool(files)


def data_location(info: DataInfo, where: str | None = None) -> str:
    """The path to read a record's data from: where it was (absolute), else as given.

    Raises a one-line `DataError` (prefixed with `where`, the record's name, when given)
    naming both places when neither holds the data any more.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> info = DataInfo("points.csv", 3, ("x",), "y", {ABSOLUTE_KEY: folder})
    >>> data_location(info) == folder
    True
    """
    prefix = f"{where}: " if where else ""
    if info.source in NOT_FILES:
        raise DataError(
            f"{prefix}the run's data came from in-memory arrays; pass the data with {{option}}",
            option="data",
        )
    if info.source.lower().endswith(".gdstats"):  # `gdlab stats` files: no rows in them
        raise DataError(
            f"{prefix}the run was fitted on statistics files ({info.source}), which keep no "
            "rows, and this picture draws the data's points: plot the run with its data "
            "(gdlab plot RUN.json --data FILE)"
        )
    absolute = info.details.get(ABSOLUTE_KEY)
    candidates = [absolute] if isinstance(absolute, str) and absolute else []
    candidates.append(info.source)
    for candidate in candidates:
        if names_data(candidate):
            return candidate
    was = f" (it was at {absolute})" if len(candidates) > 1 and absolute != info.source else ""
    raise DataError(
        f"{prefix}the run's data {info.source} is not there any more{was}; "
        "pass its new place with {option} FILE",
        option="data",
    )
