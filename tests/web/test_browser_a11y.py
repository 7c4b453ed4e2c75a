"""Accessibility in headless Chromium: axe-core finds nothing serious in any state of the page,
keyboard alone trains, moves the rate, starts and stops, and screen readers hear a summary."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.conftest import serious_violations
from tests.web.test_browser import open_page, shown, wait_runs


def check(page, axe_source: str, state: str) -> None:
    violations = serious_violations(page, axe_source)
    assert not violations, f"{state}: " + "; ".join(violations)


def test_no_serious_violations_idle_running_paused_diverged_uploaded(
    page, live_server, axe_source, tmp_path: Path
):
    open_page(page, f"{live_server.url}/?anim=0")
    page.click("#reset")
    page.locator("body[data-status=idle]").wait_for(timeout=10_000)
    check(page, axe_source, "idle")

    page.goto(f"{live_server.url}/?steps=20000&lr=0.001")
    page.locator("body[data-status=running] #step-now:not([data-value='0'])").wait_for(
        timeout=10_000
    )
    check(page, axe_source, "running")
    page.click("#pause")
    page.locator("body[data-status=paused]").wait_for(timeout=10_000)
    check(page, axe_source, "paused")
    page.click("#stop")
    wait_runs(page, 1)

    open_page(page, f"{live_server.url}/?anim=0&lr=0.05")
    assert "diverged" in page.locator("#loss-now").get_attribute("class")
    check(page, axe_source, "diverged")

    rows = ["u,v,t"] + [f"{i},{i * i % 7},{2 * i + 1}" for i in range(30)]
    (tmp_path / "table.csv").write_text("\n".join(rows) + "\n")
    page.set_input_files("#file", str(tmp_path / "table.csv"))
    wait_runs(page, 2)
    check(page, axe_source, "uploaded")
    page.click("#language")
    check(page, axe_source, "uploaded, in Korean")


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with this id has the focus (fail if it never gets it)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_keyboard_alone_trains_moves_the_rate_starts_and_stops(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    page.evaluate("document.activeElement.blur()")
    tab_to(page, "lr-slider")
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert ring[0] != "none" and ring[1] >= 2  # a visible focus ring on the slider
    before = float(parse_qs(urlparse(page.url).query).get("lr", ["0.002"])[0])
    page.keyboard.press("ArrowRight")
    wait_runs(page, 2)
    after = float(parse_qs(urlparse(page.url).query)["lr"][0])
    assert after > before
    text = page.get_attribute("#lr-slider", "aria-valuetext")
    assert text.startswith(f"learning rate {after:g}") and "stable bound" in text

    tab_to(page, "init-0")  # a new start, typed
    page.keyboard.press("Control+A")
    page.keyboard.type("-3")
    page.keyboard.press("Enter")
    wait_runs(page, 3)
    assert shown(page, "w-0") != 0 and parse_qs(urlparse(page.url).query)["init"][0].startswith(
        "-3,"
    )

    page.goto(f"{live_server.url}/?steps=20000&lr=0.001&anim=1")
    page.locator("body[data-status=running]").wait_for(timeout=10_000)
    page.evaluate("document.activeElement.blur()")
    tab_to(page, "stop")
    page.keyboard.press("Enter")
    wait_runs(page, 1)
    assert "stopped" in page.locator("#step-now").inner_text()
    tab_to(page, "train")
    page.keyboard.press("Enter")
    page.locator("body[data-status=running]").wait_for(timeout=10_000)
    tab_to(page, "pause")
    page.keyboard.press("Space")
    page.locator("body[data-status=paused]").wait_for(timeout=10_000)
    assert page.get_attribute("#pause", "aria-pressed") == "true"
    page.keyboard.press("Space")
    page.locator("body[data-status=running]").wait_for(timeout=10_000)
    tab_to(page, "stop")
    page.keyboard.press("Enter")
    wait_runs(page, 2)


WATCH_LIVE_REGIONS = """
(() => {
  window.__spoken = [];
  const live = "[aria-live], [role=status], [role=alert], [role=log]";
  const regions = [...document.querySelectorAll(live)];
  window.__regions = regions.map((r) => r.id);
  for (const region of regions) {
    new MutationObserver(() => window.__spoken.push(region.textContent))
      .observe(region, { childList: true, subtree: true, characterData: true });
  }
})()
"""


def test_screen_readers_hear_a_short_summary_not_every_frame(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    page.evaluate(WATCH_LIVE_REGIONS)
    regions = page.evaluate("window.__regions")
    assert "announce" in regions
    for big in ("numbers", "story", "data-plot", "landscape-plot", "loss-plot"):
        inside = page.evaluate(
            f"!!document.getElementById('{big}').closest('[aria-live], [role=status], [role=log]')"
        )
        assert not inside, f"#{big} sits in a live region"
    frames = int(page.evaluate("document.body.dataset.frames"))
    page.fill("#steps", "400")
    page.press("#steps", "Enter")
    wait_runs(page, 2)
    page.click("#animate")  # animate the next run: many frames
    page.click("#train")
    wait_runs(page, 3)
    assert int(page.evaluate("document.body.dataset.frames")) - frames > 6
    spoken = [text for text in page.evaluate("window.__spoken") if text.strip()]
    assert 2 <= len(spoken) <= 6, spoken  # start and end of each run, not each frame
    assert any(text.startswith("Done: 400 steps") for text in spoken)
    assert all(len(text) < 200 for text in spoken)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_slider_announces_the_rate_itself(page, live_server, lang):
    open_page(page, f"{live_server.url}/?anim=0&lr=0.003&lang={lang}")
    text = page.get_attribute("#lr-slider", "aria-valuetext")
    assert ("learning rate 0.003" if lang == "en" else "학습률 0.003") in text
    assert "−2.5" not in text and "-2.5" not in text  # not log10 of the rate
