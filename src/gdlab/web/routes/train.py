"""Training: the run record in one answer, or the run streamed step by step (server-sent events).

POST /api/train        → the run record (docs/design.md); a diverged run is a result, not an error
POST /api/prepare      → the setup (data, start, curvature, bounds, command line), no training
POST /api/train/stream → events: setup, steps (batches of [step, loss, w…]), done or error
POST /api/runs/{id}/stop → stop that live run after its current step
GET  /api/seed-data.csv → the seed recipe's points, for the command line to read
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Body, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from gdlab.data.seed import seed_dataset
from gdlab.errors import ConfigError, GdlabError
from gdlab.training.record import json_safe
from gdlab.web.datasets import check_rows, request_dataset
from gdlab.web.errors import one_line
from gdlab.web.runs import LiveRun, StepFeed, default_duration, outcome_message, train
from gdlab.web.schemas import (
    MAX_ROWS,
    MAX_SEED,
    ErrorMessage,
    RunRecord,
    Setup,
    StreamRequest,
    TrainRequest,
)
from gdlab.web.setup import Job, landscape_matches, make_job
from gdlab.web.state import AppState, ServerState

router = APIRouter(tags=["training"])
log = logging.getLogger("gdlab.web")

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorMessage} for code in (400, 404, 413, 422, 429)
}
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def prepare(request: TrainRequest, state: AppState) -> Job:
    """Validate the request against its data and gdlab; draw the start; work out the setup."""
    dataset = request_dataset(request, state.settings, state.uploads)
    if request.steps > state.settings.max_steps:
        raise ConfigError(
            f"steps={request.steps}; this server runs at most {state.settings.max_steps}"
        )
    return make_job(request, dataset, state.settings.max_plot_points)


@router.post("/api/train", response_model=RunRecord, responses=ERRORS)
def train_run(
    state: ServerState, body: Annotated[TrainRequest | None, Body()] = None
) -> dict[str, Any]:
    """Train and return the run record; an empty body trains the seed program."""
    request = body or TrainRequest()
    job = prepare(request, state)
    with state.runs.running() as live:
        run = train(job, StepFeed(request.steps, live.stop, state.settings.max_train_seconds))
    record: dict[str, Any] = json_safe(run.to_record())
    return record


@router.post("/api/prepare", response_model=Setup, responses=ERRORS)
def prepare_run(
    state: ServerState, body: Annotated[TrainRequest | None, Body()] = None
) -> dict[str, Any]:
    """Everything known before the first step: points, start, loss surface, bounds, command."""
    return prepare(body or TrainRequest(), state).setup


@router.post(
    "/api/train/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **ERRORS},
)
async def train_stream(
    state: ServerState, body: Annotated[StreamRequest | None, Body()] = None
) -> StreamingResponse:
    """Train live: a `setup` event, `steps` events as the run goes, then `done` (or `error`)."""
    request = body or StreamRequest()
    job = await run_in_threadpool(prepare, request, state)
    live = await run_in_threadpool(state.runs.start)
    duration = request.duration if request.duration is not None else default_duration(request.steps)
    return StreamingResponse(
        run_events(job, live, state, duration),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


def sse(event: str, payload: Any) -> str:
    """One server-sent event with a JSON payload."""
    return f"event: {event}\ndata: {json.dumps(payload, allow_nan=False)}\n\n"


async def run_events(
    job: Job, live: LiveRun, state: AppState, duration: float
) -> AsyncIterator[str]:
    """Train in a worker thread and pass its steps on as events, until done or disconnected."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def put(event: str, payload: Any) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop (server gone): none listens
            loop.call_soon_threadsafe(events.put_nowait, (event, payload))

    feed = StepFeed(
        job.config.steps,
        live.stop,
        state.settings.max_train_seconds,
        emit=lambda rows: put("steps", {"steps": rows}),
        duration=duration,
    )

    def work() -> None:
        try:
            run = train(job, feed)
            feed.finish()
            put(
                "done",
                {
                    "record": json_safe(run.to_record()),
                    "message": outcome_message(run, feed),
                    "landscape_matches": landscape_matches(
                        job.setup, run.initial_loss, job.config.dtype
                    ),
                },
            )
        except GdlabError as error:
            put("error", {"detail": one_line(str(error))})
        except Exception:
            log.exception("internal error in a streamed run")
            put("error", {"detail": "internal server error; the server's log has the details"})
        finally:
            state.runs.finish(live)

    worker = None
    try:
        yield sse("setup", {**job.setup, "run_id": live.id})
        worker = asyncio.create_task(asyncio.to_thread(work))
        while True:
            event, payload = await events.get()
            yield sse(event, payload)
            if event in ("done", "error"):
                break
        await worker
    finally:
        live.stop.set()  # a client that went away stops its run
        if worker is None:
            state.runs.finish(live)


@router.post(
    "/api/runs/{run_id}/stop",
    status_code=204,
    responses={code: {"model": ErrorMessage} for code in (404, 413, 422)},
)
def stop_run(
    state: ServerState, run_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
) -> Response:
    """Stop a live run after its current step; its stream then ends with the partial record."""
    if not state.runs.stop(run_id):
        raise HTTPException(404, "no such run in progress (it may have finished already)")
    return Response(status_code=204)


@router.get(
    "/api/seed-data.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 422: {"model": ErrorMessage}},
)
def seed_data_csv(
    state: ServerState,
    n: Annotated[int, Query(ge=2, le=MAX_ROWS)] = 50,
    noise: Annotated[float, Query(ge=0, le=1e6, allow_inf_nan=False)] = 1.0,
    seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0,
) -> Response:
    """The seed recipe's points as CSV (columns x, y, every digit kept) for `gdlab fit`."""
    check_rows(n, state.settings)
    data = seed_dataset(seed, n, noise)
    buffer = io.StringIO()
    np.savetxt(
        buffer,
        np.column_stack([data.features[:, 0], data.target]),
        fmt="%.17g",
        delimiter=",",
        header="x,y",
        comments="",
    )
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="seed-data.csv"'},
    )
