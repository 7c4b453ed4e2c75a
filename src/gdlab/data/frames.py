"""Tabular inputs for the Python API: numpy arrays, pandas and polars frames, Dask collections.

`feature_matrix` and `target_vector` turn whatever a notebook holds into float64 arrays
plus the names the data already carries: a DataFrame's column names become feature names,
a Series' name the target's. pandas, polars and Dask are recognised by duck typing
(`columns`, `to_numpy`, `compute`), so none of them is imported, or needed, here.
Dask collections are computed into memory: the in-memory engines need the rows.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.errors import DataError

Array = NDArray[np.float64]


def feature_matrix(features: Any) -> tuple[Array, tuple[str, ...] | None]:
    """Features as an N×k float64 array, with column names when the input has them.

    >>> feature_matrix([[1, 2], [3, 4]])
    (array([[1., 2.],
           [3., 4.]]), None)
    """
    features = computed(features)
    if is_frame(features):
        names = tuple(str(name) for name in features.columns)
        columns = [column_floats(features[name], str(name)) for name in features.columns]
        if not columns:
            raise DataError("the feature frame has no columns")
        return np.column_stack(columns), names
    if is_series(features):
        name = series_name(features)
        values = column_floats(features, name or "x")
        return values.reshape(-1, 1), (name,) if name else None
    return as_floats(features, "features"), None


def target_vector(target: Any) -> tuple[Array, str | None]:
    """The target as a float64 vector, with its name when it is a named Series or column.

    >>> target_vector([1, 2, 3])
    (array([1., 2., 3.]), None)
    """
    target = computed(target)
    if is_frame(target):
        names = [str(name) for name in target.columns]
        if len(names) != 1:
            raise DataError(f"the target must be one column, got {len(names)}: {names}")
        return column_floats(target[target.columns[0]], names[0]), names[0]
    if is_series(target):
        name = series_name(target)
        return column_floats(target, name or "y"), name
    return as_floats(target, "target"), None


def computed(values: Any) -> Any:
    """A Dask collection computed into memory (a pandas frame or a numpy array); else as is."""
    if type(values).__module__.split(".")[0] == "dask" and hasattr(values, "compute"):
        return values.compute()
    return values


def is_frame(values: Any) -> bool:
    """True for pandas and polars DataFrames (named columns, each readable by name)."""
    return hasattr(values, "columns") and hasattr(values, "to_numpy")


def is_series(values: Any) -> bool:
    """True for pandas and polars Series: one named column."""
    return hasattr(values, "name") and hasattr(values, "to_numpy") and not is_frame(values)


def series_name(series: Any) -> str | None:
    """A Series' name as text, or None when it has none."""
    name = series.name
    return None if name is None or name == "" else str(name)


def column_floats(column: Any, name: str) -> Array:
    """One pandas/polars column as float64; nulls become NaN (reported later with their row)."""
    values = column.to_numpy()
    if values.dtype.kind in "mM":
        raise DataError(f"column '{name}' holds dates or times ({values.dtype}), not numbers")
    if values.dtype == object:
        # pandas nullable columns: pd.NA becomes NaN (reported later with its row); polars
        # takes no such arguments, and text that is no number is reported by `as_floats`.
        with contextlib.suppress(TypeError, ValueError):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return as_floats(values, f"column '{name}'")


def as_floats(values: Any, what: str) -> Array:
    """Convert to float64; a failure names the first bad cell by its (1-based) row."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        pass
    rows = values if isinstance(values, np.ndarray | list | tuple) else ()
    for row, cells in enumerate(rows):
        for cell in cells if isinstance(cells, np.ndarray | list | tuple) else [cells]:
            if not is_number(cell):
                raise DataError(f"{what}: non-numeric value {cell!r} at data row {row + 1}")
    kind = getattr(values, "dtype", type(values).__name__)
    raise DataError(f"{what}: cannot be read as numbers (type {kind})")


def is_number(cell: Any) -> bool:
    """True when one cell converts to a float (None counts: it is a missing value)."""
    if cell is None:
        return True
    try:
        float(cell)
    except (TypeError, ValueError):
        return False
    return True
