"""`gdlab fit`: train on CSV or Parquet files with the seed's loop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.options import parse_floats, split_names

#: `--out` draws the seed figure (every point) up to this many rows.
FIGURE_MAX_ROWS = 100_000


def fit_command(
    data: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet file, a glob of them, or a directory.", show_default=False
        ),
    ],
    x: Annotated[str, typer.Option("--x", help="Feature column(s), comma-separated.")],
    y: Annotated[str, typer.Option("--y", help="Target column.")],
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 0.002,
    steps: Annotated[int, typer.Option(help="Number of updates.")] = 50,
    optimizer: Annotated[str, typer.Option(help="Optimizer name.")] = "gd",
    init: Annotated[
        str | None, typer.Option(help="Initial weights, bias first: --init=b,a,...")
    ] = None,
    init_std: Annotated[float, typer.Option(help="Std of the random initial weights.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed for the random initial weights.")] = 0,
    loss: Annotated[
        str, typer.Option(help="l2 (½Σe², the seed's), mse (mean e²) or huber.")
    ] = "l2",
    huber_delta: Annotated[
        float, typer.Option(help="Huber's threshold δ (with --loss huber).")
    ] = 1.0,
    batch_size: Annotated[
        int | None,
        typer.Option(help="Mini-batch SGD: rows per step, shuffled from --seed."),
    ] = None,
    no_intercept: Annotated[
        bool, typer.Option("--no-intercept", help="No bias column: y = Xw.")
    ] = False,
    engine: Annotated[
        str, typer.Option(help="auto, dense, stats, stream or dask: how gradients are computed.")
    ] = "auto",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a Dask scheduler for --engine dask (else a local one)."),
    ] = None,
    dtype: Annotated[str, typer.Option(help="float64 or float32.")] = "float64",
    out: Annotated[Path | None, typer.Option(help="Folder for run.json (and figure).")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print only the run record on stdout.")
    ] = False,
) -> None:
    """Fit y = b + a1·x1 + … to columns of CSV or Parquet files by gradient descent.

    Files are streamed in one pass (bounded memory) when the loss is quadratic and the
    batch is full; huber and --batch-size read them into memory.

    Example: gdlab fit points.csv --x x --y y --lr 0.002 --steps 50 --out result
    """
    import gdlab
    from gdlab.cli.render import print_summary, save_seed_figure

    features = split_names(x, "--x")
    source = gdlab.open_files(data, features, y.strip())
    run = gdlab.fit(
        source,
        lr=lr,
        steps=steps,
        optimizer=optimizer,
        loss=loss,
        init=parse_floats(init, "--init") if init is not None else None,
        init_std=init_std,
        seed=seed,
        intercept=not no_intercept,
        dtype=dtype,
        engine=engine,
        batch_size=batch_size,
        scheduler=scheduler,
        huber_delta=huber_delta,
    )
    if out is not None:
        if source.n_features == 1 and not no_intercept and run.data.n_rows <= FIGURE_MAX_ROWS:
            save_seed_figure(run, source.read(), out / "figure.png")
        run.save(out / "run.json")
    if json_out:
        typer.echo(run.to_json(), nl=False)
    else:
        print_summary(run, title=f"gdlab fit {data}")
        if out is not None:
            typer.echo(f"Wrote {out / 'run.json'}")


def register(app: typer.Typer) -> None:
    """Add `fit` to the app."""
    app.command("fit")(fit_command)
