"""Data as it comes: separators and encodings recognised, missing values dropped and counted,
duplicate and text columns named, integers float64 rounds warned about, files that change
while read refused, globs that visit each file once — the same through every engine."""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import gdlab
from gdlab.data import files as files_module
from gdlab.data import sizes
from gdlab.data.csvformat import csv_format, sniff_delimiter
from gdlab.data.options import ReadOptions
from gdlab.errors import ConfigError, DataError, DataWarning
from tests.conftest import run_cli

ENGINES = ["stats", "stream", "dask"]

HOUSES = [("서울", 84.5, 12.0), ("부산", 59.9, 6.5), ("대구", 101.2, 9.1), ("인천", 75.0, 7.7)]


def fit_rows(path, engine, *extra):
    """Rows and weights `gdlab fit … --json` reports for a file, and its stderr."""
    import json

    code, out, err = run_cli("fit", str(path), "--x", "area", "--y", "price", "--engine", engine,
                             "--json", "--lr", "1e-6", *extra)  # fmt: skip
    assert code == 0, err
    record = json.loads(out)
    return record["data"]["n_rows"], record["weights"], err


@pytest.mark.parametrize(
    ("delimiter", "encoding", "flags"),
    [
        (";", "utf-8", []),
        ("\t", "utf-8", []),
        ("|", "utf-8", []),
        (",", "utf-16", []),  # with its byte-order mark
        (",", "utf-8-sig", []),  # Excel's UTF-8 with a mark
        (";", "cp949", ["--encoding", "cp949"]),  # Korean Excel
        (",", "utf-16-le", ["--encoding", "utf-16-le"]),  # no mark: must be said
    ],
)
def test_separators_and_encodings_read_like_a_plain_csv(tmp_path, delimiter, encoding, flags):
    rows = [delimiter.join(["region", "area", "price"])]
    rows += [delimiter.join([name, repr(area), repr(price)]) for name, area, price in HOUSES]
    (tmp_path / "plain.csv").write_text(
        "\n".join(line.replace(delimiter, ",") for line in rows) + "\n"
    )
    (tmp_path / "odd.csv").write_bytes(("\n".join(rows) + "\n").encode(encoding))
    for engine in ENGINES:
        expected = fit_rows(tmp_path / "plain.csv", engine)[:2]
        assert fit_rows(tmp_path / "odd.csv", engine, *flags)[:2] == expected


def test_a_separator_given_overrides_the_recognised_one(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x y\n1 2\n3 5\n")  # separated by spaces: not one gdlab recognises
    assert csv_format(path).delimiter == ","
    assert csv_format(path, ReadOptions(delimiter=" ")).delimiter == " "
    data = gdlab.read_table(path, ["x"], "y", delimiter=" ")
    assert data.features[:, 0].tolist() == [1.0, 3.0] and data.target.tolist() == [2.0, 5.0]


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("x;y\n1,5;2\n2,5;4\n", ["non-numeric value '1,5'", "a decimal comma?"]),
        ("x\ty\n", ["no data rows"]),
    ],
)
def test_recognised_separators_still_name_bad_cells(tmp_path, content, fragments):
    path = tmp_path / "d.csv"
    path.write_text(content)
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y")
    assert code == 2 and err.count("\n") == 1
    for fragment in fragments:
        assert fragment in err, err


