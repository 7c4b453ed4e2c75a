"""What a finished run is told: whether it converged, the one change that would get it
there, and why it diverged.

`assess` fills the run record's `convergence` (see `gdlab.analysis.convergence` for the
criterion and the predictions). For a run that ended unconverged it also looks for one
change that gets there, from the exact analysis: a better rate (`lr="auto"`), standardised
features, plain GD for an adaptive optimizer, or more steps (how many). It prefers changes
that get there within the run's own steps, then the fewest steps.

`divergence_reason` says, in one line, why a run blew up: the rate (with the bound that
applies to that optimizer), a start whose loss overflows, or neither.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from gdlab.analysis.convergence import (
    CONVERGED_GAP,
    Convergence,
    Suggestion,
    predicted_steps,
    relative_gap,
    target_gap,
)
from gdlab.analysis.digits import distinct
from gdlab.analysis.quadratic import Analysis, analyze, start_excess
from gdlab.analysis.rates import ADAPTIVE, MOMENTUM, adaptive_rate, start_distance
from gdlab.analysis.training import bound_formula, in_original_units, stable_bound_for
from gdlab.errors import ConfigError, DataError
from gdlab.training.autorate import choose_rate, is_mini_batch, trained_optimum
from gdlab.training.config import MAX_STEPS, TrainingConfig
from gdlab.training.problem import Problem, loss_of
from gdlab.training.record import Run

#: Optimizers whose progress on a quadratic the analysis predicts.
PREDICTABLE = ("gd", *MOMENTUM)


def is_predictable(config: TrainingConfig, n_rows: int) -> bool:
    """True when the analysis predicts this run's steps: a quadratic loss, full batches, a
    constant rate and plain GD or momentum, without the L1 penalty (no longer a quadratic)."""
    constant = config.schedule in (None, "constant")
    full = not is_mini_batch(config, n_rows)
    smooth = config.is_quadratic and config.l1 == 0
    return smooth and full and constant and config.optimizer in PREDICTABLE


def assess(run: Run, start: np.ndarray, optimum_known: bool) -> Convergence:
    """The run's `Convergence`: the criterion met or not, the gap, the predicted steps, and
    (unconverged) the one change that would get there.

    `start` is the drawn start as the run used it in its own coordinates (a standardised
    run's v₀), which a standardised retry would start from too.
    """
    analysis, config = run.analysis, run.config
    target = target_gap(analysis.optimum_loss, run.initial_loss)
    gap = relative_gap(run.final_loss, analysis.optimum_loss, run.initial_loss)
    predicted = None
    if is_predictable(config, run.data.n_rows):
        predicted = predicted_steps(
            analysis, run.init, float(config.lr), config.optimizer, config.momentum, target
        )
    if not optimum_known:
        converged = run.stop_reason == "tol"
        return Convergence(converged, None, None, target, "tol" if converged else "unknown")
    within = run.stop_reason != "diverged" and run.final_loss - analysis.optimum_loss <= target
    converged = within or run.stop_reason == "tol"
    reason = "tol" if run.stop_reason == "tol" else "loss" if within else "no"
    suggestion = None
    if not converged and run.stop_reason == "steps":
        suggestion = suggest(run, start, target, predicted)
    return Convergence(converged, float(gap), predicted, target, reason, suggestion)


def suggest(
    run: Run,
    start: np.ndarray,
    target: float,
    predicted: int | None,
    allowed: Collection[str] | None = None,
) -> Suggestion | None:
    """The one change that gets this run within `target` of the optimum's loss (see the
    module notes), among changes of the `allowed` options (all when None), or None when
    none is known."""
    config, n_rows = run.config, run.data.n_rows
    adaptive = config.optimizer in ADAPTIVE
    candidates: list[tuple[dict[str, Any], int | None]] = []
    # A change the analysis predicts is kept only when it gets there (steps not None);
    # one it cannot predict (an adaptive optimizer standardised) is kept with None.
    if is_predictable(config, n_rows):
        if predicted is not None and predicted > config.steps:
            candidates.append(({"steps": predicted}, predicted))
        if not run_is_auto(run):
            retry = config.with_options(lr="auto")
            candidates.append(({"lr": "auto"}, steps_after(retry, run.analysis, run.init)))
    full = config.with_options(batch_size=None)
    if is_mini_batch(config, n_rows) and is_predictable(full, n_rows):
        candidates.append(({"batch_size": None}, steps_after(full, run.analysis, run.init)))
    plain = config.with_options(optimizer="gd", lr="auto", optimizer_options={})
    if adaptive and not config.optimizer_options and is_predictable(plain, n_rows):
        switch = {"optimizer": "gd"} if run_is_auto(run) else {"optimizer": "gd", "lr": "auto"}
        candidates.append((switch, steps_after(plain, run.analysis, run.init)))
    candidates = [(options, steps) for options, steps in candidates if steps is not None]
    if config.l1 > 0 and config.steps < MAX_STEPS:  # proximal steps: no prediction
        candidates.append(({"steps": min(MAX_STEPS, 10 * config.steps)}, None))
    standard = None
    if run.problem is not None and not config.standardize and config.l2 == 0:
        known = run.analysis.optimum_weights if config.is_quadratic else None
        standard = standardised(run.problem, config, known)
    if standard is not None:
        analysis, to_original = standard
        retry = config.with_options(standardize=True, lr=config.lr if adaptive else "auto")
        changes: dict[str, Any] = {"standardize": True}
        if not adaptive and not run_is_auto(run):
            changes["lr"] = "auto"
        drawn = config.init is None
        begin = to_original @ start if drawn else np.asarray(config.init, dtype=np.float64)
        if is_predictable(retry, n_rows):
            candidates.append((changes, steps_after(retry, analysis, begin)))
        elif adaptive:  # one rate for every weight needs them on one scale; no prediction
            candidates.append((changes, None))
    if allowed is not None:
        candidates = [
            (options, steps) for options, steps in candidates if set(options) <= set(allowed)
        ]
    return best(candidates, config.steps)


def run_is_auto(run: Run) -> bool:
    """True when the run's rate was chosen by `lr="auto"`."""
    return run.lr_choice is not None and run.lr_choice.auto


