"""The library's front door: `fit` a dataset, or run the seed's `demo`, in one call.

`fit(data, **options)` is `prepare` (the one pass, `gdlab.training.problem`) followed by
`train_problem` (one run of the configured optimizer on the prepared problem). Callers that
train several runs on the same data — comparisons, pictures, the playground — prepare once
and call `train_problem` for each.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdlab.analysis.convergence import Convergence
from gdlab.analysis.deferred import Later, replace_unread
from gdlab.analysis.training import stability_warning
from gdlab.data.dask import DaskData, dask_arrays, is_dask_collection
from gdlab.data.dataset import Dataset, from_arrays
from gdlab.data.files import FileSource
from gdlab.data.presets import preset_dataset
from gdlab.data.seed import seed_dataset
from gdlab.engines.ridge import penalty_mask
from gdlab.errors import DataError, DivergedError, LearningRateWarning
from gdlab.model.losses import Loss
from gdlab.onepass.keep import KeptStatistics
from gdlab.optim.optimizers import make_optimizer
from gdlab.optim.proximal import proximal_optimizer
from gdlab.optim.schedules import parse_schedule
from gdlab.training.advice import assess, divergence_reason
from gdlab.training.config import SEED_LR, TrainingConfig
from gdlab.training.location import data_location
from gdlab.training.loop import StepCallback, TrainResult, divergence_patience, train
from gdlab.training.plan import (  # noqa: F401 (re-exported: callers import them from here)
    RunPlan,
    as_ran,
    initial_weights,
    plan_run,
    start_generator,
)
from gdlab.training.problem import Problem, loss_of, prepare
from gdlab.training.record import Run, RunRecord
from gdlab.training.validation import (
    EarlyStopping,
    cross_validate,
    held_out_losses,
    validation_record,
)


def fit(
    data: Dataset | FileSource | DaskData | KeptStatistics,
    config: TrainingConfig | None = None,
    *,
    on_step: StepCallback | None = None,
    raise_on_divergence: bool = True,
    formula: str | None = None,
    **options: Any,
) -> Run:
    """Train the linear layer on `data` by gradient descent and return the `Run`.

    With a `formula` ("y ~ x1 + C(region) + I(x1**2)", `gdlab.data.design`), `data` holds
    the raw columns: a DataFrame (pandas, polars) or mapping of columns, a path or files,
    or a dask dataframe; the formula's intercept ('- 1' drops it) sets `intercept`.

    The options are those of `TrainingConfig` (lr, steps, optimizer, optimizer_options,
    schedule, l2, tol, tol_kind, standardize, loss, huber_delta, init, init_std, seed,
    intercept, dtype, engine, batch_size, scheduler), given as keywords or as a `config`.
    `data` is a `Dataset` in memory, files from `open_files` (streamed in one pass) or dask
    collections from `dask_arrays`, or statistics kept from an earlier pass
    (`gdlab.onepass.keep`: `update`, `read_statistics`).

    `lr="auto"` (the default) picks the fastest rate the analysis justifies for the data and
    optimizer (`gdlab.analysis.rates`); `run.config.lr` is the number, `run.lr_choice` says
    how it was chosen, and `run.convergence` whether the run reached the optimum.

    Before training, a rate at or above the stable bound (gd, momentum, nesterov) raises a
    `LearningRateWarning` that explains why. Raises `DivergedError` (carrying the partial
    run) when the loss blows up, saying why (the rate and its bound, or the start).
    `on_step(step, loss, w)` is called after each update; returning True stops the run.

    >>> from gdlab.data.seed import seed_data
    >>> run = fit(seed_data(np.random.default_rng(0)), steps=5)
    >>> len(run.losses), run.weight_names
    (5, ('b', 'x'))
    """
    config = configured(config, options)
    if formula is not None:
        from gdlab.data.formulas import with_formula

        data = with_formula(data, formula)
        design = getattr(data, "extra", {}).get("design", {})
        if not design.get("intercept", True):
            config = config.with_options(intercept=False)
    problem = prepare(data, config)
    return train_problem(problem, config, on_step=on_step, raise_on_divergence=raise_on_divergence)


def configured(config: TrainingConfig | None, options: Mapping[str, Any]) -> TrainingConfig:
    """A `config` with keyword `options` applied (or a new one from the options alone)."""
    if config is None:
        return TrainingConfig.from_options(options)
    return config.with_options(**options) if options else config


def train_problem(
    problem: Problem,
    config: TrainingConfig,
    *,
    on_step: StepCallback | None = None,
    raise_on_divergence: bool = True,
    plan: RunPlan | None = None,
) -> Run:
    """One run of `config`'s optimizer on a prepared problem (no pass over the data).

    `plan` is `plan_run(problem, config)` made already (the playground shows it first); a
    plan serves one run, since its generator moves on with the mini-batches.
    Overflow on the way (a start or a rate that blows up) is not warned about: the run
    stops as diverged, and its `DivergedError` (or `divergence_message`) says why.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        run = run_problem(problem, config, on_step, plan)
    if run.stop_reason == "diverged" and raise_on_divergence:
        raise diverged_error(run)
    return run


