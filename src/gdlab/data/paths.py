"""Which files a path names: itself, the matches of a glob, or a directory's table files.

Each file is visited once: matches are kept in sorted order and a file reached again
through another name (a link, an alias of a folder) is left out, by its resolved path. A
recursive ``**`` never descends into a link to a folder, so links that loop cannot hang the
search and an alias of a folder cannot read its files twice. Whatever was left out — links
not followed, files met twice, broken links, entries that are not regular files — is said
in a `DataWarning`.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from gdlab.errors import DataError, DataWarning

#: File names a directory source picks up.
TABLE_SUFFIXES = (".csv", ".parquet", ".pq", ".parq")
GLOB_CHARACTERS = frozenset("*?[")
#: Names listed at most in a note.
LISTED = 5


def resolve_files(path: str) -> tuple[Path, ...]:
    """The files `path` names, each once (see the module notes); notes become warnings.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x,y\\n1,2\\n")
    >>> (folder / "loop").symlink_to(folder)
    >>> [file.name for file in resolve_files(str(folder / "**" / "*.csv"))]  # doctest: +SKIP
    ['a.csv']
    """
    files, notes = find_files(path)
    for note in notes:
        warnings.warn(DataWarning(note), stacklevel=3)
    return files


def find_files(path: str) -> tuple[tuple[Path, ...], list[str]]:
    """The files `path` names, each once, and notes on what was left out."""
    if GLOB_CHARACTERS & set(path) and not Path(path).exists():
        return glob_files(path)
    where = Path(path)
    if not where.exists():
        if where.is_symlink():
            raise DataError(f"{where}: a broken link (it points to {os.readlink(where)})")
        raise DataError(f"{where}: no such file")
    if where.is_dir():
        try:
            entries = sorted(where.iterdir())
        except OSError as error:
            raise DataError(f"{where}: cannot list this folder ({error.strerror})") from None
        tables = [entry for entry in entries if entry.suffix.lower() in TABLE_SUFFIXES]
        files, notes = unique_files(tables, str(where))
        if not files:
            raise DataError(f"{where}: is a directory with no CSV or Parquet files in it")
        return files, notes
    return (where,), []


def glob_files(pattern: str) -> tuple[tuple[Path, ...], list[str]]:
    """The files matching a glob (``**`` matches folders at any depth, links not followed)."""
    root, rest = split_pattern(pattern)
    hidden_ok = any(part.startswith(".") for part in rest)
    try:
        matches = sorted(
            match
            for match in root.glob("/".join(rest))
            if hidden_ok or not any(part.startswith(".") for part in match.relative_to(root).parts)
        )
    except OSError as error:
        raise DataError(f"{pattern}: cannot search here ({error.strerror})") from None
    files, notes = unique_files(matches, pattern)
    if "**" in rest:
        links = folder_links(root)
        if links:
            notes.insert(0, f"{pattern}: did not follow {counted(links, 'link')} to folders "
                         f"({named(links, root)}), so no file is read twice; name a linked "
                         "folder in the pattern to read it")  # fmt: skip
    if not files:
        raise DataError(f"{pattern}: no files match this pattern")
    return files, notes


def split_pattern(pattern: str) -> tuple[Path, list[str]]:
    """(the folder before the first wildcard, the pattern's parts from there on)."""
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if GLOB_CHARACTERS & set(part))
    root = Path(*parts[:first]) if first else Path(".")
    return root, list(parts[first:])


def folder_links(root: Path) -> list[Path]:
    """Links to folders anywhere below `root` (without following any link)."""
    found = []
    for folder, subfolders, _ in os.walk(root, followlinks=False):
        for name in subfolders:
            entry = Path(folder, name)
            if entry.is_symlink():
                found.append(entry)
    return sorted(found)


def unique_files(candidates: list[Path], where: str) -> tuple[tuple[Path, ...], list[str]]:
    """The regular files among `candidates`, each resolved file once, and notes on the rest."""
    seen: dict[str, Path] = {}
    twice, broken, odd = [], [], []
    for candidate in candidates:
        if candidate.is_symlink() and not candidate.exists():
            broken.append(candidate)
            continue
        if candidate.is_dir():
            continue
        if not candidate.is_file():
            odd.append(candidate)
            continue
        real = os.path.realpath(candidate)
        if real in seen:
            twice.append(f"{candidate} = {seen[real]}")
            continue
        seen[real] = candidate
    notes = []
    if twice:
        shown = "; ".join(twice[:LISTED]) + ("; …" if len(twice) > LISTED else "")
        notes.append(f"{where}: read once {counted(twice, 'file')} that two names reach ({shown})")
    if broken:
        notes.append(f"{where}: skipped {counted(broken, 'broken link')} ({named(broken)})")
    if odd:
        notes.append(f"{where}: skipped what is not a regular file ({named(odd)})")
    return tuple(seen.values()), notes


def counted(items: list, noun: str) -> str:
    """'1 link', '3 links'."""
    return f"{len(items)} {noun if len(items) == 1 else noun + 's'}"


def named(paths: list[Path], root: Path | None = None) -> str:
    """The first few paths (relative to `root` when given), for a note."""
    shown = [str(path.relative_to(root) if root else path) for path in paths[:LISTED]]
    return ", ".join(shown) + (", …" if len(paths) > LISTED else "")
