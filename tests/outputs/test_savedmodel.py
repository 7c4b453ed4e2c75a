"""Saved models: `gdlab fit --save`, `gdlab predict`, and loading that says what is off."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import gdlab
from gdlab.outputs.savedmodel import SCHEMA_VERSION, data_fingerprint
from tests.conftest import run_cli, write_csv, write_table


@pytest.fixture
def trained(tmp_path):
    """A model saved by `gdlab fit --save` on two features, and its run record."""
    rng = np.random.default_rng(5)
    x, z = rng.normal(size=30), rng.normal(size=30)
    y = 1 + 2 * x - z + 0.1 * rng.normal(size=30)
    rows = [
        f"{a!r},{c!r},{b!r}" for a, c, b in zip(x.tolist(), z.tolist(), y.tolist(), strict=True)
    ]
    data = write_csv(tmp_path / "train.csv", "x,z,y", rows)
    code, _, err = run_cli(
        "fit", str(data), "--x", "x,z", "--y", "y", "--lr", "0.01", "--steps", "300",
        "--out", str(tmp_path / "r"), "--save", str(tmp_path / "model.json"),
    )  # fmt: skip
    assert code == 0, err
    record = json.loads((tmp_path / "r" / "run.json").read_text())
    return tmp_path / "model.json", record, data


def read_csv_text(text):
    header, *rows = text.strip().splitlines()
    return header.split(","), np.array([[float(v) for v in row.split(",")] for row in rows])


def test_predict_applies_the_saved_weights_to_new_rows(trained, tmp_path):
    model, record, _ = trained
    new = write_csv(tmp_path / "new.csv", "id,z,x", ["1,0.5,2", "2,-1,0", "3,3,-2.5"])
    code, out, err = run_cli("predict", str(model), str(new))
    assert code == 0, err
    header, table = read_csv_text(out)
    assert header == ["x", "z", "predicted_y"]
    b, a_x, a_z = record["weights"]
    np.testing.assert_array_equal(table[:, :2], [[2, 0.5], [0, -1], [-2.5, 3]])
    np.testing.assert_allclose(table[:, 2], b + a_x * table[:, 0] + a_z * table[:, 1], rtol=1e-15)


def test_predict_out_writes_a_csv_and_reads_parquet(trained, tmp_path):
    model = trained[0]
    frame = pa.table({"x": [0.0, 1.0], "z": [0.0, 0.0]})
    pq.write_table(frame, tmp_path / "new.parquet")
    code, out, err = run_cli("predict", str(model), str(tmp_path / "new.parquet"), "--out",
                             str(tmp_path / "p.csv"))  # fmt: skip
    assert code == 0, err
    assert "Wrote 2 predictions of y" in out
    header, table = read_csv_text((tmp_path / "p.csv").read_text())
    assert header == ["x", "z", "predicted_y"]
    saved = gdlab.load_model(model)
    np.testing.assert_array_equal(table[:, 2], saved.predict([[0.0, 0.0], [1.0, 0.0]]))


def test_model_file_holds_schema_weights_config_and_data_fingerprint(trained):
    model, record, train = trained
    saved = json.loads(model.read_text())
    assert saved["schema"] == "gdlab.model" and saved["schema_version"] == SCHEMA_VERSION
    assert saved["features"] == ["x", "z"] and saved["weight_names"] == ["b", "x", "z"]
    assert saved["weights"] == record["weights"]
    assert saved["standardization"] is None
    assert saved["config"]["lr"] == 0.01 and saved["config"]["steps"] == 300
    data = gdlab.read_table(train, ["x", "z"], "y")
    assert saved["data"] == {
        "source": str(train),
        "absolute_source": str(train),  # tmp_path is absolute
        "n_rows": 30,
        "fingerprint": data_fingerprint(data),
    }


def test_fingerprint_changes_with_any_cell_or_name():
    data = gdlab.seed_dataset(0)
    moved = data.features.copy()
    moved[17, 0] = np.nextafter(moved[17, 0], np.inf)
    assert data_fingerprint(data) == data_fingerprint(gdlab.seed_dataset(0))
    assert data_fingerprint(data) != data_fingerprint(gdlab.from_arrays(moved, data.target))
    renamed = gdlab.from_arrays(data.features, data.target, ["u"])
    assert data_fingerprint(data) != data_fingerprint(renamed)


def edited(model, tmp_path, **changes):
    record = json.loads(model.read_text())
    record.update(changes)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(record))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schema_version": 2}, "schema version 2, but this gdlab reads version 1"),
        ({"schema_version": "1"}, "'schema_version' must be a whole number"),
        ({"schema": "other"}, 'not a gdlab model file (no "schema": "gdlab.model")'),
        ({"weights": [1.0, 2.0]}, "2 weights for 2 feature(s) and an intercept; expected 3"),
        ({"weights": [1.0, None, 2.0]}, "'weights' must be a list of finite numbers"),
        ({"features": ["x", "x"]}, "'features' names a column twice"),
        ({"standardization": {"mean": [0.0], "scale": [1.0]}}, "mean has 1 values for 2"),
        ({"standardization": {"mean": [0, 0], "scale": [1, 0]}}, "scale values must be > 0"),
    ],
)
def test_loading_says_exactly_what_does_not_match(trained, tmp_path, changes, message):
    path = edited(trained[0], tmp_path, **changes)
    code, out, err = run_cli("predict", str(path), str(trained[2]))
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert message in err and str(path) in err


def test_data_missing_model_columns_and_run_records_are_refused(trained, tmp_path):
    model, _, _ = trained
    only_z = write_csv(tmp_path / "z.csv", "z,w", ["1,2"])
    code, _, err = run_cli("predict", str(model), str(only_z))
    assert code == 2 and "no column 'x'; available columns: z, w" in err
    neither = write_csv(tmp_path / "w.csv", "w", ["1"])
    assert "no columns 'x', 'z'" in run_cli("predict", str(model), str(neither))[2]
    code, _, err = run_cli("predict", str(tmp_path / "r" / "run.json"), str(only_z))
    assert code == 2 and "this is a run record, not a saved model" in err
    code, _, err = run_cli("predict", str(tmp_path / "nope.json"), str(only_z))
    assert code == 2 and "no such file" in err


def test_estimator_models_keep_their_standardisation_and_predict_the_same(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"u": rng.normal(50, 5, 40), "v": rng.normal(size=40), "k": 1.0})
    y = 3 - 0.5 * frame["u"] + 2 * frame["v"]
    model = gdlab.GDRegressor().fit(frame, y)
    model.to_saved_model().save(tmp_path / "m.json")
    saved = gdlab.load_model(tmp_path / "m.json")
    assert saved.mean is not None and saved.scale is not None
    np.testing.assert_allclose(saved.mean, frame.mean().to_numpy())
    np.testing.assert_allclose(saved.predict(frame), model.predict(frame), rtol=1e-12)
    frame.to_csv(tmp_path / "d.csv", index=False)
    code, out, err = run_cli("predict", str(tmp_path / "m.json"), str(tmp_path / "d.csv"))
    assert code == 0, err
    np.testing.assert_allclose(read_csv_text(out)[1][:, -1], model.predict(frame), rtol=1e-12)


def test_streamed_files_fingerprint_like_the_same_rows_in_memory(tmp_path):
    """`--save` on files hashes them batch by batch: same rows, same fingerprint."""
    rng = np.random.default_rng(3)
    x, z, y = rng.normal(size=(3, 500))
    for part, rows in enumerate(np.array_split(np.arange(500), 3)):
        columns = {"x": x[rows], "z": z[rows], "y": y[rows]}
        write_table(tmp_path / f"part{part}.parquet", columns, row_group_size=37)
    source = gdlab.open_files(tmp_path, ["x", "z"], "y")
    in_memory = gdlab.from_arrays(np.column_stack([x, z]), y, ["x", "z"], "y")
    assert data_fingerprint(source) == data_fingerprint(in_memory)
    assert data_fingerprint(source) == data_fingerprint(source.read())


def test_a_prediction_past_float64_is_a_one_line_data_error(tmp_path):
    """Found by the fuzzer: x = 1.2e308 made `gdlab predict` fail with an internal error."""
    model = gdlab.SavedModel(("x",), "y", True, np.array([1.0, 2.0]))
    with pytest.raises(gdlab.DataError, match="data row 2 overflows float64"):
        model.predict([[0.0], [1.2e308]])
    model.save(tmp_path / "m.json")
    data = write_csv(tmp_path / "d.csv", "x", ["0", "1.2e308"])
    code, _, err = run_cli("predict", str(tmp_path / "m.json"), str(data))
    assert code == 2 and err.count("\n") == 1 and "overflows float64" in err, err


def new_rows(tmp_path):
    """Rows to predict: an id with leading zeros, the features out of order, the target."""
    return write_csv(
        tmp_path / "new.csv", "id,z,x,y", ["007,0.5,2,5.2", "008,-1,0,2.1", "010,3,-2.5,-7"]
    )


def expected_predictions(record):
    b, a_x, a_z = record["weights"]
    x, z = np.array([2, 0, -2.5]), np.array([0.5, -1, 3])
    return b + a_x * x + a_z * z


@pytest.mark.parametrize("suffix", [".parquet", ".pq", ".PARQUET"])
def test_predict_out_parquet_writes_parquet_with_the_kept_columns(trained, tmp_path, suffix):
    model, record, _ = trained
    target = tmp_path / f"preds{suffix}"
    code, out, err = run_cli("predict", str(model), str(new_rows(tmp_path)), "--keep", "id",
                             "--out", str(target))  # fmt: skip
    assert code == 0, err
    assert out == f"Wrote 3 predictions of y to {target}\n"
    assert target.read_bytes()[:4] == b"PAR1"
    table = pq.read_table(target)
    assert table.column_names == ["id", "x", "z", "predicted_y"]
    assert table.column("id").to_pylist() == ["007", "008", "010"]  # as written, zeros kept
    assert table.schema.field("predicted_y").type == pa.float64()
    np.testing.assert_allclose(
        table.column("predicted_y").to_numpy(), expected_predictions(record), rtol=1e-15
    )


def test_predict_out_json_and_csv_follow_the_name(trained, tmp_path):
    model, record, _ = trained
    data = str(new_rows(tmp_path))
    code, _, err = run_cli("predict", str(model), data, "--keep", "id,y", "--out",
                           str(tmp_path / "p.json"))  # fmt: skip
    assert code == 0, err
    rows = json.loads((tmp_path / "p.json").read_text())
    assert [row["id"] for row in rows] == ["007", "008", "010"]
    assert [row["y"] for row in rows] == [5.2, 2.1, -7.0]  # the target, as the numbers it is
    assert list(rows[0]) == ["id", "y", "x", "z", "predicted_y"]
    np.testing.assert_allclose([r["predicted_y"] for r in rows], expected_predictions(record))
    code, _, err = run_cli("predict", str(model), data, "--keep", "id", "--out",
                           str(tmp_path / "p.csv"))  # fmt: skip
    assert code == 0, err
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0] == "id,x,z,predicted_y" and lines[1].startswith("007,2.0,0.5,")


@pytest.mark.parametrize("name", ["preds.txt", "preds", "preds.xlsx"])
def test_an_unknown_output_format_is_one_line_and_writes_nothing(trained, tmp_path, name):
    model = trained[0]
    target = tmp_path / name
    code, out, err = run_cli("predict", str(model), str(new_rows(tmp_path)), "--out",
                             str(target))  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert f"{target}: cannot tell the output format" in err and ".parquet" in err
    assert not target.exists()


def test_a_kept_column_the_data_lacks_is_named(trained, tmp_path):
    code, out, err = run_cli("predict", str(trained[0]), str(new_rows(tmp_path)), "--keep",
                             "id,row")  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "no column 'row'; available columns: id, z, x, y" in err


def test_kept_parquet_columns_keep_their_types(trained, tmp_path):
    model = trained[0]
    frame = pa.table({"key": [10, 11], "when": ["a", "b"], "x": [0.0, 1.0], "z": [0.0, 0.0]})
    pq.write_table(frame, tmp_path / "new.parquet")
    code, _, err = run_cli("predict", str(model), str(tmp_path / "new.parquet"), "--keep",
                           "key,when", "--out", str(tmp_path / "p.parquet"))  # fmt: skip
    assert code == 0, err
    table = pq.read_table(tmp_path / "p.parquet")
    assert table.schema.field("key").type == pa.int64()
    assert table.column("key").to_pylist() == [10, 11]
    assert "against" not in err  # no target column, so no score


def test_predict_scores_against_the_target_when_the_data_has_it(trained, tmp_path):
    model, record, _ = trained
    code, out, err = run_cli("predict", str(model), str(new_rows(tmp_path)))
    assert code == 0, err
    predicted = expected_predictions(record)
    actual = np.array([5.2, 2.1, -7.0])
    rmse = np.sqrt(np.mean((actual - predicted) ** 2))
    r2 = 1 - np.sum((actual - predicted) ** 2) / np.sum((actual - actual.mean()) ** 2)
    assert err.count("\n") == 1, err
    where = tmp_path / "new.csv"
    assert err.startswith(f"gdlab: score: predicted_y against y in {where} (3 rows): ")
    assert f"RMSE {rmse:.6g}, R² {r2:.6g}" in err
    assert out.startswith("x,z,predicted_y\n")  # stdout keeps only the table


def test_a_bad_target_cell_leaves_the_predictions_unscored(trained, tmp_path):
    data = write_csv(tmp_path / "new.csv", "x,z,y", ["1,2,", "0,0,3"])
    code, out, err = run_cli("predict", str(trained[0]), str(data))
    assert code == 0 and out.count("\n") == 3, err
    assert err.count("\n") == 1 and "no RMSE or R²" in err and "missing value" in err
    constant = write_csv(tmp_path / "flat.csv", "x,z,y", ["1,2,3", "0,0,3"])
    code, _, err = run_cli("predict", str(trained[0]), str(constant))
    assert code == 0 and "R² undefined (y is constant)" in err


def test_saved_models_and_records_keep_the_absolute_data_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "d.csv", "x,y", ["0,1", "1,3", "2,5.1"])
    code, _, err = run_cli("fit", "d.csv", "--x", "x", "--y", "y", "--lr", "0.01", "--steps",
                           "5", "--save", "m.json", "--out", "r")  # fmt: skip
    assert code == 0, err
    saved = json.loads((tmp_path / "m.json").read_text())["data"]
    run = json.loads((tmp_path / "r" / "run.json").read_text())["data"]
    for data in (saved, run):
        assert data["source"] == "d.csv" and data["absolute_source"] == str(tmp_path / "d.csv")
    python = gdlab.fit(gdlab.read_table("d.csv", ["x"], "y"), lr=0.01, steps=5).to_record()
    assert python["data"]["absolute_source"] == str(tmp_path / "d.csv")
    assert "absolute_source" not in gdlab.demo(0).to_record()["data"]
