"""Diagnostics of a several-feature fit, read back from the drawn artists."""

from __future__ import annotations

import json

import numpy as np
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_rgba

import gdlab
from gdlab.plots import diagnostics_figure, draw_weight_trajectories
from gdlab.plots.diagnostics import SCATTER_MAX_ROWS, loss_gap, point_alpha
from tests.conftest import run_cli, write_table
from tests.plots.checks import assert_readable


def trajectories_of(ax, names):
    return [line for line in ax.lines if line.get_label() in names]


def test_diagnostics_draw_predictions_residuals_weights_and_the_loss_gap():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 3)) * [1.0, 3.0, 0.5]
    y = 0.5 + X @ [1.0, -2.0, 4.0] + rng.normal(0, 0.3, 40)
    data = gdlab.from_arrays(X, y, ["area", "rooms", "age"], "price")
    run = gdlab.fit(data, lr=0.005, steps=80)
    A = gdlab.design_matrix(X)
    fitted = A @ run.weights

    figure = diagnostics_figure(run, data)
    ax_pred, ax_resid, ax_weights, ax_loss = figure.axes
    np.testing.assert_allclose(ax_pred.collections[0].get_offsets(), np.column_stack([y, fitted]))
    assert ax_pred.get_xlabel() == "actual price" and ax_pred.get_ylabel() == "predicted price"
    # Residuals as statsmodels and scikit-learn sign them: e = y − ŷ.
    np.testing.assert_allclose(
        ax_resid.collections[0].get_offsets(), np.column_stack([fitted, y - fitted])
    )
    assert ax_resid.collections[0].get_label() == "residual e = y − ŷ"
    assert ax_resid.get_ylabel().startswith("residual y − ŷ")
    assert ax_resid.lines[0].get_ydata()[0] == 0

    trajectories = trajectories_of(ax_weights, run.weight_names)
    assert [line.get_label() for line in trajectories] == ["b", "area", "rooms", "age"]
    optimum = run.analysis.optimum_weights
    for index, line in enumerate(trajectories):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(81))
        np.testing.assert_array_equal(line.get_ydata(), run.path[:, index])
        dashed = next(
            other
            for other in ax_weights.lines
            if other.get_linestyle() == "--" and other.get_ydata()[0] == optimum[index]
        )
        assert to_rgba(dashed.get_color()) == to_rgba(line.get_color())

    (curve,) = ax_loss.lines
    gaps = np.array([run.initial_loss, *run.losses]) - run.analysis.optimum_loss
    np.testing.assert_allclose(curve.get_ydata(), gaps, rtol=1e-12)
    assert ax_loss.get_yscale() == "log" and "L − L*" in ax_loss.get_ylabel()
    assert f"L(w*) = {run.analysis.optimum_loss:.6g}" in curve.get_label()
    assert_readable(figure)


@pytest.fixture(scope="module")
def diabetes_run():
    """scikit-learn's diabetes data in its own units: 10 features, 442 rows."""
    datasets = pytest.importorskip("sklearn.datasets")
    frame = datasets.load_diabetes(scaled=False, as_frame=True).frame
    names = [name for name in frame.columns if name != "target"]
    data = gdlab.from_arrays(frame[names], frame["target"], names, "target")
    return gdlab.fit(data, lr=0.001, steps=300, standardize=True), data


def test_eleven_weights_get_eleven_colours_and_their_names(diabetes_run):
    run, data = diabetes_run
    figure = diagnostics_figure(run, data, units="data")
    ax_weights = figure.axes[2]
    lines = trajectories_of(ax_weights, run.weight_names)
    assert [line.get_label() for line in lines] == list(run.weight_names)
    assert len(lines) == 11
    assert len({to_rgba(line.get_color()) for line in lines}) == 11
    legend = ax_weights.get_legend()
    assert [text.get_text() for text in legend.get_texts()][:11] == list(run.weight_names)
    assert_readable(figure)


