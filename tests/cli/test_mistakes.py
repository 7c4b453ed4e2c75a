"""Every ordinary mistake the hostile probe found is a one-line error with exit 2, on every
engine; values that would overflow the statistics are refused as in memory."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli, write_table

ENGINES = ["stats", "stream", "dask", "dense"]


@pytest.fixture
def data(tmp_path):
    x = np.arange(12.0)
    return write_table(tmp_path / "d.csv", {"x": x, "y": 2 * x + 1 + np.sin(x)})


def assert_one_line_usage_error(code, err, fragment):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("gdlab"), err
    assert "internal error" not in err and fragment in err, err


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--schedule", "step:1e400:0.5"], "--schedule 'step:1e400:0.5': EVERY must be"),
        (["--schedule", "step:inf:0.5"], "EVERY must be a whole number"),
        (["--optimizer-option", "lr=1"], "optimizer 'gd' has no option lr"),
        (["--optimizer", "adam", "--optimizer-option", "lr=1"], "has no option lr"),
    ],
)
def test_bad_training_options(data, flags, fragment):
    assert_one_line_usage_error(
        *run_cli("fit", str(data), "--x", "x", "--y", "y", *flags)[::2], fragment
    )


@pytest.mark.parametrize("dpi", ["-1", "0", "1", "100000"])
def test_plot_dpi_out_of_range(data, tmp_path, dpi):
    assert run_cli("fit", str(data), "--x", "x", "--y", "y", "--out", str(tmp_path / "r"))[0] == 0
    code, _, err = run_cli("plot", str(tmp_path / "r" / "run.json"), "--dpi", dpi)
    assert_one_line_usage_error(code, err, "--dpi")


@pytest.mark.parametrize("engine", ENGINES)
def test_values_that_overflow_the_statistics_are_refused_on_every_engine(tmp_path, engine):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n2,4\n3,1e155\n")
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--engine", engine)
    assert_one_line_usage_error(code, err, "is too large: its square would overflow")


@pytest.mark.parametrize("engine", ["stats", "stream", "dask"])
def test_float32_data_beyond_its_range_is_refused_not_called_divergent(tmp_path, engine):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1e37,2\n2e37,4\n3e37,5\n")
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--engine", engine,
                           "--dtype", "float32")  # fmt: skip
    assert code == 2 and "too large for float32" in err and "diverged" not in err, err


@pytest.mark.parametrize("engine", ["stats", "stream", "dask", "dense"])
def test_standardize_with_a_constant_column_is_refused_on_every_engine(tmp_path, engine):
    path = tmp_path / "d.csv"
    path.write_text("x,c,y\n1,0.1,2\n2,0.1,4\n3,0.1,5\n4,0.1,9\n")
    code, _, err = run_cli("fit", str(path), "--x", "x,c", "--y", "y", "--engine", engine,
                           "--standardize")  # fmt: skip
    lines = err.splitlines()
    assert code == 2 and "--standardize: column 'c' is constant" in lines[-1], err


@pytest.mark.parametrize("engine", ["auto", "stream"])
def test_gzipped_csv_on_the_default_and_stream_engines(tmp_path, engine):
    (tmp_path / "d.csv.gz").write_bytes(gzip.compress(b"x,y\n1,2\n2,4\n3,7\n"))
    code, out, err = run_cli("fit", str(tmp_path / "d.csv.gz"), "--x", "x", "--y", "y",
                             "--engine", engine, "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["data"]["n_rows"] == 3, err


@pytest.mark.parametrize("engine", ["stream", "dask"])
def test_duplicate_parquet_names_on_the_streaming_engines(tmp_path, engine):
    table = pa.Table.from_arrays([pa.array([1.0, 2.0, 3.0])] * 3, names=["x", "y", "y"])
    pq.write_table(table, tmp_path / "d.parquet")
    code, _, err = run_cli("fit", str(tmp_path / "d.parquet"), "--x", "x", "--y", "y",
                           "--engine", engine)  # fmt: skip
    assert_one_line_usage_error(code, err, "'y' (2 times) more than once")


def test_a_model_with_an_intercept_and_no_features(data, tmp_path):
    model = tmp_path / "m.json"
    assert run_cli("fit", str(data), "--x", "x", "--y", "y", "--save", str(model))[0] == 0
    record = json.loads(model.read_text())
    record.update(features=[], weight_names=["b"], weights=[1.0])
    model.write_text(json.dumps(record))
    code, _, err = run_cli("predict", str(model), str(data))
    assert_one_line_usage_error(code, err, "'features' is empty")


def test_saving_to_a_full_device(data):
    code, _, err = run_cli("fit", str(data), "--x", "x", "--y", "y", "--save", "/dev/full")
    assert_one_line_usage_error(code, err, "/dev/full: cannot write here (No space left")
