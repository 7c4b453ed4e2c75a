"""Code export: the scripts run, and reproduce the run's weights in each framework."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.outputs.export import export_script
from tests.conftest import run_cli, write_table

#: Where PyTorch or Keras live when not in the test environment (e.g. a benchmark venv).
PEERS_PYTHON = os.environ.get("GDLAB_PEERS_PYTHON")
FRAMEWORK_MODULES = {"pytorch": "torch", "keras": "keras", "sklearn": "sklearn"}


def python_with(module):
    """An interpreter that can import `module`: this one, else $GDLAB_PEERS_PYTHON; or skip."""
    if importlib.util.find_spec(module) is not None:
        return sys.executable
    if PEERS_PYTHON:
        probe = subprocess.run([PEERS_PYTHON, "-c", f"import {module}"], capture_output=True)
        if probe.returncode == 0:
            return PEERS_PYTHON
    pytest.skip(f"{module} is not installed (set GDLAB_PEERS_PYTHON to an interpreter with it)")


def run_script(script, python, tmp_path):
    path = tmp_path / "reproduce.py"
    path.write_text(script)
    result = subprocess.run(
        [python, str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    weights = next(v for k, v in lines.items() if k.startswith("weights"))
    loss = next(v for k, v in lines.items() if k.startswith("loss after"))
    return np.array(ast.literal_eval(weights)), float(loss)


@pytest.fixture
def file_runs(tmp_path):
    """Runs on a CSV file (two features, mse) and a Parquet file (no intercept, float32)."""
    rng = np.random.default_rng(11)
    u, v = rng.normal(2, 1, 25), rng.normal(-1, 2, 25)
    t = 0.5 + 1.5 * u - 0.7 * v + 0.2 * rng.normal(size=25)
    csv = tmp_path / "points.csv"
    rows = [
        f"{a!r},{b!r},{c!r}" for a, b, c in zip(u.tolist(), v.tolist(), t.tolist(), strict=True)
    ]
    csv.write_text("u,v,t\n" + "\n".join(rows) + "\n")
    pq.write_table(pa.table({"u": u, "t": t}), tmp_path / "points.parquet")
    on_csv = gdlab.fit(gdlab.read_table(csv, ["u", "v"], "t"), lr=0.01, steps=40, loss="mse")
    on_parquet = gdlab.fit(
        gdlab.read_table(tmp_path / "points.parquet", ["u"], "t"),
        lr=0.005, steps=30, intercept=False, dtype="float32", seed=3,
    )  # fmt: skip
    return {"csv-mse": on_csv.to_record(), "parquet-nobias-f32": on_parquet.to_record()}


def test_numpy_export_of_the_seed_reproduces_the_run(tmp_path):
    record = gdlab.demo(seed=2).to_record()
    weights, loss = run_script(export_script(record, "numpy"), sys.executable, tmp_path)
    # The script loops over the rows like the seed; gdlab ran the same steps from the
    # one-pass statistics (engine "stats"), so the two agree to rounding, not to the bit.
    assert record["config"]["engine"] == "stats"
    np.testing.assert_allclose(weights, record["weights"], rtol=1e-12)
    assert loss == pytest.approx(record["losses"][-1], rel=1e-12)


@pytest.mark.parametrize("kind", ["csv-mse", "parquet-nobias-f32"])
def test_numpy_export_of_file_runs(file_runs, kind, tmp_path):
    record = file_runs[kind]
    weights, loss = run_script(export_script(record, "numpy"), sys.executable, tmp_path)
    rtol = 1e-6 if record["config"]["dtype"] == "float32" else 1e-12
    np.testing.assert_allclose(weights, record["weights"], rtol=rtol)
    assert loss == pytest.approx(record["losses"][-1], rel=10 * rtol)


@pytest.mark.parametrize("framework", ["sklearn", "pytorch", "keras"])
def test_framework_exports_reproduce_the_seed_run(framework, tmp_path):
    python = python_with(FRAMEWORK_MODULES[framework])
    record = gdlab.demo(seed=0).to_record()
    weights, loss = run_script(export_script(record, framework), python, tmp_path)
    np.testing.assert_allclose(weights, record["weights"], rtol=1e-9)
    assert loss == pytest.approx(record["losses"][-1], rel=1e-9)


@pytest.mark.parametrize("framework", ["sklearn", "pytorch", "keras"])
@pytest.mark.parametrize("kind", ["csv-mse", "parquet-nobias-f32"])
def test_framework_exports_of_file_runs(framework, kind, file_runs, tmp_path):
    python = python_with(FRAMEWORK_MODULES[framework])
    record = file_runs[kind]
    weights, _ = run_script(export_script(record, framework), python, tmp_path)
    rtol = 1e-5 if record["config"]["dtype"] == "float32" else 1e-9
    np.testing.assert_allclose(weights, record["weights"], rtol=rtol)


def test_cli_export_prints_the_script_or_writes_it(tmp_path):
    code, _, err = run_cli("demo", "--out", str(tmp_path / "d"), "--no-plot", "--steps", "9")
    assert code == 0, err
    code, out, err = run_cli("export", str(tmp_path / "d" / "run.json"), "--to", "numpy")
    assert code == 0, err
    assert out == export_script(json.loads((tmp_path / "d" / "run.json").read_text()), "numpy")
    assert "for step in range(steps)" in out and "lr, steps = 0.002, 9" in out
    target = tmp_path / "again.py"
    code, out, err = run_cli("export", str(tmp_path / "d" / "run.json"), "--out", str(target))
    assert code == 0 and target.read_text().startswith('"""Reproduce a gdlab run')


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["config"].update(optimizer="adam"), "('gd'); this run used 'adam'"),
        (lambda r: r["config"].update(l2=0.5), "cannot repeat the setting l2=0.5"),
        (lambda r: r["data"].update(source="arrays"), "came from in-memory arrays"),
        (lambda r: r.update(init=[1.0]), "1 initial weights for 1 feature(s)"),
        (lambda r: r["config"].update(lr=-1), "config.lr must be a finite number > 0"),
        (lambda r: r.pop("config"), "not a gdlab run record"),
    ],
)  # fmt: skip
def test_runs_export_cannot_repeat_are_refused_with_the_reason(tmp_path, change, message):
    record = gdlab.demo(0).to_record()
    change(record)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(record))
    code, out, err = run_cli("export", str(path), "--to", "pytorch")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert message in err


