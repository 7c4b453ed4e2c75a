"""The `gdlab fit` command line that reproduces a playground run exactly.

The start is always passed with `--init` (the page's start may come from the seed recipe's
shared generator, or from a click), so the command needs no seed. An option this gdlab's
command line has no flag for is named in a trailing comment instead of being dropped quietly.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from functools import cache

from gdlab.web.schemas import TrainRequest


@cache
def fit_flags() -> frozenset[str]:
    """The long options `gdlab fit` accepts (read from the command itself)."""
    import typer

    from gdlab.cli import app

    group = typer.main.get_command(app)
    command = group.commands["fit"]  # type: ignore[attr-defined]
    return frozenset(flag for param in command.params for flag in param.opts)


def number(value: float) -> str:
    """The shortest text that reads back as the same float.

    >>> number(0.002), number(3.0), number(1e-07)
    ('0.002', '3', '1e-07')
    """
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def optimizer_flag(name: str, value: float) -> tuple[str, str]:
    """`--momentum 0.9` where the option has its own flag, else `--optimizer-option b1=0.8`."""
    own = f"--{name.replace('_', '-')}"
    if own in fit_flags() or "--optimizer-option" not in fit_flags():
        return own, number(value)
    return "--optimizer-option", f"{name}={number(value)}"


def fit_command_line(
    request: TrainRequest, data_file: str, x: Sequence[str], y: str, init: Sequence[float]
) -> str:
    """`gdlab fit DATA --x … --y … --lr … --steps … --init=…` plus the non-default options.

    >>> fit_command_line(TrainRequest(), "seed-data.csv", ["x"], "y", [0.5, -1.0])
    'gdlab fit seed-data.csv --x x --y y --lr 0.002 --steps 50 --init=0.5,-1'
    """
    words = ["gdlab", "fit", data_file, "--x", ",".join(x), "--y", y]
    words += ["--lr", number(request.lr), "--steps", str(request.steps)]
    words.append("--init=" + ",".join(number(v) for v in init))
    wanted: list[tuple[str, str | None]] = []
    if request.optimizer != "gd":
        wanted.append(("--optimizer", request.optimizer))
    wanted += [optimizer_flag(name, value) for name, value in request.optimizer_options.items()]
    if request.loss != "l2":
        wanted.append(("--loss", request.loss))
    if not request.intercept:
        wanted.append(("--no-intercept", None))
    if request.dtype != "float64":
        wanted.append(("--dtype", request.dtype))
    if request.schedule is not None:
        wanted.append(("--schedule", request.schedule))
    if request.l2:
        wanted.append(("--l2", number(request.l2)))
    if request.tol is not None:
        wanted.append(("--tol", number(request.tol)))
    if request.tol_kind is not None:
        wanted.append(("--tol-kind", request.tol_kind))
    if request.standardize:
        wanted.append(("--standardize", None))
    missing = []
    for flag, value in wanted:
        if flag not in fit_flags():
            missing.append(flag.removeprefix("--") + ("" if value is None else f"={value}"))
        else:
            words += [flag] if value is None else [flag, value]
    line = " ".join(shlex.quote(word) for word in words)
    if missing:
        line += "  # this gdlab's command line has no flag for: " + ", ".join(missing)
    return line
