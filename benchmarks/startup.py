"""How fast gdlab starts: whole-process CPU time of its commands, as ratios to NumPy's import.

Each command runs in a fresh process; its CPU time (user + system, its children included)
comes from `resource.getrusage(RUSAGE_CHILDREN)`. The machine is shared and noisy, so the
commands run interleaved, round after round, and each ratio is the median over the rounds
of that round's ratio (a busy spell slows a whole round, not one command). The reference
is `python -c "import numpy"`; `gdlab demo` with its figure is also set against a bare
matplotlib figure of the same shape saved to PNG. The in-process cost of `gdlab.fit()` at
the seed size (50 rows, 50 steps: the pass, the collinearity check, the Hessian's spectrum
and rate bounds, the run) comes last; what a fit leaves to be computed when first read (the
refined optimum, the outlook, the convergence verdict and its advice) is timed beside it,
as `gdlab fit` reads it.

Run alone: python benchmarks/startup.py [--rounds N]   (or: make bench BENCH_ARGS=--startup)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The commands' targets, as the most CPU time each may take against its reference.
TARGETS = {
    "gdlab --help": ("numpy", 1.5),
    "gdlab demo --no-plot": ("numpy", 2.5),
    "gdlab fit small.csv --json": ("numpy", 3.0),
    "gdlab demo": ("bare figure", 1.4),
}
#: `gdlab.fit()` at the seed size may take at most this many seconds (median).
FIT_TARGET_SECONDS = 0.3e-3

#: The seed figure's shape without gdlab: 1×2 panels, 10×4 inches, points, a line, a curve.
BARE_FIGURE = """
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
import numpy as np
x = np.linspace(-2, 4, 50)
figure = Figure(figsize=(10, 4))
left, right = figure.subplots(1, 2)
left.scatter(x, 2 * x, s=12)
left.plot(x, 2 * x + 0.1, "o", ms=3)
left.plot([-4, 6], [-8, 12])
right.plot(range(50), 1 / (1 + x**2))
figure.savefig(r"{path}", dpi=100)
"""


@dataclass(frozen=True)
class StartupRow:
    """One command: its median CPU seconds, and its median ratio to its reference."""

    name: str
    seconds: float
    reference: str | None = None
    ratio: float | None = None
    target: float | None = None

    @property
    def met(self) -> bool | None:
        """Whether the ratio is within its target (None: no target)."""
        if self.ratio is None or self.target is None:
            return None
        return self.ratio <= self.target


def gdlab_command() -> list[str]:
    """The `gdlab` console script beside this Python, as a user runs it."""
    script = Path(sys.executable).parent / "gdlab"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from gdlab.cli import run; run()"]


def commands(folder: Path) -> dict[str, list[str]]:
    """Every measured command, by name (the files they need written into `folder`)."""
    small = folder / "small.csv"
    write_small_csv(small)
    gdlab = gdlab_command()
    return {
        "numpy": [sys.executable, "-c", "import numpy"],
        "bare figure": [sys.executable, "-c", BARE_FIGURE.format(path=folder / "bare.png")],
        "gdlab --help": [*gdlab, "--help"],
        "gdlab demo --no-plot": [*gdlab, "demo", "--no-plot", "--out", str(folder / "plain")],
        "gdlab fit small.csv --json": [*gdlab, "fit", str(small), "--x", "x", "--y", "y", "--json"],
        "gdlab demo": [*gdlab, "demo", "--out", str(folder / "demo")],
    }


def write_small_csv(path: Path) -> None:
    """The seed program's 50 points as a CSV file with columns x and y."""
    import numpy as np

    from gdlab.data.seed import seed_data

    data = seed_data(np.random.default_rng(0))
    x, y = data.features[:, 0].tolist(), data.target.tolist()
    rows = [f"{a!r},{b!r}" for a, b in zip(x, y, strict=True)]
    path.write_text("\n".join(["x,y", *rows]) + "\n")


