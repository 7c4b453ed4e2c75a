"""Fuzzing the command line: malformed files and argument lists never crash it.

Every run must end with exit 0 (ok), 2 (bad usage or data) or 3 (diverged), and a failure
must be one line on stderr, never a traceback: exit 1, "internal error", is a bug.
The CLI runs in-process (`gdlab.cli.main`) so hundreds of cases take seconds.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdlab
from tests.conftest import run_cli, write_csv

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with good inputs (data, a model, a run record) that the fuzzers mix in."""
    folder = tmp_path_factory.mktemp("fuzz")
    rng = np.random.default_rng(0)
    x = rng.normal(size=20)
    rows = [f"{a},{2 * a + 1 + b}" for a, b in zip(x, rng.normal(size=20), strict=True)]
    write_csv(folder / "good.csv", "x,y", rows)
    assert run_cli("fit", str(folder / "good.csv"), "--x", "x", "--y", "y", "--save",
                   str(folder / "model.json"), "--out", str(folder / "r"))[0] == 0  # fmt: skip
    PRISTINE.update({name: (folder / name).read_bytes() for name in PRISTINE_NAMES})
    return folder


#: The good inputs, restored before every run: a fuzzed --out or --save may overwrite them.
PRISTINE_NAMES = ("good.csv", "model.json", "r/run.json")
PRISTINE: dict[str, bytes] = {}


def assert_clean_exit(code: int, out: str, err: str) -> None:
    """Exit 0, 2 or 3; a failure is one line on stderr; never a traceback.

    Only "gdlab: warning: …" lines may come before it (or stand alone on success, with
    predict's "gdlab: score: …").
    """
    assert code in (0, 2, 3), f"exit {code}: {err}"
    assert "Traceback" not in out + err and "internal error" not in err, err
    lines = err.splitlines()
    notes = lines[:-1] if code != 0 else lines
    notes_allowed = ("gdlab: warning:", "gdlab: score:") if code == 0 else ("gdlab: warning:",)
    assert all(line.startswith(notes_allowed) for line in notes), err
    if code != 0:
        assert lines and lines[-1].startswith("gdlab"), err


def flat(groups: list[list[str]]) -> list[str]:
    """[[a, b], [c]] → [a, b, c]."""
    return [item for group in groups for item in group]


def run_in(folder: Path, *args: str) -> tuple[int, str, str]:
    """`run_cli` in `folder` (for relative outputs), its good inputs as they were made."""
    for name, content in PRISTINE.items():
        (folder / name).write_bytes(content)
    with contextlib.chdir(folder), warnings.catch_warnings():
        # Every warning an error: one that escaped (numpy's overflow, say) would reach the
        # user as a raw Python warning; as an error it surfaces here as exit 1. gdlab's own
        # LearningRateWarning is still shown, as the one line the CLI promises.
        warnings.simplefilter("error")
        return run_cli(*args)


# --- malformed CSV files ----------------------------------------------------------------

