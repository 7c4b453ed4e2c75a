"""The controls as a learner uses them: rate ranges per optimizer, a random start, pause and
continue, one card per weight, bad values kept out of the link, one weight, divergence."""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

import gdlab
from tests.web.test_browser import (
    api_record,
    open_page,
    shown,
    wait_runs,
    wait_until,
    weights_shown,
)


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def slider_top(page) -> float:
    """The largest learning rate the slider reaches."""
    return 10 ** float(page.get_attribute("#lr-slider", "max"))


def test_adaptive_optimizers_reach_their_useful_rates_on_the_slider(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    gd_top = slider_top(page)
    bound = shown(page, "bound")
    assert gd_top < 6 * bound  # plain GD: the slider ends a little past its bound
    page.select_option("#optimizer", "adam")
    wait_runs(page, 2)
    distance = shown(page, "bound")  # for adam the card shows the distance to the optimum
    record = api_record(live_server, {})
    gap = np.max(np.abs(np.array(record["init"]) - record["optimum"]["weights"]))
    assert distance == pytest.approx(gap)
    assert slider_top(page) >= distance > 100 * bound  # rates of the size of the way to go
    page.focus("#lr-slider")
    page.keyboard.press("End")
    wait_runs(page, 3)
    assert float(query(page)["lr"][0]) >= distance
    page.fill("#lr", "0.05")  # a useful adam rate, inside the slider's range
    page.press("#lr", "Enter")
    wait_runs(page, 4)
    assert 10 ** float(page.get_attribute("#lr-slider", "min")) < 0.05 < slider_top(page)
    assert "step size per weight" in page.locator("#lr-hint").inner_text()
    page.select_option("#optimizer", "momentum")
    wait_runs(page, 5)
    eigen = record["analysis"]["hessian_eigenvalues"]
    assert shown(page, "bound") == pytest.approx(2 * 1.9 / eigen[-1])  # 2(1+β)/λmax, β = 0.9
    assert slider_top(page) > shown(page, "bound")
    assert "lr/(1 − β)" in page.locator("#lr-hint").inner_text()


def test_random_start_draws_a_new_start_each_time_and_the_link_replays_it(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    ranges = page.evaluate(
        "[document.getElementById('landscape-plot').layout.xaxis.range,"
        " document.getElementById('landscape-plot').layout.yaxis.range]"
    )
    starts = []
    for runs in (2, 3, 4):
        page.click("#random-start")
        wait_runs(page, runs)
        start = [float(v) for v in query(page)["init"][0].split(",")]
        assert all(lo <= v <= hi for v, (lo, hi) in zip(start, ranges, strict=True))
        starts.append(start)
    assert len({tuple(s) for s in starts}) == 3
    record = api_record(live_server, {"init": starts[-1]})
    assert weights_shown(page) == record["weights"]
    shared = page.context.new_page()
    open_page(shared, page.url)
    assert weights_shown(shared) == record["weights"]


def test_pause_holds_the_run_and_continue_goes_on(page, live_server):
    page.goto(f"{live_server.url}/?steps=3000&lr=0.001")
    page.locator("body[data-status=running] #step-now:not([data-value='0'])").wait_for(
        timeout=10_000
    )
    page.click("#pause")
    page.locator("body[data-status=paused]").wait_for(timeout=5_000)
    assert page.inner_text("#pause").endswith("Continue")
    page.wait_for_timeout(400)
    held = shown(page, "step-now")
    page.wait_for_timeout(800)
    assert shown(page, "step-now") == held < 3000
    page.click("#pause")
    page.locator("body[data-status=running]").wait_for(timeout=5_000)
    wait_until(page, f"Number(document.getElementById('step-now').dataset.value) > {held}")
    page.click("#stop")
    wait_runs(page, 1)
    stopped = int(shown(page, "step-now"))
    record = api_record(live_server, {"steps": stopped, "lr": 0.001})
    assert weights_shown(page) == record["weights"]  # a pause changes nothing in the run
    page.click("#train")  # Train runs the steps setting again, which Stop kept
    page.locator("body[data-status=running]").wait_for(timeout=5_000)
    page.click("#stop")
    wait_runs(page, 2)
    assert query(page)["steps"] == ["3000"]


def test_every_weight_gets_its_card_and_many_cards_scroll(page, live_server, tmp_path: Path):
    rng = np.random.default_rng(3)
    features = rng.normal(size=(60, 12))
    target = features @ np.arange(1, 13) + 0.1 * rng.normal(size=60)
    names = [f"f{i}" for i in range(12)]
    lines = [",".join([*names, "t"])]
    lines += [
        ",".join(repr(float(v)) for v in [*row, y]) for row, y in zip(features, target, strict=True)
    ]
    (tmp_path / "wide.csv").write_text("\n".join(lines) + "\n")
    open_page(page, f"{live_server.url}/?anim=0&lr=0.003&steps=100")
    page.set_input_files("#file", str(tmp_path / "wide.csv"))
    wait_runs(page, 2)
    for runs, name in enumerate(names[1:], start=3):
        page.check(f"#x-columns input[value={name}]")
        wait_runs(page, runs)
    cards = page.locator("#weights .card")
    assert cards.count() == 13
    expected = gdlab.fit(gdlab.read_table(tmp_path / "wide.csv", names, "t"), lr=0.003, steps=100)
    assert [shown(page, f"w-{i}") for i in range(13)] == expected.weights.tolist()
    box = page.evaluate(
        "(() => { const w = document.getElementById('weights');"
        " return [w.scrollHeight, w.clientHeight, w.tabIndex]; })()"
    )
    assert box[0] > box[1] and box[2] == 0  # the cards scroll, and the keyboard reaches them
    page.locator("#w-12").scroll_into_view_if_needed()
    assert page.locator("#w-12").is_visible()


@pytest.mark.parametrize(
    ("field", "value"),
    [("#lr", "0"), ("#lr", "-1"), ("#steps", "2.5"), ("#steps", "0"), ("#n", "1"), ("#seed", "-2")],
)
def test_bad_values_are_shown_and_kept_out_of_the_link(page, live_server, field, value):
    open_page(page, f"{live_server.url}/?anim=0&lr=0.003")
    before = page.url
    page.fill(field, value)
    page.press(field, "Enter")
    error = page.locator("#form-error")
    error.wait_for(state="visible", timeout=5_000)
    assert "not applied" in error.inner_text()
    assert page.get_attribute(field, "aria-invalid") == "true"
    page.wait_for_timeout(300)
    assert page.url == before and page.evaluate("document.body.dataset.runs") == "1"
    page.fill(field, {"#lr": "0.004", "#steps": "20", "#n": "40", "#seed": "2"}[field])
    page.press(field, "Enter")
    wait_runs(page, 2)
    assert error.is_hidden() and page.get_attribute(field, "aria-invalid") is None


def test_one_weight_draws_its_loss_curve_and_the_path_on_it(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&nob=1&lr=0.001")
    curve = page.evaluate("document.getElementById('landscape-plot').data[0]")
    assert len(curve["x"]) == 121 and all(math.isfinite(v) for v in curve["y"])
    assert min(curve["y"]) >= shown(page, "loss-now") * 0.999 - 1  # a parabola above the floor
    path = page.evaluate("document.getElementById('landscape-plot').data[1]")
    assert len(path["x"]) == 51
    record = api_record(live_server, {"intercept": False, "lr": 0.001})
    assert path["x"][-1] == record["weights"][0]
    assert path["y"][-1] == pytest.approx(record["losses"][-1], rel=1e-9)
    area = page.locator("#landscape-plot .nsewdrag").bounding_box()
    page.mouse.click(area["x"] + 0.25 * area["width"], area["y"] + 0.5 * area["height"])
    wait_runs(page, 2)
    start = float(query(page)["init"][0])
    low, high = curve["x"][0], curve["x"][-1]
    assert start == pytest.approx(low + 0.25 * (high - low), abs=0.01 * (high - low))


@pytest.mark.parametrize("url", ["?anim=0&lr=0.5&steps=5000&opt=momentum", "?anim=0&lr=0.05"])
def test_a_diverged_run_keeps_its_loss_axis_readable(page, live_server, url):
    open_page(page, f"{live_server.url}/{url}")  # the fixture fails on any console error
    assert "diverged" in page.locator("#loss-now").get_attribute("class")
    labels = page.locator("#loss-plot .ytick text").count()
    assert 2 <= labels <= 10
    losses = json.loads(
        page.evaluate("JSON.stringify(document.getElementById('loss-plot').data[0].y)")
    )
    finite = [v for v in losses if v is not None]
    assert math.log10(max(finite)) - math.log10(min(finite)) > 15  # many decades, few labels


def test_a_link_to_a_dropped_upload_comes_back_with_its_columns_and_start(
    browser, page_errors, tmp_path: Path
):
    from gdlab.web import Settings
    from tests.web.conftest import LiveServer

    page_errors.http_4xx_expected = True
    rng = np.random.default_rng(4)
    u, v = rng.normal(size=40).tolist(), rng.normal(size=40).tolist()
    lines = ["u,v,t"] + [f"{a!r},{b!r},{1 + 2 * a - b!r}" for a, b in zip(u, v, strict=True)]
    (tmp_path / "two.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "other.csv").write_text("p,q\n1,2\n2,3\n3,5\n")
    with LiveServer(Settings(port=0, upload_cache_entries=1)) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        open_page(page, f"{server.url}/?anim=0&lr=0.01&steps=80")
        page.set_input_files("#file", str(tmp_path / "two.csv"))
        wait_runs(page, 2)
        page.check("#x-columns input[value=v]")
        wait_runs(page, 3)
        for i, value in enumerate(["0.5", "-1", "2"]):
            page.fill(f"#init-{i}", value)
            page.press(f"#init-{i}", "Enter")
            wait_runs(page, 4 + i)
        link = page.url
        weights = [shown(page, f"w-{i}") for i in range(3)]
        page.set_input_files(
            "#file", str(tmp_path / "other.csv")
        )  # the server keeps one: two.csv goes
        wait_runs(page, 7)

        again = context.new_page()
        again.goto(link)
        again.locator("body[data-status=error]").wait_for(timeout=10_000)
        assert "no longer on this server" in again.inner_text("#message")
        assert "Upload two.csv again" in again.inner_text("#message")
        again.set_input_files("#file", str(tmp_path / "two.csv"))
        wait_runs(again, 1)
        assert again.url == link  # the same file gets the same id: the old link works again
        assert [shown(again, f"w-{i}") for i in range(3)] == weights
        assert "columns and start are back" in again.inner_text("#upload-info")
        context.close()
    with LiveServer(Settings(port=0)) as restarted:  # a new server: a new id, the same run
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(link.replace(urlparse(link).netloc, urlparse(restarted.url).netloc))
        page.locator("body[data-status=error]").wait_for(timeout=10_000)
        page.set_input_files("#file", str(tmp_path / "two.csv"))
        wait_runs(page, 1)
        moved = query(page)
        assert moved["x"] == ["u,v"] and moved["y"] == ["t"] and moved["init"] == ["0.5,-1,2"]
        assert [shown(page, f"w-{i}") for i in range(3)] == weights
        context.close()
