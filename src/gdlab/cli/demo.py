"""`gdlab demo`: the seed program, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.plot import CompareOption, PlotOption

#: The training options `gdlab demo` offers (its advice names no others).
DEMO_OPTIONS = ("lr", "steps")


def demo_command(
    seed: Annotated[int, typer.Option(help="Seed for the data and the initial weights.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for figure.png and run.json.")] = Path(
        "gdlab-demo"
    ),
    steps: Annotated[int, typer.Option(help="Number of gradient-descent steps.")] = 50,
    lr: Annotated[
        str, typer.Option(help="Learning rate η (the seed's 0.002), or auto (see gdlab fit).")
    ] = "0.002",
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Skip the figure.")] = False,
    plot: PlotOption = None,
    compare: CompareOption = None,
) -> None:
    """Run the seed program: fit y = a·x + b to 50 noisy points by gradient descent.

    Writes OUT/figure.png (the seed's 1×2 figure) and OUT/run.json, then prints the
    weights and the loss beside the closed-form least-squares optimum. A rate past the
    stable bound still writes them, and OUT/landscape.png, which shows the growing
    zig-zag; the exit status is then 3.

    Example: gdlab demo --seed 1 --out demo
    """
    from gdlab.atomic import make_folder, output_set
    from gdlab.cli.fit import warnings_to_stderr
    from gdlab.cli.options import parse_rate
    from gdlab.cli.plot import plot_kinds, write_plots
    from gdlab.cli.render import print_summary, save_seed_figure
    from gdlab.training.fit import demo, diverged_error

    kinds = plot_kinds(plot, compare, out)
    rate = parse_rate(lr, "--lr")
    with warnings_to_stderr():
        run = demo(seed, lr=rate, steps=steps, raise_on_divergence=False)
    diverged = run.stop_reason == "diverged"
    if diverged and not no_plot and "landscape" not in kinds:
        kinds.append("landscape")  # the picture of what went wrong
    make_folder(out)
    written = []
    with output_set():  # the figure, run.json and the pictures appear together
        if not no_plot and run.problem is not None and run.problem.rows is not None:
            save_seed_figure(run, run.problem.rows, out / "figure.png")
            written.append(out / "figure.png")
        run.save(out / "run.json")
        written.append(out / "run.json")
        written += write_plots(run, kinds, out, compare)
    print_summary(run, title="gdlab demo: the seed program", allowed=DEMO_OPTIONS)
    typer.echo("Wrote " + " and ".join(str(path) for path in written))
    if diverged:
        raise diverged_error(run)  # exit 3, one line on stderr saying why


def register(app: typer.Typer) -> None:
    """Add `demo` to the app."""
    app.command("demo")(demo_command)
