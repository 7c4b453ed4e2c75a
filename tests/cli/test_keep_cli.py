"""`gdlab stats` keeps a pass; `gdlab fit` merges kept passes and fits several targets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.cli.test_cli import assert_one_line_error
from tests.conftest import run_cli, write_table
from tests.training.test_targets import columns


@pytest.fixture
def parts(tmp_path):
    """The same rows as one table and as three parts."""
    data = columns(5, rows=1200)
    whole = write_table(tmp_path / "all.csv", data)
    pieces = [
        write_table(tmp_path / f"part{i}.csv", {k: v[rows] for k, v in data.items()})
        for i, rows in enumerate(np.array_split(np.arange(1200), 3))
    ]
    return whole, pieces


def fit_json(*args):
    code, out, err = run_cli("fit", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def keep(table, out, *extra):
    code, stdout, err = run_cli(
        "stats", str(table), "--x", "x1,x2", "--y", "y1", "--out", str(out), *extra
    )
    assert code == 0, err
    return stdout


def test_passes_kept_by_every_engine_merge_into_the_fit_of_all_rows(parts, tmp_path, dask_client):
    whole, pieces = parts
    kept = []
    for piece, engine in zip(pieces, ["stats", "stream", "dask"], strict=True):
        out = tmp_path / f"{piece.stem}.gdstats"
        said = keep(piece, out, "--engine", engine)
        assert said.startswith(f"Wrote {out}: the statistics of 400 rows (x1,x2 → y1)")
        assert f"one pass on the {engine} engine" in said
        kept.append(out)
    settings = ("--steps", "25", "--standardize")
    merged = fit_json(*map(str, kept), *settings)
    globbed = fit_json(str(tmp_path / "part*.gdstats"), *settings)
    single = fit_json(str(whole), "--x", "x1,x2", "--y", "y1", *settings)
    assert merged["data"]["n_rows"] == single["data"]["n_rows"] == 1200
    assert merged["data"]["statistics_files"] == 3
    for record in (merged, globbed):
        np.testing.assert_allclose(
            record["optimum"]["weights"], single["optimum"]["weights"], rtol=1e-12
        )
        np.testing.assert_allclose(record["weights"], single["weights"], rtol=1e-10)
        np.testing.assert_allclose(record["losses"], single["losses"], rtol=1e-10)
        assert record["config"]["engine"] == "stats"


@pytest.mark.parametrize("engine", ["stats", "stream"])
def test_weighted_statistics_merge_into_weighted_least_squares(parts, tmp_path, engine):
    _, pieces = parts
    for i, piece in enumerate(pieces):
        said = keep(piece, tmp_path / f"w{i}.gdstats", "--weights", "w", "--engine", engine)
        assert "(x1,x2 → y1, weights w)" in said
    record = fit_json(str(tmp_path / "w*.gdstats"), "--steps", "5")
    data = columns(5, rows=1200)
    A = np.column_stack([np.ones(1200), data["x1"], data["x2"]])
    root = np.sqrt(data["w"])
    expected, *_ = np.linalg.lstsq(A * root[:, None], data["y1"] * root, rcond=None)
    np.testing.assert_allclose(record["optimum"]["weights"], expected, rtol=1e-11)
    assert record["statistics"]["weight_total"] == pytest.approx(data["w"].sum(), rel=1e-14)
    assert record["data"]["weights"] == "w"
    unweighted = tmp_path / "u.gdstats"
    keep(pieces[0], unweighted)
    code, out, err = run_cli("fit", str(tmp_path / "w0.gdstats"), str(unweighted))
    assert_one_line_error(code, out, err, 2, f"{unweighted}: its statistics are of x1,x2 → y1")


def test_files_that_disagree_are_refused_in_one_line_naming_the_file(parts, tmp_path):
    _, pieces = parts
    first, other = tmp_path / "a.gdstats", tmp_path / "b.gdstats"
    keep(pieces[0], first)
    code, _, err = run_cli("stats", str(pieces[1]), "--x", "x1", "--y", "y1", "--out", str(other))
    assert code == 0, err
    code, out, err = run_cli("fit", str(first), str(other))
    assert_one_line_error(code, out, err, 2, f"{other}: its statistics are of x1 → y1", str(first))
    cases = [
        (("--no-intercept",), "kept with an intercept; this fit has none (--no-intercept)"),
        (("--x", "x2,x1"), "not --x x2,x1"),
        (("--y", "y2"), "not --y y2"),
        (("--engine", "dense"), "train on the stats engine, not dense"),
        (("--validation", "0.2"), "--validation needs the data itself"),
        (("--loss", "huber"), "fit a quadratic loss (l2 or mse), not huber"),
    ]
    for extra, message in cases:
        code, out, err = run_cli("fit", str(first), *extra)
        assert_one_line_error(code, out, err, 2, message)
    code, out, err = run_cli("fit", str(first), str(pieces[0]))
    assert_one_line_error(code, out, err, 2, "either table files or .gdstats")


def test_stats_refuses_what_it_cannot_keep(parts, tmp_path):
    _, pieces = parts
    piece = str(pieces[0])
    cases = [
        (("--out", str(tmp_path / "s.json")), "statistics files end in .gdstats"),
        (("--out", str(tmp_path / "s.gdstats"), "--y", "y1,y2"), "keeps one target"),
        (("--out", str(tmp_path / "s.gdstats"), "--weights", "x1"), "cannot also be a feature"),
        (("--out", str(tmp_path / "s.gdstats"), "--weights", "nope"), "nope"),
    ]
    for extra, message in cases:
        y = () if "--y" in extra else ("--y", "y1")
        code, out, err = run_cli("stats", piece, "--x", "x1,x2", *y, *extra)
        assert_one_line_error(code, out, err, 2, message)
    assert not (tmp_path / "s.gdstats").exists()


def test_several_targets_print_one_record_each_equal_to_the_target_alone(parts):
    whole, _ = parts
    settings = ("--x", "x1,x2", "--steps", "30", "--standardize")
    both = fit_json(str(whole), "--y", "y1,y2", *settings)
    assert [record["data"]["target"] for record in both["runs"]] == ["y1", "y2"]
    for record in both["runs"]:
        alone = fit_json(str(whole), "--y", record["data"]["target"], *settings)
        np.testing.assert_allclose(
            record["optimum"]["weights"], alone["optimum"]["weights"], rtol=1e-12
        )
        np.testing.assert_allclose(record["weights"], alone["weights"], rtol=1e-10)
        np.testing.assert_allclose(record["losses"], alone["losses"], rtol=1e-10)
        assert record["data"]["features"] == ["x1", "x2"]


def test_several_targets_write_one_run_folder_each(parts, tmp_path):
    whole, _ = parts
    out = tmp_path / "runs"
    code, stdout, err = run_cli(
        "fit", str(whole), "--x", "x1,x2", "--y", "y2,y3", "--steps", "5", "--out", str(out),
        "--plot", "landscape",
    )  # fmt: skip
    assert code == 0, err
    assert "gdlab fit" in stdout and "(target y2)" in stdout and "(target y3)" in stdout
    for name in ("y2", "y3"):
        record = json.loads((out / name / "run.json").read_text())
        assert record["data"]["target"] == name
        assert (out / name / "landscape.png").exists()
        assert f"Wrote {out / name / 'run.json'}" in stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--y", "y1,y1"), "target 'y1' is given twice in --y"),
        (("--y", "x1,y1"), "column 'x1' is both a feature (--x) and a target (--y)"),
        (("--y", "y1,y2", "--save", "m.json"), "--save writes one run's file"),
        (("--y", "y1,y2", "--validation", "0.3"), "--validation FRACTION holds out rows"),
    ],
)
def test_bad_target_lists_are_one_line_errors(parts, extra, message):
    whole, _ = parts
    code, out, err = run_cli("fit", str(whole), "--x", "x1,x2", *extra)
    assert_one_line_error(code, out, err, 2, message)


def test_kept_statistics_draw_the_landscape_and_say_why_not_the_points(parts, tmp_path):
    _, pieces = parts
    kept = tmp_path / "a.gdstats"
    keep(pieces[0], kept)
    out = tmp_path / "run"
    code, stdout, err = run_cli("fit", str(kept), "--plot", "landscape", "--out", str(out))
    assert code == 0, err
    assert (out / "landscape.png").exists() and f"Wrote {out / 'landscape.png'}" in stdout
    code, out_text, err = run_cli("fit", str(kept), "--plot", "diagnostics", "--out", str(out))
    assert_one_line_error(code, out_text, err, 2, "statistics files", "keep no rows", "--data")
    code, out_text, err = run_cli(
        "plot", str(out / "run.json"), "--kind", "diagnostics", "--data", str(pieces[0]),
        "--out", str(tmp_path / "d.png"),
    )  # fmt: skip
    assert code == 0, err
    code, out_text, err = run_cli("fit", str(kept), "--save", str(tmp_path / "m.json"))
    assert_one_line_error(code, out_text, err, 2, "--save: a saved model keeps the fingerprint")
    assert not (tmp_path / "m.json").exists()
