"""Convergence stated truly: the record's `convergence`, the CLI's one line for a run that
ended short, and the one change it names — which, applied, gets there as predicted."""

from __future__ import annotations

import json
import re

import pytest

import gdlab
from gdlab.training.advice import unconverged_line
from tests.conftest import run_cli
from tests.realdata import real_dataset, write_csv


def python_words(name, value):
    return f"{name}={value!r}"


def test_the_record_says_whether_the_run_converged():
    run = gdlab.fit(gdlab.seed_dataset(0), steps=60)
    record = json.loads(run.to_json())["convergence"]
    gap = (run.final_loss - run.analysis.optimum_loss) / run.analysis.optimum_loss
    assert record["relative_gap"] == pytest.approx(gap)
    assert record["converged"] is (gap <= 1e-6) is True
    assert record["steps_to_converge"] == 32 and record["suggestion"] is None
    short = gdlab.fit(gdlab.seed_dataset(0), steps=5)
    assert short.convergence.converged is False and short.convergence.relative_gap > 1e-6
    tol = gdlab.fit(gdlab.seed_dataset(0), lr=1e-4, steps=1000, tol=50.0)
    assert tol.stop_reason == "tol" and tol.convergence.converged  # the tolerance was met


def test_an_exact_fit_measures_the_gap_against_the_start():
    x = gdlab.seed_dataset(0).features[:, 0]
    exact = gdlab.from_arrays(x, 3.0 - 2.0 * x)
    run = gdlab.fit(exact, standardize=True, steps=20)
    assert run.analysis.optimum_loss < 1e-20
    assert run.convergence.converged and run.convergence.relative_gap <= 1e-6


@pytest.mark.parametrize(
    ("name", "options", "change"),
    [
        ("seed", {"lr": 0.002}, {"lr": "auto"}),  # a slow rate: auto gets there in time
        ("stackloss", {"standardize": True, "steps": 20}, {"steps": 42}),  # more steps
        ("seed", {"optimizer": "adam", "steps": 50}, {"optimizer": "gd"}),
        ("seed", {"optimizer": "adam", "lr": 0.01}, {"optimizer": "gd", "lr": "auto"}),
        ("ccard", {"steps": 50}, {"standardize": True, "steps": 250}),
    ],
)
def test_the_suggested_change_gets_there_as_predicted(name, options, change):
    data = gdlab.seed_dataset(0) if name == "seed" else real_dataset(name)
    run = gdlab.fit(data, **options)
    suggestion = run.convergence.suggestion
    assert suggestion is not None and suggestion.options == change
    retried = gdlab.fit(data, **{**options, **change})
    assert retried.convergence.converged
    assert retried.convergence.steps_to_converge == suggestion.steps
    assert suggestion.steps <= retried.config.steps


def test_standardising_is_suggested_when_it_is_the_change_that_gets_there():
    data = real_dataset("stackloss")
    run = gdlab.fit(data, steps=100)
    assert not run.convergence.converged
    assert run.convergence.suggestion.options == {"standardize": True}
    retried = gdlab.fit(data, steps=100, standardize=True)
    assert retried.convergence.converged
    assert retried.convergence.steps_to_converge == run.convergence.suggestion.steps <= 100


def test_the_line_says_how_far_and_what_to_change():
    run = gdlab.demo(0)
    line = unconverged_line(run, python_words)
    gap = run.convergence.relative_gap
    assert line.startswith("not converged after 50 steps: ")
    assert f"{gap:.3g} above the optimum's" in line
    assert line.endswith("lr='auto' would get there in 32 steps (predicted)")
    assert unconverged_line(gdlab.fit(gdlab.seed_dataset(0)), python_words) is None


def test_the_cli_prints_one_line_only_for_a_run_that_ended_short(tmp_path):
    path = tmp_path / "stack.csv"
    x = write_csv(real_dataset("stackloss"), path)
    code, out, err = run_cli("fit", str(path), "--x", x, "--y", "STACKLOSS")
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith("not converged")]
    assert len(lines) == 1
    steps = gdlab.fit(real_dataset("stackloss")).convergence.suggestion.steps
    assert lines[0].endswith(f"--standardize would get there in {steps} steps (predicted)")
    code, out, err = run_cli("fit", str(path), "--x", x, "--y", "STACKLOSS", "--standardize")
    assert code == 0, err
    assert "not converged" not in out


def test_demo_names_only_its_own_options(tmp_path):
    code, out, err = run_cli("demo", "--steps", "10", "--out", str(tmp_path), "--no-plot")
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.startswith("not converged"))
    assert "--standardize" not in line  # the best change, but demo has no such flag
    assert line.endswith("--lr auto --steps 32 would get there (predicted)")


def test_summary_shows_the_optimum_and_gd_beside_it_when_gd_stopped_short(tmp_path):
    path = tmp_path / "seed.csv"
    write_csv(gdlab.seed_dataset(0), path)
    code, out, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--steps", "3", "--summary")
    assert code == 0, err
    table = out[out.index("Least-squares optimum") :]
    assert "gradient descent stopped short of it after 3 steps" in " ".join(table.split())
    run = gdlab.fit(gdlab.read_table(path, ["x"], "y"), steps=3)
    row = next(line for line in table.splitlines() if line.startswith("x "))
    optimum, descent = (float(word) for word in row.split()[1:3])
    assert optimum == pytest.approx(run.analysis.optimum_weights[1], rel=1e-4)
    assert descent == pytest.approx(run.weights[1], rel=1e-4)
    assert abs(optimum - descent) > 1e-3  # the two differ: both are shown
    code, out, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--summary")
    assert code == 0, err
    assert "which gradient descent reached" in " ".join(out.split())
    header = next(line for line in out.splitlines() if "std err" in line)
    assert "GD" not in header.split()


def test_every_number_in_the_line_is_the_runs_own():
    for options in ({"lr": 1e-5, "steps": 7}, {"optimizer": "momentum", "steps": 9}):
        run = gdlab.fit(real_dataset("ccard"), **options)
        line = unconverged_line(run, python_words)
        steps, gap = re.match(r"not converged after (\d+) steps: the loss is (\S+)", line).groups()
        assert int(steps) == len(run.losses)
        assert float(gap) == pytest.approx(run.convergence.relative_gap, rel=1e-2)
        shown = re.search(r"in (\d+) steps \(predicted\)|steps=(\d+)", line).groups()
        assert int(next(v for v in shown if v)) == run.convergence.suggestion.steps


def test_a_standardised_summary_never_prints_none_for_its_steps():
    from gdlab.cli.render import summary_lines

    run = gdlab.fit(real_dataset("longley"), standardize=True)
    line = next(line for line in summary_lines(run, "t") if "standardised:" in line)
    after = run.analysis.conditioning.steps_after
    assert "None" not in line
    assert f"never (a direction is flat to rounding) → {after:,}" in line
    raw = gdlab.fit(real_dataset("longley"), steps=1).analysis  # why never: in float64 …
    assert 1 - raw.lr_optimal * raw.hessian_eigenvalues[0] == 1.0  # … it keeps all of it
