"""The regression summary: NIST's certified standard errors, R² and residual SD; t, p, CI."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

import gdlab
from gdlab.analysis.regression import regression_summary, summary_table
from gdlab.model.linear import design_matrix
from gdlab.onepass.lstsq import LeastSquaresStats


def test_longley_matches_the_certified_values(nist_datasets):
    longley = nist_datasets["Longley"]
    A = design_matrix(np.array(longley["X"], dtype=float))
    stats = LeastSquaresStats.from_arrays(A, np.array(longley["y"], dtype=float), 5)
    summary = regression_summary(stats, ["b", *longley["features"]])
    np.testing.assert_allclose(summary.coefficients, longley["certified"], rtol=1e-9)
    np.testing.assert_allclose(summary.std_errors, longley["certified_sd"], rtol=1e-8)
    assert summary.residual_std_error == pytest.approx(longley["residual_sd"], rel=1e-9)
    assert summary.r_squared == pytest.approx(longley["r_squared"], rel=1e-9)


def test_t_p_and_intervals_agree_with_the_textbook_formulas(rng):
    X = rng.normal(size=(25, 2))
    y = 0.3 + X @ [1.0, 0.05] + rng.normal(size=25)
    A = design_matrix(X)
    summary = regression_summary(LeastSquaresStats.from_arrays(A, y), ["b", "u", "v"])
    w, *_ = np.linalg.lstsq(A, y, rcond=None)
    residual = y - A @ w
    sigma2 = residual @ residual / 22
    se = np.sqrt(sigma2 * np.diag(np.linalg.inv(A.T @ A)))
    t = w / se
    np.testing.assert_allclose(summary.std_errors, se, rtol=1e-10)
    np.testing.assert_allclose(summary.p_values, 2 * scipy_stats.t.sf(np.abs(t), 22), rtol=1e-8)
    half = scipy_stats.t.ppf(0.975, 22) * se
    np.testing.assert_allclose(summary.ci_low, w - half, rtol=1e-10)
    np.testing.assert_allclose(summary.ci_high, w + half, rtol=1e-10)
    centred = y - y.mean()
    assert summary.r_squared == pytest.approx(1 - residual @ residual / (centred @ centred))
    assert summary.rmse == pytest.approx(np.sqrt(residual @ residual / 25))


def test_no_intercept_r_squared_is_uncentred(nist_datasets):
    noint = nist_datasets["NoInt1"]
    run = gdlab.fit(gdlab.from_arrays(noint["X"], noint["y"]), intercept=False, lr=1e-9, steps=1)
    summary = run.analysis.regression
    y = np.array(noint["y"], dtype=float)
    sse = summary.residual_std_error**2 * summary.df_residual
    assert summary.r_squared == pytest.approx(1 - sse / (y @ y), rel=1e-12)
    assert summary.coefficients[0] == pytest.approx(noint["certified"][0], rel=1e-12)


def test_summary_table_lists_every_weight_with_its_statistics():
    run = gdlab.demo(0)
    table = summary_table(run.analysis.regression)
    assert "R-squared" in table and "P>|t|" in table and "[0.025" in table
    row = next(line for line in table.splitlines() if line.startswith("x "))
    assert f"{run.analysis.regression.coefficients[1]:.6g}" in row
