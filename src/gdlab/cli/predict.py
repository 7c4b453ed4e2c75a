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
        Path | None, typer.Option(help="Write the predictions to this CSV file, not stdout.")
    ] = None,
    read: ReadOptions | None = None,  # replaced by the flags of reading the data
) -> None:
    """Predict the target for every row of DATA with a model saved by `gdlab fit --save`.

    The output is CSV: the model's feature columns, then predicted_TARGET. DATA needs the
    columns the model was trained on (other columns are ignored); a model file of another
    schema version, or data that lacks a column, is refused with a message saying which.

    Example: gdlab predict model.json new_points.csv --out predictions.csv
    """
    from gdlab.cli.fit import warnings_to_stderr
    from gdlab.cli.render import predictions_csv, print_or_write
    from gdlab.outputs.savedmodel import load_model

    saved = load_model(model)
    with warnings_to_stderr():
        columns, predictions = saved.predict_file(data, read)
    text = predictions_csv(saved.features, columns, f"predicted_{saved.target}", predictions)
    print_or_write(text, out, f"Wrote {len(predictions)} predictions of {saved.target} to {out}")


def register(app: typer.Typer) -> None:
    """Add `predict` to the app."""
    app.command("predict")(predict_command)
