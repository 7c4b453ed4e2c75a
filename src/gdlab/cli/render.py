"""How the commands show a run: a short summary beside the optimum, and the seed figure."""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path

import numpy as np
import typer

from gdlab.analysis.digits import distinct
from gdlab.analysis.training import best_rate, stable_bound_for
from gdlab.data.dataset import Dataset
from gdlab.training.advice import converged_line, steps_word, unconverged_line
from gdlab.training.config import cli_flag
from gdlab.training.record import Run


def summary_lines(run: Run, title: str, allowed: Collection[str] | None = None) -> list[str]:
    """The weights and losses after training next to the closed-form optimum, the rate and
    how it was chosen, the bounds that apply to the optimizer, and, for a run that ended
    short of the optimum, how far it is and the one change that gets there (`allowed`:
    the options the command offers, all when None)."""
    steps = len(run.losses)
    optimum = run.analysis.optimum_weights
    after = f"after {steps_word(steps)}"
    lines = [
        f"{title}",
        f"{rows_words(run)}, lr {run.config.lr:g}, {steps_word(steps)} of "
        f"{run.config.optimizer}, loss {run.config.loss}{penalty_words(run)}",
    ]
    design = run.data.details.get("design")
    if isinstance(design, dict):
        lines.append(f"formula {design.get('formula')}")
        if design.get("note"):
            lines.append(str(design["note"]))
    if run.lr_choice is not None and run.lr_choice.auto:
        lines.append(f"lr {run.lr_choice.lr:.6g} ({run.lr_choice.rule})")
    names = display_names(run)
    width = max(14, *(len(name) + 2 for name in names))  # names never run into numbers
    lines += ["", f"  {'':<{width}}{'start':>12}{after:>20}{'optimum':>16}"]
    for name, start, value, best in zip(names, run.init, run.weights, optimum, strict=True):
        lines.append(f"  {name:<{width}}{start:>12.6g}{value:>20.6g}{best:>16.6g}")
    lines.append(
        f"  {'loss':<{width}}{run.initial_loss:>12.6g}{run.final_loss:>20.6g}"
        f"{run.analysis.optimum_loss:>16.6g}"
    )
    if run.losses:
        lines.append(f"  loss after the first step: {run.losses[0]:.6g}")
    lines.append("  " + bounds_line(run))
    if run.config.l1 > 0:
        lines.append("  " + sparsity_line(run))
    if run.stop_reason == "tol":
        lines.append(f"  stopped early: the --tol rule held after {steps_word(steps)}")
    lines += held_out_lines(run)
    conditioning = run.analysis.conditioning
    if conditioning is not None and conditioning.applied and run.config.l1 > 0:
        lines.append(  # the steps predicted are a quadratic's, not the L1 problem's
            f"  standardised: condition number {conditioning.condition_before:.4g} → "
            f"{conditioning.condition_after:.4g}"
        )
    elif conditioning is not None and conditioning.applied:
        lines.append(
            f"  standardised: condition number {conditioning.condition_before:.4g} → "
            f"{conditioning.condition_after:.4g}, steps to within 0.1% of L* at the best rate "
            f"{steps_text(conditioning.steps_before)} → {steps_text(conditioning.steps_after)}"
        )
    verdict = converged_line(run) or unconverged_line(run, flag_words, allowed)
    if verdict is not None:
        lines.append(verdict)
    return lines


def penalty_words(run: Run) -> str:
    """The penalties the loss carries, e.g. " + 2·‖w‖₁ + ½·0.5·‖w‖²" (none: "")."""
    words = ""
    if run.config.l1 > 0:
        words += f" + {run.config.l1:g}·‖w‖₁"
    if run.config.l2 > 0:
        words += f" + ½·{run.config.l2:g}·‖w‖²"
    return words


def sparsity_line(run: Run) -> str:
    """How many penalised weights the L1 penalty sets to exactly 0, at the optimum and after
    training."""
    start = 1 if run.config.intercept else 0
    optimum = run.analysis.optimum_weights[start:]
    trained = np.asarray(run.weights)[start:]
    how = "proximal steps (ISTA)" if run.config.optimizer == "gd" else run.config.optimizer
    return (
        f"L1: {int(np.sum(optimum == 0))} of {len(optimum)} feature weights are exactly 0 at "
        f"the optimum (coordinate descent), {int(np.sum(trained == 0))} after the "
        f"{how}"
    )


