"""Diagnostics of a several-feature fit, read back from the drawn artists."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

import gdlab
from gdlab.plots import diagnostics_figure
from tests.plots.checks import assert_readable


def test_diagnostics_draw_predictions_residuals_weights_and_the_loss_floor():
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
    np.testing.assert_allclose(
        ax_resid.collections[0].get_offsets(), np.column_stack([fitted, fitted - y])
    )
    assert ax_resid.lines[0].get_ydata()[0] == 0

    trajectories = [line for line in ax_weights.lines if line.get_label() in run.weight_names]
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

    curve, floor = ax_loss.lines[:2]
    np.testing.assert_array_equal(curve.get_ydata(), [run.initial_loss, *run.losses])
    assert floor.get_ydata()[0] == run.analysis.optimum_loss
    assert floor.get_linestyle() == "--"
    assert ax_loss.get_yscale() == "log"
    assert "L(w*)" in floor.get_label()
    assert_readable(figure)
