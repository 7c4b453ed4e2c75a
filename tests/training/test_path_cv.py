"""λ₁ chosen by K-fold cross-validation along the L1 path equals scikit-learn's LassoCV."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.training.config import TrainingConfig
from gdlab.training.lasso_path import cross_validated_path
from gdlab.training.problem import prepare
from tests.conftest import run_cli, write_table

linear_model = pytest.importorskip("sklearn.linear_model")
model_selection = pytest.importorskip("sklearn.model_selection")


def sparse_problem(n: int = 120, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    return X, X @ [3.0, 0, 0, -2.0, 0, 1.0] + rng.normal(size=n)


def test_the_cross_validated_path_equals_lasso_cv_with_the_same_folds() -> None:
    X, y = sparse_problem()
    config = TrainingConfig(loss="mse", cv=4)  # mean loss: λ₁ = 2α on every fold
    record = cross_validated_path(prepare(from_arrays(X, y), config), config, points=12)
    folds = model_selection.PredefinedSplit(np.arange(len(y)) % 4)  # row i in fold i mod K
    alphas = np.asarray(record["l1"]) / 2
    expected = linear_model.LassoCV(alphas=alphas, cv=folds, tol=1e-12, max_iter=100_000)
    expected.fit(X, y)
    np.testing.assert_allclose(record["scores"], expected.mse_path_.mean(axis=1), rtol=1e-8)
    np.testing.assert_allclose(record["scores_std"], expected.mse_path_.std(axis=1), rtol=1e-6)
    assert record["best_l1"] / 2 == pytest.approx(expected.alpha_, rel=1e-12)
    assert record["folds"] == 4


def test_fit_path_with_cv_records_and_says_the_chosen_lambda(tmp_path) -> None:
    X, y = sparse_problem()
    columns = {f"x{j}": X[:, j] for j in range(6)} | {"y": y}
    path = write_table(tmp_path / "d.csv", columns)
    args = ("fit", str(path), "--x", ",".join(f"x{j}" for j in range(6)), "--y", "y")
    code, out, err = run_cli(*args, "--path", "--cv", "3")
    assert code == 0, err
    assert "3-fold cross-validation picks λ₁ =" in out
    code, out, err = run_cli(*args, "--path", "--cv", "3", "--json")
    section = json.loads(out)["regularization_path"]
    assert section["best_l1"] in section["l1"] and len(section["scores"]) == len(section["l1"])
    assert min(section["scores"]) == section["scores"][section["l1"].index(section["best_l1"])]
