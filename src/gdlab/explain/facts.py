"""The numbers a run's explanation tells, gathered once so every language tells the same.

Each number is formatted here (`num`), so the English and the Korean texts print identical
digits; the texts only choose the words around them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdlab.analysis.quadratic import RELATIVE_GAP
from gdlab.training.record import Run


def num(value: float) -> str:
    """A number as the explanation prints it: 4 significant digits, a real minus sign.

    >>> num(0.0020000), num(-372.566), num(341.51712)
    ('0.002', '−372.6', '341.5')
    """
    if value is None or not math.isfinite(value):
        return "∞" if value is not None and value > 0 else "—"
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10^{int(exponent)}"
    return text.replace("-", "−")


def vector(values: np.ndarray) -> str:
    """(v₁, v₂, …) with `num` digits."""
    return "(" + ", ".join(num(float(v)) for v in values) + ")"


@dataclass(frozen=True)
class Fraction:
    """How lr compares with the bound: a simple fraction (1/3, 2/3, 1/2, …) when one fits."""

    ratio: float
    numerator: int
    denominator: int

    @property
    def simple(self) -> bool:
        """True when the ratio is within 6% of a fraction with a small denominator."""
        return self.denominator > 0


def as_fraction(ratio: float) -> Fraction:
    """The nearest fraction k/n (n ≤ 5, k < n) to a ratio below 1, if within 6%.

    >>> as_fraction(0.333).numerator, as_fraction(0.333).denominator
    (1, 3)
    >>> as_fraction(1.7).simple
    False
    """
    if not 0 < ratio < 1:
        return Fraction(ratio, 0, 0)
    for denominator in range(2, 6):
        numerator = max(1, round(ratio * denominator))
        close = abs(numerator / denominator - ratio) <= 0.06 * ratio
        if numerator < denominator and math.gcd(numerator, denominator) == 1 and close:
            return Fraction(ratio, numerator, denominator)
    return Fraction(ratio, 0, 0)


@dataclass(frozen=True)
class Facts:
    """Everything `explain` says about one run, as formatted strings and a few flags."""

    source: str
    n_rows: str
    n_rows_value: int
    loss: str
    optimizer: str
    lr: str
    steps_run: str
    stop_reason: str
    weight_names: tuple[str, ...]
    intercept: bool
    standardized: bool
    ridge: bool
    initial_loss: str
    final_loss: str
    optimum_loss: str
    optimum: tuple[str, ...]
    start: tuple[str, ...]
    gradient: tuple[str, ...]
    after_first: tuple[str, ...]
    first_loss: str
    is_gd: bool
    lam_min: str
    lam_max: str
    condition: str
    bound: str
    twice_bound: str
    best_lr: str
    mse_bound: str
    fraction: Fraction
    ratio: str
    converges: bool
    keep_slowest: str
    steepest_limits: bool
    slow_direction: str
    slow_weight: str
    gap_percent: str
    gap_loss: str
    steps_to_gap: str | None
    growth_at_lr: str
    mean_x: str | None
    first_feature: str
    condition_before: str | None
    condition_after: str | None
    steps_best_before: str | None
    steps_best_after: str | None

    def numbers(self) -> list[str]:
        """The numbers every language must print (for checking that they agree)."""
        picked = [self.initial_loss, self.final_loss, self.optimum_loss, self.lr]
        picked += [self.bound, self.best_lr, self.lam_min, self.lam_max, self.first_loss]
        picked += [*self.gradient, *self.after_first, self.twice_bound, self.mse_bound]
        if self.steps_to_gap is not None:
            picked.append(self.steps_to_gap)
        return picked


def gather(run: Run) -> Facts:
    """The facts of `run` (a finished or diverged run from `gdlab.fit`)."""
    analysis = run.analysis
    outlook = analysis.outlook
    eigenvalues = analysis.hessian_eigenvalues
    lr = run.config.lr
    start = np.asarray(run.init, dtype=np.float64)
    path = np.asarray(run.path, dtype=np.float64)
    after_first = path[1] if len(path) > 1 else start
    if run.gradients is not None:
        gradient = np.asarray(run.gradients[0], dtype=np.float64)
    else:
        gradient = (start - after_first) / lr
    slow_vector = slow_direction(run)
    conditioning = analysis.conditioning
    contraction = outlook.contraction if outlook is not None else math.nan
    steps = outlook.steps_to_gap if outlook is not None else None
    gap = outlook.gap if outlook is not None else math.nan
    return Facts(
        source=run.data.source,
        n_rows=str(run.data.n_rows),
        n_rows_value=run.data.n_rows,
        loss=run.config.loss,
        optimizer=run.config.optimizer,
        lr=num(lr),
        steps_run=str(len(run.losses)),
        stop_reason=run.stop_reason,
        weight_names=display_names(run),
        intercept=run.config.intercept,
        standardized=run.config.standardize,
        ridge=run.config.l2 > 0,
        initial_loss=num(run.initial_loss),
        final_loss=num(run.final_loss),
        optimum_loss=num(analysis.optimum_loss),
        optimum=tuple(num(float(v)) for v in analysis.optimum_weights),
        start=tuple(num(float(v)) for v in start),
        gradient=tuple(num(float(v)) for v in gradient),
        after_first=tuple(num(float(v)) for v in after_first),
        first_loss=num(run.losses[0]) if run.losses else num(run.initial_loss),
        is_gd=run.config.optimizer == "gd" and not run.config.standardize,
        lam_min=num(float(eigenvalues[0])),
        lam_max=num(float(eigenvalues[-1])),
        condition=num(analysis.condition_number),
        bound=num(analysis.lr_max_stable),
        twice_bound=num(2 * analysis.lr_max_stable),
        best_lr=num(analysis.lr_optimal),
        mse_bound=num(analysis.lr_by_loss["mse"]["lr_max_stable"]),
        fraction=as_fraction(lr / analysis.lr_max_stable),
        ratio=num(lr / analysis.lr_max_stable),
        converges=outlook.converges if outlook is not None else False,
        keep_slowest=num(1 - lr * float(eigenvalues[0])),
        steepest_limits=outlook is not None and outlook.slowest_eigenvalue != eigenvalues[0],
        slow_direction=vector(slow_vector),
        slow_weight=display_names(run)[int(np.argmax(np.abs(slow_vector)))],
        gap_percent=num(100 * RELATIVE_GAP),
        gap_loss=num(analysis.optimum_loss + gap),
        steps_to_gap=str(steps) if steps is not None else None,
        growth_at_lr=num(contraction),
        mean_x=mean_of_first_feature(run),
        first_feature=run.data.features[0] if run.data.features else "x",
        condition_before=num(conditioning.condition_before) if conditioning else None,
        condition_after=num(conditioning.condition_after) if conditioning else None,
        steps_best_before=optional_count(conditioning.steps_before if conditioning else None),
        steps_best_after=optional_count(conditioning.steps_after if conditioning else None),
    )


def display_names(run: Run) -> tuple[str, ...]:
    """The seed's names, b and a, for one feature with a bias; else the weight names."""
    if run.config.intercept and len(run.weight_names) == 2:
        return ("b", "a")
    return run.weight_names


def slow_direction(run: Run) -> np.ndarray:
    """The eigenvector of λ_min in the trained coordinates, signed so its largest entry is > 0."""
    vectors = run.analysis.hessian_eigenvectors
    direction = np.asarray(vectors[:, 0], dtype=np.float64)
    largest = direction[int(np.argmax(np.abs(direction)))]
    return direction if largest >= 0 else -direction


def mean_of_first_feature(run: Run) -> str | None:
    """The mean of the first feature (None without a bias column, where it plays no part)."""
    conditioning = run.analysis.conditioning
    if not run.config.intercept or conditioning is None or not conditioning.feature_means:
        return None
    return num(conditioning.feature_means[0])


def optional_count(value: int | None) -> str | None:
    """A step count as text (None stays None)."""
    return None if value is None else str(value)
