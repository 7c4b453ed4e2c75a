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

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from gdlab.data.dask import DaskData
from gdlab.data.dataset import Dataset
from gdlab.data.files import FileSource
from gdlab.data.sample import EvenSample
from gdlab.engines import DenseEngine, Engine, MiniBatchEngine, StatsEngine, choose_engine
from gdlab.engines.lasso import LassoEngine
from gdlab.engines.ridge import RidgeEngine, penalty_mask
from gdlab.engines.stats import standardized_statistics
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix, weight_names
from gdlab.model.losses import Loss, get_loss, huber
from gdlab.model.standardize import (
    Standardization,
    fit_standardization,
    standardization_from_moments,
)
from gdlab.onepass.arrays import array_statistics
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.training.config import TrainingConfig
from gdlab.training.location import ABSOLUTE_KEY, absolute_source
from gdlab.training.record import DataInfo

#: `auto` reads files up to this size into memory (then runs stats or dense); larger ones
#: stream in one pass in bounded memory.
IN_MEMORY_MAX_BYTES = 64 * 2**20
#: A sample for pictures keeps between this many rows and twice as many.
SAMPLE_ROWS = 20_000

#: Where the rows of each kind of data live.
KINDS = {Dataset: "memory", FileSource: "files", DaskData: "dask"}


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

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The feature columns, in order."""
        return self.info.features

    @property
    def weight_names(self) -> tuple[str, ...]:
        """`b` (with an intercept), then one name per feature."""
        return tuple(weight_names(self.info.features, self.intercept))

    @property
    def n_rows(self) -> int:
        """Rows in the data N."""
        return self.statistics.n_rows

    @property
    def points(self) -> Dataset | None:
        """The rows a picture draws: all of them in memory, else the sample (or None)."""
        return self.rows if self.rows is not None else self.sample

    @cached_property
    def natural_scaling(self) -> Standardization:
        """The features' means and standard deviations (what --standardize applies)."""
        if self.rows is not None:
            return fit_standardization(self.rows.features, self.intercept)
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
    data: Dataset | FileSource | DaskData,
    config: TrainingConfig | None = None,
    *,
    fingerprint: bool = False,
    sample: bool = False,
) -> Problem:
    """Make the one pass over `data` for runs configured like `config` (see the module notes).

    `fingerprint` hashes every row during the pass (for a saved model); `sample` keeps an
    evenly spaced sample of rows that are not held in memory (for pictures).

    >>> from gdlab.data.seed import seed_dataset
    >>> problem = prepare(seed_dataset(0))
    >>> problem.engine, problem.n_rows, problem.weight_names
    ('stats', 50, ('b', 'x'))
    """
    config = config or TrainingConfig()
    loss = loss_of(config)
    kind = data_kind(data)
    details = {**data.extra, **located(data)}
    auto = config.engine == "auto"
    if auto and isinstance(data, FileSource) and data.total_bytes <= IN_MEMORY_MAX_BYTES:
        data, kind = data.read(), "memory"  # small files: read whole, every cell checked
    name = config.engine
    if name == "auto":
        n_weights = data.n_features + config.intercept
        name = choose_engine(loss, kind, n_weights, config.batch_size, config.scheduler)
    check_engine_fits(name, kind, config)
    info = DataInfo(data.source, 0, tuple(data.feature_names), data.target_name, details)
    if isinstance(data, Dataset):
        return prepare_rows(data, info, name, config, fingerprint)
    if isinstance(data, FileSource) and name == "stream":
        return prepare_stream(data, info, config, fingerprint, sample)
    if isinstance(data, FileSource) and name != "dask":
        return prepare_rows(data.read(), info, name, config, fingerprint)
    return prepare_dask(data, info, config, fingerprint, sample)


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
    A = design_matrix(dataset.features, config.intercept)
    if name == "dense":
        stats = LeastSquaresStats.from_arrays(A, dataset.target)
    else:
        StatsEngine.check_data(A, dataset.target, config.dtype)
        stats = array_statistics(A, dataset.target)
    digest = None
    if fingerprint:
        from gdlab.data.fingerprint import RowsFingerprint

        digest = RowsFingerprint.of_dataset(dataset).hexdigest()
    info = replace(info, n_rows=dataset.n_rows)
    return Problem(info, config.intercept, stats, name, dataset, None, digest)


def prepare_stream(
    source: FileSource, info: DataInfo, config: TrainingConfig, fingerprint: bool, sample: bool
) -> Problem:
    """Files streamed once: the statistics, and the sample and fingerprint on the way."""
    from gdlab.data.fingerprint import RowsFingerprint
    from gdlab.onepass.files import stream_statistics

    names = [*source.feature_names, source.target_name]
    hasher = RowsFingerprint(names) if fingerprint else None
    keeper = EvenSample(source.n_features + 1, SAMPLE_ROWS) if sample else None

    def observe(block: np.ndarray) -> None:
        if hasher is not None:
            hasher.update(block)
        if keeper is not None:
            keeper.update(block)

    watch = observe if hasher is not None or keeper is not None else None
    stats = stream_statistics(source, config.intercept, observe=watch)
    rows = None
    if keeper is not None:
        rows = keeper.dataset(source.feature_names, source.target_name, source.source)
    digest = hasher.hexdigest() if hasher is not None else None
    info = replace(info, n_rows=stats.n_rows)
    return Problem(info, config.intercept, stats, "stream", None, rows, digest)


def in_dask(dataset: Dataset) -> DaskData:
    """In-memory rows as dask arrays (for --engine dask on a table in memory)."""
    from gdlab.data.dask import dask_arrays

    names, target, source = dataset.feature_names, dataset.target_name, dataset.source
    return dask_arrays(dataset.features, dataset.target, names, target, source=source)


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
    result = dask_pass(
        dask_data,
        config.intercept,
        config.scheduler,
        fingerprint=fingerprint,
        sample_rows=SAMPLE_ROWS if sample and rows is None else None,
    )
    info = replace(info, n_rows=result.statistics.n_rows)
    return Problem(
        info, config.intercept, result.statistics, "dask", rows, result.sample, result.fingerprint
    )


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


def scaled_statistics(
    problem: Problem, config: TrainingConfig, scaling: Standardization
) -> LeastSquaresStats:
    """The statistics of the standardised problem (in memory: one pass over scaled rows)."""
    if problem.rows is None:
        return standardized_statistics(problem.statistics, scaling)
    scaled = scaling.apply(problem.rows.features)
    return array_statistics(design_matrix(scaled, config.intercept), problem.rows.target)


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
    A = design_matrix(features, config.intercept)
    statistics = problem.statistics if scaling is None else None
    if config.batch_size is not None:
        if rng is None:
            raise ConfigError("mini-batch SGD needs a random generator to shuffle the rows")
        return MiniBatchEngine(A, rows.target, loss, config.batch_size, rng, dtype=config.dtype)
    return DenseEngine(A, rows.target, loss, dtype=config.dtype, statistics=statistics)
