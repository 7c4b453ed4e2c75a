"""Collinear columns are named, with what the fit can and cannot say then."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.analysis.collinear import collinearity, collinearity_message
from gdlab.errors import DataWarning
from gdlab.onepass.lstsq import LeastSquaresStats
from tests.conftest import run_cli, write_table


def stats_of(*columns):
    A = np.column_stack([np.ones(len(columns[0])), *columns])
    return LeastSquaresStats.from_arrays(A, np.arange(len(columns[0]), dtype=float))


def test_an_exact_repeat_is_singular_and_its_relation_is_written_out():
    x = np.arange(8.0)
    found = collinearity(stats_of(x, 2 * x - 1), ["b", "x", "z"])
    assert found.singular and found.columns == ("b", "x", "z")
    assert found.combinations[0].relation() == "z ≈ 2·x − 1"


def test_a_near_repeat_is_nearly_singular_with_the_digits_it_costs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    found = collinearity(stats_of(x, x + 1e-10 * rng.normal(size=200)), ["b", "x", "z"])
    assert not found.singular and found.condition > 1e8 and found.columns == ("x", "z")
    message = collinearity_message(found, "d.csv")
    assert "'x' and 'z' are nearly collinear (z ≈ 1·x" in message and "digits" in message


def test_a_constant_column_repeats_the_bias():
    found = collinearity(stats_of(np.full(6, 0.1), np.arange(6.0)), ["b", "c", "x"])
    assert found.singular and found.combinations[0].relation() == "c ≈ 0.1"
    assert "the bias b and 'c' are collinear" in collinearity_message(found, "d.csv")


def test_independent_columns_give_no_warning():
    rng = np.random.default_rng(1)
    assert collinearity(stats_of(rng.normal(size=50), rng.normal(size=50)), ["b", "u", "v"]) is None


def test_fit_warns_once_naming_the_columns_and_what_the_numbers_mean(tmp_path):
    x = np.arange(10.0)
    path = write_table(tmp_path / "d.csv", {"x": x, "z": 2 * x, "y": 3 * x + 1})
    with pytest.warns(DataWarning, match=r"'x' and 'z' are collinear \(z ≈ 2·x\)") as seen:
        gdlab.fit(gdlab.read_table(path, ["x", "z"], "y"), lr=1e-4)
    assert len([w for w in seen if issubclass(w.category, DataWarning)]) == 1
    code, _, err = run_cli("fit", str(path), "--x", "x,z", "--y", "y", "--lr", "1e-4")
    assert code == 0
    (line,) = [line for line in err.splitlines() if "collinear" in line]
    assert line.startswith("gdlab: warning: ") and "'best' constant rate equals" in line
    assert "standard errors, t and p values are undefined" in line


def test_a_feature_named_b_is_not_taken_for_the_bias(tmp_path):
    """A column called b keeps its name; the bias takes another, in every output."""
    x = np.arange(10.0)
    path = write_table(tmp_path / "d.csv", {"a": x, "b": np.full(10, 0.2), "y": 3 * x + 1})
    with pytest.warns(DataWarning, match=r": the bias and 'b' are collinear \(b ≈ 0\.2\)"):
        run = gdlab.fit(gdlab.read_table(path, ["a", "b"], "y"), lr=1e-3)
    assert run.weight_names == ("bias", "a", "b")
    assert run.analysis.regression.names == ("bias", "a", "b")
    # without a bias, a ones column named b is a feature like any other
    found = collinearity(stats_of(np.full(6, 0.1), np.arange(6.0)), ["b", "c", "x"], False)
    assert found.bias is None and found.combinations[0].relation() == "c ≈ 0.1·b"
    message = collinearity_message(found, "d.csv")
    assert "d.csv: 'b' and 'c' are collinear (c ≈ 0.1·b)" in message
    assert "the bias" not in message
