"""The playground on degenerate data: collinear, constant and all-zero features, with and
without the intercept, for l2, mse and Huber — the floor and R² are right, the landscape
note does not blame a penalty that is not set, and nothing is a 5xx."""

from __future__ import annotations

import numpy as np
import pytest

from tests.web.test_schema_fuzz import CHECKS, schema

RNG = np.random.default_rng(1)
X = np.linspace(-2, 4, 20)
Y = 3 * X + 1 + RNG.normal(size=20)
COLUMNS = {
    "collinear": {"a": X, "b": 2 * X},
    "constant": {"a": X, "b": np.full(20, 5.0)},
    "all-zero": {"a": X, "b": np.zeros(20)},
    "only-zero": {"b": np.zeros(20)},
    "only-constant": {"b": np.full(20, 5.0)},
}
ENDPOINTS = ("/api/train", "/api/prepare", "/api/train/stream")


def body(name: str, loss: str, intercept: bool) -> dict:
    columns = {key: values.tolist() for key, values in COLUMNS[name].items()}
    data = {"kind": "inline", "columns": {**columns, "y": Y.tolist()}, "x": list(columns)}
    return {"data": {**data, "y": "y"}, "loss": loss, "intercept": intercept, "steps": 3000}


def true_floor(name: str, loss: str, intercept: bool) -> tuple[float, float]:
    """½Σe² (l2) or mean e² (mse) at numpy's lstsq optimum, and R²."""
    features = np.column_stack(list(COLUMNS[name].values()))
    A = np.column_stack([np.ones(20), features]) if intercept else features
    w, *_ = np.linalg.lstsq(A, Y, rcond=None)
    sse = float(np.sum((A @ w - Y) ** 2))
    total = np.sum((Y - Y.mean()) ** 2) if intercept else np.sum(Y**2)
    return (0.5 * sse if loss == "l2" else sse / 20), 1 - sse / total


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("loss", ["l2", "mse", "huber"])
@pytest.mark.parametrize("name", list(COLUMNS))
def test_floor_and_r_squared_are_right(client, name, loss, intercept):
    response = client.post("/api/train", json=body(name, loss, intercept))
    if name == "only-zero" and not intercept:
        assert response.status_code == 400
        assert "all zeros and there is no intercept" in response.json()["detail"]
        return
    assert response.status_code == 200, response.text
    record = response.json()
    floor = record["optimum"]["loss"]
    assert record["losses"][-1] == pytest.approx(floor, rel=1e-6)
    l2_floor, r_squared = true_floor(name, "l2" if loss == "huber" else loss, intercept)
    if loss == "huber":
        assert floor < l2_floor  # Huber's own minimum, not the l2 floor
    else:
        assert floor == pytest.approx(l2_floor, rel=1e-9)
    assert record["analysis"]["regression"]["r_squared"] == pytest.approx(r_squared, rel=1e-9)


@pytest.mark.parametrize("name", ["collinear", "constant", "all-zero"])
def test_the_landscape_note_does_not_blame_a_penalty(client, name):
    response = client.post("/api/train/stream", json={**body(name, "l2", True), "duration": 0})
    assert response.status_code == 200
    assert '"landscape_matches": true' in response.text


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("name", "loss", "intercept"),
    [
        (name, loss, intercept)
        for name in COLUMNS
        for loss in ("l2", "huber")
        for intercept in (True, False)
    ],
)
def test_schema_checks_pass_on_degenerate_bodies(endpoint, name, loss, intercept):
    """The fuzzer's own checks (no 5xx, documented content type and schema) on these bodies."""
    request = {**body(name, loss, intercept), "steps": 50}
    if endpoint.endswith("stream"):
        request["duration"] = 0
    case = schema[endpoint]["POST"].Case(body=request, media_type="application/json")
    case.call_and_validate(headers={"host": "testserver"}, checks=CHECKS)
