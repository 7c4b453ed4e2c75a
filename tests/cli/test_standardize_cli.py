"""`gdlab fit --standardize` with every engine and loss: the same run as on data standardised
beforehand, its weights mapped back to the data's units (w = M·v)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_cli, write_table

#: Engine and loss options the Python API accepts, each with --standardize.
COMBINATIONS = {
    "auto": [],
    "dense": ["--engine", "dense"],
    "stats": ["--engine", "stats"],
    "stream": ["--engine", "stream"],
    "dask": ["--engine", "dask"],
    "mse": ["--loss", "mse", "--lr", "0.2"],
    "huber": ["--loss", "huber", "--huber-delta", "0.5"],
    "mini-batch": ["--batch-size", "16"],
    "huber-mini-batch": ["--loss", "huber", "--batch-size", "16"],
    "no-intercept": ["--no-intercept"],
    "ridge": ["--l2", "3"],
    "ridge-no-intercept": ["--l2", "3", "--no-intercept"],
    "momentum": ["--optimizer", "momentum", "--momentum", "0.5"],
    "adam": ["--optimizer", "adam", "--lr", "0.05"],
    "float32": ["--dtype", "float32"],
}


@pytest.fixture(scope="module")
def far_from_standard(tmp_path_factory):
    """Two features far from mean 0 and scale 1 (x1 near 1e3): raw GD at lr 0.004 diverges."""
    folder = tmp_path_factory.mktemp("standardize")
    rng = np.random.default_rng(13)
    x1, x2 = rng.normal(1e3, 5, 120), rng.normal(-3, 0.2, 120)
    y = 4 + 0.5 * x1 - 8 * x2 + rng.normal(0, 0.3, 120)
    y[::17] += 6  # a few outliers, for Huber
    return write_table(folder / "far.csv", {"x1": x1, "x2": x2, "y": y})


def fit_json(path, *options):
    code, out, err = run_cli("fit", str(path), "--x", "x1,x2", "--y", "y", "--steps", "60",
                             "--lr", "0.004", "--seed", "5", *options, "--json")  # fmt: skip
    assert code == 0, err
    return json.loads(out)


def to_original(means, scales, intercept):
    """M with w = M·v (the map `gdlab.model.standardize.Standardization.to_original` gives)."""
    if not intercept:
        return np.diag(1 / scales)
    k = len(means)
    M = np.eye(k + 1)
    M[0, 1:] = -means / scales
    M[1:, 1:] = np.diag(1 / scales)
    return M


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_standardize_is_the_run_on_standardised_data(far_from_standard, name, tmp_path):
    options = COMBINATIONS[name]
    scaled = fit_json(far_from_standard, "--standardize", *options)
    conditioning = scaled["analysis"]["conditioning"]
    assert conditioning["applied"] is True
    means = np.array(conditioning["feature_means"])
    scales = np.array(conditioning["feature_scales"])
    intercept = "--no-intercept" not in options
    # The same rows standardised with the run's own numbers (no centring without a bias).
    table = np.loadtxt(far_from_standard, delimiter=",", skiprows=1)
    z = (table[:, :2] - means) / scales
    if intercept:
        np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-9)
    standard = write_table(tmp_path / "z.csv", {"x1": z[:, 0], "x2": z[:, 1], "y": table[:, 2]})
    plain = fit_json(standard, *options)

    assert scaled["config"]["engine"] == plain["config"]["engine"]
    assert scaled["stop_reason"] == plain["stop_reason"] == "steps"
    rtol = 1e-4 if "float32" in name else 1e-9
    np.testing.assert_allclose(scaled["losses"], plain["losses"], rtol=rtol)
    M = to_original(means, scales, intercept)
    np.testing.assert_allclose(scaled["weights"], M @ plain["weights"], rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(scaled["init"], M @ plain["init"], rtol=rtol)
    if "float32" not in name:  # the path too, every step, in the data's units
        path = np.array(scaled["path"])
        np.testing.assert_allclose(path, np.array(plain["path"]) @ M.T, rtol=1e-9, atol=1e-9)


def test_without_standardize_the_same_rate_diverges(far_from_standard):
    """The point of the comparison: in the data's units lr 0.004 is far past the bound."""
    code, _, err = run_cli("fit", str(far_from_standard), "--x", "x1,x2", "--y", "y",
                           "--steps", "60", "--lr", "0.004")  # fmt: skip
    assert code == 3 and "diverged" in err


def test_l2_with_standardize_penalises_the_standardised_weights(far_from_standard):
    """What the --l2 help and the README say: Ridge(alpha=λ) after a StandardScaler."""
    pipeline = pytest.importorskip("sklearn.pipeline")
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    linear_model = pytest.importorskip("sklearn.linear_model")
    record = fit_json(far_from_standard, "--standardize", "--l2", "30", "--steps", "400")
    table = np.loadtxt(far_from_standard, delimiter=",", skiprows=1)
    X, y = table[:, :2], table[:, 2]
    ridge = pipeline.make_pipeline(preprocessing.StandardScaler(), linear_model.Ridge(alpha=30))
    ridge.fit(X, y)
    scaler, model = ridge[0], ridge[1]
    slopes = model.coef_ / scaler.scale_
    expected = [model.intercept_ - slopes @ scaler.mean_, *slopes]
    np.testing.assert_allclose(record["optimum"]["weights"], expected, rtol=1e-9)
    np.testing.assert_allclose(record["weights"], expected, rtol=1e-6)  # GD got there
    unscaled = linear_model.Ridge(alpha=30).fit(X, y)  # the penalty on raw weights differs
    assert abs(unscaled.coef_[1] - expected[2]) > 0.1