def test_weights_in_standardised_units_are_those_of_standardised_features(diabetes_run):
    run, data = diabetes_run
    X = data.features
    means, scales = X.mean(axis=0), X.std(axis=0)
    artists = draw_weight_trajectories(run, data=data, units="standardized")
    assert artists.units == "standardized"
    assert [line.get_label() for line in artists.lines] == [f"{n}′" for n in run.weight_names]
    b, a = run.path[:, 0], run.path[:, 1:]
    np.testing.assert_allclose(artists.lines[0].get_ydata(), b + a @ means, rtol=1e-10)
    for j in range(10):
        np.testing.assert_allclose(artists.lines[j + 1].get_ydata(), a[:, j] * scales[j])
    # The start of a --standardize run in those units is its draw from N(0, 0.1²).
    assert np.all(np.abs([line.get_ydata()[0] for line in artists.lines]) < 0.5)
    # auto: standardised for a --standardize run, the data's units otherwise.
    assert draw_weight_trajectories(run, data=data).units == "standardized"
    plain = gdlab.fit(data, lr=1e-8, steps=3)
    assert draw_weight_trajectories(plain, data=data).units == "data"
    with pytest.raises(gdlab.ConfigError, match="unknown weight units 'si'"):
        draw_weight_trajectories(run, data=data, units="si")


def test_the_loss_panel_is_the_gap_to_the_trained_loss_s_own_floor():
    """Huber: the floor is Huber's optimum, not least squares' (which Huber goes below)."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=60)
    y = 1 + 2 * x + rng.standard_t(2, size=60)
    data = gdlab.from_arrays(x, y)
    run = gdlab.fit(data, lr=0.01, steps=200, loss="huber")
    figure = diagnostics_figure(run, data)
    (curve,) = figure.axes[3].lines
    expected = loss_gap([run.initial_loss, *run.losses], run.analysis.optimum_loss)
    np.testing.assert_allclose(curve.get_ydata(), expected)
    assert np.all(curve.get_ydata() > 0)
    assert loss_gap([2.0, 1.0 - 1e-13, np.inf], 1.0).tolist()[:2] == [1.0, 1e-15]
    assert np.isnan(loss_gap([np.nan], 1.0)[0])


def test_many_rows_become_hexagons_that_count_every_row(tmp_path):
    rng = np.random.default_rng(7)
    n = SCATTER_MAX_ROWS * 3
    X = rng.normal(size=(n, 2))
    y = X @ [1.0, -1.0] + rng.normal(size=n)
    data = gdlab.from_arrays(X, y)
    run = gdlab.fit(data, lr=1e-4, steps=20)
    figure = diagnostics_figure(run, data)
    ax_pred, ax_resid = figure.axes[0], figure.axes[1]
    for ax in (ax_pred, ax_resid):
        (cells,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert cells.get_array().sum() == n  # every row in one hexagon
    bars = [ax for ax in figure.axes if ax.get_ylabel().startswith("rows per hexagon")]
    assert len(bars) == 2
    assert_readable(figure, untitled=2)
    small = gdlab.from_arrays(X[:400], y[:400])
    few = diagnostics_figure(gdlab.fit(small, lr=1e-3, steps=5), small)
    dots = few.axes[0].collections[0]
    assert isinstance(dots, PathCollection) and dots.get_alpha() == point_alpha(400)
    assert point_alpha(4000) < point_alpha(400)


def test_a_sample_of_a_large_file_is_said_in_each_scatter(tmp_path, monkeypatch):
    rng = np.random.default_rng(8)
    n = 12_000
    x = rng.normal(size=n)
    path = write_table(tmp_path / "many.csv", {"x": x, "y": 2 * x + rng.normal(size=n)})
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--lr", "1e-5",
                           "--steps", "10", "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0, err
    from gdlab.plots import sample

    monkeypatch.setattr(sample, "READ_WHOLE_BYTES", 1000)  # draw this file as a large one
    monkeypatch.setattr(sample, "SAMPLE_ROWS", 1000)
    record = json.loads((tmp_path / "r" / "run.json").read_text())
    figure = diagnostics_figure(record)
    drawn = len(figure.axes[0].collections[0].get_offsets())
    assert 1000 <= drawn < 2000
    for ax in figure.axes[:2]:
        assert f"(an even sample: {drawn:,} of 12,000 rows)" in ax.get_title()
    assert "sample" not in figure.axes[2].get_title()
