"""The facts a run's explanation tells, decided once so every language tells the same.

Every claim the texts make is settled here from the run's own numbers: whether the loss
fell or rose, why the run stopped, whether it got within 0.1% of its minimum, which stable
bound its optimizer has (plain GD's 2/λ_max, momentum's 2(1+β)/λ_max, none for the adaptive
ones, whose η is a step size per weight), and whether the step count can be predicted
(plain GD at a constant rate, full batches, a quadratic loss). Numbers are formatted here
(`numbers`), so the English and the Korean texts print identical digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from gdlab.analysis.quadratic import (
    EXCESS_GAP,
    RELATIVE_GAP,
    convergence_gap,
    momentum_growth,
    steps_to_gap,
)
from gdlab.analysis.training import MOMENTUM_OPTIMIZERS, stable_bound_for
from gdlab.explain.numbers import Fraction, as_fraction, distinct, num, ratio, same, vector
from gdlab.optim.optimizers import optimizer_options
from gdlab.training.record import Run

#: What kind of step each optimizer takes: the plain gradient, with a velocity, or rescaled
#: per weight by the gradient's running size.
KINDS = {"gd": "gd", "momentum": "momentum", "nesterov": "momentum", "fista": "gd"}
ADAPTIVE = ("adagrad", "rmsprop", "adam")
#: Directions with curvature below this fraction of λ_max are flat: moving along them does
#: not change the loss (collinear columns), so they do not decide convergence.
CURVED = 1e-12


@dataclass(frozen=True)
class Facts:
    """Everything `explain` says about one run: formatted numbers and the flags that pick
    each sentence."""

    # The run
    source: str
    n_rows: str
    loss: str
    huber_delta: str | None
    optimizer: str
    kind: str  # "gd", "momentum" (heavy ball, Nesterov) or "adaptive"
    nesterov: bool
    beta: str | None
    rms_decay: str | None
    schedule: str | None
    batch_size: str | None
    standardized: bool
    ridge: bool
    l2: str
    lasso: bool
    l1: str
    #: η·λ₁: how far each proximal step moves a feature weight towards 0.
    threshold: str
    #: The feature weights exactly 0 at the optimum, and how many are penalised.
    zero_names: tuple[str, ...]
    penalised: int
    intercept: bool
    weight_names: tuple[str, ...]
    tol: str | None
    tol_kind: str
    steps_run: int
    steps_asked: int
    stop_reason: str
    # The loss over the run
    initial_loss: str
    first_loss: str
    final_loss: str
    optimum_loss: str
    gap_loss: str
    loss_trend: str  # "fell", "rose" or "same", start to end
    first_trend: str  # the same for the first update
    initial_finite: bool
    final_finite: bool
    optimum_is_floor: bool
    optimum: tuple[str, ...]
    gap_relative: bool
    gap_percent: str
    within_gap: bool
    reached_at: int | None
    end_gap_percent: str
    end_times: str | None
    # Step 1
    start: tuple[str, ...]
    gradient: tuple[str, ...]
    after_first: tuple[str, ...]
    step_written: bool
    first_update: tuple[str, ...]
    first_moves: tuple[str, ...]
    distance: tuple[str, ...]
    distance_in_steps: str
    rms_first_factor: str | None
    # Curvature and rates
    eigen_count: int
    one_curvature: bool
    flat_count: int
    lam_min: str
    lam_slow: str
    lam_max: str
    condition: str
    lr: str
    bound: str
    best_lr: str
    twice_bound: str
    mse_bound: str
    momentum_bound: str | None
    effective_lr: str | None
    effective_factor: str | None
    momentum_best_lr: str | None
    momentum_best_beta: str | None
    fraction: Fraction
    ratio: str
    best_is_bound: bool
    gd_stable: bool
    at_bound: bool
    momentum_ratio: str | None
    momentum_above: bool
    momentum_stable: bool
    momentum_rate: str | None
    # What plain GD's eigen-analysis predicts (when it applies to this run)
    predicts: bool
    steps_to_gap: int | None
    slow_direction: str
    slow_weight: str
    flattest_is_slowest: bool
    keep_slowest: str
    contraction: str
    contraction_value: float
    # The column of ones
    mean_x: str | None
    mean_x_centred: bool
    first_feature: str
    condition_before: str | None
    condition_after: str | None
    condition_drops: bool
    steps_best_before: int | None
    steps_best_after: int | None

    @property
    def minibatch(self) -> bool:
        """True when each step's gradient came from a batch of fewer rows than N."""
        return self.batch_size is not None

    @property
    def start_point(self) -> str:
        """'(b, a) = (0.05027, 0.09897)', or 'x = 0.01257' for one weight."""
        if len(self.weight_names) == 1:
            return f"{self.weight_names[0]} = {self.start[0]}"
        return f"({', '.join(self.weight_names)}) = ({', '.join(self.start)})"

    @property
    def gradient_value(self) -> str:
        """'(6.44, −334.3)', or '−365' for one weight."""
        return self.gradient[0] if len(self.gradient) == 1 else f"({', '.join(self.gradient)})"

    @property
    def best_formula(self) -> str:
        """2/(λ_min + λ_max), which is 1/λ with one eigenvalue."""
        return "1/λ" if self.eigen_count == 1 else "2/(λ_min + λ_max)"

    @property
    def slow_label(self) -> str:
        """λ_min, or plain λ when flatter directions without curvature exist."""
        return "λ" if self.flat_count else "λ_min"

    @property
    def quadratic(self) -> bool:
        """True for the squared losses (l2, mse), whose curvature is constant."""
        return self.loss != "huber"

    def numbers(self) -> list[str]:
        """The numbers every language must print (for checking that they agree)."""
        picked = [self.initial_loss, self.final_loss, self.lr, self.lam_max]
        if self.kind == "gd":
            picked += [self.bound] if self.best_is_bound else [self.bound, self.best_lr]
        if self.momentum_bound is not None:
            picked += [self.momentum_bound]
        if self.step_written:
            picked += [*self.gradient, *self.after_first, self.first_loss]
        return picked


