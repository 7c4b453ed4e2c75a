"""Answers that never change while a server runs, kept after the first time they are made.

GET /api/meta depends only on the server's settings, yet the page asks for it first and a
busy server (fifty streams, their setups computed in the request thread pool) made it wait
for a free thread. `ConstantAnswers` remembers the first 200 answer of such a path and sends
it again from the event loop, with no thread at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ConstantAnswers:
    """ASGI middleware: GET (or HEAD) on one of `paths` is answered from memory after the first.

    Only an answer with status 200 and no query string is kept.
    """

    def __init__(self, app: ASGIApp, paths: Iterable[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.kept: dict[str, list[Message]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        cacheable = (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and path in self.paths
            and not scope.get("query_string")
        )
        if not cacheable:
            await self.app(scope, receive, send)
            return
        kept = self.kept.get(path)
        if kept is not None:
            for message in kept:
                if scope["method"] == "HEAD" and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        complete = messages and not messages[-1].get("more_body", False)
        if scope["method"] == "GET" and complete and messages[0].get("status") == 200:
            self.kept[path] = messages
