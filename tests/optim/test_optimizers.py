"""Every optimizer reaches the optimum of an easy and of a badly conditioned quadratic."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from gdlab.analysis.quadratic import analyze, heavy_ball_parameters
from gdlab.engines import DenseEngine
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2
from gdlab.optim.optimizers import OPTIMIZERS, make_optimizer, optimizer_options
from gdlab.optim.schedules import parse_schedule
from gdlab.training.loop import divergence_patience, train


def quadratic(badly_conditioned):
    """½Σ(Aw − y)² on 40 rows; the bad one has an offset, unequal scales and κ ≈ 300."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    if badly_conditioned:
        X = X * [1.0, 4.0] + [3.0, 0.0]
    A = design_matrix(X)
    y = A @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=40)
    engine = DenseEngine(A, y, L2)
    return engine, analyze(engine.statistics(), L2)


def settings(name, analysis):
    """(lr, options, schedule) for each optimizer, from the problem's own curvature."""
    eigenvalues = analysis.hessian_eigenvalues
    kappa = analysis.condition_number
    if name == "gd":
        return analysis.lr_optimal, {}, None
    if name == "momentum":
        lr, beta = heavy_ball_parameters(eigenvalues)
        return lr, {"momentum": beta}, None
    if name == "nesterov":
        return (
            1 / eigenvalues[-1],
            {"momentum": (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)},
            None,
        )
    if name == "adagrad":
        return 1.0, {}, None
    if name == "fista":  # its step bound 1/λmax
        return 1 / eigenvalues[-1], {}, None
    return 0.1, {}, "cosine"  # rmsprop and adam wander at the scale of lr: anneal it


@pytest.mark.parametrize("badly_conditioned", [False, True], ids=["easy", "ill-conditioned"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_converges_to_the_optimum(name, badly_conditioned):
    engine, analysis = quadratic(badly_conditioned)
    assert (analysis.condition_number > 100) == badly_conditioned
    lr, options, schedule = settings(name, analysis)
    steps = 6000
    rate = parse_schedule(schedule, lr, steps) if schedule else lr
    beta = options.get("momentum", 0.9 if name == "adam" else 0.0)
    result = train(
        engine,
        make_optimizer(name, rate, **options),
        np.zeros(3),
        steps,
        patience=divergence_patience(beta),
    )
    assert result.stop_reason == "steps"
    np.testing.assert_allclose(result.weights, analysis.optimum_weights, rtol=0, atol=1e-6)


def test_heavy_ball_at_its_best_parameters_beats_gd_at_its_best_rate():
    engine, analysis = quadratic(True)
    lr, beta = heavy_ball_parameters(analysis.hessian_eigenvalues)
    gap = 1e-8

    def steps_to(optimizer, patience):
        result = train(engine, optimizer, np.zeros(3), 4000, patience=patience)
        excess = np.array(result.losses) - analysis.optimum_loss
        return int(np.argmax(excess <= gap))

    heavy = steps_to(make_optimizer("momentum", lr, momentum=beta), divergence_patience(beta))
    plain = steps_to(make_optimizer("gd", analysis.lr_optimal), divergence_patience())
    assert 0 < heavy < plain / 4


def test_each_update_rule_matches_its_docstring_formula():
    g = np.array([2.0, -1.0])
    w = np.zeros(2)
    lr = 0.1

    def two_steps(name, **options):
        opt = make_optimizer(name, lr, **options)
        state = opt.init(w)
        first, state = opt.update(g, state, w)
        second, _ = opt.update(g, state, w)
        return first, second

    first, second = two_steps("momentum", momentum=0.5)
    np.testing.assert_allclose(second, -lr * (g + 0.5 * g))
    first, second = two_steps("nesterov", momentum=0.5)
    np.testing.assert_allclose(first, -lr * (g + 0.5 * g))
    np.testing.assert_allclose(second, -lr * (g + 0.5 * (g + 0.5 * g)))
    first, second = two_steps("adagrad", eps=1e-12)
    np.testing.assert_allclose(second, -lr * g / np.sqrt(2 * g**2))
    first, _ = two_steps("rmsprop", decay=0.75, eps=1e-12)
    np.testing.assert_allclose(first, -lr * g / np.sqrt(0.25 * g**2))
    first, second = two_steps("adam", eps=1e-12)
    np.testing.assert_allclose(first, -lr * np.sign(g))
    np.testing.assert_allclose(second, -lr * np.sign(g))


def test_a_schedule_sets_the_rate_of_each_update():
    opt = make_optimizer("gd", parse_schedule("step:2:0.5", 1.0, 10))
    state = opt.init(np.zeros(1))
    rates = []
    for _ in range(5):
        update, state = opt.update(np.ones(1), state, np.zeros(1))
        rates.append(-float(update[0]))
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.25]


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("gd", {"momentum": 0.9}, "'gd' has no option momentum; it takes: no options"),
        ("adam", {"beta1": 0.9}, "has no option beta1; it takes: b1, b2, eps"),
        ("momentum", {"momentum": 1.0}, "momentum must be in [0, 1)"),
        ("rmsprop", {"eps": 0.0}, "eps must be > 0"),
        ("sgdx", {}, "unknown optimizer 'sgdx'; choose one of: gd, momentum, nesterov"),
    ],
)
def test_bad_optimizer_settings_name_the_valid_ones(name, options, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        make_optimizer(name, 0.1, **options)


def test_optimizer_options_lists_defaults():
    assert optimizer_options("momentum") == {"momentum": 0.9}
    assert optimizer_options("adam") == {"b1": 0.9, "b2": 0.999, "eps": 1e-8}
    assert optimizer_options("gd") == {}
