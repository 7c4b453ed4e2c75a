"""Several targets from one pass: one `Problem` and one `Run` per target.

`prepare_targets` makes the one pass over [A | y₁ … y_m] (`gdlab.data.targets.SeveralTargets`
reads the other targets as the last feature columns) and splits its statistics per target
(`gdlab.onepass.targets.split_targets`): each target's problem then has the statistics a
pass over [A | yⱼ] alone would have made, up to rounding, with the rows (or the sample),
the held-out rows (of a held-out file) and the folds cut to its own columns. A held-out
share (`validation` a fraction) is refused: its rows are chosen by a hash of the whole row,
so they would differ from those of the target alone. `fit_targets` trains each one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from gdlab.data.dataset import Dataset
from gdlab.data.targets import SeveralTargets
from gdlab.errors import ConfigError
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.onepass.targets import split_targets
from gdlab.training.config import TrainingConfig
from gdlab.training.loop import StepCallback
from gdlab.training.problem import Problem, prepare
from gdlab.training.record import Run


def prepare_targets(
    data: SeveralTargets, config: TrainingConfig | None = None, *, sample: bool = False
) -> list[Problem]:
    """One pass over all the targets' columns, then one problem per target, in order.

    >>> import numpy as np
    >>> from gdlab.data.targets import targets_from_arrays
    >>> x = np.arange(5.0)
    >>> data = targets_from_arrays(x, np.column_stack([1 + 2 * x, 3 - x]))
    >>> [problem.statistics.optimum().round(12).tolist() for problem in prepare_targets(data)]
    [[1.0, 2.0], [3.0, -1.0]]
    """
    config = config or TrainingConfig()
    if isinstance(config.validation, float):
        raise ConfigError(
            "{option} FRACTION holds out rows by a hash of each whole row, which differs with "
            "the other targets beside it; with several targets hold out a file or use folds",
            option="validation",
        )
    joint = prepare(data.joint, config, sample=sample)
    m = data.n_targets
    statistics = split_targets(joint.statistics, m)
    validation = None if joint.validation is None else split_targets(joint.validation, m)
    folds = None if joint.folds is None else [split_targets(fold, m) for fold in joint.folds]
    problems = []
    for j, name in enumerate(data.target_names):
        info = replace(joint.info, features=data.feature_names, target=name)
        problems.append(
            Problem(
                info,
                joint.intercept,
                statistics[j],
                joint.engine,
                target_rows(joint.rows, data, j),
                target_rows(joint.sample, data, j),
                None,  # the joint rows' fingerprint is not that of [x | yⱼ]
                None if validation is None else validation[j],
                target_rows(joint.validation_rows, data, j),
                None if folds is None else fold_statistics(folds, j),
                joint.fold_labels,
            )
        )
    return problems


def fold_statistics(folds: list[list[LeastSquaresStats]], j: int) -> tuple[LeastSquaresStats, ...]:
    """Target j's statistics of each fold."""
    return tuple(parts[j] for parts in folds)


def target_rows(rows: Dataset | None, data: SeveralTargets, j: int) -> Dataset | None:
    """The joint rows cut to the features and target j (their weights stay)."""
    if rows is None:
        return None
    k = data.n_features
    target = rows.target if j == data.n_targets - 1 else rows.features[:, k + j]
    return replace(
        rows,
        features=np.ascontiguousarray(rows.features[:, :k]),
        target=np.ascontiguousarray(target),
        feature_names=data.feature_names,
        target_name=data.target_names[j],
    )


def fit_targets(
    data: SeveralTargets,
    config: TrainingConfig | None = None,
    *,
    on_step: StepCallback | None = None,
    raise_on_divergence: bool = True,
    **options: Any,
) -> list[Run]:
    """`fit` of each target from one pass over the data: one `Run` per target, in order."""
    from gdlab.training.fit import configured, train_problem

    config = configured(config, options)
    return [
        train_problem(problem, config, on_step=on_step, raise_on_divergence=raise_on_divergence)
        for problem in prepare_targets(data, config)
    ]
