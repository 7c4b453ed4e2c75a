"""`gdlab explain`: train like `fit`, then tell what happened, with the run's own numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.options import (
    DtypeOption,
    EngineOption,
    InitOption,
    InitStdOption,
    L2Option,
    LossOption,
    LrOption,
    MomentumOption,
    NoInterceptOption,
    OptimizerOption,
    OptimizerSettingOption,
    ScheduleOption,
    SeedOption,
    StandardizeOption,
    StepsOption,
    TolKindOption,
    TolOption,
    XOption,
    YOption,
    fit_options,
    read_data,
)


def explain_command(
    data: Annotated[
        Path | None,
        typer.Argument(
            help="CSV or Parquet file (default: the seed program's data).", show_default=False
        ),
    ] = None,
    x: XOption = None,
    y: YOption = None,
    lr: LrOption = 0.002,
    steps: StepsOption = 50,
    optimizer: OptimizerOption = "gd",
    momentum: MomentumOption = None,
    optimizer_option: OptimizerSettingOption = None,
    schedule: ScheduleOption = None,
    l2: L2Option = 0.0,
    tol: TolOption = None,
    tol_kind: TolKindOption = "grad",
    standardize: StandardizeOption = False,
    init: InitOption = None,
    init_std: InitStdOption = 0.1,
    seed: SeedOption = 0,
    loss: LossOption = "l2",
    no_intercept: NoInterceptOption = False,
    engine: EngineOption = "auto",
    dtype: DtypeOption = "float64",
    lang: Annotated[str, typer.Option(help="Language of the text: en or ko.")] = "en",
) -> None:
    """Explain a run in plain words: the loss, one gradient step, what lr means, the steps.

    Takes the same data and training options as `gdlab fit`; without DATA it explains the
    seed program (its data and start drawn from --seed, as `gdlab demo` does). The text
    answers why a loss, what gradient descent does, and what the learning rate means
    against the curvature XᵀX of the data. A run that would diverge is explained, not
    refused.

    Example: gdlab explain --lang ko
    """
    import warnings

    import numpy as np

    from gdlab.data.seed import seed_data
    from gdlab.errors import ConfigError, LearningRateWarning
    from gdlab.explain import explain
    from gdlab.training.fit import fit

    options = fit_options(locals())
    if lang not in ("en", "ko"):
        raise ConfigError(f"unknown language '{lang}'; choose one of: en, ko")
    if data is None:
        rng = np.random.default_rng(seed)  # data first, then the weights, as the seed does
        dataset = seed_data(rng)
        options["rng"] = rng
    else:
        dataset = read_data(data, x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)  # explained below
        run = fit(dataset, raise_on_divergence=False, **options)
    typer.echo(explain(run, lang), nl=False)


def register(app: typer.Typer) -> None:
    """Add `explain` to the app."""
    app.command("explain")(explain_command)
