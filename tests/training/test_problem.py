"""One path from data to run: one pass over a file, whatever a command asks for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import gdlab
from gdlab.data import columns, files
from gdlab.training import problem as problem_module
from gdlab.training.fit import start_generator, train_problem
from gdlab.training.problem import prepare
from gdlab.training.record import RunRecord
from tests.conftest import run_cli, write_table


@pytest.fixture
def reads(monkeypatch):
    """Counts the passes over each data file: every read of its rows (not of its header)."""
    counted: Counter[str] = Counter()

    def counting(reader):
        def read(file, *args, **kwargs):
            counted[Path(file).name] += 1
            return reader(file, *args, **kwargs)

        return read

    for module, name in [
        (files, "parquet_batches"),
        (files, "csv_batches"),
        (columns, "_read_csv"),
        (columns, "_read_parquet"),
    ]:
        monkeypatch.setattr(module, name, counting(getattr(module, name)))
    return counted


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=3000), rng.normal(size=3000)
    y = 1.0 + 2.0 * x1 - x2 + 0.1 * rng.normal(size=3000)
    return write_table(tmp_path / "big.parquet", {"x1": x1, "x2": x2, "y": y}, 500)


EVERYTHING = ["--plot", "landscape,compare,diagnostics,animation", "--summary"]


@pytest.mark.parametrize("streamed", [False, True])
def test_one_command_makes_one_pass_however_much_it_asks_for(
    table, tmp_path, reads, monkeypatch, streamed
):
    if streamed:  # the file counts as large: streamed, with a sample for the pictures
        monkeypatch.setattr(problem_module, "IN_MEMORY_MAX_BYTES", 0)
        monkeypatch.setattr(problem_module, "SAMPLE_ROWS", 200)
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        "fit", str(table), "--x", "x1,x2", "--y", "y", "--lr", "1e-4", "--steps", "30",
        "--out", str(out), *EVERYTHING, "--save", str(tmp_path / "m.json"),
        "--trace", str(tmp_path / "t.csv"),
    )  # fmt: skip
    assert code == 0, err
    assert reads == {"big.parquet": 1}
    assert {p.name for p in out.iterdir()} >= {"compare.png", "diagnostics.png", "run.json"}
    record = json.loads((out / "run.json").read_text())
    assert record["config"]["engine"] == ("stream" if streamed else "stats")
    model = json.loads((tmp_path / "m.json").read_text())
    assert model["data"]["fingerprint"] == gdlab.outputs.savedmodel.data_fingerprint(
        gdlab.open_files(table, ["x1", "x2"], "y")
    )
    assert "R-squared" in stdout


def test_pictures_of_a_saved_run_read_the_data_only_to_draw_points(table, tmp_path, reads):
    out = tmp_path / "out"
    code, _, err = run_cli(
        "fit", str(table), "--x", "x1,x2", "--y", "y", "--lr", "1e-4", "--steps", "20",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    reads.clear()
    for kind in ("landscape", "compare"):  # drawn from the record's statistics alone
        code, _, err = run_cli("plot", str(out / "run.json"), "--kind", kind)
        assert code == 0, err
    assert reads == {}
    code, _, err = run_cli("plot", str(out / "run.json"), "--kind", "diagnostics")
    assert code == 0, err
    assert reads == {"big.parquet": 1}


def test_a_prepared_problem_serves_many_runs_without_another_pass(table, reads):
    source = gdlab.open_files(table, ["x1", "x2"], "y")
    problem = prepare(source)
    config = gdlab.TrainingConfig(lr=1e-4, steps=10)
    runs = [
        train_problem(problem, config.with_options(optimizer=name, lr=lr))
        for name, lr in [("gd", 1e-4), ("momentum", 1e-4), ("adam", 0.05)]
    ]
    assert reads == {"big.parquet": 1}
    alone = gdlab.fit(source, config)
    assert runs[0].losses == alone.losses and np.array_equal(runs[0].weights, alone.weights)


def test_a_run_keeps_its_statistics_and_its_record_reads_back(table, tmp_path):
    run = gdlab.fit(gdlab.open_files(table, ["x1", "x2"], "y"), lr=1e-4, steps=5)
    path = tmp_path / "run.json"
    run.save(path)
    record = RunRecord.load(path)
    assert record.config == run.config and record.weight_names == run.weight_names
    np.testing.assert_array_equal(record.weights, run.weights)
    np.testing.assert_array_equal(record.statistics.R, run.statistics.R)
    assert record.statistics.n_rows == 3000 and record.steps_run == 5
    assert gdlab.load_record(path) == json.loads(path.read_text())


def test_records_written_by_gdlab_0_1_0_still_load(tmp_path):
    """A 0.1.0 record: fewer config keys, no statistics, no seed in its data section."""
    old = gdlab.demo(0, steps=4).to_record()
    old.pop("statistics")
    old["data"].pop("seed")
    old["config"] = {
        key: old["config"][key]
        for key in ("lr", "steps", "optimizer", "loss", "seed", "engine", "dtype", "intercept")
    } | {"init_std": 0.1, "optimizer_options": {}, "schedule": None, "l2": 0.0, "tol": None,
         "tol_kind": "grad", "standardize": False}  # fmt: skip
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    record = RunRecord.load(path)
    assert record.statistics is None and record.config.steps == 4
    code, out, err = run_cli(
        "plot", str(path), "--kind", "compare", "--out", str(tmp_path / "c.png")
    )
    assert code == 0, err
    code, out, err = run_cli("export", str(path), "--to", "numpy")
    assert code == 0 and "default_rng(0)" in out, err


def test_one_seed_draws_the_start_and_the_record_says_which():
    data = gdlab.seed_dataset(4)
    run = gdlab.fit(data, seed=4, steps=2)
    rng = np.random.default_rng(4)
    rng.standard_normal((2, 50))  # the recipe's draws come first, as in the seed program
    np.testing.assert_array_equal(run.init, rng.normal(0.0, 0.1, size=2))
    assert run.to_record()["data"]["seed"] == 4 and run.config.seed == 4
    other = gdlab.fit(data, seed=9, steps=2)  # another seed: a fresh generator of that seed
    np.testing.assert_array_equal(other.init, np.random.default_rng(9).normal(0.0, 0.1, size=2))
    np.testing.assert_array_equal(gdlab.demo(4, steps=2).init, run.init)
    with pytest.raises(gdlab.ConfigError, match="unknown training option 'rng'"):
        gdlab.fit(data, rng=np.random.default_rng(0))
    after_the_data = np.random.default_rng(4)
    after_the_data.standard_normal((2, 50))
    drawn = start_generator(prepare(data), gdlab.TrainingConfig(seed=4))
    assert drawn.normal() == after_the_data.normal()
