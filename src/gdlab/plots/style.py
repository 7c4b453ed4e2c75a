"""One look for every picture: a colour per quantity, readable sizes, a light and a dark theme.

A quantity keeps its colour everywhere: the data are blue, the fit (line and predictions)
green as in the seed's figure, the path of the weights orange, the optimum gold, the loss
purple, the gradient pink. Figures are built inside `themed(theme)`, which sets
matplotlib's rc parameters for the artists created there (no global state is changed).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import matplotlib as mpl
import numpy as np
from matplotlib.colors import (
    Colormap,
    LinearSegmentedColormap,
    ListedColormap,
    to_hex,
    to_rgb,
)

from gdlab.errors import ConfigError

#: Quantities that have a colour of their own, in every picture.
QUANTITIES = ("data", "fit", "path", "optimum", "loss", "gradient", "floor")


@dataclass(frozen=True)
class Theme:
    """Colours of the quantities, of the page and of the landscape's colour map."""

    name: str
    colors: dict[str, str]
    #: Members of a comparison after the first (the run itself, drawn in the path colour).
    series: tuple[str, ...]
    #: One colour per weight in trajectory plots.
    weights: tuple[str, ...]
    landscape_cmap: str
    #: rc parameters of the page: background, text and axes colours.
    page: dict[str, Any] = field(default_factory=dict)
    #: The part of the colour map used, so a dark page gets no glaring white hills.
    landscape_span: tuple[float, float] = (0.0, 1.0)

    def color(self, quantity: str) -> str:
        """The colour of a quantity (see `QUANTITIES`)."""
        return self.colors[quantity]

    def landscape_colormap(self) -> Colormap:
        """The landscape's colour map, cut to `landscape_span`."""
        base = mpl.colormaps[self.landscape_cmap]
        low, high = self.landscape_span
        if (low, high) == (0.0, 1.0):
            return base
        return ListedColormap(base(np.linspace(low, high, 256)), name=f"{base.name}_span")

    def weight_color(self, index: int) -> str:
        """The colour of the index-th weight (cycling)."""
        return self.weights[index % len(self.weights)]

    def weight_colors(self, count: int) -> list[str]:
        """`count` distinct colours, one per weight: the theme's own for a few, then
        matplotlib's tab20 (its strong shades first), then evenly spaced hues of turbo.

        >>> len(set(LIGHT.weight_colors(11))), len(set(LIGHT.weight_colors(40)))
        (11, 40)
        """
        if count <= len(self.weights):
            return list(self.weights[:count])
        if count <= 20:
            shades = mpl.colormaps["tab20"](np.arange(20))  # a listed map of 20 colours
            ordered = [*shades[0::2], *shades[1::2]]  # strong shades, then the pale ones
            return [to_hex(color) for color in ordered[:count]]
        hues = mpl.colormaps["turbo"](np.linspace(0.04, 0.96, count))
        return [to_hex(color) for color in hues]

    def density_colormap(self, quantity: str) -> Colormap:
        """Rows per cell, few to many: a faint shade of the quantity's colour to a strong one
        (darker on a light page, brighter on a dark one)."""
        color = np.array(to_rgb(self.color(quantity)))
        page = np.array(to_rgb(self.page.get("axes.facecolor", "white")))
        extreme = np.zeros(3) if self.name == "light" else np.ones(3)
        ramp = [0.7 * page + 0.3 * color, color, 0.55 * color + 0.45 * extreme]
        return LinearSegmentedColormap.from_list(f"{quantity}_density", ramp)

    def series_color(self, index: int) -> str:
        """The colour of the index-th member of a comparison; member 0 is the path colour."""
        return self.colors["path"] if index == 0 else self.series[(index - 1) % len(self.series)]


#: Sizes that stay readable at 100 dpi, shared by both themes.
READABLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.85,
    "figure.titlesize": 12,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

LIGHT = Theme(
    name="light",
    colors={
        "data": "#1f77b4",
        "fit": "#008000",
        "path": "#f0620a",
        "optimum": "#ffd21f",
        "loss": "#7b3fa0",
        "gradient": "#e0218a",
        "floor": "#555555",
    },
    series=("#c9184a", "#263238", "#8d6e63", "#9e9d24", "#00897b"),
    weights=("#17becf", "#bcbd22", "#8c564b", "#e377c2", "#7f7f7f", "#1f77b4"),
    landscape_cmap="YlGnBu_r",
    page={},
)

DARK = Theme(
    name="dark",
    colors={
        "data": "#5aa9e6",
        "fit": "#4cd964",
        "path": "#ff8c42",
        "optimum": "#ffd21f",
        "loss": "#c39bd3",
        "gradient": "#ff5fa2",
        "floor": "#aaaaaa",
    },
    series=("#ff6b8b", "#eceff1", "#d2a679", "#d4e157", "#3fd1b5"),
    weights=("#4dd0e1", "#dce775", "#d2a679", "#f48fb1", "#bdbdbd", "#90caf9"),
    landscape_cmap="YlGnBu_r",
    landscape_span=(0.0, 0.62),
    page={
        "figure.facecolor": "#1e1f22",
        "savefig.facecolor": "#1e1f22",
        "axes.facecolor": "#26282c",
        "axes.edgecolor": "#9a9a9a",
        "axes.labelcolor": "#e6e6e6",
        "text.color": "#e6e6e6",
        "xtick.color": "#cfcfcf",
        "ytick.color": "#cfcfcf",
        "grid.color": "#5a5a5a",
        "legend.facecolor": "#2b2d31",
        "legend.edgecolor": "#555555",
        "legend.labelcolor": "#e6e6e6",
    },
)

THEMES = {theme.name: theme for theme in (LIGHT, DARK)}


def get_theme(theme: str | Theme) -> Theme:
    """A theme by name ('light' or 'dark'), or a `Theme` as given."""
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except KeyError:
        known = ", ".join(THEMES)
        raise ConfigError(f"unknown theme '{theme}'; choose one of: {known}") from None


@contextlib.contextmanager
def themed(theme: str | Theme, *, readable: bool = True) -> Iterator[Theme]:
    """Build figures inside this block to give them `theme`'s look; yields the theme.

    `readable=False` keeps matplotlib's own sizes and grid (the seed figure's look) and
    changes only the page colours.

    >>> with themed("dark") as theme:
    ...     theme.color("data")
    '#5aa9e6'
    """
    chosen = get_theme(theme)
    rc = {**READABLE, **chosen.page} if readable else chosen.page
    with mpl.rc_context(cast(Any, rc)):
        yield chosen
