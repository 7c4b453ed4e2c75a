"""`gdlab serve`: binds loopback by default, reports a busy port in one line, starts fast;
beyond loopback only with --public, the Host check still on; Ctrl-C mid-stream is quiet."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request

import pytest

from gdlab.cli.serve import bind, page_url
from gdlab.errors import ConfigError
from gdlab.web.settings import Settings
from tests.conftest import run_cli


def test_the_cli_does_not_import_the_web_stack_at_start_up():
    modules = subprocess.run(
        [sys.executable, "-c", "import sys, gdlab.cli; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for heavy in ("'fastapi'", "'uvicorn'", "'plotly'", "'starlette'", "'pydantic'"):
        assert heavy not in modules, f"{heavy} imported by the CLI at start-up"


def test_serve_runs_the_playground_on_loopback_until_stopped():
    process = subprocess.Popen(
        [sys.executable, "-m", "gdlab", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("gdlab playground at http://127.0.0.1:"), line
        url = line.split()[3]
        with urllib.request.urlopen(f"{url}api/meta", timeout=10) as answer:
            assert json.load(answer)["optimizers"][0]["name"] == "gd"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_busy_port_is_one_line_and_exit_2():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        code, _, err = run_cli("serve", "--port", str(port))
    finally:
        taken.close()
    assert code == 2 and err.count("\n") == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err


def test_bad_ports_and_hosts_are_config_errors():
    with pytest.raises(ConfigError, match="between 0 and 65535"):
        bind("127.0.0.1", 70000)
    with pytest.raises(ConfigError, match=r"cannot listen on 203\.0\.113\.9"):
        bind("203.0.113.9", 0)  # TEST-NET-3: never an address of this machine


def test_loopback_is_the_default_and_only_it_checks_host_names():
    assert Settings().host == "127.0.0.1" and Settings().is_loopback
    assert "attacker.example" not in Settings().allowed_hosts()
    assert "attacker.example" not in Settings(host="0.0.0.0").allowed_hosts()
    named = Settings(host="::", extra_allowed_hosts=("lab.example",))
    assert "lab.example" in named.allowed_hosts()
    assert page_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"
    assert page_url("::1", 8000) == "http://[::1]:8000/"


def test_open_waits_for_the_server_then_opens_the_page(monkeypatch):
    import threading
    import types
    import webbrowser

    from gdlab.cli.serve import open_when_started

    opened = threading.Event()
    urls = []
    monkeypatch.setattr(webbrowser, "open", lambda url: urls.append(url) or opened.set())
    server = types.SimpleNamespace(started=False)
    open_when_started(server, "http://127.0.0.1:8000/")
    assert not opened.wait(0.3)  # not before uvicorn is serving
    server.started = True
    assert opened.wait(5) and urls == ["http://127.0.0.1:8000/"]


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::", "192.0.2.7"])
def test_a_host_beyond_loopback_needs_public(host):
    code, out, err = run_cli("serve", "--host", host, "--port", "0")
    shown = host or "0.0.0.0"
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert f"--host {shown} listens on" in err and "add --public to mean it" in err
    if host in ("", "0.0.0.0", "::"):
        assert f"every network interface ({shown})" in err


def test_public_warns_of_the_risk_and_names_what_it_answers(monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    code, out, err = run_cli(
        "serve", "--host", "", "--public", "--allow-host", "Lab.Example", "--port", "0"
    )
    assert code == 0 and out.startswith("gdlab playground at http://127.0.0.1:"), out
    assert "http://:" not in out  # an empty host is the wildcard, reached through loopback
    assert err.startswith("warning: listening on every network interface (0.0.0.0): anyone")
    assert "lab.example" in err and "attacker" not in err
    code, _, err = run_cli("serve", "--port", "0")
    assert code == 0 and "warning" not in err


def meta_status(client, host: str) -> int:
    return client.get("/api/meta", headers={"host": host}).status_code


def test_the_host_check_stays_on_beyond_loopback():
    from fastapi.testclient import TestClient

    from gdlab.web import create_app

    public = create_app(Settings(host="0.0.0.0", extra_allowed_hosts=("lab.example",)))
    with TestClient(public) as client:
        for host in ("attacker.example", "attacker.example:8000", "127.0.0.1.evil.example"):
            assert meta_status(client, host) == 400, host  # a rebound name is refused
        answer = client.get("/api/meta", headers={"host": "attacker.example"})
        assert "unknown host name 'attacker.example'" in answer.json()["detail"]
        for host in ("lab.example", "LAB.example:80", "192.168.1.5:8000", "[fe80::1]:8000"):
            assert meta_status(client, host) == 200, host
        assert meta_status(client, "localhost:8000") == 200
    with TestClient(create_app(Settings())) as client:  # loopback: its names only
        assert meta_status(client, "192.168.1.5") == 400
        assert meta_status(client, "127.0.0.1:8000") == 200


def start_server(*flags: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gdlab", "serve", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("gdlab playground at http://127.0.0.1:"), process.stderr.read()
    return process, int(line.split(":")[-1].split("/")[0])


def test_a_public_server_refuses_a_rebound_name():
    import http.client

    process, port = start_server("--host", "0.0.0.0", "--public")
    try:
        for host, status in (("attacker.example", 400), ("127.0.0.1", 200), ("10.1.2.3", 200)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/api/meta", headers={"Host": host})
            assert connection.getresponse().status == status, host
            connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("wait", [0.2, 1.0])
def test_ctrl_c_during_a_live_stream_stops_the_server_quietly(wait):
    import http.client
    import signal
    import time

    process, port = start_server()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({"steps": 100_000, "duration": 60})
        headers = {"content-type": "application/json"}
        connection.request("POST", "/api/train/stream", body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        assert response.read1(64).startswith(b"event: setup")
        time.sleep(wait)
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        rest = response.read().decode()  # the stream ends: the server closed it in order
        _, err = process.communicate(timeout=20)
        assert time.monotonic() - started < 10
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert err == "gdlab: interrupted\n"  # no traceback, no uvicorn "Cancel … task(s)"
    last = rest.strip().split("\n\n")[-1]
    assert last.startswith("event: done")
    done = json.loads(last.split("data: ", 1)[1])
    assert done["message"].endswith("steps: the server is shutting down")
    assert done["record"]["stop_reason"] == "stopped"
