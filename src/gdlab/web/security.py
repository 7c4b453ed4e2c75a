"""Keeping the playground to its own page: response headers, a Host check and a cross-site
request guard.

`SecurityHeaders` adds a content security policy (no inline script, no outside host, no
framing) to every answer. `HostCheck` answers only requests addressed to the server's own
names (no DNS rebinding), on loopback and beyond. `CrossSiteGuard` refuses, with HTTP 403,
any request that could change something (every method but GET, HEAD and OPTIONS) when the
browser says it comes from another site: any web page the user visits could otherwise POST
trainings and uploads to the local server. Browsers label such requests with
`Sec-Fetch-Site` and `Origin`; a request with neither (curl, a script, a test client) is
not a browser's and passes.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
        b"base-uri 'none'; form-action 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]

#: Methods that only read; everything else must come from the playground's own page.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: `Sec-Fetch-Site` values of the page itself ("none": typed or bookmarked by the user).
OWN_SITE = frozenset({"same-origin", "none"})


class SecurityHeaders:
    """ASGI middleware adding `HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cross_site_reason(method: str, headers: Headers, scheme: str) -> str | None:
    """Why a request must be refused as cross-site, or None when it may go on.

    >>> own = Headers({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"})
    >>> cross_site_reason("POST", own, "http") is None
    True
    >>> cross_site_reason("POST", Headers({"sec-fetch-site": "cross-site"}), "http")
    'Sec-Fetch-Site is cross-site'
    """
    if method.upper() in SAFE_METHODS:
        return None
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in OWN_SITE:
        return f"Sec-Fetch-Site is {fetch_site}"
    origin = headers.get("origin")
    if origin is not None and origin.lower() != f"{scheme}://{headers.get('host', '')}".lower():
        return f"it comes from {origin}"
    return None


class CrossSiteGuard:
    """ASGI middleware: a 403 for state-changing requests another site's page sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = cross_site_reason(scope["method"], Headers(scope=scope), scope["scheme"])
            if reason is not None:
                await refuse(send, reason)
                return
        await self.app(scope, receive, send)


async def refuse(send: Send, reason: str) -> None:
    """Answer 403 with the one-line JSON every error uses."""
    detail = (
        f"cross-site request refused ({reason}): the playground's API answers only "
        "requests from its own page"
    )
    await answer(send, 403, detail)


def host_name(header: str) -> str:
    """The name in a Host header, lowercased, without its port ('[::1]:80' → '[::1]').

    >>> host_name("Example.org:8000"), host_name("[::1]:80"), host_name("10.0.0.2")
    ('example.org', '[::1]', '10.0.0.2')
    """
    host = header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_address(name: str) -> bool:
    """True when a host name is an IP address written out (IPv6 in brackets).

    >>> is_address("192.168.1.5"), is_address("[fe80::1]"), is_address("evil.example")
    (True, True, False)
    """
    import ipaddress

    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return False
    return True


class HostCheck:
    """ASGI middleware: HTTP 400 for a request addressed to a host name not the server's.

    A web page on another site can make a browser send requests here by pointing its own
    name at this machine's address (DNS rebinding); the Host header still carries that
    name. Only `names` pass, and with `any_address` (a server reachable from the network)
    any IP address written out too: a browser sends one only for a page loaded from it.
    """

    def __init__(self, app: ASGIApp, names: frozenset[str], any_address: bool = False) -> None:
        self.app = app
        self.names = frozenset(host_name(name) for name in names)
        self.any_address = any_address

    def allows(self, header: str) -> bool:
        """Whether a request with this Host header may go on."""
        name = host_name(header)
        return name in self.names or (self.any_address and is_address(name))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = Headers(scope=scope).get("host", "")
            if not self.allows(header):
                detail = (
                    f"unknown host name {host_name(header)!r}: this server answers only "
                    "requests addressed to its own names (gdlab serve --allow-host NAME "
                    "adds one)"
                )
                await answer(send, 400, detail)
                return
        await self.app(scope, receive, send)


async def answer(send: Send, status: int, detail: str) -> None:
    """Answer with the one-line JSON every error uses."""
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
