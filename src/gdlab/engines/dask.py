"""The dask engine: the stats engine with its one pass on a Dask cluster (`gdlab.onepass.dask`)."""

from __future__ import annotations

from gdlab.data.dask import DaskData
from gdlab.engines.stats import StatsEngine, require_quadratic
from gdlab.model.losses import Loss
from gdlab.onepass.dask import SPLIT_EVERY, dask_statistics


class DaskEngine(StatsEngine):
    """The stats engine with its one pass run on a Dask cluster."""

    name = "dask"

    def __init__(
        self,
        data: DaskData,
        loss: Loss,
        intercept: bool = True,
        dtype: str = "float64",
        scheduler: str | None = None,
        split_every: int = SPLIT_EVERY,
    ) -> None:
        require_quadratic(loss, self.name)
        super().__init__(dask_statistics(data, intercept, scheduler, split_every), loss, dtype)
