"""Robust standard errors and the F test equal statsmodels' (OLS and WLS, every cov_type),
in memory and streamed from files, with columns far from zero."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.data.files import open_files
from gdlab.training.fit import fit
from tests.conftest import pass_route, write_table

sm = pytest.importorskip("statsmodels.api")

COV_TYPES = ["nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"]


def heteroscedastic(n: int = 600, seed: int = 1) -> dict[str, np.ndarray]:
    """Two features far from zero, noise that grows with x1, weights and 30 clusters."""
    rng = np.random.default_rng(seed)
    x1 = 1e4 + rng.normal(size=n)
    x2 = -5 + 3 * rng.normal(size=n)
    y = 2 + 0.5 * x1 - x2 + rng.normal(size=n) * (1 + np.abs(x1 - 1e4))
    return {
        "x1": x1,
        "x2": x2,
        "y": y,
        "w": rng.uniform(0.2, 3.0, size=n),
        "g": rng.integers(0, 30, size=n).astype(float),
    }


def reference(columns: dict[str, np.ndarray], cov: str, weighted: bool):
    """statsmodels' fit of the same model with the same covariance (its defaults)."""
    A = sm.add_constant(np.column_stack([columns["x1"], columns["x2"]]))
    model = sm.WLS(columns["y"], A, weights=columns["w"]) if weighted else sm.OLS(columns["y"], A)
    keywords = {"cov_kwds": {"groups": columns["g"].astype(int)}} if cov == "cluster" else {}
    return model.fit(cov_type=cov, **keywords)


def gdlab_cov(cov: str) -> str:
    return "cluster:g" if cov == "cluster" else cov


def assert_same_inference(summary, expected) -> None:
    """Equal to statsmodels' to its own accuracy: x1 sits at 1e4 with spread 1, where any
    solver loses about 1e-8 relative in what depends on the intercept's row."""
    np.testing.assert_allclose(summary.coefficients, expected.params, rtol=1e-9)
    np.testing.assert_allclose(summary.std_errors, expected.bse, rtol=1e-7)
    np.testing.assert_allclose(summary.t_values, expected.tvalues, rtol=1e-7)
    # a two-sided p-value moves by about (1 + t²) times its statistic's relative change
    # (the normal tail's slope), so the 1e-7 of t allows p-values (1 + t²)·1e-7, twice over
    slack = 2e-7 * (1 + np.asarray(expected.tvalues) ** 2)
    gaps = np.abs(summary.p_values - expected.pvalues)
    assert np.all(gaps <= slack * expected.pvalues + 1e-300), (summary.p_values, expected.pvalues)
    low, high = np.asarray(expected.conf_int()).T
    # an end w ± q·se is as exact as w and q·se are: near zero it cancels, so its error
    # is relative to q·se (half the width), not to the end itself
    allowed = 1e-7 * (np.maximum(np.abs(low), np.abs(high)) + (high - low) / 2)
    assert np.all(np.abs(summary.ci_low - low) <= allowed), (summary.ci_low, low)
    assert np.all(np.abs(summary.ci_high - high) <= allowed), (summary.ci_high, high)
    assert summary.f_statistic == pytest.approx(float(expected.fvalue), rel=1e-8)
    assert summary.f_pvalue == pytest.approx(float(expected.f_pvalue), rel=1e-6)
    assert summary.use_t == bool(expected.use_t)


@pytest.mark.parametrize("weighted", [False, True], ids=["ols", "wls"])
@pytest.mark.parametrize("cov", COV_TYPES)
def test_in_memory_summary_equals_statsmodels(cov: str, weighted: bool) -> None:
    columns = heteroscedastic()
    X = np.column_stack([columns["x1"], columns["x2"]])
    data = from_arrays(X, columns["y"], ("x1", "x2"), weights=columns["w"] if weighted else None)
    data = replace(data, clusters=columns["g"], cluster_name="g")
    summary = fit(data, cov=gdlab_cov(cov), steps=2).analysis.regression
    assert summary.cov_type == gdlab_cov(cov)
    assert_same_inference(summary, reference(columns, cov, weighted))


@pytest.mark.parametrize("route", ["lapack", "kernel"])
@pytest.mark.parametrize("cov", ["HC1", "HC3", "cluster"])
def test_streamed_files_give_the_same_covariance(tmp_path: Path, cov: str, route: str) -> None:
    columns = heteroscedastic(900)
    for index, part in enumerate((slice(0, 400), slice(400, 900))):
        write_table(tmp_path / f"part{index}.parquet", {k: v[part] for k, v in columns.items()})
    source = open_files(tmp_path / "*.parquet", ["x1", "x2"], "y").with_columns(weights="w")
    with pass_route(route):
        run = fit(source, cov=gdlab_cov(cov), engine="stream", steps=2)
    assert run.config.engine == "stream"
    assert_same_inference(run.analysis.regression, reference(columns, cov, weighted=True))


def test_the_record_says_which_covariance_it_reports() -> None:
    columns = heteroscedastic(100)
    X = np.column_stack([columns["x1"], columns["x2"]])
    record = fit(from_arrays(X, columns["y"]), cov="HC2", steps=1).to_record()
    regression = record["analysis"]["regression"]
    assert regression["cov_type"] == "HC2" and regression["use_t"] is False
    assert regression["f_pvalue"] < 1e-6 and regression["df_model"] == 2


def test_a_cluster_column_that_is_missing_is_named() -> None:
    data = from_arrays(np.arange(10.0), np.arange(10.0) * 2 + np.sin(np.arange(10.0)))
    with pytest.raises(Exception, match="no cluster column 'firm'"):
        fit(data, cov="cluster:firm", steps=1)


def test_a_robust_covariance_is_refused_with_a_penalty() -> None:
    data = from_arrays(np.arange(10.0), np.arange(10.0) * 2 + np.sin(np.arange(10.0)))
    with pytest.raises(Exception, match="least squares"):
        fit(data, cov="HC1", l2=1.0, steps=1)
