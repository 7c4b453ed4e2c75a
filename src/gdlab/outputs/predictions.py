"""Predictions a user keeps: a table of them, written as CSV, Parquet or JSON by file name.

`predictions_of_file(model, DATA, keep)` applies a saved model to a file's rows and gives
a `Predictions` table: the kept columns first, as DATA holds them (text exactly as a CSV
file writes it, so an id's leading zeros stay; a Parquet column keeps its type; the
features and the target as the numbers the model reads), then the model's feature
columns, then ``predicted_TARGET``. When DATA also holds the target, the
table carries it too, and `Predictions.quality` gives the RMSE and R² of the predictions:

    RMSE = √(Σ(y − ŷ)²/N),    R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)².

`write_predictions` writes the table in the format its file name asks for (`FORMATS`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from gdlab.atomic import atomic_write_bytes, write_target
from gdlab.data.columns import (
    check_columns,
    column_names,
    first_line,
    is_parquet,
    read_columns,
    text_options,
)
from gdlab.data.csvformat import csv_format
from gdlab.data.options import ReadOptions
from gdlab.errors import ConfigError, DataError

if TYPE_CHECKING:
    import pyarrow as pa

    from gdlab.outputs.savedmodel import SavedModel

Array = NDArray[np.float64]

#: The output format of each file suffix.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".parq": "parquet"}
FORMATS[".json"] = "json"


def output_format(path: str | os.PathLike[str]) -> str:
    """'csv', 'parquet' or 'json', from the file name's suffix; any other is a `ConfigError`,
    except on a stream (a device, FIFO or /dev/stdout), which gets CSV as stdout does.

    >>> output_format("preds.PQ"), output_format("out/preds.csv"), output_format("/dev/stdout")
    ('parquet', 'csv', 'csv')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS and write_target(path).stream:
        return "csv"
    if suffix not in FORMATS:
        said = f"'{suffix}'" if suffix else "no suffix"
        raise ConfigError(
            f"{path}: cannot tell the output format from {said}; "
            "name a .csv, .parquet (or .pq) or .json file"
        )
    return FORMATS[suffix]


@dataclass(frozen=True)
class Quality:
    """How the predictions score against the target DATA holds."""

    n_rows: int
    rmse: float
    #: NaN when the target is constant (R² is then undefined).
    r2: float

    def sentence(self, target: str, source: str) -> str:
        """One line: 'predicted_y against y in new.csv (3 rows): RMSE 0.1, R² 0.99'."""
        r2 = (
            f"R² {self.r2:.6g}"
            if math.isfinite(self.r2)
            else f"R² undefined ({target} is constant)"
        )
        rows = f"{self.n_rows} row{'s' if self.n_rows != 1 else ''}"
        scores = f"RMSE {self.rmse:.6g}, {r2}"
        return f"predicted_{target} against {target} in {source} ({rows}): {scores}"


def quality(actual: Array, predicted: Array) -> Quality:
    """RMSE and R² of `predicted` against `actual` (see the module notes), over the rows
    whose actual value is there (NaN: missing, left out with ``--missing drop``).

    >>> q = quality(np.array([1.0, 2.0, 3.0, np.nan]), np.array([1.0, 2.0, 4.0, 9.0]))
    >>> q.n_rows, round(q.rmse, 4), q.r2
    (3, 0.5774, 0.5)
    """
    present = ~np.isnan(actual)
    actual, predicted = actual[present], predicted[present]
    errors = actual - predicted
    sse = float(errors @ errors)
    spread = actual - actual.mean()
    sst = float(spread @ spread)
    r2 = 1.0 - sse / sst if sst > 0 else math.nan
    return Quality(int(actual.size), math.sqrt(sse / actual.size), r2)


@dataclass(frozen=True)
class Predictions:
    """The output table: kept columns, the features, then the predictions."""

    #: Every column in output order (kept ones are Arrow arrays, the rest float64 arrays).
    columns: dict[str, Any]
    prediction_name: str
    #: The target's values when DATA holds them (for `quality`), else None.
    actual: Array | None = None
    #: Why DATA's target column could not be scored, when it is there but unreadable.
    unscored: str | None = None

    @property
    def predicted(self) -> Array:
        """ŷ, one per row."""
        return np.asarray(self.columns[self.prediction_name], dtype=np.float64)

    @property
    def n_rows(self) -> int:
        """Rows predicted."""
        return int(self.predicted.size)

    @property
    def quality(self) -> Quality | None:
        """RMSE and R² against DATA's target, when it has one."""
        return None if self.actual is None else quality(self.actual, self.predicted)

    def to_arrow(self) -> pa.Table:
        """The table as a `pyarrow.Table`."""
        import pyarrow as pa

        return pa.table({name: values for name, values in self.columns.items()})