def run_problem(
    problem: Problem,
    config: TrainingConfig,
    on_step: StepCallback | None,
    plan: RunPlan | None = None,
) -> Run:
    """`train_problem`'s run, whatever its outcome: its `plan` (made here unless given),
    the steps, then what is read of it later (convergence) or beside it (held-out, CV)."""
    plan = plan if plan is not None else plan_run(problem, config)
    config, w0, engine, analysis = plan.config, plan.start, plan.engine, plan.analysis
    in_data_units, to_original = plan.in_data_units, plan.to_original
    loss = loss_of(config)
    options = config.optimizer_options
    warning = stability_warning(analysis, config.optimizer, float(config.lr), options)
    if warning is not None:
        warnings.warn(LearningRateWarning(warning), stacklevel=4)

    stopper = early_stopping(problem, config, loss, in_data_units(w0))
    on_step = either_stops(on_step, stopper)
    watch = on_step
    if on_step is not None and to_original is not None:
        watch = lambda step, value, v: on_step(step, value, in_data_units(v))  # noqa: E731
    lr = float(config.lr)
    rate = parse_schedule(config.schedule, lr, config.steps) if config.schedule else None
    if config.l1 > 0:
        mask = penalty_mask(engine.n_weights, config.intercept)
        optimizer = proximal_optimizer(config.optimizer, rate or lr, config.l1, mask, **options)
    else:
        optimizer = make_optimizer(config.optimizer, rate or lr, **options)
    result = train(
        engine,
        optimizer,
        w0,
        config.steps,
        on_step=watch,
        tol=config.tol,
        tol_kind=config.tol_kind,
        patience=divergence_patience(config.momentum),
    )
    path = in_data_units(result.path)
    stop_reason = result.stop_reason
    if stopper is not None and stopper.triggered and stop_reason == "stopped":
        stop_reason = "early_stopping"
    gradients: Any = Later(gradients_in_data_units, result, to_original)  # when first read
    run = Run(
        data=problem.info,
        config=as_ran(config, engine=engine.name),
        weight_names=problem.weight_names,
        init=np.asarray(in_data_units(w0), dtype=engine.dtype),
        weights=np.asarray(in_data_units(result.weights), dtype=engine.dtype),
        initial_loss=result.initial_loss,
        losses=result.losses,
        path=path,
        analysis=analysis,
        stop_reason=stop_reason,
        train_seconds=result.train_seconds,
        gradients=gradients,
        statistics=problem.statistics,
        problem=problem,
        lr_choice=plan.choice,
    )
    # assessed, with its advice (several solves), when first read: most of a seed fit's time
    # (a copy: the Later holds the run it assesses, and a copy keeps that free of a cycle)
    run = replace_unread(run, convergence=Later(quietly_assessed, run, w0, plan.optimum_known))
    if problem.validation is not None:
        losses = held_out_losses(
            path[1:], loss, problem.validation, problem.validation_rows, config.intercept
        )
        held = int(problem.validation.n_rows)
        run = replace_unread(
            run, validation_losses=losses, validation=validation_record(losses, held, stopper)
        )
    if problem.folds is not None:
        fold_run = lambda fold, setup: run_problem(fold, setup, None)  # noqa: E731
        run = replace_unread(run, cv=cross_validate(problem, run.config, fold_run))
    return run


