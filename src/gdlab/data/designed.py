"""Data through a design (`gdlab.data.design`): files, frames and Dask collections whose
feature columns a formula makes of the raw ones.

Before the one pass, the levels of the categorical columns are found by a first pass over
only those columns (`file_levels`; on Dask, their ``unique()``), and the design is built on
the first few rows. `DesignedFiles` then yields the design columns block by block, like
`FileSource` yields raw ones, so the stream, the Dask pass and the in-memory engines all
train on the same columns. `open_design` decides from --x, --formula and --degree which
source a command reads: plain files when every --x column holds numbers, else a design that
one-hot encodes the text columns (the first level the reference, with an intercept).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gdlab.data.batches import Batch
from gdlab.data.cells import column_values, holds_text
from gdlab.data.columns import column_names, first_line, is_parquet, read_errors, text_options
from gdlab.data.csvformat import csv_format, open_stream
from gdlab.data.dataset import Dataset, check_weights, from_arrays
from gdlab.data.design import (
    MISSING_DROP_REFUSED,
    Design,
    build_design,
    categorical_calls,
    degree_formula,
    formula_of_columns,
    formula_variables,
)
from gdlab.data.files import (
    FileSource,
    check_file_columns,
    checked_files,
    default_batch_rows,
    open_files,
)
from gdlab.data.options import ReadOptions, recorded_read_options
from gdlab.data.stamps import check_unchanged
from gdlab.errors import ConfigError, DataError

if TYPE_CHECKING:
    import pyarrow as pa

#: Rows of the first block a design is built on.
PROTOTYPE_ROWS = 1000
#: The key of the design in a run record's data details.
DESIGN_KEY = "design"


def is_text_type(kind: pa.DataType) -> bool:
    """True for Arrow's text columns (plain or dictionary-encoded)."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def raw_frames(
    file: Path,
    names: Sequence[str],
    text: Sequence[str],
    rows: int,
    options: ReadOptions | None = None,
) -> Iterator[tuple[Any, int, int]]:
    """Blocks of a file's raw columns as pandas frames: (frame, first data row, bytes read).

    Numbers are checked cell by cell as every reader checks them (`gdlab.data.cells`);
    `text` columns stay text (trimmed; None where a cell is empty).
    """
    import pandas as pd

    done, warned = 0, set[str]()
    for record_batch, read in record_batches(file, list(names), rows, options):
        columns = {}
        for name in names:
            column = record_batch.column(name)
            if name in text:
                columns[name] = pd.Series(trimmed(column.to_pylist()), dtype=object)
            else:
                columns[name] = column_values(column, name, file, done, warned=warned, hint=False)
        yield pd.DataFrame(columns), done, read
        done += record_batch.num_rows
    if done == 0:
        raise DataError(f"{file}: no data rows (only a header?)")


def trimmed(cells: list[Any]) -> list[Any]:
    """Text cells without surrounding blanks, an empty one as None (as numbers are read)."""
    return [cell.strip() or None if isinstance(cell, str) else cell for cell in cells]


def record_batches(
    file: Path, names: list[str], rows: int, options: ReadOptions | None = None
) -> Iterator[tuple[Any, int]]:
    """Arrow record batches of the named columns (CSV cells as text, its separator and
    encoding as `options` give or the file shows), with bytes read."""

    fmt = None
    try:
        if is_parquet(file):
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(file, pre_buffer=False)
            total, size, done = max(1, parquet.metadata.num_rows), file.stat().st_size, 0
            for batch in parquet.iter_batches(batch_size=rows, columns=names):
                done += batch.num_rows
                yield batch, size * done // total
            return
        from pyarrow import csv

        fmt = csv_format(file, options)
        block = max(1 << 20, rows * 16 * len(names))
        stream, position = open_stream(file)
        with stream:
            reader = csv.open_csv(
                stream,
                read_options=fmt.read_options(block_size=block),
                parse_options=fmt.parse_options(),
                convert_options=text_options(names),
            )
            for batch in reader:  # blocks of bytes, cut to at most `rows` rows
                for start in range(0, batch.num_rows, rows):
                    yield batch.slice(start, rows), position()
    except read_errors() as error:
        if fmt is not None:
            from gdlab.data.columns import csv_error

            raise csv_error(file, fmt, error) from None
        raise DataError(f"{file}: {first_line(error)}") from None


