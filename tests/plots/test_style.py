"""One colour per quantity in every picture, and a dark theme that is dark."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure

import gdlab
from gdlab.plots import (
    DARK,
    LIGHT,
    TrainingAnimation,
    draw_landscape,
    draw_loss_history,
    draw_predicted_vs_actual,
    draw_residuals,
    get_theme,
    landscape_figure,
    seed_figure,
    themed,
)
from gdlab.plots.compare import Member, draw_comparison
from gdlab.plots.view import as_view


@pytest.fixture(scope="module")
def view():
    return as_view(gdlab.demo(0, steps=10))


def same(color, expected):
    return np.allclose(to_rgb(color), to_rgb(expected), atol=0.005)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_each_quantity_has_one_colour_in_every_picture(view, theme):
    colors = theme.colors
    landscape = draw_landscape(view, Figure().subplots(), theme=theme, grid_size=11, colorbar=False)
    assert same(landscape.path.line.get_color(), colors["path"])
    assert same(landscape.optimum.get_markerfacecolor(), colors["optimum"])
    assert same(landscape.valley.get_color(), colors["optimum"])
    assert same(landscape.gradient.arrow_patch.get_edgecolor(), colors["gradient"])

    ax_land, ax_gap = Figure().subplots(1, 2)
    compared = draw_comparison(
        view,
        [Member("gd", view.lr), Member("gd", 0.004)],
        ax_land,
        ax_gap,
        theme=theme,
        grid_size=11,
    )
    assert same(compared.paths[0].get_color(), colors["path"])
    assert same(compared.gaps[0].get_color(), colors["path"])
    assert not same(compared.paths[1].get_color(), colors["path"])

    animation = TrainingAnimation(view, max_frames=2, theme=theme, grid_size=11, dpi=30)
    moving = animation.moving
    ax_fit = animation.figure.axes[0]
    assert same(ax_fit.collections[0].get_facecolor()[0], colors["data"])
    assert same(moving.predictions.get_facecolor()[0], colors["fit"])
    assert same(moving.line.get_color(), colors["fit"])
    assert same(moving.trail.get_color(), colors["path"])
    assert same(moving.curve.get_color(), colors["loss"])

    loss = draw_loss_history(view.loss_series, view.optimum_loss, theme=theme)
    assert same(loss.curve.get_color(), colors["loss"])
    assert same(loss.floor.get_color(), colors["floor"])
    predicted = draw_predicted_vs_actual(view, theme=theme)
    assert same(predicted.points.get_facecolor()[0], colors["fit"])
    residuals = draw_residuals(view, theme=theme)
    assert same(residuals.points.get_facecolor()[0], colors["data"])


def test_the_seed_figure_uses_the_data_and_fit_colours():
    data = gdlab.seed_dataset(0)
    figure = seed_figure(data.features[:, 0], data.target, [0.0, 1.0], [3.0, 2.0])
    points, predictions = figure.axes[0].collections
    assert same(points.get_facecolor()[0], LIGHT.color("data"))
    assert same(predictions.get_facecolor()[0], LIGHT.color("fit"))


def luminance(color):
    r, g, b = to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_theme_is_dark_with_light_text(view):
    figure = landscape_figure(view, theme="dark", grid_size=11)
    ax = figure.axes[0]
    assert luminance(figure.get_facecolor()) < 0.2
    assert luminance(ax.title.get_color()) > 0.7
    assert luminance(ax.xaxis.label.get_color()) > 0.7
    assert luminance(ax.get_xticklabels()[0].get_color()) > 0.7
    # The hills stay dim: the brightest colour of the landscape is not white.
    brightest = max(luminance(c[:3]) for c in DARK.landscape_colormap()(np.linspace(0, 1, 16)))
    assert brightest < 0.75
    # Nothing leaks out of the block: figures made afterwards are light again.
    assert to_rgba(Figure().get_facecolor()) == to_rgba("white")
    with themed("light") as theme:
        assert theme is get_theme("light")
    with pytest.raises(gdlab.ConfigError, match="unknown theme 'sepia'"):
        get_theme("sepia")
