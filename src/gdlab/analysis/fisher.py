"""The F distribution's upper tail, for the regression table's F test, without SciPy.

P(F_{d₁,d₂} > f) = I_x(d₂/2, d₁/2) with x = d₂/(d₂ + d₁·f), the regularised incomplete
beta function, from the continued fraction `gdlab.analysis.student` uses for Student's t
(on the side where it converges fast). The factor x^a(1−x)^b/B(a, b) is taken in logarithms,
with 1 − x written as d₁f/(d₂ + d₁f) so that nothing cancels. Agrees with
`scipy.special.fdtrc` to 1e-9 relative over the degrees of freedom a regression has
(tests/analysis/test_fisher.py): far below what a p-value is read to.
"""

from __future__ import annotations

import math

from gdlab.analysis.student import beta_fraction


def f_survival(f: float, d1: float, d2: float) -> float:
    """P(F > f) for F with (d1, d2) degrees of freedom (NaN where undefined).

    >>> round(f_survival(3.0, 2, 10), 12), f_survival(0.0, 3, 7), f_survival(math.inf, 3, 7)
    (0.095367431641, 1.0, 0.0)
    """
    if math.isnan(f) or not (d1 > 0 and d2 > 0):
        return math.nan
    if f <= 0:
        return 1.0
    if math.isinf(f):
        return 0.0
    a, b = d2 / 2, d1 / 2
    spread = d2 + d1 * f
    x, y = d2 / spread, d1 * f / spread  # x + y = 1, each without cancellation
    log_x, log_y = math.log(d2) - math.log(spread), math.log(d1 * f) - math.log(spread)
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    front = math.exp(a * log_x + b * log_y - log_beta)
    if x < (a + 1) / (a + b + 2):
        return front * beta_fraction(a, b, x) / a
    return 1.0 - front * beta_fraction(b, a, y) / b
