"""The seed's gradient descent, side by side: gdlab's engines against NumPy, PyTorch, JAX,
TensorFlow and Dask, and against the physical floor (one plain pass over the data).

Every implementation runs the same algorithm on the same data from the same start:
full-batch GD on ½Σ(Aw − y)², fixed lr, fixed steps (peers.py). Peers get their data moved
in and compiled before the clock starts, and gdlab its compiled pass loaded (a row reports
that once-per-process cost); gdlab's time includes its one pass over the data.
Every final weight vector is checked against gdlab's. Then two file runs: `gdlab fit`
streaming a generated 1e8-row Parquet file (time, peak RSS, against pyarrow's bare read of
it) and a 1e7 × 100-feature file. Then how fast gdlab starts (startup.py: each command's
CPU time against NumPy's import) and how light it installs (install_size.py). Prints the
tables and writes benchmarks/results.md.

Run: make bench   (or: python benchmarks/bench.py [--quick] [--skip-files] [--data-dir DIR])
Only the start-up part, quickly: make bench BENCH_ARGS=--startup (--install: the sizes);
either rewrites just its own section of results.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check_peers import make_problem, rel_diff  # noqa: E402
from install_size import install_lines, measure_install, measure_passes  # noqa: E402
from peers import PEERS, PeerUnavailable, peer_version, prepare  # noqa: E402
from startup import measure_startup, seed_fit_seconds, startup_lines  # noqa: E402
from timing import median_time, peak_rss_mb  # noqa: E402

import gdlab  # noqa: E402
from gdlab.data.dask import dask_arrays  # noqa: E402
from gdlab.engines import DenseEngine, StatsEngine, StreamEngine  # noqa: E402
from gdlab.engines.dask import DaskEngine  # noqa: E402
from gdlab.model.losses import L2  # noqa: E402
from gdlab.optim.optimizers import gd  # noqa: E402
from gdlab.training.loop import train  # noqa: E402

#: Final weights must agree with gdlab's to this relative difference (max norm).
AGREE = 1e-9


@dataclass
class Case:
    """One problem size: N rows, d weights (bias included), the step counts to time."""

    label: str
    n: int
    d: int
    steps: list[int]
    repeats: int


@dataclass
class Row:
    """One timed implementation at one size and step count."""

    case: str
    steps: int
    name: str
    seconds: float | None
    rel_diff: float | None = None
    note: str = ""
    detail: dict[str, float] = field(default_factory=dict)


CASES = [
    Case("seed 50 × 2", 50, 2, [50], 200),
    Case("1e6 × 2", 1_000_000, 2, [50, 500], 3),
    Case("1e7 × 2", 10_000_000, 2, [50, 500], 1),
    Case("1e6 × 100", 1_000_000, 101, [100], 1),
]
QUICK_CASES = [
    Case("seed 50 × 2", 50, 2, [50], 50),
    Case("1e5 × 2", 100_000, 2, [50, 500], 3),
    Case("1e5 × 100", 100_000, 101, [100], 1),
]


def seed_problem():
    """The seed program's data and settings: 50 points, init N(0, 0.1²), lr 0.002."""
    rng = np.random.default_rng(0)
    data = gdlab.seed_data(rng)
    A = gdlab.design_matrix(data.features)
    return A, data.target, rng.normal(0.0, 0.1, 2), 0.002


def timed(fn: Callable[[], object], repeats: int, small: bool) -> tuple[float, object]:
    """Median seconds of fn() (≥ 0.3 s of samples when small) and its last result."""
    box: list[object] = []

    def call() -> None:
        box[:] = [fn()]

    seconds, _ = median_time(call, repeats=repeats, min_time=0.3 if small else 0.0)
    return seconds, box[0]


def gdlab_rows(
    case: Case, A, y, w0, lr, data_dir: Path, cluster
) -> tuple[list[Row], dict[int, np.ndarray]]:
    """gdlab's engines at every step count; also the stats engine's weights (the reference)."""
    parquet = None
    if case.n >= 1_000_000 and case.d == 2:  # the same data as a file, for the stream engine
        parquet = write_parquet(data_dir / f"same-{case.n}.parquet", A[:, 1:], y, 1 << 20)
    rows: list[Row] = []
    reference: dict[int, np.ndarray] = {}
    for steps in case.steps:
        found, reference[steps] = gdlab_rows_at(case, steps, A, y, w0, lr, parquet, cluster)
        rows += found
    if parquet is not None:
        parquet.unlink()
    return rows, reference


