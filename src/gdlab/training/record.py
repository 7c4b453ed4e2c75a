"""A finished training run (`Run`) and its run record, `run.json` (written and read back).

`Run.to_record` writes the record of the public contract (docs/design.md: data, config, init,
weights, initial_loss, losses, optimum, analysis, stop_reason, timing, and how the rate was
chosen, `lr_choice`, and whether the run converged, `convergence`) plus the weight
path and the small one-pass statistics of the data, so pictures and comparisons of a saved
run never read the data again except to draw points. `RunRecord` is the one reader: it
loads what the writer writes, records of gdlab 0.1.0 included, into typed fields.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.convergence import Convergence
from gdlab.analysis.deferred import Deferred
from gdlab.analysis.quadratic import Analysis
from gdlab.analysis.rates import RateChoice
from gdlab.atomic import atomic_write_text
from gdlab.errors import ConfigError, DataError
from gdlab.model.linear import weight_names
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.training.config import TrainingConfig
from gdlab.version import __version__

if TYPE_CHECKING:
    from gdlab.training.problem import Problem

Array = NDArray[np.floating]

#: Run records keep at most this many points of the weight path (evenly spaced, ends kept).
MAX_PATH_POINTS = 5001
#: Records keep the data's statistics (a (p+1)×(p+1) triangle) up to this many weights.
MAX_RECORDED_WEIGHTS = 200


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

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> DataInfo:
        """The `data` section read back."""
        core = ("source", "n_rows", "features", "target")
        features = record.get("features", [])
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
            raise DataError("data.features must be a list of column names")
        return cls(
            source=str(record.get("source", "arrays")),
            n_rows=int(record.get("n_rows", 0)),
            features=tuple(features),
            target=str(record.get("target", "y")),
            details={key: value for key, value in record.items() if key not in core},
        )


@dataclass(frozen=True)
class Run:
    """Everything one training run produced, ready to save, plot or explain.

    `config` is the configuration as it ran (the engine `auto` chose, for one, and the
    number `lr="auto"` settled on, with `lr_choice` saying how); `convergence` says whether
    it reached the optimum (`gdlab.fit` leaves it, with its advice, to be assessed when
    first read: `gdlab.analysis.deferred`); `statistics` are the one-pass statistics of the
    data in its own units, and `problem` (not saved) the prepared data the run trained on,
    which comparisons and pictures reuse.
    """

    data: DataInfo
    config: TrainingConfig
    weight_names: tuple[str, ...]
    init: Array
    weights: Array
    initial_loss: float
    losses: list[float]
    path: Array
    analysis: Analysis
    stop_reason: str
    train_seconds: float
    if TYPE_CHECKING:  # to type checkers a plain field, as it is to its readers
        gradients: Array | None = None
    else:  # may be given as a `Later`: the gradients along the path, computed when first read
        gradients: Deferred[Array | None] = Deferred(None)
    statistics: LeastSquaresStats | None = field(default=None, repr=False)
    problem: Problem | None = field(default=None, repr=False, compare=False)
    lr_choice: RateChoice | None = None
    if TYPE_CHECKING:  # to type checkers a plain field, as it is to its readers
        convergence: Convergence | None = None
    else:  # may be given as a `Later`: assessed (with its advice) when first read
        convergence: Deferred[Convergence | None] = Deferred(None)
    #: The held-out loss after each step (`--validation`), and what it says (`validation`:
    #: held-out rows, the best step, early stopping); the K-fold summary (`--cv`).
    validation_losses: list[float] | None = None
    validation: dict[str, Any] | None = None
    cv: dict[str, Any] | None = None
    #: The L1 regularisation path (`gdlab.analysis.elasticnet`), when one was computed.
    regularization_path: Mapping[str, Any] | None = None

    @property
    def final_loss(self) -> float:
        """The loss after the last update (the initial loss when no update ran)."""
        return self.losses[-1] if self.losses else self.initial_loss

    def __repr__(self) -> str:
        """One line: the data, the training, where the loss went (`training.display`)."""
        from gdlab.training.display import short_repr

        return short_repr(self)

    def _repr_html_(self) -> str:
        """The run as a notebook shows it: its numbers, the loss curve, the fit."""
        from gdlab.training.display import run_html

        return run_html(self)

    def to_record(self) -> dict[str, Any]:
        """The run record (docs/design.md, "Public contracts") as plain JSON-ready Python values."""
        record = {
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
        if self.lr_choice is not None:
            record["lr_choice"] = self.lr_choice.to_record()
        if self.convergence is not None:
            record["convergence"] = self.convergence.to_record()
        if self.regularization_path is not None:
            record["regularization_path"] = dict(self.regularization_path)
        if self.validation_losses is not None:
            record["validation_losses"] = [float(v) for v in self.validation_losses]
            record["validation"] = dict(self.validation or {})
        if self.cv is not None:
            record["cv"] = dict(self.cv)
        if self.statistics is not None and self.statistics.n_weights <= MAX_RECORDED_WEIGHTS:
            record["statistics"] = statistics_record(self.statistics)
        return record

    def to_json(self) -> str:
        """The run record as indented JSON text (non-finite numbers become null)."""
        return json.dumps(json_safe(self.to_record()), indent=1, allow_nan=False) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the run record to `path` atomically."""
        atomic_write_text(path, self.to_json())


