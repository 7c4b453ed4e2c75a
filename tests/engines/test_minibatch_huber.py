"""Mini-batch SGD (shuffled from the seed) and Huber's loss, both on the dense engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

import gdlab
from gdlab.engines import DenseEngine, MiniBatchEngine, make_engine
from gdlab.engines.robust import huber_minimum
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix
from gdlab.model.losses import HUBER, L2, MSE, huber
from tests.conftest import run_cli, write_table


@pytest.fixture
def line():
    rng = np.random.default_rng(7)
    x = rng.normal(size=103)
    return gdlab.from_arrays(x, 0.5 + 2 * x + 0.2 * rng.normal(size=103))


@pytest.mark.parametrize("loss", [L2, MSE, HUBER], ids=["l2", "mse", "huber"])
def test_an_epoch_of_batch_gradients_averages_to_the_full_gradient(line, loss):
    A = design_matrix(line.features)
    w = np.array([0.3, -1.0])
    engine = MiniBatchEngine(A, line.target, loss, 10, np.random.default_rng(0))
    twin = MiniBatchEngine(A, line.target, loss, 10, np.random.default_rng(0))
    full_loss, full_gradient = DenseEngine(A, line.target, loss).loss_and_grad(w)
    seen, weighted = [], np.zeros(2)
    for _ in range(11):  # 103 rows in batches of 10: ten of 10, then one of 3
        batch = twin.next_batch()  # the same draws as `engine` makes
        value, gradient = engine.loss_and_grad(w)
        assert value == pytest.approx(full_loss, rel=1e-12)  # the recorded loss is the full one
        seen.extend(batch.tolist())
        weighted += gradient * batch.size / 103
    assert sorted(seen) == list(range(103))  # each row once per epoch
    np.testing.assert_allclose(weighted, full_gradient, rtol=1e-12)


def test_the_seed_fixes_every_batch_and_sgd_still_descends(line):
    first = gdlab.fit(line, batch_size=8, steps=300, lr=0.005, seed=4)
    again = gdlab.fit(line, batch_size=8, steps=300, lr=0.005, seed=4)
    other = gdlab.fit(line, batch_size=8, steps=300, lr=0.005, seed=5)
    assert first.losses == again.losses and first.losses != other.losses
    assert first.config.engine == "dense" and first.to_record()["config"]["batch_size"] == 8
    assert first.final_loss < 0.05 * first.initial_loss
    np.testing.assert_allclose(first.weights, first.analysis.optimum_weights, atol=0.05)


def test_a_batch_of_every_row_is_plain_gradient_descent(line):
    sgd = gdlab.fit(line, batch_size=10_000, steps=40, lr=0.003)
    plain = gdlab.fit(line, engine="dense", steps=40, lr=0.003)
    np.testing.assert_allclose(sgd.losses, plain.losses, rtol=1e-12)


def test_batch_size_needs_the_dense_engine_and_a_whole_number(line):
    with pytest.raises(ConfigError, match="runs on the dense engine, not stats"):
        gdlab.fit(line, engine="stats", batch_size=4)
    with pytest.raises(ConfigError, match=r"^batch_size must be a whole number"):
        gdlab.fit(line, batch_size=0)


def test_huber_gd_converges_to_the_irls_minimum_and_resists_outliers(line):
    y = line.target.copy()
    y[::10] += 40.0  # every tenth point an outlier
    data = gdlab.from_arrays(line.features, y)
    run = gdlab.fit(data, loss="huber", huber_delta=0.5, lr=0.005, steps=3000)
    assert run.config.engine == "dense" and run.to_record()["config"]["huber_delta"] == 0.5
    np.testing.assert_allclose(run.weights, run.analysis.optimum_weights, rtol=1e-8)
    assert run.final_loss == pytest.approx(run.analysis.optimum_loss, rel=1e-10)
    np.testing.assert_allclose(run.weights, [0.5, 2.0], atol=0.2)  # least squares is dragged off
    assert abs(gdlab.fit(data, steps=1).analysis.optimum_weights[0] - 0.5) > 1.0


def test_huber_minimum_sets_the_gradient_to_zero(line):
    A = design_matrix(line.features)
    loss = huber(0.1)
    w = huber_minimum(A, line.target, loss)
    _, gradient = DenseEngine(A, line.target, loss).loss_and_grad(w)
    assert np.max(np.abs(gradient)) < 1e-9
    with pytest.raises(ConfigError, match="Huber threshold"):
        huber(0.0)


def test_auto_picks_the_engine_and_the_record_says_which(line, tmp_path):
    assert gdlab.fit(line, steps=2).config.engine == "stats"
    assert gdlab.fit(line, steps=2, loss="huber").config.engine == "dense"
    wide = gdlab.from_arrays(np.eye(1100), np.ones(1100))
    assert make_engine("auto", design_matrix(wide.features), wide.target, L2).name == "dense"
    write_table(tmp_path / "d.csv", {"x": line.features[:, 0], "y": line.target})
    code, out, err = run_cli(
        "fit", str(tmp_path / "d.csv"), "--x", "x", "--y", "y", "--batch-size", "16", "--json"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["config"]["engine"] == "dense" and record["config"]["batch_size"] == 16
    code, out, err = run_cli(
        "fit", str(tmp_path / "d.csv"), "--x", "x", "--y", "y", "--loss", "huber", "--json"
    )
    assert code == 0 and json.loads(out)["config"]["engine"] == "dense", err
    code, _, err = run_cli(
        "fit", str(tmp_path / "d.csv"), "--x", "x", "--y", "y", "--engine", "stream",
        "--loss", "huber",
    )  # fmt: skip
    assert code == 2 and "needs a quadratic loss" in err and err.count("\n") == 1
