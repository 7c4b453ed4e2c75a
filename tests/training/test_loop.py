"""The training loop: history, the seed's recording order, stability and divergence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.engines import DenseEngine
from gdlab.errors import ConfigError, DivergedError, LearningRateWarning
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2, MSE
from gdlab.optim.optimizers import gd
from gdlab.training.loop import train


def test_losses_are_recorded_after_each_update():
    A = design_matrix([[0.0], [1.0], [2.0]])
    y = np.array([1.0, 3.0, 5.0])
    engine = DenseEngine(A, y, L2)
    result = train(engine, gd(0.05), [0.0, 0.0], 3)
    w = np.zeros(2)
    expected = []
    for _ in range(3):
        w = w - 0.05 * A.T @ (A @ w - y)
        expected.append(0.5 * np.sum((A @ w - y) ** 2))
    np.testing.assert_allclose(result.losses, expected, rtol=1e-14)
    assert result.initial_loss == pytest.approx(0.5 * np.sum(y**2))
    np.testing.assert_allclose(result.path[-1], w)
    assert result.path.shape == (4, 2) and result.stop_reason == "steps"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), fraction=st.floats(0.05, 0.99), loss=st.sampled_from([L2, MSE]))
def test_gd_with_a_stable_rate_never_raises_the_loss(seed, fraction, loss):
    rng = np.random.default_rng(seed)
    data = gdlab.from_arrays(rng.normal(size=(30, 2)) * [1, 5] + [3, 0], rng.normal(size=30))
    probe = gdlab.fit(data, lr=1e-9, steps=1, loss=loss.name)
    # For a quadratic, a rate below 2/λ_max (and here ≤ the bound's mid-point) never rises.
    lr = fraction * probe.analysis.lr_max_stable
    run = gdlab.fit(data, lr=lr, steps=60, loss=loss.name, seed=seed)
    losses = np.array([run.initial_loss, *run.losses])
    assert np.all(np.diff(losses) <= 1e-12 * losses[:-1])


def test_divergence_stops_early_and_names_the_bound():
    data = gdlab.seed_dataset(0)
    with (
        pytest.warns(LearningRateWarning, match="will diverge"),
        pytest.raises(DivergedError, match="largest stable learning rate") as caught,
    ):
        gdlab.fit(data, lr=0.1, steps=10_000)
    run = caught.value.run
    assert run.stop_reason == "diverged" and len(run.losses) < 10_000


def test_rate_just_over_the_bound_is_reported_as_diverged():
    data = gdlab.seed_dataset(0)
    bound = gdlab.fit(data, steps=1).analysis.lr_max_stable
    assert gdlab.fit(data, lr=0.99 * bound, steps=3000).stop_reason == "steps"
    with pytest.warns(LearningRateWarning), pytest.raises(DivergedError):
        gdlab.fit(data, lr=1.01 * bound, steps=3000)


def test_bad_steps_and_init_are_config_errors():
    data = gdlab.seed_dataset(0)
    with pytest.raises(ConfigError, match="steps"):
        gdlab.fit(data, steps=0)
    with pytest.raises(ConfigError, match=r"^init needs 2 values"):  # as Python spells it
        gdlab.fit(data, init=[1.0])


def test_many_features_weights_are_bias_first_in_the_given_order(rng):
    X = rng.normal(size=(200, 3))
    y = 0.5 + X @ [1.0, -2.0, 3.0]
    data = gdlab.from_arrays(X, y, feature_names=["p", "q", "r"])
    run = gdlab.fit(data, lr=0.002, steps=3000)
    assert run.weight_names == ("b", "p", "q", "r")
    np.testing.assert_allclose(run.weights, [0.5, 1.0, -2.0, 3.0], atol=1e-8)
    np.testing.assert_allclose(run.analysis.optimum_weights, [0.5, 1.0, -2.0, 3.0], atol=1e-12)


def test_on_step_sees_every_update_and_can_stop_the_run():
    seen = []

    def watch(step, loss, w):
        seen.append((step, loss))
        return step == 7

    run = gdlab.fit(gdlab.seed_dataset(0), steps=50, on_step=watch)
    assert run.stop_reason == "stopped" and len(run.losses) == 7
    assert [s for s, _ in seen] == list(range(1, 8))
    assert [loss for _, loss in seen] == run.losses
