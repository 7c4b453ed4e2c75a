"""The playground's JSON API through TestClient: same runs as the library, clear 4xx errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.optim.optimizers import OPTIMIZERS
from gdlab.web.command import fit_command_line
from gdlab.web.options import training_config, web_option_names
from gdlab.web.schemas import TrainRequest
from tests.conftest import run_cli
from tests.web.conftest import client_with


def test_empty_body_trains_the_seed_program_exactly(client):
    for response in (client.post("/api/train"), client.post("/api/train", json={})):
        assert response.status_code == 200, response.text
        record = response.json()
        demo = gdlab.demo(seed=0)
        assert record["weights"] == demo.weights.tolist()
        assert record["losses"] == demo.losses
        assert record["data"] == demo.to_record()["data"]
        assert record["config"] == demo.to_record()["config"]


def test_options_reach_gdlab_fit(client):
    body = {
        "data": {"kind": "seed", "n": 80, "noise": 0.5},
        "lr": 0.01,
        "steps": 120,
        "loss": "mse",
        "init": [1.0, -2.0],
        "seed": 7,
    }
    record = client.post("/api/train", json=body).json()
    data = gdlab.seed_dataset(7, 80, 0.5)
    expected = gdlab.fit(data, lr=0.01, steps=120, loss="mse", init=[1.0, -2.0], seed=7)
    assert record["weights"] == expected.weights.tolist()
    assert record["config"]["loss"] == "mse" and record["config"]["seed"] == 7
    assert record["init"] == [1.0, -2.0] and len(record["losses"]) == 120


def test_inline_columns_train_like_from_arrays(client):
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=40), rng.normal(size=40)
    y = 1 + 2 * x1 - x2 + 0.1 * rng.normal(size=40)
    body = {
        "data": {
            "kind": "inline",
            "columns": {"u": x1.tolist(), "v": x2.tolist(), "t": y.tolist()},
            "x": ["u", "v"],
            "y": "t",
        },
        "lr": 0.01,
        "steps": 300,
    }
    record = client.post("/api/train", json=body).json()
    features = np.column_stack([x1, x2])
    expected = gdlab.fit(gdlab.from_arrays(features, y, ["u", "v"], "t"), lr=0.01, steps=300)
    assert record["weight_names"] == ["b", "u", "v"]
    np.testing.assert_array_equal(record["weights"], expected.weights)


def test_a_diverged_run_is_a_result_with_its_reason(client):
    record = client.post("/api/train", json={"lr": 1.0}).json()
    assert record["stop_reason"] == "diverged"
    assert record["analysis"]["lr_max_stable"] < 1.0


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ({"lr": 0}, ["lr", "greater than 0"]),
        ({"lr": "fast"}, ["lr", "number"]),
        ({"steps": 100_001}, ["steps", "100000"]),
        ({"steps": 0}, ["steps"]),
        ({"data": {"kind": "seed", "n": 1_000_001}}, ["data.seed.n", "1000000"]),
        ({"data": {"kind": "seed", "n": 1}}, ["data.seed.n"]),
        ({"data": {"kind": "nope"}}, ["data", "kind"]),
        ({"optimizer": "sgdx"}, ["optimizer", "unknown optimizer 'sgdx'", "gd"]),
        ({"loss": "l1"}, ["loss", "unknown loss 'l1'"]),
        ({"seed": -1}, ["seed"]),
        ({"init": [1, "x"]}, ["init"]),
        ({"init": [1e200, 0]}, ["init.0", "must be within ±1e+100"]),
        ({"optimizer_options": {"Bad Name": 1}}, ["optimizer_options"]),
        ({"bogus": 1}, ["bogus", "Extra inputs"]),
        ([1, 2], ["body"]),
    ],
)
def test_schema_violations_are_422_with_one_line(client, body, fragments):
    response = client.post("/api/train", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "\n" not in detail
    for fragment in fragments:
        assert fragment in detail, detail


def test_non_finite_numbers_are_refused(client):
    body = '{"lr": NaN}'
    response = client.post("/api/train", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and "lr" in response.json()["detail"]
    body = '{"init": [Infinity, 1]}'
    response = client.post("/api/train", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        ({"columns": {"x": [1, 2, 3], "y": [1, 2]}, "x": ["x"], "y": "y"}, ["different lengths"]),
        ({"columns": {"x": [1, 2], "y": [1, 2]}, "x": ["z"], "y": "y"}, ["no column 'z'", "x, y"]),
        ({"columns": {"x": [1, 2], "y": [1, 2]}, "x": ["y"], "y": "y"}, ["both a feature"]),
        ({"columns": {"x": [1], "y": [1]}, "x": ["x"], "y": "y"}, ["at least 2 rows"]),
        (
            {"columns": {"x": [0, 0, 0], "y": [1, 2, 3]}, "x": ["x"], "y": "y"},
            ["every feature column (x) is all zeros", "no intercept"],
        ),
    ],
)
def test_bad_inline_data_is_400_naming_the_problem(client, data, fragments):
    intercept = "all zeros" not in fragments[0]
    body = {"data": {"kind": "inline", **data}, "intercept": intercept}
    response = client.post("/api/train", json=body)
    assert response.status_code == 400, response.text
    for fragment in fragments:
        assert fragment in response.json()["detail"]


def test_init_of_the_wrong_length_is_400(client):
    response = client.post("/api/train", json={"init": [1, 2, 3]})
    assert response.status_code == 400
    assert "needs 2 values" in response.json()["detail"]


def test_server_limits_apply_beyond_the_schema():
    small = client_with(max_rows=100, max_steps=10)
    response = small.post("/api/train", json={"data": {"kind": "seed", "n": 101}})
    assert response.status_code == 400 and "at most 100" in response.json()["detail"]
    response = small.post("/api/train", json={"steps": 11})
    assert response.status_code == 400 and "at most 10" in response.json()["detail"]


def test_optional_fit_options_are_passed_only_when_set():
    """The equivalent command line stays as short as the run allows."""
    plain = fit_command_line(training_config(TrainRequest(), [0.0, 1.0]), "d.csv", ["x"], "y")
    assert plain == "gdlab fit d.csv --x x --y y --lr 0.002 --steps 50 --init=0,1"
    request = TrainRequest(l2=0.5, standardize=True, tol=1e-6, schedule="cosine")
    config = training_config(request)
    assert config.l2 == 0.5 and config.standardize is True
    assert config.tol == 1e-6 and config.schedule == "cosine"
    assert config.optimizer_options == {}
    line = fit_command_line(config, "d.csv", ["x"], "y")
    assert "--l2 0.5" in line and "--standardize" in line and "--tol 1e-06" in line
    assert "--schedule cosine" in line and "--optimizer-option" not in line


def test_momentum_with_ridge_and_a_schedule_trains_through_the_api(client):
    body = {
        "optimizer": "momentum",
        "optimizer_options": {"momentum": 0.5},
        "l2": 0.1,
        "schedule": "cosine",
        "lr": 0.002,
        "steps": 30,
    }
    response = client.post("/api/train", json=body)
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["config"]["optimizer"] == "momentum" and len(record["losses"]) == 30
    assert record["losses"][-1] < record["initial_loss"]


def test_an_option_the_optimizer_lacks_is_a_clear_400(client):
    response = client.post("/api/train", json={"optimizer_options": {"momentum": 0.9}})
    assert response.status_code == 400
    assert "optimizer 'gd' has no option momentum" in response.json()["detail"]


def test_meta_lists_the_optimizers_of_the_library(client):
    meta = client.get("/api/meta").json()
    assert [o["name"] for o in meta["optimizers"]] == list(OPTIMIZERS)
    assert set(meta["losses"]) == {"l2", "mse", "huber"}
    assert meta["defaults"]["lr"] == 0.002 and meta["defaults"]["steps"] == 50
    assert meta["limits"] == {
        "max_rows": 1_000_000,
        "max_steps": 100_000,
        "max_features": 100,
        "max_upload_bytes": 50 * 1024 * 1024,
        "max_degree": 12,
    }


def test_prepare_gives_the_start_and_the_surface_of_the_run(client):
    setup = client.post("/api/prepare", json={"seed": 4}).json()
    record = client.post("/api/train", json={"seed": 4}).json()
    assert setup["init"] == record["init"]
    assert setup["quadratic"]["optimum_weights"] == pytest.approx(record["optimum"]["weights"])
    hessian = np.array(setup["quadratic"]["hessian"])
    assert np.linalg.eigvalsh(hessian) == pytest.approx(record["analysis"]["hessian_eigenvalues"])
    gap = np.array(record["init"]) - np.array(setup["quadratic"]["optimum_weights"])
    predicted = setup["quadratic"]["optimum_loss"] + 0.5 * gap @ hessian @ gap
    assert predicted == pytest.approx(record["initial_loss"], rel=1e-9)
    assert setup["points"]["n_rows"] == 50 and len(setup["points"]["target"]) == 50


def test_the_command_line_shown_reproduces_the_run(client, tmp_path):
    body = {
        "data": {"kind": "seed", "n": 30, "noise": 2.0},
        "seed": 5,
        "lr": 0.003,
        "steps": 40,
        "loss": "mse",
    }
    setup = client.post("/api/prepare", json=body).json()
    record = client.post("/api/train", json=body).json()
    csv = client.get("/api/seed-data.csv", params={"n": 30, "noise": 2.0, "seed": 5})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    (tmp_path / "seed-data.csv").write_text(csv.text)
    words = setup["command"].split()
    assert words[:3] == ["gdlab", "fit", "seed-data.csv"] and "--loss" in words
    words[2] = str(tmp_path / "seed-data.csv")
    code, out, err = run_cli(*words[1:], "--json")
    assert code == 0, err
    assert json.loads(out)["weights"] == record["weights"]


def test_errors_are_json_one_liners_everywhere(client):
    for response, status in (
        (client.get("/api/nothing"), 404),
        (client.get("/api/train"), 405),
        (client.post("/api/runs/AAAAAAAAAAAAAAAA/stop"), 404),
        (client.get("/api/seed-data.csv", params={"n": 0}), 422),
    ):
        assert response.status_code == status
        assert isinstance(response.json()["detail"], str)


def test_an_internal_error_names_no_internals(monkeypatch, client):
    from gdlab.web.routes import train as train_routes

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr(train_routes, "train", broken)
    with client_with() as raw:
        raw_client = type(raw)(raw.app, raise_server_exceptions=False)
        response = raw_client.post("/api/train")
    assert response.status_code == 500
    assert "secret" not in response.text and "internal server error" in response.json()["detail"]


def test_only_loopback_host_names_are_answered(client):
    assert client.get("/api/meta", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/api/meta", headers={"host": "attacker.example"}).status_code == 400


def test_page_and_plotly_come_from_this_server(client):
    page = client.get("/")
    assert page.status_code == 200 and "/vendor/plotly.min.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    plotly = client.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and b"plotly.js v" in plotly.content[:200]
    for name in ("main", "api", "state", "plots", "controls", "explain", "quadratic"):
        script = client.get(f"/static/js/{name}.js")
        assert script.status_code == 200 and "https://" not in script.text


def test_openapi_documents_every_route_with_its_errors(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/train", "/api/train/stream", "/api/prepare", "/api/uploads", "/api/meta"):
        assert path in paths
    train = paths["/api/train"]["post"]
    assert {"400", "422", "429"} <= set(train["responses"])
    request = schema["components"]["schemas"]["TrainRequest"]["properties"]
    assert request["steps"]["maximum"] == 100_000
    assert request["optimizer"]["enum"] == list(OPTIMIZERS)


EDGE_NUMBERS = st.sampled_from([0.0, -1.0, 1e-300, 1e-3, 0.5, 3.0, 1e12, 1e100, -1e100])


@st.composite
def train_bodies(draw):
    """Bodies near and past the schema's edges (small runs, to stay quick)."""
    body = {}
    if draw(st.booleans()):
        body["lr"] = draw(EDGE_NUMBERS)
    body["steps"] = draw(st.integers(min_value=-1, max_value=30))
    if draw(st.booleans()):
        body["init"] = draw(st.lists(EDGE_NUMBERS, min_size=0, max_size=3))
    if draw(st.booleans()):
        body["init_std"] = draw(EDGE_NUMBERS)
    body["loss"] = draw(st.sampled_from(["l2", "mse", "l3"]))
    body["dtype"] = draw(st.sampled_from(["float64", "float32"]))
    body["intercept"] = draw(st.booleans())
    kind = draw(st.sampled_from(["seed", "inline"]))
    if kind == "seed":
        body["data"] = {"kind": "seed", "n": draw(st.integers(0, 60)), "noise": draw(EDGE_NUMBERS)}
    else:
        column = st.lists(EDGE_NUMBERS, min_size=0, max_size=6)
        body["data"] = {
            "kind": "inline",
            "columns": {"x": draw(column), "y": draw(column)},
            "x": ["x"],
            "y": draw(st.sampled_from(["x", "y", "z"])),
        }
    return body


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflowing starts, by design
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=train_bodies())
def test_no_request_body_gives_a_server_error(body):
    with client_with() as fuzz_client:
        for path in ("/api/train", "/api/prepare"):
            response = fuzz_client.post(path, json=body)
            assert response.status_code < 500, (path, body, response.text)
            if response.status_code >= 400:
                assert isinstance(response.json()["detail"], str)


