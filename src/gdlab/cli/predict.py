"""`gdlab predict`: apply a saved model to the rows of a CSV or Parquet file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.options import read_options
from gdlab.data.options import ReadOptions


@read_options
def predict_command(
    model: Annotated[
        Path, typer.Argument(help="Model file written by `gdlab fit … --save`.", show_default=False)
    ],
    data: Annotated[
        Path,
        typer.Argument(help="CSV or Parquet file with the model's columns.", show_default=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the predictions to this file, not stdout: .csv, .parquet (.pq) or "
            ".json, as its name says.",
            show_default=False,
        ),
    ] = None,
    keep: Annotated[
        str | None,
        typer.Option(
            help="Carry these columns of DATA through to the output, e.g. an id (COL[,COL…]).",
            show_default=False,
        ),
    ] = None,
    read: ReadOptions | None = None,  # replaced by the flags of reading the data
) -> None:
    """Predict the target for every row of DATA with a model saved by `gdlab fit --save`.

    The output has the --keep columns (as DATA holds them), the model's feature columns,
    then predicted_TARGET: CSV on stdout, or the format --out's name asks for. DATA needs
    the columns the model was trained on (other columns are ignored); a model file of
    another schema version, or data that lacks a column, is refused with a message saying
    which. When DATA also holds the target, its RMSE and R² are printed on stderr.

    Example: gdlab predict model.json new_points.csv --keep id --out predictions.parquet
    """
    from gdlab.cli.fit import warnings_to_stderr
    from gdlab.cli.options import split_names
    from gdlab.outputs.predictions import (
        csv_text,
        output_format,
        predictions_of_file,
        write_predictions,
    )
    from gdlab.outputs.savedmodel import load_model

    if out is not None:
        output_format(out)  # an unknown format fails before any reading
    kept = split_names(keep, "--keep") if keep is not None else []
    saved = load_model(model)
    with warnings_to_stderr():
        predictions = predictions_of_file(saved, data, kept, read)
    if out is None:
        typer.echo(csv_text(predictions), nl=False)
    else:
        write_predictions(predictions, out)
        typer.echo(f"Wrote {predictions.n_rows} predictions of {saved.target} to {out}")
    scored = predictions.quality
    if scored is not None:
        typer.echo(f"gdlab: score: {scored.sentence(saved.target, str(data))}", err=True)
    elif predictions.unscored is not None:
        reason = predictions.unscored
        line = f"no RMSE or R², {saved.target} cannot be read ({reason})"
        typer.echo(f"gdlab: score: {line}", err=True)


def register(app: typer.Typer) -> None:
    """Add `predict` to the app."""
    app.command("predict")(predict_command)