def test_neutral_settings_of_newer_gdlab_versions_do_not_block_export():
    record = gdlab.demo(0).to_record()
    record["config"].update(
        l2=0.0, schedule="constant", tol=1e-9, tol_kind="grad", standardize=False,
        optimizer_options={},
    )  # fmt: skip
    assert "lr, steps = 0.002, 50" in export_script(record, "numpy")
    with pytest.raises(gdlab.ConfigError, match="unknown framework 'jax'"):
        export_script(record, "jax")


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=3, unique=True),
    source=st.text(min_size=1, max_size=30),
    framework=st.sampled_from(["numpy", "pytorch", "keras", "sklearn"]),
    standardize=st.booleans(),
)
def test_hostile_names_and_paths_cannot_break_out_of_the_script(
    names, source, framework, standardize
):
    record = gdlab.demo(0).to_record()
    record["data"].update(source="points.csv", features=names, target='y"""\nimport os')
    record["init"] = [0.0] * (len(names) + 1)
    record["config"]["standardize"] = standardize
    k = len(names)
    record["analysis"]["conditioning"] = {"feature_means": [0.5] * k, "feature_scales": [2.0] * k}
    script = export_script(record, framework, data=source)  # the path, as --data gives it
    tree = ast.parse(script)
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    allowed = {"numpy", "csv", "pyarrow.parquet", "torch", "keras", "sklearn.neural_network"}
    allowed |= {"sklearn.pipeline", "sklearn.preprocessing"}
    assert {
        alias.name for node in imports if isinstance(node, ast.Import) for alias in node.names
    } | {node.module for node in imports if isinstance(node, ast.ImportFrom)} <= allowed


@pytest.fixture
def standardised_runs(tmp_path):
    """--standardize runs on a CSV file (features far from 0, l2) and on a Parquet file
    (no intercept, float32): the scripts must train on the same standardised features."""
    rng = np.random.default_rng(21)
    u, v = rng.normal(1e3, 4, 60), rng.normal(-2, 0.5, 60)
    t = 3.0 + 0.2 * u - 1.5 * v + 0.1 * rng.normal(size=60)
    write_table(tmp_path / "far.csv", {"u": u, "v": v, "t": t})
    write_table(tmp_path / "far.parquet", {"u": u, "v": v, "t": t})
    on_csv = gdlab.fit(
        gdlab.read_table(tmp_path / "far.csv", ["u", "v"], "t"), lr=0.004, steps=60,
        standardize=True, seed=4,
    )  # fmt: skip
    on_parquet = gdlab.fit(
        gdlab.read_table(tmp_path / "far.parquet", ["u", "v"], "t"), lr=0.001, steps=40,
        standardize=True, intercept=False, dtype="float32", init=(0.1, -0.2),
    )  # fmt: skip
    return {"csv": on_csv.to_record(), "parquet-nobias-f32": on_parquet.to_record()}


