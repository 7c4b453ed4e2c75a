"""The page itself: index.html, its scripts and styles, and plotly.js from the plotly package.

Nothing comes from a CDN, so the playground works with no network at all. plotly.js (about
4.8 MB) is gzipped once, in memory, and sent compressed to every browser that accepts it.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

router = APIRouter(include_in_schema=False)

STATIC = Path(str(resources.files("gdlab.web") / "static"))
PLOTLY_MEDIA_TYPE = "text/javascript"


@cache
def plotly_js() -> Path:
    """plotly.min.js as bundled in the installed `plotly` Python package."""
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        raise FileNotFoundError("the plotly package has no package_data/plotly.min.js")
    return path


@cache
def plotly_gzipped() -> tuple[bytes, str]:
    """plotly.min.js gzipped (made once per process), and an ETag naming its content."""
    stat = plotly_js().stat()
    body = gzip.compress(plotly_js().read_bytes(), compresslevel=9, mtime=0)
    return body, f'"plotly-{stat.st_size}-{stat.st_mtime_ns}"'


@router.get("/")
def index() -> FileResponse:
    """The playground page."""
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/vendor/plotly.min.js")
def plotly(request: Request) -> Response:
    """plotly.js, served from the installed plotly package (gzipped when the browser accepts)."""
    body, etag = plotly_gzipped()
    headers = {"Cache-Control": "public, max-age=86400", "ETag": etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=PLOTLY_MEDIA_TYPE, headers=headers)
    return FileResponse(plotly_js(), media_type=PLOTLY_MEDIA_TYPE, headers=headers)
