"""GDRegressor with formulas (FormulaFeatures) and with the L1 penalty, against statsmodels
and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("formulaic")
pd = pytest.importorskip("pandas")
smf = pytest.importorskip("statsmodels.formula.api")

from sklearn.linear_model import Lasso  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from gdlab.errors import DataError  # noqa: E402
from gdlab.sklearn import FormulaFeatures, GDRegressor  # noqa: E402


def frame(n: int = 80, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    region = rng.choice(["a", "b", "c"], size=n)
    y = 1 + 2 * x1 + 0.5 * x1**2 + pd.Series(region).map({"a": 0, "b": 1, "c": -1}).to_numpy()
    return pd.DataFrame({"x1": x1, "region": region, "y": y + 0.3 * rng.normal(size=n)})


def test_a_pipeline_with_formula_features_predicts_as_statsmodels():
    data = frame()
    pipeline = Pipeline(
        [("design", FormulaFeatures("~ x1 + C(region) + I(x1**2)")), ("gd", GDRegressor())]
    )
    pipeline.fit(data, data["y"])
    reference = smf.ols("y ~ x1 + C(region) + I(x1**2)", data).fit()
    np.testing.assert_allclose(pipeline.predict(data), reference.predict(data), atol=1e-6)
    names = pipeline[0].get_feature_names_out().tolist()
    assert names == ["x1", "C(region)[T.b]", "C(region)[T.c]", "I(x1 ** 2)"]
    unseen = data.head(3).assign(region=["a", "z", "b"])
    with pytest.raises(DataError, match="level 'z' of column 'region' at data row 2"):
        pipeline.predict(unseen)


def test_gdregressor_l1_is_lasso_after_a_standard_scaler():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 4)) * [1, 5, 0.2, 2]
    y = X @ [1.0, 0.3, 0.0, -0.5] + rng.normal(size=100)
    ours = GDRegressor(l1=0.1 * 100, optimizer="fista", steps=5000).fit(X, y)
    theirs = make_pipeline(StandardScaler(), Lasso(alpha=0.1, tol=1e-12, max_iter=100_000))
    theirs.fit(X, y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-6)