def predictions_of_file(
    model: SavedModel,
    path: str | os.PathLike[str],
    keep: Sequence[str] = (),
    options: ReadOptions | None = None,
) -> Predictions:
    """Predict every row of a CSV or Parquet file (read as `options` say, `ReadOptions`);
    carry the `keep` columns through.

    A missing column is a `DataError` naming it; a target column with a bad cell only
    leaves the predictions unscored (`Predictions.unscored` says why).
    """
    file = Path(path)
    features = list(model.features)
    name = f"predicted_{model.target}"
    if name in keep:
        raise ConfigError(f"the kept column '{name}' would clash with the predictions")
    if model.design is not None:
        return design_predictions(model, file, keep, name, options)
    has_target = model.target not in features and model.target in names_in(file, options)
    unscored = None
    try:
        wanted = [*features, model.target] if has_target else features
        columns = read_columns(file, wanted, options, required=features)
    except DataError as error:
        if not has_target:
            raise
        # Without the target: a bad feature cell still raises.
        columns = read_columns(file, features, options)
        has_target, unscored = False, str(error)
    predicted = model.predict(np.column_stack([columns[feature] for feature in features]))
    as_text = [column for column in keep if column not in columns]
    text = kept_columns(file, as_text, options) if as_text else {}
    output: dict[str, Any] = {column: text.get(column, columns.get(column)) for column in keep}
    for feature in features:
        output.setdefault(feature, columns[feature])
    output[name] = predicted
    actual = columns[model.target] if has_target else None
    if actual is not None and np.isnan(actual).all():  # --missing drop kept no target
        actual, unscored = None, f"{file}: every value of column '{model.target}' is missing"
    return Predictions(output, name, actual, unscored)


def design_predictions(
    model: SavedModel,
    file: Path,
    keep: Sequence[str],
    name: str,
    options: ReadOptions | None = None,
) -> Predictions:
    """Predictions through the model's formula: the raw columns read, the design applied
    (the target's formula too, for the score, when the file has its columns)."""
    from gdlab.data.designed import design_rows

    design = model.design
    assert design is not None
    available = names_in(file, options)
    has_target = bool(design.target_variables) and all(
        variable in available for variable in design.target_variables
    )
    unscored = None
    try:
        raw, X, actual = design_rows(file, design, has_target, options)
    except DataError as error:
        if not has_target:
            raise
        raw, X, actual = design_rows(file, design, False, options)
        has_target, unscored = False, str(error)
    predicted = model.predict(X)
    as_text = [column for column in keep if column not in raw]
    text = kept_columns(file, as_text, options) if as_text else {}
    output: dict[str, Any] = {column: text.get(column, raw.get(column)) for column in keep}
    for variable in design.variables:
        output.setdefault(variable, raw[variable])
    output = {key: as_column(values) for key, values in output.items()}
    output[name] = predicted
    return Predictions(output, name, actual if has_target else None, unscored)


def as_column(values: Any) -> Any:
    """A column of the output table: numbers as float64, text as an Arrow array."""
    import pyarrow as pa

    if isinstance(values, list):
        return pa.array([None if value is None else str(value) for value in values])
    return values


def names_in(file: Path, options: ReadOptions | None = None) -> list[str]:
    """The file's column names (a missing file is left for the reader to report)."""
    return column_names(file, options) if file.is_file() and file.stat().st_size else []


def kept_columns(
    file: Path, names: Sequence[str], options: ReadOptions | None = None
) -> dict[str, pa.Array]:
    """The named columns as the file holds them: CSV cells as text, Parquet columns typed."""
    import pyarrow as pa

    wanted = list(dict.fromkeys(names))
    check_columns(column_names(file, options), wanted, file)
    try:
        if is_parquet(file):
            import pyarrow.parquet as pq

            table = pq.read_table(file, columns=wanted)
        else:
            from pyarrow import csv

            fmt = csv_format(file, options)
            table = csv.read_csv(
                file,
                read_options=fmt.read_options(),
                parse_options=fmt.parse_options(),
                convert_options=text_options(wanted),
            )
    except (pa.ArrowException, UnicodeDecodeError, OSError) as error:
        raise DataError(f"{file}: {first_line(error)}") from None
    return {name: table.column(name).combine_chunks() for name in wanted}


def write_predictions(predictions: Predictions, path: str | os.PathLike[str]) -> Path:
    """Write the table atomically as CSV, Parquet or JSON, as `path`'s suffix says."""
    writers = {"csv": csv_bytes, "parquet": parquet_bytes, "json": json_bytes}
    return atomic_write_bytes(path, writers[output_format(path)](predictions))


def parquet_bytes(predictions: Predictions) -> bytes:
    """The table as a Parquet file."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(predictions.to_arrow(), buffer)
    return buffer.getvalue()


def rows_of(predictions: Predictions) -> list[list[Any]]:
    """The table's rows as Python values (floats as floats, missing cells as None)."""
    columns = [
        values.to_pylist() if hasattr(values, "to_pylist") else [float(v) for v in values]
        for values in predictions.columns.values()
    ]
    return [list(row) for row in zip(*columns, strict=True)]


def csv_text(predictions: Predictions) -> str:
    """The table as CSV text: a header, then one line per row (floats in shortest exact form).

    >>> table = Predictions({"x": np.array([0.5]), "predicted_y": np.array([2.0])}, "predicted_y")
    >>> csv_text(table)
    'x,predicted_y\\n0.5,2.0\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(predictions.columns))
    writer.writerows([csv_cell(value) for value in row] for row in rows_of(predictions))
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    """A cell's text: empty for a missing value, repr for a float (it reads back exactly)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_bytes(predictions: Predictions) -> bytes:
    """The CSV text as UTF-8."""
    return csv_text(predictions).encode("utf-8")


def json_bytes(predictions: Predictions) -> bytes:
    """The table as a JSON list of row objects ({"id": …, "x": …, "predicted_y": …})."""
    names = list(predictions.columns)
    rows = [
        {name: json_value(value) for name, value in zip(names, row, strict=True)}
        for row in rows_of(predictions)
    ]
    return (json.dumps(rows, indent=1, allow_nan=False, default=str) + "\n").encode("utf-8")


def json_value(value: Any) -> Any:
    """A cell as JSON can hold it: NaN and ±inf (from a kept column) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
