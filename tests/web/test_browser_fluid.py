"""A long run on the page: drawn from steps GD really took (its first steps, its turns), the
record keeps every loss, and the page answers clicks while a big run animates."""

from __future__ import annotations

import json
from pathlib import Path

import gdlab
from tests.web.test_browser import open_page, wait_runs, wait_until


def test_a_long_run_is_drawn_from_its_own_steps_and_the_record_keeps_every_loss(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&steps=12000&lr=0.006")  # just under the bound
    steps = page.evaluate("document.getElementById('loss-plot').data[0].x")
    losses = page.evaluate("document.getElementById('loss-plot').data[0].y")
    path = page.evaluate(
        "(() => { const p = document.getElementById('landscape-plot').data[0];"
        " return [p.x, p.y]; })()"
    )
    assert steps[:501] == list(range(501)) and steps[-1] == 12_000 and len(steps) <= 5001
    run = gdlab.demo(seed=0, lr=0.006, steps=12_000)
    assert losses[1:] == [run.losses[k - 1] for k in steps[1:]]  # each point a real step
    assert path[0][1:] == [run.path[k][0] for k in steps[1:]]
    assert path[1][1:] == [run.path[k][1] for k in steps[1:]]
    with page.expect_download() as download:
        page.click("#download-run")
    record = json.loads(Path(download.value.path()).read_text())
    assert len(record["losses"]) == 12_000 and record["losses"] == run.losses


def test_clicks_answer_while_a_big_run_animates(page, live_server):
    page.goto(f"{live_server.url}/?n=5000&steps=2000&lr=2.5e-05")
    page.locator("body[data-status=running] #step-now:not([data-value='0'])").wait_for(
        timeout=20_000
    )
    page.click("#log-loss")
    axis = "document.getElementById('loss-plot').layout.yaxis.type"
    wait_until(page, f"{axis} === 'linear'", timeout=5)
    page.click("#language")
    assert page.inner_text("#train").endswith("학습")
    assert page.evaluate("document.body.dataset.status") == "running"  # it all happened mid-run
    page.click("#stop")
    wait_runs(page, 1)
    assert page.evaluate("document.body.dataset.runs") == "1"


def test_a_big_dataset_is_drawn_and_nothing_is_blocked(page, live_server):
    open_page(page, f"{live_server.url}/?n=5000&anim=0&lr=2.5e-05")  # no CSP violation: fixture
    images = page.evaluate("document.getElementById('data-plot').layout.images")
    assert len(images) == 1 and images[0]["source"].startswith("data:image/png")
    assert "WebGL" not in page.inner_text("#data-plot")
    names = page.evaluate("document.getElementById('data-plot').data.map((t) => t.name)")
    assert names[0] == "data" and names[-1].startswith("ŷ = ")
