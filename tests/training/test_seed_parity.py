"""The seed program through gdlab matches real TensorFlow's numbers (docs/design.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import gdlab
from tests.conftest import run_cli

RTOL = 1e-4


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_python_api_matches_tensorflow(tf_reference, dtype):
    data = gdlab.from_arrays(tf_reference["x"], tf_reference["y"])
    run = gdlab.fit(data, init=tf_reference["initial_weights"], lr=0.002, steps=50, dtype=dtype)
    np.testing.assert_allclose(run.losses, tf_reference["losses"], rtol=RTOL)
    np.testing.assert_allclose(run.weights, tf_reference["final_weights"], rtol=RTOL)
    assert len(run.losses) == tf_reference["training_steps"]


def test_cli_fit_on_csv_matches_tensorflow(tf_reference, tmp_path):
    csv = tmp_path / "seed.csv"
    rows = [f"{x!r},{y!r}" for x, y in zip(tf_reference["x"], tf_reference["y"], strict=True)]
    csv.write_text("x,y\n" + "\n".join(rows) + "\n")
    b0, a0 = tf_reference["initial_weights"]
    code, out, err = run_cli(
        "fit", str(csv), "--x", "x", "--y", "y", f"--init={b0!r},{a0!r}", "--lr", "0.002", "--json"
    )
    assert code == 0, err
    record = json.loads(out)
    np.testing.assert_allclose(record["losses"], tf_reference["losses"], rtol=RTOL)
    np.testing.assert_allclose(record["weights"], tf_reference["final_weights"], rtol=RTOL)


def test_float32_run_reproduces_tensorflow_float32_weights_closely(tf_reference):
    data = gdlab.from_arrays(tf_reference["x"], tf_reference["y"])
    run = gdlab.fit(data, init=tf_reference["initial_weights"], lr=0.002, dtype="float32")
    assert run.weights.dtype == np.float32
    np.testing.assert_allclose(run.weights, tf_reference["final_weights"], rtol=1e-6)
