"""Check that every installed peer runs the same GD as the numpy peer, to 1e-9 relative.

Run: .venv-bench/bin/python benchmarks/check_peers.py [--n 1000] [--steps 200]
Exit status 0 when every available peer agrees, 1 when one disagrees or fails;
a peer whose package is missing is reported and skipped, not failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import PEERS, PeerUnavailable, peer_version, prepare

RTOL = 1e-9


@dataclass
class Problem:
    """A least-squares problem with a GD setting: A (bias first), y, w0, lr, steps."""

    A: np.ndarray
    y: np.ndarray
    w0: np.ndarray
    lr: float
    steps: int


@dataclass
class Row:
    """One line of the report: a peer, its version, how it did and why."""

    peer: str
    version: str
    status: str
    rel_diff: float | None = None
    prepare_s: float | None = None
    run_s: float | None = None
    note: str = ""


def make_problem(n: int, d: int, steps: int, seed: int) -> Problem:
    """Build a well-conditioned problem (cond(A) ≈ 9) with lr = 1/λ_max(AᵀA).

    The features have unequal means and scales so GD is still far from the optimum after a
    few hundred steps: peers that converged to the same fixed point would agree trivially.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(np.linspace(2.0, -1.0, d - 1), np.linspace(1.0, 0.5, d - 1), (n, d - 1))
    A = np.column_stack([np.ones(n), X])
    y = A @ rng.normal(0.0, 1.0, d) + 0.1 * rng.standard_normal(n)
    lam_max = float(np.linalg.eigvalsh(A.T @ A)[-1])
    return Problem(A=A, y=y, w0=rng.normal(0.0, 0.1, d), lr=1.0 / lam_max, steps=steps)


def exact_iterate(p: Problem, steps: int) -> np.ndarray:
    """Closed-form GD iterate w_k = w* + (I − lr·AᵀA)^k (w0 − w*), to check the numpy peer."""
    w_star = np.linalg.lstsq(p.A, p.y, rcond=None)[0]
    G = p.A.T @ p.A
    M = np.linalg.matrix_power(np.eye(len(p.w0)) - p.lr * G, steps)
    return w_star + M @ (p.w0 - w_star)


def rel_diff(w: np.ndarray, ref: np.ndarray) -> float:
    """Relative difference in the max norm, scaled by the reference's size."""
    return float(np.max(np.abs(w - ref)) / np.max(np.abs(ref)))


def run_peer(peer: str, p: Problem) -> tuple[np.ndarray, float, float]:
    """Prepare (transfer + warm-up) and run one peer, returning weights and both durations."""
    t0 = time.perf_counter()
    runner = prepare(peer, p.A, p.y)
    t1 = time.perf_counter()
    w = runner(p.w0, p.lr, p.steps)
    t2 = time.perf_counter()
    return w, t1 - t0, t2 - t1


def check_peer(peer: str, p: Problem, ref: np.ndarray) -> Row:
    """Run one peer and compare it with the reference weights; never raises."""
    version = peer_version(peer) or "-"
    try:
        w, prep_s, run_s = run_peer(peer, p)
    except PeerUnavailable as exc:
        return Row(peer, version, "SKIP", note=str(exc))
    except Exception as exc:  # a broken peer is a failure to report, not a crash
        return Row(peer, version, "ERROR", note=f"{type(exc).__name__}: {exc}")
    diff = rel_diff(w, ref)
    ok = w.dtype == np.float64 and w.shape == ref.shape and diff <= RTOL
    return Row(peer, version, "ok" if ok else "FAIL", diff, prep_s, run_s)


def fmt(x: float | None, width: int, spec: str) -> str:
    """Format an optional number right-aligned in a table column."""
    return f"{'-':>{width}}" if x is None else f"{x:>{width}{spec}}"


def print_table(rows: list[Row]) -> None:
    """Print which peers are available and how each compares with numpy."""
    head = f"{'peer':<11} {'status':<6} {'rel_diff':>9} {'prepare_s':>9} {'run_s':>8}  version"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r.peer:<11} {r.status:<6} {fmt(r.rel_diff, 9, '.1e')} "
            f"{fmt(r.prepare_s, 9, '.3f')} {fmt(r.run_s, 8, '.4f')}  {r.version}"
        )
        if r.note:
            print(f"{'':<11} {r.note}")


def parse_args() -> argparse.Namespace:
    """Read the problem size; the defaults are the small check problem."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--d", type=int, default=3)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args()


def main() -> int:
    """Check the numpy peer against the closed form, then every peer against numpy."""
    args = parse_args()
    p = make_problem(args.n, args.d, args.steps, args.seed)
    ref = prepare("numpy", p.A, p.y)(p.w0, p.lr, p.steps)
    exact = rel_diff(ref, exact_iterate(p, p.steps))
    one_more = rel_diff(ref, exact_iterate(p, p.steps + 1))
    print(f"N={args.n} d={args.d} steps={args.steps} lr={p.lr:.3e} (1/λ_max) rtol={RTOL:g}")
    print(f"numpy peer vs closed-form iterate: rel_diff={exact:.1e}")
    print(f"one step more moves w by rel {one_more:.1e} (the check can tell steps apart)")
    rows = [check_peer(peer, p, ref) for peer in PEERS]
    print_table(rows)
    bad = [r.peer for r in rows if r.status in ("FAIL", "ERROR")]
    if exact > RTOL:
        bad.append("numpy-vs-closed-form")
    if one_more < 100 * RTOL:
        bad.append("problem-converged-too-soon")
    counts = {st: sum(r.status == st for r in rows) for st in ("ok", "SKIP")}
    print(f"{counts['ok']} agree, {counts['SKIP']} skipped; failed: {', '.join(bad) or 'none'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
