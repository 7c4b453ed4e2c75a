"""A prepared problem: the data after its one pass, ready for any number of runs.

`prepare(data, config)` makes the one pass over the data: it reads small files whole,
streams large ones, or sends the pass to a Dask cluster, and keeps what every later step
needs — the one-pass statistics of [A | y], the rows when they fit in memory, an evenly
spaced sample of them for pictures, and the data's fingerprint for a saved model (both
taken during that same pass, when asked). Training (`gdlab.training.fit.train_problem`),
comparisons, summaries, traces and saved models then reuse the `Problem`; none of them
reads the data again.

`engine_for(problem, config)` builds the engine a run computes its loss and gradients
with: on the rows (dense, mini-batch) or on the statistics (stats, stream, dask), in the
data's units or standardised, with or without the ridge and L1 penalties.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from gdlab.analysis.deferred import replace_unread
from gdlab.data.dask import DaskData
from gdlab.data.dataset import Dataset
from gdlab.data.files import FileSource, check_width
from gdlab.data.sample import EvenSample
from gdlab.engines import DenseEngine, Engine, MiniBatchEngine, StatsEngine, choose_engine
from gdlab.engines.lasso import LassoEngine
from gdlab.engines.ridge import RidgeEngine, penalty_mask
from gdlab.engines.stats import standardized_statistics
from gdlab.errors import ConfigError, DataError, DataWarning
from gdlab.model.linear import design_matrix, weight_names
from gdlab.model.losses import Loss, get_loss, huber
from gdlab.model.standardize import (
    Standardization,
    fit_standardization,
    standardization_from_moments,
)
from gdlab.onepass.arrays import pass_statistics
from gdlab.onepass.groups import Folds, Holdout
from gdlab.onepass.keep import KeptStatistics
from gdlab.onepass.lstsq import LeastSquaresStats, merge_all
from gdlab.training.config import TrainingConfig

if TYPE_CHECKING:
    from gdlab.analysis.robust import Covariance
from gdlab.training.location import ABSOLUTE_KEY, absolute_source
from gdlab.training.record import DataInfo

#: `auto` reads files up to this size into memory (then runs stats or dense); larger ones
#: stream in one pass in bounded memory.
IN_MEMORY_MAX_BYTES = 64 * 2**20
#: A sample for pictures keeps between this many rows and twice as many.
SAMPLE_ROWS = 20_000
#: Designs of more weights than rows are refused beyond this many weights.
MAX_UNDERDETERMINED = 100

#: Where the rows of each kind of data live.
KINDS = {Dataset: "memory", FileSource: "files", DaskData: "dask", KeptStatistics: "statistics"}


@dataclass(frozen=True)
class Problem:
    """The data made ready for training (see the module notes).

    `statistics` are those of [A | y] in the data's units (A with its ones column when
    `intercept`); `rows` holds every row when they are in memory, `sample` an evenly spaced
    sample of streamed or distributed rows (when one was asked for), `fingerprint` the
    hash of every row (when asked). `engine` is the engine the pass was made for.
    """

    info: DataInfo
    intercept: bool
    statistics: LeastSquaresStats
    engine: str
    rows: Dataset | None = field(default=None, repr=False)
    sample: Dataset | None = field(default=None, repr=False)
    fingerprint: str | None = None
    #: Held-out rows' statistics (`--validation`), and the rows when they are in memory.
    validation: LeastSquaresStats | None = field(default=None, repr=False)
    validation_rows: Dataset | None = field(default=None, repr=False)
    #: K folds' statistics (`--cv`, row i in fold i mod K), and each row's fold in memory.
    folds: tuple[LeastSquaresStats, ...] | None = field(default=None, repr=False)
    fold_labels: np.ndarray | None = field(default=None, repr=False)
    #: The robust covariance of the optimum (`--cov`), from a second pass at it.
    covariance: Covariance | None = field(default=None, repr=False)

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The feature columns, in order."""
        return self.info.features

    @cached_property
    def weight_names(self) -> tuple[str, ...]:
        """`b` (with an intercept), then one name per feature (named once: read by the
        checks, the analysis and the run)."""
        return tuple(weight_names(self.info.features, self.intercept))

    @property
    def n_rows(self) -> int:
        """Rows in the data N."""
        return self.statistics.n_rows

    @property
    def weighted(self) -> bool:
        """True for weighted least squares (sample weights, `LeastSquaresStats.mass`)."""
        return self.statistics.weight_total is not None

    @property
    def points(self) -> Dataset | None:
        """The rows a picture draws: all of them in memory, else the sample (or None)."""
        return self.rows if self.rows is not None else self.sample

    @cached_property
    def natural_scaling(self) -> Standardization:
        """The features' means and standard deviations (what --standardize applies)."""
        if self.rows is not None:
            return fit_standardization(self.rows.features, self.intercept, self.rows.weights)
        moments = self.statistics.column_moments(self.intercept)  # centred: nothing cancels
        return standardization_from_moments(*moments, self.intercept)

    @classmethod
    def from_statistics(
        cls, info: DataInfo, intercept: bool, stats: LeastSquaresStats, rows: Dataset | None
    ) -> Problem:
        """A problem rebuilt from statistics a run record kept (and the rows, if at hand)."""
        return cls(info, intercept, stats, "stats", rows)