def text_columns(file: Path, names: Sequence[str], options: ReadOptions | None = None) -> list[str]:
    """The columns among `names` that hold text: those of a text type whose first cells are
    mostly words (`gdlab.data.cells.holds_text`, which the readers use too): a column of
    numbers with a few bad cells stays numeric, so the first bad one is reported with its
    row. A Parquet column of numbers is never text."""
    if is_parquet(file):
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(file)
        except read_errors() as error:
            raise DataError(f"{file}: not a readable Parquet file ({first_line(error)})") from None
        candidates = []
        for name in names:
            index = schema.get_field_index(name)  # −1: absent or named twice (the reader says)
            if index >= 0 and is_text_type(schema.field(index).type):
                candidates.append(name)
    else:
        candidates = list(names)
    if not candidates:
        return []
    batch, _ = next(record_batches(file, candidates, PROTOTYPE_ROWS, options), (None, 0))
    if batch is None:
        return []
    return [name for name in candidates if holds_text(trimmed(batch.column(name).to_pylist()))]


def file_levels(
    files: Sequence[Path],
    categorical: Sequence[str],
    text: Sequence[str],
    options: ReadOptions | None = None,
) -> dict[str, tuple[Any, ...]]:
    """The sorted levels of each categorical column over every file: a pass that reads only
    those columns. A missing cell is an error naming its file and row."""
    found: dict[str, set[Any]] = {name: set() for name in categorical}
    if not categorical:
        return {}
    for file in files:
        rows = default_batch_rows(len(categorical))
        for frame, first_row, _ in raw_frames(file, categorical, text, rows, options):
            for name in categorical:
                values = frame[name]
                missing = np.flatnonzero(values.isna().to_numpy())
                if missing.size:
                    row = first_row + int(missing[0]) + 1
                    raise DataError(f"{file}: missing value in column '{name}' at data row {row}")
                found[name].update(values.tolist())
    return {name: tuple(sorted(values)) for name, values in found.items()}


@dataclass(frozen=True)
class DesignedFiles(FileSource):
    """Files whose feature columns a `Design` makes of their raw columns (see the module
    notes): `feature_names` are the design's columns, `target_name` its left side."""

    design: Design = field(default=None, kw_only=True)  # type: ignore[assignment]
    text: tuple[str, ...] = field(default=(), kw_only=True)

    @property
    def raw_names(self) -> list[str]:
        """The raw columns the formula reads, each once."""
        return list(dict.fromkeys([*self.design.variables, *self.design.target_variables]))

    @property
    def wanted(self) -> list[str]:
        """Every file column a pass reads: the formula's, then weights and clusters."""
        return list(dict.fromkeys([*self.raw_names, *self.extra_names]))

    @property
    def extra(self) -> dict[str, Any]:
        """Details for the run record: the file count, the read options, and the design."""
        return {**super().extra, DESIGN_KEY: self.design.to_record()}

    def batches(self, batch_rows: int | None = None) -> Iterator[Batch]:
        """The design columns and the target (and the weights and clusters read beside
        them), block by block, file after file; a file that changed meanwhile is refused."""
        wanted = self.wanted
        rows = batch_rows or default_batch_rows(len(wanted) + self.n_features + 1)
        for file, before in zip(self.files, self.stamps, strict=True):
            for frame, first_row, read in raw_frames(file, wanted, self.text, rows, self.options):
                X, y = self.design.apply(frame, first_row, str(file))
                assert y is not None
                columns = tuple(np.ascontiguousarray(X[:, j]) for j in range(X.shape[1]))
                weights = clusters = None
                if self.weight_name:
                    weights = frame[self.weight_name].to_numpy(np.float64)
                    check_weights(weights, self.weight_name, str(file), first_row)
                if self.cluster_name:
                    clusters = frame[self.cluster_name].to_numpy(np.float64)
                yield Batch((*columns, y), file, first_row, read, weights, clusters)
            check_unchanged(file, before)

    def read(self) -> Dataset:
        """Every row's design columns in memory (with their weights and clusters)."""
        parts = list(self.batches())
        X = np.concatenate([part.features for part in parts])
        y = np.concatenate([part.target for part in parts])
        weights = clusters = None
        if self.weight_name:
            weights = np.concatenate([part.weights for part in parts if part.weights is not None])
        if self.cluster_name:
            clusters = np.concatenate([p.clusters for p in parts if p.clusters is not None])
        data = from_arrays(
            X,
            y,
            self.feature_names,
            self.target_name,
            self.source,
            weights=weights,
            weight_name=self.weight_name,
        )
        if clusters is not None:
            data = replace(data, clusters=clusters, cluster_name=self.cluster_name)
        return replace(data, extra=self.extra)


