"""The commands' shared options: the data flags, and the training flags generated from
`gdlab.training.config.TrainingConfig` (one flag per option, declared there once).

`training_options` adds every training flag to a command; the command receives the parsed
`TrainingConfig`. `read_options` adds the flags of reading the data, generated likewise from
`gdlab.data.options.ReadOptions` (--missing, --delimiter, --encoding), and --verbose; the
command receives the parsed `ReadOptions`. Nothing here imports NumPy (the CLI must start
fast).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from gdlab.errors import ConfigError
from gdlab.training.config import (
    AUTO,
    DATA,
    Option,
    TrainingConfig,
    cli_flag,
    declared_options,
    option_type,
)

XOption = Annotated[
    str | None,
    typer.Option("--x", help="Feature column(s), comma-separated.", rich_help_panel=DATA),
]
YOption = Annotated[str | None, typer.Option("--y", help="Target column.", rich_help_panel=DATA)]
FormulaOption = Annotated[
    str | None,
    typer.Option(
        "--formula",
        help='A model formula in place of --x/--y, e.g. "y ~ x1 + np.log(x2) + C(region) + '
        'I(x1**2) + x1:x3" (formulaic; needs gdlab[formula]). poly(x, n) is the raw powers '
        "x…xⁿ; '- 1' drops the intercept.",
        rich_help_panel=DATA,
    ),
]
DegreeOption = Annotated[
    int | None,
    typer.Option(
        "--degree",
        help="Fit a polynomial of degree N in the one --x column: y ~ x + I(x**2) + … + I(x**N).",
        rich_help_panel=DATA,
        min=1,
    ),
]
WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="Column of sample weights w ≥ 0: weighted least squares (Σw·e²).",
        rich_help_panel=DATA,
    ),
]

#: What each option's values look like on the command line (by its declared type).
CLI_TYPES: dict[str, Any] = {
    "LearningRate": str,  # --lr 0.01 or --lr auto
    "float": float,
    "int": int,
    "str": str,
    "bool": bool,
    "float | None": float | None,
    "int | None": int | None,
    "str | None": str | None,
    "tuple[float, ...] | None": str | None,  # --init=b,a,…
    "float | str | None": str | None,  # --validation FRACTION or FILE
    "Mapping[str, float]": list[str] | None,  # --optimizer-option KEY=VALUE, repeatable
}
#: A shortcut flag: `--momentum B` is `--optimizer-option momentum=B`.
MOMENTUM = inspect.Parameter(
    "momentum",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        float | None, typer.Option("--momentum", help="β of momentum/nesterov (default 0.9).")
    ],
)


def flag_parameter(name: str, declared: Option, default: Any) -> inspect.Parameter:
    """The typer parameter of one option."""
    annotation = CLI_TYPES[option_type(name)]
    shown = default
    if name == "intercept":  # offered as the flag --no-intercept
        shown = False
    elif option_type(name).startswith(("tuple", "Mapping")):
        shown = None
    info = typer.Option(
        cli_flag(name),
        help=declared.help,
        rich_help_panel=declared.panel,
        show_default=shown is not None and shown is not False,
    )
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=shown, annotation=Annotated[annotation, info]
    )


def training_parameters() -> list[inspect.Parameter]:
    """One parameter per training option, in declaration order (--momentum after --optimizer)."""
    parameters = []
    for name, declared, default in declared_options():
        parameters.append(flag_parameter(name, declared, default))
        if name == "optimizer":
            parameters.append(MOMENTUM)
    return parameters


def training_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` every training flag in place of its `config` parameter.

    The flags' values are parsed into a `TrainingConfig` passed as `config`; an option out
    of range is an error that names its flag (`--l2 must be …`).
    """
    signature = inspect.signature(command, eval_str=True)
    generated = training_parameters()
    names = {parameter.name for parameter in generated}
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name == "config":
            parameters += generated
        else:
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(command)
    def with_config(**values: Any) -> Any:
        flags = {name: values.pop(name) for name in list(values) if name in names}
        return command(**values, config=config_from_flags(flags))

    with_config.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_config.__annotations__ = {p.name: p.annotation for p in parameters}
    del with_config.__wrapped__  # typer must read the new signature, not the command's
    return with_config


