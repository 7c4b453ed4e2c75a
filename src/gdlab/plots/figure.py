"""The figure gdlab's pictures are drawn on: matplotlib's, shown inline in any notebook.

A bare `matplotlib.figure.Figure` shows only its text in a notebook unless pyplot set up a
backend; this one renders itself as PNG (`_repr_png_`, through the Agg canvas), so
``seed_figure(run)`` as the last line of a cell shows the picture, with no pyplot and no
``%matplotlib inline``.
"""

from __future__ import annotations

import matplotlib.figure


class Figure(matplotlib.figure.Figure):
    """A matplotlib figure that shows itself as a PNG in IPython and Jupyter."""

    def _repr_png_(self) -> bytes:
        """The figure as PNG bytes, for IPython's display."""
        from gdlab.plots.output import figure_png

        return figure_png(self)
