"""Uploads: parsed in memory, numeric columns kept, bad files refused with where and why."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import gdlab
from gdlab.web.uploads import UploadCache, UploadedTable, parse_table
from tests.web.conftest import client_with


def csv_bytes(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def good_csv() -> bytes:
    rng = np.random.default_rng(0)
    x = np.linspace(-2, 4, 30) + rng.normal(size=30)
    y = 2 * x - 1 + rng.normal(size=30)
    rows = [f"{float(a)!r},{float(b)!r},word{i}" for i, (a, b) in enumerate(zip(x, y, strict=True))]
    return csv_bytes("x,y,label", rows)


def upload(client, content: bytes, name: str = "points.csv"):
    return client.post("/api/uploads", files={"file": (name, content, "text/csv")})


def test_upload_keeps_numeric_columns_and_says_why_others_are_skipped(client):
    response = upload(client, good_csv())
    assert response.status_code == 201, response.text
    summary = response.json()
    assert summary["filename"] == "points.csv" and summary["n_rows"] == 30
    assert summary["columns"] == ["x", "y"]
    assert "non-numeric value 'word0'" in summary["skipped"]["label"]
    assert client.get(f"/api/uploads/{summary['id']}").json() == summary


def test_training_on_an_upload_matches_fit_on_the_file(client, tmp_path):
    summary = upload(client, good_csv()).json()
    body = {
        "data": {"kind": "upload", "id": summary["id"], "x": ["x"], "y": "y"},
        "lr": 0.005,
        "steps": 200,
        "seed": 3,
    }
    record = client.post("/api/train", json=body).json()
    (tmp_path / "points.csv").write_bytes(good_csv())
    expected = gdlab.fit(
        gdlab.read_table(tmp_path / "points.csv", ["x"], "y"), lr=0.005, steps=200, seed=3
    )
    assert record["weights"] == expected.weights.tolist()
    assert record["data"]["source"] == "points.csv"  # the user's own name, never a server path


def test_parquet_uploads_work(client):
    table = pa.table({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.1, 5.9, 8.2]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    response = upload(client, buffer.getvalue(), "t.parquet")
    assert response.status_code == 201 and response.json()["columns"] == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (b"", ["bad.csv", "empty"]),
        (b"x,y\n", ["no data rows"]),
        (
            csv_bytes("x,y", ["1,2", "2,abc", "3,4"]),
            ["at least two numeric columns", "'y'", "non-numeric value 'abc'", "data row 2"],
        ),
        (csv_bytes("x,y", ["1,2", "2", "3,4"]), ["not a readable CSV", "bad.csv"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ["bad.csv"]),
        (csv_bytes("x,x", ["1,2", "3,4"]), ["'x' appears more than once"]),
    ],
    ids=["empty", "header-only", "non-numeric", "ragged", "binary", "duplicate-names"],
)
def test_bad_files_are_400_saying_what_and_where(client, content, fragments):
    response = upload(client, content, "bad.csv")
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert "\n" not in detail and "/tmp" not in detail
    for fragment in fragments:
        assert fragment in detail, detail


def test_choosing_a_skipped_or_missing_column_is_400(client):
    summary = upload(client, good_csv()).json()
    data = {"kind": "upload", "id": summary["id"], "x": ["label"], "y": "y"}
    response = client.post("/api/train", json={"data": data})
    assert response.status_code == 400
    assert "column 'label' cannot be used" in response.json()["detail"]
    data["x"] = ["nope"]
    response = client.post("/api/train", json={"data": data})
    assert response.status_code == 400 and "no column 'nope'" in response.json()["detail"]


def test_missing_and_non_finite_cells_are_named(client):
    content = csv_bytes("x,y,z,w,v", ["1,2,3,4,1", "2,,inf,5,1e300", "3,4,5,6,1"])
    summary = upload(client, content).json()
    assert summary["columns"] == ["x", "w"]
    assert "value 1e+300 in column 'v' at data row 2 is beyond ±1e+100" in summary["skipped"]["v"]
    assert "missing value in column 'y' at data row 2" in summary["skipped"]["y"]
    assert "non-finite value inf in column 'z' at data row 2" in summary["skipped"]["z"]


def test_an_unknown_upload_is_404(client):
    assert client.get("/api/uploads/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    data = {"kind": "upload", "id": "AAAAAAAAAAAAAAAAAAAAAA", "x": ["x"], "y": "y"}
    response = client.post("/api/train", json={"data": data})
    assert response.status_code == 404 and "upload it again" in response.json()["detail"]
    assert client.get("/api/uploads/..%2F..%2Fetc").status_code in (404, 422)


def test_size_limits_are_413_naming_the_limit():
    small = client_with(max_upload_bytes=1000, max_rows=20)
    response = upload(small, good_csv())  # 30 rows and over 1000 bytes
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    rows = csv_bytes("x,y", [f"{i},{i}" for i in range(25)])
    response = upload(small, rows)
    assert response.status_code == 413 and "25 rows; the limit is 20" in response.json()["detail"]


def test_a_huge_body_is_refused_before_it_is_read():
    small = client_with(max_json_bytes=2000)
    response = small.post(
        "/api/train",
        content=b"{" + b" " * 5000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "limit of 1.95312 KB" in response.json()["detail"]


def table(name: str, nbytes: int) -> UploadedTable:
    column = np.zeros(nbytes // 8)
    return UploadedTable(name, f"{name}.csv", {"x": column, "y": column}, {})


def test_the_cache_drops_the_least_recently_used_beyond_its_bounds():
    cache = UploadCache(entries=2, nbytes=10_000)
    for name in ("a", "b"):
        cache.add(table(name, 800))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.add(table("c", 800))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 2
    cache.add(table("d", 4_000))  # 8,000 bytes: a and c must go to make room
    assert cache.get("d") is not None and cache.total_bytes() <= 10_000
    with pytest.raises(gdlab.DataError, match="keeps at most"):
        cache.add(table("e", 8_000))


def test_each_upload_gets_its_own_unguessable_id():
    first = parse_table(good_csv(), "p.csv", 1000)
    second = parse_table(good_csv(), "p.csv", 1000)
    assert first.id != second.id and len(first.id) >= 20


def test_the_same_file_gets_the_same_id_so_its_link_works_again():
    with client_with(upload_cache_entries=1) as client:
        first = upload(client, good_csv(), "points.csv").json()
        assert upload(client, good_csv(), "points.csv").json()["id"] == first["id"]
        other = upload(client, good_csv().replace(b"word", b"text"), "points.csv").json()
        assert other["id"] != first["id"]
        assert client.get(f"/api/uploads/{first['id']}").status_code == 404  # dropped: 1 kept
        again = upload(client, good_csv(), "points.csv").json()
        assert again["id"] == first["id"]
        assert client.get(f"/api/uploads/{first['id']}").json() == first
    with client_with() as elsewhere:  # another server draws another key
        assert upload(elsewhere, good_csv(), "points.csv").json()["id"] != first["id"]


def test_uploads_stay_until_the_size_limit_not_after_a_few_dozen_files():
    with client_with() as client:
        first = upload(client, good_csv(), "first.csv").json()
        for number in range(40):
            upload(client, good_csv(), f"later-{number}.csv")
        assert client.get(f"/api/uploads/{first['id']}").status_code == 200
