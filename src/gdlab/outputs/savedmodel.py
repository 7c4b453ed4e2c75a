"""Saved models: what predicting needs from a trained run, in a small versioned JSON file.

``gdlab fit … --save model.json`` writes one; ``gdlab predict model.json DATA`` reads it.
Schema version 1::

    {"schema": "gdlab.model", "schema_version": 1, "gdlab_version": "…",
     "features": ["x"], "target": "y", "intercept": true,
     "weight_names": ["b", "x"], "weights": [b, a],
     "standardization": null | {"mean": [m…], "scale": [s…]},
     "config": {… the run's config …},
     "data": {"source": "…", "absolute_source": "/…", "n_rows": N, "fingerprint": "sha256:…"},
     "design": {"formula": "y ~ …", "columns": […], "levels": {…}, …}}  (only with a formula)

A model trained through a formula keeps it (`gdlab.data.design.Design`): predicting reads
the raw columns and applies the same formula and levels; a level it never saw is an error
naming its row.

Predictions are ŷ = b + Σⱼ aⱼ·(xⱼ − mⱼ)/sⱼ (without standardisation m = 0, s = 1). Loading
checks the schema, its version and every field, and says exactly what does not match.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.atomic import atomic_write_text
from gdlab.data.columns import read_columns
from gdlab.data.dataset import Dataset
from gdlab.data.design import Design
from gdlab.data.files import FileSource
from gdlab.data.fingerprint import RowsFingerprint
from gdlab.data.frames import feature_matrix, is_frame
from gdlab.data.options import ReadOptions
from gdlab.errors import DataError
from gdlab.model.linear import predict, weight_names
from gdlab.training.location import ABSOLUTE_KEY
from gdlab.training.record import Run, json_safe
from gdlab.version import __version__

SCHEMA = "gdlab.model"
SCHEMA_VERSION = 1

Array = NDArray[np.float64]


@dataclass(frozen=True)
class SavedModel:
    """A trained linear layer ready to predict: weights, feature names, standardisation."""

    features: tuple[str, ...]
    target: str
    intercept: bool
    weights: Array
    mean: Array | None = None
    scale: Array | None = None
    config: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    design: Design | None = None

    @property
    def weight_names(self) -> list[str]:
        """The bias (with an intercept: `b`, see `bias_name`), then one name per feature."""
        return weight_names(self.features, self.intercept)

    def predict(self, features: Any) -> Array:
        """ŷ for an N×k array (columns in `features` order) or a frame with those columns.

        >>> model = SavedModel(("x",), "y", True, np.array([1.0, 2.0]))
        >>> model.predict([[0.0], [3.0]])
        array([1., 7.])
        """
        if self.design is not None and (is_frame(features) or isinstance(features, Mapping)):
            from gdlab.data.designed import frame_of

            features, _ = self.design.apply(frame_of(features), 0, "data", target=False)
        elif is_frame(features) or isinstance(features, Mapping):
            features = self.select_columns(features)
        X, _ = feature_matrix(features)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != len(self.features):
            raise DataError(
                f"the model needs {len(self.features)} feature column(s) "
                f"({', '.join(self.features)}), got data of shape {X.shape}"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            if self.mean is not None and self.scale is not None:
                X = (X - self.mean) / self.scale
            predicted = predict(X, self.weights, self.intercept)
        beyond = ~np.isfinite(predicted)
        if beyond.any():
            row = int(np.argmax(beyond)) + 1
            raise DataError(
                f"the prediction for data row {row} overflows float64: its features are too "
                "large for this model's weights"
            )
        return predicted

    def select_columns(self, table: Any) -> Array:
        """The model's feature columns, by name, from a DataFrame or a mapping of columns."""
        available = [str(name) for name in (table.columns if is_frame(table) else table)]
        missing = [name for name in self.features if name not in available]
        if missing:
            raise DataError(
                f"the data lacks the model's column(s) {', '.join(missing)}; "
                f"it has: {', '.join(available) or '(none)'}"
            )
        return np.column_stack([feature_matrix(table[name])[0] for name in self.features])

    def predict_file(
        self, path: str | Path, options: ReadOptions | None = None
    ) -> tuple[dict[str, Array], Array]:
        """Read the model's feature columns from a CSV or Parquet file (as `options` say,
        `ReadOptions`) and predict (through the model's formula, when it has one)."""
        if self.design is not None:
            from gdlab.data.designed import design_rows

            raw, X, _ = design_rows(Path(path), self.design, False, options)
            return raw, self.predict(X)
        columns = read_columns(path, self.features, options)
        X = np.column_stack([columns[name] for name in self.features])
        return columns, self.predict(X)

    def to_record(self) -> dict[str, Any]:
        """The model file's content (schema version `SCHEMA_VERSION`)."""
        standardization = None
        if self.mean is not None and self.scale is not None:
            standardization = {"mean": self.mean.tolist(), "scale": self.scale.tolist()}
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "gdlab_version": __version__,
            "features": list(self.features),
            "target": self.target,
            "intercept": self.intercept,
            "weight_names": self.weight_names,
            "weights": [float(w) for w in self.weights],
            "standardization": standardization,
            "config": self.config,
            "data": self.data,
            **({"design": self.design.to_record()} if self.design is not None else {}),
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model file atomically."""
        text = json.dumps(json_safe(self.to_record()), indent=1, allow_nan=False)
        atomic_write_text(path, text + "\n")


def data_fingerprint(data: Dataset | FileSource) -> str:
    """The fingerprint of the training data: its names and its rows [x₁ … x_k y] as float64
    (`gdlab.data.fingerprint`).

    The same rows in the same order give the same fingerprint on any machine, whether they
    were in memory or streamed from files (read batch by batch, in bounded memory).

    >>> from gdlab.data.seed import seed_dataset
    >>> data_fingerprint(seed_dataset(0)) == data_fingerprint(seed_dataset(0))
    True
    """
    if isinstance(data, FileSource):
        hasher = RowsFingerprint([*data.feature_names, data.target_name])
        for batch in data.batches():
            hasher.update(np.column_stack(batch.columns))
        return hasher.hexdigest()
    return RowsFingerprint.of_dataset(data).hexdigest()


def fingerprint(features: Sequence[str], target: str, X: Array, y: Array) -> str:
    """`data_fingerprint` of named arrays."""
    return RowsFingerprint([*features, target]).update(np.column_stack([X, y])).hexdigest()


def model_from_run(
    run: Run,
    data: Dataset | FileSource | None = None,
    mean: Sequence[float] | None = None,
    scale: Sequence[float] | None = None,
) -> SavedModel:
    """The saved model of a run (optionally trained on standardised features).

    Its data fingerprint is that of `data` when given, else the one the run's pass took
    (`prepare(…, fingerprint=True)`), else that of the rows the run kept in memory.
    """
    problem = run.problem
    if data is not None:
        digest = data_fingerprint(data)
    elif problem is not None and problem.fingerprint is not None:
        digest = problem.fingerprint
    elif problem is not None and problem.rows is not None:
        digest = data_fingerprint(problem.rows)
    else:
        raise DataError("the run keeps no rows to fingerprint; pass its data")
    design = run.data.details.get("design")
    where = run.data.details.get(ABSOLUTE_KEY)
    absolute = {ABSOLUTE_KEY: where} if isinstance(where, str) else {}
    return SavedModel(
        features=tuple(run.data.features),
        target=run.data.target,
        intercept=run.config.intercept,
        weights=np.asarray(run.weights, dtype=np.float64),
        mean=None if mean is None else np.asarray(mean, dtype=np.float64),
        scale=None if scale is None else np.asarray(scale, dtype=np.float64),
        config=run.config.to_record(),
        data={
            "source": run.data.source,
            **absolute,
            "n_rows": run.data.n_rows,
            "fingerprint": digest,
        },
        design=None if design is None else Design.from_record(design, "run"),
    )


def save_model(
    run: Any,
    data: Dataset | FileSource | str | os.PathLike[str] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> SavedModel:
    """Save the model of `run` (trained on `data`, or on the rows it keeps) to `path`.

    `run` may also be a `SavedModel`, or anything with a `to_saved_model()` method, such
    as a fitted `GDRegressor`; those carry their own data's fingerprint, so the call is
    ``save_model(estimator, path)`` (or with ``data=None``).
    """
    if path is None and isinstance(data, str | os.PathLike):
        data, path = None, data
    if path is None:
        raise DataError("save_model needs a path to write the model to")
    if isinstance(run, Run):
        model = model_from_run(run, data)  # type: ignore[arg-type]
    elif isinstance(run, SavedModel):
        model = run
    elif callable(getattr(run, "to_saved_model", None)):
        model = run.to_saved_model()
    else:
        raise DataError(
            f"save_model takes a Run, a SavedModel or a fitted GDRegressor, not "
            f"{type(run).__name__}"
        )
    model.save(path)
    return model


def load_model(path: str | os.PathLike[str]) -> SavedModel:
    """Read a model file, checking its schema, version and fields; errors say what is off."""
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, expected a model file") from None
    except (OSError, ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"{path}: not a readable model file ({reason})") from None
    return model_from_record(record, str(path))


def model_from_record(record: Any, where: str = "model") -> SavedModel:
    """Validate a parsed model file into a `SavedModel`."""
    check_schema(record, where)
    features = record.get("features")
    if not isinstance(features, list) or not all(isinstance(f, str) and f for f in features):
        raise DataError(f"{where}: 'features' must be a list of column names")
    if len(set(features)) != len(features):
        raise DataError(f"{where}: 'features' names a column twice: {features}")
    if not features:
        raise DataError(f"{where}: 'features' is empty: the model has no column to predict from")
    target = record.get("target", "y")
    intercept = record.get("intercept")
    if not isinstance(target, str) or not isinstance(intercept, bool):
        raise DataError(f"{where}: 'target' must be text and 'intercept' true or false")
    expected = len(features) + intercept
    weights = number_list(record.get("weights"), "weights", where)
    if len(weights) != expected or expected == 0:
        raise DataError(
            f"{where}: {len(weights)} weights for {len(features)} feature(s)"
            f"{' and an intercept' if intercept else ''}; expected {expected}"
        )
    mean, scale = standardization_of(record.get("standardization"), len(features), where)
    config = record.get("config", {})
    data = record.get("data", {})
    design = None
    if record.get("design") is not None:
        design = Design.from_record(record["design"], where)
        if list(design.columns) != features:
            raise DataError(f"{where}: the design's columns are not the model's features")
    return SavedModel(
        tuple(features),
        target,
        intercept,
        weights,
        mean,
        scale,
        config if isinstance(config, dict) else {},
        data if isinstance(data, dict) else {},
        design,
    )


def check_schema(record: Any, where: str) -> None:
    """The file must say it is a gdlab model of a schema version this gdlab reads."""
    if not isinstance(record, dict):
        raise DataError(f"{where}: not a gdlab model file (expected a JSON object)")
    if record.get("schema") != SCHEMA:
        if "losses" in record and "weights" in record:
            raise DataError(
                f"{where}: this is a run record, not a saved model; "
                "save one with: gdlab fit DATA --x … --y … --save model.json"
            )
        raise DataError(f'{where}: not a gdlab model file (no "schema": "{SCHEMA}")')
    version = record.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DataError(f"{where}: 'schema_version' must be a whole number ≥ 1, got {version!r}")
    if version > SCHEMA_VERSION:
        raise DataError(
            f"{where}: written with model schema version {version}, but this gdlab reads "
            f"version {SCHEMA_VERSION}; upgrade gdlab to load it"
        )


def standardization_of(
    value: Any, n_features: int, where: str
) -> tuple[Array | None, Array | None]:
    """The (mean, scale) pair of a model file, or (None, None) when it has none."""
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise DataError(f'{where}: \'standardization\' must be null or {{"mean", "scale"}}')
    mean = number_list(value.get("mean"), "standardization.mean", where)
    scale = number_list(value.get("scale"), "standardization.scale", where)
    for name, values in (("mean", mean), ("scale", scale)):
        if len(values) != n_features:
            raise DataError(
                f"{where}: standardization.{name} has {len(values)} values "
                f"for {n_features} feature(s)"
            )
    if np.any(scale <= 0):
        raise DataError(f"{where}: standardization.scale values must be > 0")
    return mean, scale


def number_list(value: Any, name: str, where: str) -> Array:
    """A JSON list of finite numbers as a float64 array, or a `DataError` naming the field."""
    if not isinstance(value, list) or not all(is_finite_number(v) for v in value):
        raise DataError(f"{where}: '{name}' must be a list of finite numbers")
    return np.asarray(value, dtype=np.float64)


def is_finite_number(value: Any) -> bool:
    """True for a finite int or float (not a bool)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False