def gather(run: Run) -> Facts:
    """The facts of `run` (a finished, stopped or diverged run from `gdlab.fit`)."""
    analysis = run.analysis
    config = run.config
    lr = float(config.lr)
    kind = KINDS.get(config.optimizer, "adaptive")
    settings = {**optimizer_options(config.optimizer), **config.optimizer_options}
    beta = settings.get("momentum") if kind == "momentum" else None
    nesterov = MOMENTUM_OPTIMIZERS.get(config.optimizer, False)
    eigenvalues = np.asarray(analysis.hessian_eigenvalues, dtype=np.float64)
    bound = float(analysis.lr_max_stable)
    momentum_bound = stable_bound_for(analysis, config.optimizer, settings)
    momentum_bound = momentum_bound if kind == "momentum" else None
    schedule = config.schedule
    schedule = None if schedule in (None, "constant") else str(schedule)
    batch = config.batch_size
    batch = int(batch) if batch is not None and int(batch) < run.data.n_rows else None
    standardized = config.standardize
    losses = [float(v) for v in run.losses]
    initial = float(run.initial_loss)
    first = losses[0] if losses else initial
    final = losses[-1] if losses else initial
    optimum_loss = float(analysis.optimum_loss)
    gap = convergence_gap(optimum_loss, initial) if math.isfinite(initial) else math.nan
    gap_relative = optimum_loss > EXCESS_GAP * initial
    loss_texts = distinct([initial, first, final, optimum_loss, optimum_loss + gap])
    rates = [lr, bound, float(analysis.lr_optimal), 2 * bound]
    rates += [float(analysis.lr_by_loss["mse"]["lr_max_stable"])]
    extra_rates = []
    if beta is not None and momentum_bound is not None:
        extra_rates = [momentum_bound, lr / (1 - beta), float(analysis.momentum_lr)]
    rate_texts = distinct(rates + extra_rates)
    curved_from = int(np.argmax(eigenvalues > CURVED * eigenvalues[-1]))
    curved = eigenvalues[curved_from:]
    eigen_texts = distinct([float(eigenvalues[0]), float(curved[0]), float(eigenvalues[-1])])
    start, after_first, gradient = first_step(run)
    moves, distance = trained_moves(run)
    factor = 1 + beta if (beta is not None and nesterov) else 1.0
    written = kind != "adaptive" and not standardized
    written = written and bool(np.allclose(after_first, start - lr * factor * gradient))
    predicts = kind == "gd" and schedule is None and batch is None and math.isfinite(initial)
    predicts = predicts and loss_is_quadratic(config.loss) and config.l1 == 0
    contraction = float(np.max(np.abs(1 - lr * curved)))
    slow = slow_direction(run, curved_from)
    conditioning = analysis.conditioning
    growth = None
    if beta is not None:
        growth = max(momentum_growth(lr, float(lam), beta, nesterov) for lam in curved)
    reached = first_within(initial, losses, optimum_loss, gap)
    end_excess = final - optimum_loss
    denominator = optimum_loss if gap_relative else initial - optimum_loss
    return Facts(
        source=run.data.source,
        n_rows=str(run.data.n_rows),
        loss=config.loss,
        huber_delta=num(config.huber_delta) if config.loss == "huber" else None,
        optimizer=config.optimizer,
        kind=kind,
        nesterov=nesterov,
        beta=num(beta) if beta is not None else None,
        rms_decay=num(settings["decay"]) if config.optimizer == "rmsprop" else None,
        schedule=schedule,
        batch_size=str(batch) if batch is not None else None,
        standardized=standardized,
        ridge=config.l2 > 0,
        l2=num(config.l2),
        lasso=config.l1 > 0,
        l1=num(config.l1),
        threshold=num(lr * config.l1),
        zero_names=zero_names(run),
        penalised=len(run.weight_names) - int(config.intercept),
        intercept=config.intercept,
        weight_names=display_names(run),
        tol=num(config.tol) if config.tol is not None else None,
        tol_kind=config.tol_kind,
        steps_run=len(losses),
        steps_asked=int(config.steps),
        stop_reason=run.stop_reason,
        initial_loss=loss_texts[0],
        first_loss=loss_texts[1],
        final_loss=loss_texts[2],
        optimum_loss=loss_texts[3],
        gap_loss=loss_texts[4],
        loss_trend=trend(initial, final),
        first_trend=trend(initial, first),
        initial_finite=math.isfinite(initial),
        final_finite=math.isfinite(final),
        optimum_is_floor=all(v >= optimum_loss or same(v, optimum_loss) for v in losses),
        optimum=tuple(num(float(v)) for v in analysis.optimum_weights),
        gap_relative=gap_relative,
        gap_percent=num(100 * (RELATIVE_GAP if gap_relative else EXCESS_GAP)),
        within_gap=reached is not None and end_excess <= gap,
        reached_at=reached,
        end_gap_percent=num(100 * end_excess / denominator, 3) if denominator > 0 else "∞",
        end_times=times_the_minimum(final, optimum_loss, gap_relative),
        start=tuple(num(float(v)) for v in start),
        gradient=tuple(num(float(v)) for v in gradient),
        after_first=tuple(num(float(v)) for v in after_first),
        step_written=written,
        first_update=tuple(num(float(v)) for v in (start - after_first) / lr),
        first_moves=tuple(num(float(v)) for v in moves),
        distance=tuple(num(float(v)) for v in distance),
        distance_in_steps=num(float(np.max(distance)) / lr, 3),
        rms_first_factor=(
            num(1 / math.sqrt(1 - settings["decay"])) if config.optimizer == "rmsprop" else None
        ),
        eigen_count=len(eigenvalues),
        one_curvature=same(float(curved[0]), float(curved[-1])),
        flat_count=curved_from,
        lam_min=eigen_texts[0],
        lam_slow=eigen_texts[1],
        lam_max=eigen_texts[2],
        condition=num(analysis.condition_number),
        lr=rate_texts[0],
        bound=rate_texts[1],
        best_lr=rate_texts[2],
        twice_bound=rate_texts[3],
        mse_bound=rate_texts[4],
        momentum_bound=rate_texts[5] if extra_rates else None,
        effective_lr=rate_texts[6] if extra_rates else None,
        effective_factor=num(1 / (1 - beta)) if beta is not None else None,
        momentum_best_lr=rate_texts[7] if extra_rates else None,
        momentum_best_beta=num(analysis.momentum_beta) if extra_rates else None,
        fraction=as_fraction(lr / bound),
        ratio=ratio(lr / bound),
        best_is_bound=same(float(analysis.lr_optimal), bound),
        gd_stable=lr < bound and not same(lr, bound),
        at_bound=same(lr, bound),
        momentum_ratio=ratio(lr / momentum_bound) if momentum_bound else None,
        momentum_above=momentum_bound is not None and lr >= momentum_bound,
        momentum_stable=growth is not None and growth < 1,
        momentum_rate=num(growth) if growth is not None else None,
        predicts=predicts,
        steps_to_gap=predicted_steps(run, curved_from, gap) if predicts else None,
        slow_direction=vector(slow),
        slow_weight=display_names(run)[int(np.argmax(np.abs(slow)))],
        flattest_is_slowest=abs(1 - lr * curved[0]) >= abs(1 - lr * curved[-1]),
        keep_slowest=num(1 - lr * float(curved[0])),
        contraction=num(contraction),
        contraction_value=contraction,
        mean_x=mean_of_first_feature(run),
        mean_x_centred=nearly_centred(run),
        first_feature=run.data.features[0] if run.data.features else "x",
        condition_before=num(conditioning.condition_before) if conditioning else None,
        condition_after=num(conditioning.condition_after) if conditioning else None,
        condition_drops=conditioning is not None
        and conditioning.condition_after < conditioning.condition_before,
        steps_best_before=conditioning.steps_before if conditioning else None,
        steps_best_after=conditioning.steps_after if conditioning else None,
    )


