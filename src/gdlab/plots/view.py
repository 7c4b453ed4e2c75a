"""What a picture needs from one run, from a `Run` or a run record alone.

A `RunView` holds the data, the weight path, the losses, the optimum and the loss's
one-pass statistics, so every kind of picture draws from the same numbers whether it was
called from Python with a `Run` or from `gdlab plot RUN.json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Union

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from gdlab.analysis.quadratic import Analysis, analyze
from gdlab.data.dataset import Dataset
from gdlab.data.files import FileSource
from gdlab.errors import DataError
from gdlab.model.linear import design_matrix
from gdlab.model.losses import Loss, get_loss
from gdlab.onepass.files import stream_statistics
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.plots.sample import record_rows
from gdlab.plots.style import Theme, get_theme
from gdlab.training.record import Run

Array = NDArray[np.float64]
#: Anything the picture functions accept as "the run".
RunLike = Union["RunView", Run, Mapping[str, Any]]


@dataclass(frozen=True)
class RunView:
    """One run's data, path, losses and settings, ready to draw."""

    dataset: Dataset
    weight_names: tuple[str, ...]
    intercept: bool
    #: The weights at the recorded steps, init first (m×p), and those step numbers.
    path: Array
    path_steps: NDArray[np.int_]
    initial_loss: float
    #: The loss after each update (NaN where the run blew up).
    losses: Array
    lr: float
    optimizer: str
    loss_name: str
    stop_reason: str
    #: When `dataset` is an evenly spaced sample (see `gdlab.plots.sample`): the files of
    #: all the rows, which the losses, the optimum and compared runs are computed from.
    sample_of: FileSource | None = None

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

    def framed_path(self, growth: float = 10.0) -> Array:
        """The path's points a picture must show: those with loss ≤ `growth` × the start's.

        All of a converging run; the early part of a diverging one, whose later points
        (up to 1e300 away) would otherwise shrink the landscape to a dot.
        """
        losses = self.loss_series[np.minimum(self.path_steps, self.steps_run)]
        with np.errstate(invalid="ignore"):
            keep = np.isfinite(losses) & (losses <= growth * abs(self.initial_loss))
        keep[0] = True
        return self.path[keep]

    @cached_property
    def design(self) -> Array:
        """The design matrix A (ones column first when the run has an intercept)."""
        return design_matrix(self.dataset.features, self.intercept)

    @cached_property
    def loss(self) -> Loss:
        """The loss object the run was trained with."""
        return get_loss(self.loss_name)

    @cached_property
    def stats(self) -> LeastSquaresStats:
        """One-pass statistics of [A | y]: loss and optimum anywhere, cheaply (all rows)."""
        if self.sample_of is not None:
            return stream_statistics(self.sample_of, self.intercept)
        return LeastSquaresStats.from_arrays(self.design, self.dataset.target)

    @property
    def n_rows(self) -> int:
        """Rows the run trained on (more than `dataset` holds when that is a sample)."""
        return self.stats.n_rows if self.sample_of is not None else self.dataset.n_rows

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

    def predictions(self, weights: Array) -> Array:
        """ŷ = A·w for the run's data."""
        return self.design @ np.asarray(weights, dtype=np.float64)

    def loss_at(self, weights: Array) -> float:
        """L(w) = s·(‖Rw − z‖² + ρ²) from the statistics."""
        return self.loss.sum_weight(self.stats.n_rows) * self.stats.sum_squared_errors(weights)

    @property
    def is_line(self) -> bool:
        """True for one feature: the fit is a line (through the origin without intercept)."""
        return self.dataset.n_features == 1


def view_of_run(
    run: Run, data: Dataset | None = None, sample_of: FileSource | None = None
) -> RunView:
    """A `RunView` of a `Run`; the data are regenerated or re-read when not given.

    `sample_of` says that `data` is a sample of those files (see `gdlab.plots.sample`).
    """
    if data is None:
        data, sample_of = record_rows(run.to_record())
    path = np.asarray(run.path, dtype=np.float64)
    view = RunView(
        dataset=data,
        weight_names=tuple(run.weight_names),
        intercept=run.config.intercept,
        path=path,
        path_steps=np.arange(len(path)),
        initial_loss=float(run.initial_loss),
        losses=np.asarray(run.losses, dtype=np.float64),
        lr=float(run.config.lr),
        optimizer=run.config.optimizer,
        loss_name=run.config.loss,
        stop_reason=run.stop_reason,
        sample_of=sample_of,
    )
    return checked(view)


def view_of_record(
    record: Mapping[str, Any], data: Dataset | None = None, sample_of: FileSource | None = None
) -> RunView:
    """A `RunView` of a run record (`run.json`); its data regenerated or re-read if not given."""
    if data is None:
        data, sample_of = record_rows(record)
    try:
        config = record["config"]
        weights = finite_floats(record["weights"])
        path = [finite_floats(point) for point in record.get("path") or [record["init"], weights]]
        losses = np.array([np.nan if v is None else v for v in record["losses"]], dtype=float)
        steps = record.get("path_steps") or [0, len(losses)][: len(path)]
        view = RunView(
            dataset=data,
            weight_names=tuple(record.get("weight_names") or default_weight_names(record)),
            intercept=bool(config.get("intercept", True)),
            path=np.array(path, dtype=np.float64),
            path_steps=np.asarray(steps, dtype=int),
            initial_loss=float(record["initial_loss"]),
            losses=losses,
            lr=float(config["lr"]),
            optimizer=str(config.get("optimizer", "gd")),
            loss_name=str(config.get("loss", "l2")),
            stop_reason=str(record.get("stop_reason", "steps")),
            sample_of=sample_of,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise DataError(f"run record is missing or has a bad field: {error}") from None
    return checked(view)


def default_weight_names(record: Mapping[str, Any]) -> list[str]:
    """b and the feature names, for records written before `weight_names` existed."""
    features = list(record.get("data", {}).get("features", []))
    return (["b"] if record["config"].get("intercept", True) else []) + features


def finite_floats(values: Any) -> list[float]:
    """A weight vector from JSON (null, from a blown-up run, becomes NaN)."""
    return [np.nan if v is None else float(v) for v in values]


def checked(view: RunView) -> RunView:
    """Refuse a view whose data do not match its weights (a record paired with other data)."""
    expected = view.dataset.n_features + int(view.intercept)
    if view.path.ndim != 2 or view.path.shape[1] != expected or view.n_weights != expected:
        raise DataError(
            f"the run has {view.n_weights} weights but its data give {expected} "
            f"({view.dataset.n_features} features{' + bias' if view.intercept else ''})"
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
    """Whatever was given as the run — `RunView`, `Run` or record dict — as a `RunView`."""
    if isinstance(run, RunView):
        return run
    if isinstance(run, Run):
        return view_of_run(run, data, sample_of)
    return view_of_record(run, data, sample_of)
