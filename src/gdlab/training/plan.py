"""A run planned before its first step: its start, engine, analysis and rate, in one place.

`plan_run(problem, config)` does everything `train_problem` does before the first update —
draws the start, builds the engine (standardised or not, penalised or not), analyses the
problem in the coordinates trained, finds Huber's own optimum, and settles `lr="auto"` —
so the playground can show the bound, κ, the landscape and the chosen rate of the very run
it is about to train, and the run then uses the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.analysis.deferred import Later, replace_unread
from gdlab.analysis.elasticnet import elastic_net_optimum, objective, quadratic_of
from gdlab.analysis.quadratic import Analysis
from gdlab.analysis.rates import RateChoice
from gdlab.analysis.training import analyze_training, with_outlook
from gdlab.engines import DenseEngine, Engine
from gdlab.engines.ridge import penalty_mask
from gdlab.errors import ConfigError
from gdlab.model.standardize import Standardization
from gdlab.training.autorate import choose_rate
from gdlab.training.config import TrainingConfig
from gdlab.training.problem import Problem, engine_for, loss_of

Array = NDArray[np.float64]


@dataclass(frozen=True)
class RunPlan:
    """What a run is before step one. `start` is w₀ in the coordinates trained (v₀ when
    standardised, w = M·v); `config` has the rate settled (a number even for `auto`);
    `optimum_known` is False only for Huber on rows not in memory."""

    config: TrainingConfig
    start: Array
    engine: Engine
    scaling: Standardization | None
    analysis: Analysis
    choice: RateChoice
    optimum_known: bool
    rng: np.random.Generator | None  # None when nothing is drawn (a given start, full batch)

    @property
    def to_original(self) -> Array | None:
        """M with w = M·v (None when training runs in the data's units)."""
        return self.scaling.to_original() if self.scaling is not None else None

    def in_data_units(self, values: Any) -> Array:
        """Weights of the trained coordinates in the data's units: w = M·v (rows: v·Mᵀ)."""
        M = self.to_original
        values = np.asarray(values, dtype=np.float64)
        return values if M is None else values @ M.T


def start_generator(problem: Problem, config: TrainingConfig) -> np.random.Generator:
    """The generator of a run's random draws (its start, then mini-batch orders).

    It is ``default_rng(config.seed)``; when the data are the seed recipe drawn from that same
    seed (as `gdlab demo` does), the recipe's own draws come first, as in the seed program:
    data first, then the weights. So what drew the start is always what the record says.
    """
    rng = np.random.default_rng(config.seed)
    details = problem.info.details
    if problem.info.source == "seed" and details.get("seed") == config.seed:
        rng.standard_normal((2, int(details.get("n", problem.n_rows))))  # the recipe's draws
    return rng


def initial_weights(
    problem: Problem, config: TrainingConfig, rng: np.random.Generator | None = None
) -> np.ndarray:
    """The start in the data's units: `config.init`, or draws from N(0, init_std²)."""
    n_weights = len(problem.weight_names)
    if config.init is not None:
        if len(config.init) != n_weights:
            raise ConfigError(
                f"{{option}} needs {n_weights} values (bias first, then one per feature), "
                f"got {len(config.init)}",
                option="init",
            )
        return np.array(config.init, dtype=np.float64)
    rng = rng if rng is not None else start_generator(problem, config)
    return rng.normal(0.0, config.init_std, size=n_weights)


def plan_run(problem: Problem, config: TrainingConfig) -> RunPlan:
    """Everything of a run of `config` on `problem` before its first update (module notes).

    >>> from gdlab.data.seed import seed_dataset
    >>> from gdlab.training.problem import prepare
    >>> plan = plan_run(prepare(seed_dataset(0)), TrainingConfig())
    >>> plan.choice.auto, round(plan.config.lr, 6) == round(plan.analysis.lr_optimal, 6)
    (True, True)
    """
    drawing = config.init is None or config.batch_size is not None  # else nothing is drawn
    rng = start_generator(problem, config) if drawing else None
    w0 = initial_weights(problem, config, rng)
    engine, scaling = engine_for(problem, config, rng)
    if scaling is not None and config.init is not None:
        w0 = scaling.to_standard() @ w0  # --init is given in the data's units
    loss = loss_of(config)
    analysis = analyze_training(
        engine.statistics(),
        problem.statistics,
        loss,
        init=w0,
        lr=None if config.lr_is_auto else float(config.lr),
        names=problem.weight_names,
        intercept=config.intercept,
        scaling=scaling,
        conditioning_scaling=Later(getattr, problem, "natural_scaling"),  # read if needed
        covariance=problem.covariance,
    )
    to_original = scaling.to_original() if scaling is not None else None
    optimum_known = loss.is_quadratic
    if not loss.is_quadratic and isinstance(engine, DenseEngine):
        huber_weights, huber_value = engine.optimum()  # Huber's own optimum, by IRLS
        if to_original is not None:
            huber_weights = huber_weights @ to_original.T
        analysis = replace_unread(analysis, optimum_weights=huber_weights, optimum_loss=huber_value)
        optimum_known = True
    if config.l1 > 0:
        analysis = with_l1_optimum(analysis, engine, config, to_original)
    choice = choose_rate(config, analysis, w0, engine)
    if config.lr_is_auto:
        config = as_ran(config, lr=choice.lr)
        start = w0 if to_original is None else to_original @ w0
        if config.l1 == 0:  # the outlook predicts a quadratic's steps
            analysis = with_outlook(analysis, start, choice.lr)
    return RunPlan(config, w0, engine, scaling, analysis, choice, optimum_known, rng)


def as_ran(config: TrainingConfig, **values: Any) -> TrainingConfig:
    """`config` as it ran: the engine that `auto` chose, the rate `lr="auto"` picked.

    The other options were checked when `config` was made, and the values are what gdlab
    itself chose (an engine that ran, a finite positive rate), so the copy is not checked
    again (that costs a tenth of a seed fit).
    """
    if all(getattr(config, name) == value for name, value in values.items()):
        return config
    ran = object.__new__(TrainingConfig)
    ran.__dict__.update(config.__dict__, **values)  # a fresh copy of a frozen dataclass
    return ran


def with_l1_optimum(
    analysis: Analysis,
    engine: Engine,
    config: TrainingConfig,
    to_original: Array | None,
) -> Analysis:
    """The analysis with the optimum of the whole penalised objective (coordinate descent
    on the statistics trained, `gdlab.analysis.elasticnet`) in place of the quadratic's."""
    quadratic = quadratic_of(engine.statistics(), loss_of(config))
    mask = penalty_mask(engine.n_weights, config.intercept)
    trained = elastic_net_optimum(quadratic, config.l1, mask)
    value = objective(quadratic, trained, config.l1, mask)
    weights = trained if to_original is None else to_original @ trained
    return replace_unread(analysis, optimum_weights=weights, optimum_loss=value, outlook=None)
