"""`gdlab fit --l1`: the penalised loss, the exact zeros and scikit-learn's Lasso, and the
one-line errors of what it cannot do."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_cli

sklearn = pytest.importorskip("sklearn.linear_model")


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 3))
    y = 1.0 + 2.0 * X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=60)
    pairs = zip(X.tolist(), y.tolist(), strict=True)
    rows = "".join(f"{a!r},{b!r},{c!r},{t!r}\n" for (a, b, c), t in pairs)
    path = tmp_path / "t.csv"
    path.write_text("a,b,c,y\n" + rows)
    return path, X, y


@pytest.mark.parametrize("optimizer", ["gd", "fista"])
def test_fit_l1_reports_the_penalty_the_zeros_and_lasso_optimum(tmp_path, table, optimizer):
    path, X, y = table
    out = tmp_path / optimizer
    code, text, err = run_cli(
        "fit", str(path), "--x", "a,b,c", "--y", "y", "--l1", "12", "--steps", "3000",
        "--optimizer", optimizer, "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert f"of {optimizer}, loss l2 + 12·‖w‖₁" in text
    record = json.loads((out / "run.json").read_text())
    lasso = sklearn.Lasso(alpha=12 / 60, tol=1e-14, max_iter=1_000_000).fit(X, y)
    expected = np.r_[lasso.intercept_, lasso.coef_]
    np.testing.assert_allclose(record["optimum"]["weights"], expected, atol=1e-6)
    zeros = int(np.sum(lasso.coef_ == 0))
    assert zeros >= 1
    assert f"L1: {zeros} of 3 feature weights are exactly 0 at the optimum" in text
    assert "converged: the loss is within" in text and record["config"]["l1"] == 12


def test_bad_l1_usage_is_a_one_line_error_naming_the_flag(table):
    path, _, _ = table
    base = ("fit", str(path), "--x", "a,b,c", "--y", "y")
    code, _, err = run_cli(*base, "--l1", "-1")
    assert code == 2 and "--l1 must be a finite number ≥ 0" in err
    code, _, err = run_cli(*base, "--l1", "1", "--loss", "huber")
    assert code == 2 and "--l1 needs a quadratic loss" in err
    code, _, err = run_cli(*base, "--l1", "1", "--tol", "1e-6")
    assert code == 2 and "--l1 makes the loss non-differentiable" in err
    assert "tol_kind loss" in err and len(err.strip().splitlines()) == 1