def test_sniffing_prefers_a_separator_that_splits_every_line_alike():
    assert sniff_delimiter("a,b;c\n1,2;3\n") == ","  # ties go to the comma
    assert sniff_delimiter('"a;b",c\n"1;2",3\n') == ","  # quotes are respected
    assert sniff_delimiter("x;y;z\n1;2;3\n4;5;6\n") == ";"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("지역,x,y\n서울,1,2\n".encode("cp949"), "it reads as Korean text in cp949"),
        ("x,y\n1,2\n".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        (b"x,y\n1,\xff\n", "the text is not UTF-8 (byte 0xff"),
    ],
    ids=["cp949", "utf-16-without-mark", "binary"],
)
def test_text_that_is_not_utf8_is_explained_in_one_line(tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    for engine in ENGINES:
        code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--engine", engine)
        assert code == 2 and err.count("\n") == 1, err
        assert message in err and "--encoding cp949" in err, err


def test_bad_read_options_name_their_flag(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n2,3\n")
    for flags, message in [
        (["--missing", "skip"], "unknown missing 'skip'; choose one of: error, drop"),
        (["--delimiter", ";;"], "--delimiter must be one character"),
        (["--encoding", "klingon"], "--encoding: unknown text encoding 'klingon'"),
    ]:
        code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", *flags)
        assert code == 2 and message in err, err
    with pytest.raises(ConfigError, match="unknown read option 'sep'"):
        gdlab.read_table(path, ["x"], "y", sep=";")


# --- missing values -------------------------------------------------------------------------

MISSING = "x,z,y\n1,5,2\n,6,4\n3,7,\n4,8,9\n5,,11\nnan,1,1\n6,2,13\n7,3,14\n"


def test_a_missing_value_is_an_error_naming_missing_drop(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(MISSING)
    for engine in ENGINES:
        code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--engine", engine)
        assert code == 2 and err.count("\n") == 1, err
        assert "missing value" in err and "--missing=drop" in err, err


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_drop_leaves_out_the_rows_and_says_how_many(tmp_path, engine):
    path = tmp_path / "d.csv"
    path.write_text(MISSING)
    (tmp_path / "kept.csv").write_text("x,y\n1,2\n4,9\n5,11\n6,13\n7,14\n")
    args = ("--x", "x", "--y", "y", "--engine", engine, "--json")
    code, out, err = run_cli("fit", str(path), *args, "--missing", "drop")
    assert code == 0, err
    assert "left out 3 of 8 rows with a missing value" in err and "x: 2, y: 1" in err, err
    import json

    record, expected = (
        json.loads(out),
        json.loads(run_cli("fit", str(tmp_path / "kept.csv"), *args)[1]),
    )
    assert record["data"]["n_rows"] == 5 and record["data"]["rows_dropped_missing"] == 3
    np.testing.assert_allclose(record["weights"], expected["weights"], rtol=1e-12)


def test_missing_drop_in_python_and_for_predictions(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(MISSING)
    with pytest.warns(DataWarning, match="left out 3 of 8 rows"):
        data = gdlab.read_table(path, ["z"], "x", missing="drop")
    assert data.n_rows == 5 and data.extra["rows_dropped_missing"] == 3
    model = tmp_path / "m.json"
    assert run_cli("fit", str(path), "--x", "z", "--y", "x", "--missing", "drop", "--save",
                   str(model))[0] == 0  # fmt: skip
    code, out, err = run_cli("predict", str(model), str(path), "--missing", "drop")
    assert code == 0 and out.count("\n") == 8 and "left out 1 of 8 rows" in err, err


def test_dropping_every_row_is_an_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,\n,2\n")
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--missing", "drop")
    assert code == 2 and "no rows are left" in err


# --- columns that cannot be used as they are ------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_duplicate_header_names_are_an_error_naming_them(tmp_path, engine):
    (tmp_path / "d.csv").write_text("x,x,y,y,z\n1,2,3,4,5\n2,3,4,5,6\n")
    code, _, err = run_cli(
        "fit", str(tmp_path / "d.csv"), "--x", "x", "--y", "y", "--engine", engine
    )
    assert code == 2 and "'x' (2 times), 'y' (2 times) more than once" in err, err
    table = pa.Table.from_arrays([pa.array([1.0, 2.0])] * 3, names=["x", "x", "y"])
    pq.write_table(table, tmp_path / "d.parquet")
    args = ("--x", "x", "--y", "y", "--engine", engine)
    code, _, err = run_cli("fit", str(tmp_path / "d.parquet"), *args)
    assert code == 2 and "'x' (2 times) more than once" in err, err


def test_a_text_column_says_what_to_do(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("region,area,price\nnorth,1,2\nsouth,2,3\nnorth,3,5\nsouth,4,4\n")
    # a text feature is one-hot encoded (issue 16), and the output says so
    code, out, err = run_cli("fit", str(path), "--x", "region,area", "--y", "price")
    assert code == 0, err
    assert "one-hot" in out and "region[T.south]" in out, out
    # a text target cannot be: the error says what the column holds and what to do
    code, _, err = run_cli("fit", str(path), "--x", "area", "--y", "region")
    assert code == 2 and err.count("\n") == 1
    assert "column 'region' holds text, not numbers" in err
    assert "encode it as numbers first" in err and "one-hot encodes" in err
    table = pa.table({"region": pa.array(["n", "s", "n"]).dictionary_encode(), "p": [1.0, 2, 3]})
    pq.write_table(table, tmp_path / "d.parquet")
    code, _, err = run_cli("fit", str(tmp_path / "d.parquet"), "--x", "p", "--y", "region")
    assert code == 2 and "column 'region' holds text" in err, err


def test_one_bad_cell_in_a_numeric_column_is_named_by_its_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i}\n" for i in range(20)) + "1.2.3,4\n")
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y")
    assert code == 2 and "non-numeric value '1.2.3' in column 'x' at data row 21" in err


# --- integers beyond 2^53 ---------------------------------------------------------------------


def test_integers_beyond_2_53_are_warned_about(tmp_path):
    big = 2**53 + 1
    (tmp_path / "d.csv").write_text(f"id,y\n{big},1\n2,2\n3,4\n")
    table = pa.table({"id": pa.array([big, 2, 3], pa.int64()), "y": [1.0, 2.0, 4.0]})
    pq.write_table(table, tmp_path / "d.parquet")
    for name in ("d.csv", "d.parquet"):
        for engine in ("stats", "stream"):
            code, _, err = run_cli("fit", str(tmp_path / name), "--x", "id", "--y", "y",
                                   "--engine", engine, "--steps", "1", "--lr", "1e-40")  # fmt: skip
            assert code == 0, err
            assert f"holds integers beyond 2^53 (e.g. {big} at data row 1)" in err, err
            assert "rounded (that one to 9007199254740992)" in err
            assert err.count("holds integers") == 1


def test_integers_within_2_53_are_not_warned_about(tmp_path):
    table = pa.table({"id": pa.array([2**53, -(2**53), 3], pa.int64()), "y": [1.0, 2.0, 4.0]})
    pq.write_table(table, tmp_path / "d.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        gdlab.read_table(tmp_path / "d.parquet", ["id"], "y")


# --- files that change while read -----------------------------------------------------------


def test_a_file_that_shrinks_during_a_streamed_pass_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i}\n" for i in range(5000)))
    source = gdlab.open_files(path, ["x"], "y")
    batches = source.batches(batch_rows=1000)
    next(batches)
    path.write_text("x,y\n1,2\n2,4\n")  # truncated by another program mid-pass
    with pytest.raises(DataError, match=r"changed while gdlab read it \(size \d+ → 12 bytes\)"):
        list(batches)


def test_a_file_replaced_after_it_was_opened_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n2,4\n3,5\n")
    source = gdlab.open_files(path, ["x"], "y")
    (tmp_path / "new.csv").write_text("x,y\n1,2\n2,4\n3,6\n")
    (tmp_path / "new.csv").replace(path)
    for read in (source.read, lambda: list(source.batches())):
        with pytest.raises(DataError, match="was replaced by another file"):
            read()


def test_a_file_appended_to_during_the_dask_pass_is_refused(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from gdlab.onepass import dask as dask_pass_module

    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(200)))
    original = dask_pass_module.dask_pass

    def appended_while_read(*args, **kwargs):
        result = original(*args, **kwargs)
        with path.open("a") as handle:  # another program writes while the workers read
            handle.write("9,9\n")
        return result

    monkeypatch.setattr(dask_pass_module, "dask_pass", appended_while_read)
    source = gdlab.open_files(path, ["x"], "y")
    with pytest.raises(DataError, match=r"changed while gdlab read it \(size \d+ → \d+ bytes\)"):
        gdlab.prepare(source, gdlab.TrainingConfig(engine="dask"))


def test_a_file_changed_during_fit_save_is_refused_not_fingerprinted(tmp_path, monkeypatch):
    """The fingerprint and the weights come from one pass; a change during it is refused."""
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(3000)))
    original = files_module.csv_batches

    def appended_while_read(file, *args, **kwargs):
        for number, batch in enumerate(original(file, *args, **kwargs)):
            if number == 0:
                with file.open("a") as handle:
                    handle.write("9,9\n")
            yield batch

    monkeypatch.setattr(files_module, "csv_batches", appended_while_read)
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--engine", "stream",
                           "--save", str(tmp_path / "m.json"))  # fmt: skip
    assert code == 2 and "changed while gdlab read it" in err, err
    assert not (tmp_path / "m.json").exists()


