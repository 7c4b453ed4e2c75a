"""The rows a picture draws: all of a small source, an evenly spaced sample of a large one.

A scatter of 1e8 points is a solid blot and reading them all would break the streaming
engines' bounded memory, so pictures of files over `READ_WHOLE_BYTES` draw every s-th row
(at most 2 × `SAMPLE_ROWS` of them, from one streamed pass). Losses, the optimum and the
runs a comparison trains still come from all the rows: the view keeps the files
(`RunView.sample_of`) and streams them for those.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gdlab.data.dataset import Dataset, from_arrays
from gdlab.data.files import FileSource, open_files
from gdlab.training.fit import dataset_for_record

#: Files up to this size are read whole (as the engines read them), larger ones sampled.
READ_WHOLE_BYTES = 64 * 2**20
#: A sample keeps between this many rows and twice as many.
SAMPLE_ROWS = 20_000


def rows_to_draw(
    source: FileSource, max_rows: int | None = None, read_whole_bytes: int | None = None
) -> tuple[Dataset, FileSource | None]:
    """(rows, sample_of): every row of small files; else an even sample and the files.

    Defaults: `SAMPLE_ROWS` and `READ_WHOLE_BYTES`.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp(), "d.csv")
    >>> _ = path.write_text("x,y\\n" + "".join(f"{i},{2 * i}\\n" for i in range(10)))
    >>> rows, sample_of = rows_to_draw(open_files(path, ["x"], "y"), 2, read_whole_bytes=0)
    >>> rows.features[:, 0].tolist(), sample_of is not None
    ([0.0, 4.0, 8.0], True)
    """
    limit = READ_WHOLE_BYTES if read_whole_bytes is None else read_whole_bytes
    if source.total_bytes <= limit:
        return source.read(), None
    return evenly_spaced_rows(source, max_rows or SAMPLE_ROWS), source


def evenly_spaced_rows(source: FileSource, max_rows: int) -> Dataset:
    """Rows 0, s, 2s, … of the files in one pass, s doubling whenever 2·max_rows are kept.

    Halving the kept rows ([::2]) at stride s leaves exactly the rows at stride 2s, so the
    sample is evenly spaced whatever the (unknown in advance) number of rows.
    """
    kept = np.empty((0, source.n_features + 1))
    stride, seen = 1, 0
    for batch in source.batches():
        first = -seen % stride  # the first row of this batch on the stride
        rows = np.column_stack(batch.columns)[first::stride]
        kept = np.vstack([kept, rows])
        seen += batch.n_rows
        while len(kept) > 2 * max_rows:
            kept, stride = kept[::2], 2 * stride
    names, target = list(source.feature_names), source.target_name
    return from_arrays(kept[:, :-1], kept[:, -1], names, target, source.source)


def record_rows(record: Mapping[str, Any]) -> tuple[Dataset, FileSource | None]:
    """The rows to draw for a run record: its seed data, or its files (sampled when large)."""
    data = record.get("data", {})
    source = data.get("source")
    if isinstance(source, str) and source not in ("seed", "arrays"):
        features, target = list(data.get("features", [])), str(data.get("target", "y"))
        return rows_to_draw(open_files(source, features, target))
    return dataset_for_record(record), None
