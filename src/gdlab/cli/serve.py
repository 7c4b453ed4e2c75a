"""`gdlab serve`: the web playground on this machine (uvicorn serving `gdlab.web.create_app`)."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from gdlab.errors import ConfigError, require_extra


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 127.0.0.1 keeps it to this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the default web browser.")
    ] = False,
) -> None:
    """Start the web playground: change the learning rate, the start, the optimizer and the
    data, and watch gradient descent happen. Stop it with Ctrl+C.

    Example: gdlab serve --port 8000 --open
    """
    require_extra("web", "the playground (gdlab serve)")
    import uvicorn

    from gdlab.web import Settings, create_app

    listener = bind(host, port)
    settings = Settings(host=host, port=listener.getsockname()[1])
    url = page_url(settings.host, settings.port)
    if not settings.is_loopback:
        typer.echo(
            f"warning: listening on {host}: anyone who can reach this machine can use the "
            "playground",
            err=True,
        )
    config = uvicorn.Config(create_app(settings), log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    typer.echo(f"gdlab playground at {url} (Ctrl+C stops it)")
    if open_browser:
        open_when_started(server, url)
    server.run(sockets=[listener])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or a `ConfigError` saying why there is none."""
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, got {port}")
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"cannot listen on {host}:{port}: {reason}") from None
    listener.listen(128)
    return listener


def page_url(host: str, port: int) -> str:
    """The address to open in a browser (a wildcard host is reached through loopback)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def open_when_started(server: object, url: str) -> None:
    """Open `url` in a browser once uvicorn says it is serving."""
    import threading
    import time
    import webbrowser

    def wait_then_open() -> None:
        for _ in range(100):
            if getattr(server, "started", False):
                webbrowser.open(url)
                return
            time.sleep(0.1)

    threading.Thread(target=wait_then_open, daemon=True).start()


def register(app: typer.Typer) -> None:
    """Add `serve` to the app."""
    app.command("serve")(serve_command)
