"""The data a request names: the seed recipe, inline columns or an upload.

The seed recipe follows `gdlab demo`: the request's seed draws the data first and the
initial weights after (`gdlab.training.fit.start_generator`), so the page's start is the
one `gdlab demo --seed` and `gdlab fit` draw.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gdlab.data.dataset import Dataset, from_arrays
from gdlab.data.presets import preset_dataset
from gdlab.errors import DataError
from gdlab.web.schemas import InlineData, SeedData, TrainRequest, UploadData
from gdlab.web.settings import Settings
from gdlab.web.uploads import UploadCache


class UnknownUpload(DataError):
    """The request names an upload this server does not hold (never had, or dropped)."""


def request_dataset(request: TrainRequest, settings: Settings, uploads: UploadCache) -> Dataset:
    """The request's dataset: the seed recipe (or a preset of it) from its seed, inline
    columns, or an upload."""
    spec = request.data
    if isinstance(spec, SeedData):
        check_rows(spec.n, settings)
        dataset = preset_dataset(spec.preset, request.seed, spec.n, spec.noise)
    elif isinstance(spec, InlineData):
        dataset = pick_columns(spec.columns, spec.x, spec.y, "arrays", settings)
    else:
        dataset = uploaded_dataset(spec, settings, uploads)
    return polynomial(dataset, request.degree)


def polynomial(dataset: Dataset, degree: int) -> Dataset:
    """The dataset's one feature as the powers x, x², …, x^degree (degree 1: as it is),
    through the same formula as `gdlab fit --degree` (the record keeps it)."""
    if degree == 1:
        return dataset
    if dataset.n_features != 1:
        raise DataError(
            f"a polynomial of degree {degree} needs one feature column; the data have "
            f"{dataset.n_features}"
        )
    from gdlab.data.design import degree_formula
    from gdlab.data.designed import designed_dataset

    x, y = dataset.feature_names[0], dataset.target_name
    columns = {x: dataset.features[:, 0], y: dataset.target}
    designed = designed_dataset(columns, degree_formula(x, y, degree), dataset.source)
    return Dataset(
        designed.features,
        designed.target,
        designed.feature_names,
        designed.target_name,
        dataset.source,
        {**dataset.extra, **designed.extra},
    )


def uploaded_dataset(spec: UploadData, settings: Settings, uploads: UploadCache) -> Dataset:
    """The chosen columns of an upload, or a `DataError` saying why they cannot be used."""
    table = uploads.get(spec.id)
    if table is None:
        raise UnknownUpload(
            "that uploaded file is no longer on this server (uploads are kept in memory for "
            "a while); upload it again"
        )
    for name in (*spec.x, spec.y):
        if name in table.skipped:
            raise DataError(
                f"{table.filename}: column '{name}' cannot be used: {table.skipped[name]}"
            )
    return pick_columns(table.columns, spec.x, spec.y, table.filename, settings)


def pick_columns(
    columns: Mapping[str, object], x: list[str], y: str, source: str, settings: Settings
) -> Dataset:
    """A `Dataset` of the named feature and target columns, checked against the limits."""
    if len(x) > settings.max_features:
        raise DataError(f"{len(x)} feature columns; the limit is {settings.max_features}")
    if y in x:
        raise DataError(f"column '{y}' is both a feature and the target")
    if len(set(x)) != len(x):
        raise DataError("a feature column is named twice")
    for name in (*x, y):
        if name not in columns:
            available = ", ".join(columns) or "(none)"
            raise DataError(f"{source}: no column '{name}'; available columns: {available}")
    arrays = [np.asarray(columns[name], dtype=np.float64) for name in (*x, y)]
    lengths = {len(array) for array in arrays}
    if len(lengths) > 1:
        raise DataError(f"{source}: the columns have different lengths {sorted(lengths)}")
    check_rows(lengths.pop(), settings)
    return from_arrays(np.column_stack(arrays[:-1]), arrays[-1], x, y, source=source)


def check_rows(n_rows: int, settings: Settings) -> None:
    """Raise a `DataError` when a dataset is over the server's row limit."""
    if n_rows > settings.max_rows:
        raise DataError(f"{n_rows} rows; this server trains on at most {settings.max_rows}")
