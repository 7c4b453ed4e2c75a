"""Degenerate designs: collinear, constant and all-zero features, with and without the bias.

The floor, R² and degrees of freedom must be those of the least-squares fit over the columns
that carry information (numpy's minimum-norm lstsq is the reference), and a run must reach
that floor, for l2, mse and Huber.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.analysis.quadratic import analyze
from gdlab.analysis.regression import regression_summary
from gdlab.data.dataset import from_arrays
from gdlab.errors import DataError, DataWarning
from gdlab.model.linear import design_matrix
from gdlab.model.losses import get_loss, huber
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.training.fit import fit

RNG = np.random.default_rng(1)
X = np.linspace(-2, 4, 20)
Y = 3 * X + 1 + RNG.normal(size=20)
DESIGNS = {
    "collinear": np.column_stack([X, 2 * X]),
    "constant": np.column_stack([X, np.full(20, 5.0)]),
    "all-zero": np.column_stack([X, np.zeros(20)]),
    "only-constant": np.full((20, 1), 5.0),
}


def least_squares_truth(A: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """min Σe² and rank by numpy's SVD-based lstsq."""
    w, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(np.sum((A @ w - y) ** 2)), int(np.linalg.matrix_rank(A))


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("name", list(DESIGNS))
def test_floor_r_squared_and_df_match_lstsq(name, intercept):
    A = design_matrix(DESIGNS[name], intercept)
    sse, rank = least_squares_truth(A, Y)
    stats = LeastSquaresStats.from_arrays(A, Y)
    assert stats.rank() == rank
    assert stats.least_sum_of_squares() == pytest.approx(sse, rel=1e-10)
    for loss in ("l2", "mse"):
        floor = analyze(stats, get_loss(loss)).optimum_loss
        assert floor == pytest.approx(get_loss(loss).sum_weight(20) * sse, rel=1e-10)
    summary = regression_summary(stats, [f"w{i}" for i in range(A.shape[1])], intercept)
    total = np.sum((Y - Y.mean()) ** 2) if intercept else np.sum(Y**2)
    assert summary.r_squared == pytest.approx(1 - sse / total, rel=1e-10)
    assert summary.df_residual == 20 - rank
    if rank < A.shape[1]:  # undetermined weights have no standard errors
        assert np.all(np.isnan(summary.std_errors))


def test_the_floor_was_too_low_before_on_collinear_columns():
    """QR without pivoting leaves part of the residual along a rounding-noise column: ρ²
    alone is below the true minimum (what the page showed as the floor)."""
    stats = LeastSquaresStats.from_arrays(design_matrix(DESIGNS["collinear"], True), Y)
    assert stats.rho**2 < 0.95 * stats.least_sum_of_squares()


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("loss", ["l2", "mse", "huber"])
@pytest.mark.parametrize("name", list(DESIGNS))
def test_runs_reach_the_floor_they_report(name, loss, intercept):
    data = from_arrays(DESIGNS[name], Y)
    run = fit(data, loss=loss, intercept=intercept, steps=3000, lr="auto")
    floor = run.analysis.optimum_loss
    assert np.isfinite(floor)
    assert run.losses[-1] >= floor * (1 - 1e-9)  # nothing goes below the true minimum
    assert run.losses[-1] == pytest.approx(floor, rel=1e-6)
    if loss == "huber":  # Huber's own minimum, not the l2 floor
        sse, _ = least_squares_truth(design_matrix(DESIGNS[name], intercept), Y)
        assert floor < 0.5 * sse


def test_huber_minimum_of_a_constant_beside_the_bias():
    """IRLS on a rank-deficient design: each weighted solve must find a real minimiser
    (a nearly singular factor once taken for full rank threw the weights to 1e15)."""
    data = from_arrays(DESIGNS["only-constant"], Y)
    run = fit(data, loss="huber", steps=3000, lr="auto")
    grid = np.linspace(Y.min(), Y.max(), 20001)
    best = min(huber(1.0).value(c - Y) for c in grid)
    assert run.analysis.optimum_loss == pytest.approx(best, rel=1e-6)


def test_no_curvature_at_all_is_a_one_line_error():
    data = from_arrays(np.zeros((20, 2)), Y, ["p", "q"])
    with pytest.raises(DataError, match=r"every feature column \(p, q\) is all zeros"):
        fit(data, intercept=False)


def test_an_all_zero_column_is_named_and_its_weight_stays_at_its_start():
    data = from_arrays(DESIGNS["all-zero"], Y, ["x", "zero"])
    with pytest.warns(DataWarning, match=r"arrays: 'zero' is all zeros.*leaves it at its start"):
        run = fit(data, steps=200, lr="auto")
    assert run.weights[2] == run.init[2]  # no gradient along it, ever
    assert np.isnan(run.analysis.regression.std_errors).all()


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("name", ["collinear", "constant", "all-zero"])
def test_weighted_degenerate_floor_and_r_squared_are_those_of_repeated_rows(name, intercept):
    """A row of weight k counts as k rows, on degenerate designs too (the floor, R², the
    model's degrees of freedom)."""
    times = np.arange(20) % 3  # weights 0, 1, 2
    A = DESIGNS[name]
    weighted = fit(from_arrays(A, Y, weights=times.astype(float)), intercept=intercept, steps=3000)
    plain = fit(
        from_arrays(np.repeat(A, times, axis=0), np.repeat(Y, times)),
        intercept=intercept,
        steps=3000,
    )
    assert weighted.analysis.optimum_loss == pytest.approx(plain.analysis.optimum_loss, rel=1e-9)
    ours, theirs = weighted.analysis.regression, plain.analysis.regression
    assert ours.r_squared == pytest.approx(theirs.r_squared, rel=1e-9)
    rank = int(np.linalg.matrix_rank(design_matrix(A, intercept)))
    assert ours.df_model == theirs.df_model == rank - intercept  # bias not counted
