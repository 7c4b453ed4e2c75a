"""GDRegressor: a scikit-learn estimator that a pipeline or a grid search takes as is."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import gdlab
from gdlab.sklearn import GDRegressor


@parametrize_with_checks([GDRegressor()])
def test_passes_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture
def offset_data():
    """Features far from zero with unequal scales: raw GD would need ~10⁶ steps."""
    rng = np.random.default_rng(0)
    X = rng.normal([1000.0, -5.0, 0.0], [1.0, 30.0, 0.01], size=(120, 3))
    y = 4.0 + X @ [1.5, -0.2, 30.0] + 0.1 * rng.normal(size=120)
    return X, y


def test_matches_least_squares_on_badly_scaled_data(offset_data):
    X, y = offset_data
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = GDRegressor().fit(X, y)
    exact = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-8)
    assert model.intercept_ == pytest.approx(exact.intercept_, rel=1e-8)
    np.testing.assert_allclose(model.predict(X), exact.predict(X), rtol=1e-10)
    assert model.n_iter_ == 1000 == len(model.loss_curve_)
    assert model.loss_curve_[-1] <= model.loss_curve_[0]
    assert model.lr_ == pytest.approx(model.run_.analysis.lr_optimal)


def test_pipeline_and_grid_search_with_dataframe_names(offset_data):
    X, y = offset_data
    frame = pd.DataFrame(X, columns=["size", "age", "tilt"])
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GDRegressor(lr=1e-3, standardize=False)),
        {"gdregressor__steps": [2, 300]},
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the 2-step candidate
        search.fit(frame, y)
    assert search.best_params_ == {"gdregressor__steps": 300}
    assert search.best_score_ > 0.99
    assert list(search.best_estimator_.feature_names_in_) == ["size", "age", "tilt"]
    model = GDRegressor().fit(frame, pd.Series(y, name="price"))
    assert list(model.feature_names_in_) == ["size", "age", "tilt"]
    assert model.run_.weight_names == ("b", "size", "age", "tilt")
    assert model.to_saved_model().target == "price"


@pytest.mark.filterwarnings("ignore::gdlab.errors.DataWarning")  # collinear on purpose
def test_constant_and_duplicated_columns_still_fit():
    rng = np.random.default_rng(1)
    x = rng.normal(size=60)
    X = np.column_stack([x, np.full(60, 7.0), 2 * x])
    y = 1.0 + 3.0 * x
    model = GDRegressor().fit(X, y)
    assert model.coef_[1] == 0.0
    np.testing.assert_allclose(model.predict(X), y, atol=1e-9)


def test_too_few_steps_is_a_convergence_warning_and_a_bad_rate_diverges(offset_data):
    X, y = offset_data
    with pytest.warns(ConvergenceWarning, match="did not converge in 3 steps at lr=0.0001"):
        GDRegressor(steps=3, lr=1e-4).fit(X, y)
    with (
        pytest.warns(gdlab.LearningRateWarning, match="this run will diverge"),
        pytest.raises(gdlab.DivergedError, match="largest stable learning rate"),
    ):
        GDRegressor(lr=10.0).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lr": 0}, "lr must be 'auto' or a finite number > 0"),
        ({"lr": "fast"}, "lr must be 'auto'"),
        ({"steps": 0}, "steps must be a whole number"),
        ({"init_std": -1.0}, "init_std must be"),
        ({"loss": "l1"}, "unknown loss 'l1'"),
        ({"random_state": None}, "random_state must be a whole number"),
    ],
)
def test_bad_settings_are_value_errors_raised_by_fit_not_init(params, message):
    model = GDRegressor(**params)
    with pytest.raises(ValueError, match=message):
        model.fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])


def test_no_intercept_mse_and_pickling():
    rng = np.random.default_rng(2)
    X = rng.normal(3.0, 1.0, size=(50, 2))
    y = X @ [2.0, -1.0]
    model = GDRegressor(fit_intercept=False, loss="mse").fit(X, y)
    assert model.intercept_ == 0.0
    np.testing.assert_allclose(model.coef_, [2.0, -1.0], rtol=1e-9)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))


def test_same_random_state_same_curve_and_gdlab_names_the_estimator(offset_data):
    X, y = offset_data
    first, second = GDRegressor(steps=20).fit(X, y), GDRegressor(steps=20).fit(X, y)
    assert first.loss_curve_ == second.loss_curve_
    assert GDRegressor(steps=20, random_state=1).fit(X, y).loss_curve_ != first.loss_curve_
    assert gdlab.GDRegressor is GDRegressor


OPTIMIZERS = ["gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop"]


def test_auto_rate_is_right_for_every_optimizer_in_a_grid_search():
    """On real data (diabetes) every optimizer's cross-validated R² is least squares' own."""
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import cross_val_score

    X, y = load_diabetes(return_X_y=True)
    exact = cross_val_score(LinearRegression(), X, y, cv=3).mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(GDRegressor(), {"optimizer": OPTIMIZERS}, cv=3).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    np.testing.assert_allclose(scores, exact, atol=2e-3)


def test_adam_rows_of_a_grid_search_score_like_least_squares(offset_data):
    """The issue: Adam rows scored R² ≈ −4 with the plain-GD rate."""
    X, y = offset_data
    grid = {"optimizer": ["gd", "momentum", "nesterov", "adam", "adagrad"]}
    search = GridSearchCV(GDRegressor(), grid, cv=3).fit(X, y)
    assert np.all(search.cv_results_["mean_test_score"] > 0.999)
    model = GDRegressor(optimizer="adam").fit(X, y)
    assert model.lr_ == model.run_.config.lr and model.run_.lr_choice.auto
    assert "auto for adam" in model.run_.lr_choice.rule


def test_the_configurations_options_are_parameters_a_grid_search_sets(offset_data):
    X, y = offset_data
    grid = {
        "l2": [0.0, 50.0],
        "schedule": [None, "cosine"],
        "tol": [None, 1e-3],
        "standardize": [True, False],
        "optimizer_options": [None],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the unstandardised candidates
        search = GridSearchCV(GDRegressor(optimizer="momentum"), grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 16
    assert search.best_params_["standardize"] is True
    plain, ridge = GDRegressor().fit(X, y), GDRegressor(l2=50.0).fit(X, y)
    assert np.linalg.norm(ridge.coef_ * ridge.scale_) < np.linalg.norm(plain.coef_ * plain.scale_)
    stopped = GDRegressor(tol=1e-3).fit(X, y)
    assert stopped.run_.stop_reason == "tol" and stopped.n_iter_ < 1000


def test_feature_names_out_follow_the_features_in_order(offset_data):
    X, y = offset_data
    frame = pd.DataFrame(X, columns=["size", "age", "tilt"])
    model = GDRegressor().fit(frame, y)
    assert list(model.get_feature_names_out()) == ["size", "age", "tilt"]
    assert list(GDRegressor().fit(X, y).get_feature_names_out()) == ["x0", "x1", "x2"]
    with pytest.raises(ValueError, match="input_features"):
        model.get_feature_names_out(["a", "b", "c"])
    pipeline = make_pipeline(StandardScaler(), GDRegressor(standardize=False)).fit(frame, y)
    assert list(pipeline.get_feature_names_out()) == ["size", "age", "tilt"]


@pytest.mark.parametrize("params", [{}, {"standardize": False}, {"fit_intercept": False}])
def test_save_model_takes_the_estimator_and_its_saved_model_predicts_like_it(
    offset_data, tmp_path, params
):
    X, y = offset_data
    frame = pd.DataFrame(X, columns=["size", "age", "tilt"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GDRegressor(**params).fit(frame, pd.Series(y, name="price"))
    saved = gdlab.save_model(model, tmp_path / "m.json")
    gdlab.save_model(model.to_saved_model(), data=None, path=tmp_path / "again.json")
    assert (tmp_path / "m.json").read_text() == (tmp_path / "again.json").read_text()
    loaded = gdlab.load_model(tmp_path / "m.json")
    assert loaded.features == ("size", "age", "tilt") and loaded.target == "price"
    assert loaded.config["lr"] == model.lr_  # the number auto chose
    np.testing.assert_allclose(loaded.predict(frame), model.predict(frame), rtol=1e-12)
    np.testing.assert_allclose(saved.predict(X), model.predict(frame), rtol=1e-12)
    with pytest.raises(gdlab.DataError, match="takes a Run, a SavedModel or a fitted"):
        gdlab.save_model(object(), tmp_path / "x.json")


def test_the_convergence_warning_names_the_change_that_gets_there(offset_data):
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)  # correlated features: GD needs 1574 steps
    with pytest.warns(ConvergenceWarning) as caught:
        GDRegressor(steps=100).fit(X, y)
    message = str(caught[0].message)
    assert "lr='auto'" not in message  # the rate is auto already
    steps = int(message.split("steps=")[1].split()[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GDRegressor(steps=steps).fit(X, y)  # the hint gets there
    X, y = offset_data
    with pytest.warns(ConvergenceWarning, match="lr='auto' would get there"):
        GDRegressor(lr=1e-4, steps=100).fit(X, y)
