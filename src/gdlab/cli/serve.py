"""`gdlab serve`: the web playground on this machine (uvicorn serving `gdlab.web.create_app`)."""

from __future__ import annotations

import contextlib
import socket
from typing import Annotated, Any

import typer

from gdlab.errors import ConfigError, require_extra


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on; 127.0.0.1 keeps it to this machine. Any other "
            "(0.0.0.0 or '' for every interface, ::, a network address) needs --public."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Let --host reach beyond this machine: anyone who can reach the port can "
            "then use the playground (no login, no TLS).",
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Also answer requests addressed to this host name (repeatable), e.g. the "
            "name a proxy or your network gives the machine.",
            show_default=False,
        ),
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the default web browser.")
    ] = False,
) -> None:
    """Start the web playground: change the learning rate, the start, the optimizer and the
    data, and watch gradient descent happen. Stop it with Ctrl+C.

    The server answers only requests addressed to its own names (no DNS rebinding): the
    loopback names, --host, and with --public the machine's own names, any IP address
    and the --allow-host names.

    Example: gdlab serve --port 8000 --open
    """
    require_extra("web", "the playground (gdlab serve)")
    import uvicorn

    from gdlab.web import Settings, create_app

    host = listen_address(host, public)
    listener = bind(host, port)
    names = tuple(name.strip().lower() for name in allow_host or () if name.strip())
    if public:
        names += machine_names()
    settings = Settings(host=host, port=listener.getsockname()[1], extra_allowed_hosts=names)
    url = page_url(settings.host, settings.port)
    if not settings.is_loopback:
        typer.echo(
            f"warning: listening on {where(host)}: anyone who can reach this machine can use "
            "the playground; it answers requests addressed to an IP address or to "
            f"{', '.join(settings.allowed_hosts())}",
            err=True,
        )
    app = create_app(settings)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)
    server = quiet_server(config, app.state.gdlab.runs)
    typer.echo(f"gdlab playground at {url} (Ctrl+C stops it)")
    if open_browser:
        open_when_started(server, url)
    server.run(sockets=[listener])


def listen_address(host: str, public: bool) -> str:
    """The address to bind: an empty one means every interface (0.0.0.0); one beyond
    loopback only with `public`, else a `ConfigError` saying what that would expose."""
    from gdlab.web.settings import Settings

    host = host.strip() or "0.0.0.0"
    if public or Settings(host=host).is_loopback:
        return host
    raise ConfigError(
        f"--host {host} listens on {where(host)}: anyone who can reach this machine could "
        "use the playground (no login, no TLS); add --public to mean it, or leave --host "
        "out to keep it to this machine"
    )


def where(host: str) -> str:
    """'every network interface (0.0.0.0)' for a wildcard address, else the address."""
    from gdlab.web.settings import WILDCARD_HOSTS

    return f"every network interface ({host})" if host in WILDCARD_HOSTS else host


def machine_names() -> tuple[str, ...]:
    """This machine's own host names (short and qualified), as requests may address it."""
    names = {socket.gethostname().lower()}
    with contextlib.suppress(OSError):
        names.add(socket.getfqdn().lower())
    return tuple(sorted(name for name in names if name))


def quiet_server(config: Any, runs: Any) -> Any:
    """A uvicorn server that, when told to stop, first stops every live run (after its
    current step), so each stream ends with its partial record and the server goes quietly,
    with no connection left to cancel."""
    import uvicorn

    from gdlab.web.runs import SHUTTING_DOWN

    class QuietServer(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            runs.stop_all(SHUTTING_DOWN)
            await super().shutdown(sockets)

    return QuietServer(config)


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
