"""Checks every picture must pass: titled, labelled, big enough to read, nothing overlapping."""

from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

#: Smallest font size (points) that stays readable at 100 dpi.
MIN_FONT_POINTS = 8


def drawn_texts(figure: Figure) -> list[tuple[str, object]]:
    """(name, window extent) of every visible text and legend box, after a draw."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    legends = figure.findobj(Legend)
    hidden = {id(text) for legend in legends for text in legend.findobj(Text)}
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * abs(high - low)
            ticks = [
                *zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False),
                *zip(axis.get_minorticklocs(), axis.get_minorticklabels(), strict=False),
            ]
            hidden.update(
                id(label) for loc, label in ticks if not low - slack <= loc <= high + slack
            )
    found = [("legend", legend.get_window_extent(renderer)) for legend in legends]
    for text in figure.findobj(Text):
        if id(text) in hidden or not text.get_visible() or not text.get_text().strip():
            continue
        assert text.get_fontsize() >= MIN_FONT_POINTS, f"{text.get_text()!r} is too small"
        found.append((text.get_text(), text.get_window_extent(renderer)))
    return found


def assert_readable(figure: Figure, *, untitled: int = 0) -> None:
    """Every axes but `untitled` (colour bars) has a title and axis labels; no text overlaps."""
    titled = [ax for ax in figure.axes if ax.get_title()]
    assert len(titled) == len(figure.axes) - untitled
    for ax in titled:
        assert ax.get_xlabel() and ax.get_ylabel(), ax.get_title()
    overlapping = [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(drawn_texts(figure), 2)
        if box_a.x0 + 1 < box_b.x1  # type: ignore[attr-defined]
        and box_b.x0 + 1 < box_a.x1  # type: ignore[attr-defined]
        and box_a.y0 + 1 < box_b.y1  # type: ignore[attr-defined]
        and box_b.y0 + 1 < box_a.y1  # type: ignore[attr-defined]
    ]
    assert not overlapping, overlapping
