"""Statistics you can keep and merge: the `.gdstats` file, `update`, and `KeptStatistics`.

One pass over data gives `LeastSquaresStats` (the triangular factor of [A | y]); they are
all a least-squares fit needs, and statistics of disjoint row sets merge exactly
(`merge_all`). This module keeps them: `write_statistics` writes one pass's statistics to a
small JSON file (format `FORMAT`, version `FORMAT_VERSION`, documented in
docs/statistics.md), `read_statistics` reads it back bit for bit, `merge_kept` merges files
of the same columns (refusing any that disagree), and `update` folds one more batch of rows
into statistics, so that batches covering the data give the statistics of all of it.

Floats are written as JSON numbers, which Python reads back exactly; the extended-precision
moments (``np.longdouble``) as two float64 parts, hi + lo, which hold every bit of an 80-bit
long double.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.atomic import atomic_write_text
from gdlab.errors import DataError
from gdlab.onepass.arrays import pass_statistics
from gdlab.onepass.lstsq import ExtendedArray, LeastSquaresStats, merge_all, r_factor
from gdlab.version import __version__

#: The `format` field of every statistics file, and the file name's usual suffix.
FORMAT = "gdlab-statistics"
SUFFIX = ".gdstats"
#: The version of the file's layout; readers refuse files of a later version.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class KeptStatistics:
    """One pass's statistics with what they are of: data `prepare` trains on without rows.

    `statistics` are those of [1 | x₁ … x_k | y] (the ones only with `intercept`), each row
    scaled by √w when `weight_name` names the sample weights' column. `source` says where
    they came from (the files, as given).
    """

    statistics: LeastSquaresStats
    feature_names: tuple[str, ...]
    target_name: str
    intercept: bool = True
    weight_name: str | None = None
    source: str = "statistics"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        """Number of feature columns k."""
        return len(self.feature_names)

    @property
    def n_rows(self) -> int:
        """Rows the statistics were made from."""
        return self.statistics.n_rows

    def columns_text(self) -> str:
        """'x1,x2 → y' (with ', weights w' and ', no intercept' when they apply)."""
        text = f"{','.join(self.feature_names)} → {self.target_name}"
        if self.weight_name is not None:
            text += f", weights {self.weight_name}"
        return text if self.intercept else text + ", no intercept"


def update(
    statistics: LeastSquaresStats | None,
    X: ArrayLike,
    y: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    intercept: bool = True,
) -> LeastSquaresStats:
    """`statistics` with the rows (X, y) added: one pass over the batch, merged exactly.

    X is N×k (or N), y N; `weights` are sample weights (rows without them count once).
    Start from None; after batches covering the data the statistics are those of one pass
    over all of it, up to rounding.

    >>> x = np.arange(6.0)
    >>> stats = update(update(None, x[:3], 1 + 2 * x[:3]), x[3:], 1 + 2 * x[3:])
    >>> stats.n_rows, np.round(stats.optimum(), 12).tolist()
    (6, [1.0, 2.0])
    """
    features = np.asarray(X, dtype=np.float64)
    features = features.reshape(-1, 1) if features.ndim == 1 else features
    target = np.asarray(y, dtype=np.float64).ravel()
    if features.ndim != 2 or features.shape[0] != target.size:
        raise DataError(f"a batch of {features.shape[0]} feature rows and {target.size} targets")
    expected = features.shape[1] + int(intercept)
    if statistics is not None and statistics.n_weights != expected:
        raise DataError(
            f"a batch of {features.shape[1]} features does not fit statistics of "
            f"{statistics.n_weights - int(intercept)} features"
        )
    root = None if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if root is not None and root.shape != target.shape:
        raise DataError(f"{root.size} sample weights for a batch of {target.size} rows")
    columns = [features[:, j] for j in range(features.shape[1])]
    batch = pass_statistics(columns, target, intercept, weights=root)
    return batch if statistics is None else merge_all([statistics, batch])


def column_subset(stats: LeastSquaresStats, columns: Sequence[int]) -> LeastSquaresStats:
    """The statistics of [A[:, columns] | y]: the QR of the factor's chosen columns (and y).

    Columns of A drop out of its statistics exactly, without a pass: RᵀR = AᵀA restricted
    to the columns is the Gram matrix of the columns kept. Centred statistics stay centred.

    >>> stats = update(None, [[1.0, 5.0], [2.0, 6.0], [3.0, 8.0]], [2.0, 4.0, 6.0])
    >>> column_subset(stats, [0, 1]).optimum().round(12).tolist()
    [0.0, 2.0]
    """
    keep = [*columns, stats.n_weights]  # y stays last
    centred = stats.centred is not None and stats.reference is not None
    factor = stats.centred if centred and stats.centred is not None else stats.factor()
    moments = stats.moments if centred else stats.raw_moments()
    reference = None
    if centred and stats.reference is not None:
        reference = stats.reference[keep]
    chosen = None if moments is None else cast(ExtendedArray, moments[np.ix_(keep, keep)])
    part = LeastSquaresStats.from_factor(
        r_factor(factor[:, keep]), stats.n_rows, chosen, reference=reference
    )
    return replace(part, weight_total=stats.weight_total)


def write_statistics(path: str | os.PathLike[str], kept: KeptStatistics) -> Path:
    """Write `kept` to `path` atomically as a statistics file (see the module notes).

    >>> import tempfile
    >>> stats = update(None, [0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    >>> where = Path(tempfile.mkdtemp()) / "part.gdstats"
    >>> _ = write_statistics(where, KeptStatistics(stats, ("x",), "y"))
    >>> read_statistics(where).statistics.optimum().round(12).tolist()
    [1.0, 2.0]
    """
    document = statistics_document(kept)
    lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in document.items()]
    return atomic_write_text(path, "{\n" + ",\n".join(lines) + "\n}\n")


def statistics_document(kept: KeptStatistics) -> dict[str, Any]:
    """The JSON document of a statistics file (docs/statistics.md describes each field)."""
    stats = kept.statistics
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "gdlab_version": __version__,
        "source": kept.source,
        "features": list(kept.feature_names),
        "target": kept.target_name,
        "intercept": kept.intercept,
        "weights": kept.weight_name,
        "n_rows": int(stats.n_rows),
        "weight_total": None if stats.weight_total is None else float(stats.weight_total),
        "R": matrix(stats.R),
        "z": [float(v) for v in stats.z],
        "rho": float(stats.rho),
        "reference": None,
        "centred": None,
        "moments": None,
    }
    if stats.centred is not None and stats.reference is not None:
        document["reference"] = [float(v) for v in stats.reference]
        document["centred"] = matrix(stats.centred)
    if stats.moments is not None:
        high = np.asarray(stats.moments, dtype=np.float64)
        low = np.asarray(stats.moments - high.astype(np.longdouble), dtype=np.float64)
        document["moments"] = {"hi": matrix(high), "lo": matrix(low)}
    return document


def matrix(values: NDArray[np.floating]) -> list[list[float]]:
    """A 2-D array as rows of Python floats (JSON numbers that read back exactly)."""
    return [[float(v) for v in row] for row in np.asarray(values, dtype=np.float64)]


def read_statistics(path: str | os.PathLike[str]) -> KeptStatistics:
    """Read a statistics file written by `write_statistics`; a `DataError` names the file
    and what is wrong with it."""
    where = Path(path)
    try:
        document = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{where}: not a gdlab statistics file ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DataError(f"{where}: not a gdlab statistics file (no 'format': '{FORMAT}')")
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise DataError(
            f"{where}: statistics format version {version!r} is newer than this gdlab "
            f"reads ({FORMAT_VERSION}); upgrade gdlab"
        )
    try:
        return kept_of(document, str(where))
    except (KeyError, TypeError, ValueError) as error:
        raise DataError(f"{where}: damaged statistics file ({error})") from None


def kept_of(document: dict[str, Any], source: str) -> KeptStatistics:
    """The `KeptStatistics` of a statistics file's document (checked for consistent sizes)."""
    features = tuple(str(name) for name in document["features"])
    intercept = bool(document["intercept"])
    p = len(features) + int(intercept)
    n_rows = int(document["n_rows"])
    moments = None
    if document.get("moments") is not None:
        parts = document["moments"]
        moments = cast(
            ExtendedArray,
            np.array(parts["hi"], dtype=np.longdouble) + np.array(parts["lo"], dtype=np.longdouble),
        )
        check_shape(moments, (p + 1, p + 1), "moments")
    if document.get("centred") is not None:
        centred = np.array(document["centred"], dtype=np.float64)
        reference = np.array(document["reference"], dtype=np.float64)
        check_shape(centred, (p + 1, p + 1), "centred")
        check_shape(reference, (p + 1,), "reference")
        stats = LeastSquaresStats.from_factor(centred, n_rows, moments, reference=reference)
    else:
        R, z = np.array(document["R"], dtype=np.float64), np.array(document["z"], dtype=np.float64)
        check_shape(R, (p, p), "R")
        check_shape(z, (p,), "z")
        stats = LeastSquaresStats(R, z, abs(float(document["rho"])), n_rows, moments)
    total = document.get("weight_total")
    if total is not None:
        stats = replace(stats, weight_total=float(total))
    if n_rows < 1 or not np.isfinite(stats.factor()).all():
        raise ValueError("its statistics are empty or not finite")
    weights = document.get("weights")
    return KeptStatistics(
        stats,
        features,
        str(document["target"]),
        intercept,
        None if weights is None else str(weights),
        source,
    )


def check_shape(values: NDArray[Any], shape: tuple[int, ...], name: str) -> None:
    """A field of the wrong size for the file's columns is damage (a `ValueError`)."""
    if values.shape != shape:
        raise ValueError(f"'{name}' has shape {values.shape}, expected {shape}")


def merge_kept(parts: Sequence[KeptStatistics], source: str | None = None) -> KeptStatistics:
    """The statistics of all the parts' rows together, when they are of the same columns.

    Parts whose features, target, intercept or weighting differ from the first's are
    refused with a `DataError` naming the part (its `source`).
    """
    if not parts:
        raise DataError("no statistics files to merge")
    first = parts[0]
    for part in parts[1:]:
        if part.columns_text() != first.columns_text():
            raise DataError(
                f"{part.source}: its statistics are of {part.columns_text()}, those of "
                f"{first.source} of {first.columns_text()}; merge statistics of the same "
                "columns, intercept and weights only"
            )
    merged = merge_all([part.statistics for part in parts])
    where = source or ", ".join(part.source for part in parts)
    return replace(first, statistics=merged, source=where, extra={"statistics_files": len(parts)})


def is_statistics_path(path: str | os.PathLike[str]) -> bool:
    """True when `path` (a file or a glob) names statistics files (`.gdstats`).

    >>> is_statistics_path("parts/*.gdstats"), is_statistics_path("data.csv")
    (True, False)
    """
    return str(path).lower().endswith(SUFFIX)


def open_statistics(paths: Sequence[str | os.PathLike[str]]) -> KeptStatistics:
    """Read and merge the statistics files that `paths` name (files or globs), in order."""
    import glob

    files: list[Path] = []
    for path in paths:
        text = str(path)
        if any(c in text for c in "*?[") and not Path(text).exists():
            matches = sorted(Path(match) for match in glob.glob(text, recursive=True))
            if not matches:
                raise DataError(f"{text}: no files match this pattern")
            files += matches
        else:
            files.append(Path(text))
    parts = [read_statistics(file) for file in files]
    return merge_kept(parts, source=" ".join(str(path) for path in paths))
