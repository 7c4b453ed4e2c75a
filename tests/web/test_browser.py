"""End to end in headless Chromium (Playwright) against uvicorn on a free loopback port.

Each test drives the page as a learner would and checks what the page shows against the API.
Screenshots land in test-artifacts/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx2
import numpy as np
import pytest

import gdlab
from tests.web.conftest import screenshot


def open_page(page, url: str, runs: int = 1) -> None:
    page.goto(url)
    wait_runs(page, runs)


def wait_runs(page, runs: int) -> None:
    """Wait until the page has finished `runs` runs."""
    page.locator(f"body[data-runs='{runs}'][data-status=done]").wait_for(timeout=20_000)


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true (the page's policy forbids the eval
    that Playwright's own wait_for_function uses to poll)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def shown(page, card: str) -> float:
    """The full-precision number behind a card of the page."""
    return float(page.locator(f"#{card}").get_attribute("data-value"))


def weights_shown(page) -> list[float]:
    return [shown(page, "w-0"), shown(page, "w-1")]


def api_record(live_server, body: dict) -> dict:
    response = httpx2.post(f"{live_server.url}/api/train", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_page_trains_the_seed_program_like_the_api(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    record = api_record(live_server, {})
    assert weights_shown(page) == record["weights"]
    assert shown(page, "loss-now") == record["losses"][-1]
    assert shown(page, "step-now") == 50
    assert page.locator("#command").inner_text().startswith("gdlab fit seed-data.csv --x x --y y")
    assert page.evaluate("document.getElementById('loss-plot').data[0].y.length") == 51
    screenshot(page, "web-seed-run")
    with page.expect_download() as download:
        page.click("#download-run")
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["weights"] == record["weights"] and saved["losses"] == record["losses"]
    with page.expect_download() as download:
        page.click("#download-figure")
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == 3 * 560 * 2


def test_a_rate_past_the_bound_diverges_with_the_reason_shown(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    bound = shown(page, "bound")
    slider = page.locator("#lr-slider")
    box = slider.bounding_box()
    low, high = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    target = (math.log10(1.3 * bound) - low) / (high - low)
    thumb = 9  # half the thumb: its centre runs from box.x + 9 to box.x + width − 9
    start = (math.log10(0.002) - low) / (high - low)
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + thumb + start * (box["width"] - 2 * thumb), y)
    page.mouse.down()
    page.mouse.move(box["x"] + thumb + target * (box["width"] - 2 * thumb), y, steps=8)
    page.mouse.up()
    wait_runs(page, 2)
    lr = float(parse_qs(urlparse(page.url).query)["lr"][0])
    assert lr == pytest.approx(1.3 * bound, rel=0.03) and lr > bound
    message = page.locator("#message").inner_text()
    assert "diverged" in message and "largest stable learning rate" in message
    assert "blows up" in page.locator("#lr-hint").inner_text()
    assert "diverged" in page.locator("#loss-now").get_attribute("class")
    screenshot(page, "web-diverged")


def test_clicking_the_landscape_moves_the_start_and_the_link_replays_it(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&lr=0.004&steps=30&seed=2")
    plot = page.locator("#landscape-plot")
    area = plot.locator(".nsewdrag").bounding_box()
    ranges = page.evaluate(
        "[document.getElementById('landscape-plot').layout.xaxis.range,"
        " document.getElementById('landscape-plot').layout.yaxis.range]"
    )
    page.mouse.click(area["x"] + 0.2 * area["width"], area["y"] + 0.25 * area["height"])
    wait_runs(page, 2)
    expected = [
        ranges[0][0] + 0.2 * (ranges[0][1] - ranges[0][0]),
        ranges[1][1] - 0.25 * (ranges[1][1] - ranges[1][0]),
    ]
    start = page.evaluate(
        "(() => { const t = document.getElementById('landscape-plot').data"
        ".find((trace) => trace.name === 'start w₀'); return [t.x[0], t.y[0]]; })()"
    )
    spans = [r[1] - r[0] for r in ranges]
    assert start == pytest.approx(expected, abs=0.01 * max(spans))
    init = [float(v) for v in parse_qs(urlparse(page.url).query)["init"][0].split(",")]
    assert init == start
    record = api_record(live_server, {"lr": 0.004, "steps": 30, "seed": 2, "init": init})
    assert record["init"] == init and weights_shown(page) == record["weights"]
    screenshot(page, "web-landscape-click")

    shared = page.context.new_page()
    open_page(shared, page.url)
    assert weights_shown(shared) == weights_shown(page)
    assert shown(shared, "loss-now") == shown(page, "loss-now")
    screenshot(shared, "web-shared-url")


def test_uploading_a_csv_trains_on_its_columns(page, live_server, tmp_path):
    rng = np.random.default_rng(5)
    area = rng.uniform(0.3, 1.5, size=60)  # hundreds of m²
    price = 50 + 250 * area + rng.normal(0, 20, size=60)
    lines = ["area,rooms,price,city"]
    lines += [
        f"{a!r},{int(a * 4)},{p!r},town{i % 3}"
        for i, (a, p) in enumerate(zip(area.tolist(), price.tolist(), strict=True))
    ]
    path = tmp_path / "houses.csv"
    path.write_text("\n".join(lines) + "\n")
    open_page(page, f"{live_server.url}/?anim=0&lr=0.005&steps=200")
    page.set_input_files("#file", str(path))
    wait_runs(page, 2)
    info = page.locator("#upload-info").inner_text()
    assert "houses.csv" in info and "60 rows" in info and "city" in info
    query = parse_qs(urlparse(page.url).query)
    assert query["x"] == ["area"] and query["y"] == ["price"] and query["file"] == ["houses.csv"]
    expected = gdlab.fit(gdlab.read_table(path, ["area"], "price"), lr=0.005, steps=200)
    assert weights_shown(page) == expected.weights.tolist()
    screenshot(page, "web-upload")


def test_a_bad_csv_shows_what_is_wrong_and_where(page, live_server, page_errors, tmp_path):
    page_errors.http_4xx_expected = True
    path = tmp_path / "broken.csv"
    path.write_text("x,y\n1,2\n2,abc\n3,4\n")
    open_page(page, f"{live_server.url}/?anim=0")
    page.check("#source-upload")
    page.set_input_files("#file", str(path))
    page.locator("body[data-status=error]").wait_for(timeout=10_000)
    info = page.locator("#upload-info")
    assert "error" in info.get_attribute("class")
    text = info.inner_text()
    assert "broken.csv" in text and "non-numeric value 'abc'" in text and "data row 2" in text
    assert "non-numeric value 'abc'" in page.locator("#message").inner_text()
    screenshot(page, "web-upload-error")


def test_a_long_run_animates_and_stops_mid_run(page, live_server):
    page.goto(f"{live_server.url}/?steps=5000&lr=0.001")
    page.locator("#step-now[data-value]:not([data-value='0'])").wait_for(timeout=10_000)
    seen = [shown(page, "step-now")]
    for _ in range(2):  # steps keep arriving while the page stays live (however busy the CPU)
        page.wait_for_function(
            "previous => Number(document.querySelector('#step-now').dataset.value) > previous",
            arg=seen[-1],
            timeout=10_000,
        )
        seen.append(shown(page, "step-now"))
    assert seen[0] < seen[1] < seen[2] < 5000, seen
    screenshot(page, "web-mid-run")
    page.click("#stop")
    wait_runs(page, 1)
    steps = shown(page, "step-now")
    assert seen[2] <= steps < 5000
    assert "stopped" in page.locator("#step-now").inner_text()
    assert "stopped by you" in page.locator("#message").inner_text()
    query = parse_qs(urlparse(page.url).query)
    assert query["at"] == [str(int(steps))]  # the link replays the run shown…
    assert query["steps"] == ["5000"] and page.input_value("#steps") == "5000"  # …the setting stays
    screenshot(page, "web-stopped")


def test_step_adds_one_step_and_reset_goes_back_to_the_start(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&steps=3")
    page.click("#step")
    wait_runs(page, 2)
    assert shown(page, "step-now") == 4
    record = api_record(live_server, {"steps": 4})
    assert weights_shown(page) == record["weights"]
    page.click("#reset")
    page.locator("body[data-status=idle]").wait_for(timeout=10_000)
    assert shown(page, "step-now") == 0
    assert weights_shown(page) == record["init"]
    page.click("#step")
    wait_runs(page, 3)
    assert shown(page, "step-now") == 1
    query = parse_qs(urlparse(page.url).query)
    assert query["at"] == ["1"] and query["steps"] == ["3"]  # +1 Step keeps the steps setting
    assert page.input_value("#steps") == "3"


def test_several_features_show_targets_against_predictions(page, live_server, tmp_path):
    rng = np.random.default_rng(8)
    x1, x2 = rng.normal(size=80), rng.normal(size=80)
    y = 3 + 2 * x1 - 1.5 * x2 + 0.3 * rng.normal(size=80)
    lines = ["u,v,t"] + [
        f"{a!r},{b!r},{c!r}" for a, b, c in zip(x1.tolist(), x2.tolist(), y.tolist(), strict=True)
    ]
    (tmp_path / "two.csv").write_text("\n".join(lines) + "\n")
    open_page(page, f"{live_server.url}/?anim=0&lr=0.01&steps=100")
    page.set_input_files("#file", str(tmp_path / "two.csv"))
    wait_runs(page, 2)
    page.check("#x-columns input[value=v]")
    wait_runs(page, 3)
    assert page.locator("#data-title").inner_text() == "Targets against predictions"
    assert "other weights at the optimum" in page.locator("#landscape-title").inner_text()
    expected = gdlab.fit(
        gdlab.read_table(tmp_path / "two.csv", ["u", "v"], "t"), lr=0.01, steps=100
    )
    assert [shown(page, f"w-{i}") for i in range(3)] == expected.weights.tolist()
    screenshot(page, "web-two-features")
