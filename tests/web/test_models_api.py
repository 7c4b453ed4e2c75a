"""The playground's model controls on the server: L1 and the polynomial degree, the same
runs as `gdlab fit --l1 --degree`, the command line that reproduces them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_cli

pytest.importorskip("formulaic")


def test_l1_and_degree_train_the_polynomial_lasso_and_the_command_reproduces_it(client, tmp_path):
    body = {
        "data": {"kind": "seed", "n": 40, "noise": 1.0},
        "seed": 2,
        "lr": "auto",
        "steps": 300,
        "degree": 3,
        "l1": 5.0,
        "standardize": True,
    }
    setup = client.post("/api/prepare", json=body).json()
    record = client.post("/api/train", json=body).json()
    assert record["weight_names"] == ["b", "x", "I(x ** 2)", "I(x ** 3)"]
    assert record["config"]["l1"] == 5.0
    assert record["data"]["design"]["formula"] == "y ~ x + I(x**2) + I(x**3)"
    words = setup["command"].split()
    assert "--degree" in words and words[words.index("--degree") + 1] == "3"
    assert words[words.index("--x") + 1] == "x" and "--l1" in words
    csv = client.get("/api/seed-data.csv", params={"n": 40, "noise": 1.0, "seed": 2})
    (tmp_path / "seed-data.csv").write_text(csv.text)
    words[2] = str(tmp_path / "seed-data.csv")
    code, out, err = run_cli(*words[1:], "--json")
    assert code == 0, err
    np.testing.assert_allclose(json.loads(out)["weights"], record["weights"], rtol=1e-12)
    meta = client.get("/api/meta").json()
    assert "l1" in meta["fit_options"] and meta["defaults"]["degree"] == 1
    assert meta["limits"]["max_degree"] == 12


def test_a_degree_out_of_range_or_on_several_features_is_refused(client):
    assert client.post("/api/train", json={"degree": 13}).status_code == 422
    inline = {"kind": "inline", "columns": {"a": [1, 2, 3], "b": [2, 1, 0], "y": [1, 0, 2]},
              "x": ["a", "b"], "y": "y"}  # fmt: skip
    response = client.post("/api/train", json={"data": inline, "degree": 2})
    assert response.status_code == 400
    assert "needs one feature column" in response.json()["detail"]