def loss_is_quadratic(name: str) -> bool:
    """l2 and mse are quadratic in w; Huber is not (its curvature changes with w)."""
    return name in ("l2", "mse")


def trend(before: float, after: float) -> str:
    """ "fell", "rose" or "same" (equal to `SAME_DIGITS` digits) from `before` to `after`.

    >>> trend(3723.0, 6820.0), trend(302.0, 149.7), trend(1.0, 1.0 + 1e-13)
    ('rose', 'fell', 'same')
    """
    if same(before, after):
        return "same"
    return "fell" if after < before else "rose"


def times_the_minimum(final: float, optimum: float, relative: bool) -> str | None:
    """final/L* when the run ends at ten times its minimum or more (a percentage would be
    unreadable), else None.

    >>> times_the_minimum(4301.0, 75.39, True), times_the_minimum(80.0, 75.39, True)
    ('57.1', None)
    """
    if not relative or not math.isfinite(final) or final < 10 * optimum:
        return None
    return num(final / optimum, 3)


def first_within(initial: float, losses: list[float], optimum: float, gap: float) -> int | None:
    """The first update after which the loss is within `gap` of `optimum` (0: the start
    already was; None: never)."""
    for step, value in enumerate([initial, *losses]):
        if value - optimum <= gap:
            return step
    return None


