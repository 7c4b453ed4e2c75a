"""How to read a table: the options of reading the data, declared once.

`ReadOptions` holds what a file may need said about itself — the separator between a
CSV file's columns, its text encoding — and what to do with rows that lack a value. They
are options of the data, not of training: the command line offers each as a flag of the
commands that read data (`fit`, `explain`, `predict`), generated from the `ReadOption`
declarations here (`gdlab.cli.options.read_options`), and Python takes them as keywords
of `read_table` and `open_files`. An error about one names it as ``{option}``
(`gdlab.errors.GdlabError.spelled`): ``missing`` in Python, ``--missing`` on the command line.

>>> ReadOptions(delimiter="tab", missing="drop")
ReadOptions(missing='drop', delimiter='\\t', encoding=None)
>>> ReadOptions(missing="skip")
Traceback (most recent call last):
...
gdlab.errors.ConfigError: unknown missing 'skip'; choose one of: error, drop
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from gdlab.errors import ConfigError

#: What to do with a row that has a missing value in a column used.
MISSING_CHOICES = ("error", "drop")
#: Separators by the names a command line can type without quoting.
DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
#: Separators recognised in a file when none is given, most likely first.
SNIFFED_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class ReadOption:
    """How one read option is declared: its help text (the flag is ``--name``)."""

    help: str


def read_option(default: Any, help: str) -> Any:
    """A dataclass field of `ReadOptions` with its `ReadOption` declaration."""
    return field(default=default, metadata={"option": ReadOption(help)})


@dataclass(frozen=True)
class ReadOptions:
    """How to read the data's files (see the module notes)."""

    missing: str = read_option(
        "error",
        "A row with a missing value in a column used: error (stop and say where) or drop "
        "(leave the row out and say how many).",
    )
    delimiter: str | None = read_option(
        None,
        "The separator between a CSV file's columns: ',', ';', tab or '|' (default: "
        "recognised from the file).",
    )
    encoding: str | None = read_option(
        None,
        "The text encoding of CSV files, e.g. cp949 (Korean Excel), cp1252, utf-16 "
        "(default: UTF-8, or UTF-16 with a byte-order mark).",
    )

    def __post_init__(self) -> None:
        if self.missing not in MISSING_CHOICES:
            raise ConfigError(
                f"unknown missing {self.missing!r}; choose one of: {', '.join(MISSING_CHOICES)}",
                option="missing",
            )
        object.__setattr__(self, "delimiter", check_delimiter(self.delimiter))
        object.__setattr__(self, "encoding", check_encoding(self.encoding))

    @property
    def drops_missing(self) -> bool:
        """True when rows with a missing value are left out rather than refused."""
        return self.missing == "drop"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ReadOptions:
        """Read options from keywords; an unknown name is a `ConfigError` listing them."""
        known = [name for name, _, _ in declared_read_options()]
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ConfigError(
                f"unknown read option {', '.join(map(repr, unknown))}; the options are: "
                + ", ".join(known)
            )
        return cls(**options)


def recorded_read_options(details: Mapping[str, Any]) -> ReadOptions:
    """The read options a run record's `data` section kept (``read_options``), so its data
    is read again as it was read for the run.

    >>> recorded_read_options({"read_options": {"delimiter": ";"}}).delimiter
    ';'
    """
    given = details.get("read_options")
    if not isinstance(given, Mapping):
        return ReadOptions()
    known = {name for name, _, _ in declared_read_options()}
    return ReadOptions(**{key: value for key, value in given.items() if key in known})


def declared_read_options() -> Iterator[tuple[str, ReadOption, Any]]:
    """(name, `ReadOption`, default) of every read option, in declaration order."""
    for declared in fields(ReadOptions):
        yield declared.name, declared.metadata["option"], declared.default


def check_delimiter(value: str | None) -> str | None:
    """One separator character (names such as 'tab' accepted), or None to recognise it.

    >>> check_delimiter("semicolon"), check_delimiter(None)
    (';', None)
    """
    if value is None or value == "auto":
        return None
    separator = DELIMITER_NAMES.get(value.lower(), value) if isinstance(value, str) else value
    if not isinstance(separator, str) or len(separator) != 1 or separator in '"\r\n':
        raise ConfigError(
            f"{{option}} must be one character such as ',', ';', '|' or the word tab, "
            f"got {value!r}",
            option="delimiter",
        )
    return separator


def check_encoding(value: str | None) -> str | None:
    """A text encoding Python knows (its canonical name), or None for UTF-8.

    >>> check_encoding("CP949"), check_encoding("utf_8")
    ('cp949', 'utf-8')
    """
    if value is None:
        return None
    try:
        return codecs.lookup(value).name
    except (LookupError, TypeError):
        raise ConfigError(
            f"{{option}}: unknown text encoding {value!r} (e.g. utf-8, cp949, cp1252, utf-16)",
            option="encoding",
        ) from None
