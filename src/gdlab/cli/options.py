"""Options shared by the commands: one definition of each data and training flag.

`gdlab fit` and `gdlab explain` take the same data and training flags; they are declared
here once as `Annotated` aliases, and `fit_options` turns their values into the keyword
arguments of `fit`. Nothing here imports NumPy (the CLI must start fast).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from gdlab.errors import ConfigError
from gdlab.optim.schedules import SCHEDULE_GRAMMAR

TRAINING = "Training"
DATA = "Data"

XOption = Annotated[
    str | None,
    typer.Option("--x", help="Feature column(s), comma-separated.", rich_help_panel=DATA),
]
YOption = Annotated[str | None, typer.Option("--y", help="Target column.", rich_help_panel=DATA)]
NoInterceptOption = Annotated[
    bool,
    typer.Option("--no-intercept", help="No bias column: y = Xw.", rich_help_panel=DATA),
]
StandardizeOption = Annotated[
    bool,
    typer.Option(
        "--standardize",
        help="Train on centred, scaled features; report weights in the data's units.",
        rich_help_panel=DATA,
    ),
]
LrOption = Annotated[float, typer.Option(help="Learning rate η.", rich_help_panel=TRAINING)]
StepsOption = Annotated[
    int,
    typer.Option(help="Number of updates (the most, with --tol).", rich_help_panel=TRAINING),
]
OptimizerOption = Annotated[
    str,
    typer.Option(
        help="gd (the seed's), momentum, nesterov, adagrad, rmsprop or adam.",
        rich_help_panel=TRAINING,
    ),
]
MomentumOption = Annotated[
    float | None,
    typer.Option(help="β of momentum/nesterov (default 0.9).", rich_help_panel=TRAINING),
]
OptimizerSettingOption = Annotated[
    list[str] | None,
    typer.Option(
        "--optimizer-option",
        help="Another optimizer option as KEY=VALUE, e.g. eps=1e-6, decay=0.99, b1=0.8, "
        "b2=0.99 (repeatable).",
        rich_help_panel=TRAINING,
    ),
]
ScheduleOption = Annotated[
    str | None,
    typer.Option(
        help=f"Learning-rate schedule over update k: {SCHEDULE_GRAMMAR}. step:E:F multiplies "
        "lr by F every E updates, exp:D by D every update, cosine[:FLOOR] anneals lr to "
        "FLOOR·lr over --steps.",
        rich_help_panel=TRAINING,
    ),
]
L2Option = Annotated[
    float,
    typer.Option(help="Ridge penalty λ: adds ½·λ·‖w‖² (bias free).", rich_help_panel=TRAINING),
]
TolOption = Annotated[
    float | None,
    typer.Option(
        help="Stop early: once ‖∇L‖ ≤ TOL (--tol-kind grad) or once the loss changes by at "
        "most TOL relatively (--tol-kind loss).",
        rich_help_panel=TRAINING,
    ),
]
TolKindOption = Annotated[
    str, typer.Option(help="What --tol measures: grad or loss.", rich_help_panel=TRAINING)
]
InitOption = Annotated[
    str | None,
    typer.Option(help="Initial weights, bias first: --init=b,a,...", rich_help_panel=TRAINING),
]
InitStdOption = Annotated[
    float, typer.Option(help="Std of the random initial weights.", rich_help_panel=TRAINING)
]
SeedOption = Annotated[
    int, typer.Option(help="Seed for the random initial weights.", rich_help_panel=TRAINING)
]
LossOption = Annotated[
    str,
    typer.Option(help="l2 (½Σe², the seed's), mse (mean e²) or huber.", rich_help_panel=TRAINING),
]
EngineOption = Annotated[
    str,
    typer.Option(
        help="auto, dense, stats, stream or dask: how gradients are computed.",
        rich_help_panel=TRAINING,
    ),
]
HuberDeltaOption = Annotated[
    float, typer.Option(help="Huber's threshold δ (with --loss huber).", rich_help_panel=TRAINING)
]
BatchSizeOption = Annotated[
    int | None,
    typer.Option(
        help="Mini-batch SGD: rows per step, shuffled from --seed.", rich_help_panel=TRAINING
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Address of a Dask scheduler for --engine dask (else a local one).",
        rich_help_panel=TRAINING,
    ),
]
DtypeOption = Annotated[str, typer.Option(help="float64 or float32.", rich_help_panel=TRAINING)]


def split_names(text: str, option: str) -> list[str]:
    """'a, b,c' → ['a', 'b', 'c']; empty names are an error."""
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise ConfigError(f"{option}: empty column name in '{text}'")
    return names


def parse_floats(text: str, option: str) -> list[float]:
    """'0.1,-2,3e-2' → [0.1, -2.0, 0.03], or a ConfigError naming the bad entry."""
    values = []
    for part in text.split(","):
        try:
            values.append(float(part))
        except ValueError:
            raise ConfigError(f"{option}: '{part.strip()}' is not a number") from None
    return values


def parse_settings(items: list[str] | None, momentum: float | None) -> dict[str, float]:
    """--optimizer-option KEY=VALUE items (and --momentum) as a dict of floats."""
    settings: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--optimizer-option: expected KEY=VALUE, got '{item}'")
        settings[key.strip()] = parse_floats(value, f"--optimizer-option {key.strip()}")[0]
    if momentum is not None:
        settings["momentum"] = momentum
    return settings


def open_data(data: Path, x: str | None, y: str | None) -> Any:
    """The files named by DATA (a file, a glob or a directory), --x and --y, not yet read."""
    from gdlab.data.files import open_files

    for value, option in ((x, "--x"), (y, "--y")):
        if value is None:
            raise ConfigError(f"missing option '{option}': name the column(s) of {data} to use")
    assert x is not None and y is not None
    return open_files(data, split_names(x, "--x"), y.strip())


def read_data(data: Path, x: str | None, y: str | None) -> Any:
    """The Dataset named by DATA, --x and --y, read into memory."""
    return open_data(data, x, y).read()


#: Training flags passed to `fit` unchanged (their names are its keywords).
PLAIN_FIT_OPTIONS = (
    "lr",
    "steps",
    "optimizer",
    "schedule",
    "l2",
    "tol",
    "tol_kind",
    "standardize",
    "init_std",
    "seed",
    "loss",
    "dtype",
    "engine",
)


def fit_options(flags: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `fit` from a command's shared training flags.

    `flags` maps each flag's parameter name to its value (a command passes its
    ``locals()``), so `fit` and `explain` share one translation instead of two lists.
    """
    options = {name: flags[name] for name in PLAIN_FIT_OPTIONS}
    options["optimizer_options"] = parse_settings(flags["optimizer_option"], flags["momentum"])
    init = flags["init"]
    options["init"] = parse_floats(init, "--init") if init is not None else None
    options["intercept"] = not flags["no_intercept"]
    return options
