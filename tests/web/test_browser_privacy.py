"""Nothing leaves the machine: every control of the page is used, and any request to a host
other than the server's fails the test; another site's page cannot train or upload."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

from tests.web.test_browser import open_page

SETTLED = "body:not([data-status=running]):not([data-status=loading])"


def guard_requests(context, own: str) -> list[str]:
    """Abort and record every request of the context that goes anywhere but `own` (host:port)."""
    foreign: list[str] = []

    def check(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == own:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", check)
    return foreign


def settle(page) -> None:
    page.locator(SETTLED).wait_for(timeout=20_000)


def test_every_control_keeps_to_the_server(page, live_server, page_errors, tmp_path: Path):
    page_errors.http_4xx_expected = True  # a bad file on purpose, below
    own = urlparse(live_server.url).netloc
    context = page.context
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    foreign = guard_requests(context, own)
    open_page(page, f"{live_server.url}/?anim=0&steps=30")

    page.hover("#loss-plot")
    titles = page.evaluate(
        "[...document.querySelectorAll('.modebar-btn')].map((b) => b.getAttribute('data-title'))"
    )
    assert titles and not [t for t in titles if "share" in t.lower() or "cloud" in t.lower()]
    for plot in ("data-plot", "loss-plot"):  # every modebar button of every plot
        count = page.locator(f"#{plot} .modebar-btn").count()
        for index in range(count):
            page.hover(f"#{plot}")
            page.locator(f"#{plot} .modebar-btn").nth(index).click()
    page.dblclick("#loss-plot .nsewdrag")

    buttons = ["#random-start", "#step", "#reset", "#train", "#copy-command"]
    for selector in buttons:
        page.click(selector)
        settle(page)
    with page.expect_download():
        page.click("#download-run")
    with page.expect_download():
        page.click("#download-figure")
    with context.expect_page() as opened:
        page.click("a[href='/api/openapi.json']")
    opened.value.wait_for_load_state()
    opened.value.close()
    with page.expect_download():
        page.click("#data-download")

    page.click("#more-options summary")
    for checkbox in (
        "#opt-standardize",
        "#opt-intercept",
        "#opt-intercept",
        "#animate",
        "#log-loss",
    ):
        page.click(checkbox)
        settle(page)
    for field, value in (
        ("#lr", "0.003"),
        ("#steps", "40"),
        ("#n", "60"),
        ("#noise", "0.5"),
        ("#seed", "3"),
        ("#init-0", "0.5"),
        ("#opt-l2", "0.1"),
        ("#init-std", "0.2"),
    ):
        page.fill(field, value)
        page.press(field, "Enter")
        settle(page)
    page.focus("#lr-slider")
    page.keyboard.press("ArrowLeft")
    settle(page)
    for select in ("#optimizer", "#loss"):
        for option in page.eval_on_selector_all(
            f"{select} option", "(os) => os.map((o) => o.value)"
        ):
            page.select_option(select, option)
            settle(page)
    page.select_option("#optimizer", "gd")
    settle(page)
    area = page.locator("#landscape-plot .nsewdrag").bounding_box()
    page.mouse.click(area["x"] + area["width"] / 3, area["y"] + area["height"] / 3)
    settle(page)
    page.click("#language")
    page.click("#language")

    (tmp_path / "points.csv").write_text("x,y,z\n1,2,3\n2,4,5\n3,7,8\n4,8,9\n")
    page.click("#source-upload")
    page.set_input_files("#file", str(tmp_path / "points.csv"))
    settle(page)
    page.check("#x-columns input[value=y]")
    settle(page)
    page.select_option("#y-column", "x")
    settle(page)
    (tmp_path / "bad.csv").write_text("x,y\n1,a\n")
    page.set_input_files("#file", str(tmp_path / "bad.csv"))
    settle(page)
    page.click("#source-seed")
    settle(page)

    page.goto(f"{live_server.url}/?steps=20000&lr=0.001")
    page.locator("body[data-status=running]").wait_for(timeout=10_000)
    page.click("#pause")
    page.click("#pause")
    page.click("#stop")
    settle(page)
    assert foreign == [], f"requests left the machine: {foreign}"


class SomePage(BaseHTTPRequestHandler):
    """Any web page at all: no policy of its own, so its scripts may call anywhere."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>another site</title><p>hello</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def another_site() -> Iterator[int]:
    """A plain web server on a free loopback port, for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), SomePage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_another_site_cannot_train_or_upload_but_the_page_can(page, live_server, page_errors):
    page_errors.http_4xx_expected = True
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(urlparse(r.url).path, r.status))
    uploads, runs = len(live_server.state.uploads), live_server.state.runs
    with another_site() as port:  # another site on this machine: localhost, another port
        page.goto(f"http://localhost:{port}/")
        page.evaluate(
            """async (server) => {
              const form = new FormData();
              form.append("file", new Blob(["x,y\\n1,2\\n2,3\\n"]), "sneaky.csv");
              const post = (path, body) =>
                fetch(server + path, { method: "POST", mode: "no-cors", body });
              const calls = [
                post("/api/train", "{}"),
                post("/api/uploads", form),
                post("/api/train/stream", "{}"),
              ];
              await Promise.allSettled(calls);
            }""",
            live_server.url,
        )
    assert statuses.get("/api/train") == 403 and statuses.get("/api/uploads") == 403
    assert statuses.get("/api/train/stream") == 403
    assert len(live_server.state.uploads) == uploads and len(runs) == 0
    open_page(page, f"{live_server.url}/?anim=0")  # the page's own requests still work
    assert page.locator("#step-now").get_attribute("data-value") == "50"
