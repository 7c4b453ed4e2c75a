"""Redraw the playground's screenshots in docs/images (`make screenshots`).

Starts `gdlab serve` on a free loopback port and photographs the seed program's run in
headless Chromium (Debian's /usr/bin/chromium) on a laptop (1280 px, English and Korean),
a small laptop (1024 px), a tablet (768 px) and a phone (390 px, the whole page), and the
teaching tools (mini-batches beside full-batch GD on a laptop, a preset on a phone). Look at
the pictures before committing them: they are the README's promise of what the page is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
#: (file, width, height, query, whole page)
SHOTS = [
    ("playground.png", 1280, 800, "", False),
    ("playground-ko.png", 1280, 800, "&lang=ko", False),
    ("playground-1024.png", 1024, 768, "", True),
    ("playground-768.png", 768, 1024, "", True),
    ("playground-390.png", 390, 844, "", True),
    ("playground-teach.png", 1280, 800, "&bs=10&steps=80", False),
    ("playground-teach-390.png", 390, 844, "&preset=ill-conditioned&lr=auto&lang=ko", True),
]


def main() -> int:
    """Take every shot in SHOTS; print where each went."""
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen(
        [sys.executable, "-m", "gdlab", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[3]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for name, width, height, query, whole in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{url}?anim=0{query}")
                page.locator("body[data-runs='1'][data-status=done]").wait_for(timeout=30_000)
                page.wait_for_timeout(300)
                page.screenshot(path=str(IMAGES / name), full_page=whole)
                page.close()
                print(f"wrote docs/images/{name} ({width}×{height})")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
