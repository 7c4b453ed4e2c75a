"""`create_app(settings)`: the playground's FastAPI app, built fresh for each settings object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from gdlab.version import __version__
from gdlab.web.constant import ConstantAnswers
from gdlab.web.errors import install_error_handlers
from gdlab.web.limits import BodySizeLimit
from gdlab.web.memory import keep_memory_returnable
from gdlab.web.routes import meta, page, runs, train, uploads
from gdlab.web.routes.page import STATIC
from gdlab.web.runs import SHUTTING_DOWN
from gdlab.web.security import CrossSiteGuard, HostCheck, SecurityHeaders
from gdlab.web.settings import Settings
from gdlab.web.state import AppState

DESCRIPTION = (
    "Train the simplest neural network, y = Xw, by gradient descent and watch it: "
    'the JSON API behind `gdlab serve`. Every error is JSON `{"detail": "one line"}`. '
    "A browser may call the state-changing endpoints only from the playground's own page: "
    "a request another site sent (by its Origin or Sec-Fetch-Site header) gets 403."
)
#: Answers smaller than this many bytes are not worth compressing.
GZIP_MINIMUM_BYTES = 1024
#: GET answers that depend on the settings alone: made once, then sent from memory.
CONSTANT_PATHS = ("/api/meta",)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new playground app: one page plus a JSON API documented at /api/openapi.json."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Two thread pools: a few threads for request work, and one thread per live or
        queued run (a queued stream waits for its slot there, never in the request pool)."""
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        import anyio.to_thread

        keep_memory_returnable()
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        runs = settings.max_concurrent_runs + settings.max_waiting_runs
        with ThreadPoolExecutor(runs, thread_name_prefix="gdlab-run") as executor:
            asyncio.get_running_loop().set_default_executor(executor)
            try:
                yield
            finally:  # the pool waits for its threads: let every run end after its step
                app.state.gdlab.runs.stop_all(SHUTTING_DOWN)

    app = FastAPI(
        lifespan=lifespan,
        title="gdlab playground",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # FastAPI's docs pages load scripts from a CDN; the page must work offline
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.gdlab = AppState.from_settings(settings)
    install_error_handlers(app)
    for module in (meta, train, runs, uploads, page):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def body_limit(path: str) -> int:
        if path.startswith("/api/uploads"):
            return settings.max_upload_bytes + 64 * 1024  # the form's own overhead
        return settings.max_json_bytes

    # The last added runs first: headers on every answer, then the Host and cross-site
    # checks, then compression, then the body-size cap and the kept answers nearest the routes.
    app.add_middleware(ConstantAnswers, paths=CONSTANT_PATHS)
    app.add_middleware(BodySizeLimit, limit_for=body_limit)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=6)
    app.add_middleware(CrossSiteGuard)
    names = frozenset(settings.allowed_hosts())
    app.add_middleware(HostCheck, names=names, any_address=not settings.is_loopback)
    app.add_middleware(SecurityHeaders)
    return app
