"""What a picture needs from one run, from a `Run` or from its run record alone.

A `RunView` holds the run's path, losses and configuration and the prepared problem it
trained on (`gdlab.training.problem.Problem`: the one-pass statistics, and the rows when
they are in memory), so every kind of picture draws from the same numbers whether it was
called from Python with a `Run` or from `gdlab plot RUN.json`. The loss anywhere, the
optimum and compared runs come from the statistics; the data points are loaded only when a
picture draws them (`points`), and a record of large files gives an even sample of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Union

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import NDArray

from gdlab.analysis.quadratic import Analysis, analyze
from gdlab.data.dataset import Dataset
from gdlab.data.files import FileSource
from gdlab.errors import DataError
from gdlab.model.linear import predict
from gdlab.model.losses import Loss
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.plots.figure import Figure
from gdlab.plots.style import Theme, get_theme
from gdlab.training.config import TrainingConfig
from gdlab.training.problem import Problem, loss_of, prepare
from gdlab.training.record import Run, RunRecord

Array = NDArray[np.float64]
#: Anything the picture functions accept as "the run".
RunLike = Union["RunView", Run, RunRecord, Mapping[str, Any]]
#: Loads the points a picture draws: (rows, True when they are a sample of more rows).
PointsLoader = Callable[[], tuple[Dataset, bool]]
#: A picture frames the path's points whose loss is at most this many times the start's…
CONVERGING_GROWTH = 10.0
#: … and, for a run that diverged, this many (its zig-zag drawn growing, ×100 in size).
DIVERGED_GROWTH = 1e4
#: Points whose sum of squared errors reaches this are left out of a picture's frame: the
#: grid around them would overflow float64.
LARGEST_DRAWN_LOSS = 1e300


@dataclass(frozen=True)
class RunView:
    """One run's path, losses and settings, and the problem it trained on, ready to draw."""

    problem: Problem
    config: TrainingConfig
    weight_names: tuple[str, ...]
    #: The weights at the recorded steps, init first (m×p), and those step numbers.
    path: Array
    path_steps: NDArray[np.int_]
    initial_loss: float
    #: The loss after each update (NaN where the run blew up).
    losses: Array
    stop_reason: str
    load_points: PointsLoader = field(repr=False, compare=False)
    #: The optimum of the loss the run trained (Huber's, or with the ridge penalty), as the
    #: run or its record gives it; None where only the least-squares optimum is known.
    run_optimum: tuple[Array, float] | None = None
    #: The Hessian's eigenvalues of the problem as trained (standardised, penalised), from
    #: the run's own analysis; None when unknown (then those of the plain data, `analysis`).
    trained_eigenvalues: Array | None = None
    #: The held-out loss after each step (`--validation`), and the K-fold summary (`--cv`).
    validation_losses: Array | None = None
    cv: Mapping[str, Any] | None = None

    @cached_property
    def _points(self) -> tuple[Dataset, bool]:
        points, sampled = self.load_points()
        expected = len(self.weight_names) - int(self.intercept)
        if points.n_features != expected:
            raise DataError(
                f"the run has {len(self.weight_names)} weights but its data give "
                f"{points.n_features + int(self.intercept)} ({points.n_features} features"
                f"{' + bias' if self.intercept else ''})"
            )
        return points, sampled

    @property
    def dataset(self) -> Dataset:
        """The rows a picture draws: every row, or an even sample of large data."""
        return self._points[0]

    @property
    def sampled(self) -> bool:
        """True when `dataset` is an even sample of more rows (see `gdlab.data.sample`)."""
        return self._points[1]

    @property
    def intercept(self) -> bool:
        """True when the first weight is the bias b."""
        return self.config.intercept

    @property
    def lr(self) -> float:
        """The run's learning rate."""
        return self.config.lr

    @property
    def optimizer(self) -> str:
        """The run's optimizer."""
        return self.config.optimizer

    @property
    def loss_name(self) -> str:
        """The run's loss (l2, mse or huber)."""
        return self.config.loss

    @property
    def n_weights(self) -> int:
        """Number of weights p."""
        return len(self.weight_names)

    @property
    def init(self) -> Array:
        """The starting weights."""
        return self.path[0]

    @property
    def weights(self) -> Array:
        """The weights after the last recorded step."""
        return self.path[-1]

    @property
    def steps_run(self) -> int:
        """Number of updates the run applied."""
        return len(self.losses)

    @property
    def loss_series(self) -> Array:
        """The loss at step 0 (the start) and after each update: length steps_run + 1."""
        return np.concatenate([[self.initial_loss], self.losses])

    @property
    def diverged(self) -> bool:
        """True when the run stopped because its loss blew up."""
        return self.stop_reason == "diverged"

    def framed_path(self, growth: float | None = None) -> Array:
        """The path's points a picture must show: those with loss ≤ `growth` × the start's.

        All of a converging run; of a diverging one the part up to `DIVERGED_GROWTH` × the
        start's loss, zoomed out enough to show the zig-zag growing, but not its later
        points (up to 1e300 away), which would shrink the landscape to a dot.
        """
        if growth is None:
            growth = DIVERGED_GROWTH if self.diverged else CONVERGING_GROWTH
        losses = self.loss_series[np.minimum(self.path_steps, self.steps_run)]
        with np.errstate(invalid="ignore"):
            keep = np.isfinite(losses) & (losses <= growth * abs(self.initial_loss))
        keep[0] = True
        # A start (or step) so far out that the loss around it overflows cannot be framed:
        # the picture then shows the valley, and the path leaving it at the edge.
        return self.path[keep & self.drawable(self.path)]

    def drawable(self, points: Array) -> NDArray[np.bool_]:
        """True for points whose least-squares loss, and a grid around them, stay finite."""
        stats = self.stats
        with np.errstate(over="ignore", invalid="ignore"):
            gaps = np.asarray(points, dtype=np.float64) @ stats.R.T - stats.z
            squares = np.sum(gaps * gaps, axis=1) + stats.rho**2
            return np.isfinite(squares) & (squares < LARGEST_DRAWN_LOSS)

    @cached_property
    def loss(self) -> Loss:
        """The loss object the run was trained with."""
        return loss_of(self.config)

    @property
    def stats(self) -> LeastSquaresStats:
        """One-pass statistics of [A | y] over every row: the loss and optimum anywhere."""
        return self.problem.statistics

    @property
    def n_rows(self) -> int:
        """Rows the run trained on (more than `dataset` holds when that is a sample)."""
        return self.problem.n_rows

    @property
    def is_line(self) -> bool:
        """True for one feature: the fit is a line (through the origin without intercept)."""
        return self.n_weights - int(self.intercept) == 1

    @cached_property
    def analysis(self) -> Analysis:
        """Optimum, Hessian eigenvalues and learning-rate bounds for this data and loss."""
        return analyze(self.stats, self.loss)

    @property
    def optimum(self) -> Array:
        """The least-squares weights w*."""
        return self.analysis.optimum_weights

    @property
    def optimum_loss(self) -> float:
        """L(w*), the floor no optimizer can go below."""
        return self.analysis.optimum_loss

    @property
    def trained_optimum(self) -> tuple[Array, float]:
        """(w*, L(w*)) of the loss the run trained: with its penalty, Huber's own."""
        if self.run_optimum is not None:
            return self.run_optimum
        return self.optimum, self.optimum_loss

    def in_units(self, weights: Array, units: str) -> Array:
        """Weights (a vector, or one per row) in "data" units or "standardized" ones.

        Standardised weights are those of z = (x − mean)/std, v = M⁻¹·w: b' = b + Σ aⱼ·mⱼ,
        a'ⱼ = aⱼ·sⱼ (`gdlab.model.standardize`), comparable across features.
        """
        if units == "data":
            return weights
        if units != "standardized":
            raise DataError(f"unknown units '{units}'; choose data or standardized")
        standard = self.problem.natural_scaling.to_standard()
        return np.asarray(weights, dtype=np.float64) @ standard.T

    def predictions(self, weights: Array) -> Array:
        """ŷ for the drawn rows (`gdlab.model.linear.predict`)."""
        return predict(self.dataset.features, weights, self.intercept)

    def loss_at(self, weights: Array) -> float:
        """L(w) = s·(‖Rw − z‖² + ρ²) from the statistics."""
        return self.loss.sum_weight(self.stats.mass) * self.stats.sum_squared_errors(weights)