def cpu_seconds(command: list[str]) -> float:
    """User + system CPU seconds of `command` run to completion in a fresh process.

    Python may write its bytecode caches (a user's install does): with
    PYTHONDONTWRITEBYTECODE set, every run would compile gdlab anew, a cost no user pays.
    """
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} … failed: {result.stderr[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure_startup(rounds: int = 15) -> list[StartupRow]:
    """Every command, interleaved for `rounds` rounds after one warm-up round (caches)."""
    with tempfile.TemporaryDirectory(prefix="gdlab-startup-") as folder:
        named = commands(Path(folder))
        samples: dict[str, list[float]] = {name: [] for name in named}
        for round_number in range(rounds + 1):
            for name, command in named.items():
                spent = cpu_seconds(command)
                if round_number > 0:  # the first round fills the bytecode and font caches
                    samples[name].append(spent)
    rows = []
    for name, seconds in samples.items():
        reference, target = TARGETS.get(name, (None, None))
        ratio = None
        if reference is not None:
            ratios = [mine / base for mine, base in zip(seconds, samples[reference], strict=True)]
            ratio = statistics.median(ratios)
        rows.append(StartupRow(name, statistics.median(seconds), reference, ratio, target))
    return rows


@dataclass(frozen=True)
class SeedFitTimes:
    """Median (and best) seconds of `gdlab.fit()` at the seed size, of the bare 50-step
    `train()` timed beside it, and of a fit whose convergence is read too."""

    median: float
    best: float
    steps: float
    assessed: float


def seed_fit_seconds(rounds: int = 30) -> SeedFitTimes:
    """`gdlab.fit()` on the seed's data (50 steps, lr 0.002), rounds of 100 calls interleaved
    with `train()` alone and with a fit whose `run.convergence` is read."""
    import numpy as np

    import gdlab
    from gdlab.engines import StatsEngine
    from gdlab.model.losses import L2
    from gdlab.optim.optimizers import gd
    from gdlab.training.loop import train

    rng = np.random.default_rng(0)
    data = gdlab.seed_data(rng)
    start = list(rng.normal(0.0, 0.1, 2))
    engine = StatsEngine.from_arrays(gdlab.design_matrix(data.features), data.target, L2)
    calls: dict[str, Callable[[], object]] = {
        "fit": lambda: gdlab.fit(data, lr=0.002, steps=50, init=start),
        "train": lambda: train(engine, gd(0.002), start, 50),
        "assessed": lambda: gdlab.fit(data, lr=0.002, steps=50, init=start).convergence,
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for round_number in range(rounds + 1):
        for name, call in calls.items():  # interleaved, a round of 100 calls each
            started = time.perf_counter()
            for _ in range(100):
                call()
            if round_number > 0:  # the first round warms up
                samples[name].append((time.perf_counter() - started) / 100)
    fit, steps, assessed = samples["fit"], samples["train"], samples["assessed"]
    return SeedFitTimes(
        statistics.median(fit), min(fit), statistics.median(steps), statistics.median(assessed)
    )


def startup_lines(rows: list[StartupRow], fit: SeedFitTimes) -> list[str]:
    """The start-up table in Markdown, with each target and whether it was met."""
    lines = [
        "| command | CPU time (median) | ratio | target | met? |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}× {row.reference}" if row.ratio is not None else ""
        target = f"≤ {row.target:g}×" if row.target is not None else ""
        met = "" if row.met is None else ("yes" if row.met else "no")
        lines.append(f"| `{row.name}` | {row.seconds * 1e3:.0f} ms | {ratio} | {target} | {met} |")
    met = "yes" if fit.median <= FIT_TARGET_SECONDS else "no"
    lines.append(
        f"| `gdlab.fit()` at the seed size, in process | {fit.median * 1e3:.3f} ms "
        f"(best {fit.best * 1e3:.3f} ms) | {fit.median / fit.steps:.1f}× its 50 steps alone "
        f"(`train()`, {fit.steps * 1e6:.0f} µs) | ≤ {FIT_TARGET_SECONDS * 1e3:g} ms | {met} |"
    )
    lines.append(
        f"| the same, its `run.convergence` read (optimum, outlook, advice) | "
        f"{fit.assessed * 1e3:.3f} ms | {fit.assessed / fit.median:.1f}× the fit | | |"
    )
    return lines


def main() -> int:
    """Measure and print the start-up table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    args = parser.parse_args()
    rows = measure_startup(args.rounds)
    print("\n".join(startup_lines(rows, seed_fit_seconds())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
