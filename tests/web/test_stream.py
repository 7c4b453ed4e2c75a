"""Live training over server-sent events against a real uvicorn: steps, Stop, limits."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx2
import pytest

import gdlab
from gdlab.web.runs import MAX_STREAMED_STEPS, RunRegistry, StepFeed
from gdlab.web.settings import Settings
from tests.web.conftest import LiveServer


def events(response: httpx2.Response) -> Iterator[tuple[str, dict]]:
    """Parse a text/event-stream response into (event, payload) pairs."""
    name, data = "message", []
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


def stream(url: str, body: dict) -> list[tuple[str, dict]]:
    with (
        httpx2.Client(timeout=30) as client,
        client.stream("POST", f"{url}/api/train/stream", json=body) as response,
    ):
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(events(response))


def test_a_streamed_run_sends_setup_every_step_and_the_record(live_server):
    received = stream(live_server.url, {"steps": 60, "duration": 0})
    names = [name for name, _ in received]
    assert names[0] == "setup" and names[-1] == "done" and set(names[1:-1]) == {"steps"}
    rows = [row for name, payload in received if name == "steps" for row in payload["steps"]]
    done = received[-1][1]
    demo = gdlab.demo(seed=0, steps=60)
    assert [row[0] for row in rows] == list(range(1, 61))
    assert [row[1] for row in rows] == demo.losses == done["record"]["losses"]
    assert rows[-1][2:] == demo.weights.tolist() == done["record"]["weights"]
    assert done["message"] == "" and done["landscape_matches"] is True
    assert received[0][1]["init"] == done["record"]["init"]


def test_long_runs_are_thinned_for_the_page_but_end_on_the_last_step(live_server):
    received = stream(live_server.url, {"steps": 12_000, "duration": 0, "lr": 0.001})
    rows = [row for name, payload in received if name == "steps" for row in payload["steps"]]
    assert len(rows) <= MAX_STREAMED_STEPS + 1 and rows[-1][0] == 12_000
    assert received[-1][1]["record"]["weights"] == rows[-1][2:]


def test_a_diverging_stream_ends_with_the_reason(live_server):
    done = stream(live_server.url, {"lr": 0.05, "duration": 0})[-1][1]
    assert done["record"]["stop_reason"] == "diverged"
    assert "largest stable learning rate" in done["message"]
    assert "lr=0.05" in done["message"]


def test_stop_ends_a_live_run_with_its_partial_record(live_server):
    body = {"steps": 5000, "duration": 20}
    with (
        httpx2.Client(timeout=30) as client,
        client.stream("POST", f"{live_server.url}/api/train/stream", json=body) as response,
    ):
        received = events(response)
        name, setup = next(received)
        assert name == "setup"
        name, _ = next(received)
        assert name == "steps"
        assert client.post(f"{live_server.url}/api/runs/{setup['run_id']}/stop").status_code == 204
        rest = list(received)
    done = rest[-1][1]
    assert rest[-1][0] == "done" and done["record"]["stop_reason"] == "stopped"
    assert 0 < len(done["record"]["losses"]) < 5000
    assert done["message"].startswith("stopped by you after")


def test_a_client_that_leaves_stops_its_run(live_server):
    with (
        httpx2.Client(timeout=30) as client,
        client.stream(
            "POST", f"{live_server.url}/api/train/stream", json={"steps": 5000, "duration": 30}
        ) as response,
    ):
        name, _ = next(events(response))
        assert name == "setup" and len(live_server.state.runs) == 1
    deadline = time.monotonic() + 5
    while len(live_server.state.runs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(live_server.state.runs) == 0


def test_runs_beyond_the_limit_get_429_and_a_stop_reaches_only_its_run():
    with (
        LiveServer(Settings(port=0, max_concurrent_runs=1, queue_seconds=0.2)) as server,
        httpx2.Client(timeout=30) as client,
        client.stream(
            "POST", f"{server.url}/api/train/stream", json={"steps": 5000, "duration": 30}
        ) as response,
    ):
        received = events(response)  # keep it: dropping the reader closes the stream
        _, setup = next(received)
        busy = client.post(f"{server.url}/api/train", json={})
        assert busy.status_code == 429 and "try again" in busy.json()["detail"]
        other = client.post(f"{server.url}/api/runs/{'x' * 22}/stop")
        assert other.status_code == 404
        assert client.post(f"{server.url}/api/runs/{setup['run_id']}/stop").status_code == 204


def test_the_feed_paces_steps_for_the_eye():
    sent: list[list] = []
    feed = StepFeed(10, threading.Event(), 60, emit=sent.extend, duration=0.3)
    started = time.monotonic()
    for step in range(1, 11):
        assert feed(step, 1.0 / step, [0.0, 1.0]) is False
    feed.finish()
    assert time.monotonic() - started >= 0.25
    assert [row[0] for row in sent] == list(range(1, 11))


def test_the_feed_stops_at_the_time_limit_and_sends_the_last_step():
    sent: list[list] = []
    feed = StepFeed(100_000, threading.Event(), 0.0, emit=sent.extend)
    time.sleep(0.01)
    assert feed(7, 2.0, [1.0, 2.0]) is True and feed.timed_out
    feed.finish()
    assert sent == [[7, 2.0, 1.0, 2.0]]


def test_a_run_waits_for_a_slot_that_frees_within_the_queue_time():
    registry = RunRegistry(limit=1, wait=5.0)
    first = registry.start()
    threading.Timer(0.2, registry.finish, args=(first,)).start()
    started = time.monotonic()
    second = registry.start()
    assert 0.15 < time.monotonic() - started < 4.0 and len(registry) == 1
    registry.finish(second)


def test_the_registry_counts_and_frees_slots():
    registry = RunRegistry(limit=1)
    with registry.running() as live:
        assert len(registry) == 1 and registry.stop(live.id)
        with pytest.raises(gdlab.GdlabError, match="already training 1 runs"):
            registry.start()
    assert len(registry) == 0 and not registry.stop(live.id)
