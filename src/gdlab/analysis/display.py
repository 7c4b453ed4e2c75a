"""How results show themselves in a notebook: small HTML tables and inline SVG curves.

IPython calls `_repr_html_` on the last value of a cell; the `Analysis`, the regression
table and a `Run` (`gdlab.training.display`) answer with the key numbers as HTML. Curves are
drawn as inline SVG polylines, so showing a result loads no plotting library.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

STYLE = "border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px;margin:4px 0"
CELL = "padding:2px 8px;text-align:right;border-bottom:1px solid #ddd"


def number(value: float | int | None, digits: int = 6) -> str:
    """A number as a table shows it (— for None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:.{digits}g}"


def table(header: Sequence[str], rows: Sequence[Sequence[object]], caption: str = "") -> str:
    """An HTML table; cells are escaped, numbers formatted by `number`.

    >>> table(["name", "value"], [["lr", 0.002]])[:6]
    '<table'
    """

    def cell(value: object, tag: str = "td", first: bool = False) -> str:
        numeric = isinstance(value, float | int) and not isinstance(value, bool)
        text = number(value) if numeric else str(value)  # type: ignore[arg-type]
        align = ";text-align:left" if first else ""
        return f'<{tag} style="{CELL}{align}">{html.escape(text)}</{tag}>'

    def line(values: Sequence[object], tag: str = "td") -> str:
        return "<tr>" + "".join(cell(v, tag, i == 0) for i, v in enumerate(values)) + "</tr>"

    parts = [f'<table style="{STYLE}">']
    if caption:
        title = html.escape(caption)
        parts.append(f'<caption style="text-align:left;font-weight:bold">{title}</caption>')
    parts.append(line(header, "th"))
    parts += [line(row) for row in rows]
    parts.append("</table>")
    return "".join(parts)


def curve_svg(
    values: ArrayLike,
    *,
    floor: float | None = None,
    width: int = 320,
    height: int = 110,
    log: bool = True,
    title: str = "",
    caption: str = "",
) -> str:
    """An inline SVG of one curve over its index (log scale when every value is > 0), with
    an optional dashed floor line and a caption in its corner."""
    y = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(y)
    if not finite.any():
        return ""
    shown = np.log10(y) if log and np.all(y[finite] > 0) else y
    low, high = float(np.min(shown[finite])), float(np.max(shown[finite]))
    if floor is not None and math.isfinite(floor) and (not log or floor > 0):
        level = math.log10(floor) if log and np.all(y[finite] > 0) else floor
        low = min(low, level)
    else:
        level = None
    span = high - low or 1.0
    pad = 6

    def point(index: int, value: float) -> str:
        px = pad + (width - 2 * pad) * index / max(len(y) - 1, 1)
        py = pad + (height - 2 * pad) * (high - value) / span
        return f"{px:.1f},{py:.1f}"

    points = " ".join(point(i, v) for i, v in enumerate(shown) if math.isfinite(v))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="none" stroke="#ccc"/>',
        f'<polyline fill="none" stroke="#7b3fa0" stroke-width="1.6" points="{points}"/>',
    ]
    if level is not None:
        y_floor = pad + (height - 2 * pad) * (high - level) / span
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{y_floor:.1f}" y2="{y_floor:.1f}" '
            'stroke="#555" stroke-dasharray="4 3"/>'
        )
    if caption:
        parts.append(
            f'<text x="{width - pad}" y="{pad + 10}" text-anchor="end" font-size="10" '
            f'font-family="sans-serif" fill="#555">{html.escape(caption)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
