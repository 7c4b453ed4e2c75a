"""Streaming files: globs and directories, bad cells named by file, column and row, progress."""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console

import gdlab
from gdlab.data.files import open_files
from gdlab.engines import StreamEngine
from gdlab.errors import DataError
from gdlab.model.losses import L2
from tests.conftest import run_cli, write_csv, write_table


def line_columns(rows: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    return {"x": x, "y": 1.5 - 2.0 * x + 0.1 * rng.normal(size=rows)}


def test_glob_directory_and_single_file_read_the_same_rows(tmp_path):
    columns = line_columns(90)
    for part, rows in enumerate(np.array_split(np.arange(90), 3)):
        suffix = ".csv" if part == 1 else ".parquet"  # a directory may mix both formats
        write_table(tmp_path / f"part{part}{suffix}", {k: v[rows] for k, v in columns.items()})
    (tmp_path / "notes.txt").write_text("not data")
    whole = gdlab.fit(gdlab.from_arrays(columns["x"], columns["y"]), engine="dense")
    for where in (tmp_path, tmp_path / "part*"):
        source = open_files(where, ["x"], "y")
        assert [file.name for file in source.files] == [
            "part0.parquet",
            "part1.csv",
            "part2.parquet",
        ]
        run = gdlab.fit(source, engine="stream")
        assert run.config.engine == "stream" and run.data.n_rows == 90
        assert run.to_record()["data"]["files"] == 3
        np.testing.assert_allclose(run.weights, whole.weights, rtol=1e-12)
        np.testing.assert_allclose(run.losses, whole.losses, rtol=1e-12)


def test_integer_parquet_columns_are_read_as_numbers(tmp_path):
    x = np.arange(40)
    pq.write_table(pa.table({"x": x, "y": 3 * x + 1}), tmp_path / "ints.parquet")
    run = gdlab.fit(open_files(tmp_path / "ints.parquet", ["x"], "y"), lr=1e-5, steps=3)
    dense = gdlab.fit(gdlab.from_arrays(x, 3 * x + 1), lr=1e-5, steps=3, engine="dense")
    np.testing.assert_allclose(run.losses, dense.losses, rtol=1e-12)


def bad_csv_rows(rows: int, row: int, cell: str) -> list[str]:
    lines = [f"{i},{2 * i}" for i in range(rows)]
    lines[row - 1] = f"{row - 1},{cell}"
    return lines


@pytest.mark.parametrize(
    ("cell", "fragments"),
    [
        ("abc", ["non-numeric value 'abc'", "column 'y'", "data row 2999"]),
        ("", ["missing value", "column 'y'", "data row 2999"]),
        ("inf", ["infinite value", "column 'y'", "data row 2999"]),
        ("1e999", ["column 'y'", "data row 2999"]),
    ],
)
def test_a_bad_cell_deep_in_a_csv_names_its_row(tmp_path, cell, fragments):
    path = write_csv(tmp_path / "deep.csv", "x,y", bad_csv_rows(3000, 2999, cell))
    source = open_files(path, ["x"], "y")
    with pytest.raises(DataError) as caught:
        StreamEngine(source, L2, batch_rows=1000)
    for fragment in ["deep.csv", *fragments]:
        assert fragment in str(caught.value)


def test_padded_cells_are_numbers_but_python_only_spellings_are_named(tmp_path):
    path = write_csv(tmp_path / "text.csv", "x,y", ["1, 2 ", "2,  4.0", "3,10"])
    for engine in ("stream", "auto"):
        run = gdlab.fit(open_files(path, ["x"], "y"), steps=2, engine=engine)
        assert run.data.n_rows == 3
        np.testing.assert_allclose(run.analysis.optimum_weights, [-8 / 3, 4], rtol=1e-12)
    bad = write_csv(tmp_path / "bad.csv", "x,y", ["1,2", "2,4", "3,1_0"])
    for engine in ("stream", "auto"):
        with pytest.raises(gdlab.DataError, match="'1_0' in column 'y' at data row 3"):
            gdlab.fit(open_files(bad, ["x"], "y"), steps=2, engine=engine)


def test_parquet_nulls_and_text_columns_are_named(tmp_path):
    path = tmp_path / "nulls.parquet"
    pq.write_table(pa.table({"x": [1.0, 2.0, None, 4.0], "y": [1.0, 2.0, 3.0, 4.0]}), path)
    with pytest.raises(DataError, match=r"missing value in column 'x' at data row 3"):
        gdlab.fit(open_files(path, ["x"], "y"))
    path = tmp_path / "text.parquet"
    pq.write_table(pa.table({"x": ["1", "2", "zz"], "y": [1.0, 2.0, 3.0]}), path)
    with pytest.raises(DataError, match=r"non-numeric value 'zz' in column 'x' at data row 3"):
        gdlab.fit(open_files(path, ["x"], "y"))


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("*.csv", "no files match this pattern"),
        ("empty", "is a directory with no CSV or Parquet files"),
        ("nope.parquet", "no such file"),
        ("second", "no column 'y'; available columns: x, w"),
    ],
)
def test_sources_that_cannot_be_read_are_named(tmp_path, where, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "second").mkdir()
    write_csv(tmp_path / "second" / "a.csv", "x,y", ["1,2", "2,3"])
    write_csv(tmp_path / "second" / "b.csv", "x,w", ["1,2", "2,3"])
    with pytest.raises(DataError, match=message):
        open_files(str(tmp_path / where), ["x"], "y")


def test_progress_bar_shows_the_pass_on_a_terminal_only(tmp_path):
    path = write_table(tmp_path / "p.parquet", line_columns(5000), row_group_size=1000)
    source = open_files(path, ["x"], "y")
    shown = io.StringIO()
    StreamEngine(
        source, L2, console=Console(file=shown, force_terminal=True, width=200, color_system=None)
    )
    text = shown.getvalue()
    assert "reading" in text and "p.parquet" in text and "100%" not in text  # bytes, not %
    size_kb = f"{path.stat().st_size / 1000:.1f}"
    assert f"{size_kb}/{size_kb} kB" in text
    quiet = io.StringIO()
    StreamEngine(source, L2, console=Console(file=quiet, force_terminal=False))
    assert quiet.getvalue() == ""


def test_cli_streams_a_glob_and_records_the_engine(tmp_path):
    columns = line_columns(60)
    for part, rows in enumerate(np.array_split(np.arange(60), 2)):
        write_table(tmp_path / f"d{part}.parquet", {k: v[rows] for k, v in columns.items()})
    code, out, err = run_cli(
        "fit",
        str(tmp_path / "d*.parquet"),
        "--x",
        "x",
        "--y",
        "y",
        "--steps",
        "5",
        "--json",
        "--engine",
        "stream",
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["config"]["engine"] == "stream" and record["data"]["n_rows"] == 60
    assert record["data"]["source"] == str(tmp_path / "d*.parquet")
    again = gdlab.dataset_for_record(record)  # plots and exports re-read a glob too
    np.testing.assert_array_equal(again.target, columns["y"])
