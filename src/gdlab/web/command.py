"""The `gdlab fit` command line that reproduces a playground run exactly.

It is written from the run's `TrainingConfig`: each option that differs from its default
gets the flag the configuration declares for it (so every option the playground offers
has one), and the start is always passed with `--init` (the page's start may come from the
seed recipe's shared generator, or from a click).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from gdlab.training.config import TrainingConfig, cli_flag, declared_options


def number(value: float) -> str:
    """The shortest text that reads back as the same float.

    >>> number(0.002), number(3.0), number(1e-07)
    ('0.002', '3', '1e-07')
    """
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def option_words(name: str, value: object) -> list[str]:
    """The command-line words of one option's (non-default) value."""
    if name == "intercept":
        return [] if value else ["--no-intercept"]
    if isinstance(value, bool):
        return [cli_flag(name)] if value else []
    if name == "init":
        return ["--init=" + ",".join(number(v) for v in value)]  # type: ignore[attr-defined]
    if name == "optimizer_options":
        words = []
        for key, setting in value.items():  # type: ignore[attr-defined]
            if key == "momentum":
                words += ["--momentum", number(setting)]
            else:
                words += ["--optimizer-option", f"{key}={number(setting)}"]
        return words
    text = number(value) if isinstance(value, float) else str(value)
    return [cli_flag(name), text]


def fit_command_line(
    config: TrainingConfig, data_file: str, x: Sequence[str], y: str, degree: int = 1
) -> str:
    """`gdlab fit DATA --x … --y … --lr … --steps … --init=…` plus the non-default options.

    >>> fit_command_line(TrainingConfig(lr=0.002, init=(0.5, -1.0)), "seed-data.csv", ["x"], "y")
    'gdlab fit seed-data.csv --x x --y y --lr 0.002 --steps 50 --init=0.5,-1'
    >>> fit_command_line(TrainingConfig(), "points.csv", ["x"], "y")
    'gdlab fit points.csv --x x --y y --lr auto --steps 50'
    """
    words = ["gdlab", "fit", data_file, "--x", ",".join(x), "--y", y]
    if degree > 1:
        words += ["--degree", str(degree)]
    words += option_words("lr", config.lr) + option_words("steps", config.steps)
    if config.init is not None:
        words += option_words("init", config.init)
    for name, _, default in declared_options():
        value = getattr(config, name)
        if name not in ("lr", "steps", "init") and value is not None and value != default:
            words += option_words(name, value)
    return " ".join(shlex.quote(word) for word in words)
