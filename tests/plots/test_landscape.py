"""The landscape: the drawn path is the run's weights, the contours' minimum is the optimum."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import gdlab
from gdlab.plots import draw_landscape, landscape_figure
from gdlab.plots.landscape import LEVELS_PER_DECADE, valley_caption
from gdlab.plots.surface import choose_plane
from gdlab.plots.view import as_view
from tests.plots.checks import assert_readable


@pytest.fixture(scope="module")
def seed_run():
    return gdlab.demo(0)


@pytest.fixture(scope="module")
def three_features():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(2, 1, 60), rng.normal(-1, 2, 60), rng.normal(0, 0.5, 60)])
    y = 1.5 + X @ [2.0, -0.7, 3.0] + rng.normal(0, 0.8, 60)
    data = gdlab.from_arrays(X, y)
    return gdlab.fit(data, lr=0.05, steps=120, loss="mse"), data


def squared_errors(data, weights):
    A = gdlab.design_matrix(data.features)
    residuals = np.asarray(weights) @ A.T - data.target
    return np.sum(residuals**2, axis=-1)


def test_landscape_draws_the_path_centred_on_the_optimum(seed_run):
    data = gdlab.seed_dataset(0)
    ax = Figure().subplots()
    drawn = draw_landscape(seed_run, ax, grid_size=41)
    optimum = seed_run.analysis.optimum_weights

    np.testing.assert_array_equal(drawn.path.line.get_xdata(), seed_run.path[:, 0])
    np.testing.assert_array_equal(drawn.path.line.get_ydata(), seed_run.path[:, 1])
    np.testing.assert_array_equal(drawn.path.start.get_xydata()[0], seed_run.init)
    np.testing.assert_array_equal(drawn.path.end.get_xydata()[0], seed_run.weights)
    np.testing.assert_array_equal(drawn.optimum.get_xydata()[0], optimum)
    assert ax.get_xlabel() == "b (offset)" and ax.get_ylabel() == "a (slope)"

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    np.testing.assert_allclose([(x0 + x1) / 2, (y0 + y1) / 2], optimum, rtol=1e-12)
    assert x0 < seed_run.path[:, 0].min() and seed_run.path[:, 0].max() < x1
    assert y0 < seed_run.path[:, 1].min() and seed_run.path[:, 1].max() < y1

    # The contoured values are the loss, and their minimum is the optimum.
    grid = drawn.grid
    np.testing.assert_allclose(grid.argmin, optimum, rtol=1e-12)
    nodes = np.stack(np.meshgrid(grid.xs, grid.ys), axis=-1)
    np.testing.assert_allclose(grid.loss, 0.5 * squared_errors(data, nodes), rtol=1e-10)
    lowest_band = drawn.filled.get_paths()[0]
    assert lowest_band.contains_point(optimum)
    gaps = np.asarray(drawn.filled.levels)[1:] - seed_run.analysis.optimum_loss
    np.testing.assert_allclose(np.diff(np.log10(gaps)), 1 / LEVELS_PER_DECADE)

    # The arrow points down the gradient at the start.
    A = gdlab.design_matrix(data.features)
    gradient = A.T @ (A @ seed_run.init - data.target)
    arrow = np.subtract(drawn.gradient.xy, drawn.gradient.xyann)
    np.testing.assert_allclose(arrow / np.linalg.norm(arrow), -gradient / np.linalg.norm(gradient))


def test_landscape_figure_explains_the_valley_and_the_rate(seed_run):
    figure = landscape_figure(seed_run, grid_size=31)
    (ax, colorbar_ax) = figure.axes
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    for entry in ("path of gd", "start w₀", "after 50 steps", "optimum w*", "valley floor"):
        assert any(entry in text for text in legend), legend
    assert "Loss landscape" in figure.get_suptitle()
    assert "x̄ = 1.13 ≠ 0 tilts it" in ax.get_title()
    assert "no overshoot" in ax.get_title()
    assert colorbar_ax.get_ylabel().startswith("loss L(w)")
    assert_readable(figure, untitled=1)

    zigzag = as_view(gdlab.demo(0, lr=0.0055))
    assert "zig-zag" in valley_caption(zigzag)
    # Along the steepest direction each step overshoots: the drawn path crosses the floor.
    plane = choose_plane(zigzag)
    drawn = draw_landscape(zigzag, Figure().subplots(), grid_size=21, colorbar=False)
    steep = np.linalg.eigh(zigzag.stats.gram())[1][:, -1]
    offsets = drawn.path.line.get_xydata() - np.array(plane.center)
    assert np.all(np.diff(np.sign(offsets[:20] @ steep)) != 0)


def test_more_weights_slice_along_the_eigen_directions(three_features):
    run, data = three_features
    ax = Figure().subplots()
    drawn = draw_landscape(run, ax, data=data, grid_size=31, colorbar=False)
    plane = drawn.plane
    A = gdlab.design_matrix(data.features)
    _, vectors = np.linalg.eigh(A.T @ A)
    np.testing.assert_allclose(abs(plane.u @ vectors[:, 0]), 1, rtol=1e-9)
    np.testing.assert_allclose(abs(plane.v @ vectors[:, -1]), 1, rtol=1e-9)
    assert "flattest" in ax.get_xlabel() and "steepest" in ax.get_ylabel()
    offsets = run.path - run.analysis.optimum_weights
    np.testing.assert_allclose(drawn.path.line.get_xdata(), offsets @ plane.u, atol=1e-12)
    np.testing.assert_allclose(drawn.path.line.get_ydata(), offsets @ plane.v, atol=1e-12)
    np.testing.assert_allclose(drawn.grid.argmin, (0, 0), atol=1e-12)
    # The slice's values are the (mse) loss at the lifted weights.
    lifted = plane.lift(*np.meshgrid(drawn.grid.xs, drawn.grid.ys))
    mean_squared = squared_errors(data, lifted) / data.n_rows
    np.testing.assert_allclose(drawn.grid.loss, mean_squared, rtol=1e-9)

    pair = draw_landscape(run, Figure().subplots(), data=data, weights=["x1", "x3"], grid_size=21)
    np.testing.assert_array_equal(pair.path.line.get_xdata(), run.path[:, 1])
    np.testing.assert_array_equal(pair.path.line.get_ydata(), run.path[:, 3])
    assert pair.plane.center == tuple(run.analysis.optimum_weights[[1, 3]])


def test_one_weight_has_no_landscape():
    run = gdlab.fit_arrays([1.0, 2.0, 3.0], [2.0, 4.1, 5.9], intercept=False)
    with pytest.raises(gdlab.ConfigError, match="needs two weights"):
        draw_landscape(run, data=gdlab.from_arrays([1.0, 2.0, 3.0], [2.0, 4.1, 5.9]))


def test_a_standardised_runs_caption_reads_its_rate_against_the_standardised_hessian():
    """The caption used the raw-units Hessian and called a converged run a divergence."""
    from gdlab.plots.landscape import valley_caption
    from gdlab.plots.view import as_view

    run = gdlab.fit(gdlab.seed_dataset(0), standardize=True, lr=0.02)
    assert run.convergence.converged
    caption = valley_caption(as_view(run))
    assert "divergence" not in caption
    assert "lr·λmax = 1 (λ of the standardised problem trained) = 1: each step lands" in caption
    with pytest.warns(gdlab.LearningRateWarning):  # 0.02 is past the raw problem's bound
        raw = gdlab.fit(gdlab.seed_dataset(0), lr=0.02, raise_on_divergence=False)
    assert "each overshoot grows (divergence)" in valley_caption(as_view(raw))
