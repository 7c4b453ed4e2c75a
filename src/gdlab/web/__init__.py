"""The playground behind `gdlab serve`: a FastAPI app (`create_app`) and one page.

Importing this package imports FastAPI; the command line imports it only when `serve` runs.
"""

from __future__ import annotations

from gdlab.web.app import create_app
from gdlab.web.settings import Settings

__all__ = ["Settings", "create_app"]
