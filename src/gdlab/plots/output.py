"""Writing pictures: figures to PNG (or SVG/PDF) bytes through the Agg canvas, atomically."""

from __future__ import annotations

import io
import os
from pathlib import Path

from matplotlib.figure import Figure

from gdlab.atomic import atomic_write_bytes
from gdlab.errors import ConfigError

#: File types a still figure can be written as (by the output file's suffix).
FIGURE_FORMATS = ("png", "svg", "pdf")


def figure_png(figure: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas (no display needed)."""
    return figure_bytes(figure, "png", dpi)


def figure_bytes(figure: Figure, fmt: str, dpi: int = 100) -> bytes:
    """Render a figure to bytes in `fmt` (png, svg or pdf)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()


def save_figure(figure: Figure, path: str | os.PathLike[str], dpi: int = 100) -> None:
    """Write a figure as PNG to `path` atomically."""
    atomic_write_bytes(path, figure_png(figure, dpi))


def figure_format(path: str | os.PathLike[str]) -> str:
    """The format a figure is written in, from the file's suffix (png, svg or pdf)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        known = ", ".join(f".{f}" for f in FIGURE_FORMATS)
        raise ConfigError(f"{path}: a figure is written as {known} (got '.{fmt}')")
    return fmt


def write_figure(figure: Figure, path: str | os.PathLike[str], dpi: int = 100) -> Path:
    """Write a figure atomically in the format its suffix names."""
    return atomic_write_bytes(path, figure_bytes(figure, figure_format(path), dpi))