def rows_words(run: Run) -> str:
    """ "N rows", with how many were held out and what weighed them."""
    details = run.data.details
    words = f"{run.data.n_rows} rows"
    if run.validation_losses is not None and "held_out_rows" in details:
        words += f" (+{details['held_out_rows']} held out)"
    if details.get("weights"):
        words += f" weighted by {details['weights']}"
    return words


def held_out_lines(run: Run) -> list[str]:
    """The held-out loss (`--validation`) and the K-fold summary (`--cv`), in numbers."""
    lines = []
    if run.validation_losses:
        check = run.validation or {}
        lines.append(
            f"  held-out loss: {run.validation_losses[-1]:.6g} after the last step, lowest "
            f"{check.get('best_loss', math.nan):.6g} after {steps_word(check.get('best_step', 0))}"
        )
        if run.stop_reason == "early_stopping":
            patience = check.get("early_stopping", {}).get("patience", 0)
            lines.append(
                f"  stopped early: the held-out loss did not improve for {steps_word(patience)}"
            )
    if run.cv:
        cv = run.cv
        best = int(cv["best_step"])
        spread = cv["losses_std"][best - 1] if best >= 1 else math.nan
        lines.append(
            f"  {cv['folds']}-fold cross-validation: held-out loss {cv['best_loss']:.6g} "
            f"± {spread:.3g} (mean ± sd over the folds) at its best, after {steps_word(best)}"
        )
    return lines


def bounds_line(run: Run) -> str:
    """The stable bound and the best rate that apply to the run's optimizer, told apart.

    Plain GD's bounds are named as plain GD's for an adaptive optimizer, which has none.
    """
    analysis, config = run.analysis, run.config
    options = config.optimizer_options
    optimizer = config.optimizer
    bound = stable_bound_for(analysis, optimizer, options)
    if bound is None:
        largest, best = distinct(analysis.lr_max_stable, analysis.lr_optimal, digits=6)
        return (
            f"{optimizer} has no closed-form stable rate; plain GD's on this data: largest "
            f"stable lr {largest}, best constant lr {best}"
        )
    largest, best = distinct(bound, best_rate(analysis, optimizer, options), digits=6)
    who = "" if optimizer == "gd" else f" for {optimizer} at β = {config.momentum:g}"
    batches = " (full batches)" if config.batch_size is not None else ""
    return f"largest stable lr{who}{batches}: {largest}, best constant lr: {best}"


def steps_text(steps: int | None) -> str:
    """A predicted step count, or why there is none.

    >>> steps_text(18), steps_text(None)
    ('18', 'never (a direction is flat to rounding)')
    """
    return "never (a direction is flat to rounding)" if steps is None else f"{steps:,}"


def flag_words(name: str, value: object) -> str:
    """An option and its value as the command line writes it: --steps 4123, --standardize."""
    flag = cli_flag(name)
    if value is True:
        return flag
    if value is None:
        return f"no {flag}"
    return f"{flag} {value}"


def display_names(run: Run) -> list[str]:
    """Weight labels: the seed's b and a for one feature, else the weight names (the bias is
    b unless a feature has that name: then the bias's own name labels its row)."""
    names = list(run.weight_names)
    if run.config.intercept and len(names) == 2:
        return [f"{names[0]} (offset)", f"a (slope·{names[1]})"]
    return names


def print_summary(run: Run, title: str, allowed: Collection[str] | None = None) -> None:
    """Print `summary_lines` to stdout."""
    typer.echo("\n".join(summary_lines(run, title, allowed)))


def save_seed_figure(run: Run, data: Dataset, path: Path) -> None:
    """The seed's figure for a one-feature run, written atomically."""
    from gdlab.plots import save_figure, seed_figure

    figure = seed_figure(data.features[:, 0], data.target, run.weights, run.losses)
    save_figure(figure, path)


def print_or_write(text: str, out: Path | None, written: str) -> None:
    """Print `text` on stdout, or write it to `out` atomically and say `written`."""
    from gdlab.atomic import atomic_write_text

    if out is None:
        typer.echo(text, nl=False)
        return
    atomic_write_text(out, text)
    typer.echo(written)
