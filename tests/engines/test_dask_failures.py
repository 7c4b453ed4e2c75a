"""Dask fails cleanly and in time: every problem with a scheduler is one line, in seconds.

The servers are fakes on 127.0.0.1 (one that accepts and never answers, an HTTP server)
and real in-process clusters from a fixture, whose workers or scheduler are taken away
while a (slowed) pass runs. Every case must end well under 30 s, with exactly one line on
stderr naming the address: exit 2 for an address that leads to no scheduler, exit 1 for
a cluster that died mid-run. `distributed`'s own logs stay off stderr unless --verbose.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from gdlab.onepass import cluster as cluster_module
from gdlab.onepass import dask as dask_module
from tests.conftest import run_cli, write_table

distributed = pytest.importorskip("distributed")

#: Every failure must end within this (the issue's bound).
LIMIT_SECONDS = 30


@pytest.fixture
def quick(monkeypatch):
    """Short connection and worker-loss timeouts, so each case takes a few seconds."""
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 1.0)
    monkeypatch.setattr(cluster_module, "HANDSHAKE_SECONDS", 1.0)
    monkeypatch.setattr(cluster_module, "WORKERLESS_SECONDS", 1.5)
    monkeypatch.setattr(cluster_module, "POLL_SECONDS", 0.2)


@pytest.fixture
def data_file(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    return write_table(tmp_path / "d.csv", {"x": x, "y": 2 * x + 1 + rng.normal(size=400)})


@pytest.fixture
def silent_server():
    """A TCP server on loopback that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for connection in accepted:
        connection.close()


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test's stderr clean
        pass