def gdlab_rows_at(
    case: Case, steps: int, A, y, w0, lr, parquet: Path | None, cluster
) -> tuple[list[Row], np.ndarray]:
    """gdlab at one step count: stats (one pass + steps), fit(), dense, dask, stream."""
    small = case.n <= 10_000
    repeats = case.repeats
    optimizer = gd(lr)
    StatsEngine.from_arrays(A, y, L2)  # warm-up: loads the compiled pass where this size uses it
    seconds, w_ref = timed(
        lambda: train(StatsEngine.from_arrays(A, y, L2), optimizer, w0, steps).weights,
        repeats,
        small,
    )
    engine = StatsEngine.from_arrays(A, y, L2)
    pass_s, _ = timed(lambda: StatsEngine.from_arrays(A, y, L2), repeats, small)
    samples: list[float] = []

    def one_training_call() -> None:
        started = time.perf_counter()
        train(engine, optimizer, w0, steps)
        samples.append(time.perf_counter() - started)

    steps_s, _ = timed(one_training_call, repeats, small)
    detail = {"pass": pass_s, "steps": steps_s, "steps_best": min(samples)}
    rows = [Row(case.label, steps, "gdlab stats (auto)", seconds, 0.0, detail=detail)]
    if small:
        data = gdlab.from_arrays(A[:, 1:], y)
        fit_s, run = timed(
            lambda: gdlab.fit(data, lr=lr, steps=steps, init=list(w0)), repeats, small
        )
        note = "whole gdlab.fit(): design matrix, pass, steps, analysis, run record"
        rows.append(
            Row(case.label, steps, "gdlab.fit()", fit_s, rel_diff(run.weights, w_ref), note)
        )
    dense_repeats = 1 if case.n * steps * case.d > 5e9 else repeats
    dense_s, w = timed(
        lambda: train(DenseEngine(A, y, L2), optimizer, w0, steps).weights, dense_repeats, small
    )
    rows.append(Row(case.label, steps, "gdlab dense", dense_s, rel_diff(w, w_ref)))
    if cluster is not None:
        from distributed import Client

        def on_dask() -> np.ndarray:
            data = dask_arrays(A, y, block_rows=1 << 20)
            return train(DaskEngine(data, L2, intercept=False), optimizer, w0, steps).weights

        with Client(cluster):  # the current client only here: the dask peer runs threaded
            dask_s, w = timed(on_dask, repeats, small)
        note = f"local cluster, {len(cluster.workers)} workers, the pass by tree reduction"
        rows.append(Row(case.label, steps, "gdlab dask", dask_s, rel_diff(w, w_ref), note))
    if parquet is not None:
        source = gdlab.open_files(parquet, ["x1"], "y")
        stream_s, w = timed(
            lambda: train(StreamEngine(source, L2), optimizer, w0, steps).weights, repeats, small
        )
        note = "from a Parquet file of the same data (decoding included)"
        rows.append(Row(case.label, steps, "gdlab stream", stream_s, rel_diff(w, w_ref), note))
    return rows, w_ref


def peer_rows(case: Case, A, y, w0, lr, reference: dict[int, np.ndarray]) -> list[Row]:
    """Every installed peer, prepared (data moved in, compiled) before timing."""
    rows = []
    for peer in PEERS:
        try:
            runner = prepare(peer, A, y)
        except PeerUnavailable as error:
            rows += [Row(case.label, s, peer, None, note=f"skipped: {error}") for s in case.steps]
            continue
        for steps in case.steps:
            repeats = 1 if case.n * steps * case.d > 5e9 else case.repeats
            run = partial(runner, w0, lr, steps)
            seconds, w = timed(run, repeats, case.n <= 10_000)
            rows.append(Row(case.label, steps, peer, seconds, rel_diff(w, reference[steps])))
        del runner
    return rows


