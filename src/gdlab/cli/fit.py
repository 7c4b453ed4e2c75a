"""`gdlab fit`: train on a CSV or Parquet file with the seed's loop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.options import parse_floats, split_names


def fit_command(
    data: Annotated[Path, typer.Argument(help="CSV or Parquet file.", show_default=False)],
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
    loss: Annotated[str, typer.Option(help="l2 (½Σe², the seed's) or mse (mean e²).")] = "l2",
    no_intercept: Annotated[
        bool, typer.Option("--no-intercept", help="No bias column: y = Xw.")
    ] = False,
    engine: Annotated[str, typer.Option(help="How gradients are computed.")] = "auto",
    dtype: Annotated[str, typer.Option(help="float64 or float32.")] = "float64",
    out: Annotated[Path | None, typer.Option(help="Folder for run.json (and figure).")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print only the run record on stdout.")
    ] = False,
    save: Annotated[
        Path | None, typer.Option(help="Save the trained model here, for `gdlab predict`.")
    ] = None,
) -> None:
    """Fit y = b + a1·x1 + … to columns of a CSV or Parquet file by gradient descent.

    Example: gdlab fit points.csv --x x --y y --lr 0.002 --steps 50 --out result
    """
    import gdlab
    from gdlab.cli.render import print_summary, save_seed_figure

    features = split_names(x, "--x")
    dataset = gdlab.read_table(data, features, y.strip())
    run = gdlab.fit(
        dataset,
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
    )
    if out is not None:
        if dataset.n_features == 1 and not no_intercept:
            save_seed_figure(run, dataset, out / "figure.png")
        run.save(out / "run.json")
    if save is not None:
        gdlab.save_model(run, dataset, save)
    if json_out:
        typer.echo(run.to_json(), nl=False)
    else:
        print_summary(run, title=f"gdlab fit {data}")
        if out is not None:
            typer.echo(f"Wrote {out / 'run.json'}")
        if save is not None:
            typer.echo(f"Saved the model to {save}")


def register(app: typer.Typer) -> None:
    """Add `fit` to the app."""
    app.command("fit")(fit_command)