def data_kind(data: object) -> str:
    """'memory', 'files' or 'dask': where the rows live."""
    for kind, name in KINDS.items():
        if isinstance(data, kind):
            return name
    raise ConfigError(f"cannot train on {type(data).__name__}; give a Dataset, files or dask data")


def loss_of(config: TrainingConfig) -> Loss:
    """The loss a configuration trains (Huber with its threshold)."""
    return huber(config.huber_delta) if config.loss == "huber" else get_loss(config.loss)


def prepare(
    data: Dataset | FileSource | DaskData | KeptStatistics,
    config: TrainingConfig | None = None,
    *,
    fingerprint: bool = False,
    sample: bool = False,
) -> Problem:
    """Make the one pass over `data` for runs configured like `config` (see the module notes).

    `fingerprint` hashes every row during the pass (for a saved model); `sample` keeps an
    evenly spaced sample of rows that are not held in memory (for pictures). Statistics
    kept from an earlier pass (`KeptStatistics`, `gdlab stats`) need no pass at all.

    >>> from gdlab.data.seed import seed_dataset
    >>> problem = prepare(seed_dataset(0))
    >>> problem.engine, problem.n_rows, problem.weight_names
    ('stats', 50, ('b', 'x'))
    """
    config = config or TrainingConfig()
    if isinstance(data, KeptStatistics):
        return prepare_kept(data, config)
    loss = loss_of(config)
    kind = data_kind(data)
    details = {**data.extra, **located(data)}
    auto = config.engine == "auto"
    if isinstance(data, FileSource) and config.cluster_column:
        data = data.with_columns(clusters=config.cluster_column)
    if auto and isinstance(data, FileSource) and data.fits_in(IN_MEMORY_MAX_BYTES):
        data, kind = data.read(), "memory"  # small files: read whole, every cell checked
    weight_name = getattr(data, "weight_name", None)
    if weight_name:
        details["weights"] = weight_name
    name = config.engine
    if name == "auto":
        n_weights = data.n_features + config.intercept
        name = choose_engine(loss, kind, n_weights, config.batch_size, config.scheduler)
    check_engine_fits(name, kind, config)
    check_width(data.n_features)
    info = DataInfo(data.source, 0, tuple(data.feature_names), data.target_name, details)
    if isinstance(data, FileSource) and name not in ("stream", "dask"):
        data = data.read()
        info = replace(info, details={**details, **data.extra})  # rows left out, say
    if isinstance(data, Dataset):
        problem = prepare_held_out_rows(data, info, name, config, fingerprint)
    elif isinstance(data, FileSource) and name == "stream":
        problem = prepare_stream(data, info, config, fingerprint, sample)
    else:
        problem = prepare_dask(data, info, config, fingerprint, sample)
    check_determined(problem)
    check_learnable(problem)
    warn_if_collinear(problem)
    if problem.weighted and not problem.statistics.mass > 0:
        raise DataError(f"{info.source}: every sample weight in column '{weight_name}' is zero")
    if isinstance(config.validation, str):
        problem = with_validation_file(problem, data, config)
    if config.cov != "nonrobust":
        from gdlab.training.covariance import robust_covariance

        problem = replace(problem, covariance=robust_covariance(problem, data, config))
    return problem


