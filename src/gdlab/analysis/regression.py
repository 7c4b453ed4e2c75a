"""The least-squares fit as a statistician reads it: a statsmodels-style summary table.

All from the one-pass statistics (R, z, ρ, N) of [A | y], with p weights and
ν = N − p residual degrees of freedom:

* SSE = ρ²;  SST = Σ(y − ȳ)² = ‖z₂…‖² + ρ² when the first column is the ones column
  (else the uncentred Σy² = ‖z‖² + ρ²);  R² = 1 − SSE/SST
* RMSE = √(SSE/N);  residual standard error s = √(SSE/ν)
* Cov(ŵ) = s²(AᵀA)⁻¹ = s²·R⁻¹R⁻ᵀ, so se_j = s·‖row j of R⁻¹‖ (triangular solves on the
  column-scaled R; the normal equations are never formed)
* t_j = ŵ_j/se_j;  p_j = 2·P(T_ν > |t_j|);  95% interval ŵ_j ± t_{ν,0.975}·se_j
  (Student's t from `gdlab.analysis.student`, so the table needs no SciPy)
* F = (ESS/q)/(SSE/ν) for the q weights but the bias (ESS = SST − SSE), against F(q, ν)

With a robust covariance (`gdlab.analysis.robust`, `--cov`) the standard errors are its
diagonal's roots, t is read against the normal distribution and F is the Wald test, as
statsmodels does with that cov_type.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.robust import NORMAL_975, Covariance, normal_two_sided_p, wald_f
from gdlab.onepass.lstsq import LeastSquaresStats

Array = NDArray[np.float64]

#: Two-sided confidence level of the reported intervals.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class RegressionSummary:
    """Coefficients with their standard errors, t, p and 95% intervals, and the fit's quality."""

    names: tuple[str, ...]
    coefficients: Array
    std_errors: Array
    t_values: Array
    p_values: Array
    ci_low: Array
    ci_high: Array
    r_squared: float
    adj_r_squared: float
    rmse: float
    residual_std_error: float
    df_residual: int
    n_rows: int
    centred: bool
    #: The covariance behind the standard errors: "nonrobust" (s²(AᵀA)⁻¹), HC0…HC3, cluster:COL.
    cov_type: str = "nonrobust"
    #: True when t is read against Student's t, False for the normal (robust covariances).
    use_t: bool = True
    #: The F test that every weight but the bias is zero, its p-value and degrees of freedom.
    f_statistic: float = math.nan
    f_pvalue: float = math.nan
    df_model: int = 0

    def _repr_html_(self) -> str:
        """The table as a notebook shows it (statsmodels' layout)."""
        from gdlab.analysis.display import table

        header = ["", "coef", "std err", "t", "P>|t|", "[0.025", "0.975]"]
        rows = [
            [name, *(float(column[i]) for column in self.columns())]
            for i, name in enumerate(self.names)
        ]
        fit = (
            f"Least-squares fit: {self.n_rows:,} rows, R² {self.r_squared:.6g}, "
            f"RMSE {self.rmse:.6g}, residual std. error {self.residual_std_error:.6g}"
        )
        return table(header, rows, fit)

    def columns(self) -> tuple[Array, ...]:
        """The table's numeric columns, in order: coef, std err, t, p, interval."""
        return (
            self.coefficients,
            self.std_errors,
            self.t_values,
            self.p_values,
            self.ci_low,
            self.ci_high,
        )

    def to_record(self) -> dict[str, Any]:
        """The summary as plain JSON values (the run record's `analysis.regression`)."""
        return {
            "r_squared": self.r_squared,
            "adj_r_squared": self.adj_r_squared,
            "rmse": self.rmse,
            "residual_std_error": self.residual_std_error,
            "df_residual": self.df_residual,
            "cov_type": self.cov_type,
            "use_t": self.use_t,
            "f_statistic": self.f_statistic,
            "f_pvalue": self.f_pvalue,
            "df_model": self.df_model,
            "std_errors": self.std_errors.tolist(),
            "t_values": self.t_values.tolist(),
            "p_values": self.p_values.tolist(),
            "ci_95": [
                [float(lo), float(hi)] for lo, hi in zip(self.ci_low, self.ci_high, strict=True)
            ],
        }


def inverse_gram_diagonal(stats: LeastSquaresStats) -> Array:
    """diag((AᵀA)⁻¹) = squared row norms of R⁻¹, from the column-scaled R = S·diag(d).

    NaN for every weight when AᵀA is singular (collinear columns, fewer rows than weights):
    the weights are then not determined by the data, nor are their standard errors.
    """
    scaled, norms = stats.column_scaled()
    try:  # LU of a triangular matrix pivots nowhere: this is back substitution
        inverse = np.linalg.solve(scaled, np.eye(stats.n_weights))
    except np.linalg.LinAlgError:
        return np.full(stats.n_weights, math.nan)
    return np.asarray(np.sum(inverse**2, axis=1) / norms**2, dtype=np.float64)


