"""The library's front door: `fit` a dataset or run the seed's `demo` in one call."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdlab.analysis.training import (
    analyze_training,
    bound_formula,
    stability_warning,
    stable_bound_for,
)
from gdlab.data.dask import DaskData, dask_arrays, is_dask_collection
from gdlab.data.dataset import Dataset, from_arrays
from gdlab.data.files import FileSource, open_files
from gdlab.data.seed import check_seed, seed_data, seed_dataset
from gdlab.engines import DenseEngine, Engine, StatsEngine, engine_for
from gdlab.engines.ridge import RidgeEngine, check_l2, penalty_mask
from gdlab.engines.stats import standardized_statistics
from gdlab.errors import ConfigError, DataError, DivergedError, LearningRateWarning
from gdlab.model.linear import weight_names
from gdlab.model.losses import Loss, get_loss, huber
from gdlab.model.standardize import (
    Standardization,
    fit_standardization,
    standardization_from_moments,
)
from gdlab.optim.optimizers import check_lr, make_optimizer, optimizer_options
from gdlab.optim.schedules import parse_schedule
from gdlab.training.loop import StepCallback, check_steps, check_tol, divergence_patience, train
from gdlab.training.record import DataInfo, Run, TrainConfig


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
    optimizer_options: Mapping[str, float] | None = None,
    schedule: str | None = None,
    l2: float = 0.0,
    tol: float | None = None,
    tol_kind: str = "grad",
    standardize: bool = False,
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

    `optimizer` names one of `gdlab.optim.optimizers.OPTIMIZERS` (options such as
    ``{"momentum": 0.9}`` in `optimizer_options`); `schedule` is a spec of
    `gdlab.optim.schedules` ("step:100:0.5", "exp:0.99", "cosine"); `l2` adds the ridge penalty
    ½·l2·‖w‖² (bias free); with `tol` the run stops early once ‖∇L‖ ≤ tol (`tol_kind`
    "grad") or the loss changes by ≤ tol relatively ("loss"); `standardize` trains on
    centred, scaled features and reports everything in the data's units.

    Before training, a rate at or above the stable bound (gd, momentum, nesterov) raises a
    `LearningRateWarning` that explains why. Raises `DivergedError` (carrying the partial
    run) when the loss blows up, with the largest stable learning rate in its message.

    `data` is a `Dataset` in memory, files from `open_files` (streamed in one pass) or dask
    collections from `dask_arrays`. `engine` says how the gradient is computed (see
    `gdlab.engines`; ``auto`` picks); `batch_size` turns GD into mini-batch SGD, shuffled
    from the seed; `scheduler` is a Dask scheduler's address for the dask engine.

    >>> run = fit(seed_data(np.random.default_rng(0)), steps=5)
    >>> len(run.losses), run.weight_names
    (5, ('b', 'x'))
    """
    lr = check_lr(lr)
    steps = check_steps(steps)
    loss_fn = huber(huber_delta) if loss == "huber" else get_loss(loss)
    l2 = check_l2(l2)
    tol = check_tol(tol, tol_kind)
    options = {key: float(value) for key, value in (optimizer_options or {}).items()}
    rate = parse_schedule(schedule, lr, steps) if schedule is not None else lr
    transform = make_optimizer(optimizer, rate, **options)
    rng = rng if rng is not None else np.random.default_rng(check_seed(seed))
    names = tuple(weight_names(data.feature_names, intercept))
    w0 = initial_weights(len(names), rng, init, init_std)
    plain = engine_for(
        engine,
        data,
        loss_fn,
        intercept=intercept,
        dtype=dtype,
        batch_size=batch_size,
        rng=rng,
        scheduler=scheduler,
    )
    data_stats = plain.statistics()
    if isinstance(data, Dataset):
        natural = fit_standardization(data.features, intercept)
    else:
        moments = data_stats.column_moments(intercept)  # centred: nothing cancels
        natural = standardization_from_moments(*moments, intercept)
    scaling = natural if standardize else None
    if scaling is not None:
        scaling.require_varying(data.feature_names)
        plain = standardized_engine(
            plain, data, scaling, loss_fn, intercept, dtype, batch_size, rng
        )
        if init is not None:
            w0 = scaling.to_standard() @ w0  # --init is given in the data's units
    runner = RidgeEngine(plain, l2, penalty_mask(len(names), intercept)) if l2 > 0 else plain
    analysis = analyze_training(
        runner.statistics(),
        data_stats,
        loss_fn,
        init=w0,
        lr=lr,
        names=names,
        intercept=intercept,
        scaling=scaling,
        conditioning_scaling=natural,
    )
    if not loss_fn.is_quadratic and isinstance(plain, DenseEngine):
        huber_weights, huber_value = plain.optimum()  # Huber's own optimum, by IRLS
        analysis = replace(analysis, optimum_weights=huber_weights, optimum_loss=huber_value)
    warning = stability_warning(analysis, optimizer, lr, options)
    if warning is not None:
        warnings.warn(LearningRateWarning(warning), stacklevel=2)
    to_original = scaling.to_original() if scaling is not None else None

    def in_data_units(values: np.ndarray) -> np.ndarray:
        """Weights trained in standardised coordinates v, as w = M·v (rows: w = v·Mᵀ)."""
        return values if to_original is None else values @ to_original.T

    watch = on_step
    if on_step is not None and to_original is not None:
        watch = lambda step, value, v: on_step(step, value, in_data_units(v))  # noqa: E731
    result = train(
        runner,
        transform,
        w0,
        steps,
        on_step=watch,
        tol=tol,
        tol_kind=tol_kind,
        patience=divergence_patience(momentum_of(optimizer, options)),
    )
    extras: dict[str, Any] = {
        "optimizer_options": options,
        "schedule": schedule,
        "l2": l2,
        "tol": tol,
        "tol_kind": tol_kind,
        "standardize": standardize,
    }
    if loss == "huber":
        extras["huber_delta"] = float(huber_delta)
    if batch_size is not None:
        extras["batch_size"] = int(batch_size)
    config = TrainConfig(
        lr, steps, optimizer, loss, seed, runner.name, dtype, intercept, init_std, extras
    )
    gradients = result.gradients
    if gradients is not None and to_original is not None:
        gradients = np.linalg.solve(to_original.T, gradients.T).T  # ∇_w = M⁻ᵀ∇_v
    run = Run(
        data=DataInfo(data.source, runner.n_rows, data.feature_names, data.target_name, data.extra),
        config=config,
        weight_names=names,
        init=np.asarray(in_data_units(w0), dtype=runner.dtype),
        weights=np.asarray(in_data_units(result.weights), dtype=runner.dtype),
        initial_loss=result.initial_loss,
        losses=result.losses,
        path=in_data_units(result.path),
        analysis=analysis,
        stop_reason=result.stop_reason,
        train_seconds=result.train_seconds,
        gradients=gradients,
    )
    if result.diverged and raise_on_divergence:
        raise DivergedError(divergence_message(run), run)
    return run