def prepare_held_out_rows(
    dataset: Dataset, info: DataInfo, name: str, config: TrainingConfig, fingerprint: bool
) -> Problem:
    """Rows in memory, a share held out (`--validation F`) or split into folds (`--cv K`):
    the training rows' statistics, and the held-out rows' or each fold's beside them."""
    grouping = grouping_of(config)
    if grouping is None:
        return prepare_rows(dataset, info, name, config, fingerprint)
    labels = grouping.labels(dataset.rows(), 0)
    if isinstance(grouping, Folds):
        problem = prepare_rows(dataset, info, name, config, fingerprint)
        folds = tuple(
            rows_statistics(dataset.subset(labels == fold), config.intercept, design=True)
            for fold in range(grouping.count)
        )
        return replace(problem, folds=folds, fold_labels=labels)
    training, held_out = dataset.subset(labels == 0), dataset.subset(labels == 1)
    if training.n_rows < 2 or held_out.n_rows < 1:
        raise DataError(
            f"{info.source}: holding out {config.validation:g} of {dataset.n_rows} rows leaves "
            f"{training.n_rows} to train on and {held_out.n_rows} held out; give a larger "
            "share or more rows"
        )
    problem = prepare_rows(training, info, name, config, fingerprint)
    validation = rows_statistics(held_out, config.intercept, design=True)
    details = {**problem.info.details, "held_out_rows": held_out.n_rows}
    problem = replace(problem, info=replace(problem.info, details=details))
    return replace(problem, validation=validation, validation_rows=held_out)


def prepare_kept(kept: KeptStatistics, config: TrainingConfig) -> Problem:
    """A problem from statistics kept by an earlier pass (no rows: the stats engine only).

    The run's intercept must be the statistics' own, and options that need rows (held-out
    rows, folds, mini-batches, a non-quadratic loss, the dense engine) are refused.
    """
    where = kept.source
    if config.intercept != kept.intercept:
        held = "with an intercept; this fit has none ({option})"
        if not kept.intercept:
            held = "without an intercept; fit them with {option}"
        raise ConfigError(f"{where}: the statistics were kept {held}", option="intercept")
    for name in ("validation", "cv", "batch_size"):
        if getattr(config, name) is not None:
            raise ConfigError(
                f"{where}: statistics files hold no rows to hold out, split or sample; "
                "{option} needs the data itself",
                option=name,
            )
    if config.engine not in ("auto", "stats"):
        raise ConfigError(
            f"{where}: statistics files train on the stats engine, not {config.engine}"
        )
    if not config.is_quadratic:
        raise ConfigError(
            f"{where}: statistics files fit a quadratic loss (l2 or mse), not {config.loss}; "
            "the other losses need the rows"
        )
    check_engine_fits("stats", "statistics", config)
    details: dict[str, object] = {**kept.extra}
    if kept.weight_name is not None:
        details["weights"] = kept.weight_name
    info = DataInfo(where, kept.n_rows, kept.feature_names, kept.target_name, details)
    return Problem(info, kept.intercept, kept.statistics, "stats")


def grouping_of(config: TrainingConfig) -> Holdout | Folds | None:
    """How the pass sets rows apart: a seeded held-out share, K folds, or not at all."""
    if isinstance(config.validation, float):
        return Holdout(config.validation, config.seed)
    if config.cv is not None:
        return Folds(config.cv)
    return None


def with_validation_file(
    problem: Problem, data: Dataset | FileSource | DaskData, config: TrainingConfig
) -> Problem:
    """The held-out data of `--validation FILE`: the same columns, prepared on its own."""
    from gdlab.data.files import open_files

    path = str(config.validation)
    source = open_files(path, list(problem.feature_names), problem.info.target)
    weight_name = getattr(data, "weight_name", None)
    if weight_name:
        source = source.with_columns(weights=weight_name)
    plain = config.with_options(validation=None, early_stopping=None, cov="nonrobust")
    held_out = prepare(source, plain.with_options(engine="auto"))
    details = {**problem.info.details, "held_out_rows": held_out.n_rows}
    info = replace(problem.info, details=details)
    return replace(
        problem, info=info, validation=held_out.statistics, validation_rows=held_out.rows
    )


def check_determined(problem: Problem) -> None:
    """Refuse a wide design of more than `MAX_UNDERDETERMINED` weights and fewer rows: the
    data cannot determine its weights, and its analysis (O(p³)) would cost far more than
    the data's size. Smaller ones train (the collinearity warning says what that means)."""
    weights, rows = len(problem.weight_names), problem.n_rows
    if weights > rows and weights > MAX_UNDERDETERMINED:
        raise DataError(
            f"{problem.info.source}: {weights:,} weights (the bias and one per feature) but "
            f"only {rows:,} rows; least squares needs at least as many rows as weights to "
            f"determine them (gdlab fits fewer rows than weights only up to "
            f"{MAX_UNDERDETERMINED} weights). Give more rows or fewer columns"
        )


