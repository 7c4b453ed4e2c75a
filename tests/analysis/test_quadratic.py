"""The analysis predicts gradient descent exactly: the loss curve, the bound, the steps."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.analysis.quadratic import (
    analyze,
    heavy_ball_parameters,
    momentum_growth,
    momentum_lr_bound,
    predicted_losses,
    steps_to_gap,
)
from gdlab.errors import DivergedError, LearningRateWarning
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2, MSE
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.optim.schedules import parse_schedule


def skewed_data(seed=0, n=60):
    """Three features with offsets and unequal scales: κ in the thousands."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 3.0, 0.3] + [2.0, -1.0, 0.5]
    y = X @ [1.0, -0.5, 2.0] + 0.7 + rng.normal(size=n)
    return gdlab.from_arrays(X, y)


# (data, fit options, lr as a fraction of the stable bound — None keeps the options' lr)
CASES = {
    "seed l2": (gdlab.seed_dataset(0), {}, None),
    "seed mse": (gdlab.seed_dataset(0), {"loss": "mse", "lr": 0.1}, None),
    "skewed, near the bound": (skewed_data(), {}, 0.95),
    "standardized": (skewed_data(), {"standardize": True}, 0.02),
    "ridge": (skewed_data(), {"l2": 3.0}, 0.5),
}


@pytest.mark.parametrize("case", list(CASES))
def test_predicted_loss_curve_equals_the_measured_one(case):
    data, options, fraction = CASES[case]
    options = {"steps": 300, **options}
    if fraction is not None:
        probe = gdlab.fit(data, **{**options, "steps": 1, "lr": 1e-9})
        options["lr"] = fraction * probe.analysis.lr_max_stable
    run = gdlab.fit(data, **options)
    predicted = predicted_losses(run.analysis, run.init, run.config.lr, len(run.losses))
    np.testing.assert_allclose(predicted, run.losses, rtol=1e-9, atol=0)


def test_predicted_curve_follows_a_schedule():
    data = gdlab.seed_dataset(1)
    run = gdlab.fit(data, lr=0.004, steps=120, schedule="step:30:0.5")
    schedule = parse_schedule("step:30:0.5", 0.004, 120)
    rates = [schedule(k) for k in range(120)]
    predicted = predicted_losses(run.analysis, run.init, rates, 120)
    np.testing.assert_allclose(predicted, run.losses, rtol=1e-9)


@pytest.mark.parametrize("loss", ["l2", "mse"])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_stable_bound_is_sharp(loss, seed):
    data = skewed_data(seed, n=40)
    bound = gdlab.fit(data, lr=1e-9, steps=1, loss=loss).analysis.lr_max_stable
    under = gdlab.fit(data, lr=0.99 * bound, steps=2500, loss=loss)
    assert under.stop_reason == "steps" and under.final_loss < under.initial_loss
    with pytest.warns(LearningRateWarning), pytest.raises(DivergedError):
        gdlab.fit(data, lr=1.01 * bound, steps=2500, loss=loss)


def test_mse_rates_are_the_l2_rates_times_n_over_2():
    data = gdlab.seed_dataset(0)
    l2 = gdlab.fit(data, steps=1).analysis
    mse = gdlab.fit(data, steps=1, loss="mse", lr=0.01).analysis
    assert mse.lr_max_stable == pytest.approx(l2.lr_max_stable * 50 / 2, rel=1e-12)
    assert l2.lr_by_loss["mse"]["lr_max_stable"] == pytest.approx(mse.lr_max_stable)
    assert mse.lr_by_loss["l2"]["lr_optimal"] == pytest.approx(l2.lr_optimal)


def test_steps_to_gap_is_the_first_step_within_the_gap():
    data = skewed_data(2)
    probe = gdlab.fit(data, lr=1e-9, steps=1).analysis
    run = gdlab.fit(data, lr=probe.lr_optimal, steps=4000)
    gap = 1e-6 * (run.initial_loss - run.analysis.optimum_loss)
    k = steps_to_gap(run.analysis, run.init, run.config.lr, gap)
    excess = np.array([run.initial_loss, *run.losses]) - run.analysis.optimum_loss
    assert k == int(np.argmax(excess <= gap)) and 10 < k < 4000
    assert steps_to_gap(run.analysis, run.init, 1.01 * probe.lr_max_stable, gap) is None


def test_seed_outlook_a_third_of_the_bound_and_the_steps_to_the_optimum():
    outlook = gdlab.demo(0).analysis.outlook
    assert outlook.ratio_to_bound == pytest.approx(1 / 3, rel=0.02)
    assert outlook.converges and 0 < outlook.steps_to_gap <= 50


def test_heavy_ball_best_parameters_and_momentum_bound():
    eigenvalues = np.array([1.0, 100.0])
    lr, beta = heavy_ball_parameters(eigenvalues)
    assert lr == pytest.approx(4 / 121) and beta == pytest.approx((9 / 11) ** 2)
    assert momentum_lr_bound(eigenvalues, 0.0, nesterov=False) == pytest.approx(0.02)
    data = skewed_data(3, n=40)
    probe = gdlab.fit(data, lr=1e-9, steps=1).analysis
    bound = momentum_lr_bound(probe.hessian_eigenvalues, 0.5, nesterov=False)
    options = {"optimizer": "momentum", "optimizer_options": {"momentum": 0.5}, "steps": 3000}
    assert gdlab.fit(data, lr=0.99 * bound, **options).stop_reason == "steps"
    with pytest.warns(LearningRateWarning), pytest.raises(DivergedError):
        gdlab.fit(data, lr=1.01 * bound, **options)


def test_eigen_decomposition_rebuilds_the_hessian(rng):
    A = design_matrix(rng.normal(size=(30, 2)) * [1, 10])
    stats = LeastSquaresStats.from_arrays(A, rng.normal(size=30))
    for loss in (L2, MSE):
        analysis = analyze(stats, loss)
        V, lam = analysis.hessian_eigenvectors, analysis.hessian_eigenvalues
        hessian = loss.curvature_scale(30) * A.T @ A
        np.testing.assert_allclose(V @ np.diag(lam) @ V.T, hessian, rtol=1e-10)
        assert list(lam) == sorted(lam)


def test_record_keeps_the_contract_keys_and_adds_the_outlook():
    record = gdlab.demo(0).to_record()["analysis"]
    for key in ("lr_max_stable", "lr_optimal", "condition_number", "hessian_eigenvalues"):
        assert key in record
    assert record["outlook"]["steps_to_gap"] == gdlab.demo(0).analysis.outlook.steps_to_gap
    assert set(record["lr_by_loss"]) == {"l2", "mse", "huber"}
    assert {"lr", "beta"} <= set(record["momentum_best"])
    assert record["conditioning"]["condition_number_after"] < record["condition_number"]


@pytest.mark.parametrize("nesterov", [False, True], ids=["heavy ball", "nesterov"])
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_momentum_bound_is_where_the_iteration_stops_contracting(beta, nesterov):
    eigenvalues = np.array([0.5, 4.0])
    bound = momentum_lr_bound(eigenvalues, beta, nesterov)
    assert momentum_growth(0.99 * bound, 4.0, beta, nesterov) < 1
    assert momentum_growth(1.01 * bound, 4.0, beta, nesterov) > 1
