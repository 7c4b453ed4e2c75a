"""One-pass QR statistics: exact loss and gradient, chunk merging, accurate optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.model.linear import design_matrix
from gdlab.onepass.lstsq import LeastSquaresStats


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 60),
    features=st.integers(1, 5),
    chunk=st.integers(1, 70),
    seed=st.integers(0, 2**31),
)
def test_stats_give_the_dense_loss_and_gradient(rows, features, chunk, seed):
    rng = np.random.default_rng(seed)
    A = design_matrix(rng.normal(size=(rows, features)))
    y = rng.normal(size=rows)
    w = rng.normal(size=features + 1)
    stats = LeastSquaresStats.from_arrays(A, y, chunk_rows=chunk)
    e = A @ w - y
    assert stats.n_rows == rows
    assert stats.sum_squared_errors(w) == pytest.approx(e @ e, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(stats.residual_correlation(w), A.T @ e, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(stats.gram(), A.T @ A, rtol=1e-9, atol=1e-10)


def test_loss_of_a_perfect_fit_has_no_cancellation():
    x = np.linspace(0, 1e4, 1000)
    A = design_matrix(x)
    y = 3.0 + 2.0 * x
    stats = LeastSquaresStats.from_arrays(A, y, chunk_rows=97)
    assert stats.sum_squared_errors([3.0, 2.0]) < 1e-12 * (y @ y)
    np.testing.assert_allclose(stats.optimum(), [3.0, 2.0], rtol=1e-12)


NIST_NAMES = [
    "Longley",
    "Filip",
    "Pontius",
    "NoInt1",
    "Wampler1",
    "Wampler2",
    "Wampler3",
    "Wampler4",
    "Wampler5",
]


def log_relative_error(w, certified):
    """NIST's LRE: correct significant digits of the worst coefficient."""
    return float(-np.log10(np.max(np.abs(w - certified) / np.abs(certified))))


def nist_problem(dataset):
    A = design_matrix(np.array(dataset["X"], dtype=float), dataset["intercept"])
    return A, np.array(dataset["y"], dtype=float), np.array(dataset["certified"])


def tree_merged(A, y, chunk):
    """Chunks merged pairwise, as a cluster's reduction tree would."""
    parts = [
        LeastSquaresStats.from_arrays(A[s : s + chunk], y[s : s + chunk])
        for s in range(0, len(y), chunk)
    ]
    while len(parts) > 1:
        parts = [a.merge(b) for a, b in zip(parts[::2], parts[1::2], strict=False)] + (
            [parts[-1]] if len(parts) % 2 else []
        )
    return parts[0]


@pytest.mark.parametrize("name", NIST_NAMES)
def test_optimum_on_nist_datasets(nist_datasets, name):
    A, y, certified = nist_problem(nist_datasets[name])
    required = 9.0 if name == "Longley" else 6.0
    for chunk in (None, 1, 3, 4, 7, 10):
        w = LeastSquaresStats.from_arrays(A, y, chunk).optimum()
        lre = log_relative_error(w, certified)
        assert lre >= required, f"{name}, chunk {chunk}: only {lre:.1f} correct digits"
    for chunk in (2, 5):
        lre = log_relative_error(tree_merged(A, y, chunk).optimum(), certified)
        assert lre >= required, f"{name}, tree of {chunk}-row chunks: only {lre:.1f} digits"


def test_refinement_is_what_makes_wampler5_accurate(nist_datasets):
    A, y, certified = nist_problem(nist_datasets["Wampler5"])
    stats = LeastSquaresStats.from_arrays(A, y, 4)
    without_moments = LeastSquaresStats(stats.R, stats.z, stats.rho, stats.n_rows)
    assert log_relative_error(without_moments.optimum(), certified) < 7.0
    # 8.7 to 9.8 digits by the BLAS kernel's roundings (tests/engines: NIST_DIGITS)
    assert log_relative_error(stats.optimum(), certified) >= 8.5


def test_moments_merge_by_addition(rng):
    A = design_matrix(rng.normal(size=(30, 2)))
    y = rng.normal(size=30)
    whole = LeastSquaresStats.from_arrays(A, y)
    merged = LeastSquaresStats.from_arrays(A, y, chunk_rows=7)
    augmented = np.column_stack([A, y])
    np.testing.assert_allclose(
        np.float64(merged.raw_moments()), augmented.T @ augmented, rtol=1e-13
    )
    np.testing.assert_allclose(merged.factor(), whole.factor(), rtol=1e-10, atol=1e-12)


def test_transformed_stats_are_those_of_the_reparametrised_design(rng):
    A = design_matrix(rng.normal(size=(25, 2)) * [3.0, 0.1] + [5.0, -2.0])
    y = rng.normal(size=25)
    M = np.array([[1.0, -0.5, 2.0], [0.0, 2.0, 0.0], [0.0, 0.0, 10.0]])
    moved = LeastSquaresStats.from_arrays(A, y).transformed(M)
    direct = LeastSquaresStats.from_arrays(A @ M, y)
    np.testing.assert_allclose(moved.factor(), direct.factor(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(moved.optimum(), direct.optimum(), rtol=1e-10)
    original = LeastSquaresStats.from_arrays(A, y).optimum()
    np.testing.assert_allclose(M @ moved.optimum(), original, rtol=1e-10)
