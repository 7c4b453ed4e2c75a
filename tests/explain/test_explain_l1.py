"""explain on an L1 run: the landscape's corners, the exact zeros, the proximal step's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.explain import explain
from gdlab.explain.numbers import num
from gdlab.training.fit import fit


@pytest.fixture(scope="module")
def lasso_run():
    """Three features, one of them pure noise: λ₁ sets its weight (and no other) to 0."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 3))
    y = 2.0 + 3.0 * X[:, 0] - 1.5 * X[:, 1] + rng.normal(size=80)
    return fit(from_arrays(X, y, ("temp", "price", "noise")), l1=15.0, steps=400)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_optimum_has_the_exact_zero_the_explanation_names(lasso_run):
    optimum = lasso_run.analysis.optimum_weights
    assert optimum[3] == 0 and np.all(optimum[1:3] != 0)
    english, korean = flat(explain(lasso_run, "en")), flat(explain(lasso_run, "ko"))
    assert "What the L1 penalty does to the landscape" in explain(lasso_run, "en")
    assert "Here 1 of the 3 feature weights are exactly 0 at the optimum: noise." in english
    assert "corners sit on the axes" in english and "diamonds (the ‖w‖₁ ball)" in english
    assert "L1 벌점이 손실 지형에 하는 일" in explain(lasso_run, "ko")
    assert "특성 가중치 3개 가운데 1개가 정확히 0입니다: noise." in korean
    assert "마름모(‖w‖₁ 공)" in korean
    assert "At the lasso optimum" in english and "라쏘 최적점" in korean


def test_the_proximal_step_is_written_with_the_runs_own_numbers(lasso_run):
    english, korean = flat(explain(lasso_run, "en")), flat(explain(lasso_run, "ko"))
    lr = float(lasso_run.config.lr)
    threshold = num(lr * 15.0)
    after = ", ".join(num(float(v)) for v in lasso_run.path[1])
    assert f"moves towards 0 by η·λ₁ = {threshold}" in english
    assert f"The first update moved the weights to ({after})" in english
    assert f"η·λ₁ = {threshold}만큼" in korean and f"({after})가 되었고" in korean
    # the step it describes is the soft threshold of a gradient step, as the run took it
    start, gradient = lasso_run.path[0], lasso_run.gradients[0]
    moved = start - lr * gradient
    expected = np.r_[moved[0], np.sign(moved[1:]) * np.maximum(np.abs(moved[1:]) - lr * 15, 0)]
    np.testing.assert_allclose(lasso_run.path[1], expected, rtol=1e-12)


def test_no_quadratic_step_count_is_claimed_for_an_l1_run(lasso_run):
    english = flat(explain(lasso_run, "en"))
    assert "as the eigenvalues predict" not in english and "Huber" not in english
    assert "with the L1 term the loss is not a quadratic" in english


def test_a_small_l1_says_no_weight_reaches_zero():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 2))
    run = fit(from_arrays(X, X @ [2.0, -1.0] + 1), l1=0.01, steps=300)
    assert "is not large enough to set any of the 2 feature weights to 0" in flat(explain(run))
