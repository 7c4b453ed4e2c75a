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