def statistics_record(stats: LeastSquaresStats) -> dict[str, Any]:
    """The statistics as the record keeps them: the triangle R, z, ρ and N."""
    return {
        "R": [floats(row) for row in stats.R],
        "z": floats(stats.z),
        "rho": float(stats.rho),
        "n_rows": int(stats.n_rows),
        **({} if stats.weight_total is None else {"weight_total": float(stats.weight_total)}),
    }


def path_record(path: Array) -> dict[str, Any]:
    """The weight path (init first), thinned to `MAX_PATH_POINTS`, with its step numbers."""
    steps = np.arange(len(path))
    if len(path) > MAX_PATH_POINTS:
        steps = np.unique(np.linspace(0, len(path) - 1, MAX_PATH_POINTS).round().astype(int))
    return {"path": [floats(path[i]) for i in steps], "path_steps": steps.tolist()}


def floats(values: Array) -> list[float]:
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


@dataclass(frozen=True)
class RunRecord:
    """A run record read back: the typed fields of what `Run.to_record` wrote.

    Numbers written as null (a run that blew up) read back as NaN. `statistics` is None
    for records written before gdlab kept them (0.1.0) or for very wide data; `lr_choice`
    and `convergence` are empty for records written before gdlab wrote them.
    """

    gdlab_version: str
    data: DataInfo
    config: TrainingConfig
    weight_names: tuple[str, ...]
    init: Array
    weights: Array
    initial_loss: float
    losses: Array
    path: Array
    path_steps: NDArray[np.int_]
    optimum_weights: Array
    optimum_loss: float
    analysis: Mapping[str, Any]
    stop_reason: str
    train_seconds: float
    statistics: LeastSquaresStats | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    lr_choice: Mapping[str, Any] = field(default_factory=dict)
    convergence: Mapping[str, Any] = field(default_factory=dict)
    validation_losses: Array | None = None
    validation: Mapping[str, Any] = field(default_factory=dict)
    cv: Mapping[str, Any] = field(default_factory=dict)

    @property
    def steps_run(self) -> int:
        """Number of updates the run applied."""
        return len(self.losses)

    @classmethod
    def from_dict(cls, record: Any, where: str = "run record") -> RunRecord:
        """Validate a parsed record; every problem is a `DataError` naming the field."""
        if not isinstance(record, dict) or "weights" not in record or "config" not in record:
            raise DataError(f"{where}: not a gdlab run record (no 'weights' or 'config')")
        try:
            config = TrainingConfig.from_record(section(record, "config", where))
            data = DataInfo.from_record(section(record, "data", where))
            weights = vector(record["weights"], "weights")
            init = vector(record.get("init", record["weights"]), "init")
            losses = vector(record.get("losses", []), "losses")
            path = record.get("path") or [list(init), list(weights)]
            steps = record.get("path_steps") or [0, len(losses)][: len(path)]
            if not isinstance(steps, list) or not all(is_count(step) for step in steps):
                raise DataError("'path_steps' must be a list of step numbers")
            names = record.get("weight_names") or default_weight_names(data, config)
            optimum = section(record, "optimum", where)
            analysis = section(record, "analysis", where)
            timing = section(record, "timing", where)
            return cls(
                gdlab_version=str(record.get("gdlab_version", "0.1.0")),
                data=data,
                config=config,
                weight_names=tuple(str(name) for name in names),
                init=init,
                weights=weights,
                initial_loss=number(record.get("initial_loss"), "initial_loss"),
                losses=losses,
                path=np.array([vector(point, "path") for point in path], dtype=np.float64),
                path_steps=np.asarray(steps, dtype=int),
                optimum_weights=vector(optimum.get("weights", []), "optimum.weights"),
                optimum_loss=number(optimum.get("loss"), "optimum.loss"),
                analysis=analysis,
                stop_reason=str(record.get("stop_reason", "steps")),
                train_seconds=number(timing.get("train_seconds", math.nan), "timing"),
                statistics=statistics_of(record.get("statistics")),
                raw=record,
                lr_choice=section(record, "lr_choice", where),
                convergence=section(record, "convergence", where),
                validation_losses=(
                    vector(record["validation_losses"], "validation_losses")
                    if "validation_losses" in record
                    else None
                ),
                validation=section(record, "validation", where),
                cv=section(record, "cv", where),
            )
        except ConfigError as error:
            spelled = error.spelled(f"config.{error.option}") if error.option else str(error)
            raise DataError(f"{where}: {spelled}") from None
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            reason = error.args[0] if error.args else type(error).__name__
            raise DataError(f"{where}: a bad or missing field: {reason}") from None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RunRecord:
        """Read `run.json` written by `Run.save`."""
        try:
            with open(path, encoding="utf-8") as handle:
                record = json.load(handle)
        except FileNotFoundError:
            raise DataError(f"{path}: no such file") from None
        except (OSError, ValueError, RecursionError) as error:
            raise DataError(f"{path}: not a readable run record ({error})") from None
        return cls.from_dict(record, str(path))


