"""A finished training run and its run record (`run.json`, DESIGN.md §4)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.quadratic import Analysis
from gdlab.atomic import atomic_write_text
from gdlab.version import __version__

#: Run records keep at most this many points of the weight path (evenly spaced, ends kept).
MAX_PATH_POINTS = 5001


@dataclass(frozen=True)
class TrainConfig:
    """The settings of one run, as stored under `config` in the run record."""

    lr: float = 0.002
    steps: int = 50
    optimizer: str = "gd"
    loss: str = "l2"
    seed: int = 0
    engine: str = "dense"
    dtype: str = "float64"
    intercept: bool = True
    init_std: float = 0.1
    options: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The `config` section: every field, with extra optimizer options folded in."""
        record = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "options"}
        record.update(self.options)
        return record


@dataclass(frozen=True)
class DataInfo:
    """Where the data came from and its shape, as stored under `data`."""

    source: str
    n_rows: int
    features: tuple[str, ...]
    target: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The `data` section of the run record."""
        return {
            "source": self.source,
            "n_rows": self.n_rows,
            "features": list(self.features),
            "target": self.target,
            **self.details,
        }


@dataclass(frozen=True)
class Run:
    """Everything one training run produced, ready to save, plot or explain."""

    data: DataInfo
    config: TrainConfig
    weight_names: tuple[str, ...]
    init: NDArray[np.floating]
    weights: NDArray[np.floating]
    initial_loss: float
    losses: list[float]
    path: NDArray[np.floating]
    analysis: Analysis
    stop_reason: str
    train_seconds: float
    gradients: NDArray[np.floating] | None = None

    @property
    def final_loss(self) -> float:
        """The loss after the last update (the initial loss when no update ran)."""
        return self.losses[-1] if self.losses else self.initial_loss

    def to_record(self) -> dict[str, Any]:
        """The run record of DESIGN.md §4 as plain JSON-ready Python values."""
        return {
            "gdlab_version": __version__,
            "data": self.data.to_record(),
            "config": self.config.to_record(),
            "weight_names": list(self.weight_names),
            "init": floats(self.init),
            "weights": floats(self.weights),
            "initial_loss": float(self.initial_loss),
            "losses": [float(v) for v in self.losses],
            **path_record(self.path),
            "optimum": {
                "weights": floats(self.analysis.optimum_weights),
                "loss": float(self.analysis.optimum_loss),
            },
            "analysis": self.analysis.to_record(),
            "stop_reason": self.stop_reason,
            "timing": {"train_seconds": self.train_seconds},
        }

    def to_json(self) -> str:
        """The run record as indented JSON text (non-finite numbers become null)."""
        return json.dumps(json_safe(self.to_record()), indent=1, allow_nan=False) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the run record to `path` atomically."""
        atomic_write_text(path, self.to_json())


def path_record(path: NDArray[np.floating]) -> dict[str, Any]:
    """The weight path (init first), thinned to `MAX_PATH_POINTS`, with its step numbers."""
    steps = np.arange(len(path))
    if len(path) > MAX_PATH_POINTS:
        steps = np.unique(np.linspace(0, len(path) - 1, MAX_PATH_POINTS).round().astype(int))
    return {"path": [floats(path[i]) for i in steps], "path_steps": steps.tolist()}


def floats(values: NDArray[np.floating]) -> list[float]:
    """A vector as a list of Python floats (float32 values widen exactly)."""
    return [float(v) for v in np.asarray(values).ravel()]


def json_safe(value: Any) -> Any:
    """Replace NaN and ±inf (not valid JSON) by None, recursively."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def load_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a run record written by `Run.save` (a plain dict)."""
    from gdlab.errors import DataError

    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: not a readable run record ({error})") from None
    if not isinstance(record, dict) or "weights" not in record or "config" not in record:
        raise DataError(f"{path}: not a gdlab run record (no 'weights' or 'config')")
    return record
