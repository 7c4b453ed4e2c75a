"""The command line: exit codes and one-line messages for every bad input (docs/design.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import python_output, run_cli, write_csv


@pytest.fixture
def good_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = np.linspace(-2, 4, 30) + rng.normal(size=30)
    y = 2 * x - 1 + rng.normal(size=30)
    rows = [f"{a},{b},{a * 0.5}" for a, b in zip(x, y, strict=True)]
    return write_csv(tmp_path / "data.csv", "x,y,z", rows)


def fit_args(path, *extra):
    return ("fit", str(path), "--x", "x", "--y", "y", *extra)


def assert_one_line_error(code, out, err, expected_code, *fragments):
    assert code == expected_code, (code, out, err)
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def test_demo_writes_figure_and_record_and_prints_the_optimum(tmp_path):
    code, out, err = run_cli("demo", "--out", str(tmp_path / "d"))
    assert code == 0, err
    assert (tmp_path / "d" / "figure.png").read_bytes()[:4] == b"\x89PNG"
    record = json.loads((tmp_path / "d" / "run.json").read_text())
    assert record["data"]["source"] == "seed" and len(record["losses"]) == 50
    for word in ("b (offset)", "a (slope", "optimum", f"{record['losses'][-1]:.6g}"):
        assert word in out


def test_demo_no_plot_and_options(tmp_path):
    code, _, err = run_cli(
        "demo", "--out", str(tmp_path), "--steps", "7", "--lr", "0.001", "--no-plot"
    )
    assert code == 0, err
    assert not (tmp_path / "figure.png").exists()
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["config"]["lr"] == 0.001 and len(record["losses"]) == 7


def test_fit_json_prints_only_the_record(good_csv):
    code, out, err = run_cli(*fit_args(good_csv, "--json"))
    assert code == 0, err
    record = json.loads(out)
    assert record["data"]["features"] == ["x"] and record["data"]["n_rows"] == 30


def test_fit_several_features_and_parquet(tmp_path):
    rng = np.random.default_rng(1)
    table = pa.table({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    table = table.append_column(
        "t", pa.array(1 + 2 * table["a"].to_numpy() - table["b"].to_numpy())
    )
    pq.write_table(table, tmp_path / "d.parquet")
    code, out, err = run_cli(
        "fit",
        str(tmp_path / "d.parquet"),
        "--x",
        "a,b",
        "--y",
        "t",
        "--lr",
        "0.01",
        "--steps",
        "500",
        "--json",
    )
    assert code == 0, err
    np.testing.assert_allclose(json.loads(out)["weights"], [1, 2, -1], atol=1e-6)


def test_fit_out_writes_record_atomically(good_csv, tmp_path):
    code, _, err = run_cli(*fit_args(good_csv, "--out", str(tmp_path / "o")))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["figure.png", "run.json"]


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        (lambda d: d / "nope.csv", ["nope.csv", "no such file"]),
        (lambda d: d, ["is a directory"]),
        (lambda d: write_csv(d / "e.csv", "", []).write_text("") or d / "e.csv", ["empty"]),
        (lambda d: write_csv(d / "h.csv", "x,y", []), ["no data rows"]),
        (
            lambda d: write_csv(d / "c.csv", "x,w", ["1,2", "2,3"]),
            ["no column 'y'", "available columns: x, w"],
        ),
        (
            lambda d: write_csv(d / "n.csv", "x,y", ["1,2", "2,abc", "3,4"]),
            ["non-numeric value 'abc'", "column 'y'", "data row 2"],
        ),
        (
            lambda d: write_csv(d / "m.csv", "x,y", ["1,2", ",3", "3,4"]),
            ["missing value", "column 'x'", "data row 2"],
        ),
        (
            lambda d: write_csv(d / "f.csv", "x,y", ["1,2", "2,inf", "3,4"]),
            ["column 'y'", "data row 2"],
        ),
        (
            lambda d: write_csv(d / "nan.csv", "x,y", ["1,2", "2,3", "nan,4"]),
            ["column 'x'", "data row 3"],
        ),
        (lambda d: write_csv(d / "one.csv", "x,y", ["1,2"]), ["at least 2 rows"]),
    ],
    ids=[
        "missing",
        "directory",
        "empty",
        "header-only",
        "unknown-column",
        "non-numeric",
        "missing-value",
        "inf",
        "nan",
        "one-row",
    ],
)
def test_bad_data_exits_2_with_one_line(tmp_path, make, fragments):
    path = make(tmp_path)
    assert_one_line_error(*run_cli(*fit_args(path)), 2, *fragments)


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["--lr", "0"], ["learning rate", "> 0"]),
        (["--lr", "-1"], ["learning rate"]),
        (["--lr", "abc"], ["--lr", "'abc' is not a valid"]),
        (["--lr", "nan"], ["learning rate"]),
        (["--steps", "0"], ["steps", "≥ 1"]),
        (["--init=1,2,3"], ["--init needs 2 values", "got 3"]),
        (["--init=1,x"], ["--init", "'x' is not a number"]),
        (["--loss", "l3"], ["unknown loss 'l3'"]),
        (["--optimizer", "sgdx"], ["unknown optimizer 'sgdx'"]),
        (["--dtype", "int8"], ["unknown dtype"]),
        (["--bogus"], ["No such option"]),
    ],
)
def test_bad_options_exit_2_with_one_line(good_csv, extra, fragments):
    assert_one_line_error(*run_cli(*fit_args(good_csv, *extra)), 2, *fragments)


def test_missing_required_option_is_usage_error(good_csv):
    assert_one_line_error(*run_cli("fit", str(good_csv), "--x", "x"), 2, "--y")


def test_divergence_exits_3_naming_the_stable_rate(good_csv, tmp_path):
    code, out, err = run_cli(*fit_args(good_csv, "--lr", "1", "--out", str(tmp_path / "o")))
    warning, error = err.splitlines(keepends=True)
    assert warning.startswith("gdlab: warning: lr=1 is") and "will diverge" in warning
    assert_one_line_error(code, out, error, 3, "diverged", "lr=1", "largest stable learning rate")
    record = json.loads((tmp_path / "o" / "run.json").read_text())  # the run keeps what it has
    assert record["stop_reason"] == "diverged" and record["convergence"]["converged"] is False
    assert {p.name for p in (tmp_path / "o").iterdir()} == {
        "run.json",
        "figure.png",
        "landscape.png",
    }


def test_console_script_help_is_fast_and_has_no_traceback():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from gdlab.cli import run; sys.argv=['gdlab','--help']; run()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "demo" in result.stdout and "fit" in result.stdout
    modules = subprocess.run(
        [sys.executable, "-c", "import sys, gdlab.cli; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for heavy in ("'numpy'", "'matplotlib'", "'pyarrow'", "'numba'"):
        assert heavy not in modules, f"{heavy} imported by the CLI at start-up"


def test_every_command_has_help_text():
    import typer

    from gdlab.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help and len(command.help.strip()) > 20, f"{name} lacks help"
        assert "Example:" in command.help, f"{name} help has no example"


def test_fit_with_every_training_flag(good_csv, tmp_path):
    trace = tmp_path / "trace.parquet"
    code, out, err = run_cli(
        *fit_args(good_csv, "--optimizer", "momentum", "--momentum", "0.5"),
        *("--schedule", "exp:0.999", "--l2", "0.1", "--tol", "1e-8", "--steps", "5000"),
        *("--standardize", "--trace", str(trace), "--summary"),
    )
    assert code == 0, err
    assert "stopped early" in out and "P>|t|" in out and f"Wrote {trace}" in out
    assert pq.read_table(trace).column_names[:3] == ["step", "loss", "w_b"]


def test_fit_json_records_the_new_settings(good_csv):
    code, out, err = run_cli(*fit_args(good_csv, "--tol", "1e-3", "--steps", "900", "--json"))
    assert code == 0, err
    record = json.loads(out)
    assert record["stop_reason"] == "tol"
    assert record["config"]["tol"] == 1e-3 and record["config"]["schedule"] is None
    assert record["analysis"]["regression"]["df_residual"] == 28


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["--schedule", "step:0:0.5"], ["--schedule 'step:0:0.5'", "EVERY"]),
        (["--schedule", "linear"], ["--schedule 'linear'", "cosine"]),
        (["--optimizer-option", "b1"], ["KEY=VALUE"]),
        (["--momentum", "0.5"], ["'gd' has no option momentum"]),
        (["--tol-kind", "size", "--tol", "1"], ["tolerance kind"]),
        (["--trace", "t.txt"], [".csv or .parquet"]),
    ],
)
def test_bad_training_flags_exit_2(good_csv, extra, fragments):
    assert_one_line_error(*run_cli(*fit_args(good_csv, *extra)), 2, *fragments)


def test_fit_without_pictures_never_imports_matplotlib(tmp_path):
    """matplotlib costs ~0.6 s to import: a fit that draws nothing must not pay it."""
    data = write_csv(tmp_path / "d.csv", "x,y", ["1,2", "2,4.1", "3,5.9", "4,8.2"])
    code = (
        "import sys, io, contextlib\n"
        "from gdlab.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['fit', {str(data)!r}, '--x', 'x', '--y', 'y', '--json'])\n"
        "print('matplotlib' in sys.modules)"
    )
    assert python_output(code) == "False"


def test_a_column_named_b_keeps_its_name_and_the_bias_takes_another(tmp_path):
    """The seed calls the bias b; a table's own column b must not share that name."""
    path = tmp_path / "points.csv"
    path.write_text("b,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n")
    model = tmp_path / "model.json"
    code, out, _ = run_cli("fit", str(path), "--x", "b", "--y", "y", "--json", "--save", str(model))
    assert code == 0
    record = json.loads(out)
    assert record["weight_names"] == ["bias", "b"]
    assert json.loads(model.read_text())["weight_names"] == ["bias", "b"]
    code, out, _ = run_cli("predict", str(model), str(path))
    assert code == 0 and out.splitlines()[0] == "b,predicted_y"
    code, out, _ = run_cli("fit", str(path), "--x", "b", "--y", "y")
    assert code == 0 and "bias (offset)" in out and "b (offset)" not in out
