"""GDRegressor.partial_fit: batches merged exactly, the model of one fit over all rows."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from gdlab.onepass.arrays import pass_statistics
from gdlab.sklearn import GDRegressor


def batches_data(seed=0, rows=3000):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 3)) * [1.0, 3.0, 0.5] + [10.0, -4.0, 2.0]
    y = X @ [1.5, -2.0, 4.0] + 0.7 + rng.normal(size=rows)
    return X, y, rng.uniform(0.1, 5.0, size=rows)


def in_batches(model, X, y, weights=None, pieces=7):
    for rows in np.array_split(np.arange(len(y)), pieces):
        model.partial_fit(X[rows], y[rows], None if weights is None else weights[rows])
    return model


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("standardize", "rtol"), [(True, 1e-12), (False, 1e-10)])
def test_batches_give_the_model_of_one_fit_over_all_rows(standardize, rtol):
    # Standardised, GD reaches the optimum and the models agree to 1e-12; on the raw
    # columns 300 steps stop far short of it, where the iterates of statistics that differ
    # by rounding drift apart a little more.
    X, y, _ = batches_data()
    batched = in_batches(GDRegressor(standardize=standardize, steps=300), X, y)
    whole = GDRegressor(standardize=standardize, steps=300).fit(X, y)
    once = GDRegressor(standardize=standardize, steps=300).partial_fit(X, y)
    for other in (whole, once):
        np.testing.assert_allclose(batched.coef_, other.coef_, rtol=rtol)
        assert batched.intercept_ == pytest.approx(other.intercept_, rel=rtol)
        assert batched.n_iter_ == other.n_iter_
    columns = [X[:, j] for j in range(3)]
    np.testing.assert_allclose(
        batched.statistics_.optimum(), pass_statistics(columns, y, True).optimum(), rtol=1e-12
    )
    assert batched.statistics_.n_rows == 3000
    np.testing.assert_allclose(batched.predict(X[:5]), whole.predict(X[:5]), rtol=rtol)


def test_weighted_batches_fit_weighted_least_squares():
    X, y, w = batches_data(1)
    batched = in_batches(GDRegressor(), X, y, w)
    once = GDRegressor().partial_fit(X, y, w)
    np.testing.assert_allclose(batched.coef_, once.coef_, rtol=1e-12)
    A = np.column_stack([np.ones(len(y)), X]) * np.sqrt(w)[:, None]
    expected, *_ = np.linalg.lstsq(A, y * np.sqrt(w), rcond=None)
    np.testing.assert_allclose(batched.coef_, expected[1:], rtol=1e-9)
    assert batched.intercept_ == pytest.approx(expected[0], rel=1e-9)
    assert batched.statistics_.weight_total == pytest.approx(w.sum(), rel=1e-14)


def test_a_column_constant_over_the_batches_keeps_weight_zero():
    X, y, _ = batches_data(2, rows=600)
    X = np.column_stack([X[:, :2], np.full(600, 3.0)])
    model = in_batches(GDRegressor(), X, y, pieces=3)
    alone = GDRegressor().fit(X, y)
    assert model.coef_[2] == 0.0
    np.testing.assert_allclose(model.coef_, alone.coef_, rtol=1e-12, atol=1e-15)
    saved = model.to_saved_model()
    np.testing.assert_allclose(saved.predict(X[:4]), model.predict(X[:4]), rtol=1e-12)


def test_fit_forgets_the_batches_and_other_widths_are_refused():
    X, y, _ = batches_data(3, rows=400)
    model = GDRegressor().partial_fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[200:, :2], y[200:])
    model.fit(X[200:], y[200:])
    assert not hasattr(model, "statistics_")
    model.partial_fit(X[:200], y[:200])
    assert model.statistics_.n_rows == 200
