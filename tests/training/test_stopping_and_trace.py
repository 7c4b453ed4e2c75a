"""--tol stops a run and says why; --trace writes every step's loss, weights and gradient."""

from __future__ import annotations

import csv

import numpy as np
import pyarrow.parquet as pq
import pytest

import gdlab
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix
from gdlab.outputs.trace import trace_columns, write_trace


def test_gradient_tolerance_stops_once_the_gradient_is_small():
    run = gdlab.fit(gdlab.seed_dataset(0), lr=0.005, steps=10_000, tol=1e-6)
    assert run.stop_reason == "tol" and 10 < len(run.losses) < 10_000
    norms = np.linalg.norm(run.gradients, axis=1)
    assert norms[-1] <= 1e-6 < norms[-2]
    assert run.to_record()["stop_reason"] == "tol"


def test_loss_tolerance_stops_on_a_small_relative_change():
    run = gdlab.fit(gdlab.seed_dataset(0), steps=10_000, tol=1e-10, tol_kind="loss")
    losses = np.array([run.initial_loss, *run.losses])
    changes = np.abs(np.diff(losses)) / losses[:-1]
    assert run.stop_reason == "tol" and changes[-1] <= 1e-10 < changes[-2]


def test_without_reaching_the_tolerance_the_steps_are_the_limit():
    run = gdlab.fit(gdlab.seed_dataset(0), steps=20, tol=1e-12)
    assert run.stop_reason == "steps" and len(run.losses) == 20


@pytest.mark.parametrize(
    ("options", "message"),
    [({"tol": -1.0}, "^tol must"), ({"tol": 1.0, "tol_kind": "size"}, "tolerance kind 'size'")],
)
def test_bad_tolerances_are_config_errors(options, message):
    with pytest.raises(ConfigError, match=message):
        gdlab.fit(gdlab.seed_dataset(0), **options)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_trace_has_every_step_weight_and_gradient(tmp_path, suffix):
    data = gdlab.seed_dataset(2)
    run = gdlab.fit(data, steps=7)
    path = write_trace(run, tmp_path / f"trace{suffix}")
    if suffix == ".csv":
        with path.open() as handle:
            rows = list(csv.DictReader(handle))
        columns = {key: np.array([float(row[key]) for row in rows]) for key in rows[0]}
    else:
        columns = {k: np.asarray(v) for k, v in pq.read_table(path).to_pydict().items()}
    assert list(columns) == ["step", "loss", "w_b", "w_x", "grad_b", "grad_x"]
    np.testing.assert_array_equal(columns["step"], np.arange(8))
    np.testing.assert_array_equal(columns["loss"], [run.initial_loss, *run.losses])
    A = design_matrix(data.features)
    for i in range(8):
        w = np.array([columns["w_b"][i], columns["w_x"][i]])
        gradient = A.T @ (A @ w - data.target)
        np.testing.assert_allclose([columns["grad_b"][i], columns["grad_x"][i]], gradient)


def test_trace_of_a_standardized_run_is_in_the_data_units():
    data = gdlab.seed_dataset(3)
    run = gdlab.fit(data, steps=4, standardize=True, lr=0.01)
    columns = trace_columns(run)
    A = design_matrix(data.features)
    w = np.array([columns["w_b"][2], columns["w_x"][2]])
    np.testing.assert_allclose(
        [columns["grad_b"][2], columns["grad_x"][2]], A.T @ (A @ w - data.target), rtol=1e-9
    )


def test_trace_needs_a_known_suffix(tmp_path):
    with pytest.raises(ConfigError, match=r"use a \.csv or \.parquet"):
        write_trace(gdlab.demo(0), tmp_path / "trace.txt")
