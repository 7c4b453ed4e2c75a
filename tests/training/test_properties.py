"""Properties of gradient descent that hold for any data, checked with hypothesis.

* A stable rate never raises the loss: for L(w) = ½(w−w*)ᵀH(w−w*) + L* and η < 2/λ_max,
  L(w − η∇L) − L(w) = −η‖g‖² + ½η²gᵀHg ≤ −η‖g‖²(1 − ηλ_max/2) ≤ 0.
* Rescaling is equivariant. GD on ½‖Aw − y‖² (or mean(e²)) with the design rescaled,
  A' = A·D (D diagonal), from w'₀ = D⁻¹w₀ at rate η', gives
  w'_{k+1} = w'_k − η'·D·Aᵀe, and D⁻¹w_{k+1} = w'_k − η·D⁻¹Aᵀe, with the same residual e
  at every step (A'w' = Aw). The two agree for every data set iff η'·D² = η·I:
  every column scaled by the same |s|, and η' = η/s². In the bias-first design the bias
  column is the constant 1, so the exact rule is: scale x and the bias input together,
  A' = s·A, and take η' = η/s²; then w'_k = w_k/s and every loss is the same. Without an
  intercept that is simply x → s·x. Scaling x alone (bias input kept at 1) has no
  single-rate rule: the bias wants η, the slopes η/s².
* All engines agree: they compute the same iterates up to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.engines import ENGINES
from gdlab.model.linear import design_matrix

#: Engines that train on in-memory arrays (stream reads files; it is tested in test_stream).
IN_MEMORY_ENGINES = tuple(e for e in ENGINES if e != "stream")

PROPERTY = settings(max_examples=100, deadline=None)
#: The random problems include collinear ones, which gdlab rightly warns about.
pytestmark = pytest.mark.filterwarnings("ignore::gdlab.errors.DataWarning")


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Random regression data: 2–40 rows, 1–4 features of mixed scales and offsets."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows, k = draw(st.integers(2, 40)), draw(st.integers(1, 4))
    scales = 10.0 ** rng.uniform(-2, 2, k)
    offsets = rng.normal(0, 3, k) * scales
    X = rng.normal(size=(rows, k)) * scales + offsets
    y = X @ rng.normal(size=k) + rng.normal(0, draw(st.floats(0.0, 2.0)), rows)
    return X, y, rng


def lr_bound(data: gdlab.Dataset, loss: str, intercept: bool) -> float:
    """2/λ_max for this data and loss, from the run's own analysis (a tiny, stable lr: the
    bound does not depend on it, and a rate past it would warn)."""
    run = gdlab.fit(data, lr=1e-30, steps=1, loss=loss, intercept=intercept)
    return run.analysis.lr_max_stable


@PROPERTY
@given(
    problem=problems(),
    fraction=st.floats(0.01, 0.99),
    loss=st.sampled_from(["l2", "mse"]),
    intercept=st.booleans(),
    engine=st.sampled_from(IN_MEMORY_ENGINES),
)
def test_gd_with_a_stable_rate_never_raises_the_loss(problem, fraction, loss, intercept, engine):
    X, y, rng = problem
    data = gdlab.from_arrays(X, y)
    lr = fraction * lr_bound(data, loss, intercept)
    init = rng.normal(0, 10, X.shape[1] + intercept)
    run = gdlab.fit(data, lr=lr, steps=40, loss=loss, intercept=intercept, init=init, engine=engine)
    losses = np.array([run.initial_loss, *run.losses])
    assert np.all(np.diff(losses) <= 1e-10 * losses[0] + 1e-300), losses


@PROPERTY
@given(
    problem=problems(),
    fraction=st.floats(0.05, 0.95),
    scale=st.floats(1e-3, 1e3) | st.integers(-6, 6).map(lambda p: 2.0**p),
    sign=st.sampled_from([1.0, -1.0]),
    loss=st.sampled_from(["l2", "mse"]),
)
def test_scaling_the_design_by_s_and_the_rate_by_one_over_s_squared_scales_weights(
    problem, fraction, scale, sign, loss
):
    X, y, rng = problem
    s = sign * scale
    A = design_matrix(X)  # [1, x…]: the bias input is rescaled with the features
    lr = fraction * lr_bound(gdlab.from_arrays(A, y), loss, intercept=False)
    w0 = rng.normal(size=A.shape[1])
    options = {"steps": 25, "loss": loss, "intercept": False}
    base = gdlab.fit(gdlab.from_arrays(A, y), lr=lr, init=w0, **options)
    scaled = gdlab.fit(gdlab.from_arrays(s * A, y), lr=lr / s**2, init=w0 / s, **options)
    if np.log2(scale) == round(np.log2(scale)):  # powers of two scale exactly: same bits
        np.testing.assert_array_equal(scaled.weights, base.weights / s)
        np.testing.assert_array_equal(scaled.losses, base.losses)
    tol = {"rtol": 1e-9, "atol": 1e-12 * np.max(np.abs(base.path))}
    np.testing.assert_allclose(scaled.weights * s, base.weights, **tol)
    np.testing.assert_allclose(scaled.losses, base.losses, rtol=1e-9, atol=1e-12 * base.losses[0])
    assert scaled.analysis.lr_max_stable == pytest.approx(base.analysis.lr_max_stable / s**2)


def test_scaling_x_alone_has_no_single_rate_rule_with_a_bias():
    data = gdlab.seed_dataset(0)
    w0 = [0.3, -0.2]
    base = gdlab.fit(data, lr=0.0005, steps=20, init=w0)
    wider = gdlab.from_arrays(2.0 * data.features, data.target)
    for lr in (0.0005, 0.0005 / 4):  # the bias's rate, then the slope's
        scaled = gdlab.fit(wider, lr=lr, steps=20, init=[w0[0], w0[1] / 2])
        assert not np.allclose(scaled.weights * [1.0, 2.0], base.weights, rtol=1e-6)
    exact = gdlab.fit(
        gdlab.from_arrays(2.0 * design_matrix(data.features), data.target),
        lr=0.0005 / 4, steps=20, init=[w0[0] / 2, w0[1] / 2], intercept=False,
    )  # fmt: skip
    np.testing.assert_array_equal(exact.weights * 2.0, base.weights)


@pytest.mark.filterwarnings("ignore::gdlab.errors.LearningRateWarning")  # up to 1.2× on purpose
@settings(max_examples=40, deadline=None)
@given(
    problem=problems(),
    fraction=st.floats(0.05, 1.2),
    loss=st.sampled_from(["l2", "mse"]),
    intercept=st.booleans(),
)
def test_all_engines_compute_the_same_iterates(problem, fraction, loss, intercept):
    # At the bound itself the top direction's error neither shrinks nor grows, and rounding
    # decides whether it creeps up: engines may then rightly disagree on "diverged".
    assume(abs(fraction - 1.0) > 0.01)
    X, y, rng = problem
    data = gdlab.from_arrays(X, y)
    lr = fraction * lr_bound(data, loss, intercept)
    init = rng.normal(size=X.shape[1] + intercept)
    runs = {
        engine: gdlab.fit(
            data,
            lr=lr,
            steps=30,
            loss=loss,
            intercept=intercept,
            init=init,
            engine=engine,
            raise_on_divergence=False,
        )
        for engine in IN_MEMORY_ENGINES
    }
    reference = runs["dense"]
    for engine, run in runs.items():
        assert len(run.losses) == len(reference.losses), engine
        scale = np.max(np.abs(reference.path))
        np.testing.assert_allclose(run.path, reference.path, rtol=1e-8, atol=1e-10 * scale)
        np.testing.assert_allclose(
            run.losses, reference.losses, rtol=1e-8, atol=1e-10 * reference.initial_loss
        )
