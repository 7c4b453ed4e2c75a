"""Pictures of the new models: the fitted curve of a polynomial, the L1 path (drawn data
read back from the artists)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdlab.plots.curve import curve_figure
from gdlab.plots.lasso_path import path_figure
from gdlab.training.record import RunRecord
from tests.conftest import run_cli

pytest.importorskip("formulaic")


@pytest.fixture
def cubic_csv(tmp_path):
    """40 points of y = 1 − 2x + 0.8x³ + noise."""
    rng = np.random.default_rng(1)
    x = np.linspace(-2, 3, 40)
    y = 1 - 2 * x + 0.8 * x**3 + rng.normal(size=40)
    path = tmp_path / "cubic.csv"
    path.write_text(
        "x,y\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(x, y, strict=True))
    )
    return path, x, y


def test_degree_fits_the_polynomial_and_the_figure_draws_its_curve(tmp_path, cubic_csv):
    path, x, y = cubic_csv
    out = tmp_path / "out"
    code, text, err = run_cli(
        "fit", str(path), "--x", "x", "--y", "y", "--degree", "3", "--standardize",
        "--steps", "400", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "formula y ~ x + I(x**2) + I(x**3)" in text and f"Wrote {out / 'curve.png'}" in text
    # standardising conditions the raw powers: the line says by how much
    assert "standardised: condition number" in text
    record = RunRecord.load(out / "run.json")
    assert record.weight_names == ("b", "x", "I(x ** 2)", "I(x ** 3)")
    expected = np.polynomial.polynomial.polyfit(x, y, 3)
    np.testing.assert_allclose(record.optimum_weights, expected, rtol=1e-9)
    figure = curve_figure(record)
    ax = figure.axes[0]
    points = ax.collections[0].get_offsets()
    np.testing.assert_allclose(points[:, 0], x)
    np.testing.assert_allclose(points[:, 1], y)
    trained, optimum = ax.lines[0], ax.lines[1]
    grid = trained.get_xdata()
    assert len(grid) == 200 and grid[0] == pytest.approx(-2) and grid[-1] == pytest.approx(3)
    np.testing.assert_allclose(
        optimum.get_ydata(), np.polynomial.polynomial.polyval(grid, expected), rtol=1e-9
    )
    np.testing.assert_allclose(
        trained.get_ydata(), np.polynomial.polynomial.polyval(grid, record.weights), rtol=1e-12
    )
    # a cubic, not a line: the drawn curve bends (second differences far from zero)
    assert np.ptp(np.diff(optimum.get_ydata(), 2)) > 1e-3


def test_the_raw_powers_are_ill_conditioned_and_standardising_helps(cubic_csv):
    from gdlab.data.designed import designed_files
    from gdlab.training.fit import fit

    path, _, _ = cubic_csv
    raw = fit(designed_files(path, "y ~ poly(x, 3)"), steps=5)
    scaled = fit(designed_files(path, "y ~ poly(x, 3)"), steps=5, standardize=True)
    assert raw.weight_names[1:] == ("poly(x, 3)[1]", "poly(x, 3)[2]", "poly(x, 3)[3]")
    assert raw.analysis.condition_number > 5 * scaled.analysis.condition_number


def test_the_path_figure_draws_each_weight_along_the_path(tmp_path, cubic_csv):
    path, _, _ = cubic_csv
    out = tmp_path / "out"
    code, text, err = run_cli(
        "fit", str(path), "--x", "x", "--y", "y", "--degree", "3", "--standardize",
        "--l1", "2", "--steps", "3000", "--path", "--out", str(out), "--plot", "path",
    )  # fmt: skip
    assert code == 0, err
    assert "L1 path: 40 values of λ₁" in text and (out / "path.png").exists()
    record = json.loads((out / "run.json").read_text())
    drawn = record["regularization_path"]
    figure = path_figure(RunRecord.load(out / "run.json"))
    ax = figure.axes[0]
    lines = [line for line in ax.lines if line.get_label() in ("x", "I(x ** 2)", "I(x ** 3)")]
    assert [line.get_label() for line in lines] == ["x", "I(x ** 2)", "I(x ** 3)"]
    weights = np.asarray(drawn["weights"])
    for column, line in enumerate(lines, start=1):
        np.testing.assert_allclose(line.get_xdata(), drawn["l1"])
        np.testing.assert_allclose(line.get_ydata(), weights[:, column])
    assert np.all(weights[0, 1:] == 0) and np.all(weights[-1, 1:] != 0)
    marker = [line for line in ax.lines if line.get_label().startswith("this run")]
    assert marker and marker[0].get_xdata()[0] == 2.0
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()


def test_plot_path_of_a_run_without_one_is_a_one_line_error(tmp_path, cubic_csv):
    path, _, _ = cubic_csv
    out = tmp_path / "out"
    assert run_cli("fit", str(path), "--x", "x", "--y", "y", "--out", str(out))[0] == 0
    code, _, err = run_cli("plot", str(out / "run.json"), "--kind", "path")
    assert code == 2 and "no regularisation path: fit it with --path" in err
