"""`GDRegressor`: gdlab's gradient descent as a scikit-learn estimator.

It drops into `Pipeline` and `GridSearchCV` like any regressor and passes scikit-learn's
`check_estimator`. By default it standardises the features (centred and scaled to unit
variance; the weights are mapped back to the raw units afterwards) and takes
``lr="auto"``: the fastest rate the analysis of the standardised problem justifies for the
chosen optimizer (plain GD 2/(λ_min + λ_max), momentum's and Nesterov's from their exact
analysis, Adam-like ones a share of the distance to the optimum; `gdlab.analysis.rates`).
Plain gradient descent then converges within its 1000 default steps unless features are
strongly correlated; a `ConvergenceWarning` then names the one change that gets there.
`to_saved_model()` gives the model `gdlab predict` and `gdlab.load_model` read, and
`gdlab.save_model` takes a fitted estimator as it takes a run.
Needs the `sklearn` extra: ``pip install 'gdlab[sklearn]'``.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

try:
    from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "gdlab.GDRegressor needs scikit-learn: pip install 'gdlab[sklearn]'"
    ) from error

from gdlab.data.dataset import default_names, from_arrays
from gdlab.errors import ConfigError, GdlabError
from gdlab.model.linear import predict
from gdlab.onepass.keep import KeptStatistics, column_subset, update
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.outputs.savedmodel import SavedModel, fingerprint
from gdlab.training.advice import start_of, suggest, suggestion_words
from gdlab.training.config import AUTO, TrainingConfig, declared_options, is_real
from gdlab.training.fit import train_problem
from gdlab.training.problem import prepare
from gdlab.training.record import Run

Array = NDArray[np.float64]


def estimator_parameters() -> list[tuple[str, str, Any]]:
    """(parameter, option, default) of every `TrainingConfig` option the estimator takes.

    The parameters are the configuration's options under scikit-learn's names
    (`random_state` for seed, `fit_intercept` for intercept), with the estimator's own
    defaults where they differ (lr "auto", 1000 steps, standardised features).
    """
    parameters = []
    for name, declared, default in declared_options():
        if declared.estimator is None:
            continue
        value = default if declared.estimator_default == "same" else declared.estimator_default
        parameters.append((declared.estimator or name, name, value))
    return parameters


class GDRegressor(RegressorMixin, BaseEstimator):
    """Least squares fitted by gradient descent on one linear layer, ŷ = b + Xa.

    The parameters are `gdlab.fit`'s training options (see `TrainingConfig`): `lr` a
    positive rate or "auto" (the fastest rate the analysis justifies for the optimizer on
    the problem being trained; `lr_` is the number it chose), `steps`
    the number of full-batch updates, `optimizer`, `optimizer_options`, `schedule`, `l2`
    (the ridge penalty, on the standardised weights when `standardize`), `tol`,
    `tol_kind`, `loss`, `huber_delta`, `init_std`, `dtype`, `engine`, `batch_size`;
    `random_state` seeds the initial weights N(0, init_std²); `standardize` trains on
    standardised features (the weights are mapped back to the raw units).

    `partial_fit` trains on batches: their one-pass statistics merge exactly, so after
    batches covering the data the model is that of one pass over all of it.

    Learned: `coef_`, `intercept_` (raw units), `loss_curve_` (the loss after each update),
    `validation_loss_curve_` (the held-out loss after each update, with `validation`),
    `n_iter_`, `lr_` (the rate used), `run_` (the gdlab `Run`, on the trained features),
    `n_features_in_` and, for DataFrames, `feature_names_in_`.

    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = GDRegressor().fit(X, 1.0 + 2.0 * X[:, 0])
    >>> round(float(model.intercept_), 6), np.round(model.coef_, 6)
    (1.0, array([2.]))
    """

    #: The one-pass statistics of every row `partial_fit` has seen (set by it).
    statistics_: LeastSquaresStats

    def __init__(self, **params: Any) -> None:
        for name, _, default in estimator_parameters():
            setattr(self, name, params.pop(name, default))
        if params:
            raise TypeError(f"GDRegressor has no parameter {', '.join(sorted(params))}")

    def fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> GDRegressor:
        """Train on X (N×k) and y (N) by gradient descent, each row weighted by
        `sample_weight` (weighted least squares) when given; return self (forgetting the batches of
        `partial_fit`)."""
        for kept in ("statistics_", "batch_names_", "rows_fingerprint_", "weighted_"):
            self.__dict__.pop(kept, None)
        config = self.training_config()
        target = str(getattr(y, "name", None) or "y")
        features, values = validate_data(
            self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2
        )
        names = getattr(self, "feature_names_in_", None)
        names = default_names(features.shape[1]) if names is None else tuple(map(str, names))
        weights = None
        if sample_weight is not None:
            from sklearn.utils.validation import _check_sample_weight

            weights = _check_sample_weight(sample_weight, features, dtype=np.float64)
        center, scale = standardisation(features, config.intercept, self.standardize, weights)
        trained = scale > 0  # constant columns add nothing: they keep weight 0
        Z = (features[:, trained] - center[trained]) / scale[trained]
        kept_names = [n for n, kept in zip(names, trained, strict=True) if kept]
        run = self.train(Z, values, kept_names, target, config, weights)
        self.coef_ = np.zeros(features.shape[1])
        self.coef_[trained] = np.asarray(run.weights[int(config.intercept) :]) / scale[trained]
        bias = float(run.weights[0]) if config.intercept else 0.0
        self.intercept_ = bias - float(self.coef_ @ center)
        self.loss_curve_ = list(run.losses)
        self.validation_loss_curve_ = (
            None if run.validation_losses is None else list(run.validation_losses)
        )
        self.n_iter_ = len(run.losses)
        self.lr_ = run.config.lr
        self.run_ = run
        self.center_, self.scale_ = center, scale
        self.data_fingerprint_ = fingerprint(names, target, features, values)
        warn_unless_converged(run, self.standardize)
        return self

    def partial_fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> GDRegressor:
        """Add a batch of rows and train on every row seen so far; return self.

        The batch's one-pass statistics merge exactly into those of the earlier batches
        (`gdlab.onepass.keep.update`, kept in `statistics_`), so after batches covering the
        data the model is trained on the same statistics as one pass over all of it, in
        O(k²) memory whatever the number of rows. `sample_weight` weighs the batch's rows
        (rows without weights count once). With `standardize` the scaling is that of all
        the rows seen (from the statistics); columns constant so far keep weight 0.
        """
        from gdlab.data.fingerprint import RowsFingerprint

        config = self.training_config()
        first = not hasattr(self, "statistics_")
        features, values = validate_data(
            self, X, y, dtype=np.float64, y_numeric=True, reset=first, ensure_min_samples=1
        )
        weights = None
        if sample_weight is not None:
            from sklearn.utils.validation import _check_sample_weight

            weights = _check_sample_weight(sample_weight, features, ensure_non_negative=True)
        previous: LeastSquaresStats | None = None if first else self.statistics_
        self.statistics_ = update(previous, features, values, weights, intercept=config.intercept)
        if first:
            target = str(getattr(y, "name", None) or "y")
            names = getattr(self, "feature_names_in_", None)
            names = default_names(features.shape[1]) if names is None else names
            self.batch_names_ = (tuple(map(str, names)), target)
            self.rows_fingerprint_ = RowsFingerprint([*self.batch_names_[0], target])
            self.weighted_ = False
        self.rows_fingerprint_.update(np.column_stack([features, values]))
        self.weighted_ = bool(self.weighted_ or weights is not None)
        names, target = self.batch_names_
        weight_name = "sample_weight" if self.weighted_ else None
        kept = KeptStatistics(self.statistics_, names, target, config.intercept, weight_name)
        self.fit_statistics(kept, config)
        self.data_fingerprint_ = self.rows_fingerprint_.hexdigest()
        return self

    def fit_statistics(self, kept: KeptStatistics, config: TrainingConfig) -> None:
        """Train on kept statistics (in the data's units) and set the learned attributes.

        Columns constant over the rows seen are left out (weight 0), as `fit` does.
        """
        kept, trained = varying_columns(kept)
        if not kept.feature_names and not config.intercept:
            raise ConfigError("every feature is zero and there is no intercept: nothing to fit")
        config = config.with_options(standardize=self.standardize and bool(kept.feature_names))
        run = train_problem(prepare(kept, config), config)
        self.coef_ = np.zeros(trained.size)
        self.coef_[trained] = np.asarray(run.weights[int(config.intercept) :])
        self.intercept_ = float(run.weights[0]) if config.intercept else 0.0
        self.loss_curve_ = list(run.losses)
        self.n_iter_ = len(run.losses)
        self.lr_ = run.config.lr
        self.run_ = run
        # The run's weights are in the data's units: the saved model scales nothing.
        self.center_, self.scale_ = np.zeros(trained.size), np.where(trained, 1.0, 0.0)
        warn_unless_converged(run, self.standardize)

    def training_config(self) -> TrainingConfig:
        """The parameters as a `TrainingConfig`, validated in one place (errors name the
        parameter as scikit-learn spells it); `lr="auto"` is settled on the data in `fit`,
        for the optimizer chosen.

        The estimator standardises the features itself (dropping constant columns), so the
        configuration trains on them as given.
        """
        lr = self.lr
        if not (lr == AUTO or (is_real(lr) and np.isfinite(lr) and float(lr) > 0)):
            raise ConfigError(f"lr must be 'auto' or a finite number > 0, got {self.lr!r}")
        options: dict[str, Any] = {}
        for name, option, _ in estimator_parameters():
            options[option] = getattr(self, name)
        options["optimizer_options"] = options["optimizer_options"] or {}
        options["standardize"] = False
        spelling = {option: name for name, option, _ in estimator_parameters()}
        try:
            return TrainingConfig(**options)
        except GdlabError as error:
            if error.option is None:
                raise
            raise ConfigError(error.spelled(spelling.get(error.option, error.option))) from None

    def train(
        self,
        Z: Array,
        y: Array,
        names: list[str],
        target: str,
        config: TrainingConfig,
        weights: Array | None = None,
    ) -> Run:
        """Prepare the (standardised) columns Z once and train on them."""
        if not names and not config.intercept:
            raise ConfigError("every feature is zero and there is no intercept: nothing to fit")
        data = from_arrays(Z, y, names, target, weights=weights, weight_name="sample_weight")
        problem = prepare(data, config)
        return train_problem(problem, config)

    def predict(self, X: ArrayLike) -> Array:
        """ŷ = intercept_ + X·coef_."""
        check_is_fitted(self)
        features = validate_data(self, X, dtype=np.float64, reset=False)
        return predict(features, np.concatenate([[self.intercept_], self.coef_]))

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """The names of the features the model weighs, in the order of `coef_`:
        `feature_names_in_`, or x0, x1, … for arrays without names (`input_features`, when
        given, are checked against them, as scikit-learn's own estimators do)."""
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self)
        return np.asarray(_check_feature_names_in(self, input_features), dtype=object)

    def to_saved_model(self) -> SavedModel:
        """The fitted model for `gdlab predict`: trained weights with their standardisation.

        Columns left out of training (constant ones) get weight 0.
        """
        check_is_fitted(self)
        names = tuple(self.run_.data.features)
        all_names = getattr(self, "feature_names_in_", None)
        features = default_names(self.n_features_in_) if all_names is None else all_names
        features = tuple(str(name) for name in features)
        trained = self.scale_ > 0
        slopes = np.zeros(self.n_features_in_)
        slopes[trained] = self.run_.weights[1:] if self.fit_intercept else self.run_.weights
        weights = np.concatenate([self.run_.weights[:1], slopes]) if self.fit_intercept else slopes
        standardized = self.standardize
        return SavedModel(
            features=features,
            target=self.run_.data.target,
            intercept=bool(self.fit_intercept),
            weights=np.asarray(weights, dtype=np.float64),
            mean=self.center_ if standardized else None,
            scale=np.where(trained, self.scale_, 1.0) if standardized else None,
            config={**self.run_.config.to_record(), "trained_features": list(names)},
            data={
                "source": "arrays",
                "n_rows": self.run_.data.n_rows,
                "fingerprint": self.data_fingerprint_,
            },
        )


GDRegressor.__init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
        for name, _, default in estimator_parameters()
    ]
)