def momentum_of(optimizer: str, options: Mapping[str, float]) -> float:
    """The momentum β an optimizer carries (0 for none): heavy ball's, Nesterov's, Adam's β₁."""
    if optimizer in ("momentum", "nesterov"):
        return float(options.get("momentum", optimizer_options(optimizer)["momentum"]))
    if optimizer == "adam":
        return float(options.get("b1", optimizer_options("adam")["b1"]))
    return 0.0


def standardized_engine(
    plain: Engine,
    data: Dataset | FileSource | DaskData,
    scaling: Standardization,
    loss: Loss,
    intercept: bool,
    dtype: str,
    batch_size: int | None,
    rng: np.random.Generator,
) -> Engine:
    """The same kind of engine over centred, scaled features.

    In memory the features are rescaled and the engine rebuilt; a statistics engine (stats,
    stream, dask) needs no second pass: its statistics change coordinates exactly.
    """
    if isinstance(data, Dataset):
        scaled = replace(data, features=scaling.apply(data.features))
        return engine_for(
            plain.name,
            scaled,
            loss,
            intercept=intercept,
            dtype=dtype,
            batch_size=batch_size,
            rng=rng,
        )
    if isinstance(plain, StatsEngine):
        # The scaled design is A·M with M = to_original (w = M·v), so its statistics are those
        # of A in the coordinates v: no second pass.
        return StatsEngine(standardized_statistics(plain.statistics(), scaling), loss, dtype)
    raise ConfigError(f"--standardize is not available on the {plain.name} engine")


def divergence_message(run: Run) -> str:
    """One line: the run diverged at this lr; the largest stable lr for this data is …"""
    options = run.config.options.get("optimizer_options", {})
    bound = stable_bound_for(run.analysis, run.config.optimizer, options)
    bound = run.analysis.lr_max_stable if bound is None else bound
    return (
        f"training diverged after {len(run.losses)} steps: lr={run.config.lr:g} is above the "
        f"largest stable learning rate for this data, {bound:.6g} "
        f"({bound_formula(run.config.optimizer)} of the Hessian of the {run.config.loss} loss); "
        f"try lr ≤ {bound / 2:.3g}"
    )


def demo(seed: int = 0, *, lr: float = 0.002, steps: int = 50, n: int = 50) -> Run:
    """The seed program: its data recipe from `seed`, init N(0, 0.1²), lr 0.002, 50 steps.

    One generator drives both draws in the seed's order: data first, then the weights.
    """
    rng = np.random.default_rng(check_seed(seed))
    return fit(seed_data(rng, n), lr=lr, steps=steps, seed=seed, rng=rng)


def dataset_for_record(record: Mapping[str, Any]) -> Dataset:
    """The data a run record was trained on: the seed recipe regenerated, or its file re-read.

    Lets `gdlab plot RUN.json` and code export work from the record alone.
    """
    data = record.get("data", {})
    source = data.get("source")
    if source == "seed":
        seed = int(data.get("seed", record.get("config", {}).get("seed", 0)))
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
