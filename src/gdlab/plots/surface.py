"""The loss over a plane of weights: which plane, where its box lies, the loss on a grid.

With two weights the plane is (b, a) itself. With more, it is the slice through the
optimum w* along two directions u, v — the flattest and the steepest eigen-directions of
the Hessian (∝ AᵀA), or two chosen weights with the others held at w*. On it,
w(s, t) = w* + s·u + t·v and, from the one-pass statistics,
L(w) = s_L·(‖R w* − z + s·Ru + t·Rv‖² + ρ²), vectorised over the whole grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.errors import ConfigError
from gdlab.plots.view import RunView

Array = NDArray[np.float64]

#: The box reaches this far beyond the farthest point it must show.
MARGIN = 1.15


@dataclass(frozen=True)
class Plane:
    """A 2-D plane of weights through the optimum, and how to name and place its axes.

    Display coordinates are ``center + ((w − w*)·u, (w − w*)·v)``: the weights themselves
    for a pair of weights, offsets from w* along unit eigenvectors for a slice.
    """

    optimum: Array
    u: Array
    v: Array
    center: tuple[float, float]
    xlabel: str
    ylabel: str
    kind: str
    #: For a pair of weights, their positions: their values are drawn as they are.
    indices: tuple[int, int] | None = None

    def project(self, points: Array) -> Array:
        """Display coordinates (n×2) of weight vectors (n×p), onto the plane."""
        if self.indices is not None:
            return np.array(np.atleast_2d(points)[:, list(self.indices)], dtype=np.float64)
        offsets = np.atleast_2d(points) - self.optimum
        return np.column_stack([offsets @ self.u, offsets @ self.v]) + np.array(self.center)

    def lift(self, xs: Array, ys: Array) -> Array:
        """Weight vectors (…×p) at display coordinates (xs, ys) of the plane."""
        s = np.asarray(xs) - self.center[0]
        t = np.asarray(ys) - self.center[1]
        return self.optimum + s[..., None] * self.u + t[..., None] * self.v


def weight_label(view: RunView, index: int) -> str:
    """Axis label of one weight: the seed's "b (offset)" and "a (slope)" for a line fit."""
    name = view.weight_names[index]
    if view.intercept and index == 0:
        return f"{name} (offset)"  # b, or `bias` when a feature is named b
    if view.intercept and view.n_weights == 2:
        return "a (slope)"
    return f"weight of {name}"


def choose_plane(view: RunView, weights: Sequence[str] | None = None) -> Plane:
    """The plane to draw: both weights when there are two, else an eigen-slice or a chosen pair."""
    p = view.n_weights
    if weights is not None:
        return pair_plane(view, [weight_index(view, name) for name in weights])
    if p < 2:
        raise ConfigError(
            "a loss landscape needs two weights; this run has one (try --kind diagnostics)"
        )
    if p == 2:
        return pair_plane(view, [0, 1])
    return eigen_plane(view)


def weight_index(view: RunView, name: str) -> int:
    """Where a weight sits in the weight vector, by name ('b' for the bias)."""
    try:
        return view.weight_names.index(name)
    except ValueError:
        known = ", ".join(view.weight_names)
        raise ConfigError(f"no weight named '{name}'; the run's weights are: {known}") from None


def pair_plane(view: RunView, indices: list[int]) -> Plane:
    """The plane of two weights, the others held at the optimum."""
    if len(indices) != 2 or indices[0] == indices[1]:
        raise ConfigError("choose two different weights for the landscape, e.g. --weights b,x")
    first, second = indices
    basis = np.eye(view.n_weights)
    optimum = view.optimum
    return Plane(
        optimum,
        basis[first],
        basis[second],
        (float(optimum[first]), float(optimum[second])),
        weight_label(view, first),
        weight_label(view, second),
        "weights",
        (first, second),
    )


def eigen_plane(view: RunView) -> Plane:
    """The slice through w* along the Hessian's flattest (x) and steepest (y) directions."""
    G = view.stats.gram()
    eigenvalues, vectors = np.linalg.eigh(G)
    scale = view.loss.curvature_scale(view.stats.mass)
    flat, steep = oriented(vectors[:, 0]), oriented(vectors[:, -1])
    return Plane(
        view.optimum,
        flat,
        steep,
        (0.0, 0.0),
        f"along the flattest direction (λ = {scale * eigenvalues[0]:.3g})",
        f"along the steepest direction (λ = {scale * eigenvalues[-1]:.3g})",
        "eigen",
    )


def oriented(vector: Array) -> Array:
    """A unit vector with its largest component positive (eigenvectors have no sign)."""
    return vector if vector[np.argmax(np.abs(vector))] > 0 else -vector


def box_around(plane: Plane, points: Array) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): a box centred on the optimum that holds every finite point.

    Half-widths are the farthest point's distance times `MARGIN`; when the two are within
    a factor 4 of each other both take the larger, so the box is square and equal-aspect
    pictures show the valley's true shape.
    """
    coords = plane.project(points)
    coords = coords[np.all(np.isfinite(coords), axis=1)]
    cx, cy = plane.center
    spread = np.abs(coords - np.array([cx, cy])).max(axis=0) if len(coords) else np.zeros(2)
    floor = 0.5 * max(1.0, float(np.abs(plane.optimum).max()))
    half_x = MARGIN * spread[0] if spread[0] > 0 else floor
    half_y = MARGIN * spread[1] if spread[1] > 0 else floor
    if max(half_x, half_y) <= 4 * min(half_x, half_y):
        half_x = half_y = max(half_x, half_y)
    return cx - half_x, cx + half_x, cy - half_y, cy + half_y


@dataclass(frozen=True)
class LossGrid:
    """The loss on an n×n grid of the plane's display coordinates."""

    xs: Array
    ys: Array
    loss: Array

    @property
    def argmin(self) -> tuple[float, float]:
        """Display coordinates of the grid's smallest loss."""
        row, col = np.unravel_index(np.argmin(self.loss), self.loss.shape)
        return float(self.xs[col]), float(self.ys[row])


def loss_grid(
    view: RunView, plane: Plane, box: tuple[float, float, float, float], n: int = 121
) -> LossGrid:
    """L on an n×n grid over `box`: s_L·(‖R w − z‖² + ρ²), one matrix product per axis.

    An odd n puts a grid node exactly on the optimum (the box is centred on it).
    """
    stats = view.stats
    xs = np.linspace(box[0], box[1], n)
    ys = np.linspace(box[2], box[3], n)
    base = stats.R @ plane.optimum - stats.z
    along_x = np.outer(xs - plane.center[0], stats.R @ plane.u)
    along_y = np.outer(ys - plane.center[1], stats.R @ plane.v)
    gap = base + along_y[:, None, :] + along_x[None, :, :]
    squares = np.einsum("ijk,ijk->ij", gap, gap) + stats.rho**2
    return LossGrid(xs, ys, view.loss.sum_weight(stats.mass) * squares)
