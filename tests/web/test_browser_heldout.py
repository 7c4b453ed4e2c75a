"""The playground's held-out split (issue 19, item 5, with issue 15's `validation`), driven in
Chromium: a share of the rows held out, drawn hollow, and their loss after each step drawn as
a test-loss curve on its own axis beside the training loss, in English and Korean."""

from __future__ import annotations

import gdlab
from tests.web.conftest import screenshot, serious_violations
from tests.web.test_browser import api_record, open_page, shown, wait_runs
from tests.web.test_browser_teach import query, wait_for_trace

HELD = "held-out loss (right axis)"
AXES = """(id) => document.getElementById(id).data.map((trace) => ({
  name: trace.name, yaxis: trace.yaxis || "y", symbols: (trace.marker || {}).symbol }))"""


def test_the_held_out_loss_is_drawn_beside_the_training_loss(page, live_server, axe_source):
    open_page(page, f"{live_server.url}/?anim=0&val=0.2&steps=40")
    record = api_record(live_server, {"validation": 0.2, "steps": 40})
    expected = gdlab.fit(gdlab.seed_dataset(0), validation=0.2, steps=40, lr=0.002, seed=0)
    assert record["validation_losses"] == expected.validation_losses
    assert [shown(page, "w-0"), shown(page, "w-1")] == record["weights"]
    curve = wait_for_trace(page, "loss-plot", HELD)
    assert curve["x"] == list(range(1, 41)) and curve["y"] == record["validation_losses"]
    training = wait_for_trace(page, "loss-plot", "loss")
    assert training["y"][1:] == record["losses"]  # the training loss, on the other rows
    axes = {trace["name"]: trace["yaxis"] for trace in page.evaluate(AXES, "loss-plot")}
    assert axes[HELD] == "y2" and axes["loss"] == "y"  # sums over different rows: two axes
    title = page.evaluate("document.getElementById('loss-plot').layout.yaxis2.title.text")
    assert title == "held-out loss"
    held = record["data"]["held_out_rows"]
    points = {t["name"]: t for t in page.evaluate(AXES, "data-plot")}
    assert points["data"]["symbols"].count("circle-open") == held  # drawn hollow
    hint = page.locator("#held-out-hint").inner_text()
    best = min(range(40), key=lambda k: record["validation_losses"][k]) + 1
    assert f"{held} rows held out" in hint and f"the other {50 - held}" in hint
    assert f"after step {best}" in hint
    assert "--validation 0.2 " in page.locator("#command").inner_text() + " "
    assert serious_violations(page, axe_source) == []
    screenshot(page, "web-held-out")

    # Another share: the link keeps it, and the run is the library's.
    page.fill("#validation", "0.5")
    page.locator("#validation").dispatch_event("change")
    wait_runs(page, 2)
    link = query(page)
    assert link["val"] == ["0.5"] and link["lr"] == ["auto"]  # the rows trained changed
    again = gdlab.fit(gdlab.seed_dataset(0), validation=0.5, steps=40, lr="auto", seed=0)
    curve = wait_for_trace(page, "loss-plot", HELD)
    assert curve["y"] == again.validation_losses
    # None again: no held-out curve, every point trains.
    page.fill("#validation", "")
    page.locator("#validation").dispatch_event("change")
    wait_runs(page, 3)
    assert "val" not in query(page)
    assert HELD not in {t["name"] for t in page.evaluate(AXES, "loss-plot")}
    assert "Hold out a share" in page.locator("#held-out-hint").inner_text()


def test_a_bad_share_is_shown_and_kept_out_of_the_link(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&val=1.5")  # a bad link: no split
    assert "val" not in query(page)
    page.fill("#validation", "1.5")
    page.locator("#validation").dispatch_event("change")
    assert "held-out share" in page.locator("#form-error").inner_text()
    assert page.locator("#validation").get_attribute("aria-invalid") == "true"
    assert "val" not in query(page)


def test_the_held_out_split_speaks_korean(page, live_server, axe_source):
    open_page(page, f"{live_server.url}/?anim=0&lang=ko&val=0.2")
    assert page.locator("#held-out-heading").inner_text() == "검증용 데이터"
    assert page.locator("#held-out-group label").inner_text().startswith("떼어 둘 비율")
    assert "떼어 두었습니다" in page.locator("#held-out-hint").inner_text()
    wait_for_trace(page, "loss-plot", "검증 손실 (오른쪽 축)")
    title = page.evaluate("document.getElementById('loss-plot').layout.yaxis2.title.text")
    assert title == "검증 손실"
    assert serious_violations(page, axe_source) == []
