"""The seed figure: the drawn data, read back from the artists, is the run's data."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb

import gdlab
from gdlab.plots import seed_figure


def test_seed_figure_draws_exactly_the_runs_data():
    data = gdlab.seed_dataset(0)
    run = gdlab.demo(0)
    x, y = data.features[:, 0], data.target
    figure = seed_figure(x, y, run.weights, run.losses)

    assert tuple(figure.get_size_inches()) == (10.0, 4.0)
    assert figure.subplotpars.wspace == 0.3
    ax_fit, ax_loss = figure.axes
    points, predictions = ax_fit.collections
    np.testing.assert_array_equal(points.get_offsets(), np.column_stack([x, y]))
    assert points.get_alpha() == 0.7
    b, a = run.weights
    np.testing.assert_allclose(predictions.get_offsets()[:, 1], b + a * x)
    assert predictions.get_alpha() == 0.6
    np.testing.assert_allclose(predictions.get_facecolor()[0][:3], (0, 0.5, 0), atol=0.01)
    (line,) = ax_fit.lines
    np.testing.assert_array_equal(line.get_xdata(), [-4, 6])
    np.testing.assert_allclose(line.get_ydata(), [b - 4 * a, b + 6 * a])
    assert line.get_alpha() == 0.6
    np.testing.assert_allclose(to_rgb(line.get_color()), (0, 0.5, 0))

    (curve,) = ax_loss.lines
    np.testing.assert_array_equal(curve.get_xdata(), np.arange(50))
    np.testing.assert_array_equal(curve.get_ydata(), run.losses)
    assert ax_loss.get_ylabel() == "Loss" and ax_loss.get_xlabel() == "Training steps"


def test_the_seed_helpers_take_a_run_and_draw_the_same_figure():
    run = gdlab.demo(0)
    data = gdlab.seed_dataset(0)
    from_run, from_arrays = (
        seed_figure(run),
        seed_figure(data.features[:, 0], data.target, run.weights, run.losses),
    )
    for left, right in zip(from_run.axes, from_arrays.axes, strict=True):
        for a, b in zip(left.collections, right.collections, strict=True):
            np.testing.assert_array_equal(a.get_offsets(), b.get_offsets())
        for a, b in zip(left.lines, right.lines, strict=True):
            np.testing.assert_array_equal(a.get_ydata(), b.get_ydata())
    from gdlab.plots import Figure, draw_fit, draw_loss_curve

    ax = Figure().subplots()
    drawn = draw_fit(ax, run)  # the argument order a notebook user tries first
    assert drawn.line.axes is ax
    np.testing.assert_array_equal(drawn.data.get_offsets()[:, 0], data.features[:, 0])
    np.testing.assert_array_equal(draw_loss_curve(run).get_ydata(), run.losses)


def test_figures_show_themselves_inline_without_pyplot():
    from gdlab.plots import diagnostics_figure, styled_seed_figure

    run = gdlab.demo(0, steps=5)
    for figure in (seed_figure(run), styled_seed_figure(run), diagnostics_figure(run)):
        assert figure._repr_png_()[:4] == b"\x89PNG"


def test_the_styled_seed_figure_tells_the_story_with_the_runs_numbers():
    from gdlab.plots import styled_seed_figure

    run = gdlab.demo(0)
    figure = styled_seed_figure(run)
    ax_fit, ax_loss = figure.axes
    assert ax_fit.get_title() and ax_loss.get_title() and figure.get_suptitle()
    assert ax_fit.get_xlabel() == "x" and ax_fit.get_ylabel() == "y"
    labels = [text.get_text() for text in ax_fit.get_legend().get_texts()]
    assert labels[0] == "data (x, y)" and labels[2].startswith("after 50 steps: ŷ = 1.42·x − 1.54")
    assert labels[3].startswith("least squares: ŷ = 1.42·x − 1.57")
    _, optimum = ax_fit.lines
    b_star, a_star = run.analysis.optimum_weights
    np.testing.assert_allclose(optimum.get_ydata(), b_star + a_star * optimum.get_xdata())
    curve, floor = ax_loss.lines
    np.testing.assert_array_equal(curve.get_ydata(), run.losses)
    assert floor.get_ydata()[0] == run.analysis.optimum_loss
