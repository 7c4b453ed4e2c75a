"""From an HTTP request to `gdlab.fit` keyword arguments, in one place.

The optional training settings (`optimizer_options`, `schedule`, `l2`, `tol`, `tol_kind`,
`standardize`) are passed only when the user set a value other than the default, so the
equivalent command line and the run record stay as short as the run allows.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from gdlab.errors import ConfigError
from gdlab.optim.optimizers import OPTIMIZERS
from gdlab.web.schemas import TrainRequest

#: Optional `gdlab.fit` options and the value meaning "not set".
OPTIONAL_FIT_OPTIONS: dict[str, Any] = {
    "optimizer_options": {},
    "schedule": None,
    "l2": 0.0,
    "tol": None,
    "tol_kind": None,
    "standardize": False,
}


def fit_options(request: TrainRequest, init: Sequence[float] | None = None) -> dict[str, Any]:
    """The `gdlab.fit` keywords for `request`; `init` (the drawn start) overrides the request's.

    >>> sorted(fit_options(TrainRequest()))
    ['dtype', 'init', 'init_std', 'intercept', 'loss', 'lr', 'optimizer', 'seed', 'steps']
    """
    options: dict[str, Any] = {
        "lr": request.lr,
        "steps": request.steps,
        "optimizer": request.optimizer,
        "loss": request.loss,
        "init": list(init) if init is not None else request.init,
        "init_std": request.init_std,
        "seed": request.seed,
        "intercept": request.intercept,
        "dtype": request.dtype,
    }
    for name, unset in OPTIONAL_FIT_OPTIONS.items():
        value = getattr(request, name)
        if value != unset:
            options[name] = dict(value) if isinstance(value, dict) else value
    check_optimizer_options(request.optimizer, request.optimizer_options)
    return options


def optimizer_signature(name: str) -> list[inspect.Parameter] | None:
    """An optimizer's own parameters (after lr); None when it takes any keyword."""
    factory: Callable[..., Any] = OPTIMIZERS[name]
    parameters = list(inspect.signature(factory).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return [p for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL]


def optimizer_parameters(name: str) -> dict[str, float]:
    """An optimizer's numeric parameters and their defaults, for the page's controls.

    >>> optimizer_parameters("gd")
    {}
    """
    return {
        p.name: float(p.default)
        for p in optimizer_signature(name) or []
        if isinstance(p.default, int | float) and not isinstance(p.default, bool)
    }


def check_optimizer_options(name: str, values: dict[str, float]) -> None:
    """Raise a `ConfigError` for an option the optimizer does not take, listing those it does."""
    parameters = optimizer_signature(name)
    if parameters is None:
        return
    known = [p.name for p in parameters]
    for option in values:
        if option not in known:
            listed = ", ".join(known) if known else "none"
            raise ConfigError(f"optimizer '{name}' has no option '{option}'; its options: {listed}")
