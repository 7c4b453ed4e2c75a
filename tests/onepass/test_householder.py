"""The compiled one-pass kernel builds the same factor as LAPACK, as accurately, or steps aside."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.model.linear import design_matrix
from gdlab.onepass.arrays import all_finite, augmented_statistics, pass_statistics
from gdlab.onepass.householder import factor_rows
from gdlab.onepass.lstsq import r_factor, square_r
from tests.conftest import python_output
from tests.onepass.test_lstsq import NIST_NAMES, log_relative_error, nist_problem


def lapack_factor(columns, y, intercept):
    ones = [np.ones(len(y))] if intercept else []
    return r_factor(np.column_stack([*ones, *columns, y]))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 400),
    features=st.integers(1, 6),
    block=st.integers(1, 70),
    intercept=st.booleans(),
    layout=st.sampled_from(["C", "F"]),
    seed=st.integers(0, 2**31),
)
def test_kernel_factor_is_lapacks(rows, features, block, intercept, layout, seed):
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.normal(size=(rows, features)) + rng.uniform(-5, 5, features), order=layout)
    y = X @ rng.normal(size=features) + rng.normal(size=rows)
    columns = [X[:, j] for j in range(features)]
    kernel = square_r(factor_rows(columns, y, intercept, 0, rows, block))
    reference = lapack_factor(columns, y, intercept)
    scale = np.abs(reference).max(axis=0)
    np.testing.assert_allclose(kernel / scale, reference / scale, rtol=0, atol=1e-13)


def test_a_row_range_is_the_factor_of_those_rows(rng):
    x, y = rng.normal(size=1000), rng.normal(size=1000)
    part = square_r(factor_rows([x], y, True, 300, 700, 64))
    np.testing.assert_allclose(part, lapack_factor([x[300:700]], y[300:700], True), atol=1e-12)


def forced(features, target, **options):
    """The kernel's pass, whatever the size (no moments: the kernel sums none)."""
    return pass_statistics(features, target, kernel=True, moments=False, **options)


def test_float32_and_mixed_columns_are_read_as_they_are(rng):
    X = rng.normal(size=(5000, 3))
    y = rng.normal(size=5000)
    mixed = [X[:, 0].astype(np.float32), np.ascontiguousarray(X[:, 1]), X[:, 2]]
    readonly = np.broadcast_to(2.0, 5000)  # read-only, zero strides: another numba type
    stats = forced([*mixed, readonly], y)
    exact = [mixed[0].astype(np.float64), X[:, 1], X[:, 2], np.full(5000, 2.0)]
    np.testing.assert_allclose(stats.factor(), lapack_factor(exact, y, False), atol=1e-10)


@pytest.mark.parametrize("name", NIST_NAMES)
def test_kernel_keeps_six_digits_on_nist_without_moments(nist_datasets, name):
    A, y, certified = nist_problem(nist_datasets[name])
    for block in (1, 2, 3, 7, 16, 256):
        for threads in (1, 3):
            stats = forced(A, y, block_rows=block, threads=threads)
            assert stats.moments is None  # the kernel's answer alone, no refinement
            lre = log_relative_error(stats.optimum(), certified)
            assert lre >= 6.0, f"{name}, block {block}, {threads} threads: {lre:.1f} digits"


def test_noiseless_line_keeps_its_tiny_loss(rng):
    """Near a perfect fit the loss is a sum of squares from the factor, not a difference."""
    x = rng.uniform(-1, 1, 300_000)
    A = design_matrix(x[:, None])
    y = 2.0 + 3.0 * x + 1e-9 * rng.normal(size=x.size)
    stats = forced(A, y)
    for w in ([2.0, 3.0], [2.0 + 1e-8, 3.0], [1.5, 2.5]):
        dense = float(np.sum((A @ np.array(w) - y) ** 2))
        assert stats.sum_squared_errors(w) == pytest.approx(dense, rel=1e-9)


def test_threads_split_rows_and_agree(rng):
    A = design_matrix(rng.normal(size=(100_000, 2)))
    y = rng.normal(size=100_000)
    one = forced(A, y, threads=1)
    three = forced(A, y, threads=3)
    np.testing.assert_allclose(three.factor(), one.factor(), rtol=1e-12, atol=1e-9)
    assert three.n_rows == one.n_rows == 100_000


@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_values_whose_squares_leave_float64_go_to_lapack(rng, scale):
    A = design_matrix(rng.normal(size=(2000, 1))) * scale
    y = rng.normal(size=2000) * scale
    stats = forced(A, y)
    reference = augmented_statistics([A, y], moments=False)
    assert all_finite(stats)
    np.testing.assert_allclose(stats.factor(), reference.factor(), rtol=1e-10)


def test_missing_values_make_a_non_finite_factor(rng):
    A = design_matrix(rng.normal(size=(2000, 2)))
    y = rng.normal(size=2000)
    y[1234] = np.nan
    assert not all_finite(forced(A, y))


def test_small_and_medium_fits_never_load_the_compiler():
    """Loading numba costs ~0.45 s once: a fit of 200 000 rows must not pay it."""
    code = (
        "import sys, numpy as np, gdlab\n"
        "x = np.random.default_rng(0).normal(size=200_000)\n"
        "gdlab.fit(gdlab.from_arrays(x, 2 + 3 * x), lr=1e-6, steps=5)\n"
        "print('numba' in sys.modules)"
    )
    assert python_output(code) == "False"


def test_without_a_writable_cache_the_kernel_still_loads():
    """A read-only install with no writable home: numba cannot cache, gdlab still runs."""
    code = (
        "import numba.core.caching as caching, numpy as np\n"
        "caching.CacheImpl._locator_classes = []  # no place to cache anywhere\n"
        "from gdlab.onepass.householder import factor_rows\n"
        "x = np.arange(5.0)\n"
        "print(round(float(abs(factor_rows([x], 1 + 2 * x, True, 0, 5)[2, 2])), 9))"
    )
    assert python_output(code) == "0.0"