def memory_pass_row(case: Case, A, y) -> Row:
    """The physical floor: one plain read of every byte of A and y (a sum)."""
    seconds, _ = timed(lambda: (A.sum(), y.sum()), max(3, case.repeats), case.n <= 10_000)
    note = f"A.sum() + y.sum(): {(A.nbytes + y.nbytes) / 1e6:.0f} MB read once"
    return Row(case.label, 0, "one memory pass", seconds, None, note)


#: Loads the compiled pass in a fresh process and prints how long that took.
KERNEL_LOAD = (
    "import time, numpy as np; from gdlab.onepass.arrays import pass_statistics; "
    "x = np.ones(1000); started = time.perf_counter(); "
    "pass_statistics([x], x, True, kernel=True, moments=False); "
    "print(time.perf_counter() - started)"
)


def kernel_load_row() -> Row:
    """What the warm-up hides: loading numba and the cached kernel, once per process."""
    subprocess.run([sys.executable, "-c", KERNEL_LOAD], check=True, capture_output=True)
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", KERNEL_LOAD], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(3)
    ]
    note = "once per process, for passes of 2**24 values and more: numba and its cached code"
    return Row("any size", 0, "gdlab: loading the compiled pass", float(np.median(runs)), note=note)


def write_parquet(path: Path, X: np.ndarray, y: np.ndarray, row_group: int) -> Path:
    """Columns x1…xk and y of in-memory data as a Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {f"x{i + 1}": X[:, i] for i in range(X.shape[1])} | {"y": y}
    pq.write_table(pa.table(columns), path, row_group_size=row_group)
    return path


def run_in_memory(cases: list[Case], data_dir: Path, use_dask: bool) -> list[Row]:
    """The side-by-side table: every case, every step count, every implementation."""
    cluster = None
    if use_dask:
        from distributed import LocalCluster

        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
    rows: list[Row] = [kernel_load_row()]
    for case in cases:
        if case.n == 50:
            A, y, w0, lr = seed_problem()
        else:
            problem = make_problem(case.n, case.d, max(case.steps), seed=0)
            A, y, w0, lr = problem.A, problem.y, problem.w0, problem.lr
        print(f"== {case.label}: lr {lr:.3g}, steps {case.steps}", flush=True)
        ours, reference = gdlab_rows(case, A, y, w0, lr, data_dir, cluster)
        rows += ours + peer_rows(case, A, y, w0, lr, reference)
        rows.append(memory_pass_row(case, A, y))
        print_rows([r for r in rows if r.case == case.label])
        del A, y
    if cluster is not None:
        cluster.close()
    return rows


#: Runs the gdlab CLI, then reports its own peak RSS. (A child's ru_maxrss is useless here:
#: Linux carries the parent's high-water mark across fork and exec.)
CLI_WITH_PEAK_RSS = (
    "import sys; from gdlab.cli import main; code = main(sys.argv[1:]); "
    "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
    "print('PEAK', peak[0].split()[1], file=sys.stderr); sys.exit(code)"
)


def measured_cli(arguments: list[str]) -> tuple[float, float, str]:
    """Run `gdlab ARGUMENTS` in a fresh process: wall seconds, its peak RSS (MiB), stdout."""
    command = [sys.executable, "-c", CLI_WITH_PEAK_RSS, *arguments]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"gdlab {' '.join(arguments[:3])} … failed: {result.stderr[-500:]}")
    peak_kib = next(
        line.split()[1] for line in result.stderr.splitlines() if line.startswith("PEAK")
    )
    return seconds, int(peak_kib) / 1024, result.stdout


def generate_parquet(path: Path, rows: int, features: int, row_group: int) -> Path:
    """A seeded linear problem x1…xk, y written row group by row group (bounded memory)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(1)
    truth = rng.normal(size=features)
    names = [f"x{i + 1}" for i in range(features)]
    schema = pa.schema([(name, pa.float64()) for name in [*names, "y"]])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, row_group):
            count = min(row_group, rows - start)
            X = rng.normal(size=(count, features))
            y = 0.5 + X @ truth + 0.1 * rng.standard_normal(count)
            columns = {name: X[:, i] for i, name in enumerate(names)} | {"y": y}
            writer.write_table(pa.table(columns, schema=schema))
    return path


