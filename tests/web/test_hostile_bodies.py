"""Request bodies the hostile probe sent: each is a one-line client error, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"schedule": "step:1e400:0.5"}, "EVERY must be a whole number"),
        ({"schedule": "step:inf:0.5"}, "EVERY must be a whole number"),
        ({"optimizer_options": {"lr": 1}}, "has no option lr"),
        ({"optimizer": "adam", "optimizer_options": {"lr": 1}}, "has no option lr"),
    ],
)
def test_bodies_that_reached_internal_errors_are_client_errors(client, body, fragment):
    response = client.post("/api/train", json=body)
    assert 400 <= response.status_code < 500, response.text
    detail = response.json()["detail"]
    text = detail if isinstance(detail, str) else str(detail)
    assert fragment in text and "\n" not in text
