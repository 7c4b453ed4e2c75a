"""Columns that (nearly) repeat each other, and what that means for a fit and its analysis.

With the columns of A scaled to unit length, A·diag(1/d) = Q·S, the singular values of S
measure how independent the columns are: all 1 for orthogonal columns, one of them 0 when
some combination Σ u_j a_j of the columns vanishes. Its right singular vector v gives that
combination (u = v/d in the data's units), so the columns in it can be named, and the
relation written out (``x2 ≈ 2·x1 + 3``). `collinearity` finds the combinations that vanish
(to rounding: the design is singular) or nearly vanish (cond(S) ≥ `NEARLY_SINGULAR`), and
`collinearity_message` says what the fit can and cannot tell then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.onepass.lstsq import LeastSquaresStats

Array = NDArray[np.float64]

#: cond(S) from here on: the weights lose more than half their digits along a combination,
#: and plain GD would need ~cond² steps along it.
NEARLY_SINGULAR = 1e8
#: A column takes part in a combination when its share of the singular vector is this large.
PART_SHARE = 0.05
#: Combinations named at most …
MAX_NAMED = 3
#: … written out as relations up to this many columns, and columns listed at most.
MAX_TERMS, MAX_LISTED = 6, 10


@dataclass(frozen=True)
class Combination:
    """Columns of A whose combination Σ u_j a_j (nearly) vanishes: names and coefficients."""

    names: tuple[str, ...]
    coefficients: tuple[float, ...]
    size: float  # ‖Σ u_j a_j‖ relative to the columns' own lengths (σ of S)
    bias: str | None = None  # the bias's name when it takes part

    def relation(self) -> str:
        """The combination solved for its last feature column: 'x2 ≈ 2·x1 + 3'."""
        if len(self.names) > MAX_TERMS:
            return f"a combination of {len(self.names)} columns vanishes"
        features = [i for i, name in enumerate(self.names) if name != self.bias]
        lead = features[-1] if features else 0
        terms = []
        for i, (name, value) in enumerate(zip(self.names, self.coefficients, strict=True)):
            if i != lead:
                factor = -value / self.coefficients[lead]
                constant = name == self.bias
                terms.append((constant, f"{factor:.4g}" + ("" if constant else f"·{name}")))
        right = " + ".join(text for _, text in sorted(terms)) or "0"
        return f"{self.names[lead]} ≈ {right}".replace("+ -", "− ").replace("≈ -", "≈ −")


@dataclass(frozen=True)
class Collinearity:
    """The (nearly) vanishing combinations of a design and its scaled condition number."""

    combinations: tuple[Combination, ...]
    condition: float
    singular: bool
    hessian_condition: float = math.inf
    vanishing: int = 1
    bias: str | None = None  # the bias's name (None without one)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column that takes part in some combination, in order."""
        return tuple(dict.fromkeys(name for c in self.combinations for name in c.names))


def collinearity(
    stats: LeastSquaresStats, names: Sequence[str], intercept: bool = True
) -> Collinearity | None:
    """The combinations of columns that (nearly) vanish, or None for a well-posed design.

    `names` name the columns of A, the ones column first with an `intercept` (its name is
    the bias's: ``b``, unless a feature has that name).

    >>> x = np.arange(5.0)
    >>> A = np.column_stack([np.ones(5), x, 2 * x + 3])
    >>> found = collinearity(LeastSquaresStats.from_arrays(A, x), ["b", "x1", "x2"])
    >>> found.singular, found.combinations[0].relation()
    (True, 'x2 ≈ 2·x1 + 3')
    """
    norms = stats.column_norms
    lengths = norms.tolist()  # a few numbers, mostly: Python's all, min, max cost less
    if not lengths or not all(lengths):
        return None  # an all-zero column: no combination; its weight is simply undetermined
    # The scaled factor S = R·D⁻¹ (D: the column norms) has κ(S) ≤ κ(R)·κ(D), and the
    # SVD of R is the one the Hessian's analysis reads anyway: most designs end here.
    singular = stats.singular[0]
    largest, smallest = float(singular[0]), float(singular[-1])
    spread = max(lengths) / min(lengths)
    if smallest > 0 and 3 * stats.n_weights * spread * largest / smallest < NEARLY_SINGULAR:
        return None
    scaled = stats.R / norms
    # κ₂ ≤ p·κ₁, and LAPACK's estimate of κ₁ is within a factor of about 3: a design this
    # well posed is known in O(p²), without the O(p³) SVD below.
    bound = 3 * stats.n_weights * estimated_condition(scaled)
    if bound < NEARLY_SINGULAR:
        return None
    _, singular_values, vt = np.linalg.svd(scaled)
    largest = singular_values[0] if singular_values.size else 0.0
    rank_tolerance = max(stats.n_rows, stats.n_weights) * np.finfo(float).eps * largest
    vanishing = [i for i, value in enumerate(singular_values) if value <= rank_tolerance]
    condition = math.inf if vanishing else float(largest / singular_values[-1])
    if not vanishing and condition < NEARLY_SINGULAR:
        return None
    bias = names[0] if intercept and names else None
    combinations = []
    for index in (vanishing or [len(singular_values) - 1])[:MAX_NAMED]:
        vector = vt[index] / norms  # in the data's units
        share = np.abs(vt[index]) / np.abs(vt[index]).max()
        parts = [j for j in range(len(names)) if share[j] >= PART_SHARE]
        if len(parts) > 1:
            combinations.append(
                Combination(
                    tuple(names[j] for j in parts),
                    tuple(float(vector[j]) for j in parts),
                    float(singular_values[index]),
                    bias if 0 in parts else None,
                )
            )
    if not combinations:
        return None
    raw = stats.singular[0]
    hessian = float((raw[0] / raw[-1]) ** 2) if raw[-1] > 0 else math.inf
    found = len(vanishing) or 1
    return Collinearity(tuple(combinations), condition, bool(vanishing), hessian, found, bias)


