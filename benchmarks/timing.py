"""Small timing and memory helpers for the benchmark (stdlib only)."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable


def median_time(
    fn: Callable[[], object],
    repeats: int = 5,
    min_time: float = 0.0,
    max_repeats: int = 1000,
) -> tuple[float, list[float]]:
    """Time fn() ≥ repeats times and ≥ min_time seconds in all; the median resists a busy host.

    Returns (median seconds, every sample). Stops at max_repeats whatever min_time says.
    """
    if repeats < 1 or max_repeats < repeats:
        raise ValueError(f"need 1 <= repeats <= max_repeats, got {repeats}, {max_repeats}")
    samples: list[float] = []
    total = 0.0
    while len(samples) < max_repeats and (len(samples) < repeats or total < min_time):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        samples.append(elapsed)
        total += elapsed
    return statistics.median(samples), samples


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far in MiB (a high-water mark: it never falls)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # macOS bytes, Linux KiB
    return peak / scale
