"""How errors become HTTP answers: always JSON `{"detail": "one line"}`, never a traceback.

Schema violations are 422 (the field and what it expects), bad data or settings 400, a
missing upload 404, an over-size upload 413, a full server 429; anything unexpected is a 500
that names no file and no internals (the server log has the details).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gdlab.errors import GdlabError
from gdlab.web.datasets import UnknownUpload
from gdlab.web.runs import Busy
from gdlab.web.uploads import TooLarge

log = logging.getLogger("gdlab.web")

#: Status codes for gdlab's own errors, most specific first.
STATUS_OF_ERROR: tuple[tuple[type[GdlabError], int], ...] = (
    (UnknownUpload, 404),
    (TooLarge, 413),
    (Busy, 429),
    (GdlabError, 400),
)


def status_of(error: GdlabError) -> int:
    """The HTTP status for a gdlab error."""
    return next(status for kind, status in STATUS_OF_ERROR if isinstance(error, kind))


def one_line(text: str) -> str:
    """Collapse whitespace so a message stays on one line."""
    return " ".join(text.split())


def validation_message(error: RequestValidationError) -> str:
    """The first few schema violations as 'where: what', e.g. 'lr: Input should be > 0'."""
    parts = []
    for item in error.errors()[:3]:
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        where = ".".join(location) or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    more = len(error.errors()) - len(parts)
    return one_line("; ".join(parts) + (f" (and {more} more)" if more > 0 else ""))


async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
    """422 with a one-line message and the field locations (never echoing the input)."""
    assert isinstance(error, RequestValidationError)
    locations = [
        {"loc": [str(p) for p in item.get("loc", ())], "msg": str(item.get("msg", ""))}
        for item in error.errors()[:20]
    ]
    return JSONResponse({"detail": validation_message(error), "errors": locations}, status_code=422)


async def on_gdlab_error(request: Request, error: Exception) -> JSONResponse:
    """gdlab's own errors carry a message meant for the user."""
    assert isinstance(error, GdlabError)
    return JSONResponse({"detail": one_line(str(error))}, status_code=status_of(error))


async def on_http_error(request: Request, error: Exception) -> JSONResponse:
    """Framework errors (404 route, 405 method, 413 body) in the same JSON shape."""
    assert isinstance(error, HTTPException)
    return JSONResponse(
        {"detail": one_line(str(error.detail))},
        status_code=error.status_code,
        headers=error.headers,
    )


async def on_unexpected_error(request: Request, error: Exception) -> JSONResponse:
    """A bug: log it with its traceback; tell the client only that it happened."""
    log.exception("internal error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": "internal server error; the server's log has the details"}, status_code=500
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on `app`."""
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(GdlabError, on_gdlab_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
