"""gdlab's Student t (p-values and interval factors of the regression table) against SciPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import stdtr, stdtrit

from gdlab.analysis.student import (
    log_gamma_half_step,
    normal_quantile,
    two_sided_p,
    two_sided_quantile,
)

#: Relative agreement with SciPy by degrees of freedom (see the module's notes; at ν = 1
#: SciPy's own error near t = 0 is ~3e-9, see the closed form below).
TOLERANCE = {1: 1e-8, 2: 1e-12, 3: 1e-12, 5: 1e-12, 10: 1e-12, 22: 1e-12, 48: 1e-12,
             300: 1e-12, 10**4: 1e-11, 10**5: 1e-10, 10**6: 1e-9, 10**7: 1e-8,
             10**9: 1e-6}  # fmt: skip


@pytest.mark.parametrize("df", list(TOLERANCE))
def test_the_tail_agrees_with_scipy(df):
    for t in np.geomspace(1e-8, 1e8, 300).tolist():
        expected = 2 * stdtr(df, -t)
        if expected < 1e-290:
            assert two_sided_p(t, df) < 1e-280
            continue
        assert two_sided_p(t, df) == pytest.approx(expected, rel=TOLERANCE[df]), (df, t)


def test_the_tail_matches_closed_forms_better_than_scipy():
    """ν = 1: 2·atan(1/t)/π; ν = 2: 1 − t/√(2 + t²)."""
    for t in np.geomspace(1e-6, 1e6, 200).tolist():
        assert two_sided_p(t, 1) == pytest.approx(2 / math.pi * math.atan(1 / t), rel=1e-14)
        root = math.sqrt(2 + t * t)
        assert two_sided_p(t, 2) == pytest.approx(2 / (root * (root + t)), rel=1e-14)


def test_the_tail_at_the_edges():
    assert two_sided_p(0.0, 7) == 1.0
    assert two_sided_p(-2.0, 7) == two_sided_p(2.0, 7)
    assert two_sided_p(math.inf, 7) == 0.0 and two_sided_p(1e300, 7) == 0.0
    assert math.isnan(two_sided_p(math.nan, 7)) and math.isnan(two_sided_p(1.0, 0))
    assert 0 < two_sided_p(1e200, 1) < 1e-199  # t² would overflow; the tail does not


@pytest.mark.parametrize("df", [1, 2, 3, 7, 22, 48, 1000, 10**5])
@pytest.mark.parametrize("alpha", [0.5, 0.1, 0.05, 0.01, 1e-4])
def test_the_quantile_agrees_with_scipy(df, alpha):
    expected = stdtrit(df, 1 - alpha / 2)
    assert two_sided_quantile(alpha, df) == pytest.approx(expected, rel=1e-10)


@settings(max_examples=200, deadline=None)
@given(
    df=st.integers(1, 10**6),
    alpha=st.floats(1e-12, 0.999, allow_nan=False),
)
def test_the_quantile_inverts_the_tail(df, alpha):
    t = two_sided_quantile(alpha, df)
    assert t > 0
    assert two_sided_p(t, df) == pytest.approx(alpha, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(df=st.integers(1, 10**7), t=st.floats(0, 1e6), dt=st.floats(1e-6, 10))
def test_the_tail_falls_from_one_as_t_grows(df, t, dt):
    assert 0 <= two_sided_p(t + dt, df) <= two_sided_p(t, df) <= 1


def test_the_gamma_step_is_exact_where_lgamma_cancels():
    """ln Γ(a + ½) − ln Γ(a) → ½·ln a − 1/(8a) + 1/(192a³) as a grows."""
    for a in (1e3, 1e6, 1e9, 1e12):  # the next term, 1/(640a⁵), is below rounding here
        series = 0.5 * math.log(a) - 1 / (8 * a) + 1 / (192 * a**3)
        assert log_gamma_half_step(a) == pytest.approx(series, rel=1e-15, abs=1e-15)
    for a in (0.5, 1.0, 7.5, 29.9, 30.0, 31.5):  # either side of the switch to the series
        assert log_gamma_half_step(a) == pytest.approx(
            math.lgamma(a + 0.5) - math.lgamma(a),
            abs=5e-14,  # lgamma's own rounding
        )


def test_the_normal_start_is_close():
    for tail in (0.25, 0.025, 1e-5, 1e-12):
        expected = -float(stdtrit(1e12, tail))  # the normal quantile, as ν → ∞
        assert normal_quantile(tail) == pytest.approx(expected, abs=5e-4)
