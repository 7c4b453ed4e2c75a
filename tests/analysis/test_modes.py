"""The eigen-directions: each mode's error, measured on the path and predicted in advance."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.analysis.modes import heavy_ball_rates, mode_factors, mode_path, predicted_modes
from gdlab.analysis.quadratic import heavy_ball_parameters, momentum_growth
from gdlab.optim.optimizers import make_optimizer
from gdlab.optim.schedules import parse_schedule


@pytest.mark.parametrize(
    ("optimizer", "options", "schedule"),
    [
        ("gd", {}, None),
        ("gd", {}, "exp:0.97"),
        ("momentum", {"momentum": 0.7}, None),
        ("nesterov", {"momentum": 0.5}, "cosine"),
    ],
)
def test_the_predicted_modes_are_the_path_the_run_took(optimizer, options, schedule):
    run = gdlab.fit(
        gdlab.seed_dataset(2), seed=2, optimizer=optimizer, optimizer_options=options,
        schedule=schedule, lr=0.002, steps=60,
    )  # fmt: skip
    rate = parse_schedule(schedule, 0.002, 60) if schedule else 0.002
    predicted = predicted_modes(
        run.analysis, run.init, make_optimizer(optimizer, rate, **options), 60
    )
    measured = mode_path(run.analysis, run.path)
    scale = np.abs(measured[0]).max()
    np.testing.assert_allclose(predicted, measured, atol=1e-12 * scale)


def test_a_standardised_run_decomposes_in_the_coordinates_it_trained_in():
    run = gdlab.fit(gdlab.seed_dataset(0), standardize=True, lr=0.01, steps=40)
    predicted = predicted_modes(run.analysis, run.init, make_optimizer("gd", 0.01), 40)
    np.testing.assert_allclose(predicted, mode_path(run.analysis, run.path), atol=1e-12)


def test_each_modes_factor_is_its_growth_per_step():
    eigenvalues = np.array([2.0, 50.0])
    np.testing.assert_allclose(mode_factors(0.01, eigenvalues, "gd"), [0.98, 0.5])
    heavy = mode_factors(0.01, eigenvalues, "momentum", 0.6)
    expected = [momentum_growth(0.01, lam, 0.6, nesterov=False) for lam in eigenvalues]
    np.testing.assert_allclose(heavy, expected)


def test_the_momentum_map_is_the_slowest_modes_spectral_radius():
    eigenvalues = np.array([1.0, 4.0, 9.0])
    lrs, betas = np.geomspace(1e-3, 0.5, 7), np.linspace(0, 0.95, 5)
    for nesterov in (False, True):
        rates = heavy_ball_rates(lrs, betas, eigenvalues, nesterov=nesterov)
        for i, beta in enumerate(betas):
            for j, lr in enumerate(lrs):
                slowest = max(momentum_growth(lr, lam, beta, nesterov) for lam in eigenvalues)
                assert rates[i, j] == pytest.approx(slowest, rel=1e-9, abs=1e-12)
    eta, beta = heavy_ball_parameters(eigenvalues)
    best = heavy_ball_rates([eta], [beta], eigenvalues)[0, 0]
    assert (
        best == pytest.approx(np.sqrt(beta))
        and best < heavy_ball_rates([eta], [0.0], eigenvalues)[0, 0]
    )
