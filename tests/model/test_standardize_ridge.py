"""Standardised training reports the data's units; ridge is a least-squares problem too."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.engines import DenseEngine
from gdlab.engines.ridge import RidgeEngine, penalty_mask
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2, MSE
from gdlab.model.standardize import fit_standardization


def offset_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 2)) * [2.0, 0.2] + [30.0, -4.0]
    return gdlab.from_arrays(X, X @ [0.5, 3.0] - 7.0 + 0.1 * rng.normal(size=80))


def test_standardized_run_reaches_the_same_optimum_in_the_data_units():
    data = offset_data()
    plain = gdlab.fit(data, lr=1e-9, steps=1).analysis
    run = gdlab.fit(data, standardize=True, lr=0.01, steps=400)
    np.testing.assert_allclose(run.analysis.optimum_weights, plain.optimum_weights, rtol=1e-9)
    np.testing.assert_allclose(run.weights, plain.optimum_weights, rtol=1e-8)
    predictions = design_matrix(data.features) @ run.weights
    residual = predictions - data.target
    assert run.final_loss == pytest.approx(0.5 * residual @ residual, rel=1e-9)
    conditioning = run.analysis.conditioning
    assert conditioning.applied and conditioning.condition_after < 10
    assert conditioning.condition_before > 1e4
    assert conditioning.steps_after < conditioning.steps_before


def test_standardized_init_and_path_are_in_the_data_units():
    data = offset_data(1)
    run = gdlab.fit(data, standardize=True, init=[1.0, 2.0, 3.0], lr=0.005, steps=3)
    np.testing.assert_allclose(run.init, [1.0, 2.0, 3.0], rtol=1e-12)
    np.testing.assert_allclose(run.path[0], [1.0, 2.0, 3.0], rtol=1e-12)
    A = design_matrix(data.features)
    for w, loss in zip(run.path[1:], run.losses, strict=True):
        e = A @ w - data.target
        assert 0.5 * e @ e == pytest.approx(loss, rel=1e-9)


def test_standardization_map_round_trip():
    scaling = fit_standardization(np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]]))
    np.testing.assert_allclose(scaling.to_original() @ scaling.to_standard(), np.eye(3), atol=1e-15)
    no_bias = fit_standardization(np.array([[1.0], [3.0]]), intercept=False)
    assert no_bias.means.tolist() == [0.0]


@pytest.mark.parametrize("loss", [L2, MSE], ids=["l2", "mse"])
def test_ridge_optimum_solves_the_penalised_normal_equations(loss):
    data = offset_data(2)
    l2 = 4.0
    run = gdlab.fit(data, l2=l2, loss=loss.name, lr=1e-9, steps=1)
    A = design_matrix(data.features)
    h = loss.curvature_scale(len(data.target))
    penalty = np.diag(penalty_mask(3, intercept=True)) * l2
    expected = np.linalg.solve(h * A.T @ A + penalty, h * A.T @ data.target)
    np.testing.assert_allclose(run.analysis.optimum_weights, expected, rtol=1e-8)
    w = run.analysis.optimum_weights
    e = A @ w - data.target
    optimum_loss = loss.value(e) + 0.5 * l2 * (w[1:] @ w[1:])
    assert run.analysis.optimum_loss == pytest.approx(optimum_loss, rel=1e-10)


def test_ridge_engine_adds_the_penalty_to_loss_and_gradient(rng):
    A = design_matrix(rng.normal(size=(10, 2)))
    y = rng.normal(size=10)
    engine = RidgeEngine(DenseEngine(A, y, L2), 2.0, penalty_mask(3, True))
    w = np.array([1.0, -1.0, 0.5])
    loss, grad = engine.loss_and_grad(w)
    e = A @ w - y
    assert loss == pytest.approx(0.5 * e @ e + 0.5 * 2.0 * (1.0 + 0.25))
    np.testing.assert_allclose(grad, A.T @ e + 2.0 * np.array([0.0, -1.0, 0.5]))
    with pytest.raises(ConfigError, match=r"^l2 must"):  # named as Python spells it
        gdlab.fit(gdlab.seed_dataset(0), l2=-1.0)


@pytest.mark.filterwarnings("ignore::gdlab.errors.DataWarning")  # collinear with the bias
def test_a_constant_feature_is_named_when_standardizing():
    X = np.column_stack([np.arange(20.0), np.ones(20)])
    data = gdlab.from_arrays(X, np.arange(20.0), feature_names=["t", "one"])
    with pytest.raises(gdlab.DataError, match="column 'one' is constant"):
        gdlab.fit(data, standardize=True)
    run = gdlab.fit(data, lr=1e-4, steps=2)  # still fits; only the comparison is left out
    assert run.analysis.conditioning is None


def test_standardize_on_files_and_streams_matches_the_in_memory_run(tmp_path):
    rng = np.random.default_rng(3)
    area, rooms = rng.normal(5, 2, 200), rng.normal(-3, 1, 200)
    price = 1.5 + 0.8 * area - 2 * rooms + rng.normal(0, 0.5, 200)
    path = tmp_path / "houses.csv"
    rows = [
        f"{a},{b},{c}"
        for a, b, c in zip(area.tolist(), rooms.tolist(), price.tolist(), strict=True)
    ]
    path.write_text("area,rooms,price\n" + "\n".join(rows) + "\n")
    memory = gdlab.fit(
        gdlab.read_table(path, ["area", "rooms"], "price"), lr=0.002, steps=40, standardize=True
    )
    for engine in ("auto", "stream"):
        files = gdlab.fit(
            gdlab.open_files(path, ["area", "rooms"], "price"),
            lr=0.002,
            steps=40,
            standardize=True,
            engine=engine,
        )
        np.testing.assert_allclose(
            files.analysis.hessian_eigenvalues, memory.analysis.hessian_eigenvalues, rtol=1e-9
        )
        np.testing.assert_allclose(files.weights, memory.weights, rtol=1e-9)
        np.testing.assert_allclose(files.losses, memory.losses, rtol=1e-9)
