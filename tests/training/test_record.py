"""The run record: the keys of docs/design.md, reproducibility, atomic saving."""

from __future__ import annotations

import errno
import json
import os

import numpy as np
import pytest

import gdlab
from gdlab.atomic import atomic_write_text


def without_timing(record):
    return {k: v for k, v in record.items() if k != "timing"}


def test_record_has_the_contract_keys():
    record = gdlab.demo(0).to_record()
    for key in (
        "gdlab_version",
        "data",
        "config",
        "init",
        "weights",
        "initial_loss",
        "losses",
        "optimum",
        "analysis",
        "timing",
    ):
        assert key in record
    assert record["data"] == {
        "source": "seed",
        "n_rows": 50,
        "features": ["x"],
        "target": "y",
        "n": 50,
        "noise": 1.0,
        "seed": 0,  # the recipe's seed, which drew the data (and then the start)
    }
    for key, value in {
        "lr": 0.002,
        "steps": 50,
        "optimizer": "gd",
        "loss": "l2",
        "seed": 0,
        "dtype": "float64",
    }.items():
        assert record["config"][key] == value
    for key in ("lr_max_stable", "lr_optimal", "condition_number", "hessian_eigenvalues"):
        assert key in record["analysis"]
    eigen = record["analysis"]["hessian_eigenvalues"]
    assert eigen == sorted(eigen)
    assert record["analysis"]["lr_max_stable"] == pytest.approx(2 / eigen[-1])
    assert len(record["path"]) == 51 and record["path"][0] == record["init"]


def test_same_seed_gives_a_bit_identical_record():
    first = gdlab.demo(5).to_json()
    second = gdlab.demo(5).to_json()
    assert without_timing(json.loads(first)) == without_timing(json.loads(second))
    assert without_timing(json.loads(first)) != without_timing(json.loads(gdlab.demo(6).to_json()))


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "run.json"
    target.write_text("old")

    def broken_fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(gdlab.DataError, match=r"run.json: cannot write here \(No space left"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_load_record_round_trip_and_errors(tmp_path):
    run = gdlab.demo(0)
    run.save(tmp_path / "run.json")
    assert gdlab.load_record(tmp_path / "run.json")["weights"] == [float(w) for w in run.weights]
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(gdlab.DataError, match="not a readable run record"):
        gdlab.load_record(tmp_path / "bad.json")


def test_dataset_for_record_regenerates_seed_data_and_rereads_files(tmp_path):
    run = gdlab.demo(4)
    data = gdlab.dataset_for_record(run.to_record())
    np.testing.assert_array_equal(data.features, gdlab.seed_dataset(4).features)
    path = tmp_path / "d.csv"
    path.write_text("u,v\n1,2\n2,4\n3,7\n")
    record = gdlab.fit(gdlab.read_table(path, ["u"], "v"), steps=2).to_record()
    np.testing.assert_array_equal(gdlab.dataset_for_record(record).target, [2, 4, 7])
