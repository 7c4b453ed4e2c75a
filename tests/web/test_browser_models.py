"""The playground's model block (L1, polynomial degree): it trains what the API trains,
keeps its values in the link, and names them in the command line."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import api_record, open_page, wait_runs, weights_shown

pytest.importorskip("formulaic")


def test_the_model_block_trains_the_polynomial_lasso_and_keeps_it_in_the_link(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&l1=5&deg=3")
    assert page.input_value("#opt-l1") == "5" and page.input_value("#opt-degree") == "3"
    assert page.locator("#model-heading").text_content() == "Model: L1 and polynomial degree"
    record = api_record(live_server, {"lr": 0.002, "l1": 5, "degree": 3})
    assert weights_shown(page) == record["weights"][:2]
    command = page.locator("#command").inner_text()
    assert "--degree 3" in command and "--l1 5" in command
    screenshot(page, "model-block")
    page.fill("#opt-degree", "2")
    page.dispatch_event("#opt-degree", "change")
    wait_runs(page, 2)
    query = parse_qs(urlparse(page.url).query)
    assert query["deg"] == ["2"] and query["l1"] == ["5"]
    record = api_record(live_server, {"lr": 0.002, "l1": 5, "degree": 2})
    assert weights_shown(page) == record["weights"][:2]