def start_of(run: Run) -> np.ndarray:
    """The run's start in its own coordinates (v₀ = M⁻¹w₀ when standardised)."""
    if run.analysis.to_original is None:
        return np.asarray(run.init, dtype=np.float64)
    return np.asarray(np.linalg.solve(run.analysis.to_original, run.init), dtype=np.float64)


def steps_after(config: TrainingConfig, analysis: Analysis, init: np.ndarray) -> int | None:
    """Predicted steps of `config` (its rate settled by `lr="auto"` when so) from `init`
    (data units) on the problem of `analysis`, to within the convergence target."""
    start = np.asarray(init, dtype=np.float64)
    if analysis.to_original is not None:
        trained = np.asarray(np.linalg.solve(analysis.to_original, start), dtype=np.float64)
    else:
        trained = start
    lr = choose_rate(config, analysis, trained, None).lr
    initial = analysis.optimum_loss + start_excess(analysis, start)
    target = target_gap(analysis.optimum_loss, initial)
    return predicted_steps(analysis, start, lr, config.optimizer, config.momentum, target)


def standardised(
    problem: Problem, config: TrainingConfig, optimum: np.ndarray | None = None
) -> tuple[Analysis, np.ndarray] | None:
    """The analysis of the problem with standardised features (weights in data units) and
    its map M (w = M·v); None when a feature is constant.

    Standardising moves the weights, not the optimum: the data's `optimum` w* (data units),
    when known, gives v* = M⁻¹w* without solving again."""
    scaling = problem.natural_scaling
    try:
        scaling.require_varying(problem.feature_names)
    except (ConfigError, DataError):
        return None
    M = scaling.to_original()
    known = None if optimum is None else np.linalg.solve(M, optimum)
    standard = analyze(problem.statistics.transformed(M), loss_of(config), optimum=known)
    return in_original_units(standard, M), M


def best(candidates: list[tuple[dict[str, Any], int | None]], budget: int) -> Suggestion | None:
    """The candidate that gets there within `budget` steps with the fewest changes (then
    steps), else the one that needs the fewest steps (at most `MAX_STEPS`)."""
    known = [(options, steps) for options, steps in candidates if steps is not None]
    within = [(options, steps) for options, steps in known if steps <= budget]
    if within:
        options, steps = min(within, key=lambda item: (len(item[0]), item[1]))
        return Suggestion({key: value for key, value in options.items() if key != "steps"}, steps)
    beyond = [(options, steps) for options, steps in known if steps <= MAX_STEPS]
    if beyond:
        options, steps = min(beyond, key=lambda item: (item[1], len(item[0])))
        return Suggestion({**options, "steps": steps}, steps)
    unknown = [options for options, steps in candidates if steps is None]
    return Suggestion(unknown[0], None) if unknown else None


def suggestion_words(
    suggestion: Suggestion | None, spell: Callable[[str, Any], str], optimizer: str
) -> str:
    """The suggestion as a clause, its options written by `spell(name, value)` as each
    surface spells them (e.g. "--standardize --lr auto would get there in 12 steps", or
    "--steps 4123 would get there")."""
    if suggestion is None:
        return f"no single change is known to get there within {MAX_STEPS:,} steps"
    change = " ".join(spell(name, value) for name, value in suggestion.options.items())
    if suggestion.steps is None:
        return f"{change} may help ({optimizer}'s progress cannot be predicted)"
    if "steps" in suggestion.options:  # the count is in the change itself
        return f"{change} would get there (predicted)"
    return f"{change} would get there in {steps_word(suggestion.steps)} (predicted)"


