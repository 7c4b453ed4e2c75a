"""A cap on request body size, enforced while the body arrives (before it is parsed).

The answer is HTTP 413 with the JSON `{"detail": …}` every other error uses, naming the limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """Raised inside `receive` when the body passes its limit (FastAPI answers it as a 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


class BodySizeLimit:
    """ASGI middleware: bodies over `limit_for(path)` bytes get a 413 instead of the app."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self.refuse(limit, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await self.refuse(limit, send)

    @staticmethod
    async def refuse(limit: int, send: Send) -> None:
        """Send the 413 answer."""
        body = json.dumps({"detail": too_large_message(limit)}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def too_large_message(limit: int) -> str:
    """The one-line 413 message."""
    return f"the request is over this server's limit of {limit_text(limit)}"


def limit_text(nbytes: int) -> str:
    """A byte count for people.

    >>> limit_text(50 * 1024 * 1024), limit_text(2048), limit_text(10)
    ('50 MB', '2 KB', '10 bytes')
    """
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if nbytes >= size:
            return f"{nbytes / size:g} {unit}"
    return f"{nbytes} bytes"
