"""The second pass of a robust covariance: the sandwich's meat, summed over the rows.

A robust (sandwich) covariance of the least-squares weights is B⁻¹·M·B⁻¹ with the bread
B = ÃᵀÃ = RᵀR (the one-pass factor, Ã the design with each row scaled by √wᵢ) and a meat
M summed over the rows at the optimum w*. Writing ã_i = Rᵀq_i, q_i = R⁻ᵀã_i is row i of
the thin QR's Q, so with ẽ_i = √wᵢ(a_iᵀw* − y_i):

* HC0: M_q = Σ q_i q_iᵀ ẽ_i²   HC2: ẽ_i²/(1 − h_i)   HC3: ẽ_i²/(1 − h_i)²   (h_i = ‖q_i‖²)
* HC1 is HC0 times N/(N − p); cluster: M_q = Σ_g s_g s_gᵀ with s_g = Σ_{i∈g} q_i ẽ_i

and Cov(ŵ) = R⁻¹·M_q·R⁻ᵀ (`gdlab.analysis.robust`). Working with q_i keeps the meat as
well conditioned as R itself, and centred statistics are used centred (rows shifted by the
pass's reference row, the weights in its coordinates w′), so columns far from zero lose
nothing here either. Each batch of rows gives a `Meat`; meats of disjoint batches add, so
the pass splits over files, batches and Dask blocks like the first one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.onepass.solve import column_scaled

Array = NDArray[np.float64]

#: The heteroscedasticity-robust covariances (statsmodels' cov_type names).
HC_TYPES = ("HC0", "HC1", "HC2", "HC3")


@dataclass(frozen=True)
class Frame:
    """The coordinates the meat is summed in: the factor R_c, the shift of each row of
    [A | y] and the weights w′ there (centred statistics: the pass's own; else raw)."""

    R: Array
    shift: Array
    weights: Array

    @cached_property
    def to_q(self) -> Array:
        """The p×p map of rows to Q's rows, q_i = R⁻ᵀa_i as a row: qᵀ = aᵀ·R⁻¹ (through the
        column-scaled factor R = S·diag(d), R⁻¹ = diag(d)⁻¹·S⁻¹), so a batch is one product."""
        scaled, norms = column_scaled(self.R)
        return np.linalg.solve(scaled, np.eye(self.R.shape[0])) / norms[:, None]

    @classmethod
    def at_optimum(cls, stats: LeastSquaresStats, weights: Array) -> Frame:
        """The frame of `stats` for the weights `weights` (in the data's units)."""
        p = stats.n_weights
        w = np.asarray(weights, dtype=np.float64)
        if stats.centred is None or stats.reference is None:
            return cls(stats.R, np.zeros(p + 1), w)
        reference = stats.reference
        shift = reference.copy()
        shift[0] = 0.0  # the bias column stays k; every other column moves by r_j
        moved = w.astype(np.longdouble)
        row = reference.astype(np.longdouble)
        moved[0] = moved[0] + (row[1:p] @ moved[1:] - row[p]) / row[0]  # w′₀ (see centring)
        return cls(stats.centred[:p, :p], shift, moved.astype(np.float64))


@dataclass
class Meat:
    """The meat of one covariance type, summed over the rows seen so far (see the module).

    `kind` is HC0…HC3 or "cluster"; `matrix` the p×p sum for HC types; `clusters` the score
    sums s_g of each cluster seen.
    """

    kind: str
    n_weights: int
    n_rows: int = 0
    matrix: Array = field(default_factory=lambda: np.zeros((0, 0)))
    clusters: dict[Hashable, Array] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.matrix.size == 0:
            self.matrix = np.zeros((self.n_weights, self.n_weights))

    def add_rows(
        self,
        frame: Frame,
        design: NDArray[np.floating],
        target: NDArray[np.floating],
        weights: NDArray[np.floating] | None = None,
        groups: NDArray[np.generic] | None = None,
    ) -> None:
        """Add a batch of rows of the design A (bias column included) and the target y."""
        A = np.asarray(design, dtype=np.float64) - frame.shift[:-1]
        y = np.asarray(target, dtype=np.float64) - frame.shift[-1]
        root = None if weights is None else np.sqrt(np.asarray(weights, dtype=np.float64))
        residual = A @ frame.weights - y
        if root is not None:
            A, residual = A * root[:, None], residual * root
        q = A @ frame.to_q  # q_i = R⁻ᵀ ã_i, row by row
        self.n_rows += int(y.shape[0])
        if self.kind == "cluster":
            if groups is None:
                raise ValueError("a cluster covariance needs each row's cluster")
            self.add_clusters(q * residual[:, None], groups)
            return
        factor = residual * residual
        if self.kind in ("HC2", "HC3"):
            leverage = np.einsum("ij,ij->i", q, q)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = factor / (1.0 - leverage) ** (1 if self.kind == "HC2" else 2)
        self.matrix += (q * factor[:, None]).T @ q

    def add_clusters(self, scores: Array, groups: NDArray[np.generic]) -> None:
        """Add each row's score q_i·ẽ_i to the sum of its cluster."""
        labels, index = np.unique(np.asarray(groups), return_inverse=True)
        index = index.reshape(-1)
        sums = np.column_stack(  # one bincount per weight: far faster than np.add.at
            [
                np.bincount(index, weights=scores[:, j], minlength=labels.size)
                for j in range(self.n_weights)
            ]
        ).reshape(labels.size, self.n_weights)
        for label, total in zip(labels.tolist(), np.asarray(sums, dtype=np.float64), strict=True):
            known = self.clusters.get(label)
            self.clusters[label] = total if known is None else known + total

    def merge(self, other: Meat) -> Meat:
        """The meat of both batches of rows together."""
        merged = Meat(self.kind, self.n_weights, self.n_rows + other.n_rows)
        merged.matrix = self.matrix + other.matrix
        merged.clusters = dict(self.clusters)
        for label, total in other.clusters.items():
            known = merged.clusters.get(label)
            merged.clusters[label] = total if known is None else known + total
        return merged

    @property
    def n_clusters(self) -> int:
        """Clusters seen (0 for HC types)."""
        return len(self.clusters)

    def summed(self) -> Array:
        """M_q: the HC sum, or Σ_g s_g s_gᵀ over the clusters."""
        if self.kind != "cluster":
            return self.matrix
        if not self.clusters:
            return np.zeros((self.n_weights, self.n_weights))
        scores = np.array(list(self.clusters.values()))
        return scores.T @ scores


def merge_meats(parts: Iterable[Meat]) -> Meat:
    """The meat of several disjoint batches of rows."""
    parts = list(parts)
    total = parts[0]
    for part in parts[1:]:
        total = total.merge(part)
    return total
