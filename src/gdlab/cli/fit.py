"""`gdlab fit`: train on a CSV or Parquet file with the seed's loop."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from gdlab.cli.options import XOption, YOption, open_data, read_options, training_options
from gdlab.cli.plot import CompareOption, PlotOption
from gdlab.data.options import ReadOptions
from gdlab.training.config import TrainingConfig

#: `--out` draws the seed figure (every point) up to this many rows.
FIGURE_MAX_ROWS = 100_000


@read_options
@training_options
def fit_command(
    data: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet file, a glob of them, or a directory.", show_default=False
        ),
    ],
    x: XOption = None,
    y: YOption = None,
    read: ReadOptions | None = None,  # replaced by the flags of reading the data
    config: TrainingConfig | None = None,  # replaced by every training flag
    out: Annotated[Path | None, typer.Option(help="Folder for run.json (and figure).")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print only the run record on stdout.")
    ] = False,
    trace: Annotated[
        Path | None,
        typer.Option(help="Write step, loss, weights and gradients of every step (.csv/.parquet)."),
    ] = None,
    summary: Annotated[
        bool, typer.Option("--summary", help="Also print the regression table (statsmodels-style).")
    ] = False,
    plot: PlotOption = None,
    compare: CompareOption = None,
    save: Annotated[
        Path | None, typer.Option(help="Save the trained model here, for `gdlab predict`.")
    ] = None,
) -> None:
    """Fit y = b + a1·x1 + … to columns of CSV or Parquet files by gradient descent.

    Files are streamed in one pass (bounded memory) when the loss is quadratic and the
    batch is full; huber and --batch-size read them into memory.

    Before training, a learning rate at or above the stable bound for the data is explained
    on stderr. Schedules: constant, step:EVERY:FACTOR, exp:DECAY, cosine[:FLOOR].

    Example: gdlab fit points.csv --x x --y y --lr 0.002 --steps 50 --out result --plot landscape
    """
    from gdlab.atomic import output_set
    from gdlab.cli.plot import plot_kinds, write_plots
    from gdlab.cli.render import print_summary, save_seed_figure
    from gdlab.outputs.savedmodel import save_model
    from gdlab.training.fit import train_problem
    from gdlab.training.problem import prepare

    assert config is not None  # `training_options` parses the training flags into it
    kinds = plot_kinds(plot, compare, out)
    with warnings_to_stderr():
        source = open_data(data, x, y, read)
        # One pass over the data: the statistics, and on the way the sample the pictures draw
        # and the fingerprint the saved model keeps.
        problem = prepare(source, config, fingerprint=save is not None, sample=bool(kinds))
        run = train_problem(problem, config)
    pictures: list[Path] = []
    with output_set():  # --out, --save and --trace appear together, or not at all
        if out is not None:
            rows = problem.rows
            line_fit = source.n_features == 1 and config.intercept
            if line_fit and rows is not None and rows.n_rows <= FIGURE_MAX_ROWS:
                save_seed_figure(run, rows, out / "figure.png")
            pictures = write_plots(run, kinds, out, compare)
            run.save(out / "run.json")
        if save is not None:
            save_model(run, None, save)  # the fingerprint was taken during the pass
        if trace is not None:
            from gdlab.outputs.trace import write_trace

            write_trace(run, trace)
    if json_out:
        typer.echo(run.to_json(), nl=False)
        return
    print_summary(run, title=f"gdlab fit {data}")
    if summary and run.analysis.regression is not None:
        from gdlab.analysis.regression import summary_table

        typer.echo("\n" + summary_table(run.analysis.regression))
    for path in (out / "run.json" if out is not None else None, *pictures, trace):
        if path is not None:
            typer.echo(f"Wrote {path}")
    if save is not None:
        typer.echo(f"Saved the model to {save}")


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show gdlab's warnings as one clean line each on stderr ("gdlab: warning: …")."""
    from gdlab.errors import DataWarning, LearningRateWarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        print(f"gdlab: warning: {' '.join(str(message).split())}", file=sys.stderr)

    with warnings.catch_warnings():  # restores the filters and showwarning on exit
        warnings.simplefilter("always", LearningRateWarning)
        warnings.simplefilter("always", DataWarning)
        warnings.showwarning = show
        yield


def register(app: typer.Typer) -> None:
    """Add `fit` to the app."""
    app.command("fit")(fit_command)
