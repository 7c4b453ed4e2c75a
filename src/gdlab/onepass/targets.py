"""Several targets from one pass: the factor of [A | y₁ … y_m], split per target.

The pass factors [A | Y] once, the m targets as its last columns: its triangular factor is
[[R, Z], [0, T]] with R the p×p factor of A, Z = Qᵀ[y₁ … y_m] (p×m) and T the m×m factor of
what the targets keep after their projection onto A. Target j's own statistics are then R,
zⱼ (column j of Z) and ρⱼ = ‖T's column j‖ — the norm of yⱼ's residual off A, wherever the
QR put its components — exactly the statistics of [A | yⱼ] alone, up to rounding. Centred
statistics split centred (each target keeps its entry of the reference row), weighted ones
keep their total weight, and the moments keep the rows and columns of A and of yⱼ.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gdlab.onepass.lstsq import LeastSquaresStats


def split_targets(joint: LeastSquaresStats, n_targets: int) -> list[LeastSquaresStats]:
    """The statistics of each of the last `n_targets` columns of [A | Y] against A.

    >>> A = np.column_stack([np.ones(4), np.arange(4.0)])
    >>> Y = np.column_stack([1 + 2 * A[:, 1], 3 - A[:, 1]])
    >>> joint = LeastSquaresStats.from_arrays(np.column_stack([A, Y[:, 0]]), Y[:, 1])
    >>> [np.round(part.optimum(), 12).tolist() for part in split_targets(joint, 2)]
    [[1.0, 2.0], [3.0, -1.0]]
    """
    q = joint.n_weights + 1  # columns of [A | Y]
    p = q - n_targets
    centred = joint.centred is not None and joint.reference is not None
    factor = joint.centred if centred else joint.factor()
    assert factor is not None
    parts = []
    for j in range(n_targets):
        column = p + j
        own = np.zeros((p + 1, p + 1))
        own[:p, :p] = factor[:p, :p]
        own[:p, p] = factor[:p, column]
        own[p, p] = float(np.linalg.norm(factor[p : column + 1, column]))
        keep = [*range(p), column]
        moments = None if joint.moments is None else joint.moments[np.ix_(keep, keep)].copy()
        reference = joint.reference[keep] if centred and joint.reference is not None else None
        part = LeastSquaresStats.from_factor(own, joint.n_rows, moments, reference=reference)
        parts.append(replace(part, weight_total=joint.weight_total))
    return parts
