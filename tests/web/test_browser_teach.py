"""The playground teaches more (issue 19, item 5), driven in Chromium: mini-batch SGD with the
full-batch path beside it, the data presets, the noise slider and two runs side by side."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx2
import numpy as np
import pytest

import gdlab
from gdlab.data.presets import preset_dataset
from tests.web.conftest import screenshot, serious_violations
from tests.web.test_browser import api_record, open_page, shown, wait_runs, wait_until

TRACES = """(id) => document.getElementById(id).data.map((trace) => ({
  name: trace.name, x: trace.x, y: trace.y }))"""


def traces(page, plot: str) -> dict[str, dict]:
    return {trace["name"]: trace for trace in page.evaluate(TRACES, plot)}


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def wait_for_trace(page, plot: str, name: str) -> dict:
    for _ in range(200):
        found = traces(page, plot).get(name)
        if found is not None:
            return found
        page.wait_for_timeout(50)
    raise AssertionError(f"no trace '{name}' on {plot}: {list(traces(page, plot))}")


def weights(page, count: int = 2) -> list[float]:
    return [shown(page, f"w-{i}") for i in range(count)]


def test_mini_batches_draw_the_noisy_path_beside_the_full_batch_one(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&bs=10&steps=60")
    sgd = api_record(live_server, {"batch_size": 10, "steps": 60})
    full = api_record(live_server, {"steps": 60})
    assert weights(page) == sgd["weights"]  # the run on screen is mini-batch SGD
    assert sgd["weights"] != full["weights"]
    beside = wait_for_trace(page, "landscape-plot", "full batch")
    assert beside["x"] == [w[0] for w in full["path"]]
    assert beside["y"] == [w[1] for w in full["path"]]
    curve = wait_for_trace(page, "loss-plot", "full batch")
    assert curve["y"] == [full["initial_loss"], *full["losses"]]
    hint = page.locator("#batch-hint").inner_text()
    assert "10 of 50 rows" in hint
    screenshot(page, "web-mini-batch")

    # A new batch size: its own auto rate (1/L_B), as `gdlab fit --batch-size 5` picks.
    page.fill("#batch-size", "5")
    page.locator("#batch-size").dispatch_event("change")
    wait_runs(page, 2)
    assert query(page)["bs"] == ["5"] and query(page)["lr"] == ["auto"]
    expected = gdlab.fit(gdlab.seed_dataset(0), batch_size=5, steps=60, lr="auto", seed=0)
    assert weights(page) == expected.weights.tolist()
    # Back to full batch: no second path.
    page.fill("#batch-size", "")
    page.locator("#batch-size").dispatch_event("change")
    wait_runs(page, 3)
    assert "bs" not in query(page)
    assert "full batch" not in traces(page, "landscape-plot")
    assert page.locator("#batch-hint").is_hidden()


def test_a_bad_batch_size_is_shown_and_kept_out_of_the_link(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    page.fill("#batch-size", "2.5")
    page.locator("#batch-size").dispatch_event("change")
    assert "batch size" in page.locator("#form-error").inner_text()
    assert page.locator("#batch-size").get_attribute("aria-invalid") == "true"
    assert "bs" not in query(page)


@pytest.mark.parametrize("name", ["centred", "ill-conditioned", "outliers", "collinear"])
def test_each_preset_trains_on_its_data_and_says_what_it_shows(page, live_server, name):
    open_page(page, f"{live_server.url}/?anim=0&lr=0.0003&steps=40")
    page.select_option("#preset", name)
    wait_runs(page, 2)
    assert query(page)["preset"] == [name]
    data = preset_dataset(name, 0)
    expected = gdlab.fit(data, lr=0.0003, steps=40, seed=0)  # a rate the user set stays
    assert weights(page, len(expected.weights)) == expected.weights.tolist()
    hint = page.locator("#data-hint").inner_text()
    assert {
        "centred": "centred at 0",
        "ill-conditioned": "near 10",
        "outliers": "15 higher",
        "collinear": "almost flat",
    }[name] in hint
    link = page.locator("#data-download")
    assert link.get_attribute("download") == f"{name}-data.csv"
    csv = httpx2.get(live_server.url + link.get_attribute("href"), timeout=10).text
    table = np.loadtxt(csv.splitlines()[1:], delimiter=",")
    assert csv.splitlines()[0] == ",".join([*data.feature_names, "y"])
    assert np.array_equal(table[:, :-1], data.features) and np.array_equal(
        table[:, -1], data.target
    )
    assert page.locator("#command").inner_text().startswith(f"gdlab fit {name}-data.csv --x")
    screenshot(page, f"web-preset-{name}")


def test_the_noise_slider_redraws_the_data(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    slider = page.locator("#noise-slider")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # Each key press trains again (a newer run abandons the one before): wait for the last.
    wait_until(page, "location.search.includes('noise=1.5')")
    wait_until(page, "document.body.dataset.status === 'done' && document.body.dataset.runs > 1")
    assert query(page)["noise"] == ["1.5"]
    assert page.locator("#noise").input_value() == "1.5"
    expected = gdlab.fit(gdlab.seed_dataset(0, 50, 1.5), lr=0.002, seed=0)
    assert weights(page) == expected.weights.tolist()


def test_two_runs_side_by_side(page, live_server, axe_source):
    open_page(page, f"{live_server.url}/?anim=0&steps=40")
    first = api_record(live_server, {"steps": 40})
    page.click("#pin-run")
    page.select_option("#optimizer", "momentum")
    wait_runs(page, 2)
    label = "kept: gd, lr 0.002"
    kept = wait_for_trace(page, "landscape-plot", label)
    assert kept["x"] == [w[0] for w in first["path"]]
    curve = traces(page, "loss-plot")[label]
    assert curve["y"] == [first["initial_loss"], *first["losses"]]
    assert traces(page, "loss-plot")["loss"]["y"] != curve["y"]  # the new run beside it
    hint = page.locator("#compare-hint").inner_text()
    assert "gd, lr 0.002" in hint and "40 steps" in hint
    assert serious_violations(page, axe_source) == []
    screenshot(page, "web-two-runs")
    page.click("#clear-pin")
    assert label not in traces(page, "loss-plot")
    assert page.locator("#clear-pin").is_hidden()


def test_the_teaching_controls_speak_korean(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&lang=ko&bs=10")
    assert page.locator("#batch-row").inner_text().startswith("배치 크기")
    assert page.locator("#compare-heading").inner_text() == "두 실행 비교"
    options = page.locator("#preset option").all_inner_texts()
    assert options[0] == "예제 레시피" and "공선 특성" in options
    assert "미니배치" in page.locator("#batch-hint").inner_text()
    assert page.locator("#noise-slider").get_attribute("aria-label") == "예제 데이터의 잡음"
    wait_for_trace(page, "landscape-plot", "전체 배치")
