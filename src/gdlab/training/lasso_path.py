"""The L1 regularisation path of a prepared problem: the optimum at each λ₁ of a grid.

`lasso_path(problem, config)` solves the run's objective (its loss, --l2, --standardize)
for λ₁ from λ₁max, where every feature weight is 0, down to λ₁max/1000, each solve
warm-started from the last (`gdlab.analysis.elasticnet.regularization_path`), on the
statistics alone. The weights come back in the data's units. `score(λ₁, w)` (w in the
data's units) scores each optimum on held-out rows, for cross-validation: the path keeps
the scores.

`cross_validated_path(problem, config)` picks λ₁ by K-fold cross-validation (`--path --cv
K`, the folds of `gdlab.training.validation`: row i in fold i mod K): the path of the whole
data gives the grid; on that same grid each fold's path is solved on the merge of the other
folds' statistics and scored by the held-out loss of the fold left out (the run's loss,
without the penalty); the record keeps the mean and standard deviation of those losses per
λ₁ and the λ₁ of the lowest mean, as scikit-learn's `LassoCV` chooses it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gdlab.analysis.elasticnet import (
    PATH_POINTS,
    RegularizationPath,
    lambda_grid,
    lambda_max,
    quadratic_of,
    regularization_path,
)
from gdlab.engines.ridge import penalty_mask
from gdlab.training.config import TrainingConfig
from gdlab.training.problem import Problem, engine_for, loss_of


def lasso_path(
    problem: Problem,
    config: TrainingConfig,
    points: int = PATH_POINTS,
    score: Callable[[float, np.ndarray], float] | None = None,
    grid: np.ndarray | None = None,
) -> RegularizationPath:
    """The path of `config`'s objective on `problem` (see the module notes).

    >>> from gdlab.data.seed import seed_dataset
    >>> from gdlab.training.problem import prepare
    >>> path = lasso_path(prepare(seed_dataset(0)), TrainingConfig(), points=3)
    >>> float(path.weights[0][1]), bool(path.weights[-1][1] != 0)
    (0.0, True)
    """
    smooth = config.with_options(l1=0.0, engine="stats" if config.is_quadratic else "auto")
    engine, scaling = engine_for(problem, smooth)
    quadratic = quadratic_of(engine.statistics(), loss_of(config))
    mask = penalty_mask(engine.n_weights, config.intercept)
    to_original = scaling.to_original() if scaling is not None else None

    def in_data_units(w: np.ndarray) -> np.ndarray:
        return w if to_original is None else to_original @ w

    scored = None if score is None else (lambda l1, w: score(l1, in_data_units(w)))
    if grid is None:
        grid = lambda_grid(max(lambda_max(quadratic, mask), 1e-12), points)
    path = regularization_path(quadratic, mask, config.l2, grid, scored)
    weights = np.array([in_data_units(w) for w in path.weights])
    return RegularizationPath(path.l1, path.l2, weights, path.scores)


def cross_validated_path(
    problem: Problem, config: TrainingConfig, points: int = PATH_POINTS
) -> dict[str, object]:
    """The record's `regularization_path` with its K-fold scores (see the module notes):
    `scores` the mean held-out loss per λ₁, `scores_std` its spread (ddof 0), `best_l1`."""
    from gdlab.training.validation import FOLD_RULE, fold_problem, held_out_losses

    assert problem.folds is not None
    whole = lasso_path(problem, config, points)
    loss = loss_of(config)
    table = []
    for fold in range(len(problem.folds)):
        part = fold_problem(problem, fold)
        held, rows = part.validation, part.validation_rows

        def score(l1: float, w: np.ndarray, held: object = held, rows: object = rows) -> float:
            return held_out_losses(w[None, :], loss, held, rows, config.intercept)[0]  # type: ignore[arg-type]

        table.append(lasso_path(part, config, points, score, grid=whole.l1).scores)
    scores = np.array(table, dtype=np.float64)
    mean, spread = scores.mean(axis=0), scores.std(axis=0)
    best = int(np.argmin(np.where(np.isfinite(mean), mean, np.inf)))
    record = RegularizationPath(whole.l1, whole.l2, whole.weights, mean).to_record()
    record.update(
        scores_std=spread.tolist(),
        best_l1=float(whole.l1[best]),
        folds=len(problem.folds),
        fold_rule=FOLD_RULE,
    )
    return record
