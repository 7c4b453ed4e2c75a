"""Uploads are parsed with bounded work: rows, columns and decoded size are checked before
the values are decoded, so a small file cannot make the server decode gigabytes."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gdlab.errors import DataError
from gdlab.web.uploads import TooLarge, parse_table


def parquet_bytes(table: pa.Table, **options) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def test_a_parquet_bomb_is_refused_from_its_metadata_before_decoding():
    """Half a megabyte that decodes to 480 MB: refused with almost no memory spent."""
    zeros = np.zeros(30_000_000)
    content = parquet_bytes(pa.table({"x": zeros, "y": zeros}), compression="zstd")
    assert len(content) < 1_000_000
    tracemalloc.start()
    with pytest.raises(TooLarge, match="30000000 rows; the limit is 1000000"):
        parse_table(content, "bomb.parquet", max_rows=1_000_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20


def test_a_parquet_file_that_decodes_past_the_limit_is_refused():
    table = pa.table({"x": np.arange(1000.0), "y": np.arange(1000.0)})
    with pytest.raises(TooLarge, match="decodes to 0 MiB; the limit is 0 MiB"):
        parse_table(parquet_bytes(table), "t.parquet", max_rows=10**6, max_decoded_bytes=1000)


def test_too_many_columns_are_refused_from_the_header():
    header = ",".join(f"c{i}" for i in range(60_000))
    content = (header + "\n" + ",".join(["1"] * 60_000) + "\n").encode()
    with pytest.raises(TooLarge, match="60,000 columns; the limit is 1,000"):
        parse_table(content, "wide.csv", max_rows=10)
    table = pa.table({f"c{i}": [1.0, 2.0] for i in range(30)})
    with pytest.raises(TooLarge, match="30 columns; the limit is 20"):
        parse_table(parquet_bytes(table), "wide.parquet", max_rows=10, max_columns=20)


def test_rows_past_the_limit_stop_the_reading():
    content = ("x,y\n" + "1,2\n" * 2_000_000).encode()  # several blocks of pyarrow's reader
    with pytest.raises(TooLarge, match=r"over [\d,]+ rows; the limit is 1000"):
        parse_table(content, "long.csv", max_rows=1000)


def test_many_duplicate_names_are_found_in_one_sweep():
    names = [f"c{i % 30_000}" for i in range(60_000)]
    content = (",".join(names) + "\n" + ",".join(["1"] * 60_000) + "\n").encode()
    with pytest.raises(DataError, match="'c0' appears more than once"):
        parse_table(content, "dups.csv", max_rows=10, max_columns=100_000)


def test_semicolon_uploads_are_recognised():
    table = parse_table(b"x;y\n1;2\n2;4\n3;7\n", "eu.csv", max_rows=10)
    assert list(table.columns) == ["x", "y"] and table.n_rows == 3


def test_a_huge_cell_is_shown_cut_short():
    content = b"x,y,s\n1,2," + b"a" * 1_000_000 + b"\n2,3,b\n"
    table = parse_table(content, "t.csv", max_rows=10)
    assert len(table.skipped["s"]) < 300