def bare_read_seconds(path: Path, columns: list[str], pre_buffer: bool) -> float:
    """pyarrow's bare read: decode every batch of the wanted columns to arrays, nothing else.

    With pre_buffer (pyarrow's default) it reads the whole file into memory first.
    """
    import pyarrow.parquet as pq

    started = time.perf_counter()
    rows = 0
    parquet = pq.ParquetFile(path, pre_buffer=pre_buffer)
    for batch in parquet.iter_batches(batch_size=1 << 20, columns=columns):
        rows += batch.num_rows
    return time.perf_counter() - started


def run_files(data_dir: Path, quick: bool) -> list[Row]:
    """`gdlab fit` on a 1e8 × 2 Parquet file (vs pyarrow's read) and on a 1e7 × 100 file."""
    rows: list[Row] = []
    n_long = 1_000_000 if quick else 100_000_000
    label = f"file {n_long:.0e} × 2"
    print(f"== {label}: writing …", flush=True)
    path = generate_parquet(data_dir / "long.parquet", n_long, 1, 1 << 20)
    size_gb = path.stat().st_size / 1e9
    bare_read_seconds(path, ["x1", "y"], False)  # warm the page cache: all read from memory
    source = gdlab.open_files(path, ["x1"], "y")
    StreamEngine(source, L2)  # warm-up: loads the compiled pass
    reads: dict[bool, list[float]] = {True: [], False: []}
    passes = []
    for _ in range(5):  # interleaved, so that a busy spell of the shared host hits both
        for pre_buffer in (True, False):
            reads[pre_buffer].append(bare_read_seconds(path, ["x1", "y"], pre_buffer))
        started = time.perf_counter()
        StreamEngine(source, L2)
        passes.append(time.perf_counter() - started)
    bare = min(reads.values(), key=np.median)  # the faster of pyarrow's two ways
    arguments = ["fit", str(path), "--x", "x1", "--y", "y", "--lr", f"{0.5 / n_long:g}"]
    cli = [measured_cli([*arguments, "--steps", "500", "--json"]) for _ in range(2)]
    best = min(cli, key=lambda result: result[0])
    engine = json_field(best[2], "config", "engine")
    bare_s = float(np.median(bare))
    note = f"{size_gb:.2f} GB, 2 columns; the faster of pre_buffer on and off"
    rows.append(Row(label, 0, "pyarrow bare read", bare_s, note=note))
    note = "StreamEngine, in process: the one pass (same batches, plus the QR statistics)"
    rows.append(
        Row(
            label,
            0,
            "gdlab stream pass",
            float(np.median(passes)),
            note=note,
            detail={"bare": bare_s},
        )
    )
    rows.append(
        Row(
            label,
            500,
            "gdlab fit (CLI)",
            best[0],
            note=f"engine {engine}; process start, imports, pass, 500 steps, analysis, JSON",
            detail={"rss_mb": max(r[1] for r in cli)},
        )
    )
    pictures = data_dir / "pictures"
    extra = ["--out", str(pictures), "--plot", "diagnostics,compare"]
    seconds, rss, _ = measured_cli(
        [*arguments, "--steps", "50", *extra, "--save", str(data_dir / "model.json")]
    )
    note = "with --out --plot diagnostics,compare --save: a sample drawn, all rows hashed"
    rows.append(
        Row(label, 50, "gdlab fit (CLI) + pictures", seconds, note=note, detail={"rss_mb": rss})
    )
    path.unlink()
    n_wide, k_wide = (100_000, 100) if quick else (10_000_000, 100)
    label = f"file {n_wide:.0e} × {k_wide}"
    print(f"== {label}: writing …", flush=True)
    path = generate_parquet(data_dir / "wide.parquet", n_wide, k_wide, 65_536)
    size_gb = path.stat().st_size / 1e9
    names = ",".join(f"x{i + 1}" for i in range(k_wide))
    arguments = ["fit", str(path), "--x", names, "--y", "y", "--lr", f"{0.5 / n_wide:g}"]
    seconds, rss, out = measured_cli([*arguments, "--steps", "100", "--json"])
    note = f"{size_gb:.1f} GB file; engine {json_field(out, 'config', 'engine')}"
    rows.append(Row(label, 100, "gdlab fit (CLI)", seconds, note=note, detail={"rss_mb": rss}))
    path.unlink()
    print_rows(rows)
    return rows