def varying_columns(kept: KeptStatistics) -> tuple[KeptStatistics, NDArray[np.bool_]]:
    """The statistics without the feature columns that are constant over their rows (all
    zero without an intercept), and which columns stay: a change of weights, no pass.

    >>> stats = update(None, [[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]], [2.0, 4.0, 6.0])
    >>> kept, trained = varying_columns(KeptStatistics(stats, ("a", "c"), "y"))
    >>> kept.feature_names, trained.tolist(), kept.statistics.optimum().round(12).tolist()
    (('a',), [True, False], [0.0, 2.0])
    """
    bias = int(kept.intercept)
    trained = kept.statistics.column_moments(kept.intercept)[2] > 0
    if trained.all():
        return kept, trained
    keep = [*range(bias), *(bias + np.flatnonzero(trained)).tolist()]
    names = tuple(name for name, kept_ in zip(kept.feature_names, trained, strict=True) if kept_)
    statistics = column_subset(kept.statistics, keep)
    return replace(kept, statistics=statistics, feature_names=names), trained


def standardisation(
    X: Array, intercept: bool, standardize: bool, weights: Array | None = None
) -> tuple[Array, Array]:
    """Per-column centre and scale: mean and std with an intercept, 0 and RMS without —
    weighted by the sample weights when given, so a row of weight 2 counts as two rows
    and a row of weight 0 as none.

    A zero scale marks a column that is constant (or all zero without an intercept).

    >>> standardisation(np.array([[1.0, 5.0], [3.0, 5.0]]), True, True)
    (array([2., 5.]), array([1., 0.]))
    """
    k = X.shape[1]
    if weights is not None:
        X, weights = X[weights > 0], weights[weights > 0]
    if not standardize:
        spread = np.ptp(X, axis=0) if intercept else np.abs(X).max(axis=0, initial=0.0)
        return np.zeros(k), np.where(spread > 0, 1.0, 0.0)
    center = np.average(X, axis=0, weights=weights) if intercept else np.zeros(k)
    scale = np.sqrt(np.average((X - center) ** 2, axis=0, weights=weights))
    tiny = 1e3 * np.finfo(float).eps * np.maximum(np.abs(center), scale)
    return center, np.where(scale > tiny, scale, 0.0)


