"""Gradients agree with finite differences of the loss, for every loss and shape."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.engines import DenseEngine
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2, LOSSES, MSE


def central_difference(engine, w, h=1e-6):
    grad = np.zeros_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step[i] = h
        grad[i] = (engine.loss_and_grad(w + step)[0] - engine.loss_and_grad(w - step)[0]) / (2 * h)
    return grad


@pytest.mark.parametrize("loss", list(LOSSES.values()), ids=list(LOSSES))
@settings(max_examples=30, deadline=None)
@given(rows=st.integers(2, 40), features=st.integers(1, 4), seed=st.integers(0, 2**31))
def test_gradient_matches_finite_differences(loss, rows, features, seed):
    rng = np.random.default_rng(seed)
    A = design_matrix(rng.normal(size=(rows, features)))
    y = rng.normal(size=rows)
    engine = DenseEngine(A, y, loss)
    w = rng.normal(size=features + 1)
    _, grad = engine.loss_and_grad(w)
    np.testing.assert_allclose(grad, central_difference(engine, w), rtol=1e-5, atol=1e-6)


def test_l2_is_half_sum_of_squares_and_mse_the_mean():
    residual = np.array([1.0, -2.0, 3.0])
    assert L2.value(residual) == pytest.approx(7.0)
    assert MSE.value(residual) == pytest.approx(14.0 / 3)