@pytest.fixture
def http_server():
    """An HTTP server on loopback: it answers, but not as Dask."""
    server = HTTPServer(("127.0.0.1", 0), QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


def timed_fit(data_file, *extra: str) -> tuple[int, str, str, float]:
    start = time.monotonic()
    code, out, err = run_cli("fit", str(data_file), "--x", "x", "--y", "y", *extra)
    return code, out, err, time.monotonic() - start


def assert_one_line(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdlab: "), err
    assert "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


@pytest.mark.parametrize(
    ("server", "what"),
    [
        ("silent_server", "accepts connections but gave no Dask handshake"),
        ("http_server", "no Dask"),
        (None, "no Dask scheduler reachable there"),
    ],
    ids=["silent", "http", "closed-port"],
)
def test_addresses_that_lead_to_no_scheduler_fail_in_seconds(
    quick, data_file, request, server, what
):
    address = request.getfixturevalue(server) if server else closed_port()
    code, out, err, seconds = timed_fit(data_file, "--scheduler", address)
    assert code == 2 and out == ""
    assert_one_line(err, f"--scheduler {address}:", what)
    assert seconds < LIMIT_SECONDS


@pytest.mark.parametrize(
    ("address", "what"),
    [
        ("tls://127.0.0.1:9", "needs TLS certificates"),
        ("ucx://127.0.0.1:9", "needs the ucx-py package"),
        ("inproc://nowhere", "no Dask scheduler runs in this process"),
        ("nonsense://", "not a Dask address"),
    ],
)
def test_addresses_gdlab_cannot_use_say_why_at_once(quick, data_file, address, what):
    code, _, err, seconds = timed_fit(data_file, "--scheduler", address)
    assert code == 2
    assert_one_line(err, f"--scheduler {address}:", what)
    assert seconds < LIMIT_SECONDS


@pytest.fixture
def fragile_cluster():
    """A two-worker in-process cluster of its own, to be broken by the test."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
        silence_logs=False,
    )
    yield cluster
    with contextlib.suppress(Exception):  # its scheduler may be gone already
        cluster.close(timeout=5)


#: Set once the first block of a slowed pass runs on a worker (in-process workers).
STARTED = threading.Event()
ORIGINAL_PIECE = dask_module.block_piece


def slow_piece(*args, **kwargs):
    """`block_piece`, half a second slower (a module-level function: tasks name it)."""
    STARTED.set()
    time.sleep(0.5)
    return ORIGINAL_PIECE(*args, **kwargs)


@pytest.fixture
def pass_started(monkeypatch):
    """Each block of the pass takes a while, so the cluster can fail in the middle."""
    STARTED.clear()
    monkeypatch.setattr(dask_module, "block_piece", slow_piece)
    return STARTED


def once_started(started: threading.Event, breaking) -> None:
    """Break the cluster (in a thread) once the pass is running."""

    def wait_then_break() -> None:
        if started.wait(LIMIT_SECONDS):
            breaking()

    threading.Thread(target=wait_then_break, daemon=True).start()


def many_blocks(tmp_path) -> object:
    """A Parquet file of many row groups: many blocks, so the pass lasts seconds."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=4000)
    columns = {"x": x, "y": 3 * x + rng.normal(size=4000)}
    return write_table(tmp_path / "many.parquet", columns, row_group_size=100)


def test_workers_lost_mid_pass_end_the_run_with_one_line(
    quick, pass_started, fragile_cluster, tmp_path
):
    path = many_blocks(tmp_path)
    address = fragile_cluster.scheduler_address
    once_started(pass_started, lambda: fragile_cluster.scale(0))
    code, out, err, seconds = timed_fit(path, "--engine", "dask", "--scheduler", address)
    assert code == 1 and out == "", err
    assert_one_line(err, f"the Dask cluster at {address}", "no workers")
    assert seconds < LIMIT_SECONDS


def test_a_scheduler_killed_mid_pass_ends_the_run_with_one_line(
    quick, pass_started, fragile_cluster, tmp_path
):
    path = many_blocks(tmp_path)
    address = fragile_cluster.scheduler_address
    once_started(pass_started, lambda: fragile_cluster.sync(fragile_cluster.scheduler.close))
    code, out, err, seconds = timed_fit(path, "--engine", "dask", "--scheduler", address)
    assert code == 1 and out == "", err
    assert_one_line(err, f"the Dask cluster at {address}")
    assert seconds < LIMIT_SECONDS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x,y\n1,2\n2,oops\n3,4\n", "not numeric"),
        ("x,y\n1,2\n2,1e200\n3,4\n", "too large"),
        ("x,y\n1,2\n2,\n3,4\n", "missing value"),
    ],
    ids=["text", "huge", "missing"],
)
def test_bad_data_on_the_workers_is_one_line_without_dask_logs(
    dask_client, tmp_path, content, message
):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    args = ("--engine", "dask", "--scheduler", dask_client.scheduler.address)
    code, out, err, _ = timed_fit(path, *args)
    assert code == 2 and out == ""
    assert_one_line(err, message)


VERBOSE_SCRIPT = """
import sys, distributed
from gdlab.cli import main
if __name__ == "__main__":
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    args = ["fit", "bad.csv", "--x", "x", "--y", "y", "--engine", "dask",
            "--scheduler", cluster.scheduler_address]
    code = main([*args, *sys.argv[1:]])
    cluster.close()
    sys.exit(code)
"""


@pytest.mark.parametrize("verbose", [False, True])
def test_distributeds_logs_reach_stderr_only_with_verbose(tmp_path, verbose):
    """A task that fails on a worker makes distributed log "Compute Failed" with its
    traceback: kept back, unless --verbose asks for it."""
    import subprocess
    import sys

    (tmp_path / "bad.csv").write_text("x,y\n1,2\n2,oops\n3,4\n")
    (tmp_path / "run.py").write_text(VERBOSE_SCRIPT)
    flags = ["--verbose"] if verbose else []
    result = subprocess.run(
        [sys.executable, "run.py", *flags], cwd=tmp_path, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("gdlab: bad.csv: column 'y'")
    assert ("distributed.worker - ERROR - Compute Failed" in result.stderr) == verbose
    if not verbose:
        assert len(result.stderr.splitlines()) == 1, result.stderr
