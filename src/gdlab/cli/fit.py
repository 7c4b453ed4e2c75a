"""`gdlab fit`: train on a CSV or Parquet file with the seed's loop."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from gdlab.cli.options import (
    BatchSizeOption,
    DtypeOption,
    EngineOption,
    HuberDeltaOption,
    InitOption,
    InitStdOption,
    L2Option,
    LossOption,
    LrOption,
    MomentumOption,
    NoInterceptOption,
    OptimizerOption,
    OptimizerSettingOption,
    ScheduleOption,
    SchedulerOption,
    SeedOption,
    StandardizeOption,
    StepsOption,
    TolKindOption,
    TolOption,
    XOption,
    YOption,
    fit_options,
    open_data,
)
from gdlab.cli.plot import CompareOption, PlotOption

#: `--out` draws the seed figure (every point) up to this many rows.
FIGURE_MAX_ROWS = 100_000


def fit_command(
    data: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet file, a glob of them, or a directory.", show_default=False
        ),
    ],
    x: XOption = None,
    y: YOption = None,
    lr: LrOption = 0.002,
    steps: StepsOption = 50,
    optimizer: OptimizerOption = "gd",
    momentum: MomentumOption = None,
    optimizer_option: OptimizerSettingOption = None,
    schedule: ScheduleOption = None,
    l2: L2Option = 0.0,
    tol: TolOption = None,
    tol_kind: TolKindOption = "grad",
    standardize: StandardizeOption = False,
    init: InitOption = None,
    init_std: InitStdOption = 0.1,
    seed: SeedOption = 0,
    loss: LossOption = "l2",
    huber_delta: HuberDeltaOption = 1.0,
    batch_size: BatchSizeOption = None,
    no_intercept: NoInterceptOption = False,
    engine: EngineOption = "auto",
    scheduler: SchedulerOption = None,
    dtype: DtypeOption = "float64",
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
    from gdlab.cli.plot import plot_kinds, write_plots
    from gdlab.cli.render import print_summary, save_seed_figure
    from gdlab.outputs.savedmodel import save_model
    from gdlab.training.fit import fit

    kinds = plot_kinds(plot, compare, out)
    source = open_data(data, x, y)
    options = fit_options(locals())
    with warnings_to_stderr():
        run = fit(
            source, **options, batch_size=batch_size, scheduler=scheduler, huber_delta=huber_delta
        )
    seed_figure = source.n_features == 1 and not no_intercept and run.data.n_rows <= FIGURE_MAX_ROWS
    pictures: list[Path] = []
    if out is not None:
        if seed_figure or kinds:  # pictures draw the rows: all of small files, else a sample
            from gdlab.plots.sample import rows_to_draw

            dataset, sample_of = rows_to_draw(source)
            if seed_figure and sample_of is None:
                save_seed_figure(run, dataset, out / "figure.png")
            pictures = write_plots(run, dataset, kinds, out, compare, sample_of)
        run.save(out / "run.json")
    if save is not None:
        save_model(run, source, save)  # files are fingerprinted batch by batch
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
    from gdlab.errors import LearningRateWarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        print(f"gdlab: warning: {' '.join(str(message).split())}", file=sys.stderr)

    with warnings.catch_warnings():  # restores the filters and showwarning on exit
        warnings.simplefilter("always", LearningRateWarning)
        warnings.showwarning = show
        yield


def register(app: typer.Typer) -> None:
    """Add `fit` to the app."""
    app.command("fit")(fit_command)