#: Up to this many weights the exact 2-norm condition (an SVD of a small R) is cheaper than
#: importing SciPy for LAPACK's estimate.
EXACT_CONDITION_MAX = 64


def estimated_condition(R: Array) -> float:
    """LAPACK's estimate of the 1-norm condition number of a triangular R, in O(p²) (within
    a small factor of the true one); for a small R its exact 2-norm condition, which is
    smaller than the estimate's bound allows for."""
    if R.shape[0] <= EXACT_CONDITION_MAX:
        values = np.linalg.svd(R, compute_uv=False)
        return math.inf if values[-1] <= 0 else float(values[0] / values[-1])
    from scipy.linalg import lapack

    reciprocal, info = lapack.dtrcon(np.ascontiguousarray(R), norm="1", uplo="U", diag="N")
    return math.inf if info != 0 or reciprocal <= 0 else float(1 / reciprocal)


def bias_phrase(name: str) -> str:
    """'the bias b', or, when a feature took that name, 'the bias' (named `bias`) or
    "the bias 'intercept'" (`gdlab.model.linear.bias_name`)."""
    if name == "b":
        return "the bias b"
    return "the bias" if name == "bias" else f"the bias '{name}'"


def collinearity_message(found: Collinearity, source: str) -> str:
    """One paragraph: which columns, the relation, and what the fit can and cannot tell."""
    bias = found.bias if found.bias in found.columns else None
    parts = [bias_phrase(bias)] if bias is not None else []
    parts += [f"'{name}'" for name in found.columns if name != bias]
    if len(parts) > MAX_LISTED:
        parts = [*parts[: MAX_LISTED - 1], f"{len(parts) - MAX_LISTED + 1} more columns"]
    named = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    relations = "; ".join(combination.relation() for combination in found.combinations)
    if found.vanishing > len(found.combinations):
        relations += f"; {found.vanishing} combinations vanish in all"
    with_bias = bias is not None
    hint = (
        " Centring the features (standardising) removes a near-repeat of the bias."
        if with_bias and not found.singular
        else " Dropping one column of each combination makes the weights determined."
    )
    if found.singular:
        return (
            f"{source}: {named} are collinear ({relations}), so XᵀX is singular. "
            "The data determine the fit's loss and predictions, but not the weights along "
            "that combination: the optimum shown is one of many equally good weight "
            "vectors, plain gradient descent ends at the one nearest its start, the "
            "smallest eigenvalue of the Hessian is 0 (so the 'best' constant rate equals "
            "the stable bound and the steps to the optimum are not predicted by it), and "
            "standard errors, t and p values are undefined." + hint
        )
    digits = max(0, int(-math.log10(found.condition * np.finfo(float).eps)))
    steps = round(math.log10(found.hessian_condition)) if found.hessian_condition < math.inf else 0
    return (
        f"{source}: {named} are nearly collinear ({relations}; condition number "
        f"of the scaled design {found.condition:.3g}). The fit's loss and predictions are "
        f"well determined, but the weights along that combination only to about {digits} "
        "digits, their standard errors are large, and plain gradient descent on the data as "
        f"given converges along it only after some 10^{steps} steps (the condition number of "
        "its Hessian)." + hint
    )
