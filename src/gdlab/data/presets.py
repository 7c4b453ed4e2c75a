"""Teaching variations of the seed data, each showing one thing about gradient descent.

Every preset starts from the seed recipe's own draws (`seed_dataset`), so the start the
same seed draws next is the seed program's, and changes it in one way:

* ``seed``: the recipe itself, x = linspace(-2, 4, n) + ε₁, y = linspace(-6, 6, n) + ε₂.
* ``centred``: x − mean(x). The bias and the slope no longer pull on each other: the
  Hessian is diagonal and the valley's axes are the weights' own.
* ``ill-conditioned``: x + 10, far from zero. b and a are then nearly collinear with the
  ones column: κ grows from about 9 to about 3000 and plain GD crawls along the valley.
* ``outliers``: every tenth point's y moved up by 15. The l2 fit tilts towards them,
  Huber's (δ = 1) barely moves: a case for ``--loss huber``.
* ``collinear``: a second feature x₂ = x + 0.01·ε, almost a copy of x. One direction of
  the landscape is nearly flat (λmin ≈ 0): the loss reaches its floor long before the
  weights of x and x₂ settle.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gdlab.data.dataset import Dataset
from gdlab.data.seed import SEED_ROWS, seed_dataset
from gdlab.errors import ConfigError

#: Each preset and what it shows, in a few words.
PRESETS = {
    "seed": "the seed program's two noisy ramps",
    "centred": "x centred at 0: bias and slope decouple",
    "ill-conditioned": "x shifted to 10: a long narrow valley",
    "outliers": "every tenth point 15 higher: l2 against Huber",
    "collinear": "a second feature almost equal to x: a flat direction",
}
#: How far `outliers` moves every tenth point, and how close `collinear`'s copy stays.
OUTLIER_SHIFT = 15.0
COPY_NOISE = 0.01
ILL_SHIFT = 10.0


def preset_dataset(name: str, seed: int, n: int = SEED_ROWS, noise: float = 1.0) -> Dataset:
    """The preset `name` (see the module notes) from the seed recipe of `seed`, n, noise.

    >>> data = preset_dataset("centred", 0)
    >>> abs(float(data.features.mean())) < 1e-12, data.extra["preset"]
    (True, 'centred')
    >>> preset_dataset("collinear", 0).feature_names
    ('x', 'x2')
    """
    if name not in PRESETS:
        raise ConfigError(f"unknown data preset '{name}'; choose one of: {', '.join(PRESETS)}")
    data = seed_dataset(seed, n, noise)
    x, y = data.features[:, 0], data.target.copy()
    names: tuple[str, ...] = ("x",)
    if name == "centred":
        features = (x - x.mean()).reshape(-1, 1)
    elif name == "ill-conditioned":
        features = (x + ILL_SHIFT).reshape(-1, 1)
    elif name == "outliers":
        features = data.features
        y[::10] += OUTLIER_SHIFT
    elif name == "collinear":
        # Its own generator, so the seed's next draws (the start) are the seed program's.
        copy = x + COPY_NOISE * np.random.default_rng([seed, 1]).standard_normal(n)
        features, names = np.column_stack([x, copy]), ("x", "x2")
    else:
        features = data.features
    extra = data.extra if name == "seed" else {**data.extra, "preset": name}
    return replace(data, features=features, target=y, feature_names=names, extra=extra)
