"""`gdlab explain`: train like `fit`, then tell what happened, with the run's own numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.options import (
    DegreeOption,
    FormulaOption,
    WeightsOption,
    XOption,
    YOption,
    open_data,
    read_options,
    training_options,
    with_design_intercept,
)
from gdlab.data.options import ReadOptions
from gdlab.training.config import TrainingConfig


@read_options
@training_options
def explain_command(
    context: typer.Context,
    data: Annotated[
        Path | None,
        typer.Argument(
            help="CSV or Parquet file (default: the seed program's data).", show_default=False
        ),
    ] = None,
    x: XOption = None,
    y: YOption = None,
    formula: FormulaOption = None,
    degree: DegreeOption = None,
    weights: WeightsOption = None,
    read: ReadOptions | None = None,  # replaced by the flags of reading the data
    config: TrainingConfig | None = None,  # replaced by every training flag
    lang: Annotated[str, typer.Option(help="Language of the text: en or ko.")] = "en",
    step: Annotated[
        int | None,
        typer.Option(
            help="Also write update K out with its numbers: the gradient at w_{K-1}, η·∇L, "
            "the new weights, the loss before and after.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Explain a run in plain words: the loss, one gradient step, what lr means, the steps.

    Takes the same data and training options as `gdlab fit`; without DATA it explains the
    seed program (its data and start drawn from --seed, and its rate 0.002 unless --lr is
    given, as `gdlab demo` does). The text
    answers why a loss, what gradient descent does, and what the learning rate means
    against the curvature XᵀX of the data. A run that would diverge is explained, not
    refused.

    Example: gdlab explain --lang ko --step 3
    """
    import warnings

    from gdlab.cli.fit import warnings_to_stderr
    from gdlab.data.seed import seed_dataset
    from gdlab.errors import ConfigError, LearningRateWarning
    from gdlab.explain import LANGUAGES, explain
    from gdlab.training.config import SEED_LR
    from gdlab.training.fit import train_problem
    from gdlab.training.problem import prepare

    assert config is not None  # `training_options` parses the training flags into it
    if lang not in LANGUAGES:
        raise ConfigError(f"unknown language '{lang}'; choose one of: {', '.join(LANGUAGES)}")
    # Without data, the seed program: its data and start from one seed, data drawn first,
    # and the seed's rate unless one was asked for.
    with warnings_to_stderr():
        if data is None:
            source = seed_dataset(config.seed)
        else:
            source = open_data(data, x, y, read, weights, formula, degree, config.intercept)
            config = with_design_intercept(config, source)
        if data is None and not given(context, "lr"):
            config = config.with_options(lr=SEED_LR)
        problem = prepare(source, config)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LearningRateWarning)  # explained below
            run = train_problem(problem, config, raise_on_divergence=False)
    typer.echo(explain(run, lang, step=step), nl=False)


def given(context: typer.Context, name: str) -> bool:
    """True when the command line set option `name` (not left at its default)."""
    source = context.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def register(app: typer.Typer) -> None:
    """Add `explain` to the app."""
    app.command("explain")(explain_command)
