"""Dask collections as training data: dask arrays, dataframes, or files read by dask.

`DaskData` holds features (n×k) and a target (n) as Dask collections, named like a
`Dataset`; each block of rows — a chunk of a dask array, a partition of a dask dataframe,
or of files read by ``dask.dataframe`` — is one unit of the statistics pass
(`gdlab.onepass.dask`). Dask is an optional extra: ``pip install 'gdlab[dask]'``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdlab.data.columns import MissingTally, is_parquet
from gdlab.data.csvformat import compression_of
from gdlab.data.dataset import MAX_MAGNITUDE, default_names
from gdlab.data.design import MISSING_DROP_REFUSED, Design
from gdlab.data.files import FileSource
from gdlab.errors import ConfigError, DataError

#: Rows per dask chunk when gdlab makes the dask array itself.
BLOCK_ROWS = 1 << 20


@dataclass(frozen=True)
class DaskData:
    """Features (n×k) and target (n) as Dask collections, named like a `Dataset`."""

    features: Any
    target: Any
    feature_names: tuple[str, ...]
    target_name: str = "y"
    source: str = "dask"
    extra: dict[str, Any] = field(default_factory=dict)
    drop_missing: bool = False
    nbytes: int | None = None
    from_files: bool = False
    #: Columns read beside the features, in the same blocks: sample weights (`weight_name`)
    #: and cluster labels (`cluster_name`), in that order, as one dask collection.
    extras: Any = None
    weight_name: str | None = None
    cluster_name: str | None = None

    @property
    def n_features(self) -> int:
        """Number of feature columns k."""
        return len(self.feature_names)


def is_dask_collection(value: object) -> bool:
    """True for a dask array, dataframe or series (without importing dask when it is unused)."""
    dask = sys.modules.get("dask")
    return dask is not None and bool(dask.is_dask_collection(value))


def import_dask() -> Any:
    """Import dask and distributed, or say how to install them."""
    try:
        import dask.array
        import dask.dataframe
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the dask engine needs the optional extra: pip install 'gdlab[dask]'"
        ) from None
    return dask


def dask_arrays(
    features: Any,
    target: Any,
    feature_names: Sequence[str] | None = None,
    target_name: str = "y",
    block_rows: int = BLOCK_ROWS,
    source: str = "dask",
) -> DaskData:
    """Wrap arrays (dask or in-memory) as `DaskData`, chunked by rows, one chunk across columns."""
    dask = import_dask()
    if isinstance(features, dask.dataframe.DataFrame | dask.dataframe.Series):  # block: partition
        frame = features.to_frame() if features.ndim == 1 else features
        names = tuple(feature_names or [str(name) for name in frame.columns])
        target_name = str(getattr(target, "name", None) or target_name)
        return DaskData(frame, target, names, target_name, source)
    X = dask.array.asarray(features) if is_dask_collection(features) else None
    if X is None:
        X = dask.array.from_array(np.asarray(features, dtype=np.float64), chunks=block_rows)
    y = dask.array.asarray(target) if is_dask_collection(target) else None
    if y is None:
        y = dask.array.from_array(np.asarray(target, dtype=np.float64), chunks=block_rows)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or y.ndim != 1:
        raise DataError(f"dask data: need features N×k and a 1-D target, got {X.shape}, {y.shape}")
    k = X.shape[1]
    names = tuple(feature_names) if feature_names else default_names(k)
    if len(names) != k:
        raise DataError(f"{len(names)} feature names given for {k} feature columns")
    X = X.rechunk({1: -1})
    y = y.rechunk({0: X.chunks[0]})
    size = X.nbytes + y.nbytes if all(map(np.isfinite, (X.nbytes, y.nbytes))) else None
    return DaskData(X, y, names, target_name, source, nbytes=int(size) if size else None)


def dask_frame(
    frame: Any, x_columns: Sequence[str], y_column: str, source: str = "dask"
) -> DaskData:
    """Columns of a dask dataframe as `DaskData` (one block per partition)."""
    missing = [name for name in [*x_columns, y_column] if name not in frame.columns]
    if missing:
        listed = ", ".join(str(name) for name in frame.columns)
        raise DataError(f"{source}: no column '{missing[0]}'; available columns: {listed}")
    return DaskData(frame[list(x_columns)], frame[y_column], tuple(x_columns), y_column, source)


def dask_files(source: FileSource) -> DaskData:
    """Files read by ``dask.dataframe`` (CSV split into byte blocks, Parquet by row group)."""
    dask = import_dask()
    design = getattr(source, "design", None)  # files through a formula (`gdlab.data.designed`)
    wanted = [*source.feature_names, source.target_name, *source.extra_names]
    if design is not None:
        raw = [*design.variables, *design.target_variables, *source.extra_names]
        wanted = list(dict.fromkeys(raw))
    parquet = [str(file) for file in source.files if is_parquet(file)]
    frames = []
    if parquet:
        frames.append(dask.dataframe.read_parquet(parquet, columns=wanted))
    for (encoding, delimiter, compressed), names in csv_groups(source).items():
        frames.append(
            dask.dataframe.read_csv(
                names,
                usecols=wanted,
                sep=delimiter,
                encoding=encoding,
                blocksize=None if compressed else "64MB",  # a compressed file is one block
                compression="infer",
            )
        )
    frame = frames[0] if len(frames) == 1 else dask.dataframe.concat(frames)
    if design is not None:
        return designed_dask_data(frame, design, source.source, source)
    data = dask_frame(frame, source.feature_names, source.target_name, source.source)
    extras = frame[list(source.extra_names)] if source.extra_names else None
    return DaskData(
        data.features,
        data.target,
        data.feature_names,
        data.target_name,
        source.source,
        drop_missing=source.options.drops_missing,
        nbytes=source.total_bytes,
        from_files=True,
        extras=extras,
        weight_name=source.weight_name,
        cluster_name=source.cluster_name,
    )


def designed_dask(frame: Any, formula: str, source: str = "dask") -> DaskData:
    """A dask dataframe through `formula`: the levels from a pass over only the categorical
    columns (their ``unique()``), then the design applied partition by partition."""
    import pandas as pd

    from gdlab.data.design import build_design, categorical_calls, formula_variables
    from gdlab.data.designed import PROTOTYPE_ROWS, frame_text_columns

    dask = import_dask()
    rhs, lhs = formula_variables(formula, [str(name) for name in frame.columns])
    raw = list(dict.fromkeys([*rhs, *lhs]))
    absent = [name for name in raw if name not in frame.columns]
    if absent:
        listed = ", ".join(map(str, frame.columns))
        raise DataError(f"{source}: no column '{absent[0]}'; available columns: {listed}")
    frame = frame[raw]
    head = frame.head(PROTOTYPE_ROWS, npartitions=-1)
    categorical = set(frame_text_columns(head, raw)) | (categorical_calls(formula) & set(raw))
    names = [name for name in raw if name in categorical]
    found = dask.compute(*[frame[name].unique() for name in names]) if names else ()
    levels = {}
    for name, values in zip(names, found, strict=True):
        if pd.isna(values).any():
            raise DataError(f"{source}: missing value in column '{name}'")
        levels[name] = tuple(sorted(values.tolist()))
    design = build_design(formula, head, levels, source)
    return designed_dask_data(frame, design, source)


def designed_dask_data(
    frame: Any, design: Design, source: str, files: FileSource | None = None
) -> DaskData:
    """`DaskData` of the design's columns, computed partition by partition (rows are
    numbered within each block: a dask partition does not know where it starts); for
    `files`, their weights and clusters read beside them in the same partitions."""
    import pandas as pd

    where = f"{source} (a block of it)"
    columns = list(design.columns)

    def features(part: Any) -> Any:
        X, _ = design.apply(part.reset_index(drop=True), 0, where, target=False)
        return pd.DataFrame(X, columns=columns, index=part.index)

    def target(part: Any) -> Any:
        _, y = design.apply(part.reset_index(drop=True), 0, where)
        return pd.Series(y, index=part.index, name=design.target)

    meta_features = pd.DataFrame({name: pd.Series(dtype=np.float64) for name in columns})
    meta_target = pd.Series(dtype=np.float64, name=design.target)
    X = frame.map_partitions(features, meta=meta_features)
    y = frame.map_partitions(target, meta=meta_target)
    extra: dict[str, Any] = {"design": design.to_record()}
    if files is None:
        return DaskData(X, y, design.columns, design.target, source, extra)
    if files.options.drops_missing:
        raise ConfigError(MISSING_DROP_REFUSED)
    extras = frame[list(files.extra_names)] if files.extra_names else None
    return DaskData(
        X,
        y,
        design.columns,
        design.target,
        source,
        extra,
        nbytes=files.total_bytes,
        from_files=True,
        extras=extras,
        weight_name=files.weight_name,
        cluster_name=files.cluster_name,
    )


def csv_groups(source: FileSource) -> dict[tuple[str, str, bool], list[str]]:
    """The CSV files by (encoding, separator, compressed), in file order: one read each."""
    groups: dict[tuple[str, str, bool], list[str]] = {}
    for file, fmt in zip(source.files, source.formats, strict=True):
        if fmt is not None:
            key = (fmt.encoding, fmt.delimiter, compression_of(file) is not None)
            groups.setdefault(key, []).append(str(file))
    return groups


def block_rows(
    features: Any,
    target: Any,
    names: Sequence[str],
    source: str,
    tally: MissingTally | None,
    hint: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """One block's features (n×k) and target (n) as float64; with a `tally`, rows with a
    missing value are left out and counted, else a missing value is an error (naming the
    option that leaves such rows out, with `hint`: files, read by the command line too)."""
    allow = tally is not None
    X = block_values(features, names[:-1], source, allow_missing=allow, hint=hint)
    y = block_values(target, names[-1:], source, allow_missing=allow, hint=hint).reshape(-1)
    if tally is not None:
        columns = {name: X[:, j] for j, name in enumerate(names[:-1])}
        keep = tally.keep({**columns, names[-1]: y})
        if keep is not None:
            X, y = X[keep], y[keep]
    return X, y


def block_values(
    values: Any, names: Sequence[str], source: str, allow_missing: bool = False, hint: bool = False
) -> np.ndarray:
    """One block's columns as an n×k float64 matrix; non-numeric, infinite or too large
    values are errors, and missing ones too unless `allow_missing` (then NaN)."""
    if hasattr(values, "to_numpy") and hasattr(values, "ndim"):  # a pandas block
        from pandas.api.types import is_numeric_dtype

        frame = values.to_frame() if values.ndim == 1 else values
        for name, kind in zip(names, frame.dtypes, strict=True):
            if not is_numeric_dtype(kind):
                raise DataError(
                    f"{source}: column '{name}' is {kind}, not numeric; encode it as numbers "
                    "first, or name it in a formula (--formula, C(column))"
                )
        array = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = np.asarray(values)
        if array.dtype.kind not in "biuf":
            raise DataError(f"{source}: the data is {array.dtype}, not numeric")
        array = array.astype(np.float64, copy=False).reshape(array.shape[0], -1)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(array) <= MAX_MAGNITUDE)
    if allow_missing:
        bad &= ~np.isnan(array)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        value, where = array[row, col], f"in column '{names[col]}'"
        if np.isnan(value):
            drop = "; to leave out rows with a missing value, use {option}=drop" if hint else ""
            raise DataError(f"{source}: missing value (NaN) {where}{drop}", option="missing")
        if np.isinf(value):
            raise DataError(f"{source}: infinite value {where}")
        raise DataError(
            f"{source}: value {value:.3g} {where} is too large: its square would overflow; "
            f"rescale the column (gdlab takes |value| ≤ {MAX_MAGNITUDE:.0e})"
        )
    return array