def zero_names(run: Run) -> tuple[str, ...]:
    """The names of the feature weights the optimum sets exactly to 0 (the L1 penalty's)."""
    first = int(run.config.intercept)
    names = display_names(run)[first:]
    optimum = np.asarray(run.analysis.optimum_weights, dtype=np.float64)[first:]
    return tuple(name for name, value in zip(names, optimum, strict=True) if value == 0)


def first_step(run: Run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(w₀, w₁, ∇L(w₀)) in the data's units; w₁ = w₀ when no update ran."""
    start = np.asarray(run.init, dtype=np.float64)
    path = np.asarray(run.path, dtype=np.float64)
    after = path[1] if len(path) > 1 else start
    if run.gradients is not None and len(run.gradients):
        gradient = np.asarray(run.gradients[0], dtype=np.float64)
    else:
        gradient = (start - after) / run.config.lr
    return start, after, gradient


def trained_moves(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """|v₁ − v₀| and |v* − v₀| per weight, in the coordinates training ran in (standardised
    ones when it was: w = M·v), where an adaptive optimizer's η is a step length."""
    start, after, _ = first_step(run)
    optimum = np.asarray(run.analysis.optimum_weights, dtype=np.float64)
    to_original = run.analysis.to_original
    if to_original is not None:
        start, after, optimum = (np.linalg.solve(to_original, v) for v in (start, after, optimum))
    return np.abs(after - start), np.abs(optimum - start)


def display_names(run: Run) -> tuple[str, ...]:
    """The seed's names, b and a, for one feature with a bias; else the weight names."""
    if run.config.intercept and len(run.weight_names) == 2:
        return ("b", "a")
    return tuple(run.weight_names)


def predicted_steps(run: Run, curved_from: int, gap: float) -> int | None:
    """Plain GD's exact count of updates to within `gap` of the minimum at the run's rate,
    over the directions that change the loss (flat ones, λ ≈ 0, never move and never count).
    """
    analysis = run.analysis
    if curved_from:
        analysis = replace(
            analysis,
            hessian_eigenvalues=analysis.hessian_eigenvalues[curved_from:],
            hessian_eigenvectors=analysis.hessian_eigenvectors[:, curved_from:],
        )
    return steps_to_gap(analysis, run.init, run.config.lr, gap)


def slow_direction(run: Run, index: int = 0) -> np.ndarray:
    """Eigenvector `index` (0: λ_min's) in the trained coordinates, signed so its largest
    entry is > 0."""
    vectors = run.analysis.hessian_eigenvectors
    direction = np.asarray(vectors[:, index], dtype=np.float64)
    largest = direction[int(np.argmax(np.abs(direction)))]
    return direction if largest >= 0 else -direction


def nearly_centred(run: Run) -> bool:
    """True when the first feature's mean is within 5% of its spread from 0."""
    conditioning = run.analysis.conditioning
    if conditioning is None or not conditioning.feature_means or not conditioning.feature_scales:
        return False
    return abs(conditioning.feature_means[0]) <= 0.05 * conditioning.feature_scales[0]


def mean_of_first_feature(run: Run) -> str | None:
    """The mean of the first feature (None without a bias column, where it plays no part)."""
    conditioning = run.analysis.conditioning
    if not run.config.intercept or conditioning is None or not conditioning.feature_means:
        return None
    return num(conditioning.feature_means[0])


__all__ = ["ADAPTIVE", "Facts", "gather"]