def warn_if_collinear(problem: Problem) -> None:
    """A `DataWarning` naming collinear columns and what the analysis can and cannot say."""
    from gdlab.analysis.collinear import collinearity, collinearity_message

    norms = problem.statistics.column_norms.tolist()
    zero = [name for name, norm in zip(problem.weight_names, norms, strict=True) if not norm]
    if zero and len(zero) < len(problem.weight_names):  # all of them: `check_learnable`
        warnings.warn(DataWarning(all_zero_message(zero, problem.info.source)), stacklevel=3)
        return
    found = collinearity(problem.statistics, problem.weight_names, problem.intercept)
    if found is not None:
        message = collinearity_message(found, problem.info.source)
        warnings.warn(DataWarning(message), stacklevel=3)


def all_zero_message(names: list[str], source: str) -> str:
    """What all-zero feature columns mean for the fit (`warn_if_collinear`).

    >>> all_zero_message(["x2"], "a.csv")[:40]
    "a.csv: 'x2' is all zeros, so the data gi"
    """
    one = len(names) == 1
    named = ", ".join(f"'{name}'" for name in names)
    weight, it, its, column = ("its weight", "it", "its", "the column")
    if not one:
        weight, it, its, column = ("their weights", "them", "their", "them")
    return (
        f"{source}: {named} {'is' if one else 'are'} all zeros, so the data give {weight} "
        f"no gradient and do not determine {it}: training leaves {it} at {its} start (a "
        f"penalty shrinks {it} towards 0), {its} standard errors, t and p values are "
        "undefined, and the floor and R² are those of the other columns. Dropping "
        f"{column} makes the weights determined."
    )


def check_learnable(problem: Problem) -> None:
    """Refuse data on which no weight changes any prediction: every feature all zeros and
    no bias. (Single all-zero features are fine: their weights are undetermined, GD leaves
    them where they start, and the floor is that of the other columns.)"""
    if problem.statistics.column_norms.any():  # some column's square is > 0: curvature
        return
    R = problem.statistics.R
    largest = float(np.abs(R).max()) if R.size else 0.0
    if largest == 0:
        names = ", ".join(problem.feature_names)
        raise DataError(
            f"{problem.info.source}: every feature column ({names}) is all zeros and there is "
            "no intercept: the model predicts 0 whatever its weights, so there is nothing to train"
        )
    if largest * largest == 0:  # so do all of the Hessian's entries (RᵀR): no curvature
        names = ", ".join(problem.feature_names)
        raise DataError(
            f"{problem.info.source}: every feature column ({names}) is so close to 0 (below "
            "about 1e-154) that its square underflows, and there is no intercept: the loss "
            "has no curvature in float64; rescale the features"
        )


def located(data: Dataset | FileSource | DaskData) -> dict[str, str]:
    """The absolute path of files the data were read from, for the record (`location`)."""
    if isinstance(data, FileSource):
        return {ABSOLUTE_KEY: absolute_source(data.source)}
    return {}


def check_engine_fits(name: str, kind: str, config: TrainingConfig) -> None:
    """Refuse an engine that cannot run on this data or with these options."""
    if config.scheduler and name != "dask":
        raise ConfigError(f"{{option}} is for the dask engine, not {name}", option="scheduler")
    if config.batch_size is not None and name != "dense":
        raise ConfigError(
            f"mini-batch SGD ({{option}}) runs on the dense engine, not {name}", option="batch_size"
        )
    if name in ("stats", "stream", "dask") and not config.is_quadratic:
        raise ConfigError(
            f"the {name} engine needs a quadratic loss (l2 or mse), not {config.loss}; "
            "use the dense engine (or auto)"
        )
    if name == "stream" and kind == "memory":
        raise ConfigError("the stream engine reads files; in-memory data runs on the stats engine")
    if kind == "dask" and name != "dask":
        raise ConfigError(f"dask collections run on the dask engine (or auto), not {name}")