# --- globs and directories ------------------------------------------------------------------


def test_globs_and_folders_visit_each_file_once_and_say_what_they_skipped(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.csv", "sub/b.csv"):
        (tmp_path / name).write_text("x,y\n1,2\n2,4\n3,7\n")
    (tmp_path / "loop").symlink_to(".")
    (tmp_path / "sub" / "back").symlink_to("..")
    (tmp_path / "alias.csv").symlink_to("a.csv")
    (tmp_path / "broken.csv").symlink_to("gone.csv")
    with pytest.warns(DataWarning) as notes:
        source = gdlab.open_files(str(tmp_path / "**" / "*.csv"), ["x"], "y")
    assert [file.name for file in source.files] == ["a.csv", "b.csv"]
    assert sum(batch.n_rows for batch in source.batches()) == 6
    said = " ".join(str(note.message) for note in notes)
    assert "did not follow 2 links to folders (loop, sub/back)" in said
    assert "alias.csv" in said and "broken link" in said
    with pytest.warns(DataWarning) as notes:
        assert len(gdlab.open_files(tmp_path, ["x"], "y").files) == 1
    said = " ".join(str(note.message) for note in notes)
    assert "read once 1 file that two names reach" in said and "1 broken link" in said
    code, _, err = run_cli("fit", str(tmp_path / "**" / "*.csv"), "--x", "x", "--y", "y")
    assert code == 0 and err.count("gdlab: warning:") == 3, err


def test_an_unreadable_file_in_a_folder_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "a.csv").write_text("x,y\n1,2\n2,4\n")
    (tmp_path / "b.csv").write_text("x,y\n1,2\n2,4\n")
    real_open = type(tmp_path).open

    def refusing(self, *args, **kwargs):
        if self.name == "b.csv":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(tmp_path), "open", refusing)
    code, _, err = run_cli("fit", str(tmp_path), "--x", "x", "--y", "y")
    assert code == 2 and "b.csv: cannot be read (Permission denied)" in err, err