def unconverged_line(
    run: Run, spell: Callable[[str, Any], str], allowed: Collection[str] | None = None
) -> str | None:
    """One line for a run that ended unconverged: how far it is and the one change (of the
    `allowed` options, all when None) that gets there; None for a run that converged or
    diverged.

    >>> from gdlab.training.fit import demo
    >>> print(unconverged_line(demo(0), lambda name, value: f"{name}={value!r}"))
    ... # doctest: +NORMALIZE_WHITESPACE
    not converged after 50 steps: the loss is 0.000277 above the optimum's, relative
    (converged means ≤ 1e-06); lr='auto' would get there in 32 steps (predicted)
    """
    convergence = run.convergence
    if convergence is None or convergence.converged or run.stop_reason == "diverged":
        return None
    if convergence.relative_gap is None:
        far = f"its loss is {run.final_loss:.6g} (the optimum of this loss is not known)"
    else:
        far = (
            f"the loss is {convergence.relative_gap:.3g} above the optimum's, relative "
            f"(converged means ≤ {CONVERGED_GAP:g})"
        )
    suggestion = convergence.suggestion
    if (
        allowed is not None
        and suggestion is not None
        and not set(suggestion.options) <= set(allowed)
    ):
        suggestion = suggest(
            run, start_of(run), convergence.target_gap, convergence.steps_to_converge, allowed
        )
    words = suggestion_words(suggestion, spell, run.config.optimizer)
    if run.stop_reason != "steps":
        return f"not converged after {steps_word(len(run.losses))}: {far}"
    return f"not converged after {steps_word(len(run.losses))}: {far}; {words}"


def converged_line(run: Run) -> str | None:
    """One line for a run whose loss reached the optimum's (None otherwise): how close, and
    the steps the analysis predicted (an upper bound for momentum).

    >>> from gdlab.training.fit import fit
    >>> from gdlab.data.seed import seed_dataset
    >>> print(converged_line(fit(seed_dataset(0))))
    converged: the loss is within 1e-06 of the optimum's, relative (2.12e-10); predicted: 32 steps
    """
    convergence = run.convergence
    if convergence is None or convergence.reason != "loss" or convergence.relative_gap is None:
        return None
    line = (
        f"converged: the loss is within {CONVERGED_GAP:g} of the optimum's, relative "
        f"({max(convergence.relative_gap, 0.0):.3g})"
    )
    if convergence.steps_to_converge is not None:
        line += f"; predicted: {steps_word(convergence.steps_to_converge)}"
    return line


def steps_word(count: int) -> str:
    """'1 step', '3 steps'.

    >>> steps_word(1), steps_word(3)
    ('1 step', '3 steps')
    """
    return f"{count} step{'' if count == 1 else 's'}"


def divergence_reason(run: Run) -> tuple[str, str | None]:
    """One line on why the run diverged, and the option it names as ``{option}`` (or None).

    The rate is blamed only when it is at or above the stable bound that applies to the
    optimizer; a start whose loss is already infinite is blamed as the start; an adaptive
    optimizer is told about its own scale, D∞, not about plain GD's bound.
    """
    config, analysis = run.config, run.analysis
    after = f"training diverged after {steps_word(len(run.losses))}"
    lr = float(config.lr)
    if not math.isfinite(run.initial_loss):
        largest = float(np.max(np.abs(run.init))) if np.size(run.init) else math.nan
        option = "init_std" if config.init is None else "init"
        return (
            f"{after}: the loss at the start is already {run.initial_loss:g} (overflow): the "
            f"initial weights reach |w| = {largest:.3g}, so the start, not the rate, is the "
            f"cause; start closer to the data's scale (a smaller {{option}})",
            option,
        )
    if config.optimizer in ADAPTIVE:
        distance = start_distance(start_of(run), trained_optimum(analysis))
        suggested = adaptive_rate(config.optimizer, distance, config.steps)
        return (
            f"{after}: {config.optimizer} moves each weight by about lr={lr:g} a step, and the "
            f"start lies at most D∞ = {distance:.4g} from the optimum per weight; try a "
            f"smaller {{option}} (auto would take {suggested:.4g})",
            "lr",
        )
    bound = stable_bound_for(analysis, config.optimizer, config.optimizer_options)
    bound = analysis.lr_max_stable if bound is None else bound
    formula = f"{bound_formula(config.optimizer)} of the Hessian of the {config.loss} loss"
    if is_mini_batch(config, run.data.n_rows) and lr < bound:
        return (
            f"{after}: lr={lr:g} is below the full-batch bound {bound:.6g} ({formula}), but "
            f"single batches of {config.batch_size} rows can be steeper; try a smaller "
            "{option} (auto takes a rate safe for every batch)",
            "lr",
        )
    if lr >= bound:
        low, high = distinct(bound, lr, digits=6)
        return (
            f"{after}: lr={high} is above the largest stable learning rate for this data, "
            f"{low} ({formula}); try {{option}} ≤ {bound / 2:.3g} (or auto)",
            "lr",
        )
    largest = float(np.max(np.abs(run.init))) if np.size(run.init) else math.nan
    low, high = distinct(lr, bound, digits=6)
    return (
        f"{after}: lr={low} is below the largest stable learning rate {high} ({formula}), "
        f"so the rate is not the cause: the numbers overflowed {config.dtype} (the start "
        f"reaches |w| = {largest:.3g}); start closer to the data's scale",
        None,
    )
