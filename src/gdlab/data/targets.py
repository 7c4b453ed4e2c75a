"""Several targets read in one pass: [x₁ … x_k | y₁ … y_m] as one table.

The readers read one target; `SeveralTargets` reads the first m − 1 targets as if they were
the last feature columns and y_m as the target, so one pass over the data factors
[A | y₁ … y_m] (`gdlab.onepass.targets.split_targets` then gives each target its own
statistics). Nothing is read twice, and the readers stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from numpy.typing import ArrayLike

from gdlab.data.dask import DaskData
from gdlab.data.dataset import Dataset, from_arrays
from gdlab.data.files import FileSource, open_files
from gdlab.data.frames import feature_matrix
from gdlab.errors import DataError


@dataclass(frozen=True)
class SeveralTargets:
    """Data with m ≥ 2 targets: `joint` reads x₁ … x_k, y₁ … y_{m−1} as its features and
    y_m as its target; `n_features` is k."""

    joint: Dataset | FileSource | DaskData
    n_features: int

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The real feature columns x₁ … x_k."""
        return tuple(self.joint.feature_names[: self.n_features])

    @property
    def target_names(self) -> tuple[str, ...]:
        """The targets y₁ … y_m, in order."""
        return (*self.joint.feature_names[self.n_features :], self.joint.target_name)

    @property
    def n_targets(self) -> int:
        """Number of targets m."""
        return len(self.target_names)

    @property
    def source(self) -> str:
        """Where the rows come from."""
        return self.joint.source


def check_targets(features: Sequence[str], targets: Sequence[str], where: str = "") -> None:
    """Each target once, none also a feature: else a one-line `DataError`.

    >>> try:
    ...     check_targets(["x", "y1"], ["y1", "y2"], "d.csv")
    ... except DataError as error:
    ...     print(error)
    d.csv: column 'y1' is both a feature (--x) and a target (--y); give it to one of them
    """
    prefix = f"{where}: " if where else ""
    if not targets:
        raise DataError(f"{prefix}no target column given (use --y COL[,COL...])")
    seen: set[str] = set()
    for name in targets:
        if name in seen:
            raise DataError(f"{prefix}target '{name}' is given twice in --y; name each once")
        if name in features:
            raise DataError(
                f"{prefix}column '{name}' is both a feature (--x) and a target (--y); "
                "give it to one of them"
            )
        seen.add(name)


def open_targets(
    path: str | Path, x_columns: Sequence[str], y_columns: Sequence[str], read: Any = None
) -> SeveralTargets:
    """Files (a file, glob or directory) with several target columns, read in one pass (as
    `read`, `ReadOptions`, says)."""
    check_targets(x_columns, y_columns, str(path))
    joint = open_files(path, [*x_columns, *y_columns[:-1]], y_columns[-1], read)
    return SeveralTargets(joint, len(x_columns))


def targets_from_arrays(
    features: ArrayLike,
    targets: ArrayLike,
    feature_names: Sequence[str] | None = None,
    target_names: Sequence[str] | None = None,
    source: str = "arrays",
    weights: ArrayLike | None = None,
) -> SeveralTargets:
    """In-memory features (N×k) and targets (N×m, one column per target) as one table.

    >>> import numpy as np
    >>> data = targets_from_arrays(np.arange(4.0), np.ones((4, 2)))
    >>> data.feature_names, data.target_names
    (('x',), ('y1', 'y2'))
    """
    import numpy as np

    X, column_names = feature_matrix(features)
    Y, frame_names = feature_matrix(targets)
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"features have {X.shape[0]} rows but the targets have {Y.shape[0]}")
    names = feature_names if feature_names is not None else column_names
    if names is None:
        names = ("x",) if X.shape[1] == 1 else tuple(f"x{i + 1}" for i in range(X.shape[1]))
    ys = target_names if target_names is not None else frame_names
    ys = tuple(ys) if ys is not None else tuple(f"y{j + 1}" for j in range(Y.shape[1]))
    if len(ys) != Y.shape[1]:
        raise DataError(f"{len(ys)} target names given for {Y.shape[1]} target columns")
    check_targets(tuple(names), ys, source)
    joint = from_arrays(
        np.column_stack([X, Y[:, :-1]]), Y[:, -1], [*names, *ys[:-1]], ys[-1], source, weights
    )
    return SeveralTargets(joint, X.shape[1])
