"""What weights, held-out data, folds and robust covariances cost, as ratios to the plain pass.

One generated Parquet file is streamed by `prepare` (the one pass) with each option in
turn; the cases are run interleaved, several rounds, and each case's median wall time is
divided by the plain pass's median from the same rounds (the machine is shared and noisy).
Targets (issue 15): ≤ 1.3× for weights, validation and CV, which ride in the same pass;
≤ 2.2× for a robust covariance, which needs a second pass at the optimum.

    python benchmarks/statistics_cost.py [--quick] [--rows N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from gdlab.data.files import open_files
from gdlab.training.config import TrainingConfig
from gdlab.training.problem import prepare

FEATURES = 10
#: (case, options for prepare, target ratio to the plain pass)
CASES = [
    ("plain", {}, None),
    ("weights", {"weights": "w"}, 1.3),
    ("validation 0.2", {"validation": 0.2}, 1.3),
    ("cv 5", {"cv": 5}, 1.3),
    ("HC1", {"cov": "HC1"}, 2.2),
    ("cluster", {"cov": "cluster:g"}, 2.2),
]


def generate(path: Path, rows: int) -> Path:
    """rows × FEATURES features near 1e4, a target, weights and 1000 clusters."""
    rng = np.random.default_rng(0)
    columns = {f"x{j}": 1e4 + rng.normal(size=rows) for j in range(FEATURES)}
    columns["y"] = sum(columns.values()) + rng.normal(size=rows)
    columns["w"] = rng.uniform(0.5, 2.0, size=rows)
    columns["g"] = rng.integers(0, 1000, size=rows).astype(float)
    pq.write_table(pa.table(columns), path, row_group_size=256_000)
    return path


def one_pass(path: Path, options: dict[str, object]) -> float:
    """Seconds `prepare` takes to stream the file with these options."""
    settings = dict(options)
    weights = settings.pop("weights", None)
    source = open_files(path, [f"x{j}" for j in range(FEATURES)], "y")
    if weights:
        source = source.with_columns(weights=str(weights))
    config = TrainingConfig(engine="stream", **settings)  # type: ignore[arg-type]
    start = time.perf_counter()
    prepare(source, config)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small file (a smoke run)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 2_000_000)
    rounds = args.rounds or (2 if args.quick else 3)
    with tempfile.TemporaryDirectory() as folder:
        path = generate(Path(folder) / "stats.parquet", rows)
        size = path.stat().st_size / 2**20
        times: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
        for _ in range(rounds):
            for name, options, _ in CASES:
                times[name].append(one_pass(path, options))
    plain = statistics.median(times["plain"])
    print(f"stream pass over {rows:,} rows × {FEATURES} features ({size:.0f} MB), {rounds} rounds")
    print(f"{'case':<16}{'median s':>10}{'× plain':>9}{'target':>8}")
    failed = False
    for name, _, target in CASES:
        median = statistics.median(times[name])
        ratio = median / plain
        mark = "" if target is None else f"≤{target:g}" + (" ok" if ratio <= target else " !")
        failed |= target is not None and ratio > target
        print(f"{name:<16}{median:>10.3f}{ratio:>9.2f}{mark:>8}")
    return 1 if failed and not args.quick else 0


if __name__ == "__main__":
    raise SystemExit(main())