def json_field(text: str, *keys: str) -> object:
    """A field of a run record printed by `gdlab fit --json`."""
    import json

    value: object = json.loads(text)
    for key in keys:
        value = value[key]  # type: ignore[index]
    return value


def fmt_seconds(seconds: float | None) -> str:
    """Seconds in a readable unit."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def ratio_to_gdlab(rows: list[Row], row: Row) -> str:
    """How many times gdlab's (stats) time this row's time is."""
    ours = next(
        (
            r
            for r in rows
            if r.case == row.case and r.steps == row.steps and r.name.startswith("gdlab stats")
        ),
        None,
    )
    if ours is None or row.seconds is None or ours.seconds is None:
        return ""
    return f"{row.seconds / ours.seconds:.1f}×"


def table_lines(rows: list[Row]) -> list[str]:
    """The side-by-side table in Markdown."""
    lines = [
        "| size | steps | implementation | median | ÷ gdlab stats | agrees with gdlab | note |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for row in rows:
        agree = (
            "-"
            if row.rel_diff is None
            else (f"{'ok' if row.rel_diff <= AGREE else 'FAIL'} ({row.rel_diff:.0e})")
        )
        note = row.note
        if "pass" in row.detail:
            note = (note + "; " if note else "") + (
                f"pass {fmt_seconds(row.detail['pass'])}, steps {fmt_seconds(row.detail['steps'])}"
            )
        if "rss_mb" in row.detail:
            note = (note + "; " if note else "") + f"peak RSS {row.detail['rss_mb']:.0f} MiB"
        steps = str(row.steps) if row.steps else "-"
        lines.append(
            f"| {row.case} | {steps} | {row.name} | {fmt_seconds(row.seconds)} | "
            f"{ratio_to_gdlab(rows, row)} | {agree} | {note} |"
        )
    return lines


def print_rows(rows: list[Row]) -> None:
    """Print rows as the Markdown table (readable in a terminal too)."""
    print("\n".join(table_lines(rows)), flush=True)


def target_lines(rows: list[Row]) -> list[str]:
    """The issue's targets, each with what was measured and whether it was met."""
    lines = ["| target | measured | met? |", "|---|---|---|"]

    def find(case: str, steps: int, name: str) -> Row | None:
        return next(
            (r for r in rows if r.case == case and r.steps == steps and r.name == name), None
        )

    big = "1e7 × 2"
    ours = find(big, 500, "gdlab stats (auto)")
    peers = [r for r in rows if r.case == big and r.steps == 500 and r.name in PEERS and r.seconds]
    floor = find(big, 0, "one memory pass")
    if ours and ours.seconds and peers:
        fastest = min(peers, key=lambda r: r.seconds or 0.0)
        speedup = (fastest.seconds or 0.0) / ours.seconds
        lines.append(
            f"| 1e7 × 500 steps: ≥ 50× faster than the fastest peer | {speedup:.0f}× "
            f"({fmt_seconds(ours.seconds)} vs {fastest.name} {fmt_seconds(fastest.seconds)}) "
            f"| {'yes' if speedup >= 50 else 'no'} |"
        )
    if ours and ours.seconds and floor and floor.seconds:
        over = ours.seconds / floor.seconds
        lines.append(
            f"| 1e7 × 500 steps: within 2× of one memory pass | {over:.1f}× "
            f"({fmt_seconds(ours.seconds)} vs {fmt_seconds(floor.seconds)}) "
            f"| {'yes' if over <= 2 else 'no'} |"
        )
    seed = find("seed 50 × 2", 50, "gdlab stats (auto)")
    if seed and seed.seconds:
        steps_only = seed.detail["steps"]
        lines.append(
            f"| seed size: the training call (50 steps) under 100 µs | train(): median "
            f"{fmt_seconds(steps_only)}, best {fmt_seconds(seed.detail['steps_best'])}; "
            f"with the pass {fmt_seconds(seed.seconds)} (median) "
            f"| {'yes' if steps_only < 100e-6 else 'no'} (median) |"
        )
    stream = next((r for r in rows if r.name == "gdlab stream pass"), None)
    if stream and stream.seconds:
        over = stream.seconds / stream.detail["bare"]
        lines.append(
            f"| streaming a file within 1.5× of pyarrow's bare read | {over:.2f}× "
            f"({fmt_seconds(stream.seconds)} vs {fmt_seconds(stream.detail['bare'])}) "
            f"| {'yes' if over <= 1.5 else 'no'} |"
        )
    fits = [r for r in rows if r.name.startswith("gdlab fit (CLI)")]
    for fit in fits:
        rss = fit.detail["rss_mb"]
        what = "`gdlab fit`" + (" with pictures and --save" if "pictures" in fit.name else "")
        lines.append(
            f"| {fit.case}: {what} works in bounded memory (peak RSS < 1 GB) | "
            f"{fmt_seconds(fit.seconds)}, peak RSS {rss:.0f} MiB "
            f"| {'yes' if rss < 1024 else 'no'} |"
        )
    return lines


