"""L1 and the elastic net on the statistics: scikit-learn's optimum, exact zeros, the path."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.analysis.elasticnet import (
    elastic_net_optimum,
    lambda_max,
    quadratic_of,
    regularization_path,
)
from gdlab.data.dataset import from_arrays
from gdlab.engines.ridge import penalty_mask, ridge_statistics
from gdlab.model.losses import get_loss
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.training.fit import fit

sklearn = pytest.importorskip("sklearn.linear_model")


def correlated_data(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Six features, two of them nearly the same, three weights truly 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)) * [1, 1, 3, 0.5, 1, 2] + [0, 1, -2, 0, 5, 0]
    X[:, 1] = X[:, 0] + 0.1 * rng.normal(size=n)
    y = X @ [1.0, 2.0, 0.0, 0.0, -1.0, 0.0] + rng.normal(size=n) + 3.0
    return X, y


def statistics_optimum(X: np.ndarray, y: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """The elastic net's optimum from the statistics of [1 X | y] (½Σe² loss)."""
    A = np.column_stack([np.ones(len(y)), X])
    mask = penalty_mask(A.shape[1], intercept=True)
    loss = get_loss("l2")
    stats = ridge_statistics(LeastSquaresStats.from_arrays(A, y), l2, mask, loss)
    return elastic_net_optimum(quadratic_of(stats, loss), l1, mask)


@pytest.mark.parametrize(("alpha", "ratio"), [(0.01, 1.0), (0.1, 1.0), (0.05, 0.5), (0.5, 0.2)])
def test_the_optimum_is_scikit_learns_elastic_net_with_the_stated_mapping(alpha, ratio):
    X, y = correlated_data()
    n = len(y)
    ours = statistics_optimum(X, y, n * alpha * ratio, n * alpha * (1 - ratio))
    theirs = sklearn.ElasticNet(alpha=alpha, l1_ratio=ratio, tol=1e-14, max_iter=1_000_000)
    theirs.fit(X, y)
    np.testing.assert_allclose(ours, np.r_[theirs.intercept_, theirs.coef_], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(ours[1:] == 0, theirs.coef_ == 0)  # the same exact zeros


def test_a_large_l1_sets_weights_to_exactly_zero_and_lambda_max_is_where_all_are():
    X, y = correlated_data()
    A = np.column_stack([np.ones(len(y)), X])
    quadratic = quadratic_of(LeastSquaresStats.from_arrays(A, y), get_loss("l2"))
    mask = penalty_mask(7, intercept=True)
    largest = lambda_max(quadratic, mask)
    at = elastic_net_optimum(quadratic, largest * 1.001, mask)
    below = elastic_net_optimum(quadratic, largest * 0.95, mask)
    assert np.all(at[1:] == 0) and at[0] == pytest.approx(y.mean())
    assert np.count_nonzero(below[1:]) == 1
    some = elastic_net_optimum(quadratic, 0.1 * largest, mask)
    assert 0 < np.count_nonzero(some[1:]) < 6


@pytest.mark.filterwarnings("ignore:Objective did not converge")
def test_the_path_is_scikit_learns_lasso_path():
    X, y = correlated_data()
    n = len(y)
    A = np.column_stack([np.ones(n), X])
    quadratic = quadratic_of(LeastSquaresStats.from_arrays(A, y), get_loss("l2"))
    path = regularization_path(quadratic, penalty_mask(7, intercept=True))
    assert path.l1[0] == pytest.approx(lambda_max(quadratic, penalty_mask(7, True)))
    assert np.all(np.diff(path.l1) < 0) and np.all(path.weights[0, 1:] == 0)
    counts = np.count_nonzero(path.weights[:, 1:], axis=1)
    assert counts[-1] >= 5 and counts[0] == 0  # weights enter as λ₁ falls
    centred_X, centred_y = X - X.mean(axis=0), y - y.mean()  # lasso_path fits no intercept
    _, coefs, _ = sklearn.lasso_path(centred_X, centred_y, alphas=path.l1 / n, tol=1e-14)
    np.testing.assert_allclose(path.weights[:, 1:], coefs.T, atol=1e-6)
    scored = regularization_path(quadratic, penalty_mask(7, True), score=lambda l1, w: l1)
    np.testing.assert_allclose(scored.scores, scored.l1)  # a held-out score per λ₁ plugs in


@pytest.mark.parametrize("optimizer", ["gd", "fista"])
def test_proximal_training_reaches_the_record_optimum_with_its_zeros(optimizer):
    X, y = correlated_data()
    n = len(y)
    run = fit(from_arrays(X, y), l1=0.1 * n, l2=0.05 * n, optimizer=optimizer, steps=20_000)
    theirs = sklearn.ElasticNet(alpha=0.15, l1_ratio=2 / 3, tol=1e-14, max_iter=1_000_000)
    theirs.fit(X, y)
    expected = np.r_[theirs.intercept_, theirs.coef_]
    np.testing.assert_allclose(run.analysis.optimum_weights, expected, atol=1e-6)
    np.testing.assert_allclose(run.weights, expected, atol=1e-4)
    assert np.array_equal(run.weights[1:] == 0, expected[1:] == 0)  # exact zeros, not tiny
    assert run.convergence.converged
    mask = penalty_mask(7, intercept=True)
    penalised = 0.5 * np.sum((y - X @ expected[1:] - expected[0]) ** 2)
    penalised += 0.1 * n * np.abs(mask * expected).sum()
    penalised += 0.5 * 0.05 * n * np.sum(expected[1:] ** 2)
    assert run.analysis.optimum_loss == pytest.approx(penalised, rel=1e-9)
    assert run.final_loss == pytest.approx(penalised, rel=1e-6)


def test_standardized_l1_is_the_lasso_after_a_standard_scaler():
    X, y = correlated_data()
    n = len(y)
    run = fit(from_arrays(X, y), l1=0.1 * n, standardize=True, steps=20_000, optimizer="fista")
    scaled = (X - X.mean(axis=0)) / X.std(axis=0)
    theirs = sklearn.Lasso(alpha=0.1, tol=1e-14, max_iter=1_000_000).fit(scaled, y)
    # the record's weights are in the data's units: a_j = v_j / s_j, b = b_v − Σ v_j m_j / s_j
    slopes = theirs.coef_ / X.std(axis=0)
    bias = theirs.intercept_ - slopes @ X.mean(axis=0)
    np.testing.assert_allclose(run.analysis.optimum_weights, np.r_[bias, slopes], atol=1e-6)


def test_l1_refuses_what_it_cannot_do():
    X, y = correlated_data()
    with pytest.raises(Exception, match="quadratic loss"):
        fit(from_arrays(X, y), l1=1.0, loss="huber")
    with pytest.raises(Exception, match="tol_kind loss"):
        fit(from_arrays(X, y), l1=1.0, tol=1e-6)