def warn_unless_converged(run: Run, standardized: bool) -> None:
    """A `ConvergenceWarning` when the run ended short of the optimum (`Run.convergence`),
    naming the one change that gets there, spelled as the estimator's parameters."""
    convergence = run.convergence
    if convergence is None or convergence.converged or run.stop_reason != "steps":
        return
    spelling = {option: name for name, option, _ in estimator_parameters()}
    suggestion = convergence.suggestion
    if suggestion is not None and standardized and "standardize" in suggestion.options:
        # The estimator standardised the features itself: look among the other changes.
        allowed = [option for option in spelling if option != "standardize"]
        suggestion = suggest(
            run, start_of(run), convergence.target_gap, convergence.steps_to_converge, allowed
        )
    words = suggestion_words(
        suggestion,
        lambda option, value: f"{spelling.get(option, option)}={value!r}",
        run.config.optimizer,
    )
    far = (
        ""
        if convergence.relative_gap is None
        else f" ({convergence.relative_gap:.3g} above it, relative)"
    )
    warnings.warn(
        f"GDRegressor did not converge in {len(run.losses)} steps at lr={run.config.lr:g}: "
        f"loss {run.final_loss:.6g} vs optimum {run.analysis.optimum_loss:.6g}{far}; {words}",
        ConvergenceWarning,
        stacklevel=3,
    )