def machine_lines() -> list[str]:
    """Where and with what the numbers were measured."""
    versions = [peer_version(peer) or f"{peer}: not installed" for peer in PEERS]
    load = os.getloadavg()
    return [
        f"- Date: {datetime.date.today().isoformat()}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}); "
        f"load average at the end {load[0]:.1f} (the machine is shared).",
        f"- gdlab {gdlab.__version__}; peers: {'; '.join(versions)}.",
    ]


#: Sections of results.md that a partial run (--startup, --install) rewrites on its own.
STARTUP_HEADING = "## Start-up: whole-process CPU time, interleaved"
INSTALL_HEADING = "## Install: what each extra adds"


def startup_section() -> list[str]:
    """The start-up section: the commands' ratios and `gdlab.fit()` at the seed size."""
    print("== start-up: every command in a fresh process, interleaved", flush=True)
    lines = startup_lines(measure_startup(), seed_fit_seconds())
    notes = [
        "",
        f"Measured {measured_when()}. Ratios are medians over the rounds of each round's "
        "ratio, so a busy spell of the shared machine slows a whole round, not one "
        "command. `gdlab.fit()` returns with the spectrum and the rate bounds; the optimum, "
        "the outlook, the conditioning, the regression table and the convergence report "
        "(with its advice) are computed when first read (a record, a summary, explain).",
    ]
    return [STARTUP_HEADING, "", *lines, *notes]


def install_section() -> list[str]:
    """The install section: sizes in a fresh environment, and what numba buys."""
    print("== install: a fresh environment, the core then each extra", flush=True)
    sizes, passes = measure_install(), measure_passes()
    core = next(row.added_mb for row in sizes if row.what == "core")
    fast = next(row.added_mb for row in sizes if row.what == "fast")
    load, timings = passes
    paying = [n for n, kernel, lapack in timings if kernel + load < lapack]
    where = f"from about {paying[0]:.0e} rows on" if paying else "on none of these sizes"
    note = (
        f"Measured {measured_when()}. numba is the `fast` extra, not the core: it would add "
        f"{fast:.0f} MiB to the core's {core:.0f} MiB ({fast / core:.0%}), and its kernel, "
        f"with its load, beats LAPACK's pass {where}; smaller data never runs it."
    )
    return [INSTALL_HEADING, "", *install_lines(sizes, passes), "", note]


def measured_when() -> str:
    """When and how busy: partial runs rewrite their section alone, so each says so."""
    load = os.getloadavg()[0]
    return f"{datetime.date.today().isoformat()}, load average {load:.1f} on {os.cpu_count()} CPUs"


