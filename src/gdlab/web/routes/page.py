"""The page itself: index.html, its scripts and styles, and plotly.js from the plotly package.

Nothing comes from a CDN, so the playground works with no network at all.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)

STATIC = Path(str(resources.files("gdlab.web") / "static"))


@cache
def plotly_js() -> Path:
    """plotly.min.js as bundled in the installed `plotly` Python package."""
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        raise FileNotFoundError("the plotly package has no package_data/plotly.min.js")
    return path


@router.get("/")
def index() -> FileResponse:
    """The playground page."""
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/vendor/plotly.min.js")
def plotly() -> FileResponse:
    """plotly.js, served from the installed plotly package."""
    return FileResponse(
        plotly_js(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