def regression_summary(
    stats: LeastSquaresStats,
    names: Sequence[str],
    intercept: bool = True,
    optimum: NDArray[np.float64] | None = None,
    covariance: Covariance | None = None,
) -> RegressionSummary:
    """The statsmodels-style summary of the least-squares fit with statistics `stats`.

    With `intercept` the first column is the ones column and R² is centred, as usual.
    `optimum` is ``stats.optimum()`` when the caller has it already. `covariance` is a
    robust one from a second pass (`gdlab.analysis.robust`); without it the standard
    errors are the classical s²(AᵀA)⁻¹ ones.
    """
    from gdlab.analysis.fisher import f_survival
    from gdlab.analysis.student import two_sided_p, two_sided_quantile

    weights = stats.optimum() if optimum is None else optimum
    p, n = stats.n_weights, stats.n_rows
    df = n - p
    sse = stats.rho**2
    explained = stats.z[1:] if intercept else stats.z
    sst = float(explained @ explained) + sse
    r_squared = 1 - sse / sst if sst > 0 else math.nan
    no_df = df <= 0
    sigma = math.sqrt(sse / df) if not no_df else math.nan
    adj = 1 - (1 - r_squared) * (n - (1 if intercept else 0)) / df if not no_df else math.nan
    df_model = p - 1 if intercept else p
    if covariance is None or covariance.kind == "nonrobust":
        std_errors = (
            sigma * np.sqrt(inverse_gram_diagonal(stats)) if not no_df else np.full(p, math.nan)
        )
        f_statistic = (sst - sse) / df_model / (sse / df) if df_model and not no_df else math.nan
        df_test, use_t, cov_type = df, True, "nonrobust"
    else:
        std_errors = np.sqrt(np.diag(covariance.matrix))
        f_statistic, _ = wald_f(weights, covariance.matrix, intercept)
        df_test, use_t, cov_type = covariance.df_test, False, covariance.label
    with np.errstate(divide="ignore", invalid="ignore"):
        t_values = weights / std_errors
    if no_df:
        p_values, critical = np.full(p, math.nan), math.nan
    elif use_t:
        p_values = np.array([two_sided_p(t, df) for t in t_values.tolist()])
        critical = two_sided_quantile(1 - CONFIDENCE, df)
    else:
        p_values = np.array([normal_two_sided_p(t) for t in t_values.tolist()])
        critical = NORMAL_975
    f_pvalue = (
        f_survival(f_statistic, df_model, df_test)
        if math.isfinite(f_statistic) and df_test > 0
        else math.nan
    )
    return RegressionSummary(
        names=tuple(names),
        coefficients=weights,
        std_errors=std_errors,
        t_values=t_values,
        p_values=p_values if p_values is not None else np.full(p, math.nan),
        ci_low=weights - critical * std_errors,
        ci_high=weights + critical * std_errors,
        r_squared=r_squared,
        adj_r_squared=adj,
        rmse=math.sqrt(sse / stats.mass),  # weighted: √(Σwe²/Σw)
        residual_std_error=sigma,
        df_residual=df,
        n_rows=n,
        centred=intercept,
        cov_type=cov_type,
        use_t=use_t,
        f_statistic=float(f_statistic),
        f_pvalue=f_pvalue,
        df_model=df_model,
    )


def summary_table(
    summary: RegressionSummary,
    title: str = "Least-squares optimum (closed form)",
    *,
    descent: Sequence[float] | None = None,
    note: str | None = None,
) -> str:
    """The summary as a fixed-width text table, laid out like statsmodels' `summary()`.

    `descent` adds a column 'GD' of gradient descent's weights beside the optimum's
    coefficients (for a run that stopped short of it); `note` is a line under the title.
    """
    width = 78
    rule, thin = "=" * width, "-" * width
    quality = [
        (
            f"No. observations: {summary.n_rows}",
            f"R-squared{'' if summary.centred else ' (uncentred)'}: {summary.r_squared:.6g}",
        ),
        (f"Df residuals: {summary.df_residual}", f"Adj. R-squared: {summary.adj_r_squared:.6g}"),
        (
            f"Residual std. error: {summary.residual_std_error:.6g}",
            f"RMSE: {summary.rmse:.6g}",
        ),
        (f"Covariance type: {summary.cov_type}", f"F-statistic: {summary.f_statistic:.6g}"),
        (f"Df model: {summary.df_model}", f"Prob (F-statistic): {summary.f_pvalue:.4g}"),
    ]
    lines = [title.center(width).rstrip()]
    if note:
        lines += textwrap.wrap(note, width)
    lines.append(rule)
    lines += [f"{left:<39}{right:>39}" for left, right in quality]
    lines.append(rule)
    stat = "t" if summary.use_t else "z"  # robust covariances read against the normal
    if descent is None:
        header = f"{'':<12}{'coef':>13}{'std err':>12}{stat:>10}{f'P>|{stat}|':>9}"
        header += f"{'[0.025':>11}{'0.975]':>11}"
    else:  # one column more: the others narrower, to keep 78 characters
        header = f"{'':<10}{'coef':>11}{'GD':>11}{'std err':>10}{stat:>8}{f'P>|{stat}|':>7}"
        header += f"{'[0.025':>10}{'0.975]':>11}"
    lines += [header, thin]
    for i, name in enumerate(summary.names):
        if descent is None:
            lines.append(
                f"{name[:12]:<12}{summary.coefficients[i]:>13.6g}{summary.std_errors[i]:>12.4g}"
                f"{summary.t_values[i]:>10.4g}{summary.p_values[i]:>9.3f}"
                f"{summary.ci_low[i]:>11.4g}{summary.ci_high[i]:>11.4g}"
            )
        else:  # every cell starts with a space, so long numbers never run together
            cells = [
                (summary.coefficients[i], 11, ".5g"),
                (float(descent[i]), 11, ".5g"),
                (summary.std_errors[i], 10, ".3g"),
                (summary.t_values[i], 8, ".3g"),
                (summary.p_values[i], 7, ".3f"),
                (summary.ci_low[i], 10, ".4g"),
                (summary.ci_high[i], 11, ".4g"),
            ]
            row = "".join(f" {value:>{width - 1}{spec}}" for value, width, spec in cells)
            lines.append(f"{name[:10]:<10}{row}")
    lines.append(rule)
    return "\n".join(lines)
