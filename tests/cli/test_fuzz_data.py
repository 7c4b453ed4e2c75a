"""Fuzzing the command line with data as it comes: separators, encodings, compression,
missing cells, duplicate names, text columns, huge values and long integers, each read with
or without the read options, on each engine.

Every run ends cleanly (exit 0, 2 or 3; a failure is one line on stderr, never a traceback),
and a run that succeeds trained on exactly the rows it should: all of them, or with
``--missing drop`` those without a missing cell in the columns used.
"""

from __future__ import annotations

import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.test_fuzz import assert_clean_exit, run_in, workdir  # noqa: F401 - a fixture

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MISSING_CELLS = ["", "NA", " ", "nan"]
ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp949"]


@st.composite
def tables(draw: st.DrawFn) -> dict:
    """A small table of x, z, y (sometimes a text column, a repeated name) and its cells."""
    rows = draw(st.integers(0, 12))
    number = st.one_of(
        st.floats(-1e3, 1e3).map(repr),
        st.integers(-100, 100).map(str),
        st.sampled_from(["1e200", "-1e160", str(2**53 + 1), "12345678901234567890", "1,5"]),
    )
    cell = st.one_of(number, number, number, number, number, st.sampled_from(MISSING_CELLS))
    names = ["x", "z", "y"]
    if draw(st.integers(0, 5)) == 0:
        names.append(draw(st.sampled_from(["x", "y", "지역", "region"])))
    body = [[draw(cell) for _ in names] for _ in range(rows)]
    if "region" in names or "지역" in names:
        for row in body:
            row[-1] = draw(st.sampled_from(["서울", "north", "south"]))
    return {"names": names, "rows": body}


def encoded(table: dict, delimiter: str, encoding: str, compress: bool) -> bytes:
    lines = [delimiter.join(table["names"])]
    lines += [delimiter.join(row) for row in table["rows"]]
    data = ("\n".join(lines) + "\n").encode(encoding)
    return gzip.compress(data) if compress else data


def expected_rows(table: dict, used: list[str], drop: bool) -> int:
    """Rows left to train on: all, or (drop) those with no missing cell in the used columns."""
    columns = [table["names"].index(name) for name in used]
    if not drop:
        return len(table["rows"])
    return sum(
        all(row[j].strip() not in ("", "NA", "nan") for j in columns) for row in table["rows"]
    )


@FUZZ
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(ENCODINGS),
    compress=st.integers(0, 4).map(lambda n: n == 0),
    say_delimiter=st.booleans(),
    say_encoding=st.sampled_from(["right", "none", "wrong"]),
    drop=st.booleans(),
    engine=st.sampled_from(["stats", "stream", "dense", "stats", "stream", "dask"]),
    x=st.sampled_from(["x", "x,z", "z,x", "x,region"]),
)
def test_fit_survives_data_as_it_comes(
    workdir,  # noqa: F811 - the fixture imported above
    dask_client, table, delimiter, encoding, compress, say_delimiter, say_encoding,
    drop, engine, x,
):  # fmt: skip
    name = "fuzz.csv.gz" if compress else "fuzz.csv"
    (workdir / name).write_bytes(encoded(table, delimiter, encoding, compress))
    argv = ["fit", name, "--x", x, "--y", "y", "--engine", engine, "--json"]
    if say_delimiter:
        argv += ["--delimiter", "tab" if delimiter == "\t" else delimiter]
    if say_encoding != "none":
        argv += ["--encoding", encoding if say_encoding == "right" else "utf-32"]
    if drop:
        argv += ["--missing", "drop"]
    code, out, err = run_in(workdir, *argv)
    assert_clean_exit(code, out, err)
    if code == 0:
        used = [*x.split(","), "y"]
        assert json.loads(out)["data"]["n_rows"] == expected_rows(table, used, drop), err
