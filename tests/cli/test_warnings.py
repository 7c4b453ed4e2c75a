"""No raw Python warning reaches a user of the command line.

numpy's overflow and invalid-value warnings become the one-line errors or the
``gdlab: warning: …`` lines the CLI promises — also when warnings are turned into errors
(``python -W error``), where a stray one would end the command as an internal error.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from gdlab.cli.notices import warnings_as_lines
from tests.conftest import run_cli, write_csv


@pytest.fixture
def points(tmp_path):
    rng = np.random.default_rng(0)
    x, noise = rng.normal(size=20).tolist(), rng.normal(size=20).tolist()
    rows = [f"{a!r},{2 * a + 1 + b!r}" for a, b in zip(x, noise, strict=True)]
    return write_csv(tmp_path / "points.csv", "x,y", rows)


def strict_cli(*args: str) -> tuple[int, str, str]:
    """`run_cli` with every warning turned into an error (as `python -W error` does)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return run_cli(*args)


def assert_only_gdlab_lines(err: str) -> None:
    lines = err.splitlines()
    assert lines, "expected a message on stderr"
    assert all(line.startswith("gdlab: ") for line in lines), err
    assert "Warning:" not in err and "internal error" not in err, err


def test_a_rate_past_float64_diverges_with_one_line_each(tmp_path):
    code, _, err = strict_cli("demo", "--no-plot", "--lr", "1e308", "--out", str(tmp_path))
    assert code == 3, err
    assert_only_gdlab_lines(err)
    warning, error = err.splitlines()
    assert warning.startswith("gdlab: warning: lr=1e+308 is over 1.8e+308× the largest stable")
    assert "inf" not in warning
    assert error.startswith("gdlab: training diverged after 1 step: lr=1e+308")


def test_python_dash_w_error_is_no_internal_error(tmp_path):
    """The issue's report: `-W error::RuntimeWarning` made this an internal error (exit 1)."""
    result = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c",
         "import sys; from gdlab.cli import run; sys.argv = ['gdlab', *sys.argv[1:]]; run()",
         "demo", "--no-plot", "--lr", "1e308", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert_only_gdlab_lines(result.stderr)


@pytest.mark.parametrize(
    "extra",
    [
        ["--lr", "1e308", "--optimizer", "momentum"],
        ["--lr", "1e308", "--optimizer", "adam"],
        ["--lr", "1e10", "--tol", "1e-8"],
        ["--lr", "1e308", "--loss", "huber"],
        ["--lr", "1e200", "--standardize"],
        ["--lr", "1e308", "--l2", "1e300"],
        ["--lr", "1e300", "--dtype", "float32"],
    ],
)
def test_overflowing_runs_diverge_in_gdlab_lines(points, extra):
    code, _, err = strict_cli("fit", str(points), "--x", "x", "--y", "y", *extra)
    assert code == 3, err
    assert_only_gdlab_lines(err)
    assert err.splitlines()[-1].startswith("gdlab: training diverged after"), err


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["--init=1e308,1e308"], "--init"),
        (["--init-std", "1e300"], "--init-std"),
        (["--init=1e150,1e150", "--dtype", "float32"], "--init"),
        (["--init=1e308,1e308", "--loss", "huber"], "--init"),
    ],
)
def test_a_start_whose_loss_overflows_is_blamed_not_the_rate(points, extra, flag):
    """Not "lr=0.001 is above the largest stable learning rate": the start is at fault."""
    code, _, err = strict_cli("fit", str(points), "--x", "x", "--y", "y", "--lr", "1e-3", *extra)
    assert code == 3, err
    assert_only_gdlab_lines(err)
    assert err.count("\n") == 1, err
    assert "the start, not the rate, is the cause" in err and f"a smaller {flag}" in err
    assert "learning rate" not in err


def test_a_learning_rate_warning_in_demo_is_one_line(tmp_path):
    code, _, err = run_cli("demo", "--no-plot", "--lr", "0.007", "--out", str(tmp_path))
    assert code == 3, err
    warning, error = err.splitlines()  # was Python's form: file:line: LearningRateWarning …
    assert warning.startswith("gdlab: warning: lr=0.007 is 1.17× the largest stable")
    assert error.startswith("gdlab: training diverged after 10 steps")


def test_warnings_as_lines_shows_any_warning_on_one_line(capsys):
    with warnings_as_lines():
        warnings.warn("first\nsecond \x1b[2J", RuntimeWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "gdlab: warning: first second \\x1b[2J\n"


def test_runs_with_no_curvature_have_no_bounds_and_no_warnings(tmp_path):
    """Features whose squares underflow to 0: the rate bounds are infinite, not 2/0."""
    rows = [f"{v * 1e-300!r},{v!r}" for v in np.linspace(1, 2, 10).tolist()]
    data = write_csv(tmp_path / "tiny.csv", "x,y", rows)
    code, _, err = strict_cli(
        "fit", str(data), "--x", "x", "--y", "y", "--no-intercept", "--lr", "1e308"
    )
    assert code == 2, err
    assert_only_gdlab_lines(err)
