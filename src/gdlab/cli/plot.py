"""`gdlab plot`: draw a saved run (run.json) — landscape, comparison, animation, diagnostics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gdlab.cli.options import split_names

if TYPE_CHECKING:
    from gdlab.training.record import Run

#: The kinds of picture, as `gdlab.plots.KINDS` names them (kept light: no matplotlib here;
#: tests/cli/test_plot_command.py checks the two lists agree).
KIND_NAMES = (
    "seed, seed-styled, landscape, compare, animation, diagnostics, lr-sweep, eigen, momentum-map, "
    "validation"
)
KIND_HELP = f"One of: {KIND_NAMES} (default: landscape)."
#: Pixels per inch a picture may be drawn at: fewer collapse its text, more exhaust memory.
MIN_DPI, MAX_DPI = 30, 1200

#: `--plot` and `--compare` as `fit` and `demo` take them.
PlotOption = Annotated[
    str | None,
    typer.Option(
        help=f"Also draw these into OUT (comma-separated): {KIND_NAMES}.",
        show_default=False,
    ),
]
CompareOption = Annotated[
    str | None,
    typer.Option(help="Draw OUT/compare.png against NAME[:LR],…", show_default=False),
]


def plot_command(
    run_json: Annotated[
        Path, typer.Argument(help="A run record written by fit or demo.", show_default=False)
    ],
    kind: Annotated[str | None, typer.Option(help=KIND_HELP, show_default=False)] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output file: .png/.svg/.pdf, or .gif/.mp4 for an animation "
            "(default: KIND.png or animation.gif beside RUN.json).",
            show_default=False,
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            help="Optimizers to compare, NAME[:LR],… e.g. gd:0.002,gd:best,adam:0.1 "
            "(implies --kind compare).",
            show_default=False,
        ),
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(
            help="Two weights to draw the landscape over, e.g. b,x2 (default: b and a for a "
            "line, else the slice along the flattest and steepest directions).",
            show_default=False,
        ),
    ] = None,
    fps: Annotated[float, typer.Option(help="Animation frames per second.")] = 10,
    frames: Annotated[int, typer.Option(help="Most frames in an animation.")] = 60,
    theme: Annotated[str, typer.Option(help="light or dark.")] = "light",
    dpi: Annotated[
        int | None,
        typer.Option(
            help=f"Pixels per inch, {MIN_DPI} to {MAX_DPI} (default 100; 80 for animations).",
            show_default=False,
            min=MIN_DPI,
            max=MAX_DPI,
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Read the run's data from this file instead of the record's source.",
            show_default=False,
        ),
    ] = None,
    units: Annotated[
        str,
        typer.Option(
            help="Units of the diagnostics' weights: data, standardized (per standard "
            "deviation of each feature) or auto (standardized for a --standardize run)."
        ),
    ] = "auto",
) -> None:
    """Draw a picture of a saved run: the loss landscape and the path of the descent,
    optimizers compared, an animation of training, or diagnostics.

    The data come from the record (the seed recipe is regenerated, a file is re-read).

    Example: gdlab plot gdlab-demo/run.json --kind animation --out descent.gif --fps 12
    """
    from gdlab.data.columns import read_table
    from gdlab.plots import default_filename, plot_run
    from gdlab.training.record import RunRecord

    chosen = plot_kind(kind, compare)
    record = RunRecord.load(run_json)
    dataset = None
    if data is not None:
        dataset = read_table(data, list(record.data.features), record.data.target)
    target = out if out is not None else run_json.parent / default_filename(chosen)
    written = plot_run(
        record,
        chosen,
        target,
        dataset,
        theme=theme,
        compare=compare,
        weights=split_names(weights, "--weights") if weights is not None else None,
        fps=fps,
        frames=frames,
        dpi=dpi,
        units=units.strip().lower(),
    )
    typer.echo(f"Wrote {written}")


def plot_kind(kind: str | None, compare: str | None) -> str:
    """The kind to draw: as given, 'compare' when only --compare is, else 'landscape'."""
    from gdlab.errors import ConfigError

    if kind is None:
        return "compare" if compare is not None else "landscape"
    if compare is not None and kind != "compare":
        raise ConfigError(f"--compare goes with --kind compare, not --kind {kind}")
    return kind


def plot_kinds(text: str | None, compare: str | None, out: Path | None) -> list[str]:
    """The kinds named by `--plot a,b` (plus 'compare' when --compare is given), checked
    before training so a typo costs nothing."""
    if text is None and compare is None:
        return []  # no pictures: matplotlib is never imported
    from gdlab.errors import ConfigError
    from gdlab.plots import KINDS, check_kind

    kinds = split_names(text, "--plot") if text is not None else []
    if compare is not None and "compare" not in kinds:
        kinds.append("compare")
    for kind in kinds:
        check_kind(kind)
    if kinds and out is None:
        raise ConfigError("--plot and --compare need --out DIR to write the pictures into")
    return [kind for kind in KINDS if kind in kinds]


def write_plots(run: Run, kinds: list[str], out: Path, compare: str | None = None) -> list[Path]:
    """Write each kind of picture of a fresh run into `out` as KIND.png (animation.gif).

    The pictures draw the points the run's one pass kept (every row, or an even sample of
    large files) and compute everything else from its statistics.
    """
    if not kinds:
        return []  # no pictures: matplotlib is never imported
    from gdlab.plots import default_filename, plot_run

    return [plot_run(run, kind, out / default_filename(kind), compare=compare) for kind in kinds]


def register(app: typer.Typer) -> None:
    """Add `plot` to the app."""
    app.command("plot")(plot_command)
