"""A per-step trace of a run: one row per point of the path, as CSV or Parquet.

Columns: ``step`` (0 = the start), ``loss`` (the loss at that point: ``initial_loss`` then
``losses``), ``w_<name>`` for every weight and ``grad_<name>`` for every gradient component,
all in the data's units. Parquet is chosen by the file name (.parquet, .pq, .parq).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np

from gdlab.atomic import atomic_write_bytes, atomic_write_text
from gdlab.errors import ConfigError
from gdlab.training.record import Run

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv",)


def trace_columns(run: Run) -> dict[str, np.ndarray]:
    """The trace as named columns of equal length (steps run + 1)."""
    if run.gradients is None:
        raise ConfigError("this run kept no gradients, so it has no trace")
    path = np.asarray(run.path, dtype=np.float64)
    columns: dict[str, np.ndarray] = {
        "step": np.arange(path.shape[0]),
        "loss": np.array([run.initial_loss, *run.losses], dtype=np.float64),
    }
    for i, name in enumerate(run.weight_names):
        columns[f"w_{name}"] = path[:, i]
    gradients = np.asarray(run.gradients, dtype=np.float64)
    for i, name in enumerate(run.weight_names):
        columns[f"grad_{name}"] = gradients[:, i]
    return columns


def write_trace(run: Run, path: str | os.PathLike[str]) -> Path:
    """Write the run's trace to `path` (CSV or Parquet by suffix), atomically."""
    target = Path(path)
    suffix = target.suffix.lower()
    columns = trace_columns(run)
    if suffix in PARQUET_SUFFIXES:
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(pa.table(columns), buffer)
        return atomic_write_bytes(target, buffer.getvalue())
    if suffix not in CSV_SUFFIXES:
        raise ConfigError(f"{target}: use a .csv or .parquet file name for a trace")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    for row in zip(*columns.values(), strict=True):
        writer.writerow([repr(int(v)) if i == 0 else repr(float(v)) for i, v in enumerate(row)])
    return atomic_write_text(target, text.getvalue())