def replace_section(path: Path, section: list[str]) -> None:
    """Rewrite one `## ` section of results.md in place (new: inserted before the table)."""
    text = path.read_text() if path.exists() else ""
    heading, body = section[0], "\n".join(section) + "\n\n"
    start = text.find(heading)
    if start >= 0:
        end = text.find("\n## ", start + len(heading))
        end = len(text) if end < 0 else end + 1
    else:
        start = end = text.find("## Side by side")
        if start < 0:
            start = end = len(text)
    path.write_text(text[:start] + body + text[end:])


def write_results(
    rows: list[Row], path: Path, elapsed: float, sections: list[list[str]] | None = None
) -> None:
    """benchmarks/results.md: the targets, the start-up and install sections, the table,
    and how to read it."""
    extra = [line for section in sections or [] for line in [*section, ""]]
    text = "\n".join(
        [
            "# gdlab benchmark: the seed's gradient descent, side by side",
            "",
            "Generated by `make bench` (benchmarks/bench.py) in one run "
            f"({elapsed / 60:.1f} minutes). Same data, same start, same lr and steps: "
            "full-batch GD on ½Σ(Aw − y)², float64.",
            "",
            *machine_lines(),
            "",
            "## Targets",
            "",
            *target_lines(rows),
            "",
            *extra,
            "## Side by side (medians)",
            "",
            *table_lines(rows),
            "",
            "## How to read this",
            "",
            "- **gdlab stats (auto)** is what `gdlab.fit` runs for in-memory data with a quadratic "
            "loss: one pass builds the QR statistics of [A | y] (docs/design.md), then each step "
            "costs O(d²). Its time *includes* that pass; the note splits pass and steps. "
            "Peers' times exclude moving the data in and compiling (peers.py), "
            "so the comparison favours them.",
            "- The pass over 2**24 values and more runs a Householder kernel compiled by numba "
            "(gdlab.onepass.householder); like the peers' compiling, loading it is left out of the "
            "timings (one warm-up call) and reported on its own row: it is paid once per "
            "process, and smaller passes never pay it (they use LAPACK).",
            "- **gdlab dense** touches every row every step, like the peers (it is the engine for "
            "mini-batch SGD and Huber's loss).",
            "- **one memory pass** is `A.sum() + y.sum()`: every byte read once, the floor for "
            "anything that looks at the data.",
            "- The lr is 1/λ_max(AᵀA) (the seed's 0.002 at the seed size), so after 500 steps GD "
            "is still far from the optimum and the weights check can tell implementations apart.",
            "- dask-ml is not a peer: its linear models' gradient descent uses a line search, "
            "standardised columns and a tolerance, so it is not this algorithm; `dask_array` "
            "is plain GD written with dask.array (one reduction per step).",
            "",
        ]
    )
    path.write_text(text)


def parse_args() -> argparse.Namespace:
    """Options: a quick run (small sizes), skipping the file runs, where data files go."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--skip-files", action="store_true", help="no generated-file runs")
    parser.add_argument("--no-dask", action="store_true", help="no dask engine rows")
    parser.add_argument("--data-dir", type=Path, default=None, help="where data files go")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--startup", action="store_true", help="only the start-up part")
    parser.add_argument("--install", action="store_true", help="only the install sizes")
    return parser.parse_args()


def main() -> int:
    """Run everything in one go and write the results."""
    args = parse_args()
    if args.startup or args.install:
        for wanted, section in ((args.startup, startup_section), (args.install, install_section)):
            if wanted:
                lines = section()
                print("\n".join(lines), flush=True)
                replace_section(args.out, lines)
        print(f"\nUpdated {args.out}")
        return 0
    # In-memory arrays sent to a local cluster are meant to travel with the graph here.
    warnings.filterwarnings("ignore", message="Sending large graph")
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="gdlab-bench-", dir=args.data_dir))
    try:
        rows = run_in_memory(QUICK_CASES if args.quick else CASES, data_dir, not args.no_dask)
        if not args.skip_files:
            rows += run_files(data_dir, args.quick)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    sections = [startup_section(), install_section()]
    write_results(rows, args.out, time.perf_counter() - started, sections)
    print("\n".join(["", *target_lines(rows)]))
    print(f"\nWrote {args.out} (peak RSS of this process {peak_rss_mb():.0f} MiB)")
    failed = [r for r in rows if r.rel_diff is not None and r.rel_diff > AGREE]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
