"""`gdlab fit --y y1,y2,…`: every target fitted from one pass, one record per target."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gdlab.training.config import TrainingConfig

if TYPE_CHECKING:
    from gdlab.data.targets import SeveralTargets
    from gdlab.training.record import Run


@dataclass(frozen=True)
class Shown:
    """How `gdlab fit` shows a run's warnings (a context) and its regression table."""

    warnings: Callable[[], AbstractContextManager[None]]
    regression: Callable[[Run], None]


def refuse_one_file_options(*, trace: Path | None, save: Path | None) -> None:
    """--trace and --save write one file of one run: with several targets, refuse them."""
    from gdlab.errors import ConfigError

    for value, flag in ((trace, "--trace"), (save, "--save")):
        if value is not None:
            raise ConfigError(
                f"{flag} writes one run's file; with several targets in --y, fit "
                "the target you want to keep on its own"
            )


def fit_each_target(
    data: SeveralTargets,
    config: TrainingConfig,
    out: Path | None,
    json_out: bool,
    summary: bool,
    kinds: list[str],
    compare: str | None,
    title: str,
    shown: Shown,
) -> None:
    """Train every target from one pass; print {"runs": [...]} or one summary per target,
    and with --out write each run into its own folder (`target_folders`).

    `shown` are `gdlab fit`'s own ways to show warnings and the regression table.
    """
    from gdlab.cli.plot import write_plots
    from gdlab.cli.render import print_summary
    from gdlab.training.fit import diverged_error, train_problem
    from gdlab.training.record import json_safe
    from gdlab.training.targets import prepare_targets

    problems = prepare_targets(data, config, sample=bool(kinds))
    with shown.warnings():
        runs = [train_problem(problem, config, raise_on_divergence=False) for problem in problems]
    written: list[Path] = []
    if out is not None:
        for run, folder in zip(runs, target_folders(out, data.target_names), strict=True):
            pictures = write_plots(run, kinds, folder, compare)
            run.save(folder / "run.json")
            written += [folder / "run.json", *pictures]
    if json_out:
        records = [json_safe(run.to_record()) for run in runs]
        typer.echo(json.dumps({"runs": records}, indent=1, allow_nan=False))
    else:
        for run in runs:
            print_summary(run, title=f"{title} (target {run.data.target})")
            if summary:
                shown.regression(run)
            typer.echo("")
        for path in written:
            typer.echo(f"Wrote {path}")
    diverged = [run for run in runs if run.stop_reason == "diverged"]
    if diverged:
        raise diverged_error(diverged[0])  # exit 3, after every record was written


def target_folders(out: Path, targets: tuple[str, ...]) -> list[Path]:
    """One folder per target under `out`: its name, with characters other than letters,
    digits, '.', '-' and '_' replaced by '_' (and a number added when two names collide).

    >>> [str(p) for p in target_folders(Path("out"), ("y1", "price ($)", "price (€)"))]
    ['out/y1', 'out/price____', 'out/price_____2']
    """
    folders, seen = [], set()
    for name in targets:
        safe = re.sub(r"[^\w.-]", "_", name, flags=re.ASCII).strip(".") or "target"
        candidate, count = safe, 1
        while candidate.lower() in seen:
            count += 1
            candidate = f"{safe}_{count}"
        seen.add(candidate.lower())
        folders.append(out / candidate)
    return folders