def gradients_in_data_units(result: TrainResult, to_original: np.ndarray | None) -> Any:
    """The run's gradients along its path in the data's units: ∇_w = M⁻ᵀ∇_v when it trained
    standardised (w = M·v)."""
    gradients = result.gradients
    if gradients is None or to_original is None:
        return gradients
    with np.errstate(over="ignore", invalid="ignore"):
        return np.linalg.solve(to_original.T, gradients.T).T


def early_stopping(
    problem: Problem, config: TrainingConfig, loss: Loss, start: np.ndarray
) -> EarlyStopping | None:
    """The early-stopping rule of `config.early_stopping` on the problem's held-out data."""
    if config.early_stopping is None or problem.validation is None:
        return None
    held, rows, intercept = problem.validation, problem.validation_rows, config.intercept
    stopper = EarlyStopping(
        int(config.early_stopping),
        lambda w: held_out_losses(w[None, :], loss, held, rows, intercept)[0],
    )
    stopper.start(start)
    return stopper


def either_stops(
    on_step: StepCallback | None, stopper: EarlyStopping | None
) -> StepCallback | None:
    """One step callback that stops when the caller's or the early-stopping rule says so."""
    if stopper is None:
        return on_step
    if on_step is None:
        return stopper

    def both(step: int, value: float, w: np.ndarray) -> bool:
        asked = bool(on_step(step, value, w))
        return stopper(step, value, w) or asked

    return both


def quietly_assessed(run: Run, start: np.ndarray, optimum_known: bool) -> Convergence:
    """`assess` (read after the run, maybe far from `train_problem`), with overflow in its
    predictions left to the numbers (an infinite excess: no prediction), never warned about."""
    with np.errstate(over="ignore", invalid="ignore"):
        return assess(run, start, optimum_known)


def diverged_error(run: Run) -> DivergedError:
    """The `DivergedError` of a diverged run: why, in one line, naming the option to change."""
    template, option = divergence_reason(run)
    return DivergedError(template, run, option=option)


def divergence_message(run: Run) -> str:
    """One line on why the run diverged (its options spelled as Python keywords)."""
    return str(diverged_error(run))


def demo(
    seed: int = 0,
    *,
    lr: float | str = SEED_LR,
    steps: int = 50,
    n: int = 50,
    raise_on_divergence: bool = True,
) -> Run:
    """The seed program: its data recipe from `seed`, init N(0, 0.1²), lr 0.002, 50 steps
    (`lr` may be "auto").

    One generator drives both draws in the seed's order: data first, then the weights
    (see `start_generator`).
    """
    return fit(
        seed_dataset(seed, n),
        lr=lr,
        steps=steps,
        seed=seed,
        raise_on_divergence=raise_on_divergence,
    )


def dataset_for_record(record: Mapping[str, Any] | RunRecord) -> Dataset:
    """The data a run record was trained on: the seed recipe regenerated, or its file re-read.

    Lets `gdlab plot RUN.json` and code export work from the record alone. A file is read
    from where it was (`gdlab.training.location.data_location`), else from the path as given.
    """
    if not isinstance(record, RunRecord):
        record = RunRecord.from_dict(dict(record))
    info = record.data
    if info.source == "seed":
        seed = int(info.details.get("seed", record.config.seed))
        n, noise = int(info.details.get("n", 50)), float(info.details.get("noise", 1.0))
        return preset_dataset(str(info.details.get("preset", "seed")), seed, n, noise)
    if info.source in ("", "arrays"):
        raise DataError(
            "the run record's data came from in-memory arrays; pass the data explicitly"
        )
    from gdlab.data.designed import files_of_record

    location = data_location(info)
    return files_of_record(location, info.features, info.target, info.details).read()


def fit_arrays(features: ArrayLike, target: ArrayLike, **options: Any) -> Run:
    """`fit` on plain arrays: features N×k (or N), target N; dask arrays or frames stay lazy."""
    if is_dask_collection(features) or is_dask_collection(target):
        return fit(dask_arrays(features, target), **options)
    return fit(from_arrays(features, target), **options)