def assert_reproduces(record, framework, python, tmp_path):
    weights, loss = run_script(export_script(record, framework), python, tmp_path)
    rtol = 2e-5 if record["config"]["dtype"] == "float32" else 1e-9
    np.testing.assert_allclose(weights, record["weights"], rtol=rtol)
    assert loss == pytest.approx(record["losses"][-1], rel=10 * rtol)


@pytest.mark.parametrize("kind", ["csv", "parquet-nobias-f32"])
def test_numpy_export_of_a_standardised_run_matches_its_weights(standardised_runs, kind, tmp_path):
    record = standardised_runs[kind]
    # Far from standardised (x near 1e3), the same steps in the data's units would diverge.
    assert record["config"]["standardize"] and record["stop_reason"] == "steps"
    script = export_script(record, "numpy")
    means = record["analysis"]["conditioning"]["feature_means"]
    assert f"mean = np.array({means!r})" in script
    assert_reproduces(record, "numpy", sys.executable, tmp_path)


@pytest.mark.parametrize("framework", ["sklearn", "pytorch", "keras"])
@pytest.mark.parametrize("kind", ["csv", "parquet-nobias-f32"])
def test_framework_exports_of_standardised_runs(framework, kind, standardised_runs, tmp_path):
    python = python_with(FRAMEWORK_MODULES[framework])
    record = standardised_runs[kind]
    if framework == "sklearn":
        script = export_script(record, framework)
        assert "make_pipeline(scaler, model)" in script and "pipeline.predict(X)" in script
    assert_reproduces(record, framework, python, tmp_path)


def test_a_standardised_record_without_its_scaling_is_refused(standardised_runs):
    record = standardised_runs["csv"]
    record["analysis"]["conditioning"]["feature_scales"] = [1.0, 0.0]
    with pytest.raises(gdlab.DataError, match="lacks the 2 feature means and scales"):
        export_script(record, "numpy")


def test_scripts_read_the_data_where_the_run_read_it(tmp_path, monkeypatch):
    """A relative path in the record: the script holds the absolute one, and runs anywhere."""
    work = tmp_path / "work"
    work.mkdir()
    rng = np.random.default_rng(2)
    x = rng.normal(size=20)
    write_table(work / "points.csv", {"x": x, "y": 1 + 2 * x})
    monkeypatch.chdir(work)
    code, _, err = run_cli("fit", "points.csv", "--x", "x", "--y", "y", "--lr", "0.01",
                           "--steps", "30", "--out", "r")  # fmt: skip
    assert code == 0, err
    record = json.loads((work / "r" / "run.json").read_text())
    assert record["data"]["source"] == "points.csv"
    assert record["data"]["absolute_source"] == str(work / "points.csv")
    monkeypatch.chdir(tmp_path)  # elsewhere, the relative path names nothing
    code, script, err = run_cli("export", str(work / "r" / "run.json"))
    assert code == 0, err
    assert repr(str(work / "points.csv")) in script
    weights, _ = run_script(script, sys.executable, tmp_path)
    np.testing.assert_allclose(weights, record["weights"], rtol=1e-12)


def test_a_record_whose_data_moved_says_to_pass_data(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=20)
    data = write_table(tmp_path / "points.csv", {"x": x, "y": 1 + 2 * x})
    code, _, err = run_cli("fit", str(data), "--x", "x", "--y", "y", "--lr", "0.01",
                           "--steps", "30", "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0, err
    moved = data.rename(tmp_path / "elsewhere.csv")
    run_json = str(tmp_path / "r" / "run.json")
    code, out, err = run_cli("export", run_json, "--to", "numpy")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert f"{run_json}: the run's data {data} is not there any more" in err
    assert "pass its new place with --data FILE" in err
    code, script, err = run_cli("export", run_json, "--data", str(moved))
    assert code == 0, err
    assert repr(str(moved)) in script
    record = json.loads((tmp_path / "r" / "run.json").read_text())
    weights, _ = run_script(script, sys.executable, tmp_path)
    np.testing.assert_allclose(weights, record["weights"], rtol=1e-12)
    code, _, err = run_cli("export", run_json, "--data", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv: no such file" in err
