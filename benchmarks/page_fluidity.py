"""Does the playground stay fluid while it animates a run? (issue 18, item 3)

Starts `gdlab serve` on a free loopback port, opens the page in headless Chromium (Debian's
/usr/bin/chromium under Playwright) on the seed recipe with 5000 points and 2000 steps, and
counts the frames the browser paints (requestAnimationFrame) for a few idle seconds, then
during a live, animated run of those 2000 steps. While the run goes it also clicks a control
(the loss panel's "log scale" box) a few times and times each click from the input event to
the next painted frame. Reports idle and running frames per second, the worst frame, and the
click latencies; the target is running fps ≥ 50% of idle fps.

    .venv/bin/python benchmarks/page_fluidity.py [--points 5000] [--steps 2000] [--rounds 3]

Only loopback traffic; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

#: Counts painted frames: every requestAnimationFrame timestamp since `start()`.
FRAME_COUNTER = """
(() => {
  const probe = { times: [], clicks: [], on: true };
  const tick = (t) => { if (probe.on) { probe.times.push(t); requestAnimationFrame(tick); } };
  requestAnimationFrame(tick);
  document.addEventListener("click", (event) => {
    const pressed = event.timeStamp;
    requestAnimationFrame(() => probe.clicks.push(performance.now() - pressed));
  }, true);
  window.__probe = probe;
})()
"""


def start_server() -> tuple[subprocess.Popen[str], str]:
    """`gdlab serve --port 0` in a child process, and the page's address."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gdlab", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("gdlab playground at "):
        server.kill()
        raise RuntimeError(f"gdlab serve did not start: {line!r}")
    return server, line.split()[3]


def stable_rate(url: str, points: int) -> float:
    """A third of plain GD's stable bound for the seed recipe of `points` points (3 digits)."""
    body = json.dumps({"data": {"kind": "seed", "n": points}}).encode()
    request = urllib.request.Request(
        f"{url}api/prepare", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        bound = json.load(answer)["analysis"]["lr_max_stable"]
    return float(f"{bound / 3:.3g}")


def frame_stats(times: list[float]) -> dict[str, float]:
    """Frames per second and the longest gap between two painted frames (ms)."""
    if len(times) < 2:
        return {"fps": 0.0, "worst_ms": float("inf"), "worst_at_s": 0.0, "frames": len(times)}
    gaps = [b - a for a, b in itertools.pairwise(times)]
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    return {
        "fps": 1000 * (len(times) - 1) / (times[-1] - times[0]),
        "worst_ms": gaps[worst],
        "worst_at_s": (times[worst] - times[0]) / 1000,
        "frames": len(times),
    }


def measure(page, idle_seconds: float) -> dict[str, object]:
    """One round: idle frames, then frames and clicks during a live run."""
    page.evaluate(FRAME_COUNTER)
    page.wait_for_timeout(int(1000 * idle_seconds))
    idle = frame_stats(page.evaluate("window.__probe.times.splice(0)"))
    runs = int(page.evaluate("document.body.dataset.runs || '0'"))
    page.click("#train")
    page.locator("body[data-status=running]").wait_for(timeout=10_000)
    page.evaluate("window.__probe.times.splice(0)")
    started = time.monotonic()
    clicks = 0
    while page.evaluate("document.body.dataset.status") == "running":
        page.wait_for_timeout(700)
        if page.evaluate("document.body.dataset.status") == "running":
            page.click("#log-loss")
            clicks += 1
    running = frame_stats(page.evaluate("window.__probe.times.splice(0)"))
    page.locator(f"body[data-runs='{runs + 1}']").wait_for(timeout=60_000)
    latencies = page.evaluate("window.__probe.clicks.splice(0)")
    page.evaluate("window.__probe.on = false")
    if clicks % 2:
        page.click("#log-loss")  # back to the log scale for the next round
    return {
        "idle": idle,
        "running": running,
        "run_seconds": time.monotonic() - started,
        "clicks_ms": latencies[:clicks],
    }


def main() -> int:
    """Measure `--rounds` rounds and print the report; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    args = parser.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        print(f"no browser at {CHROMIUM} (`make browser` installs Debian's chromium)")
        return 2
    from playwright.sync_api import sync_playwright

    server, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            lr = stable_rate(url, args.points)
            page.goto(f"{url}?n={args.points}&steps={args.steps}&lr={lr}")
            page.locator("body[data-runs='1'][data-status=done]").wait_for(timeout=60_000)
            rounds = [measure(page, args.idle_seconds) for _ in range(args.rounds)]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"page fluidity: seed recipe, {args.points} points, a live {args.steps}-step run "
        f"(lr {lr:g}), 1280×800, headless Chromium, {os.cpu_count()} CPUs"
    )
    ratios = []
    for number, result in enumerate(rounds, 1):
        idle, running = result["idle"], result["running"]
        ratio = running["fps"] / idle["fps"] if idle["fps"] else 0.0
        ratios.append(ratio)
        clicks = result["clicks_ms"]
        click_text = (
            f"clicks to next frame: median {statistics.median(clicks):.0f} ms, "
            f"worst {max(clicks):.0f} ms ({len(clicks)} clicks)"
            if clicks
            else "no clicks"
        )
        print(
            f"  round {number}: idle {idle['fps']:.1f} fps (worst frame {idle['worst_ms']:.0f} ms);"
            f" running {running['fps']:.1f} fps (worst frame {running['worst_ms']:.0f} ms"
            f" at {running['worst_at_s']:.1f} s of {result['run_seconds']:.1f} s)"
            f" = {100 * ratio:.0f}% of idle; {click_text}"
        )
    ok = min(ratios) >= 0.5
    print(f"  verdict: {'ok' if ok else 'FAILED'} (target: running ≥ 50% of idle fps)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