NAMES = st.sampled_from(["x", "y", "z", "", " x ", "x y", "é", "1", '"q"', '"x,y"']) | st.text(
    max_size=6
)
CELLS = st.one_of(
    st.floats().map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e400", "abc", '"1"', '"1,5"', "0x10"]),
    st.sampled_from(["1_000", "TRUE", "\t2", "NA", "null", '"', "1e-400", "--1", "١"]),
    st.text(max_size=5),
)


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """CSV-ish bytes: odd headers, ragged rows, odd cells, delimiters, line ends, junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    header = draw(st.lists(NAMES, max_size=2))
    if draw(st.integers(0, 3)):  # mostly files that have the columns asked for
        header = draw(st.permutations(["x", "y", *header]))
    numbers = st.floats(-1e3, 1e3).map(repr)
    cell = st.one_of(numbers, numbers, numbers, numbers, numbers, CELLS)
    n = len(header)
    width = st.sampled_from([n, n, n, n, n, n - 1, n + 1]) if header else st.integers(0, 3)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(cell, min_size=n, max_size=n)),
                         max_size=8))  # fmt: skip
    delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(cells) for cells in [header, *rows])
    data = text.encode("utf-8", "replace")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"", b"\x00", b"\xff\xfe"])) + data
    return data + draw(st.sampled_from([b"", b"\n", b"\x00\x01", b"\xc3"]))


OPTIONS = st.lists(
    st.sampled_from(
        [
            ["--lr", "0.01"],
            ["--lr", "1e9"],
            ["--steps", "7"],
            ["--no-intercept"],
            ["--loss", "mse"],
            ["--dtype", "float32"],
            ["--init-std", "0"],
            ["--json"],
            ["--save", "fuzz-model.json"],
        ]
    ),
    max_size=3,
)


@FUZZ
@given(
    content=csv_bytes(),
    suffix=st.sampled_from([".csv", ".csv", ".txt", ".parquet", ""]),
    x=NAMES,
    y=NAMES,
    options=OPTIONS,
)
def test_fit_survives_malformed_csv(workdir, content, suffix, x, y, options):
    path = workdir / f"fuzz{suffix}"
    path.write_bytes(content)
    argv = ["fit", str(path), "--x", x or "x", "--y", y or "y", *flat(options)]
    assert_clean_exit(*run_in(workdir, *argv))


# --- malformed Parquet files ------------------------------------------------------------


def column_of(kind: str, n: int, draw: st.DrawFn) -> pa.Array:
    """One Parquet column of `kind` with n rows (some null)."""
    floats = draw(st.lists(st.floats(width=32) | st.none(), min_size=n, max_size=n))
    if kind == "float":
        return pa.array(floats, pa.float64())
    if kind == "int":
        return pa.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1) | st.none(),
                                      min_size=n, max_size=n)), pa.int64())  # fmt: skip
    if kind == "text":
        return pa.array(draw(st.lists(CELLS | st.none(), min_size=n, max_size=n)), pa.string())
    if kind == "dictionary":
        return pa.array([str(v) for v in floats]).dictionary_encode()
    simple = {
        "bool": (lambda: [v is None for v in floats], pa.bool_()),
        "null": (lambda: [None] * n, pa.null()),
        "date": (lambda: list(range(n)), pa.date32()),
        "timestamp": (lambda: list(range(n)), pa.timestamp("s")),
        "list": (lambda: [[1, 2]] * n, pa.list_(pa.int64())),
        "binary": (lambda: [b"\x00\x01"] * n, pa.binary()),
        "uint": (lambda: [2**64 - 1] * n, pa.uint64()),
        "half": (lambda: np.arange(n, dtype=np.float16), pa.float16()),
        "decimal": (lambda: [None] * n, pa.decimal128(10, 2)),
        "struct": (lambda: [{"a": 1}] * n, pa.struct([("a", pa.int64())])),
    }
    values, arrow_type = simple[kind]
    return pa.array(values(), arrow_type)


KINDS = ["float", "int", "text", "dictionary", "bool", "null", "date", "timestamp", "list",
         "binary", "uint", "half", "decimal", "struct"]  # fmt: skip


@st.composite
def parquet_bytes(draw: st.DrawFn) -> bytes:
    """A Parquet file of odd column types, nulls and names, sometimes cut short or damaged."""
    n = draw(st.integers(0, 5))
    names = draw(st.lists(st.sampled_from(["x", "y", "z", ""]), min_size=1, max_size=4))
    columns = [column_of(draw(st.sampled_from(KINDS)), n, draw) for _ in names]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(columns, names=names), buffer)
    data = buffer.getvalue()
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip"]))
    if damage == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if damage == "flip":
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data


@FUZZ
@given(content=parquet_bytes(), x=st.sampled_from(["x", "z", "x,z"]), options=OPTIONS)
def test_fit_and_predict_survive_malformed_parquet(workdir, content, x, options):
    path = workdir / "fuzz.parquet"
    path.write_bytes(content)
    assert_clean_exit(*run_in(workdir, "fit", str(path), "--x", x, "--y", "y", *flat(options)))
    assert_clean_exit(*run_in(workdir, "predict", "model.json", str(path)))


# --- malformed model files and run records -----------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def damaged_json(draw: st.DrawFn, valid: dict) -> bytes:
    """A valid record with fields replaced or removed, random JSON, or random bytes."""
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return draw(st.binary(max_size=100))
    if choice == 1:
        return json.dumps(draw(JSON)).encode()
    record = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(record)))
        if draw(st.booleans()):
            record.pop(key)
        else:
            section = record[key]
            if isinstance(section, dict) and section and draw(st.booleans()):
                section[draw(st.sampled_from(sorted(section)))] = draw(JSON)
            else:
                record[key] = draw(JSON)
        if not record:
            break
    return json.dumps(record).encode()


@FUZZ
@given(data=st.data(), framework=st.sampled_from(["numpy", "pytorch", "keras", "sklearn", "x"]))
def test_predict_and_export_survive_damaged_files(workdir, data, framework):
    model = json.loads((workdir / "model.json").read_text())
    record = json.loads((workdir / "r" / "run.json").read_text())
    (workdir / "fuzz-model.json").write_bytes(data.draw(damaged_json(model)))
    (workdir / "fuzz-run.json").write_bytes(data.draw(damaged_json(record)))
    assert_clean_exit(*run_in(workdir, "predict", "fuzz-model.json", "good.csv"))
    assert_clean_exit(*run_in(workdir, "export", "fuzz-run.json", "--to", framework))


# --- argument lists ---------------------------------------------------------------------

VALUES = st.sampled_from(
    ["0", "-1", "3", "0.5", "1e308", "-1e-308", "nan", "inf", "abc", "", " ", "1,2", "1,2,3",
     ",", "l2", "mse", "gd", "dense", "auto", "stats", "float32", "int8", "10000000", "9" * 30,
     "x", "y", "x,y", "r", "out", "good.csv", "model.json", "r/run.json", "good.csv/x.json",
     "out/new/m.json", "nope/", "numpy", "sklearn"]
)  # fmt: skip
OPTION_NAMES = st.sampled_from(
    ["--lr", "--steps", "--init", "--init-std", "--seed", "--loss", "--optimizer", "--engine",
     "--dtype", "--out", "--save", "--to", "--x", "--y"]
)  # fmt: skip
FLAGS = st.sampled_from(["--no-intercept", "--json", "--no-plot", "--help", "--bogus", "-"])
PAIRS = st.lists(st.tuples(OPTION_NAMES, VALUES).map(list) | FLAGS.map(lambda f: [f]), max_size=4)
COMMANDS = {
    "fit": lambda v: ["fit", v[0], "--x", v[1], "--y", v[2]],
    "demo": lambda v: ["demo", "--no-plot", "--out", "out"],
    "predict": lambda v: ["predict", v[0], v[1]],
    "export": lambda v: ["export", v[0], "--to", v[1]],
}
TOKENS = VALUES | OPTION_NAMES | FLAGS | st.sampled_from(list(COMMANDS))


@settings(max_examples=300, deadline=None)
@given(
    command=st.sampled_from(list(COMMANDS)),
    values=st.lists(VALUES, min_size=3, max_size=3),
    pairs=PAIRS,
    tokens=st.lists(TOKENS, max_size=8),
    structured=st.integers(0, 3),
)
def test_random_argument_lists_never_crash(workdir, command, values, pairs, tokens, structured):
    argv = [*COMMANDS[command](values), *flat(pairs)] if structured else [command, *tokens]
    if argv[0] == "demo" and "--no-plot" not in argv:
        argv.append("--no-plot")  # keep it fast: the figure path is covered elsewhere
    assert_clean_exit(*run_in(workdir, *argv))


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        (b"\xff\xfex,y\n1,2\n", ["--x", "x", "--y", "y"], "not a readable CSV file"),
        (b"x,y\n1,2\n2,3\n", ["--x", "x", "--y", "y", "--out", "good.csv"], "cannot create"),
        (b"x,y\n1,2\n2,3\n", ["--x", "x", "--y", "y", "--save", "r"], "is a folder"),
        (b"x,y\n1,2\n2,3\n", ["--x", "x", "--y", "y", "--seed", "-1"], "seed must be"),
        (b"x,y\n1,2\n2,3\n", ["--x", "x", "--y", "y", "--steps", "9" * 20], "at most"),
        (b"\x1b[2Jx,y\n1,2\n", ["--x", "x", "--y", "y"], "\\x1b[2Jx"),
        (b"x;y\n1;2\n2;3\n", ["--x", "x", "--y", "y", "--delimiter", ","],
         "separate columns with ';'; give --delimiter"),
        (b"x,y\n1,1_000\n2,3\n", ["--x", "x", "--y", "y"], "non-numeric value '1_000'"),
        (b"x,y\n1e200,1\n2,3\n", ["--x", "x", "--y", "y"], "is too large: its square"),
        (b"x,y\n1e30,1\n2,3\n", ["--x", "x", "--y", "y", "--dtype", "float32"], "float32"),
    ],
    ids=["not-utf8", "out-is-a-file", "save-is-a-folder", "negative-seed", "huge-steps",
         "escape-codes", "semicolons", "underscore-number", "overflowing-squares",
         "float32-overflow"],
)  # fmt: skip
def test_what_fuzzing_found_stays_fixed(workdir, content, argv, message):
    (workdir / "found.csv").write_bytes(content)
    code, out, err = run_in(workdir, "fit", "found.csv", *argv)
    assert_clean_exit(code, out, err)
    assert code == 2 and message in err, err
    assert "\x1b" not in err


def test_library_errors_from_records_are_data_errors(workdir):
    """dataset_for_record on a record naming a missing file: a DataError, not an OSError."""
    record = json.loads((workdir / "r" / "run.json").read_text())
    record["data"]["source"] = str(workdir / "gone.csv")
    record["data"]["absolute_source"] = str(workdir / "gone.csv")
    with pytest.raises(gdlab.DataError, match=r"gone\.csv is not there any more"):
        gdlab.dataset_for_record(record)


def test_decimal_parquet_columns_are_read_as_numbers(workdir):
    table = pa.table(
        {"x": pa.array([1, 2, 4], pa.decimal128(6, 2)), "y": pa.array([1.0, 2.0, 3.5])}
    )
    pq.write_table(table, workdir / "decimal.parquet")
    code, out, err = run_in(workdir, "fit", "decimal.parquet", "--x", "x", "--y", "y", "--json")
    assert code == 0, err
    assert json.loads(out)["data"]["n_rows"] == 3
