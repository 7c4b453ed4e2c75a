"""Several targets from one pass: each target's statistics and run are those of it alone."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.data.files import open_files
from gdlab.data.targets import check_targets, open_targets, targets_from_arrays
from gdlab.errors import ConfigError, DataError
from gdlab.training.config import TrainingConfig
from gdlab.training.fit import fit, train_problem
from gdlab.training.problem import prepare
from gdlab.training.targets import fit_targets, prepare_targets
from tests.conftest import PASS_ROUTES, pass_route, write_table
from tests.training.test_problem import reads  # noqa: F401 (a fixture)

TARGETS = ["y1", "y2", "y3"]


def columns(seed=0, rows=1500, offset=100.0):
    """Two features far from zero and three targets: two linear in them, one noise."""
    rng = np.random.default_rng(seed)
    x1, x2 = offset + rng.normal(size=rows), rng.normal(size=rows)
    return {
        "x1": x1,
        "x2": x2,
        "y1": 1 + 2 * x1 - x2 + rng.normal(size=rows),
        "y2": -3 + 0.5 * x2 + 0.1 * rng.normal(size=rows),
        "y3": rng.normal(size=rows),
        "w": rng.uniform(0.2, 3.0, size=rows),
    }


@pytest.fixture
def table(tmp_path):
    return write_table(tmp_path / "t.parquet", columns(), row_group_size=400)


def assert_same_run(several, alone):
    """The run of a target split from the joint pass and the run of it alone."""
    assert several.data.target == alone.data.target
    assert several.data.features == alone.data.features
    assert several.data.n_rows == alone.data.n_rows
    np.testing.assert_allclose(
        several.analysis.optimum_weights, alone.analysis.optimum_weights, rtol=1e-12
    )
    assert several.analysis.optimum_loss == pytest.approx(alone.analysis.optimum_loss, rel=1e-12)
    assert several.config.lr == pytest.approx(alone.config.lr, rel=1e-12)
    np.testing.assert_allclose(several.weights, alone.weights, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(several.losses, alone.losses, rtol=1e-10)
    assert several.stop_reason == alone.stop_reason


@pytest.mark.parametrize("route", PASS_ROUTES)
@pytest.mark.parametrize("engine", ["stats", "stream", "dask"])
def test_each_target_of_one_pass_is_fitted_as_it_alone(table, reads, engine, route, request):  # noqa: F811
    if engine == "dask":
        request.getfixturevalue("dask_client")
    config = TrainingConfig(engine=engine, steps=40, standardize=True)
    with pass_route(route):
        runs = fit_targets(open_targets(table, ["x1", "x2"], TARGETS), config)
        assert reads["t.parquet"] == (0 if engine == "dask" else 1)  # dask: on its workers
        alone = [fit(open_files(table, ["x1", "x2"], name), config) for name in TARGETS]
    for several, single in zip(runs, alone, strict=True):
        assert several.config.engine == engine
        assert_same_run(several, single)


def test_weighted_targets_keep_their_weights():
    data = columns(1)
    X = np.column_stack([data["x1"], data["x2"]])
    Y = np.column_stack([data[name] for name in TARGETS])
    several = targets_from_arrays(X, Y, ("x1", "x2"), TARGETS, weights=data["w"])
    runs = fit_targets(several, steps=30, standardize=True)
    for j, run in enumerate(runs):
        alone_data = from_arrays(X, Y[:, j], ("x1", "x2"), TARGETS[j], weights=data["w"])
        alone = fit(alone_data, steps=30, standardize=True)
        assert run.statistics is not None and run.statistics.weight_total == pytest.approx(
            data["w"].sum(), rel=1e-14
        )
        assert_same_run(run, alone)


def test_folds_split_per_target_as_for_the_target_alone():
    data = columns(2, rows=600)
    X = np.column_stack([data["x1"], data["x2"]])
    Y = np.column_stack([data[name] for name in TARGETS])
    config = TrainingConfig(cv=3)
    problems = prepare_targets(targets_from_arrays(X, Y, ("x1", "x2"), TARGETS), config)
    for j, problem in enumerate(problems):
        alone = prepare(from_arrays(X, Y[:, j], ("x1", "x2"), TARGETS[j]), config)
        assert problem.folds is not None and alone.folds is not None
        for fold, single in zip(problem.folds, alone.folds, strict=True):
            np.testing.assert_allclose(fold.optimum(), single.optimum(), rtol=1e-12)
        np.testing.assert_array_equal(problem.fold_labels, alone.fold_labels)
        assert problem.rows is not None and problem.rows.target_name == TARGETS[j]
        np.testing.assert_array_equal(problem.rows.target, Y[:, j])


def test_a_held_out_file_splits_per_target(tmp_path):
    data = columns(3, rows=400)
    train_file = write_table(tmp_path / "a.csv", {k: v[:300] for k, v in data.items()})
    held_file = write_table(tmp_path / "b.csv", {k: v[300:] for k, v in data.items()})
    config = TrainingConfig(validation=str(held_file), steps=10)
    problems = prepare_targets(open_targets(train_file, ["x1", "x2"], TARGETS), config)
    for problem, name in zip(problems, TARGETS, strict=True):
        alone = prepare(open_files(train_file, ["x1", "x2"], name), config)
        assert problem.validation is not None and alone.validation is not None
        np.testing.assert_allclose(
            problem.validation.optimum(), alone.validation.optimum(), rtol=1e-12
        )
        assert train_problem(problem, config).data.target == name


def test_a_held_out_share_is_refused_with_several_targets(table):
    with pytest.raises(ConfigError, match="hash of each whole row"):
        prepare_targets(open_targets(table, ["x1"], ["y1", "y2"]), TrainingConfig(validation=0.2))


@pytest.mark.parametrize(
    ("features", "targets", "message"),
    [
        (["x1"], ["y1", "y1"], "target 'y1' is given twice"),
        (["x1", "y2"], ["y1", "y2"], "column 'y2' is both a feature"),
    ],
)
def test_a_target_twice_or_also_a_feature_is_one_line(features, targets, message):
    with pytest.raises(DataError, match=message) as caught:
        check_targets(features, targets, "t.csv")
    assert str(caught.value).startswith("t.csv: ") and "\n" not in str(caught.value)
