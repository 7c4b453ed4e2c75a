"""`gdlab stats`: make the one pass over data and keep its statistics in a `.gdstats` file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.options import XOption, YOption


def stats_command(
    data: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet file, a glob of them, or a directory.", show_default=False
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(help="The statistics file to write (FILE.gdstats).", show_default=False),
    ],
    x: XOption = None,
    y: YOption = None,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Column of sample weights (weighted least squares: row i counts wᵢ times); "
            "the files are then read into memory.",
        ),
    ] = None,
    no_intercept: Annotated[
        bool, typer.Option("--no-intercept", help="Statistics of y = Xw, without the bias b.")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            help="How the pass runs: auto, stats (in memory), stream (files in bounded "
            "memory) or dask."
        ),
    ] = "auto",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (with --engine dask).")
    ] = None,
) -> None:
    """Keep the one-pass statistics of DATA (the R factor of [A | y]) in a small file.

    `gdlab fit FILE.gdstats …` trains on them without the data; statistics files of the
    same columns (one per day, per shard, per machine) merge exactly: `gdlab fit
    'parts/*.gdstats'` fits all their rows at once. The format is in docs/statistics.md.

    Example: gdlab stats day1.csv --x x1,x2 --y y --out day1.gdstats
    """
    from gdlab.cli.options import open_data
    from gdlab.errors import ConfigError
    from gdlab.onepass.keep import SUFFIX, KeptStatistics, write_statistics
    from gdlab.training.config import TrainingConfig
    from gdlab.training.problem import prepare

    if not out.name.lower().endswith(SUFFIX):
        raise ConfigError(f"--out {out}: statistics files end in {SUFFIX}")
    if y is not None and "," in y:
        raise ConfigError("--y: a statistics file keeps one target; run gdlab stats per target")
    if engine not in ("auto", "stats", "stream", "dask"):
        raise ConfigError(f"--engine {engine}: choose auto, stats, stream or dask")
    config = TrainingConfig(intercept=not no_intercept, engine=engine, scheduler=scheduler)
    source = open_data(data, x, y, weights=weights)
    problem = prepare(source, config)
    kept = KeptStatistics(
        problem.statistics,
        problem.feature_names,
        problem.info.target,
        problem.intercept,
        weights.strip() if weights is not None else None,
        str(data),
    )
    write_statistics(out, kept)
    typer.echo(
        f"Wrote {out}: the statistics of {kept.n_rows:,} rows ({kept.columns_text()}), "
        f"one pass on the {problem.engine} engine"
    )


def register(app: typer.Typer) -> None:
    """Add `stats` to the app."""
    app.command("stats")(stats_command)