def open_design(
    path: str | Path,
    x_columns: Sequence[str] | None,
    y_column: str | None,
    formula: str | None = None,
    degree: int | None = None,
    intercept: bool = True,
    options: ReadOptions | None = None,
) -> FileSource:
    """The source a command reads: files with a formula (--formula), a polynomial of one
    feature (--degree), text columns one-hot encoded, or plain numeric columns, read as
    `options` say."""
    if formula is not None and (x_columns or y_column or degree):
        raise ConfigError("--formula names the columns itself: leave out --x, --y and --degree")
    note = False
    if formula is None:
        if not x_columns or not y_column:
            raise ConfigError(f"name the columns of {path} to use: --x and --y, or --formula")
        if degree is not None:
            if len(x_columns) != 1:
                raise ConfigError(
                    f"--degree makes a polynomial of one feature; --x names {len(x_columns)}"
                )
            formula = degree_formula(x_columns[0], y_column, degree, intercept)
        else:
            plain = open_files(path, x_columns, y_column, options)
            if not text_columns(plain.files[0], x_columns, plain.options):
                return plain
            formula, note = formula_of_columns(x_columns, y_column, intercept), True
    return designed_files(path, formula, note, options)


def designed_files(
    path: str | Path, formula: str, note: bool = False, options: ReadOptions | None = None
) -> DesignedFiles:
    """Files through `formula`: the levels first (a pass over only the categorical columns),
    the design built on the first rows. Rows with a missing cell cannot be left out
    (--missing drop): the design's errors name rows by their place in the file."""
    options = options or ReadOptions()
    if options.drops_missing:
        raise ConfigError(MISSING_DROP_REFUSED)
    from gdlab.data.paths import resolve_files

    found = resolve_files(str(path))
    rhs, lhs = formula_variables(formula, column_names(found[0], options))
    raw = list(dict.fromkeys([*rhs, *lhs]))
    files, stamps, formats = checked_files(found, raw, options)
    text = text_columns(files[0], raw, options)
    categorical = [name for name in raw if name in text or name in categorical_calls(formula)]
    levels = file_levels(files, categorical, text, options)
    prototype, _, _ = next(raw_frames(files[0], raw, text, PROTOTYPE_ROWS, options))
    design = build_design(formula, prototype, levels, str(files[0]), note_text_columns=note)
    return DesignedFiles(
        files,
        design.columns,
        design.target,
        str(path),
        options,
        stamps,
        formats,
        design=design,
        text=tuple(text),
    )


