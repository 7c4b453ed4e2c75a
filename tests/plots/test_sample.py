"""Pictures of large files draw an even sample of rows but compute from all of them."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.onepass.files import stream_statistics
from gdlab.plots import plot_run
from gdlab.plots.compare import Member, train_member
from gdlab.plots.sample import evenly_spaced_rows, record_rows, rows_to_draw
from gdlab.plots.view import as_view
from tests.conftest import run_cli, write_table


@pytest.fixture
def three_files(tmp_path):
    """1000 rows (x = row number) in three Parquet files of small row groups."""
    x = np.arange(1000.0)
    y = 1.0 + 0.5 * x + np.random.default_rng(0).normal(size=1000)
    for part, rows in enumerate(np.array_split(np.arange(1000), 3)):
        write_table(tmp_path / f"p{part}.parquet", {"x": x[rows], "y": y[rows]}, 41)
    return gdlab.open_files(tmp_path, ["x"], "y"), y


@pytest.mark.parametrize("max_rows", [1, 7, 30, 499, 600, 5000])
def test_the_sample_is_every_s_th_row_across_batches_and_files(three_files, max_rows):
    source, y = three_files
    sample = evenly_spaced_rows(source, max_rows)
    rows = sample.features[:, 0].astype(int)
    stride = rows[1] - rows[0] if len(rows) > 1 else 1000
    np.testing.assert_array_equal(rows, np.arange(0, 1000, stride))
    np.testing.assert_array_equal(sample.target, y[rows])
    assert min(max_rows, 1000) <= len(rows) <= 2 * max_rows


def test_small_files_are_drawn_whole(three_files):
    source, _ = three_files
    rows, sample_of = rows_to_draw(source)
    assert sample_of is None and rows.n_rows == 1000


def test_a_sampled_view_computes_from_every_row(three_files):
    source, _ = three_files
    run = gdlab.fit(source, lr=3e-9, steps=20)
    rows, sample_of = rows_to_draw(source, max_rows=25, read_whole_bytes=0)
    assert sample_of is source and rows.n_rows < 60
    view = as_view(run, rows, sample_of)
    assert view.n_rows == 1000
    np.testing.assert_allclose(view.optimum_loss, run.analysis.optimum_loss, rtol=1e-12)
    np.testing.assert_allclose(view.loss_at(run.weights), run.losses[-1], rtol=1e-9)
    full = stream_statistics(source)
    np.testing.assert_allclose(view.stats.factor(), full.factor())
    # a compared optimizer trains on all the rows too, from the run's start
    member = train_member(view, Member(optimizer="gd", lr=run.config.lr, is_run=False))
    np.testing.assert_allclose(member.losses, run.losses, rtol=1e-9)


def test_pictures_of_a_large_file_from_the_cli_and_its_record(three_files, tmp_path, monkeypatch):
    import gdlab.plots.sample as sample_module

    monkeypatch.setattr(sample_module, "READ_WHOLE_BYTES", 0)  # every file counts as large
    monkeypatch.setattr(sample_module, "SAMPLE_ROWS", 20)
    source, _ = three_files
    out = tmp_path / "out"
    code, _, err = run_cli(
        "fit", source.source, "--x", "x", "--y", "y", "--lr", "3e-9", "--steps", "10",
        "--out", str(out), "--plot", "diagnostics,landscape",
    )  # fmt: skip
    assert code == 0, err
    assert (out / "diagnostics.png").stat().st_size > 0 and (out / "landscape.png").exists()
    import json

    record = json.loads((out / "run.json").read_text())
    rows, sample_of = record_rows(record)
    assert sample_of is not None and 20 <= rows.n_rows <= 40
    plot_run(record, "animation", tmp_path / "a.gif", frames=3)
    assert (tmp_path / "a.gif").stat().st_size > 0
