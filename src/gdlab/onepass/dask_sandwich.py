"""The robust covariance's second pass on a Dask cluster: each block's meat on a worker.

The same `Meat` as in memory and in files (`gdlab.onepass.sandwich`), summed block by block
at the optimum's `Frame` and merged up a tree, so only p×p sums (and one score vector per
cluster) travel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab.data.dask import DaskData, block_values
from gdlab.model.linear import design_matrix
from gdlab.onepass.dask import dask_client, tree_reduce
from gdlab.onepass.groups import Holdout
from gdlab.onepass.sandwich import Frame, Meat, merge_meats


@dataclass(frozen=True)
class BlockLayout:
    """How a block's columns are named (plain values: they travel to the workers)."""

    names: tuple[str, ...]  # the features, then the target
    source: str
    weight_name: str | None
    cluster_name: str | None

    @classmethod
    def of(cls, data: DaskData) -> BlockLayout:
        names = (*data.feature_names, data.target_name)
        return cls(names, data.source, data.weight_name, data.cluster_name)


def block_meat(
    features: Any,
    target: Any,
    extras: Any,
    layout: BlockLayout,
    frame: Frame,
    kind: str,
    intercept: bool,
    holdout: Holdout | None,
) -> Meat:
    """One block's meat (run on a worker); held-out rows left out, as in the first pass."""
    names, source = list(layout.names), layout.source
    X = block_values(features, names[:-1], source)
    y = block_values(target, names[-1:], source).reshape(-1)
    extra_names = [name for name in (layout.weight_name, layout.cluster_name) if name]
    columns = block_values(extras, extra_names, source) if extra_names else None
    weights = columns[:, 0] if columns is not None and layout.weight_name else None
    clusters = columns[:, -1] if columns is not None and layout.cluster_name else None
    if holdout is not None:
        keep = holdout.labels(np.column_stack([X, y]), 0) == 0
        X, y = X[keep], y[keep]
        weights = None if weights is None else weights[keep]
        clusters = None if clusters is None else clusters[keep]
    design = design_matrix(X, intercept)
    meat = Meat(kind, frame.weights.size)
    meat.add_rows(frame, design, y, weights, clusters)
    return meat


def dask_meat(
    data: DaskData,
    frame: Frame,
    kind: str,
    intercept: bool,
    holdout: Holdout | None = None,
    scheduler: str | None = None,
) -> Meat:
    """The meat of `kind` at `frame`, summed over every block of `data` on the cluster."""
    from dask import delayed

    layout = BlockLayout.of(data)
    feature_blocks = np.ravel(data.features.to_delayed()).tolist()
    target_blocks = np.ravel(data.target.to_delayed()).tolist()
    extra_blocks: list[Any] = [None] * len(target_blocks)
    if data.extras is not None:
        extra_blocks = np.ravel(data.extras.to_delayed()).tolist()
    parts = [
        delayed(block_meat)(X, y, extras, layout, frame, kind, intercept, holdout)
        for X, y, extras in zip(feature_blocks, target_blocks, extra_blocks, strict=True)
    ]
    graph = tree_reduce(parts, merge=merge_meats)
    with dask_client(scheduler) as client:
        result: Meat = client.compute(graph).result()
    return result
