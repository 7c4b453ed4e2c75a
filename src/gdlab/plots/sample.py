"""The rows a picture draws: all of a small source, an evenly spaced sample of a large one.

Pictures of files over `READ_WHOLE_BYTES` (the size the engines read whole) draw every s-th
row (at most 2 × `SAMPLE_ROWS` of them, `gdlab.data.sample.EvenSample`). A fresh run took
that sample during its one pass (`gdlab.training.problem.prepare`); these helpers take it
for a saved run record, in one pass that reads only the points. Losses, the optimum and
compared runs still come from all the rows, through the statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gdlab.data.dataset import Dataset
from gdlab.data.files import FileSource
from gdlab.data.sample import EvenSample
from gdlab.training.fit import dataset_for_record
from gdlab.training.location import data_location
from gdlab.training.problem import IN_MEMORY_MAX_BYTES, SAMPLE_ROWS
from gdlab.training.record import RunRecord

#: Files up to this size are read whole (as the engines read them), larger ones sampled.
READ_WHOLE_BYTES = IN_MEMORY_MAX_BYTES


def rows_to_draw(
    source: FileSource, max_rows: int | None = None, read_whole_bytes: int | None = None
) -> tuple[Dataset, FileSource | None]:
    """(rows, sample_of): every row of small files; else an even sample and the files.

    Defaults: `SAMPLE_ROWS` and `READ_WHOLE_BYTES`.

    >>> import tempfile, pathlib
    >>> from gdlab.data.files import open_files
    >>> path = pathlib.Path(tempfile.mkdtemp(), "d.csv")
    >>> _ = path.write_text("x,y\\n" + "".join(f"{i},{2 * i}\\n" for i in range(10)))
    >>> rows, sample_of = rows_to_draw(open_files(path, ["x"], "y"), 2, read_whole_bytes=0)
    >>> rows.features[:, 0].tolist(), sample_of is not None
    ([0.0, 4.0, 8.0], True)
    """
    limit = READ_WHOLE_BYTES if read_whole_bytes is None else read_whole_bytes
    if source.fits_in(limit):
        return source.read(), None
    return evenly_spaced_rows(source, max_rows or SAMPLE_ROWS), source


def evenly_spaced_rows(source: FileSource, max_rows: int) -> Dataset:
    """Rows 0, s, 2s, … of the files in one pass (see `EvenSample`)."""
    sample = EvenSample(source.n_features + 1, max_rows)
    for batch in source.batches():
        sample.update(np.column_stack(batch.columns))
    return sample.dataset(source.feature_names, source.target_name, source.source)


def record_rows(
    record: RunRecord | Mapping[str, Any],
) -> tuple[Dataset, FileSource | None]:
    """The rows to draw for a run record: its seed data, or its files (sampled when large)."""
    if not isinstance(record, RunRecord):
        record = RunRecord.from_dict(dict(record))
    info = record.data
    if info.source not in ("seed", "arrays", ""):
        from gdlab.data.designed import files_of_record

        location = data_location(info)
        return rows_to_draw(files_of_record(location, info.features, info.target, info.details))
    return dataset_for_record(record), None
