"""Pause and continue a live run (POST /api/runs/{id}/pause, POST /api/runs/{id}/resume).

A paused run holds after its current step (its stream sends that step, then waits); it still
counts against the server's time limit for one run, so a forgotten pause ends by itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import Response

from gdlab.web.schemas import ErrorMessage
from gdlab.web.state import ServerState

router = APIRouter(tags=["training"])

RunId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorMessage} for code in (403, 404, 413, 422)
}
GONE = "no such run in progress (it may have finished already)"


@router.post("/api/runs/{run_id}/pause", status_code=204, responses=ERRORS)
def pause_run(state: ServerState, run_id: RunId) -> Response:
    """Hold a live run after its current step, until it is continued or stopped."""
    if not state.runs.pause(run_id, paused=True):
        raise HTTPException(404, GONE)
    return Response(status_code=204)


@router.post("/api/runs/{run_id}/resume", status_code=204, responses=ERRORS)
def resume_run(state: ServerState, run_id: RunId) -> Response:
    """Let a paused run go on."""
    if not state.runs.pause(run_id, paused=False):
        raise HTTPException(404, GONE)
    return Response(status_code=204)
