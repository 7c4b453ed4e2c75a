"""Every screen: a phone, a tablet and a small laptop get the whole page without sideways
scrolling, and a finger on the landscape picks the start as a click does."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import api_record, open_page, wait_runs, weights_shown

SCREENS = [(390, 844), (768, 1024), (1024, 768)]


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}px" for w, _ in SCREENS])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_sideways_scrolling_and_every_panel_whole(browser, live_server, width, height, lang):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_page(page, f"{live_server.url}/?anim=0&lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("document.body.scrollWidth") <= width
        for selector in (
            "#landscape-plot",
            "#data-plot",
            "#loss-plot",
            "#lr-slider",
            "#command",
            "#numbers",
        ):
            box = page.locator(selector).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, selector
            assert box["width"] > 0.5 * min(width, 600) or selector == "#lr-slider", selector
        area = page.locator("#landscape-plot .nsewdrag").bounding_box()
        assert area["width"] > 150 and area["height"] > 150  # the landscape is usable
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.screenshot(path=str(screenshot(page, f"web-{lang}-{width}px")), full_page=True)
    finally:
        context.close()


def test_a_tap_on_the_landscape_picks_the_start(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    try:
        open_page(page, f"{live_server.url}/?anim=0&lr=0.004&steps=30")
        plot = page.locator("#landscape-plot")
        plot.scroll_into_view_if_needed()
        area = plot.locator(".nsewdrag").bounding_box()
        ranges = page.evaluate(
            "[document.getElementById('landscape-plot').layout.xaxis.range,"
            " document.getElementById('landscape-plot').layout.yaxis.range]"
        )
        page.touchscreen.tap(area["x"] + 0.7 * area["width"], area["y"] + 0.3 * area["height"])
        wait_runs(page, 2)
        init = [float(v) for v in parse_qs(urlparse(page.url).query)["init"][0].split(",")]
        spans = [r[1] - r[0] for r in ranges]
        expected = [ranges[0][0] + 0.7 * spans[0], ranges[1][1] - 0.3 * spans[1]]
        assert init == pytest.approx(expected, abs=0.02 * max(spans))
        record = api_record(live_server, {"lr": 0.004, "steps": 30, "init": init})
        assert weights_shown(page) == record["weights"]
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}px" for w, _ in SCREENS])
def test_the_teaching_controls_fit_every_screen(browser, live_server, width, height):
    """Mini-batches with their full-batch path, a preset with three weights, a kept run."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_page(page, f"{live_server.url}/?anim=0&lang=ko&preset=collinear&bs=10&steps=40")
        page.click("#pin-run")
        page.select_option("#optimizer", "momentum")
        wait_runs(page, 2)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for selector in ("#batch-row", "#preset", "#noise-slider", "#compare-group"):
            box = page.locator(selector).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, selector
        page.screenshot(path=str(screenshot(page, f"web-teach-{width}px")), full_page=True)
    finally:
        context.close()
