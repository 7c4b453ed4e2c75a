"""Bounded work on hostile inputs (issue 20, item 1): how long refusing them takes.

Times, on this machine, what the hostile probe found slow: the upload parser on a 650 KB
CSV of 60,000 columns (refused from its header; and fully parsed with the limit lifted, to
time the duplicate-name check) and on a 0.3 MB Parquet file of 30 million rows (refused
from its metadata, with the parser's peak memory); and `gdlab fit` on a 1.5 MB CSV of
10,000 columns × 20 rows (refused before reading), 1,000 columns × 20 rows (refused after
the pass: more weights than rows) and 1,000 columns × 1,500 rows (the widest design gdlab
fits, solved). Before the fixes these took 47 s, 1.4 GB and over 5 minutes.

    .venv/bin/python benchmarks/hostile.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from gdlab.errors import DataError
from gdlab.web.uploads import parse_table


def seconds(work) -> tuple[float, str]:
    """Wall seconds of `work()` and the first line of what it raised (or 'ok')."""
    start = time.perf_counter()
    try:
        work()
        outcome = "ok"
    except DataError as error:
        outcome = str(error).splitlines()[0][:70]
    return time.perf_counter() - start, outcome


def wide_csv(path: Path, columns: int, rows: int) -> list[str]:
    """A CSV of random numbers, `columns` features and y; the feature names."""
    names = [f"c{i}" for i in range(columns)]
    values = np.random.default_rng(0).normal(size=(rows, columns + 1))
    lines = [",".join([*names, "y"])] + [",".join(f"{v:.6g}" for v in row) for row in values]
    path.write_text("\n".join(lines) + "\n")
    return names


def fit_seconds(path: Path, names: list[str]) -> tuple[float, str]:
    """Wall seconds of `gdlab fit` on the file (a fresh process), and its last stderr line."""
    command = [sys.executable, "-m", "gdlab", "fit", str(path), "--x", ",".join(names)]
    start = time.perf_counter()
    result = subprocess.run([*command, "--y", "y", "--lr", "1e-6"], capture_output=True, text=True)
    last = (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]
    return time.perf_counter() - start, f"exit {result.returncode}: {last[:60]}"


def main() -> None:
    rows = []
    header = ",".join(f"c{i % 30_000}" for i in range(60_000))
    wide = (header + "\n" + ",".join(["1"] * 60_000) + "\n").encode()
    rows.append(("upload: CSV of 60,000 columns", *seconds(lambda: parse_table(wide, "w.csv", 10))))
    rows.append(
        (
            "upload: same, limit lifted (duplicate check)",
            *seconds(lambda: parse_table(wide, "w.csv", 10, max_columns=10**6)),
        )
    )
    buffer = io.BytesIO()
    zeros = np.zeros(30_000_000)
    pq.write_table(pa.table({"x": zeros, "y": zeros}), buffer, compression="zstd")
    bomb = buffer.getvalue()
    tracemalloc.start()
    elapsed, outcome = seconds(lambda: parse_table(bomb, "bomb.parquet", 1_000_000))
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rows.append(
        (f"upload: Parquet bomb ({len(bomb) // 1024} KB, peak {peak:.1f} MiB)", elapsed, outcome)
    )
    with tempfile.TemporaryDirectory() as folder:
        for columns, count in ((10_000, 20), (1_000, 20), (1_000, 1_500)):
            path = Path(folder, f"w{columns}x{count}.csv")
            names = wide_csv(path, columns, count)
            rows.append((f"fit: {columns:,} columns × {count:,} rows", *fit_seconds(path, names)))
    width = max(len(name) for name, _, _ in rows)
    for name, elapsed, outcome in rows:
        print(f"{name:<{width}}  {elapsed:7.2f} s  {outcome}")


if __name__ == "__main__":
    main()
