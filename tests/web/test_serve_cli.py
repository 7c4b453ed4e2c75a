"""`gdlab serve`: binds loopback by default, reports a busy port in one line, starts fast."""

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
    assert Settings(host="0.0.0.0").allowed_hosts() == ["*"]
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


def test_a_host_other_than_loopback_warns_of_the_risk(monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    code, out, err = run_cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert code == 0 and out.startswith("gdlab playground at http://127.0.0.1:")
    assert err.startswith("warning: listening on 0.0.0.0: anyone who can reach this machine")
    code, _, err = run_cli("serve", "--port", "0")
    assert code == 0 and "warning" not in err
