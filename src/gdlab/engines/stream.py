"""The stream engine: one pass over CSV/Parquet files in bounded memory, then the stats engine.

The pass itself is `gdlab.onepass.files.stream_statistics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gdlab.data.files import FileSource
from gdlab.engines.stats import StatsEngine, require_quadratic
from gdlab.model.losses import Loss
from gdlab.onepass.files import stream_statistics

if TYPE_CHECKING:
    from rich.console import Console


class StreamEngine(StatsEngine):
    """The stats engine over files: statistics from one streamed pass, then O(p²) steps."""

    name = "stream"

    def __init__(
        self,
        source: FileSource,
        loss: Loss,
        intercept: bool = True,
        dtype: str = "float64",
        batch_rows: int | None = None,
        threads: int | None = None,
        console: Console | None = None,
    ) -> None:
        require_quadratic(loss, self.name)
        stats = stream_statistics(source, intercept, batch_rows, threads, console)
        super().__init__(stats, loss, dtype)
