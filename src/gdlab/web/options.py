"""From an HTTP request to the run's `TrainingConfig`, in one place.

The request schema is generated from the configuration's declaration (`gdlab.web.schemas`),
so every option the playground offers is a field of the same name; options it does not
offer (the engine, a Dask scheduler) keep their defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gdlab.training.config import TrainingConfig, declared_options


def web_option_names() -> list[str]:
    """The options the playground offers, in declaration order.

    >>> web_option_names()[:4]
    ['lr', 'steps', 'optimizer', 'loss']
    """
    return [name for name, declared, _ in declared_options() if declared.web is not None]


def training_config(request: Any, init: Sequence[float] | None = None) -> TrainingConfig:
    """The configuration of a request; `init` (the drawn start) replaces the request's.

    >>> from gdlab.web.schemas import TrainRequest
    >>> training_config(TrainRequest(l2=0.5), init=[0.0, 1.0]).l2
    0.5
    """
    options = {name: getattr(request, name) for name in web_option_names()}
    if init is not None:
        options["init"] = tuple(float(v) for v in init)
    return TrainingConfig(**options)
