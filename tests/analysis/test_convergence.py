"""The convergence criterion and the predicted steps, against runs that take them."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.analysis.convergence import (
    gap_scale,
    predicted_steps,
    relative_gap,
    target_gap,
)
from gdlab.analysis.rates import gd_rate, momentum_rate
from tests.realdata import real_dataset


def test_the_gap_is_relative_to_the_optimum_or_to_the_start_for_an_exact_fit():
    assert relative_gap(101.0, 100.0, 500.0) == pytest.approx(0.01)
    assert gap_scale(0.0, 1e6) == pytest.approx(1e-6)  # an exact fit: 1e-12 of the start
    assert relative_gap(2e-6, 0.0, 1e6) == pytest.approx(2.0)
    assert relative_gap(float("inf"), 1.0, 2.0) == float("inf")
    assert target_gap(100.0, 500.0) == pytest.approx(1e-4)


def excess_curve(problem, config, lr, steps):
    run = gdlab.train_problem(problem, config.with_options(lr=lr, steps=steps))
    return np.array([run.initial_loss, *run.losses]) - run.analysis.optimum_loss, run


@pytest.mark.parametrize("name", ["stackloss", "ccard", "diabetes"])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_predicted_steps_are_those_after_which_the_run_stays_converged(name, optimizer):
    problem = gdlab.prepare(real_dataset(name))
    config = gdlab.TrainingConfig(optimizer=optimizer, standardize=True, seed=3)
    first = gdlab.train_problem(problem, config.with_options(steps=1))
    eigenvalues, analysis = first.analysis.hessian_eigenvalues, first.analysis
    if optimizer == "gd":
        lr = gd_rate(eigenvalues)
    else:
        lr = momentum_rate(eigenvalues, 0.9, optimizer == "nesterov")
    target = target_gap(analysis.optimum_loss, first.initial_loss)
    predicted = predicted_steps(analysis, first.init, lr, optimizer, 0.9, target)
    assert predicted is not None and predicted > 1
    excess, run = excess_curve(problem, config, lr, predicted + 20)
    assert np.all(excess[predicted:] <= target)  # from the predicted step on, within it
    if optimizer == "gd":  # exact for plain GD: one step earlier it was not yet there
        assert excess[predicted - 1] > target
    else:  # an upper bound for momentum, but a close one
        last_above = int(np.nonzero(excess > target)[0].max())
        assert last_above + 1 >= 0.5 * predicted
    assert run.convergence.steps_to_converge == predicted


def test_no_prediction_for_optimizers_without_an_analysis():
    run = gdlab.fit(gdlab.seed_dataset(0), optimizer="adam", steps=5)
    assert run.convergence.steps_to_converge is None
    assert predicted_steps(run.analysis, run.init, 0.1, "adam", 0.9, 1.0) is None
