"""A bounded load test of the playground's API on loopback (issue 7, item 6).

Starts `gdlab serve` on a free 127.0.0.1 port in a child process, warms it up, notes its
resident memory, then sends REQUESTS trainings of the seed job to `POST /api/train`,
CONCURRENCY at a time. Reports throughput, p50/p95 latency, errors, and the server's memory
before, at the peak and after (once the requests are done and the server is idle).

    .venv/bin/python benchmarks/load_web.py [--requests 200] [--concurrency 20]

Only loopback traffic; the loop is bounded in count and time and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    """A port the kernel says is free on loopback."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def start_server(port: int) -> subprocess.Popen[bytes]:
    """`gdlab serve` in a child process; returns once the page answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gdlab", "serve", "--host", HOST, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/api/meta", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not answer within 30 s")


async def one_request(client: httpx.AsyncClient, url: str) -> tuple[float, int]:
    """Train the seed job once; return (seconds, status code)."""
    started = time.perf_counter()
    response = await client.post(url, json={})
    return time.perf_counter() - started, response.status_code


async def load(url: str, requests: int, concurrency: int, pid: int) -> dict[str, float]:
    """Send `requests` trainings, `concurrency` in flight at once; sample the server's RSS."""
    gate = asyncio.Semaphore(concurrency)
    peak = rss_mb(pid)

    async def gated(client: httpx.AsyncClient) -> tuple[float, int]:
        nonlocal peak
        async with gate:
            result = await one_request(client, url)
            peak = max(peak, rss_mb(pid))
            return result

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        started = time.perf_counter()
        results = await asyncio.gather(*(gated(client) for _ in range(requests)))
        elapsed = time.perf_counter() - started
    latencies = sorted(seconds for seconds, _ in results)
    errors = sum(1 for _, status in results if status != 200)
    busy = sum(1 for _, status in results if status == 429)
    return {
        "elapsed": elapsed,
        "throughput": requests / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "errors": errors,
        "busy": busy,
        "peak_rss": peak,
    }


def main() -> int:
    """Run the load test and print its report; exit 1 on errors or memory not returning."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--memory-slack-mb", type=float, default=25.0)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    url = f"http://{HOST}:{port}/api/train"
    try:
        for _ in range(20):  # warm-up: imports, caches, allocator pools
            httpx.post(url, json={}, timeout=60).raise_for_status()
        baseline = rss_mb(server.pid)
        report = asyncio.run(load(url, args.requests, args.concurrency, server.pid))
        time.sleep(2.0)
        after = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    grown = after - baseline
    print(f"{args.requests} POST /api/train (seed job), {args.concurrency} at a time, loopback")
    print(f"  throughput   {report['throughput']:.1f} requests/s ({report['elapsed']:.2f} s)")
    print(f"  latency      p50 {1000 * report['p50']:.1f} ms, p95 {1000 * report['p95']:.1f} ms")
    print(f"  errors       {report['errors']:.0f} (of which 429 busy: {report['busy']:.0f})")
    print(
        f"  server RSS   baseline {baseline:.1f} MB, peak {report['peak_rss']:.1f} MB, "
        f"after {after:.1f} MB ({grown:+.1f} MB)"
    )
    ok = report["errors"] == 0 and grown <= args.memory_slack_mb
    print("  verdict      " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