def given_points(data: Dataset, sampled: bool) -> PointsLoader:
    """A loader of points the caller gave."""
    return lambda: (data, sampled)


def view_of_run(
    run: Run, data: Dataset | None = None, sample_of: FileSource | None = None
) -> RunView:
    """A `RunView` of a `Run`: its own problem, or its record's data when it has none.

    `data` replaces the points drawn; `sample_of` says that `data` is a sample of more rows.
    """
    problem = run.problem
    if problem is None:
        return view_of_record(RunRecord.from_dict(run.to_record()), data, sample_of)
    if data is not None:
        loader = given_points(data, sample_of is not None)
    elif problem.points is not None:
        loader = given_points(problem.points, problem.rows is None)
    else:
        loader = record_points_loader(RunRecord.from_dict(run.to_record()))
    path = np.asarray(run.path, dtype=np.float64)
    return RunView(
        problem=problem,
        config=run.config,
        weight_names=tuple(run.weight_names),
        path=path,
        path_steps=np.arange(len(path)),
        initial_loss=float(run.initial_loss),
        losses=np.asarray(run.losses, dtype=np.float64),
        stop_reason=run.stop_reason,
        load_points=loader,
        run_optimum=(
            np.asarray(run.analysis.optimum_weights, dtype=np.float64),
            float(run.analysis.optimum_loss),
        ),
        trained_eigenvalues=np.asarray(run.analysis.hessian_eigenvalues, dtype=np.float64),
        validation_losses=(
            None if run.validation_losses is None else np.asarray(run.validation_losses)
        ),
        cv=run.cv,
    )


