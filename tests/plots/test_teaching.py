"""The teaching views: the sweep, the eigendirections and the momentum map, read back."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.analysis.modes import mode_path
from gdlab.analysis.quadratic import heavy_ball_parameters
from gdlab.plots import plot_run
from gdlab.plots.eigen import eigen_figure
from gdlab.plots.momentum_map import momentum_map_figure
from gdlab.plots.sweep import sweep_figure
from gdlab.training.sweep import sweep
from tests.conftest import run_cli


def test_the_eigen_figure_draws_each_modes_error_and_its_prediction():
    run = gdlab.demo(0, steps=80)
    figure = eigen_figure(run)
    (ax,) = figure.axes
    measured = np.abs(mode_path(run.analysis, run.path))
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(solid) == len(dashed) == 2
    floor = 1e-17 * measured[0].max()
    for mode, line in enumerate(solid):
        np.testing.assert_allclose(line.get_ydata(), np.maximum(measured[:, mode], floor))
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    factor = abs(1 - 0.002 * run.analysis.hessian_eigenvalues[0])
    assert labels[0] == f"λ1 = {run.analysis.hessian_eigenvalues[0]:.3g}, ×{factor:.3g} per step"


def test_the_momentum_map_marks_the_optimum_and_the_runs_setting():
    run = gdlab.fit(
        gdlab.seed_dataset(0), optimizer="momentum", optimizer_options={"momentum": 0.5},
        lr=0.003, steps=30,
    )  # fmt: skip
    (ax, _bar) = momentum_map_figure(run, grid=41).axes
    eta, beta = heavy_ball_parameters(run.analysis.hessian_eigenvalues)
    points = {line.get_label().split(":")[0].split(" (")[0]: line for line in ax.lines}
    best = next(line for label, line in points.items() if label.startswith("best"))
    assert best.get_xdata()[0] == pytest.approx(eta) and best.get_ydata()[0] == pytest.approx(beta)
    this = next(line for label, line in points.items() if label.startswith("this run"))
    assert (this.get_xdata()[0], this.get_ydata()[0]) == (0.003, 0.5)


def test_the_sweep_figure_marks_the_bound_the_best_rate_and_the_finders():
    problem = gdlab.demo(0).problem
    result = sweep(problem, gdlab.TrainingConfig(steps=30))
    (ax,) = sweep_figure(result).axes
    marks = {line.get_label().split(":")[0]: line.get_xdata()[0] for line in ax.lines}
    assert marks["stable bound"] == result.lr_max_stable
    assert marks["best constant rate"] == result.lr_best
    assert marks["finder"] in (result.steepest_lr, result.min_over_ten_lr)
    measured = next(line for line in ax.lines if line.get_label() == "measured")
    np.testing.assert_allclose(measured.get_xdata(), result.lrs)


@pytest.mark.parametrize("kind", ["lr-sweep", "eigen", "momentum-map"])
def test_gdlab_plot_draws_each_teaching_view_from_a_record(tmp_path, kind):
    code, _, err = run_cli("demo", "--out", str(tmp_path / "d"), "--no-plot", "--steps", "30")
    assert code == 0, err
    target = tmp_path / f"{kind}.png"
    code, _, err = run_cli(
        "plot", str(tmp_path / "d" / "run.json"), "--kind", kind, "--out", str(target)
    )
    assert code == 0, err
    assert target.read_bytes()[:4] == b"\x89PNG"
    assert plot_run(gdlab.demo(0, steps=30), kind, tmp_path / f"again-{kind}.svg").exists()
