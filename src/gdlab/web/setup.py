"""A run before its first step: its data, start, loss surface, learning-rate bounds, command.

Both losses are quadratic in w, so L(w) = L* + ½(w − w*)ᵀH(w − w*) with H = h·AᵀA
(h = 1 for l2, 2/N for mse): the page draws the landscape from H, w* and L* alone, whatever N.
H comes from the QR statistics (G = RᵀR), never from a big AᵀA product.

Everything the page shows describes the run as it trains (`gdlab.training.plan`): with
standardize the landscape, bound and κ are those of the standardised coordinates v
(w = M·v; `coordinates` carries M and M⁻¹ so the page maps the path and clicks), Huber's
floor is its own minimum, and `lr_choice` is the rate `auto` settled on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab.data.dataset import Dataset
from gdlab.onepass.groups import Holdout
from gdlab.training.autorate import trained_optimum
from gdlab.training.config import TrainingConfig
from gdlab.training.plan import RunPlan, plan_run
from gdlab.training.problem import Problem, grouping_of, loss_of, prepare
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
    plan: RunPlan | None = None  # what the run will use (once: its generator moves on)

    @property
    def dataset(self) -> Dataset:
        """The rows the run trains on."""
        assert self.problem.rows is not None  # the playground's data is always in memory
        return self.problem.rows


def data_file_name(request: TrainRequest, dataset: Dataset) -> str:
    """The file the command line reads: the seed data's download, or the uploaded file."""
    if isinstance(request.data, SeedData):
        preset = request.data.preset
        return SEED_DATA_FILE if preset == "seed" else f"{preset}-data.csv"
    if isinstance(request.data, UploadData):
        return dataset.source
    return "data.csv"


def held_out(
    problem: Problem, config: TrainingConfig, dataset: Dataset, shown: np.ndarray
) -> dict[str, Any] | None:
    """The held-out split of `validation`: how many rows train and are held out, and which
    of the shown points are held out (1) — the same hash of each row the pass used."""
    grouping = grouping_of(config)
    if not isinstance(grouping, Holdout) or problem.validation is None:
        return None
    labels = grouping.labels(dataset.rows()[shown], 0)
    return {
        "share": float(grouping.fraction),
        "rows": int(problem.validation.n_rows),
        "training_rows": int(problem.n_rows),
        "shown": labels.tolist(),
    }


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
    plan = plan_run(problem, config)
    start = [float(v) for v in plan.in_data_units(plan.start)]
    loss = loss_of(config)
    analysis = plan.analysis
    rows = thinned_rows(dataset.n_rows, max_points)
    trained = problem.rows if problem.rows is not None else dataset  # held-out rows apart
    target = trained.target
    data_file = data_file_name(request, dataset)
    setup = {
        "weight_names": list(problem.weight_names),
        "init": start,
        "points": {
            "features": dataset.features[rows].T.tolist(),
            "target": dataset.target[rows].tolist(),
            "feature_names": list(dataset.feature_names),
            "target_name": dataset.target_name,
            "n_rows": dataset.n_rows,
            "shown": int(rows.size),
        },
        "optimum": {  # in the data's units, as the cards show the weights
            "weights": analysis.optimum_weights.tolist(),
            "loss": float(analysis.optimum_loss),
        },
        "quadratic": trained_quadratic(plan, loss.curvature_scale(trained.n_rows)),
        "coordinates": coordinates(plan),
        "analysis": analysis.to_record(),
        "lr_choice": plan.choice.to_record(),
        "total_sum_of_squares": float(np.sum((target - target.mean()) ** 2)),
        "sse_per_loss": 1.0 / loss.sum_weight(trained.n_rows),
        "held_out": held_out(problem, config, dataset, rows),
        "command": fit_command_line(
            config.with_options(init=tuple(start)),
            data_file,
            dataset.feature_names if request.degree == 1 else dataset.feature_names[:1],
            dataset.target_name,
            request.degree,
        ),
        "data_file": data_file,
    }
    return Job(problem, config, json_safe(setup), plan)


def trained_quadratic(plan: RunPlan, curvature_scale: float) -> dict[str, Any]:
    """The loss as the run minimises it: H of the coordinates trained (h·(AM)ᵀ(AM) when
    standardised, with the ridge penalty when set), their optimum v* and the floor (for
    Huber its own minimum, under the quadratic of AᵀA that bounds its curvature)."""
    hessian = curvature_scale * plan.engine.statistics().gram()
    return {
        "hessian": hessian.tolist(),
        "optimum_weights": trained_optimum(plan.analysis).tolist(),
        "optimum_loss": float(plan.analysis.optimum_loss),
    }


def coordinates(plan: RunPlan) -> dict[str, Any]:
    """How the landscape's coordinates map to the data's units: v = M⁻¹w, w = M·v."""
    M = plan.to_original
    return {
        "standardized": M is not None,
        "to_trained": None if M is None else np.linalg.inv(M).tolist(),
        "to_original": None if M is None else M.tolist(),
        "init": [float(v) for v in plan.start],
    }


def landscape_matches(setup: dict[str, Any], initial_loss: float, dtype: str = "float64") -> bool:
    """True when the quadratic gives the run's own initial loss (so the landscape is its loss).

    The quadratic is that of the coordinates trained, penalty included, so it differs only
    for Huber (whose loss is not quadratic); the page says so.
    """
    quadratic = setup["quadratic"]
    start = np.asarray(setup["coordinates"]["init"], dtype=float)
    gap = start - np.asarray(quadratic["optimum_weights"], dtype=float)
    predicted = quadratic["optimum_loss"] + 0.5 * gap @ np.asarray(quadratic["hessian"]) @ gap
    rtol = 1e-4 if dtype == "float32" else 1e-8  # a float32 run computes its own loss roughly
    return bool(np.isclose(predicted, initial_loss, rtol=rtol))
