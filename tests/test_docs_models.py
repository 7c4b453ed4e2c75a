"""docs/models.md stays true: its example runs as printed, its mapping is scikit-learn's."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.training.fit import fit

PAGE = Path(__file__).resolve().parents[1] / "docs" / "models.md"


def test_the_models_page_example_computes_what_it_prints():
    result = doctest.testfile(str(PAGE), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_stated_mse_mapping_is_scikit_learns_elastic_net():
    linear = pytest.importorskip("sklearn.linear_model")
    assert "--l1 2·α·ρ --l2 2·α·(1 − ρ)" in PAGE.read_text(encoding="utf-8")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(90, 4))
    y = X @ [1.0, 0.0, -2.0, 0.2] + rng.normal(size=90)
    alpha, ratio = 0.2, 0.6
    run = fit(from_arrays(X, y), loss="mse", l1=2 * alpha * ratio, l2=2 * alpha * (1 - ratio))
    theirs = linear.ElasticNet(alpha=alpha, l1_ratio=ratio, tol=1e-14, max_iter=1_000_000)
    theirs.fit(X, y)
    expected = np.r_[theirs.intercept_, theirs.coef_]
    np.testing.assert_allclose(run.analysis.optimum_weights, expected, atol=1e-6)
