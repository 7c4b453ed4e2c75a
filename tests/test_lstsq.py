"""One-pass QR statistics: exact loss and gradient, chunk merging, accurate optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.data import design_matrix
from gdlab.lstsq import LeastSquaresStats


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


@pytest.mark.parametrize("chunk", [None, 3, 4, 7])
def test_optimum_on_nist_datasets(nist_datasets, chunk):
    for name, dataset in nist_datasets.items():
        X = np.array(dataset["X"], dtype=float)
        A = design_matrix(X, dataset["intercept"])
        certified = np.array(dataset["certified"])
        w = LeastSquaresStats.from_arrays(A, np.array(dataset["y"], float), chunk).optimum()
        lre = -np.log10(np.max(np.abs(w - certified) / np.abs(certified)))
        assert lre >= 5.5, f"{name}: only {lre:.1f} correct digits"
