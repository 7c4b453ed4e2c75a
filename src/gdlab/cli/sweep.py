"""`gdlab sweep`: the learning rate swept against theory (a range test with its answers)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.options import (
    WeightsOption,
    XOption,
    YOption,
    open_data,
    read_options,
    training_options,
)
from gdlab.data.options import ReadOptions
from gdlab.training.config import TrainingConfig


@read_options
@training_options
def sweep_command(
    data: Annotated[
        Path | None,
        typer.Argument(
            help="CSV or Parquet file (default: the seed program's data).", show_default=False
        ),
    ] = None,
    x: XOption = None,
    y: YOption = None,
    weights: WeightsOption = None,
    read: ReadOptions | None = None,  # replaced by the flags of reading the data
    config: TrainingConfig | None = None,  # replaced by every training flag
    lrs: Annotated[
        str | None,
        typer.Option(
            help="Rates to try, MIN:MAX:N spaced in log (N ≥ 20); default: 40 rates from "
            "1/1000 of the optimizer's stable bound to 3 times it.",
            show_default=False,
        ),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print only the sweep as JSON on stdout.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="Also draw the sweep into this .png/.svg/.pdf file.")
    ] = None,
) -> None:
    """Sweep the learning rate: train --steps updates from one start at each rate of a log
    grid, and put what each run measured beside what the analysis predicted.

    Marks the stable bound, the best constant rate, and where the usual learning-rate
    finder heuristics (the steepest descent, the minimum ÷ 10) would land. Without DATA it
    sweeps the seed program's data.

    Example: gdlab sweep --steps 50 --out sweep.png
    """
    from gdlab.cli.fit import warnings_to_stderr
    from gdlab.data.seed import seed_dataset
    from gdlab.training.problem import prepare
    from gdlab.training.sweep import parse_rates, sweep

    assert config is not None  # `training_options` parses the training flags into it
    with warnings_to_stderr():
        source = seed_dataset(config.seed) if data is None else open_data(data, x, y, read, weights)
        problem = prepare(source, config)
    result = sweep(problem, config, parse_rates(lrs) if lrs is not None else None)
    written = None
    if out is not None:
        from gdlab.plots.output import write_figure
        from gdlab.plots.sweep import sweep_figure

        written = write_figure(sweep_figure(result), out)
    if json_out:
        record = {"data": problem.info.to_record(), "config": config.to_record()}
        typer.echo(json.dumps(json_safe({**record, "sweep": result.to_record()}), indent=1))
        return
    typer.echo("\n".join(sweep_lines(result, problem.info.source)))
    if written is not None:
        typer.echo(f"Wrote {written}")


def json_safe(value: object) -> object:
    """NaN and infinities as null (JSON has none)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


def sweep_lines(result: object, source: str) -> list[str]:
    """The sweep as a table: each rate, its measured and predicted loss, what happened."""
    from gdlab.training.sweep import Sweep

    assert isinstance(result, Sweep)
    data = "the seed data" if source == "seed" else source
    lines = [
        f"gdlab sweep {data}: {result.steps} steps of {result.optimizer} at "
        f"{len(result.lrs)} rates, from loss {result.initial_loss:.6g} (optimum "
        f"{result.optimum_loss:.6g})",
        "",
        f"  {'lr':>12}{'measured':>16}{'predicted':>16}",
    ]
    predicted = result.predicted_losses
    for index, lr in enumerate(result.lrs):
        guess = f"{predicted[index]:>16.6g}" if predicted is not None else f"{'—':>16}"
        note = ""
        if result.diverged[index]:
            note = f"  diverged at step {result.steps_run[index]}"
        lines.append(f"  {lr:>12.4g}{result.measured_losses[index]:>16.6g}{guess}{note}")
    lines.append("")
    if result.lr_max_stable is not None:
        lines.append(f"  stable bound for {result.optimizer}: {result.lr_max_stable:.6g}")
    if result.lr_best is not None:
        lines.append(f"  best constant rate 2/(λmin+λmax): {result.lr_best:.6g}")
    if result.steepest_lr is not None:
        lines.append(f"  a finder's pick, the steepest descent: {result.steepest_lr:.4g}")
    if result.min_over_ten_lr is not None:
        lines.append(f"  a finder's pick, the minimum ÷ 10: {result.min_over_ten_lr:.4g}")
    if predicted is None:
        lines.append(f"  (no prediction: {result.optimizer} mixes the eigen-directions)")
    return lines


def register(app: typer.Typer) -> None:
    """Add `sweep` to the app."""
    app.command("sweep")(sweep_command)
