"""A diverged run keeps what it has: its record, its pictures and the summary; exit 3 stays,
and the message says what caused it."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import gdlab
from gdlab.plots import landscape_figure
from tests.conftest import run_cli
from tests.realdata import write_csv


@pytest.fixture
def seed_csv(tmp_path):
    path = tmp_path / "seed.csv"
    write_csv(gdlab.seed_dataset(0), path)
    return path


def fit_seed(path, *extra):
    return run_cli("fit", str(path), "--x", "x", "--y", "y", *extra)


def test_a_learners_demo_past_the_bound_leaves_a_picture_of_what_went_wrong(tmp_path):
    out = tmp_path / "d"
    code, stdout, err = run_cli("demo", "--lr", "0.0065", "--out", str(out))
    assert code == 3
    warning, error = err.splitlines()
    assert warning.startswith("gdlab: warning: lr=0.0065 is 1.08× the largest stable")
    assert error.startswith("gdlab: training diverged after 10 steps: lr=0.0065 is above")
    assert {p.name for p in out.iterdir()} == {"figure.png", "run.json", "landscape.png"}
    assert "b (offset)" in stdout and "Wrote" in stdout
    record = gdlab.RunRecord.load(out / "run.json")
    assert record.stop_reason == "diverged" and record.steps_run == 10
    figure = landscape_figure(record)
    ax = figure.axes[0]
    assert figure.texts[0].get_text().endswith("— diverged")  # the suptitle
    assert "> 2: each overshoot grows (divergence)" in ax.get_title()
    path = next(line for line in ax.get_lines() if line.get_label() == "path of gd")
    xs, ys = (np.asarray(values, dtype=float) for values in path.get_data())
    assert len(xs) == 11  # the start and every step, none left out …
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert np.all((x0 <= xs) & (xs <= x1) & (y0 <= ys) & (ys <= y1))  # … all in view
    optimum = record.optimum_weights
    distance = np.hypot(xs - optimum[0], ys - optimum[1])
    assert np.all(np.diff(distance[-5:]) > 0)  # the zig-zag grows, step after step


def test_fit_writes_the_record_pictures_and_summary_before_exit_3(seed_csv, tmp_path):
    out = tmp_path / "o"
    code, stdout, err = fit_seed(seed_csv, "--lr", "0.0065", "--out", str(out), "--summary")
    assert code == 3
    assert err.splitlines()[-1].startswith("gdlab: training diverged after 10 steps")
    assert "Least-squares optimum (closed form)" in stdout  # --summary does not need GD
    assert "R-squared: 0.776045" in stdout
    record = json.loads((out / "run.json").read_text())
    assert record["stop_reason"] == "diverged" and len(record["losses"]) == 10
    assert (out / "landscape.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("cause", [["--lr", "1"], ["--init-std", "1e308"]])
def test_every_picture_draws_a_diverged_run(seed_csv, tmp_path, cause):
    out = tmp_path / "o"
    kinds = "seed,landscape,compare,diagnostics,animation"
    code, _, err = fit_seed(seed_csv, *cause, "--out", str(out), "--plot", kinds)
    assert code == 3, err
    for name in ("seed.png", "landscape.png", "compare.png", "diagnostics.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
    assert (out / "animation.gif").read_bytes()[:3] == b"GIF"


def test_json_prints_the_diverged_record_and_exits_3(seed_csv):
    code, stdout, err = fit_seed(seed_csv, "--lr", "1", "--json")
    assert code == 3
    assert json.loads(stdout)["stop_reason"] == "diverged"
    assert err.splitlines()[-1].startswith("gdlab: training diverged")


def test_a_start_beyond_float64_is_blamed_not_the_rate(seed_csv, tmp_path):
    out = tmp_path / "o"
    code, _, err = fit_seed(seed_csv, "--init-std", "1e308", "--out", str(out))
    assert code == 3
    assert err.count("\n") == 1, err  # no overflow warnings, one line
    assert "diverged after 1 step:" in err
    assert "the start, not the rate, is the cause" in err and "--init-std" in err
    assert "is above the largest stable" not in err
    figure = landscape_figure(gdlab.RunRecord.load(out / "run.json"))  # the valley, drawn
    assert (
        "the start lies far outside this picture (its loss overflows float64)"
        in figure.axes[0].get_title()
    )
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert "after 1 step" in labels


def test_adam_is_not_told_plain_gds_bound():
    run = gdlab.fit(gdlab.seed_dataset(0), optimizer="adam", lr=100.0, steps=20)
    message = gdlab.training.fit.divergence_message(replace(run, stop_reason="diverged"))
    assert "2/λ_max" not in message and "largest stable" not in message
    distance = np.max(np.abs(run.init - run.analysis.optimum_weights))
    assert "adam moves each weight by about lr=100 a step" in message
    assert f"D∞ = {distance:.4g}" in message


def test_mini_batches_below_the_full_batch_bound_are_told_about_batches():
    data = gdlab.seed_dataset(0)
    bound = gdlab.fit(data, steps=1).analysis.lr_max_stable
    run = gdlab.fit(data, lr=0.9 * bound, batch_size=1, steps=20, raise_on_divergence=False)
    message = gdlab.training.fit.divergence_message(replace(run, stop_reason="diverged"))
    assert "below the full-batch bound" in message and "batches of 1 rows" in message


def test_in_a_fresh_process_stderr_holds_only_the_one_line(seed_csv, tmp_path):
    """No raw RuntimeWarning from the overflowing start reaches the terminal."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "gdlab", "fit", str(seed_csv), "--x", "x", "--y", "y"]
    command += ["--init-std", "1e308", "--out", str(tmp_path / "o")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "the start, not the rate" in result.stderr
