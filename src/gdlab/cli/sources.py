"""What DATA names on the command line: table files, statistics files, several targets.

`open_fit_data` turns `gdlab fit`'s DATA, --x and --y into what `prepare` reads: files of
rows (`FileSource`), kept statistics merged from `.gdstats` files (`KeptStatistics`), or
files with several targets read in one pass (`SeveralTargets`), each with its column of
sample weights (--weights) read beside it in the same pass. Nothing heavy is imported at
load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from gdlab.cli.options import open_data, split_names
from gdlab.errors import ConfigError


def target_names(y: str | None) -> list[str]:
    """The --y columns: one target, or several comma-separated."""
    return split_names(y, "--y") if y is not None else []


def open_fit_data(
    data: Sequence[Path],
    x: str | None,
    y: str | None,
    weights: str | None = None,
    read: Any = None,
    formula: str | None = None,
    degree: int | None = None,
    intercept: bool = True,
) -> Any:
    """The data `gdlab fit` trains on (see the module notes); --formula and --degree make
    the feature columns of one target's table files (`gdlab.data.designed`)."""
    from gdlab.onepass.keep import is_statistics_path

    kept = [is_statistics_path(path) for path in data]
    if any(kept):
        if not all(kept):
            raise ConfigError("give either table files or .gdstats statistics files as DATA")
        if weights:
            raise ConfigError("--weights: statistics files keep their weighting from gdlab stats")
        if formula is not None or degree is not None:
            raise ConfigError(
                "--formula and --degree make columns of rows; statistics files keep their "
                "columns from gdlab stats"
            )
        return open_kept(data, x, y)
    if len(data) != 1:
        raise ConfigError(
            f"give one DATA table (a file, a quoted glob or a directory), not {len(data)}"
        )
    ys = target_names(y)
    if len(ys) > 1:
        from gdlab.data.targets import open_targets

        if formula is not None or degree is not None:
            raise ConfigError("--formula and --degree fit one target: give one --y")
        if x is None:
            raise ConfigError(f"missing option '--x': name the column(s) of {data[0]} to use")
        from gdlab.data.files import FileSource

        several = open_targets(data[0], split_names(x, "--x"), ys, read)
        if weights and isinstance(several.joint, FileSource):
            several = replace(several, joint=several.joint.with_columns(weights=weights.strip()))
        return several
    return open_data(data[0], x, y, read, weights, formula, degree, intercept)


def refuse_save_of_kept(source: Any, save: Path | None) -> None:
    """A saved model keeps its data's fingerprint, which kept statistics cannot give."""
    from gdlab.onepass.keep import KeptStatistics

    if save is not None and isinstance(source, KeptStatistics):
        raise ConfigError(
            f"--save: a saved model keeps the fingerprint of its data's rows, and "
            f"{source.source} holds statistics, not rows; fit the data itself to save a model"
        )


def open_kept(data: Sequence[Path], x: str | None, y: str | None) -> Any:
    """Statistics files merged; --x and --y, when given, must be the files' own columns."""
    from gdlab.onepass.keep import open_statistics

    kept = open_statistics(data)
    if x is not None and tuple(split_names(x, "--x")) != kept.feature_names:
        raise ConfigError(
            f"{kept.source}: the statistics are of the features {','.join(kept.feature_names)}, "
            f"not --x {x}; leave --x out or give the same columns"
        )
    if y is not None and target_names(y) != [kept.target_name]:
        raise ConfigError(
            f"{kept.source}: the statistics are of the target {kept.target_name}, not --y {y}; "
            "leave --y out or give the same column"
        )
    return kept