# --- compressed files, sizes ------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "stream", "dask"])
def test_gzipped_csv_files_read_on_every_engine(tmp_path, engine):
    rows = "".join(f"{i},{3 * i + 1}\n" for i in range(100))
    (tmp_path / "d.csv.gz").write_bytes(gzip.compress(("x,y\n" + rows).encode()))
    (tmp_path / "d.csv").write_text("x,y\n" + rows)
    args = ("--x", "x", "--y", "y", "--json", "--engine", engine, "--lr", "1e-6")
    gz = run_cli("fit", str(tmp_path / "d.csv.gz"), *args)
    plain = run_cli("fit", str(tmp_path / "d.csv"), *args)
    assert gz[0] == plain[0] == 0, gz[2]
    import json

    assert json.loads(gz[1])["weights"] == json.loads(plain[1])["weights"]


def test_a_parquet_file_that_decodes_past_memory_is_refused_before_reading(tmp_path, monkeypatch):
    """Its metadata says how large its columns are; nothing is decoded to find out."""
    pq.write_table(pa.table({"x": np.zeros(100_000), "y": np.zeros(100_000)}), tmp_path / "z.pq")
    source = gdlab.open_files(tmp_path / "z.pq", ["x"], "y")
    assert source.decoded_bytes >= 1_600_000 > source.total_bytes
    monkeypatch.setattr(sizes, "physical_memory", lambda: 2_000_000)
    with pytest.raises(DataError, match="more than half of this machine's memory"):
        source.read()
    assert not source.fits_in(1_000_000)  # `auto` streams it instead


def test_more_weights_than_rows_or_than_the_limit_are_refused(tmp_path):
    path = tmp_path / "d.csv"
    names = [f"c{i}" for i in range(200)]
    rows = [",".join(str(i + j) for j in range(201)) for i in range(50)]
    path.write_text(",".join([*names, "y"]) + "\n" + "\n".join(rows) + "\n")
    code, _, err = run_cli("fit", str(path), "--x", ",".join(names), "--y", "y")
    assert code == 2 and "201 weights (the bias and one per feature) but only 50 rows" in err
    path.write_text("a,b,c,y\n1,2,3,4\n2,3,5,7\n")  # small: it trains, and says why it is odd
    code, _, err = run_cli("fit", str(path), "--x", "a,b,c", "--y", "y", "--lr", "1e-3")
    assert code == 0 and "are collinear" in err, err
    names = [f"c{i}" for i in range(1001)]
    path.write_text(",".join([*names, "y"]) + "\n" + ",".join(["1"] * 1002) + "\n")
    code, _, err = run_cli("fit", str(path), "--x", ",".join(names), "--y", "y")
    assert code == 2 and "1,001 feature columns given; gdlab fits at most 1,000" in err
