"""GET /api/meta: the optimizers, losses, defaults and limits the page builds its controls from."""

from __future__ import annotations

from fastapi import APIRouter

from gdlab.model.losses import LOSSES
from gdlab.optim.optimizers import OPTIMIZERS, optimizer_options
from gdlab.version import __version__
from gdlab.web.options import web_option_names
from gdlab.web.schemas import MAX_DEGREE, Meta, OptimizerInfo, TrainRequest
from gdlab.web.state import ServerState

router = APIRouter(tags=["meta"])


@router.get("/api/meta", response_model=Meta)
def meta(state: ServerState) -> Meta:
    """What this server offers: optimizer names and parameters, losses, defaults, limits."""
    settings = state.settings
    return Meta(
        version=__version__,
        optimizers=[
            OptimizerInfo(name=name, options=optimizer_options(name)) for name in OPTIMIZERS
        ],
        losses={name: loss.description for name, loss in LOSSES.items()},
        fit_options=web_option_names(),
        defaults=TrainRequest().model_dump(),
        limits={
            "max_rows": settings.max_rows,
            "max_steps": settings.max_steps,
            "max_features": settings.max_features,
            "max_upload_bytes": settings.max_upload_bytes,
            "max_degree": MAX_DEGREE,
        },
    )