def record_points_loader(record: RunRecord) -> PointsLoader:
    """Load a record's points on first use: the seed regenerated, files re-read or sampled."""

    def load() -> tuple[Dataset, bool]:
        from gdlab.plots.sample import record_rows

        rows, sample_of = record_rows(record)
        return rows, sample_of is not None

    return load


def view_of_record(
    record: RunRecord | Mapping[str, Any],
    data: Dataset | None = None,
    sample_of: FileSource | None = None,
) -> RunView:
    """A `RunView` of a run record (`run.json`).

    The statistics the record kept serve every loss and comparison; only the points are
    read again (and only when drawn). A record without statistics (gdlab 0.1.0) gets them
    from one pass over its data — or over `data` when given.
    """
    if not isinstance(record, RunRecord):
        record = RunRecord.from_dict(dict(record))
    loader = given_points(data, sample_of is not None) if data is not None else None
    stats = record.statistics
    if stats is not None:
        problem = Problem.from_statistics(record.data, record.config.intercept, stats, None)
    else:
        problem = problem_of_record(record, data)
        if loader is None and problem.points is not None:
            loader = given_points(problem.points, problem.rows is None)
    if problem.rows is None and data is not None and sample_of is None:
        problem = Problem.from_statistics(problem.info, problem.intercept, problem.statistics, data)
    view = RunView(
        problem=problem,
        config=record.config,
        weight_names=record.weight_names,
        path=np.asarray(record.path, dtype=np.float64),
        path_steps=record.path_steps,
        initial_loss=record.initial_loss,
        losses=np.asarray(record.losses, dtype=np.float64),
        stop_reason=record.stop_reason,
        load_points=loader or record_points_loader(record),
        run_optimum=recorded_optimum(record),
        trained_eigenvalues=recorded_eigenvalues(record),
        validation_losses=(
            None
            if record.validation_losses is None
            else np.asarray(record.validation_losses, dtype=np.float64)
        ),
        cv=record.cv or None,
    )
    return checked(view)


def recorded_optimum(record: RunRecord) -> tuple[Array, float] | None:
    """The record's own optimum (of the loss it trained), when it kept a whole one."""
    weights = np.asarray(record.optimum_weights, dtype=np.float64)
    if weights.shape != (len(record.weight_names),) or not np.all(np.isfinite(weights)):
        return None
    if not np.isfinite(record.optimum_loss):
        return None
    return weights, float(record.optimum_loss)


def recorded_eigenvalues(record: RunRecord) -> Array | None:
    """The trained Hessian's eigenvalues a record keeps (None when it has none)."""
    values = record.analysis.get("hessian_eigenvalues")
    if not isinstance(values, list) or not values:
        return None
    try:
        eigenvalues = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return eigenvalues if eigenvalues.ndim == 1 and np.all(np.isfinite(eigenvalues)) else None


def problem_of_record(record: RunRecord, data: Dataset | None) -> Problem:
    """One pass over a record's data (or `data`), for records that kept no statistics."""
    from gdlab.data.designed import files_of_record
    from gdlab.training.fit import dataset_for_record
    from gdlab.training.location import data_location

    config = record.config.with_options(engine="auto", scheduler=None)
    if data is not None:
        return prepare(data, config)
    info = record.data
    if info.source in ("seed", "", "arrays"):
        return prepare(dataset_for_record(record), config)
    location = data_location(info)
    source = files_of_record(location, list(info.features), info.target, info.details)
    return prepare(source, config, sample=True)


def checked(view: RunView) -> RunView:
    """Refuse a view whose statistics do not match its weights (a record with other data)."""
    expected = view.stats.n_weights
    if view.path.ndim != 2 or view.path.shape[1] != expected or view.n_weights != expected:
        features = expected - int(view.intercept)
        raise DataError(
            f"the run has {view.n_weights} weights but its data give {expected} "
            f"({features} features{' + bias' if view.intercept else ''})"
        )
    if len(view.path_steps) != len(view.path):
        raise DataError("run record: 'path' and 'path_steps' have different lengths")
    return view


def prepared(
    run: RunLike, ax: Axes | None, data: Dataset | None, theme: str | Theme
) -> tuple[RunView, Axes, Theme]:
    """What every `draw_*` helper starts from: the run as a view, the axes to draw on (new
    ones when none are given) and the theme."""
    axes = ax if ax is not None else Figure(layout="constrained").subplots()
    return as_view(run, data), axes, get_theme(theme)


def as_view(
    run: RunLike, data: Dataset | None = None, sample_of: FileSource | None = None
) -> RunView:
    """Whatever was given as the run — `RunView`, `Run` or a record — as a `RunView`."""
    if isinstance(run, RunView):
        return run
    if isinstance(run, Run):
        return checked(view_of_run(run, data, sample_of))
    return view_of_record(run, data, sample_of)
