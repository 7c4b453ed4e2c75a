"""Robust standard errors: the sandwich covariance of the least-squares weights.

From the one-pass factor R (the bread's root) and the meat M_q of a second pass at the
optimum (`gdlab.onepass.sandwich`): Cov(ŵ) = c·R⁻¹M_qR⁻ᵀ, with statsmodels' defaults for
the constant c and the inference, so `--cov HC1` gives what ``OLS(...).fit(cov_type="HC1")``
(or WLS with weights) gives:

* HC0, HC2, HC3: c = 1;  HC1: c = N/(N − p)
* cluster: c = G/(G − 1)·(N − 1)/(N − p) over G clusters
* robust t statistics are read against the normal distribution (statsmodels' use_t=False):
  p = 2·Φ(−|z|), intervals ŵ ± 1.96·se
* the F test of all weights but the bias is the Wald test ŵᵀV⁻¹ŵ/q against F(q, ν), with
  ν = N − p (HC) or G − 1 (cluster)

Centred statistics give the covariance of the centred weights w′; w′ ↦ w is affine with
Jacobian J (w₀ = w′₀ − Σ r_j w′_j/k), so Cov(w) = J·Cov(w′)·Jᵀ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.onepass.sandwich import Frame, Meat
from gdlab.onepass.solve import column_scaled, full_rank

Array = NDArray[np.float64]

#: The normal distribution's 97.5% quantile: robust 95% intervals are ŵ ± this·se.
NORMAL_975 = 1.959963984540054


@dataclass(frozen=True)
class Covariance:
    """The covariance a summary reports, with what its inference reads it against.

    `kind` is "nonrobust", HC0…HC3 or "cluster"; `use_t` True when t statistics are read
    against Student's t (nonrobust), False for the normal (robust); `df_test` the F test's
    denominator degrees of freedom; `clusters` the number of clusters G (cluster only).
    """

    kind: str
    matrix: Array
    use_t: bool
    df_test: int
    clusters: int | None = None
    cluster_column: str | None = None

    @property
    def label(self) -> str:
        """The name a summary prints: statsmodels' cov_type, the cluster column after it."""
        return f"cluster:{self.cluster_column}" if self.cluster_column else self.kind


def sandwich_covariance(
    stats: LeastSquaresStats, meat: Meat, frame: Frame, cluster_column: str | None = None
) -> Covariance:
    """The robust covariance of the optimum from its statistics and its second pass' meat."""
    p, n = stats.n_weights, stats.n_rows
    if not full_rank(frame.R) or n <= p:
        return Covariance(meat.kind, np.full((p, p), math.nan), False, max(n - p, 0))
    scaled, norms = column_scaled(frame.R)
    inverse = np.linalg.solve(scaled, np.eye(p)) / norms[:, None]  # R⁻¹ = D⁻¹S⁻¹
    matrix = inverse @ meat.summed() @ inverse.T
    df_test, clusters = n - p, None
    if meat.kind == "HC1":
        matrix = matrix * (n / (n - p))
    elif meat.kind == "cluster":
        clusters = meat.n_clusters
        scale = clusters / (clusters - 1) * (n - 1) / (n - p) if clusters > 1 else math.nan
        matrix, df_test = matrix * scale, clusters - 1
    if stats.centred is not None and stats.reference is not None:
        jacobian = np.eye(p)
        jacobian[0, 1:] = -stats.reference[1:p] / stats.reference[0]
        matrix = jacobian @ matrix @ jacobian.T
    matrix = (matrix + matrix.T) / 2
    return Covariance(meat.kind, matrix, False, df_test, clusters, cluster_column)


def wald_f(weights: Array, matrix: Array, intercept: bool) -> tuple[float, int]:
    """F = ŵᵀV⁻¹ŵ/q over every weight but the bias, and q; NaN when V is singular."""
    start = 1 if intercept else 0
    tested = np.asarray(weights[start:], dtype=np.float64)
    q = int(tested.size)
    if q == 0:
        return math.nan, 0
    block = matrix[start:, start:]
    if not np.all(np.isfinite(block)):
        return math.nan, q
    try:
        solved = np.linalg.solve(block, tested)
    except np.linalg.LinAlgError:
        return math.nan, q
    return float(tested @ solved) / q, q


def normal_two_sided_p(z: float) -> float:
    """2·P(Z > |z|) for a standard normal Z.

    >>> round(normal_two_sided_p(1.959963984540054), 12), normal_two_sided_p(math.nan)
    (0.05, nan)
    """
    if math.isnan(z):
        return math.nan
    return math.erfc(abs(z) / math.sqrt(2.0))
