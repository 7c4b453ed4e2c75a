"""The rules of lr="auto": each the fastest rate its analysis justifies, checked numerically."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.analysis.digits import distinct
from gdlab.analysis.quadratic import heavy_ball_parameters, momentum_growth, momentum_lr_bound
from gdlab.analysis.rates import (
    MOMENTUM_MARGIN,
    adaptive_cap,
    adaptive_rate,
    batch_curvature,
    curved,
    damped_bound,
    gd_rate,
    momentum_rate,
    spectral_radius,
)

spectra = st.lists(st.floats(1e-3, 1e3), min_size=2, max_size=6).map(lambda v: np.sort(v))


def worst_growth(lr: float, eigenvalues: np.ndarray, beta: float, nesterov: bool) -> float:
    return max(momentum_growth(lr, float(v), beta, nesterov) for v in eigenvalues)


@settings(max_examples=60, deadline=None)
@given(eigenvalues=spectra)
def test_gd_rate_has_the_smallest_worst_contraction(eigenvalues):
    best = gd_rate(eigenvalues)
    worst = np.max(np.abs(1 - best * eigenvalues))
    for lr in np.geomspace(best / 3, 3 * best, 61):
        assert worst <= np.max(np.abs(1 - lr * eigenvalues)) + 1e-12


def test_gd_rate_leaves_out_directions_without_curvature():
    assert gd_rate(np.array([0.0, 1e-30, 2.0, 6.0])) == pytest.approx(0.25)
    assert curved(np.array([5.0])).tolist() == [5.0]


@settings(max_examples=40, deadline=None)
@given(eigenvalues=spectra, beta=st.floats(0.05, 0.95), nesterov=st.booleans())
def test_momentum_rate_minimises_the_spectral_radius_within_its_margin(eigenvalues, beta, nesterov):
    chosen = momentum_rate(eigenvalues, beta, nesterov)
    limit = MOMENTUM_MARGIN * damped_bound(float(eigenvalues[-1]), beta, nesterov)
    assert chosen <= damped_bound(float(eigenvalues[-1]), beta, nesterov) * (1 + 1e-12)
    assert chosen < momentum_lr_bound(eigenvalues, beta, nesterov)  # always stable
    radius = worst_growth(chosen, eigenvalues, beta, nesterov)
    assert radius < 1
    assert radius == pytest.approx(spectral_radius(eigenvalues, chosen, beta, nesterov))
    for lr in np.geomspace(limit / 1000, limit, 200):  # no rate within the margin is faster
        assert radius <= worst_growth(lr, eigenvalues, beta, nesterov) + 1e-9


def test_heavy_ball_at_polyaks_beta_gets_polyaks_rate_and_its_floor():
    eigenvalues = np.array([1.0, 2.0])
    lr, beta = heavy_ball_parameters(eigenvalues)
    chosen = momentum_rate(eigenvalues, beta, nesterov=False)
    assert chosen == pytest.approx(lr)
    assert spectral_radius(eigenvalues, chosen, beta, False) == pytest.approx(math.sqrt(beta))


def test_momentum_without_beta_is_plain_gd():
    eigenvalues = np.array([2.0, 30.0])
    for nesterov in (False, True):
        assert momentum_rate(eigenvalues, 0.0, nesterov) == pytest.approx(gd_rate(eigenvalues))


def test_on_an_ill_conditioned_problem_momentum_stays_inside_the_damped_range():
    """Unconstrained, the optimum sits at the edge of stability (the loss climbs a
    hundredfold first); within the margin the steepest direction shrinks by √β or faster."""
    eigenvalues = np.array([1e-4, 1e4])
    beta = 0.9
    for nesterov in (False, True):
        chosen = momentum_rate(eigenvalues, beta, nesterov)
        steep = momentum_growth(chosen, 1e4, beta, nesterov)
        assert steep <= math.sqrt(beta) + 1e-12


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(2, 30),
    batch=st.integers(1, 30),
    scale=st.sampled_from([1.0, 2.0 / 30]),
)
def test_no_batch_is_steeper_than_the_batch_bound(seed, rows, batch, scale):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(rows, 3)) * rng.uniform(0.1, 10, 3)
    batch = min(batch, rows)
    norms = np.einsum("ij,ij->i", A, A)
    largest = scale * float(np.linalg.eigvalsh(A.T @ A)[-1])
    bound = batch_curvature(norms, batch, scale, largest, 0.0)
    heaviest = np.argsort(norms)[-batch:]
    for rows_taken in [heaviest, *(rng.choice(rows, batch, replace=False) for _ in range(20))]:
        part = A[rows_taken]
        hessian = scale * (rows / batch) * part.T @ part  # the mini-batch engine's scaling
        assert np.linalg.eigvalsh(hessian)[-1] <= bound * (1 + 1e-9)


def test_adaptive_rates_are_shares_of_the_distance_and_capped():
    assert adaptive_rate("adagrad", 2.0, 50) == pytest.approx(math.sqrt(2.0))
    assert adaptive_rate("adam", 3.0, 20) == pytest.approx(0.3)
    assert adaptive_rate("adam", 3.0, 10_000) == pytest.approx(0.003)
    assert adaptive_rate("rmsprop", 3.0, 1000) == pytest.approx(0.006)
    cap = adaptive_cap(8.0, np.array([1.0, 3.0]))  # ½·η²·tr H = excess: η = 2
    assert cap == pytest.approx(2.0)
    assert adaptive_rate("adagrad", 100.0, 50, cap) == pytest.approx(2.0)
    assert adaptive_cap(0.0, np.array([1.0])) == math.inf  # at the optimum: no cap


def test_distinct_digits_tell_close_numbers_apart():
    bound, best = 2 / 243_902.4, 2 / (243_902.4 + 0.074)
    low, high = distinct(bound, best)
    assert low != high and float(low) == pytest.approx(bound, rel=1e-6)
    assert distinct(0.5, 0.5) == ("0.5", "0.5")
    assert distinct(1.0, 1.0 + 1e-15) != ("1", "1")
