"""`gdlab demo`: the seed program, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab.cli.plot import CompareOption, PlotOption


def demo_command(
    seed: Annotated[int, typer.Option(help="Seed for the data and the initial weights.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for figure.png and run.json.")] = Path(
        "gdlab-demo"
    ),
    steps: Annotated[int, typer.Option(help="Number of gradient-descent steps.")] = 50,
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 0.002,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Skip the figure.")] = False,
    plot: PlotOption = None,
    compare: CompareOption = None,
) -> None:
    """Run the seed program: fit y = a·x + b to 50 noisy points by gradient descent.

    Writes OUT/figure.png (the seed's 1×2 figure) and OUT/run.json, then prints the
    weights and the loss beside the closed-form least-squares optimum.

    Example: gdlab demo --seed 1 --out demo
    """
    from gdlab.atomic import make_folder, output_set
    from gdlab.cli.plot import plot_kinds, write_plots
    from gdlab.cli.render import print_summary, save_seed_figure
    from gdlab.training.fit import demo

    kinds = plot_kinds(plot, compare, out)
    run = demo(seed, lr=lr, steps=steps)
    make_folder(out)
    written = []
    with output_set():  # the figure, run.json and the pictures appear together
        if not no_plot and run.problem is not None and run.problem.rows is not None:
            save_seed_figure(run, run.problem.rows, out / "figure.png")
            written.append(out / "figure.png")
        run.save(out / "run.json")
        written.append(out / "run.json")
        written += write_plots(run, kinds, out, compare)
    print_summary(run, title="gdlab demo: the seed program")
    typer.echo("Wrote " + " and ".join(str(path) for path in written))


def register(app: typer.Typer) -> None:
    """Add `demo` to the app."""
    app.command("demo")(demo_command)
