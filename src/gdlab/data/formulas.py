"""Training data through a formula, whatever holds it (`gdlab.data.design`): in-memory
columns, files, or a dask dataframe, each made ready by its own module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gdlab.data.dask import designed_dask, is_dask_collection
from gdlab.data.dataset import Dataset
from gdlab.data.designed import DesignedFiles, designed_dataset, designed_files
from gdlab.data.files import FileSource
from gdlab.errors import DataError


def with_formula(data: Any, formula: str) -> Any:
    """Training data through `formula`: a frame or mapping of columns in memory, files from
    `open_files` or a path, or a dask dataframe."""
    if isinstance(data, DesignedFiles | Dataset):
        raise DataError("give the raw columns with a formula: a DataFrame, a path or files")
    if isinstance(data, FileSource):  # read as it says, with its weights and clusters
        designed = designed_files(data.source, formula, options=data.options)
        if data.extra_names:
            return designed.with_columns(weights=data.weight_name, clusters=data.cluster_name)
        return designed
    if isinstance(data, str | Path):
        return designed_files(data, formula)
    if is_dask_collection(data):
        return designed_dask(data, formula)
    return designed_dataset(data, formula)