class FormulaFeatures(TransformerMixin, BaseEstimator):
    """The design columns of a formula's right side, as a scikit-learn transformer.

    ``Pipeline([("design", FormulaFeatures("~ x1 + np.log(x2) + C(region)")),
    ("gd", GDRegressor())])`` fits on a DataFrame of raw columns: `fit` learns the levels
    of the categorical columns, `transform` gives the design columns (no intercept column:
    GDRegressor's `fit_intercept` carries it), named by `get_feature_names_out`. A level
    `fit` did not see is an error naming its row. Needs the `formula` extra.
    """

    def __init__(self, formula: str = "~ x") -> None:
        self.formula = formula

    def fit(self, X: Any, y: Any = None) -> FormulaFeatures:
        """Learn the categorical levels and the design's columns from the raw columns `X`."""
        from gdlab.data.design import build_design, formula_variables
        from gdlab.data.designed import frame_levels, frame_of

        frame = frame_of(X)
        rhs_only = "__target__ ~ " + self.formula.split("~", 1)[-1]
        rhs, _ = formula_variables(rhs_only, [str(name) for name in frame.columns])
        levels = frame_levels(frame, rhs_only, rhs)
        prototype = frame[rhs].head(1000).assign(__target__=0.0)
        self.design_ = build_design(rhs_only, prototype, levels, "X")
        self.n_features_in_ = len(rhs)
        return self

    def transform(self, X: Any) -> Array:
        """The design columns of the raw columns `X`."""
        from gdlab.data.designed import frame_of

        check_is_fitted(self, "design_")
        features, _ = self.design_.apply(frame_of(X), 0, "X", target=False)
        return features

    def get_feature_names_out(self, input_features: Any = None) -> NDArray[np.object_]:
        """The design's column names, e.g. ``C(region)[T.b]``."""
        check_is_fitted(self, "design_")
        return np.asarray(self.design_.columns, dtype=object)