def config_from_flags(flags: Mapping[str, Any]) -> TrainingConfig:
    """The `TrainingConfig` of the training flags' values."""
    options = {}
    for name, _, _ in declared_options():
        value = flags[name]
        if name == "intercept":
            value = not value
        elif name == "lr":
            value = parse_rate(value, cli_flag("lr"))
        elif name == "init" and value is not None:
            value = parse_floats(value, "--init")
        elif name == "optimizer_options":
            value = parse_settings(value, flags["momentum"])
        options[name] = value
    return TrainingConfig(**options)


def parse_rate(text: str | float, option: str) -> float | str:
    """'auto' or a number, as --lr takes it ('0.01' → 0.01); anything else is an error.

    >>> parse_rate("auto", "--lr"), parse_rate("2e-3", "--lr")
    ('auto', 0.002)
    """
    if isinstance(text, float | int):
        return float(text)
    if text.strip().lower() == AUTO:
        return AUTO
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{option}: '{text}' is not a valid number or 'auto'") from None


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


#: --verbose: not an option of reading or training, a flag of the commands that read data.
VERBOSE = inspect.Parameter(
    "verbose",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="Also show the logs of the libraries gdlab drives (Dask's distributed).",
        ),
    ],
)


def read_parameters() -> list[inspect.Parameter]:
    """One parameter per read option (`ReadOptions`), then --verbose."""
    from gdlab.data.options import declared_read_options

    parameters = []
    for name, declared, default in declared_read_options():
        info = typer.Option(
            "--" + name.replace("_", "-"),
            help=declared.help,
            rich_help_panel=DATA,
            show_default=default is not None,
        )
        kind: Any = str if default is not None else str | None
        annotation = Annotated[kind, info]
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return [*parameters, VERBOSE]


def read_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` the flags of reading the data in place of its `read` parameter.

    Their values are parsed into a `ReadOptions` passed as `read`; with --verbose the logs
    of Dask's distributed reach stderr while the command runs (they are kept back otherwise).
    """
    signature = inspect.signature(command, eval_str=True)
    generated = read_parameters()
    names = {parameter.name for parameter in generated}
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name == "read":
            parameters += generated
        else:
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(command)
    def with_read(**values: Any) -> Any:
        from gdlab.data.options import ReadOptions
        from gdlab.onepass.cluster import library_logs

        flags = {name: values.pop(name) for name in list(values) if name in names}
        verbose = flags.pop("verbose")
        with library_logs(shown=verbose):
            return command(**values, read=ReadOptions(**flags))

    with_read.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_read.__annotations__ = {p.name: p.annotation for p in parameters}
    del with_read.__wrapped__  # typer must read the new signature, not the command's
    return with_read


def open_data(
    data: Path,
    x: str | None,
    y: str | None,
    read: Any = None,
    weights: str | None = None,
    formula: str | None = None,
    degree: int | None = None,
    intercept: bool = True,
) -> Any:
    """The files named by DATA (a file, a glob or a directory), --x and --y (or --formula,
    --degree), not yet read, to be read as `read` (`ReadOptions`) says, with the sample
    weights of `weights`; text columns in --x are one-hot encoded
    (`gdlab.data.designed.open_design`)."""
    from gdlab.data.designed import open_design

    if formula is None:
        for value, option in ((x, "--x"), (y, "--y")):
            if value is None:
                raise ConfigError(f"missing option '{option}': name the column(s) of {data} to use")
    names = split_names(x, "--x") if x is not None else None
    target = y.strip() if y else None
    source = open_design(data, names, target, formula, degree, intercept, read)
    return source.with_columns(weights=weights.strip()) if weights else source


def with_design_intercept(config: TrainingConfig, source: Any) -> TrainingConfig:
    """The config with the intercept a formula decides ('- 1' drops it); a formula with an
    intercept and --no-intercept disagree: an error."""
    design = getattr(source, "design", None)
    if design is None or design.intercept == config.intercept:
        return config
    if design.intercept:
        raise ConfigError(
            "--no-intercept and the formula disagree: write '- 1' in the formula to drop it"
        )
    return config.with_options(intercept=False)
