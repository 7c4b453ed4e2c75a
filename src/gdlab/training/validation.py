"""Held-out loss at O(p²) per step, early stopping on it, and K-fold cross-validation.

The pass keeps the held-out rows' statistics (R_v, z_v, ρ_v) beside the training ones
(`gdlab.onepass.groups`), so the held-out loss of any weights w is the training loss's
formula on them: L_v(w) = s·(‖R_v·w − z_v‖² + ρ_v²), with s the loss's weight for the
held-out rows (½ for ½Σe², 1/N_v for the mean) — O(p²), whatever N_v. Huber's loss is not
a function of those statistics; it is evaluated on the held-out rows, which it keeps in
memory anyway. The held-out loss is the data's loss alone: an L2 penalty is not added.

- `held_out_losses`: the held-out loss at every point of a weight path.
- `EarlyStopping`: stops a run once the held-out loss has not improved for `patience`
  steps; the run keeps its last weights and records the best step.
- `cross_validate`: K runs, each trained on the merge of K − 1 folds' statistics and scored
  on the fold left out (row i in fold i mod K), summarised per step as the mean and the
  standard deviation (ddof 0) over the folds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from gdlab.data.dataset import Dataset
from gdlab.model.linear import design_matrix
from gdlab.model.losses import Loss
from gdlab.onepass.lstsq import LeastSquaresStats, merge_all

if TYPE_CHECKING:
    from gdlab.training.config import TrainingConfig
    from gdlab.training.problem import Problem
    from gdlab.training.record import Run

Array = NDArray[np.float64]

#: How the folds of `--cv K` are formed, as the run record's `cv.fold_rule` states it.
FOLD_RULE = "row i (counted from 0 over the whole data, in order) is in fold i mod K"


def held_out_losses(
    path: Array,
    loss: Loss,
    statistics: LeastSquaresStats | None,
    rows: Dataset | None = None,
    intercept: bool = True,
) -> list[float]:
    """The held-out loss at each row of `path` (weights in the data's units).

    >>> A = np.column_stack([np.ones(4), np.arange(4.0)])
    >>> held = LeastSquaresStats.from_arrays(A, 1 + 2 * A[:, 1] + [0.5, -0.5, 0.5, -0.5])
    >>> from gdlab.model.losses import get_loss
    >>> round(held_out_losses(np.array([[1.0, 2.0], [0.0, 0.0]]), get_loss("l2"), held)[0], 12)
    0.5
    """
    weights = np.atleast_2d(np.asarray(path, dtype=np.float64))
    with np.errstate(over="ignore", invalid="ignore"):
        if loss.is_quadratic and statistics is not None:
            gaps = weights @ statistics.R.T - statistics.z
            sse = np.einsum("ij,ij->i", gaps, gaps) + statistics.rho**2
            return (loss.sum_weight(statistics.mass) * sse).tolist()
        if rows is None:
            raise ValueError("a non-quadratic held-out loss needs the held-out rows")
        A = design_matrix(rows.features, intercept)
        return [loss.value(A @ w - rows.target) for w in weights]


@dataclass
class EarlyStopping:
    """Stop once the held-out loss has gone `patience` steps without a new best.

    Called as a step callback `(step, loss, w)` with w in the data's units; returns True
    to stop. `best_step` is the step of the lowest held-out loss seen (0: the start).
    """

    patience: int
    score: Callable[[Array], float]
    best_loss: float = math.inf
    best_step: int = 0
    triggered: bool = False
    since_best: int = field(default=0, repr=False)

    def start(self, init: Array) -> None:
        """Score the start, the best so far before any step."""
        self.best_loss, self.best_step = self.score(init), 0

    def __call__(self, step: int, loss: float, weights: NDArray[np.floating]) -> bool:
        value = self.score(np.asarray(weights, dtype=np.float64))
        if value < self.best_loss:
            self.best_loss, self.best_step, self.since_best = value, step, 0
            return False
        self.since_best += 1
        self.triggered = self.since_best >= self.patience
        return self.triggered


def validation_record(
    losses: list[float], held_out_rows: int, stopper: EarlyStopping | None
) -> dict[str, Any]:
    """The record's `validation`: held-out rows, the best step and its loss, early stopping."""
    finite = [(value, step) for step, value in enumerate(losses, start=1) if math.isfinite(value)]
    best_loss, best_step = min(finite) if finite else (math.nan, 0)
    record: dict[str, Any] = {
        "held_out_rows": held_out_rows,
        "best_step": best_step,
        "best_loss": best_loss,
    }
    if stopper is not None:
        record["early_stopping"] = {"patience": stopper.patience, "stopped": stopper.triggered}
    return record


def fold_problem(problem: Problem, fold: int) -> Problem:
    """The problem of fold `fold` left out: the other folds' statistics merged to train on,
    the fold's own held out (and the rows of each, when they are in memory)."""
    assert problem.folds is not None
    others = [stats for index, stats in enumerate(problem.folds) if index != fold]
    rows = held_out = None
    if problem.rows is not None and problem.fold_labels is not None:
        rows = problem.rows.subset(problem.fold_labels != fold)
        held_out = problem.rows.subset(problem.fold_labels == fold)
    info = replace(problem.info, n_rows=sum(stats.n_rows for stats in others))
    return replace(
        problem,
        info=info,
        statistics=merge_all(others),
        rows=rows,
        validation=problem.folds[fold],
        validation_rows=held_out,
        folds=None,
        fold_labels=None,
    )


def cross_validate(
    problem: Problem,
    config: TrainingConfig,
    train: Callable[[Problem, TrainingConfig], Run],
) -> dict[str, Any]:
    """K-fold cross-validation of `config` (its rate already chosen) on `problem`'s folds:
    the record's `cv`, the held-out loss per step as mean and standard deviation."""
    assert problem.folds is not None
    fold_config = config.with_options(cv=None, early_stopping=None)
    curves = []
    for fold in range(len(problem.folds)):
        run = train(fold_problem(problem, fold), fold_config)
        curves.append(run.validation_losses or [])
    steps = min(len(curve) for curve in curves)
    table = np.array([curve[:steps] for curve in curves], dtype=np.float64)
    mean = table.mean(axis=0) if steps else np.zeros(0)
    std = table.std(axis=0) if steps else np.zeros(0)
    finite = np.where(np.isfinite(mean), mean, np.inf)
    best = int(np.argmin(finite)) if steps and np.isfinite(finite).any() else -1
    return {
        "folds": len(problem.folds),
        "fold_rule": FOLD_RULE,
        "fold_rows": [int(stats.n_rows) for stats in problem.folds],
        "steps": steps,
        "losses_mean": mean.tolist(),
        "losses_std": std.tolist(),
        "best_step": best + 1,
        "best_loss": float(mean[best]) if best >= 0 else math.nan,
    }
