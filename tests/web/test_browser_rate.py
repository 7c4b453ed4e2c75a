"""The rate follows the data (issue 18, item 2), driven in Chromium.

A new upload, loss, optimizer or standardisation picks the rate with the `auto` rule of
`gdlab fit` unless the user set one, and the bound, κ, marks, landscape and hints describe
the coordinates the run trains in (standardised or not).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

import gdlab
from tests.web.conftest import screenshot
from tests.web.test_browser import api_record, open_page, shown, wait_runs


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def big_scale_csv(tmp_path: Path) -> Path:
    """Areas in m² (hundreds): a bound hundreds of times below the seed's 0.006."""
    rng = np.random.default_rng(3)
    area = rng.uniform(40, 160, size=80)
    price = 20 + 3 * area + rng.normal(0, 10, size=80)
    path = tmp_path / "flats.csv"
    rows = [f"{a!r},{p!r}" for a, p in zip(area.tolist(), price.tolist(), strict=True)]
    path.write_text("area,price\n" + "\n".join(rows) + "\n")
    return path


def box_rate(page) -> float:
    return float(page.locator("#lr").input_value())


def test_an_upload_picks_the_auto_rate_of_gdlab_fit(page, live_server, tmp_path):
    path = big_scale_csv(tmp_path)
    open_page(page, f"{live_server.url}/?anim=0&steps=100")
    assert shown(page, "bound") > 1e-3  # the seed's bound, 0.006
    page.set_input_files("#file", str(path))
    wait_runs(page, 2)
    expected = gdlab.fit(gdlab.read_table(path, ["area"], "price"), lr="auto", steps=100)
    assert query(page)["lr"] == ["auto"]
    assert box_rate(page) == pytest.approx(expected.config.lr, rel=1e-5)
    assert "(auto)" in page.locator("#lr-value").inner_text()
    assert shown(page, "bound") == pytest.approx(expected.analysis.lr_max_stable, rel=1e-12)
    assert page.evaluate("document.getElementById('weights').querySelector('#w-1').dataset.value")
    assert [shown(page, "w-0"), shown(page, "w-1")] == expected.weights.tolist()
    assert "auto" in page.locator("#data-hint").inner_text()
    assert "diverged" not in page.locator("#message").inner_text()
    screenshot(page, "web-rate-follows-upload")


def test_a_new_loss_or_optimizer_repicks_the_rate_but_a_chosen_one_stays(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0")
    page.select_option("#loss", "mse")
    wait_runs(page, 2)
    mse = gdlab.fit(gdlab.seed_dataset(0), loss="mse", lr="auto", seed=0)
    assert query(page)["lr"] == ["auto"] and box_rate(page) == pytest.approx(
        mse.config.lr, rel=1e-5
    )
    page.select_option("#optimizer", "momentum")
    wait_runs(page, 3)
    heavy = gdlab.fit(gdlab.seed_dataset(0), loss="mse", optimizer="momentum", lr="auto", seed=0)
    assert box_rate(page) == pytest.approx(heavy.config.lr, rel=1e-5)
    page.fill("#lr", "0.05")
    page.locator("#lr").dispatch_event("change")
    wait_runs(page, 4)
    page.select_option("#loss", "l2")
    wait_runs(page, 5)
    assert query(page)["lr"] == ["0.05"] and box_rate(page) == 0.05
    assert "(auto)" not in page.locator("#lr-value").inner_text()


def test_standardising_shows_the_standardised_problem(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&steps=30")
    raw_bound = shown(page, "bound")
    page.locator("#more-options summary").click()
    page.check("#opt-standardize")
    wait_runs(page, 2)
    body = {"standardize": True, "lr": "auto", "steps": 30}
    record = api_record(live_server, body)
    run = gdlab.fit(gdlab.seed_dataset(0), standardize=True, lr="auto", steps=30, seed=0)
    assert record["config"]["lr"] == run.config.lr == pytest.approx(box_rate(page), rel=1e-5)
    # The bound and κ are those of the standardised coordinates, not the raw data's.
    assert shown(page, "bound") == pytest.approx(run.analysis.lr_max_stable, rel=1e-12)
    assert shown(page, "bound") > 3 * raw_bound
    kappa = run.analysis.condition_number
    assert "standardised" in page.locator("#data-hint").inner_text()
    assert f"{kappa:.3g}"[:3] in page.locator("#data-hint").inner_text()
    # The landscape is drawn in v = M⁻¹w: its axes are b′, a′ and its path starts at v₀.
    layout = page.evaluate(
        "(() => { const p = document.getElementById('landscape-plot');"
        " return [p.layout.xaxis.title.text, p.layout.yaxis.title.text,"
        " p.data.find((t) => t.name === 'start w₀').x[0]]; })()"
    )
    assert layout[:2] == ["b′", "a′"]
    M = run.problem.natural_scaling.to_original()
    v0 = np.linalg.solve(M, np.asarray(run.init))
    assert layout[2] == pytest.approx(v0[0], rel=1e-9)
    # The cards' optimum is w* in the data's units, as the weights beside it.
    slope_optimum = float(run.analysis.optimum_weights[1])
    assert f"{slope_optimum:.5g}" in page.locator("#w-1 .sub").inner_text()
    # The run on the page is that run, and its weights are reported in the data's units.
    assert [shown(page, "w-0"), shown(page, "w-1")] == pytest.approx(run.weights.tolist())
    assert (
        page.locator("#message").is_hidden() or "Huber" not in page.locator("#message").inner_text()
    )
    screenshot(page, "web-standardised")
