"""What one playground server holds between requests: settings, uploads and live runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from gdlab.web.runs import RunRegistry
from gdlab.web.settings import Settings
from gdlab.web.uploads import UploadCache


@dataclass(frozen=True)
class AppState:
    """The server's state, one per `create_app` call (no module globals)."""

    settings: Settings
    uploads: UploadCache
    runs: RunRegistry

    @classmethod
    def from_settings(cls, settings: Settings) -> AppState:
        """Fresh, empty state bounded by `settings`."""
        return cls(
            settings,
            UploadCache(settings.upload_cache_entries, settings.upload_cache_bytes),
            RunRegistry(
                settings.max_concurrent_runs, settings.queue_seconds, settings.max_waiting_runs
            ),
        )


def app_state(request: Request) -> AppState:
    """The state of the app serving `request` (a FastAPI dependency)."""
    state: AppState = request.app.state.gdlab
    return state


ServerState = Annotated[AppState, Depends(app_state)]
