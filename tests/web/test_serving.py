"""Serving the playground safely and cheaply: cross-site requests refused, assets gzipped."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gdlab.web import create_app
from gdlab.web.routes.page import plotly_js
from tests.web.conftest import client_with
from tests.web.conftest import test_settings as web_settings
from tests.web.test_uploads import good_csv, upload

OWN = "http://testserver"


def state_changing_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the API that is not a plain read, with sample path values."""
    schema = TestClient(create_app(web_settings())).get("/api/openapi.json").json()
    return [
        (method.upper(), path.replace("{run_id}", "A" * 22))
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() not in {"GET", "HEAD", "OPTIONS"}
    ]


ROUTES = state_changing_routes()


def test_the_api_has_the_state_changing_routes_the_guard_must_cover():
    paths = {path for _, path in ROUTES}
    for path in ("/api/train", "/api/train/stream", "/api/prepare", "/api/uploads"):
        assert path in paths
    assert any(path.endswith("/pause") for path in paths)


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://attacker.example"},
        {"origin": "null"},
        {"origin": "http://testserver:8001"},  # another port is another origin
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"sec-fetch-site": "cross-site", "origin": OWN},
    ],
    ids=["other-host", "null", "other-port", "cross-site", "same-site", "forged-origin"],
)
def test_every_state_changing_endpoint_refuses_other_sites(client, method, path, headers):
    response = client.request(method, path, json={}, headers=headers)
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert detail.startswith("cross-site request refused") and "\n" not in detail
    assert "content-security-policy" in response.headers


def test_the_page_own_requests_and_plain_clients_pass(client):
    own = {"origin": OWN, "sec-fetch-site": "same-origin"}
    assert client.post("/api/train", json={}, headers=own).status_code == 200
    same = {"sec-fetch-site": "same-origin"}
    assert client.post("/api/prepare", json={}, headers=same).status_code == 200
    assert client.post("/api/train", json={}).status_code == 200  # curl, scripts: no headers
    assert client.post("/api/train", json={}, headers={"sec-fetch-site": "none"}).status_code == 200
    summary = upload(client, good_csv())
    assert summary.status_code == 201
    response = client.post(
        "/api/uploads",
        files={"file": ("p.csv", good_csv(), "text/csv")},
        headers={"origin": "http://attacker.example"},
    )
    assert response.status_code == 403


def test_reading_stays_open_to_any_origin_without_sharing_the_answer(client):
    response = client.get("/api/meta", headers={"origin": "http://attacker.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers  # the browser hides it


def test_plotly_is_sent_gzipped_and_unchanged(client):
    raw = plotly_js().read_bytes()
    response = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < 0.4 * len(raw)
    assert response.content == raw  # the client undoes the gzip
    again = client.get("/vendor/plotly.min.js", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and not again.content
    plain = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw


@pytest.mark.parametrize(
    "path", ["/", "/static/style.css", "/static/js/main.js", "/api/openapi.json"]
)
def test_pages_scripts_and_styles_are_gzipped(client, path):
    response = client.get(path, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == "gzip"


def test_live_streams_are_never_buffered_by_compression(client):
    body = {"steps": 5, "duration": 0}
    headers = {"accept-encoding": "gzip"}
    with client.stream("POST", "/api/train/stream", json=body, headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers


def test_meta_is_made_once_then_sent_from_memory(monkeypatch):
    from gdlab.web.routes import meta as meta_route

    calls = []
    original = meta_route.Meta

    def counting(**fields):
        calls.append(1)
        return original(**fields)

    monkeypatch.setattr(meta_route, "Meta", counting)
    with client_with() as client:
        first = client.get("/api/meta")
        again = client.get("/api/meta", headers={"accept-encoding": "gzip"})
        assert first.json() == again.json() and again.headers == first.headers
        assert client.head("/api/meta").status_code == 200
        assert len(calls) == 1
        assert client.get("/api/meta?x=1").status_code == 200 and len(calls) == 2


def test_the_server_gives_memory_back_when_the_last_run_ends(monkeypatch):
    from gdlab.web import memory, runs

    trims = []
    monkeypatch.setattr(runs, "give_back_memory", lambda: trims.append(1) or True)
    registry = runs.RunRegistry(limit=2)
    first, second = registry.start(), registry.start()
    registry.finish(first)
    assert trims == []  # a run still goes on
    registry.finish(second)
    assert trims == [1]
    if memory.glibc() is not None:
        assert memory.keep_memory_returnable()
        memory._last_trim = 0.0
        assert memory.give_back_memory() and not memory.give_back_memory()  # once a second
