"""Sample weights: weighted least squares through every engine, the CLI and GDRegressor.

A row of weight 2 counts as two rows: the weighted run's loss, gradient, bounds and summary
are those of the data with that row written twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.data.files import open_files
from gdlab.training.fit import fit
from tests.conftest import run_cli, write_table


def weighted_table(n: int = 300, seed: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n) + 100, rng.normal(size=n)
    return {
        "x1": x1,
        "x2": x2,
        "y": 3 - x1 + 0.5 * x2 + rng.normal(size=n),
        "w": rng.integers(0, 4, size=n).astype(float),
    }


def repeated(columns: dict[str, np.ndarray]):
    """The rows written out w times each (what integer weights stand for)."""
    times = columns["w"].astype(int)
    X = np.column_stack([columns["x1"], columns["x2"]])
    return from_arrays(np.repeat(X, times, axis=0), np.repeat(columns["y"], times))


@pytest.mark.parametrize("loss", ["l2", "mse"])
@pytest.mark.parametrize("engine", ["stats", "dense", "stream", "dask"])
def test_integer_weights_train_like_repeated_rows(
    tmp_path: Path, engine: str, loss: str, request: pytest.FixtureRequest
) -> None:
    columns = weighted_table()
    if engine == "dask":
        request.getfixturevalue("dask_client")
    if engine in ("stream", "dask"):
        path = write_table(tmp_path / "w.parquet", columns)
        data = open_files(path, ["x1", "x2"], "y").with_columns(weights="w")
    else:
        X = np.column_stack([columns["x1"], columns["x2"]])
        data = from_arrays(X, columns["y"], ("x1", "x2"), weights=columns["w"], weight_name="w")
    options = {"steps": 30, "loss": loss, "standardize": True, "init": (0.0, 0.0, 0.0)}
    weighted = fit(data, engine=engine, **options)
    plain = fit(repeated(columns), **options)
    assert weighted.config.engine == engine and weighted.data.details["weights"] == "w"
    np.testing.assert_allclose(weighted.losses, plain.losses, rtol=1e-9)
    np.testing.assert_allclose(weighted.weights, plain.weights, rtol=1e-9)
    np.testing.assert_allclose(
        weighted.analysis.hessian_eigenvalues, plain.analysis.hessian_eigenvalues, rtol=1e-9
    )
    assert weighted.config.lr == pytest.approx(plain.config.lr, rel=1e-9)  # the same auto rate


def test_the_weighted_summary_equals_statsmodels_wls() -> None:
    sm = pytest.importorskip("statsmodels.api")
    columns = weighted_table()
    columns["w"] = columns["w"] + np.random.default_rng(0).uniform(0.1, 1, columns["w"].size)
    X = np.column_stack([columns["x1"], columns["x2"]])
    summary = fit(from_arrays(X, columns["y"], weights=columns["w"]), steps=1).analysis.regression
    expected = sm.WLS(columns["y"], sm.add_constant(X), weights=columns["w"]).fit()
    np.testing.assert_allclose(summary.coefficients, expected.params, rtol=1e-9)
    np.testing.assert_allclose(summary.std_errors, expected.bse, rtol=1e-7)
    assert summary.r_squared == pytest.approx(expected.rsquared, rel=1e-9)
    assert summary.f_statistic == pytest.approx(expected.fvalue, rel=1e-7)


def test_the_cli_reads_weights_from_a_column(tmp_path: Path) -> None:
    columns = weighted_table(80)
    path = write_table(tmp_path / "w.csv", columns)
    code, out, _ = run_cli("fit", str(path), "--x", "x1,x2", "--y", "y", "--weights", "w")
    assert code == 0 and "80 rows weighted by w" in out
    columns["w"][6] = -1.0
    write_table(path, columns)
    code, _, err = run_cli("fit", str(path), "--x", "x1,x2", "--y", "y", "--weights", "w")
    assert code == 2
    assert err.strip().splitlines() == [
        f"gdlab: {path}: sample weight -1 in column 'w' at data row 7 is negative; "
        "weights must be ≥ 0"
    ]


def test_weights_are_refused_where_they_cannot_apply() -> None:
    data = from_arrays(np.arange(6.0), np.arange(6.0) ** 2, weights=np.ones(6))
    with pytest.raises(Exception, match="least-squares loss"):
        fit(data, loss="huber", steps=1)


def test_gdregressor_sample_weight_equals_weighted_least_squares() -> None:
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    from gdlab.sklearn import GDRegressor

    columns = weighted_table()
    X = np.column_stack([columns["x1"], columns["x2"]])
    model = GDRegressor(steps=500, standardize=True, tol=0.0)
    model.fit(X, columns["y"], sample_weight=columns["w"])
    exact = sklearn_linear.LinearRegression().fit(X, columns["y"], sample_weight=columns["w"])
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-8)
    assert model.intercept_ == pytest.approx(exact.intercept_, rel=1e-8)
    assert model.validation_loss_curve_ is None


def test_gdregressor_keeps_the_held_out_curve() -> None:
    from gdlab.sklearn import GDRegressor

    columns = weighted_table()
    X = np.column_stack([columns["x1"], columns["x2"]])
    model = GDRegressor(steps=20, validation=0.2).fit(X, columns["y"])
    assert len(model.validation_loss_curve_) == len(model.loss_curve_) == 20
    assert model.validation_loss_curve_ == model.run_.validation_losses
