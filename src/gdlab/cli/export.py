"""`gdlab export`: a runnable script that reproduces a run in numpy, PyTorch, Keras or sklearn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def export_command(
    run: Annotated[
        Path, typer.Argument(help="Run record (run.json) to reproduce.", show_default=False)
    ],
    to: Annotated[str, typer.Option(help="numpy, pytorch, keras or sklearn.")] = "numpy",
    out: Annotated[
        Path | None, typer.Option(help="Write the script to this file, not stdout.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="The run's data file, where the record's is no longer (the script reads it).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print a short script that reproduces a run in another framework.

    The script loads the same data (the seed recipe, or the same CSV/Parquet file by the
    absolute path the run read it from, or --data), starts from the run's initial weights
    and takes the same number of gradient-descent steps at the same learning rate — on the
    run's standardised features for a --standardize run — then prints the weights in the
    data's units (bias first) and the final loss.

    Example: gdlab export result/run.json --to pytorch > reproduce.py
    """
    from gdlab.cli.render import print_or_write
    from gdlab.errors import DataError
    from gdlab.outputs.export import export_script
    from gdlab.training.record import RunRecord

    if data is not None and not data.is_file():
        raise DataError(f"{data}: no such file")
    record = RunRecord.load(run)
    script = export_script(record, to.strip().lower(), where=str(run), data=data)
    print_or_write(script, out, f"Wrote {out}")


def register(app: typer.Typer) -> None:
    """Add `export` to the app."""
    app.command("export")(export_command)
