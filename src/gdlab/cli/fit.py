"""`gdlab fit`: train on a CSV or Parquet file with the seed's loop."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gdlab.cli.options import (
    DegreeOption,
    FormulaOption,
    WeightsOption,
    XOption,
    YOption,
    read_options,
    training_options,
)
from gdlab.cli.plot import CompareOption, PlotOption
from gdlab.data.options import ReadOptions
from gdlab.training.config import TrainingConfig

if TYPE_CHECKING:
    from gdlab.training.record import Run

#: `--out` draws the seed figure (every point) up to this many rows.
FIGURE_MAX_ROWS = 100_000


@read_options
@training_options
def fit_command(
    data: Annotated[
        list[Path],
        typer.Argument(
            help="CSV or Parquet file, a glob of them, or a directory; or statistics files "
            "(.gdstats, one, several or a glob) from `gdlab stats`, merged.",
            show_default=False,
        ),
    ],
    x: XOption = None,
    y: YOption = None,
    formula: FormulaOption = None,
    degree: DegreeOption = None,
    weights: WeightsOption = None,
    read: ReadOptions | None = None,  # replaced by the flags of reading the data
    config: TrainingConfig | None = None,  # replaced by every training flag
    out: Annotated[Path | None, typer.Option(help="Folder for run.json (and figure).")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print only the run record on stdout.")
    ] = False,
    trace: Annotated[
        Path | None,
        typer.Option(help="Write step, loss, weights and gradients of every step (.csv/.parquet)."),
    ] = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Also print the least-squares optimum as a regression table "
            "(statsmodels-style), with GD's weights beside it when GD stopped short.",
        ),
    ] = False,
    plot: PlotOption = None,
    compare: CompareOption = None,
    save: Annotated[
        Path | None, typer.Option(help="Save the trained model here, for `gdlab predict`.")
    ] = None,
    l1_path: Annotated[
        bool,
        typer.Option(
            "--path",
            help="Also compute the L1 regularisation path: the optimum at 40 values of λ₁ "
            "(warm-started coordinate descent on the statistics), kept in run.json; draw it "
            "with --plot path or gdlab plot RUN --kind path.",
        ),
    ] = False,
) -> None:
    """Fit y = b + a1·x1 + … to columns of CSV or Parquet files by gradient descent.

    Files are streamed in one pass (bounded memory) when the loss is quadratic and the
    batch is full; huber and --batch-size read them into memory.

    The rate is --lr auto unless given: the fastest the analysis of the data justifies for
    the optimizer, printed with how it was chosen. A run that ends short of the optimum
    says how far it is and the one change that gets there. Before training, a learning
    rate at or above the stable bound for the data is explained on stderr. A run that
    diverges still writes its record and pictures into --out, then exits with status 3.
    Schedules: constant, step:EVERY:FACTOR, exp:DECAY, cosine[:FLOOR].

    Several targets (--y y1,y2) are fitted from one pass: --json prints {"runs": [record,
    …]}, one record per target, and --out DIR writes DIR/<target>/run.json for each.

    Example: gdlab fit points.csv --x x --y y --out result --plot landscape
    """
    from gdlab.atomic import output_set
    from gdlab.cli.options import with_design_intercept
    from gdlab.cli.plot import plot_kinds, write_plots
    from gdlab.cli.render import print_summary, save_seed_figure
    from gdlab.cli.sources import open_fit_data, refuse_save_of_kept
    from gdlab.cli.targets import Shown, fit_each_target, refuse_one_file_options
    from gdlab.data.targets import SeveralTargets
    from gdlab.outputs.savedmodel import save_model
    from gdlab.training.fit import diverged_error, train_problem
    from gdlab.training.problem import prepare

    assert config is not None  # `training_options` parses the training flags into it
    kinds = plot_kinds(plot, compare, out)
    title = f"gdlab fit {' '.join(map(str, data))}"
    with warnings_to_stderr():
        source = open_fit_data(data, x, y, weights, read, formula, degree, config.intercept)
        config = with_design_intercept(config, source)
        design = getattr(source, "design", None)
        refuse_save_of_kept(source, save)
        if isinstance(source, SeveralTargets):  # one pass, one run per target
            refuse_one_file_options(trace=trace, save=save)
            shown = Shown(warnings_to_stderr, print_regression)
            fit_each_target(source, config, out, json_out, summary, kinds, compare, title, shown)
            return
        # One pass over the data: the statistics, and on the way the sample the pictures draw
        # and the fingerprint the saved model keeps.
        problem = prepare(source, config, fingerprint=save is not None, sample=bool(kinds))
        run = train_problem(problem, config, raise_on_divergence=False)
    if l1_path:
        run = with_path(run, problem, config)
    # A run that diverged keeps what it has: its record, its pictures and the summary.
    diverged = run.stop_reason == "diverged"
    if diverged and out is not None and len(run.weight_names) >= 2 and "landscape" not in kinds:
        kinds.append("landscape")  # the picture of what went wrong: the zig-zag growing
    pictures: list[Path] = []
    with output_set():  # --out, --save and --trace appear together, or not at all
        if out is not None:
            rows = problem.rows
            line_fit = source.n_features == 1 and config.intercept and design is None
            if line_fit and rows is not None and rows.n_rows <= FIGURE_MAX_ROWS:
                save_seed_figure(run, rows, out / "figure.png")
                pictures.append(out / "figure.png")
            elif is_curve(design) and "curve" not in kinds:
                pictures += write_plots(run, ["curve"], out, None)  # the fitted curve, not a line
            pictures += write_plots(run, kinds, out, compare)
            run.save(out / "run.json")
        if save is not None and not diverged:
            save_model(run, None, save)  # the fingerprint was taken during the pass
        if trace is not None:
            from gdlab.outputs.trace import write_trace

            write_trace(run, trace)
    if json_out:
        typer.echo(run.to_json(), nl=False)
    else:
        print_summary(run, title=title)
        if summary:
            print_regression(run)
        if run.regularization_path is not None:
            typer.echo(path_line(run))
        for path in (out / "run.json" if out is not None else None, *pictures, trace):
            if path is not None:
                typer.echo(f"Wrote {path}")
        if save is not None and not diverged:
            typer.echo(f"Saved the model to {save}")
    if diverged:
        raise diverged_error(run)  # exit 3, one line on stderr saying why


def with_path(run: Run, problem: Any, config: TrainingConfig) -> Run:
    """The run with its L1 regularisation path (a quadratic loss only)."""
    from gdlab.analysis.deferred import replace_unread
    from gdlab.errors import ConfigError
    from gdlab.training.lasso_path import lasso_path

    if not config.is_quadratic:
        raise ConfigError(f"--path needs a quadratic loss (l2 or mse), not {config.loss}")
    if problem.folds is not None:  # --cv K: λ₁ chosen by cross-validation
        from gdlab.training.lasso_path import cross_validated_path

        return replace_unread(run, regularization_path=cross_validated_path(problem, config))
    return replace_unread(run, regularization_path=lasso_path(problem, config).to_record())


def path_line(run: Run) -> str:
    """One line on the path: its λ₁ range, and how many weights are non-zero at its ends."""
    import numpy as np

    assert run.regularization_path is not None
    grid = run.regularization_path["l1"]
    weights = np.asarray(run.regularization_path["weights"])[:, int(run.config.intercept) :]
    counts = np.count_nonzero(weights, axis=1)
    line = (
        f"L1 path: {len(grid)} values of λ₁ from {grid[0]:.4g} ({counts[0]} non-zero feature "
        f"weights) down to {grid[-1]:.4g} ({counts[-1]} of {weights.shape[1]})"
    )
    best = run.regularization_path.get("best_l1")
    if best is not None:
        folds = run.regularization_path["folds"]
        line += f"; {folds}-fold cross-validation picks λ₁ = {best:.4g} (lowest mean held-out loss)"
    return line


def is_curve(design: Any) -> bool:
    """True for a design of one number column that is itself a term (a polynomial)."""
    if design is None or len(design.variables) != 1 or design.levels:
        return False
    return bool(design.variables[0] in design.columns and len(design.columns) > 1)


def print_regression(run: Run) -> None:
    """The least-squares table of `--summary`, with GD's weights beside the optimum's when
    the run stopped short of it."""
    from gdlab.analysis.regression import summary_table
    from gdlab.training.advice import steps_word

    regression = run.analysis.regression
    if regression is None:
        return
    convergence = run.convergence
    short = convergence is not None and not convergence.converged
    descent = [float(w) for w in run.weights] if short else None
    steps = len(run.losses)
    note = (
        f"the coefficients are the closed-form optimum; gradient descent stopped short of it "
        f"after {steps_word(steps)}: its weights are the column 'GD'"
        if short
        else "the coefficients are the closed-form optimum, which gradient descent reached"
    )
    typer.echo("\n" + summary_table(regression, descent=descent, note=note))


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show gdlab's warnings as one clean line each on stderr ("gdlab: warning: …")."""
    from gdlab.cli.notices import warnings_as_lines

    with warnings_as_lines():
        yield


def register(app: typer.Typer) -> None:
    """Add `fit` to the app."""
    app.command("fit")(fit_command)
