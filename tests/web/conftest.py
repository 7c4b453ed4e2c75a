"""Fixtures for the playground: an app per test, a live uvicorn server, a headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gdlab.web import Settings, create_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
#: axe-core, installed from npm by `make browser` (part of `make test`) into a git-ignored folder.
AXE = ROOT / ".npm-test" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_settings(**limits: object) -> Settings:
    """Default settings that also answer TestClient's Host header."""
    return Settings(extra_allowed_hosts=("testserver",), **limits)  # type: ignore[arg-type]


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A TestClient over a fresh app with the default limits."""
    with TestClient(create_app(test_settings())) as test_client:
        yield test_client


def client_with(**limits: object) -> TestClient:
    """A TestClient over a fresh app with some limits changed."""
    return TestClient(create_app(test_settings(**limits)))


class LiveServer:
    """uvicorn serving a fresh app on a free loopback port, in a thread."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        self.app = create_app(settings)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()

    @property
    def state(self):
        return self.app.state.gdlab


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """One playground server for the whole session (loopback, free port)."""
    with LiveServer(Settings(port=0)) as server:
        yield server


def chromium_or_reason() -> tuple[str | None, str]:
    """The Chromium binary to drive, or why there is none."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None, "playwright is not installed (pip install -e '.[test]')"
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate, ""
    return None, "no chromium binary (`make test` installs Debian's chromium when run as root)"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium under Playwright; a skip with the reason where there is none,
    but a failure under CI=true (a CI without its browser must not pass quietly)."""
    path, reason = chromium_or_reason()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:  # each launch gets a fresh, temporary profile
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class PageErrors:
    """Console and script errors seen on a page; 4xx answers may be expected by a test."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.http_4xx_expected = False

    def unexpected(self) -> list[str]:
        """The errors a test did not ask for."""
        expected = "the server responded with a status of 4"
        return [text for text in self.seen if not (self.http_4xx_expected and expected in text)]


@pytest.fixture
def page_errors() -> PageErrors:
    """The errors of the test's page (set `http_4xx_expected` to allow 4xx answers)."""
    return PageErrors()


@pytest.fixture
def page(browser, live_server, page_errors):
    """A fresh 1280×800 page; the test fails on any console or script error it did not expect,
    and on anything the page's content security policy blocked."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    tab = context.new_page()
    tab.on("console", lambda m: page_errors.seen.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: page_errors.seen.append(f"script error: {e}"))
    # What the content security policy blocks fails silently (plotly's WebGL traces draw
    # "WebGL is not supported" when eval is refused): report every violation as an error.
    tab.expose_function("__cspViolation", lambda text: page_errors.seen.append(f"CSP: {text}"))
    tab.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation("
        "`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`))"
    )
    yield tab
    context.close()
    assert not page_errors.unexpected(), page_errors.unexpected()


def missing(reason: str) -> None:
    """Skip with the reason; under CI=true fail instead (a CI without its tools must not pass)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, or a skip (a failure under CI=true) when it is not installed."""
    if not AXE.is_file():
        missing(
            f"axe-core is not installed at {AXE.relative_to(ROOT)} (`make browser` installs it)"
        )
    return AXE.read_text()


def serious_violations(page, axe_source: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(
            axe_source
        )  # through the debugger: the page's script policy allows no inline code
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, { resultTypes: ["violations"] });
          return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ${v.help}: ` +
              v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
        }"""
    )


def screenshot(page, name: str) -> Path:
    """Save a screenshot as a test artifact (test-artifacts/, git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
