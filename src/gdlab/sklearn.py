"""`GDRegressor`: gdlab's gradient descent as a scikit-learn estimator.

It drops into `Pipeline` and `GridSearchCV` like any regressor and passes scikit-learn's
`check_estimator`. By default it standardises the features (centred and scaled to unit
variance; the weights are mapped back to the raw units afterwards) and picks the best
constant rate 2/(λ_min + λ_max) of the standardised problem (`Analysis.lr_optimal`), so
plain gradient descent converges within its 1000 default steps unless features are
strongly correlated; a `ConvergenceWarning` then says to raise `steps`.
Needs the `sklearn` extra: ``pip install 'gdlab[sklearn]'``.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

try:
    from sklearn.base import BaseEstimator, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "gdlab.GDRegressor needs scikit-learn: pip install 'gdlab[sklearn]'"
    ) from error

from gdlab.analysis.quadratic import analyze
from gdlab.data.dataset import default_names, from_arrays
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix
from gdlab.model.losses import get_loss
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.outputs.savedmodel import SavedModel, fingerprint
from gdlab.training.fit import fit
from gdlab.training.record import Run

Array = NDArray[np.float64]

#: Training counts as converged when the loss has closed all but this share of the gap
#: between its start and the least-squares optimum; otherwise a `ConvergenceWarning`.
CONVERGED_GAP = 1e-6


class GDRegressor(RegressorMixin, BaseEstimator):
    """Least squares fitted by gradient descent on one linear layer, ŷ = b + Xa.

    Parameters: `lr` a positive rate or "auto" (the best constant rate of the problem
    being trained); `steps` the number of full-batch updates; `optimizer`, `loss`,
    `init_std` and `engine` as in `gdlab.fit`; `standardize` trains on standardised
    features; `random_state` seeds the initial weights N(0, init_std²);
    `optimizer_options` extra optimizer settings, passed to `gdlab.fit` when given.

    Learned: `coef_`, `intercept_` (raw units), `loss_curve_` (the loss after each update),
    `n_iter_`, `lr_` (the rate used), `run_` (the gdlab `Run`, on the trained features),
    `n_features_in_` and, for DataFrames, `feature_names_in_`.

    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = GDRegressor().fit(X, 1.0 + 2.0 * X[:, 0])
    >>> round(float(model.intercept_), 6), np.round(model.coef_, 6)
    (1.0, array([2.]))
    """

    def __init__(
        self,
        lr: float | str = "auto",
        steps: int = 1000,
        optimizer: str = "gd",
        loss: str = "l2",
        init_std: float = 0.1,
        fit_intercept: bool = True,
        standardize: bool = True,
        engine: str = "auto",
        random_state: int = 0,
        optimizer_options: dict[str, Any] | None = None,
    ) -> None:
        self.lr = lr
        self.steps = steps
        self.optimizer = optimizer
        self.loss = loss
        self.init_std = init_std
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.engine = engine
        self.random_state = random_state
        self.optimizer_options = optimizer_options

    def fit(self, X: ArrayLike, y: ArrayLike) -> GDRegressor:
        """Train on X (N×k) and y (N) by gradient descent; return self."""
        self.check_params()
        target = str(getattr(y, "name", None) or "y")
        features, values = validate_data(
            self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2
        )
        names = getattr(self, "feature_names_in_", None)
        names = default_names(features.shape[1]) if names is None else tuple(map(str, names))
        center, scale = standardisation(features, self.fit_intercept, self.standardize)
        trained = scale > 0  # constant columns add nothing: they keep weight 0
        Z = (features[:, trained] - center[trained]) / scale[trained]
        kept_names = [n for n, kept in zip(names, trained, strict=True) if kept]
        run = self.train(Z, values, kept_names, target)
        self.coef_ = np.zeros(features.shape[1])
        self.coef_[trained] = np.asarray(run.weights[int(self.fit_intercept) :]) / scale[trained]
        bias = float(run.weights[0]) if self.fit_intercept else 0.0
        self.intercept_ = bias - float(self.coef_ @ center)
        self.loss_curve_ = list(run.losses)
        self.n_iter_ = len(run.losses)
        self.lr_ = run.config.lr
        self.run_ = run
        self.center_, self.scale_ = center, scale
        self.data_fingerprint_ = fingerprint(names, target, features, values)
        warn_unless_converged(run)
        return self

    def train(self, Z: Array, y: Array, names: list[str], target: str) -> Run:
        """Run `gdlab.fit` on the (standardised) columns Z."""
        if not names and not self.fit_intercept:
            raise ConfigError("every feature is zero and there is no intercept: nothing to fit")
        data = from_arrays(Z, y, names, target)
        extra = {"optimizer_options": self.optimizer_options} if self.optimizer_options else {}
        return fit(
            data,
            lr=self.auto_lr(data.features, y) if self.lr == "auto" else float(self.lr),
            steps=int(self.steps),
            optimizer=self.optimizer,
            loss=self.loss,
            init_std=float(self.init_std),
            seed=int(self.random_state),
            intercept=bool(self.fit_intercept),
            engine=self.engine,
            **fit_extras(extra),
        )

    def predict(self, X: ArrayLike) -> Array:
        """ŷ = intercept_ + X·coef_."""
        check_is_fitted(self)
        features = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(features @ self.coef_ + self.intercept_, dtype=np.float64)

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

    def check_params(self) -> None:
        """Validate the settings in one place, with messages that say what was expected."""
        lr = self.lr
        if not (lr == "auto" or (is_real(lr) and np.isfinite(lr) and float(lr) > 0)):
            raise ConfigError(f"lr must be 'auto' or a finite number > 0, got {self.lr!r}")
        if not isinstance(self.steps, numbers.Integral) or self.steps < 1:
            raise ConfigError(f"steps must be a whole number ≥ 1, got {self.steps!r}")
        if not is_real(self.init_std) or not np.isfinite(self.init_std) or self.init_std < 0:
            raise ConfigError(f"init_std must be a finite number ≥ 0, got {self.init_std!r}")
        if not isinstance(self.random_state, numbers.Integral):
            raise ConfigError(f"random_state must be a whole number, got {self.random_state!r}")
        get_loss(self.loss)

    def auto_lr(self, Z: Array, y: Array) -> float:
        """The best constant rate 2/(λ_min + λ_max) of the Hessian, over its non-zero λ.

        This is `Analysis.lr_optimal` when the Hessian is invertible; eigenvalues that are
        zero to rounding (collinear features) are left out, since gradient descent never
        moves along them, so the rate stays inside the stable range (< 2/λ_max).
        """
        A = design_matrix(Z, self.fit_intercept)
        analysis = analyze(LeastSquaresStats.from_arrays(A, y), get_loss(self.loss))
        eigenvalues = analysis.hessian_eigenvalues
        largest = eigenvalues[-1]
        nonzero = eigenvalues[eigenvalues > largest * A.shape[1] * np.finfo(float).eps]
        return float(2.0 / (nonzero[0] + largest))


def standardisation(X: Array, intercept: bool, standardize: bool) -> tuple[Array, Array]:
    """Per-column centre and scale: mean and std with an intercept, 0 and RMS without.

    A zero scale marks a column that is constant (or all zero without an intercept).

    >>> standardisation(np.array([[1.0, 5.0], [3.0, 5.0]]), True, True)
    (array([2., 5.]), array([1., 0.]))
    """
    k = X.shape[1]
    if not standardize:
        spread = np.ptp(X, axis=0) if intercept else np.abs(X).max(axis=0, initial=0.0)
        return np.zeros(k), np.where(spread > 0, 1.0, 0.0)
    center = X.mean(axis=0) if intercept else np.zeros(k)
    scale = np.sqrt(np.mean((X - center) ** 2, axis=0))
    tiny = 1e3 * np.finfo(float).eps * np.maximum(np.abs(center), scale)
    return center, np.where(scale > tiny, scale, 0.0)


def fit_extras(extra: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for `gdlab.fit` beyond the core ones, checked against its signature.

    Only settings the user gave are passed, so the estimator runs on any gdlab version
    and a setting this version lacks is a clear `ConfigError`, not a `TypeError`.
    """
    import inspect

    known = inspect.signature(fit).parameters
    for key in extra:
        if key not in known:
            raise ConfigError(f"this version of gdlab.fit has no '{key}' setting")
    return extra


def warn_unless_converged(run: Run) -> None:
    """A `ConvergenceWarning` when the loss is still far from the least-squares optimum."""
    optimum = run.analysis.optimum_loss
    gap = run.final_loss - optimum
    start_gap = run.initial_loss - optimum
    if gap > CONVERGED_GAP * start_gap + 1e-12 * max(abs(optimum), 1e-300):
        warnings.warn(
            f"GDRegressor did not converge in {len(run.losses)} steps at lr={run.config.lr:g}: "
            f"loss {run.final_loss:.6g} vs optimum {optimum:.6g}; raise steps or use lr='auto'",
            ConvergenceWarning,
            stacklevel=3,
        )


def is_real(value: object) -> bool:
    """True for real numbers (not bools, not text)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
