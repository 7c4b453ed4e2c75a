"""POST /api/uploads (a CSV or Parquet file) and GET /api/uploads/{id} (its columns again)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, UploadFile
from fastapi.concurrency import run_in_threadpool

from gdlab.web.limits import limit_text
from gdlab.web.schemas import ErrorMessage, UploadSummary
from gdlab.web.state import ServerState
from gdlab.web.uploads import TooLarge, UploadedTable, parse_table, safe_filename

router = APIRouter(tags=["uploads"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorMessage} for code in (400, 403, 404, 413, 422)
}


def summary(table: UploadedTable) -> UploadSummary:
    """What the page shows of an upload: id, numeric columns, skipped columns and why."""
    return UploadSummary(
        id=table.id,
        filename=table.filename,
        n_rows=table.n_rows,
        columns=list(table.columns),
        skipped=table.skipped,
    )


@router.post("/api/uploads", status_code=201, response_model=UploadSummary, responses=ERRORS)
async def upload(
    state: ServerState,
    file: Annotated[UploadFile, File(description="a CSV (with a header row) or Parquet file")],
) -> UploadSummary:
    """Upload a table; its numeric columns stay in memory under an id for later training.

    The same file (name and bytes) uploaded again to the same server gets the same id.
    """
    settings = state.settings
    filename = safe_filename(file.filename)
    content = await file.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise TooLarge(
            f"{filename}: the file is over the upload limit of "
            f"{limit_text(settings.max_upload_bytes)}"
        )
    table_id = await run_in_threadpool(state.uploads.id_for, content, filename)
    table = await run_in_threadpool(parse_table, content, filename, settings.max_rows, table_id)
    state.uploads.add(table)
    return summary(table)


@router.get("/api/uploads/{upload_id}", response_model=UploadSummary, responses=ERRORS)
def uploaded(
    state: ServerState,
    upload_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")],
) -> UploadSummary:
    """An upload's columns again (a shared link names its id), or 404 once it is dropped."""
    table = state.uploads.get(upload_id)
    if table is None:
        raise HTTPException(404, "that uploaded file is no longer on this server; upload it again")
    return summary(table)
