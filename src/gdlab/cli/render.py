"""How the commands show a run: a short summary beside the optimum, and the seed figure."""

from __future__ import annotations

from pathlib import Path

import typer

from gdlab.data.dataset import Dataset
from gdlab.training.record import Run


def summary_lines(run: Run, title: str) -> list[str]:
    """The weights and losses after training next to the closed-form optimum."""
    steps = len(run.losses)
    optimum = run.analysis.optimum_weights
    lines = [
        f"{title}",
        f"{run.data.n_rows} rows, lr {run.config.lr:g}, {steps} steps of {run.config.optimizer}, "
        f"loss {run.config.loss}",
        "",
        f"  {'':<14}{'start':>10}{f'after {steps} steps':>20}{'optimum':>16}",
    ]
    for name, start, value, best in zip(
        display_names(run), run.init, run.weights, optimum, strict=True
    ):
        lines.append(f"  {name:<14}{start:>10.6g}{value:>20.6g}{best:>16.6g}")
    lines.append(
        f"  {'loss':<14}{run.initial_loss:>10.6g}{run.final_loss:>20.6g}"
        f"{run.analysis.optimum_loss:>16.6g}"
    )
    if run.losses:
        lines.append(f"  loss after the first step: {run.losses[0]:.6g}")
    lines.append(
        f"  largest stable lr: {run.analysis.lr_max_stable:.6g}, "
        f"best constant lr: {run.analysis.lr_optimal:.6g}"
    )
    if run.stop_reason == "tol":
        lines.append(f"  stopped early: the --tol rule held after {steps} steps")
    conditioning = run.analysis.conditioning
    if conditioning is not None and conditioning.applied:
        lines.append(
            f"  standardised: condition number {conditioning.condition_before:.4g} → "
            f"{conditioning.condition_after:.4g}, steps to the optimum at the best rate "
            f"{conditioning.steps_before} → {conditioning.steps_after}"
        )
    return lines


def display_names(run: Run) -> list[str]:
    """Weight labels: the seed's b and a for one feature, else b and the feature names."""
    names = list(run.weight_names)
    if run.config.intercept and len(names) == 2:
        return ["b (offset)", f"a (slope·{names[1]})"]
    return names


def print_summary(run: Run, title: str) -> None:
    """Print `summary_lines` to stdout."""
    typer.echo("\n".join(summary_lines(run, title)))


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
