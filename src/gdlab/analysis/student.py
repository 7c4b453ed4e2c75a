"""Student's t distribution for the regression table: its two-sided tail and its quantile.

Plain Python (`math`), so a fit's p-values need no SciPy: importing `scipy.special` costs
about 0.35 s of CPU per process, twice what the whole of `gdlab demo --no-plot` may take.

* Tail: 2·P(T_ν > |t|) = I_x(ν/2, ½) with x = ν/(ν + t²), the regularised incomplete beta
  function, from its continued fraction (modified Lentz, as in Numerical Recipes §6.4) on
  the side of I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges fast. The factor
  x^a (1−x)^b / B(a, ½) is taken in logarithms, with ln B(a, ½) free of the cancellation
  that ln Γ(a) − ln Γ(a + ½) suffers for large a (`log_gamma_half_step`).
* Quantile: t with 2·P(T_ν > t) = α, by safeguarded Newton steps on ln(tail) from the
  normal quantile (Abramowitz & Stegun 26.2.23, good to 4.5e-4: a start, refined).

Both agree with `scipy.special.stdtr` and `stdtrit` to 1e-11 relative up to 10⁵ degrees
of freedom (tests/analysis/test_student.py). Beyond, x = ν/(ν + t²) lies so near 1 that
the fraction loses digits, about ν·1e-16 relative (4e-11 at 10⁶ rows, 6e-8 at 10⁹): far
below what a p-value or an interval is read to.
"""

from __future__ import annotations

import math
from functools import lru_cache

#: The continued fraction stops once a step changes it by less than this.
FRACTION_TOLERANCE = 1e-16
#: Guards Lentz's method against dividing by zero.
TINY = 1e-300
#: At most this many steps of the fraction (it needs about √ν of them near |t| ≈ 1.7).
MAX_FRACTION_STEPS = 1_000_000
#: From this a on, ln Γ(a + ½) − ln Γ(a) comes from Stirling's series, not two lgamma calls.
STIRLING_FROM = 30.0
#: Stirling's series for ln Γ(z): Σ B₂ₖ / (2k(2k − 1) z^{2k−1}), k = 1…5.
STIRLING_TERMS = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188)


def two_sided_p(t: float, df: float) -> float:
    """2·P(T_df > |t|): the p-value of a t statistic with `df` degrees of freedom.

    >>> round(two_sided_p(2.0, 10), 12), two_sided_p(0.0, 5), two_sided_p(math.inf, 5)
    (0.073388034771, 1.0, 0.0)
    """
    if math.isnan(t) or not df > 0:
        return math.nan
    ratio = abs(t) / math.sqrt(df)  # t² / ν = ratio², kept apart so t² never overflows
    if ratio == 0.0:
        return 1.0
    if math.isinf(ratio):
        return 0.0
    a, b = df / 2, 0.5
    x = 1.0 / (1.0 + ratio * ratio) if ratio < 1e150 else 0.0  # ν/(ν + t²)
    y = 1.0 / (1.0 + 1.0 / (ratio * ratio)) if ratio > 1e-150 else 0.0  # t²/(ν + t²)
    log_x = -math.log1p(ratio * ratio) if ratio < 1e150 else -2.0 * math.log(ratio)
    log_y = -math.log1p(1.0 / (ratio * ratio)) if ratio > 1e-150 else 2.0 * math.log(ratio)
    front = math.exp(a * log_x + b * log_y - log_beta_half(a))
    if x < (a + 1) / (a + b + 2):
        return front * beta_fraction(a, b, x) / a
    return 1.0 - front * beta_fraction(b, a, y) / b


def beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (modified Lentz); fast for x < (a+1)/(a+b+2)."""
    total, plus, minus = a + b, a + 1, a - 1
    c = 1.0
    d = guard(1.0 - total * x / plus)
    d = 1.0 / d
    value = d
    for m in range(1, MAX_FRACTION_STEPS):
        even = m * (b - m) * x / ((minus + 2 * m) * (a + 2 * m))
        d = 1.0 / guard(1.0 + even * d)
        c = guard(1.0 + even / c)
        value *= d * c
        odd = -(a + m) * (total + m) * x / ((a + 2 * m) * (plus + 2 * m))
        d = 1.0 / guard(1.0 + odd * d)
        c = guard(1.0 + odd / c)
        step = d * c
        value *= step
        if abs(step - 1.0) < FRACTION_TOLERANCE:
            break
    return value


def guard(value: float) -> float:
    """`value`, or `TINY` in its place when it is (nearly) zero (Lentz's safeguard)."""
    return value if abs(value) >= TINY else TINY


def log_gamma_half_step(a: float) -> float:
    """ln Γ(a + ½) − ln Γ(a), accurate to rounding for every a > 0.

    For large a, two lgamma values of size a·ln a would cancel to a number near ½·ln a and
    lose their leading digits; Stirling's series for the difference keeps them:
    a·ln(1 + 1/(2a)) − ½ + ½·ln a + S(a + ½) − S(a).

    >>> round(log_gamma_half_step(1.0), 15) == round(math.lgamma(1.5), 15)
    True
    """
    if a < STIRLING_FROM:
        return math.lgamma(a + 0.5) - math.lgamma(a)
    series = sum(c * ((a + 0.5) ** (1 - 2 * k) - a ** (1 - 2 * k))
                 for k, c in enumerate(STIRLING_TERMS, start=1))  # fmt: skip
    return (a * math.log1p(0.5 / a) - 0.5) + 0.5 * math.log(a) + series


def log_beta_half(a: float) -> float:
    """ln B(a, ½) = ln Γ(½) + ln Γ(a) − ln Γ(a + ½)."""
    return 0.5 * math.log(math.pi) - log_gamma_half_step(a)


def density(t: float, df: float) -> float:
    """The density of Student's t with `df` degrees of freedom at t.

    >>> round(density(0.0, 1), 15) == round(1 / math.pi, 15)
    True
    """
    ratio = t / math.sqrt(df)
    log_scale = log_gamma_half_step(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_scale - (df + 1) / 2 * math.log1p(ratio * ratio))


@lru_cache(maxsize=256)
def two_sided_quantile(alpha: float, df: float) -> float:
    """The t > 0 with 2·P(T_df > t) = alpha: the half-width factor of a (1 − alpha) interval.

    Newton's method on ln(tail), kept inside a bracket that each step narrows.

    >>> round(two_sided_quantile(0.05, 1), 10) == round(math.tan(math.pi * 0.475), 10)
    True
    """
    if not (0 < alpha < 1 and df > 0):
        return math.nan
    target = math.log(alpha)
    low, high = 0.0, math.inf
    t = normal_quantile(alpha / 2)
    for _ in range(200):
        p = two_sided_p(t, df)
        if p > alpha:
            low = t
        else:
            high = t
        slope = -2.0 * density(t, df) / p  # d ln(tail) / dt
        step = (math.log(p) - target) / slope if p > 0 and slope < 0 else math.nan
        guess = t - step
        if not low < guess < high:  # Newton left the bracket: halve it (or double t)
            guess = 2 * t if math.isinf(high) else (low + high) / 2
        if abs(guess - t) <= 4 * math.ulp(t):
            return guess
        t = guess
    return t


def normal_quantile(tail: float) -> float:
    """The z > 0 with P(Z > z) = tail for tail ≤ ½, to 4.5e-4 (Abramowitz & Stegun 26.2.23).

    >>> round(normal_quantile(0.025), 3)
    1.96
    """
    root = math.sqrt(-2.0 * math.log(tail))
    numerator = 2.515517 + 0.802853 * root + 0.010328 * root * root
    denominator = 1.0 + 1.432788 * root + 0.189269 * root**2 + 0.001308 * root**3
    return root - numerator / denominator