def is_count(value: Any) -> bool:
    """True for a whole number ≥ 0 that fits a step counter (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62


def section(record: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """One object-valued section of a record (absent: empty)."""
    value = record.get(key, {})
    if not isinstance(value, dict):
        raise DataError(f"{where}: '{key}' must be an object")
    return value


def vector(values: Any, name: str) -> Array:
    """A list of numbers (null → NaN) as a float64 array."""
    if not isinstance(values, list):
        raise DataError(f"'{name}' must be a list of numbers")
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


def number(value: Any, name: str) -> float:
    """A number, or NaN for null."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(f"'{name}' must be a number")
    return float(value)


def default_weight_names(data: DataInfo, config: TrainingConfig) -> list[str]:
    """The bias and the feature names, for records written before `weight_names` existed."""
    return weight_names(data.features, config.intercept)


def statistics_of(value: Any) -> LeastSquaresStats | None:
    """The statistics a record kept, or None."""
    if not isinstance(value, dict):
        return None
    R = np.array(value["R"], dtype=np.float64)
    z = np.array(value["z"], dtype=np.float64)
    if R.ndim != 2 or R.shape != (z.size, z.size):
        raise DataError("'statistics' has a triangle and a vector of different sizes")
    total = value.get("weight_total")
    weight_total = None if total is None else float(total)
    return LeastSquaresStats(
        R, z, float(value["rho"]), int(value["n_rows"]), weight_total=weight_total
    )


def load_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a run record written by `Run.save` as plain JSON values, checked by `RunRecord`."""
    return dict(RunRecord.load(path).raw)