def prepare_rows(
    dataset: Dataset, info: DataInfo, name: str, config: TrainingConfig, fingerprint: bool
) -> Problem:
    """Rows in memory: their statistics from one pass over the arrays."""
    if name == "dask":
        return prepare_dask(in_dask(dataset), info, config, fingerprint, False, dataset)
    features = np.asarray(dataset.features, dtype=np.float64)
    if name == "dense" and dataset.weights is None:
        A = design_matrix(features, config.intercept)
        stats = LeastSquaresStats.from_arrays(A, dataset.target)
    else:  # the pass adds the bias column itself (as `array_statistics` of the design does)
        StatsEngine.check_data(features, dataset.target, config.dtype)
        stats = rows_statistics(dataset, config.intercept, design=True)
    digest = None
    if fingerprint:
        from gdlab.data.fingerprint import RowsFingerprint

        digest = RowsFingerprint.of_dataset(dataset).hexdigest()
    info = replace_unread(info, n_rows=dataset.n_rows)  # a plain copy, not re-constructed
    return Problem(info, config.intercept, stats, name, dataset, None, digest)


def prepare_stream(
    source: FileSource, info: DataInfo, config: TrainingConfig, fingerprint: bool, sample: bool
) -> Problem:
    """Files streamed once: the statistics (with the held-out share's or each fold's beside
    them), and the sample and fingerprint on the way."""
    from gdlab.data.fingerprint import RowsFingerprint
    from gdlab.onepass.files import stream_group_statistics

    names = [*source.feature_names, source.target_name]
    hasher = RowsFingerprint(names) if fingerprint else None
    keeper = EvenSample(source.n_features + 1, SAMPLE_ROWS) if sample else None

    def observe(block: np.ndarray) -> None:
        if hasher is not None:
            hasher.update(block)
        if keeper is not None:
            keeper.update(block)

    watch = observe if hasher is not None or keeper is not None else None
    grouping = grouping_of(config)
    groups = stream_group_statistics(source, config.intercept, grouping, observe=watch)
    stats, validation, folds = groups[0], None, None
    if isinstance(grouping, Holdout):
        validation = groups[1]
        info = replace(info, details={**info.details, "held_out_rows": validation.n_rows})
    elif isinstance(grouping, Folds):
        stats, folds = merge_all(groups), groups
    rows = None
    if keeper is not None:
        rows = keeper.dataset(source.feature_names, source.target_name, source.source)
    digest = hasher.hexdigest() if hasher is not None else None
    info = replace(info, n_rows=stats.n_rows, details={**info.details, **source.extra})
    problem = Problem(info, config.intercept, stats, "stream", None, rows, digest)
    return replace(problem, validation=validation, folds=folds)


def in_dask(dataset: Dataset) -> DaskData:
    """In-memory rows as dask arrays (for --engine dask on a table in memory)."""
    from gdlab.data.dask import dask_arrays

    names, target, source = dataset.feature_names, dataset.target_name, dataset.source
    data = dask_arrays(dataset.features, dataset.target, names, target, source=source)
    if dataset.weights is None:
        return data
    import dask.array

    extras = dask.array.from_array(dataset.weights[:, None], chunks=(data.target.chunks[0], 1))
    return replace(data, extras=extras, weight_name=dataset.weight_name or "weights")


def prepare_dask(
    data: DaskData | FileSource,
    info: DataInfo,
    config: TrainingConfig,
    fingerprint: bool,
    sample: bool,
    rows: Dataset | None = None,
) -> Problem:
    """The pass on a Dask cluster (the blocks' statistics merged up a tree)."""
    from gdlab.data.dask import dask_files
    from gdlab.onepass.dask import dask_pass

    dask_data = dask_files(data) if isinstance(data, FileSource) else data
    grouping = grouping_of(config)
    result = dask_pass(
        dask_data,
        config.intercept,
        config.scheduler,
        fingerprint=fingerprint,
        sample_rows=SAMPLE_ROWS if sample and rows is None else None,
        grouping=grouping,
    )
    if isinstance(data, FileSource):
        data.check_unchanged()  # a file changed during the workers' pass is refused too
    details = dict(info.details)
    if result.missing is not None and result.missing.dropped:
        details.update(result.missing.details())
    stats, validation, folds = result.statistics, None, None
    if isinstance(grouping, Holdout) and result.groups is not None:
        stats, validation = result.groups
        details["held_out_rows"] = validation.n_rows
    elif isinstance(grouping, Folds):
        folds = result.groups
    info = replace(info, n_rows=stats.n_rows, details=details)
    problem = Problem(
        info, config.intercept, stats, "dask", rows, result.sample, result.fingerprint
    )
    return replace(problem, validation=validation, folds=folds)


