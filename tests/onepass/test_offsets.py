"""Columns far from zero: the optimum keeps ten digits, against exact rational solutions.

x = 10^scale·(c + σ·N(0, 1)) with |c| up to 1e8; y far from zero too. The pass centres the
rows at the first row, so the offsets cost nothing; the yardstick is the exact solution of
the float64 data as stored (`tests.exact`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.engines.stats import StatsEngine
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2
from gdlab.onepass.arrays import pass_statistics
from gdlab.onepass.lstsq import LeastSquaresStats
from tests.conftest import PASS_ROUTES, pass_route
from tests.exact import correct_digits, exact_optimum

EPS = np.finfo(float).eps


def offset_problem(seed, rows, features, offset, spread, scale, noise):
    """Features c_j + σ_j·N(0, 1) (|c_j| ≈ 10^offset, σ_j ≈ 10^spread), all times 10^scale;
    y = b + Σ a_j x_j + 10^noise·N(0, 1), each a_j moving y by about 1 per σ_j.

    The noise is kept at 1e-3 of the signal or more: a fit closer than that leaves the bias
    (ȳ − Σ a_j x̄_j) to the float64 resolution of the slopes times x̄ in any answer computed
    without extended precision (see `test_a_near_perfect_fit_far_from_zero...`).
    """
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], features)
    centres = signs * 10.0**offset * rng.uniform(0.5, 1.0, features)
    spreads = 10.0**spread * rng.uniform(0.5, 2.0, features)
    X = 10.0**scale * (centres + spreads * rng.normal(size=(rows, features)))
    slopes = rng.choice([-1.0, 1.0], features) * rng.uniform(0.5, 2.0, features)
    slopes = slopes / (10.0**scale * spreads)
    bias = rng.normal() * 10.0 ** rng.uniform(0, 9)
    y = bias + X @ slopes + 10.0**noise * rng.normal(size=rows)
    return X, y


problems = {
    "seed": st.integers(0, 2**32 - 1),
    "rows": st.integers(8, 160),
    "features": st.integers(1, 3),
    "offset": st.floats(0, 8),
    "spread": st.floats(-2, 2),
    "scale": st.floats(-6, 6),
    "noise": st.floats(-3, 0),
}


@settings(max_examples=60, deadline=None)
@given(
    **problems, chunk=st.one_of(st.none(), st.integers(1, 160)), route=st.sampled_from(PASS_ROUTES)
)
def test_offset_columns_keep_ten_digits_in_every_pass(
    seed, rows, features, offset, spread, scale, noise, chunk, route
):
    X, y = offset_problem(seed, rows, features, offset, spread, scale, noise)
    A = design_matrix(X)
    exact = exact_optimum(A, y)
    with pass_route(route):
        answers = {
            "stats engine": StatsEngine.from_arrays(A, y, L2, chunk_rows=chunk).statistics(),
            "columns with the ones implied": pass_statistics(
                [X[:, j] for j in range(features)], y, intercept=True, block_rows=chunk
            ),
            "TSQR of chunks": LeastSquaresStats.from_arrays(A, y, chunk),
        }
    for path, stats in answers.items():
        digits = correct_digits(stats.optimum(), exact)
        assert digits.min() >= 10, f"{path}, {route} pass, chunks of {chunk}: {digits.round(1)}"


@settings(max_examples=60, deadline=None)
@given(**problems, chunk=st.one_of(st.none(), st.integers(1, 160)))
def test_refinement_never_makes_the_optimum_worse(
    seed, rows, features, offset, spread, scale, noise, chunk
):
    X, y = offset_problem(seed, rows, features, offset, spread, scale, noise)
    A = design_matrix(X)
    exact = exact_optimum(A, y)
    stats = LeastSquaresStats.from_arrays(A, y, chunk)
    assert stats.moments is not None
    refined = stats.optimum()
    unrefined = dataclasses.replace(stats, moments=None).optimum()
    # The bias is Σ of terms as large as η and a_j·w_j (the reference row's values): no
    # float64 answer resolves it better than their rounding, refined or not.
    reference = stats.reference
    sizes = np.abs(exact)
    sizes[0] += abs(reference[-1]) + np.abs(reference[1:-1] * exact[1:]).sum()
    allowed = np.abs(unrefined - exact) + 8 * EPS * sizes
    assert np.all(np.abs(refined - exact) <= allowed), (refined - exact, unrefined - exact)


def test_a_near_perfect_fit_far_from_zero_needs_the_moments_for_its_bias():
    """y = 3 + 2x + 1e-6·noise at x ≈ 1e8: the bias (≈ 1) is ȳ − 2·x̄ ≈ 2e8 − 2e8, so a
    slope good to float64's last digit leaves it ~8 digits; the extended-precision
    refinement of the centred problem (its slope to ~1e-19) brings it to ~11."""
    rng = np.random.default_rng(7)
    x = 1e8 + rng.normal(size=200)
    y = 3.0 + 2.0 * x + 1e-6 * rng.normal(size=200)
    A = design_matrix(x)
    exact = exact_optimum(A, y)
    stats = LeastSquaresStats.from_arrays(A, y)
    assert correct_digits(stats.optimum(), exact).min() >= 10
    unrefined = dataclasses.replace(stats, moments=None).optimum()
    assert correct_digits(unrefined, exact)[1] >= 14  # the slope itself needs no help


def test_the_kernel_centres_exactly_where_the_subtraction_is_exact():
    """x − a for x within a factor 2 of a is exact: the kernel's centred factor is then
    bit for bit the factor of data centred beforehand (the subtraction is not regrouped)."""
    from gdlab.onepass.householder import factor_rows

    rng = np.random.default_rng(3)
    x, x2, y = 1e8 + rng.normal(size=5000), -3e7 + rng.normal(size=5000), rng.normal(size=5000)
    y = 2e8 + y
    for columns in ([x], [x, x2]):
        shift = np.array([0.0, *(c[0] for c in columns), y[0]])
        centred = factor_rows(columns, y, True, 0, 5000, 64, shift)
        beforehand = factor_rows([c - c[0] for c in columns], y - y[0], True, 0, 5000, 64)
        np.testing.assert_array_equal(centred, beforehand)


def test_centred_statistics_rebuild_the_datas_own_factor(rng):
    x = 1e6 + rng.normal(size=300)
    A = design_matrix(x)
    y = 5.0 - 0.5 * x + rng.normal(size=300)
    stats = LeastSquaresStats.from_arrays(A, y, chunk_rows=41)
    assert stats.reference is not None and stats.reference.tolist() == [1.0, x[0], y[0]]
    e = A @ np.array([1.0, -0.5]) - y
    assert np.isclose(stats.sum_squared_errors([1.0, -0.5]), e @ e, rtol=1e-9)
    np.testing.assert_allclose(stats.gram(), A.T @ A, rtol=1e-13)
    np.testing.assert_allclose(stats.R.T @ stats.z, A.T @ y, rtol=1e-13)
