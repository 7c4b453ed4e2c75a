"""Live training over server-sent events against a real uvicorn: steps, Stop, limits."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx2
import numpy as np
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
        name, setup = next(events(response))
        # by its id: the session's one server may hold other tests' runs, ending meanwhile
        assert name == "setup" and live_server.state.runs.find(setup["run_id"]) is not None
    deadline = time.monotonic() + 5
    while live_server.state.runs.find(setup["run_id"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_server.state.runs.find(setup["run_id"]) is None


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
    first.stop.admit()
    threading.Timer(0.2, registry.finish, args=(first,)).start()
    started = time.monotonic()
    second = registry.start()  # registering never blocks; the wait is for the slot
    assert time.monotonic() - started < 0.1
    second.stop.admit()
    assert 0.15 < time.monotonic() - started < 4.0 and len(registry) == 1
    registry.finish(second)


def test_the_registry_counts_and_frees_slots():
    registry = RunRegistry(limit=1)
    with registry.running() as live:
        assert len(registry) == 1 and registry.stop(live.id)
        with pytest.raises(gdlab.GdlabError, match="already training 1 runs"):
            registry.start()
    assert len(registry) == 0 and not registry.stop(live.id)


def zigzag_rows(steps: int) -> tuple[list[list], gdlab.Run, np.ndarray]:
    """A long plain-GD run just under the bound (it zig-zags for thousands of steps), thinned;
    also the steepest direction of its loss, along which it zig-zags."""
    data = gdlab.seed_dataset(0, 50, 1.0)
    design = np.column_stack([np.ones(data.n_rows), data.features[:, 0]])
    steepest = np.linalg.eigh(design.T @ design)[1][:, -1]
    bound = gdlab.fit(data, lr=1e-3, steps=1).analysis.lr_max_stable
    run = gdlab.fit(data, lr=0.999 * bound, steps=steps, init=[0.05, 0.1])
    sent: list[list] = []
    feed = StepFeed(steps, threading.Event(), 60, emit=sent.extend)
    for step in range(1, steps + 1):
        feed(step, run.losses[step - 1], run.path[step])
    feed.finish()
    return sent, run, steepest


def test_long_runs_keep_their_first_steps_and_every_visible_turn():
    sent, run, steepest = zigzag_rows(12_000)
    steps = [row[0] for row in sent]
    assert steps == sorted(set(steps)) and len(steps) <= MAX_STREAMED_STEPS
    assert steps[:500] == list(range(1, 501)) and steps[-1] == 12_000
    for row in sent:  # every row is a step GD took, exactly
        assert row[1] == run.losses[row[0] - 1] and row[2:] == run.path[row[0]].tolist()
    # Across the valley the path swings from one side to the other at every step; the kept
    # rows still do (every 20th step, as before, would all lie on one side of it).
    optimum = run.analysis.optimum_weights
    across = lambda w: np.sign((np.asarray(w) - optimum) @ steepest)  # noqa: E731
    sides = np.array([across(row[2:]) for row in sent if 500 < row[0] <= 3000])
    assert len(sides) > 1000 and np.mean(sides[1:] != sides[:-1]) > 0.99
    every_twentieth = np.array([across(w) for w in run.path[520:3001:20]])
    assert np.all(every_twentieth == every_twentieth[0])


def test_long_smooth_runs_are_log_spaced():
    data = gdlab.seed_dataset(0, 50, 1.0)
    run = gdlab.fit(data, lr=0.002, steps=20_000)
    sent: list[list] = []
    feed = StepFeed(20_000, threading.Event(), 60, emit=sent.extend)
    for step in range(1, 20_001):
        feed(step, run.losses[step - 1], run.path[step])
    feed.finish()
    steps = np.array([row[0] for row in sent])
    assert len(steps) <= MAX_STREAMED_STEPS and steps[-1] == 20_000
    for decade in (1_000, 10_000):  # every decade of steps holds some of them
        assert np.count_nonzero((steps > decade) & (steps <= 2 * decade)) >= 50


def reader(response: httpx2.Response, into: list) -> threading.Thread:
    """Read a stream's events into a list, in a thread."""
    thread = threading.Thread(target=lambda: into.extend(events(response)), daemon=True)
    thread.start()
    return thread