def test_the_command_line_reproduces_every_option_the_page_offers(client, tmp_path):
    """Every option has a flag: the shown command, run by the CLI, repeats the run exactly."""
    body = {
        "optimizer": "adam", "optimizer_options": {"b1": 0.8, "eps": 1e-6}, "l2": 0.1,
        "tol": 1e-9, "tol_kind": "loss", "schedule": "exp:0.999", "lr": 0.05, "steps": 40,
        "loss": "mse", "dtype": "float64", "init_std": 0.3, "seed": 5, "huber_delta": 2.0,
        "validation": 0.2,
        "l1": 0.05,
    }  # fmt: skip
    offered = set(body) | {"intercept", "standardize", "init", "batch_size"}
    assert offered == set(web_option_names())
    setup = client.post("/api/prepare", json=body).json()
    record = client.post("/api/train", json=body).json()
    data = tmp_path / "seed-data.csv"
    data.write_text(client.get("/api/seed-data.csv?seed=5").text)
    words = setup["command"].split()
    assert words[:3] == ["gdlab", "fit", "seed-data.csv"] and "--momentum" not in words
    code, out, err = run_cli("fit", str(data), *words[3:], "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again["weights"] == record["weights"] and again["losses"] == record["losses"]
    assert again["init"] == record["init"]  # the page's start, passed with --init
    assert again["validation_losses"] == record["validation_losses"]  # the same rows held out
    assert {**again["config"], "init": None} == record["config"]


def test_the_landscape_is_checked_against_the_run_own_loss(client):
    from gdlab.web.setup import landscape_matches

    for dtype in ("float64", "float32"):
        body = {"dtype": dtype, "seed": 9}
        setup = client.post("/api/prepare", json=body).json()
        start_loss = client.post("/api/train", json=body).json()["initial_loss"]
        assert landscape_matches(setup, start_loss, dtype)
        assert not landscape_matches(setup, start_loss * 1.001, dtype)  # e.g. a penalty added


def test_auto_rate_trains_through_the_api_and_its_record_says_the_rate(client):
    for optimizer in ("gd", "momentum", "adam"):
        response = client.post("/api/train", json={"lr": "auto", "optimizer": optimizer})
        assert response.status_code == 200, response.text
        record = response.json()
        library = gdlab.fit(gdlab.seed_dataset(0), optimizer=optimizer)
        assert record["config"]["lr"] == library.config.lr
        assert record["lr_choice"] == library.lr_choice.to_record()
        assert record["convergence"]["converged"] == library.convergence.converged
    setup = client.post("/api/prepare", json={"lr": "auto"}).json()
    assert " --lr auto " in setup["command"]  # the command line reproduces the choice
    assert client.get("/api/meta").json()["defaults"]["lr"] == 0.002  # the seed program's


def test_seed_presets_train_their_own_data(client):
    from gdlab.data.presets import preset_dataset
    from gdlab.training.fit import fit

    body = {"data": {"kind": "seed", "preset": "collinear"}, "steps": 5, "lr": "auto"}
    record = client.post("/api/train", json=body).json()
    expected = fit(preset_dataset("collinear", 0), steps=5, lr="auto", seed=0)
    assert record["weight_names"] == ["b", "x", "x2"]
    assert record["weights"] == expected.weights.tolist()
    assert record["data"]["preset"] == "collinear"
    response = client.post("/api/train", json={"data": {"kind": "seed", "preset": "wavy"}})
    assert response.status_code == 422 and "preset" in response.text


def test_seed_data_csv_writes_every_column_of_a_preset(client):
    text = client.get("/api/seed-data.csv?preset=collinear&n=4&seed=1").text
    assert text.splitlines()[0] == "x,x2,y" and len(text.splitlines()) == 5


def test_batch_size_trains_mini_batches(client):
    from gdlab.data.seed import seed_dataset
    from gdlab.training.fit import fit

    record = client.post("/api/train", json={"batch_size": 7, "steps": 20}).json()
    expected = fit(seed_dataset(0), batch_size=7, steps=20, lr=0.002, seed=0)
    assert record["config"]["batch_size"] == 7 and record["weights"] == expected.weights.tolist()


def test_validation_holds_out_a_share_and_records_its_loss(client):
    from gdlab.data.seed import seed_dataset
    from gdlab.training.fit import fit

    body = {"validation": 0.3, "steps": 20, "seed": 2, "data": {"kind": "seed", "n": 60}}
    setup = client.post("/api/prepare", json=body).json()
    record = client.post("/api/train", json=body).json()
    expected = fit(seed_dataset(2, 60), validation=0.3, steps=20, lr=0.002, seed=2)
    assert record["validation_losses"] == expected.validation_losses
    assert len(record["validation_losses"]) == 20
    held = setup["held_out"]
    assert held["rows"] == expected.validation["held_out_rows"] == sum(held["shown"])
    assert held["rows"] + held["training_rows"] == 60 and held["share"] == 0.3
    assert setup["points"]["n_rows"] == 60  # every point is drawn, the held-out ones marked
    assert " --validation 0.3 " in setup["command"] + " "
    for bad in (0, 1, 1.5, "data.csv"):
        response = client.post("/api/train", json={"validation": bad})
        assert response.status_code == 422 and "validation" in response.json()["detail"]
