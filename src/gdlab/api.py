"""The library's front door: `fit` a dataset or run the seed's `demo` in one call."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdlab.analysis import Analysis, analyze
from gdlab.data import (
    Dataset,
    from_arrays,
    seed_data,
    seed_dataset,
    weight_names,
)
from gdlab.engines import DenseEngine, Engine, engine_for
from gdlab.engines.dask_engine import DaskData, dask_arrays, is_dask_collection
from gdlab.errors import ConfigError, DataError, DivergedError
from gdlab.losses import Loss, get_loss, huber
from gdlab.optimizers import check_lr, make_optimizer
from gdlab.run import DataInfo, Run, TrainConfig
from gdlab.sources import FileSource, open_files
from gdlab.train import StepCallback, check_steps, train


def initial_weights(
    n_weights: int, rng: np.random.Generator, init: Sequence[float] | None, init_std: float
) -> np.ndarray:
    """The start: the given values, or draws from N(0, init_std²) as the seed does."""
    if init is not None:
        values = np.asarray(list(init), dtype=np.float64)
        if values.shape != (n_weights,):
            raise ConfigError(
                f"--init needs {n_weights} values (bias first, then one per feature), "
                f"got {values.size}"
            )
        if not np.all(np.isfinite(values)):
            raise ConfigError("--init values must be finite numbers")
        return values
    if not math.isfinite(init_std) or init_std < 0:
        raise ConfigError(f"init std must be a finite number ≥ 0, got {init_std}")
    return rng.normal(0.0, init_std, size=n_weights)


def fit(
    data: Dataset | FileSource | DaskData,
    *,
    lr: float = 0.002,
    steps: int = 50,
    optimizer: str = "gd",
    loss: str = "l2",
    init: Sequence[float] | None = None,
    init_std: float = 0.1,
    seed: int = 0,
    intercept: bool = True,
    dtype: str = "float64",
    engine: str = "auto",
    rng: np.random.Generator | None = None,
    on_step: StepCallback | None = None,
    raise_on_divergence: bool = True,
    batch_size: int | None = None,
    scheduler: str | None = None,
    huber_delta: float = 1.0,
) -> Run:
    """Train the linear layer on `data` by gradient descent and return the `Run`.

    `data` is a `Dataset` in memory, files from `open_files` (streamed in one pass) or dask
    collections from `dask_arrays`. `engine` says how the gradient is computed (see
    `gdlab.engines`; ``auto`` picks); `batch_size` turns GD into mini-batch SGD, shuffled
    from the seed; `scheduler` is a Dask scheduler's address for the dask engine.

    Raises `DivergedError` (carrying the partial run) when the loss blows up, with the
    largest stable learning rate for this data in its message.

    >>> run = fit(seed_data(np.random.default_rng(0)), steps=5)
    >>> len(run.losses), run.weight_names
    (5, ('b', 'x'))
    """
    lr = check_lr(lr)
    steps = check_steps(steps)
    loss_fn = huber(huber_delta) if loss == "huber" else get_loss(loss)
    rng = rng if rng is not None else np.random.default_rng(seed)
    names = tuple(weight_names(data.feature_names, intercept))
    w0 = initial_weights(len(names), rng, init, init_std)
    runner = engine_for(
        engine,
        data,
        loss_fn,
        intercept=intercept,
        dtype=dtype,
        batch_size=batch_size,
        rng=rng,
        scheduler=scheduler,
    )
    result = train(runner, make_optimizer(optimizer, lr), w0, steps, on_step=on_step)
    analysis = analysis_of(runner, loss_fn)
    options = engine_options(loss, huber_delta, batch_size)
    config = TrainConfig(
        lr, steps, optimizer, loss, seed, runner.name, dtype, intercept, init_std, options
    )
    run = Run(
        data=DataInfo(data.source, runner.n_rows, data.feature_names, data.target_name, data.extra),
        config=config,
        weight_names=names,
        init=np.asarray(w0, dtype=runner.dtype),
        weights=result.weights,
        initial_loss=result.initial_loss,
        losses=result.losses,
        path=result.path,
        analysis=analysis,
        stop_reason=result.stop_reason,
        train_seconds=result.train_seconds,
    )
    if result.diverged and raise_on_divergence:
        raise DivergedError(divergence_message(run), run)
    return run


def analysis_of(runner: Engine, loss: Loss) -> Analysis:
    """`analyze` the engine's statistics; a non-quadratic loss's optimum comes from its rows.

    For Huber's loss the curvature bounds of the least-squares Hessian still hold (its
    Hessian is never larger), but the optimum is its own (IRLS over the rows).
    """
    analysis = analyze(runner.statistics(), loss)
    if loss.is_quadratic or not isinstance(runner, DenseEngine):
        return analysis
    weights, value = runner.optimum()
    return replace(analysis, optimum_weights=weights, optimum_loss=value)


def engine_options(loss: str, huber_delta: float, batch_size: int | None) -> dict[str, Any]:
    """Settings the run record keeps beside the core config: Huber's δ, the batch size."""
    options: dict[str, Any] = {}
    if loss == "huber":
        options["huber_delta"] = float(huber_delta)
    if batch_size is not None:
        options["batch_size"] = int(batch_size)
    return options


def divergence_message(run: Run) -> str:
    """One line: the run diverged at this lr; the largest stable lr for this data is …"""
    bound = run.analysis.lr_max_stable
    return (
        f"training diverged after {len(run.losses)} steps: lr={run.config.lr:g} is above the "
        f"largest stable learning rate for this data, {bound:.6g} (2/λ_max of the Hessian "
        f"of the {run.config.loss} loss); try lr ≤ {bound / 2:.3g}"
    )


def demo(seed: int = 0, *, lr: float = 0.002, steps: int = 50, n: int = 50) -> Run:
    """The seed program: its data recipe from `seed`, init N(0, 0.1²), lr 0.002, 50 steps.

    One generator drives both draws in the seed's order: data first, then the weights.
    """
    rng = np.random.default_rng(seed)
    return fit(seed_data(rng, n), lr=lr, steps=steps, seed=seed, rng=rng)


def dataset_for_record(record: Mapping[str, Any]) -> Dataset:
    """The data a run record was trained on: the seed recipe regenerated, or its file re-read.

    Lets `gdlab plot RUN.json` and code export work from the record alone.
    """
    data = record.get("data", {})
    source = data.get("source")
    if source == "seed":
        seed = int(record.get("config", {}).get("seed", 0))
        return seed_dataset(seed, int(data.get("n", 50)), float(data.get("noise", 1.0)))
    if not isinstance(source, str) or source == "arrays":
        raise DataError(
            "the run record's data came from in-memory arrays; pass the data explicitly"
        )
    files = open_files(source, list(data.get("features", [])), str(data.get("target", "y")))
    return files.read()


def fit_arrays(features: ArrayLike, target: ArrayLike, **options: object) -> Run:
    """`fit` on plain arrays: features N×k (or N), target N; dask arrays or frames stay lazy."""
    if is_dask_collection(features) or is_dask_collection(target):
        return fit(dask_arrays(features, target), **options)  # type: ignore[arg-type]
    return fit(from_arrays(features, target), **options)  # type: ignore[arg-type]