def rows_so_far(received: list) -> int:
    return sum(len(payload["steps"]) for name, payload in list(received) if name == "steps")


def test_a_paused_run_holds_then_continues_or_stops(live_server):
    body = {"steps": 3000, "duration": 30}
    with (
        httpx2.Client(timeout=30) as client,
        client.stream("POST", f"{live_server.url}/api/train/stream", json=body) as response,
    ):
        received: list = []
        thread = reader(response, received)
        deadline = time.monotonic() + 10
        while rows_so_far(received) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        run_id = received[0][1]["run_id"]
        assert client.post(f"{live_server.url}/api/runs/{run_id}/pause").status_code == 204
        time.sleep(0.4)
        held = rows_so_far(received)
        time.sleep(0.8)
        assert rows_so_far(received) == held  # nothing moves while paused
        assert client.post(f"{live_server.url}/api/runs/{run_id}/resume").status_code == 204
        deadline = time.monotonic() + 10
        while rows_so_far(received) <= held and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rows_so_far(received) > held
        assert client.post(f"{live_server.url}/api/runs/{run_id}/pause").status_code == 204
        assert client.post(f"{live_server.url}/api/runs/{run_id}/stop").status_code == 204
        thread.join(timeout=10)
    name, done = received[-1]
    assert name == "done" and done["record"]["stop_reason"] == "stopped"
    assert done["message"].startswith("stopped by you after")
    rows = [row for name, payload in received if name == "steps" for row in payload["steps"]]
    assert rows[-1][0] == len(done["record"]["losses"])  # the page ends on the last step taken
    gone = httpx2.post(f"{live_server.url}/api/runs/{run_id}/resume")
    assert gone.status_code == 404 and "no such run" in gone.json()["detail"]


def test_a_forgotten_pause_ends_at_the_time_limit():
    from gdlab.web.runs import RunControl

    control = RunControl()
    sent: list[list] = []
    feed = StepFeed(100, control, 0.3, emit=sent.extend)
    assert feed(1, 2.0, [0.0, 1.0]) is False
    control.pause()
    started = time.monotonic()
    assert feed(2, 1.0, [0.5, 1.0]) is True and feed.timed_out
    assert 0.2 < time.monotonic() - started < 5
    assert [row[0] for row in sent] == [1, 2]  # the step it paused on was shown


def test_queued_streams_hold_no_request_thread():
    settings = Settings(port=0, max_concurrent_runs=1, queue_seconds=30)
    with LiveServer(settings) as server, httpx2.Client(timeout=30) as client:
        opened, readers = [], []  # keep the readers: dropping one closes its stream
        try:
            for _ in range(4):  # one trains, three wait for its slot
                body = {"steps": 2000, "duration": 20}
                stream = client.stream("POST", f"{server.url}/api/train/stream", json=body)
                opened.append(stream)
                readers.append(events(stream.__enter__()))
                name, _ = next(readers[-1])  # each got its setup: none blocked
                assert name == "setup"
            assert len(server.state.runs) == 4
            meta = httpx2.get(f"{server.url}/api/meta", timeout=10)
            assert meta.status_code == 200
        finally:
            for stream in opened:
                stream.__exit__(None, None, None)


def test_a_full_queue_is_refused_at_once():
    registry = RunRegistry(limit=1, wait=10.0, queue=1)
    first = registry.start()
    first.stop.admit()
    second = registry.start()  # waits in the queue
    with pytest.raises(gdlab.GdlabError, match="already training 1 runs"):
        registry.start()
    registry.finish(first)
    second.stop.admit()
    registry.finish(second)