def engine_for(
    problem: Problem, config: TrainingConfig, rng: np.random.Generator | None = None
) -> tuple[Engine, Standardization | None]:
    """The engine a run of `config` trains with on `problem`, and the scaling it applies.

    A run's options must agree with how the problem was prepared (the intercept; rows in
    memory for an engine that touches them every step). With ``standardize`` the engine
    works in standardised coordinates v (w = M·v, M = `Standardization.to_original`).
    """
    if config.intercept != problem.intercept:
        raise ConfigError("this problem was prepared with another intercept setting")
    if not config.is_quadratic and problem.weighted:
        raise ConfigError(
            f"sample weights need a least-squares loss (l2 or mse), not {config.loss}"
        )
    loss = loss_of(config)
    name = config.engine if config.engine != "auto" else problem.engine
    if not config.is_quadratic or config.batch_size is not None:
        name = "dense"
    scaling = problem.natural_scaling if config.standardize else None
    if scaling is not None:
        scaling.require_varying(problem.feature_names)
    if name == "dense":
        engine = dense_engine(problem, config, loss, scaling, rng)
    else:
        stats = problem.statistics
        if scaling is not None:
            # The scaled design is A·M (w = M·v), so its statistics are those of A in the
            # coordinates v: `transformed(M)`, no second pass.
            stats = scaled_statistics(problem, config, scaling)
        engine = StatsEngine(stats, loss, config.dtype, name=name)
    if config.l2 > 0:
        engine = RidgeEngine(engine, config.l2, penalty_mask(engine.n_weights, config.intercept))
    if config.l1 > 0:
        engine = LassoEngine(engine, config.l1, penalty_mask(engine.n_weights, config.intercept))
    return engine, scaling


def rows_statistics(
    dataset: Dataset,
    intercept: bool,
    features: np.ndarray | None = None,
    *,
    design: bool = False,
) -> LeastSquaresStats:
    """The one pass over rows in memory with their sample weights (`pass_statistics`);
    `design`: unweighted rows through the design matrix, as the stats engine makes them."""
    columns = dataset.features if features is None else features
    if design and dataset.weights is None:  # `array_statistics` of the design, not built
        target = np.asarray(dataset.target, dtype=np.float64)
        return pass_statistics(np.asarray(columns, dtype=np.float64), target, intercept)
    return pass_statistics(
        [columns[:, j] for j in range(columns.shape[1])],
        dataset.target,
        intercept,
        weights=dataset.weights,
    )


def scaled_statistics(
    problem: Problem, config: TrainingConfig, scaling: Standardization
) -> LeastSquaresStats:
    """The statistics of the standardised problem (in memory: one pass over scaled rows)."""
    if problem.rows is None:
        return standardized_statistics(problem.statistics, scaling)
    scaled = scaling.apply(problem.rows.features)
    return rows_statistics(problem.rows, config.intercept, scaled, design=True)


def dense_engine(
    problem: Problem,
    config: TrainingConfig,
    loss: Loss,
    scaling: Standardization | None,
    rng: np.random.Generator | None,
) -> Engine:
    """The dense (or mini-batch) engine over the rows in memory."""
    rows = problem.rows
    if rows is None:
        raise ConfigError(
            f"the {config.loss} loss and mini-batches need the rows in memory; this data is "
            f"{'streamed' if problem.engine == 'stream' else 'on a Dask cluster'}"
        )
    features = rows.features if scaling is None else scaling.apply(rows.features)
    A, y, mass = design_matrix(features, config.intercept), rows.target, None
    if rows.weights is not None:  # weighted least squares: rows scaled by √w
        root = np.sqrt(rows.weights)
        A, y, mass = A * root[:, None], y * root, float(np.sum(rows.weights))
    statistics = problem.statistics if scaling is None else None
    if config.batch_size is not None:
        if rng is None:
            raise ConfigError("mini-batch SGD needs a random generator to shuffle the rows")
        return MiniBatchEngine(A, y, loss, config.batch_size, rng, dtype=config.dtype, mass=mass)
    return DenseEngine(A, y, loss, dtype=config.dtype, statistics=statistics, mass=mass)