def frame_of(data: Any) -> Any:
    """A pandas frame of in-memory columns (pandas, polars, or a mapping of columns)."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas"):
        return data.to_pandas()
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise DataError(
        f"a formula needs a table of named columns (a DataFrame), not {type(data).__name__}"
    )


def frame_text_columns(frame: Any, names: Sequence[str]) -> list[str]:
    """The columns of a pandas frame that hold text, categories or booleans."""
    from pandas.api.types import is_numeric_dtype

    return [
        name for name in names if not is_numeric_dtype(frame[name]) or frame[name].dtype == bool
    ]


def frame_levels(frame: Any, formula: str, names: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """The sorted levels of a frame's categorical columns; a missing cell names its row."""
    categorical = set(frame_text_columns(frame, names)) | (categorical_calls(formula) & set(names))
    levels = {}
    for name in [name for name in names if name in categorical]:
        values = frame[name]
        missing = np.flatnonzero(values.isna().to_numpy())
        if missing.size:
            raise DataError(f"missing value in column '{name}' at data row {missing[0] + 1}")
        found = values.unique().tolist()
        levels[name] = tuple(sorted(found))
    return levels


def designed_dataset(data: Any, formula: str, source: str = "frame") -> Dataset:
    """In-memory columns through `formula`, as a `Dataset` of the design's columns.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"y": [1.0, 2, 4, 3], "g": ["a", "b", "b", "a"]})
    >>> designed_dataset(frame, "y ~ C(g)").feature_names
    ('C(g)[T.b]',)
    """
    frame = frame_of(data)
    rhs, lhs = formula_variables(formula, [str(name) for name in frame.columns])
    raw = list(dict.fromkeys([*rhs, *lhs]))
    absent = [name for name in raw if name not in frame.columns]
    if absent:
        listed = ", ".join(map(str, frame.columns))
        raise DataError(f"{source}: no column '{absent[0]}'; available columns: {listed}")
    levels = frame_levels(frame, formula, raw)
    design = build_design(formula, frame[raw].head(PROTOTYPE_ROWS), levels, source)
    X, y = design.apply(frame[raw].reset_index(drop=True), 0, source)
    assert y is not None
    dataset = from_arrays(X, y, design.columns, design.target, source)
    extra: dict[str, object] = {DESIGN_KEY: design.to_record()}
    return Dataset(dataset.features, dataset.target, design.columns, design.target, source, extra)


def design_of(details: Mapping[str, Any], where: str = "run record") -> Design | None:
    """The design a run record's data details keep, if any."""
    record = details.get(DESIGN_KEY)
    return None if record is None else Design.from_record(record, where)


def design_rows(
    file: Path, design: Design, with_target: bool, options: ReadOptions | None = None
) -> tuple[dict[str, Any], np.ndarray, np.ndarray | None]:
    """A file's raw columns (numbers as float64, text as lists), the design's columns and,
    `with_target`, the left side's values: what predicting a file needs."""
    import pandas as pd

    raw = list(design.variables)
    if with_target:
        raw = list(dict.fromkeys([*raw, *design.target_variables]))
    check_file_columns(file, raw, options)
    text = text_columns(file, raw, options)
    frames, designs, targets = [], [], []
    rows = default_batch_rows(len(raw) + 1)
    for frame, first_row, _ in raw_frames(file, raw, text, rows, options):
        X, y = design.apply(frame, first_row, str(file), target=with_target)
        frames.append(frame)
        designs.append(X)
        targets.append(y)
    whole = pd.concat(frames, ignore_index=True)
    columns: dict[str, Any] = {
        name: whole[name].tolist() if name in text else whole[name].to_numpy(np.float64)
        for name in raw
    }
    y_all = np.concatenate([y for y in targets if y is not None]) if with_target else None
    return columns, np.concatenate(designs), y_all


def files_of_record(
    location: str | Path, features: Sequence[str], target: str, details: Mapping[str, Any]
) -> FileSource:
    """The files a run record was trained on, read as it read them (its read options):
    through its formula when its data details keep one (the same design columns), else the
    plain columns."""
    read = recorded_read_options(details)
    design = details.get(DESIGN_KEY)
    if isinstance(design, Mapping) and isinstance(design.get("formula"), str):
        return designed_files(location, design["formula"], options=read)
    return open_files(location, list(features), target, read)
