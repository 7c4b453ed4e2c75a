"""How light gdlab installs, and what the `fast` extra (numba) buys for its size.

Installs gdlab from this checkout into a fresh virtual environment, the core first and then
each extra in turn, and reports the size each step adds to site-packages (pip and
setuptools, which every environment has, are left out). Then times the one pass over
in-memory data with the compiled kernel and with LAPACK, and the kernel's one-time load,
to show from which size on numba pays for itself.

Run alone: python benchmarks/install_size.py   (needs pip to reach the package index)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Installed one after another on top of the core: each row is what that extra adds.
EXTRAS = ["fast", "web", "sklearn", "dask"]
#: Rows of [1 | x | y] timed with and without the kernel.
PASS_ROWS = [10**6, 10**7, 3 * 10**7, 10**8]


@dataclass(frozen=True)
class InstallRow:
    """One install step: what was installed, the megabytes it added, the packages it brought."""

    what: str
    added_mb: float
    packages: tuple[str, ...]


def folder_mb(path: Path) -> float:
    """Size of the files under `path` in MiB (as `du` counts them, without links)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / (
        1 << 20
    )


def packages(python: Path) -> set[str]:
    """The distributions installed for `python`, as name==version."""
    listing = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.strip() for line in listing.splitlines() if line.strip()}


def measure_install() -> list[InstallRow]:
    """The core install of this checkout, then each of `EXTRAS`, in a fresh environment."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="gdlab-install-") as folder:
        venv.create(folder, with_pip=True)
        python = Path(folder) / "bin" / "python"
        site = next(Path(folder).glob("lib/python*/site-packages"))
        size, before = folder_mb(site), packages(python)
        for step in ["core", *EXTRAS]:
            target = str(ROOT) if step == "core" else f"{ROOT}[{step}]"
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", target],
                check=True,
                capture_output=True,
            )
            now, installed = folder_mb(site), packages(python)
            brought = sorted(name for name in installed - before if not name.startswith("gdlab"))
            rows.append(InstallRow(step, now - size, tuple(brought)))
            size, before = now, installed
    return rows


#: Loads the kernel in a fresh process and prints the CPU seconds that took.
KERNEL_LOAD = (
    "import time, numpy as np; from gdlab.onepass.arrays import pass_statistics; "
    "x = np.ones(1000); started = time.process_time(); "
    "pass_statistics([x], x, True, kernel=True, moments=False); "
    "print(time.process_time() - started)"
)


def measure_passes() -> tuple[float, list[tuple[int, float, float]]]:
    """The kernel's load (CPU s, fresh process) and (rows, kernel s, LAPACK s) per size."""
    import numpy as np

    from gdlab.onepass.arrays import kernel_available, pass_statistics

    if not kernel_available():
        raise RuntimeError("numba is not installed: install the fast extra to compare")
    loads = [
        float(subprocess.run([sys.executable, "-c", KERNEL_LOAD], capture_output=True,
                             text=True, check=True).stdout)
        for _ in range(3)
    ]  # fmt: skip
    rng = np.random.default_rng(0)
    timings = []
    for n in PASS_ROWS:
        x = rng.normal(size=n)
        y = 2 * x + 1 + rng.normal(size=n)
        pass_statistics([x], y, True, kernel=True, moments=False)  # warm up
        seconds: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(3):  # interleaved: a busy spell slows both
            for kernel in (True, False):
                started = time.perf_counter()
                pass_statistics([x], y, True, kernel=kernel, moments=False)
                seconds[kernel].append(time.perf_counter() - started)
        timings.append((n, statistics.median(seconds[True]), statistics.median(seconds[False])))
    return statistics.median(loads), timings


def install_lines(rows: list[InstallRow], passes: tuple[float, list[tuple[int, float, float]]]):
    """The install table and the kernel-or-LAPACK table in Markdown."""
    lines = ["| install | adds | packages it brings |", "|---|---:|---|"]
    for row in rows:
        what = "`pip install gdlab`" if row.what == "core" else f"`gdlab[{row.what}]`"
        names = ", ".join(name.split("==")[0] for name in row.packages)
        lines.append(f"| {what} | {row.added_mb:.0f} MiB | {names} |")
    load, timings = passes
    lines += [
        "",
        f"The compiled pass (`fast`: numba) costs {load:.2f} s of CPU to load, once per "
        "process; the pass itself over [1 | x | y]:",
        "",
        "| rows | kernel | LAPACK | kernel + its load vs LAPACK |",
        "|---:|---:|---:|---:|",
    ]
    for n, kernel, lapack in timings:
        lines.append(
            f"| {n:.0e} | {kernel * 1e3:.0f} ms | {lapack * 1e3:.0f} ms | "
            f"{(kernel + load) / lapack:.2f}× |"
        )
    return lines


def main() -> int:
    """Measure and print both tables."""
    print("\n".join(install_lines(measure_install(), measure_passes())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
