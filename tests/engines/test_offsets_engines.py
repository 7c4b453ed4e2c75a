"""Columns far from zero through the stream and dask engines: ten digits, every chunking."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.data.dask import dask_arrays
from gdlab.data.files import open_files
from gdlab.engines import StreamEngine
from gdlab.engines.dask import DaskEngine
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2
from tests.conftest import PASS_ROUTES, pass_route, write_table
from tests.exact import correct_digits, exact_optimum
from tests.onepass.test_offsets import offset_problem, problems


@settings(max_examples=25, deadline=None)
@given(**problems, chunk=st.integers(1, 160), route=st.sampled_from(PASS_ROUTES))
def test_offset_columns_keep_ten_digits_streamed_and_on_dask(
    dask_client, seed, rows, features, offset, spread, scale, noise, chunk, route
):
    X, y = offset_problem(seed, rows, features, offset, spread, scale, noise)
    exact = exact_optimum(design_matrix(X), y)
    names = [f"x{j}" for j in range(features)]
    columns = {name: X[:, j] for j, name in enumerate(names)} | {"y": y}
    with tempfile.TemporaryDirectory() as folder, pass_route(route):
        table = write_table(Path(folder) / "offsets.parquet", columns, row_group_size=chunk)
        answers = {
            "stream": StreamEngine(open_files(table, names, "y"), L2, batch_rows=chunk).stats,
            "dask": DaskEngine(dask_arrays(X, y, names, block_rows=chunk), L2).stats,
        }
    for engine, stats in answers.items():
        digits = correct_digits(stats.optimum(), exact)
        assert digits.min() >= 10, f"{engine}, {route} pass, chunks of {chunk}: {digits.round(1)}"
