"""A run before its first step: its data, start, loss surface, learning-rate bounds, command.

Both losses are quadratic in w, so L(w) = L* + ½(w − w*)ᵀH(w − w*) with H = h·AᵀA
(h = 1 for l2, 2/N for mse): the page draws the landscape from H, w* and L* alone, whatever N.
H comes from the QR statistics (G = RᵀR), never from a big AᵀA product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab.analysis.quadratic import analyze
from gdlab.data.dataset import Dataset
from gdlab.training.config import TrainingConfig
from gdlab.training.fit import initial_weights
from gdlab.training.problem import Problem, loss_of, prepare
from gdlab.training.record import json_safe
from gdlab.web.command import fit_command_line
from gdlab.web.options import training_config
from gdlab.web.schemas import SeedData, TrainRequest, UploadData

SEED_DATA_FILE = "seed-data.csv"


@dataclass(frozen=True)
class Job:
    """A validated request, ready to train: its prepared problem, configuration and setup."""

    problem: Problem
    config: TrainingConfig
    setup: dict[str, Any]

    @property
    def dataset(self) -> Dataset:
        """The rows the run trains on."""
        assert self.problem.rows is not None  # the playground's data is always in memory
        return self.problem.rows


def data_file_name(request: TrainRequest, dataset: Dataset) -> str:
    """The file the command line reads: the seed data's download, or the uploaded file."""
    if isinstance(request.data, SeedData):
        return SEED_DATA_FILE
    if isinstance(request.data, UploadData):
        return dataset.source
    return "data.csv"


def thinned_rows(n_rows: int, limit: int) -> np.ndarray:
    """At most `limit` row numbers spread evenly over 0…n−1, ends kept.

    >>> thinned_rows(10, 4).tolist()
    [0, 3, 6, 9]
    """
    if n_rows <= limit:
        return np.arange(n_rows)
    return np.unique(np.linspace(0, n_rows - 1, limit).round().astype(int))


def make_job(request: TrainRequest, dataset: Dataset, max_points: int) -> Job:
    """Check the request against gdlab, make the data's one pass, draw the start, and work
    out everything known before step one."""
    config = training_config(request)
    problem = prepare(dataset, config)
    # The start the run will draw (the same generator draws it again when it trains).
    start = [float(v) for v in initial_weights(problem, config)]
    loss = loss_of(config)
    stats = problem.statistics
    analysis = analyze(stats, loss)
    rows = thinned_rows(dataset.n_rows, max_points)
    target = dataset.target
    data_file = data_file_name(request, dataset)
    setup = {
        "weight_names": list(problem.weight_names),
        "init": start,
        "points": {
            "features": dataset.features[rows].T.tolist(),
            "target": target[rows].tolist(),
            "feature_names": list(dataset.feature_names),
            "target_name": dataset.target_name,
            "n_rows": dataset.n_rows,
            "shown": int(rows.size),
        },
        "quadratic": {
            "hessian": (loss.curvature_scale(dataset.n_rows) * stats.gram()).tolist(),
            "optimum_weights": analysis.optimum_weights.tolist(),
            "optimum_loss": float(analysis.optimum_loss),
        },
        "analysis": analysis.to_record(),
        "total_sum_of_squares": float(np.sum((target - target.mean()) ** 2)),
        "sse_per_loss": 1.0 / loss.sum_weight(dataset.n_rows),
        "command": fit_command_line(
            config.with_options(init=tuple(start)),
            data_file,
            dataset.feature_names if request.degree == 1 else dataset.feature_names[:1],
            dataset.target_name,
            request.degree,
        ),
        "data_file": data_file,
    }
    return Job(problem, config, json_safe(setup))


def landscape_matches(setup: dict[str, Any], initial_loss: float, dtype: str = "float64") -> bool:
    """True when the quadratic gives the run's own initial loss (so the landscape is its loss).

    Options that change the loss (a penalty, standardizing) make it differ; the page says so.
    """
    quadratic = setup["quadratic"]
    gap = np.asarray(setup["init"]) - np.asarray(quadratic["optimum_weights"], dtype=float)
    predicted = quadratic["optimum_loss"] + 0.5 * gap @ np.asarray(quadratic["hessian"]) @ gap
    rtol = 1e-4 if dtype == "float32" else 1e-8  # a float32 run computes its own loss roughly
    return bool(np.isclose(predicted, initial_loss, rtol=rtol))
