"""`gdlab plot`, and `--plot` / `--compare` on fit and demo: files, formats, one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.cli.test_cli import assert_one_line_error
from tests.conftest import run_cli, write_csv

PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    code, out, err = run_cli("demo", "--out", str(folder), "--steps", "8", "--plot", "seed")
    assert code == 0, err
    assert f"{folder / 'seed.png'}" in out
    return folder


@pytest.fixture
def two_feature_csv(tmp_path):
    rng = np.random.default_rng(2)
    rows = [f"{a},{b},{1 + 2 * a - b + rng.normal(0, 0.1)}" for a, b in rng.normal(size=(30, 2))]
    return write_csv(tmp_path / "two.csv", "u,v,t", rows)


def test_seed_kind_is_the_seed_figure_exactly(demo_dir, tmp_path):
    figure = (demo_dir / "figure.png").read_bytes()
    assert (demo_dir / "seed.png").read_bytes() == figure
    code, _, err = run_cli(
        "plot", str(demo_dir / "run.json"), "--kind", "seed", "--out", str(tmp_path / "s.png")
    )
    assert code == 0, err
    assert (tmp_path / "s.png").read_bytes() == figure


def test_plot_writes_the_default_file_and_an_animation(demo_dir, tmp_path):
    gif = tmp_path / "a.gif"
    code, out, err = run_cli(
        "plot",
        str(demo_dir / "run.json"),
        "--kind",
        "animation",
        "--frames",
        "3",
        "--out",
        str(gif),
    )
    assert code == 0, err
    assert out.strip() == f"Wrote {gif}"
    with Image.open(gif) as image:
        assert image.n_frames == 3

    code, out, err = run_cli("plot", str(demo_dir / "run.json"), "--theme", "dark", "--dpi", "40")
    assert code == 0, err
    assert (demo_dir / "landscape.png").read_bytes()[:4] == PNG


def test_fit_plot_and_compare_write_into_out(two_feature_csv, tmp_path):
    out_dir = tmp_path / "o"
    code, out, err = run_cli(
        "fit", str(two_feature_csv), "--x", "u,v", "--y", "t", "--lr", "0.01", "--steps", "30",
        "--out", str(out_dir), "--plot", "diagnostics", "--compare", "gd:0.02", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["data"]["features"] == ["u", "v"]
    names = sorted(path.name for path in out_dir.iterdir())
    assert names == ["compare.png", "diagnostics.png", "run.json"]
    assert all((out_dir / name).read_bytes()[:4] == PNG for name in names if name != "run.json")

    code, _, err = run_cli("plot", str(out_dir / "run.json"), "--kind", "seed")
    assert_one_line_error(code, "", err, 2, "seed figure needs one feature")

    moved = two_feature_csv.rename(tmp_path / "moved.csv")
    # The landscape needs no data points: the record's statistics draw it.
    code, _, err = run_cli(
        "plot", str(out_dir / "run.json"), "--weights", "u,v", "--out", str(tmp_path / "l.svg")
    )
    assert code == 0, err
    assert (tmp_path / "l.svg").read_text().lstrip().startswith("<?xml")
    # Diagnostics draw the points: a moved file is one line naming it, --data finds it.
    code, _, err = run_cli(
        "plot", str(out_dir / "run.json"), "--kind", "diagnostics", "--out", str(tmp_path / "d.png")
    )
    assert_one_line_error(code, "", err, 2, "two.csv")
    code, _, err = run_cli(
        "plot", str(out_dir / "run.json"), "--kind", "diagnostics", "--data", str(moved),
        "--out", str(tmp_path / "d.png"),
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "d.png").read_bytes()[:4] == PNG


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--kind", "heatmap"], ["unknown picture kind 'heatmap'", "landscape"]),
        (["--out", "x.jpg"], ["x.jpg", ".png"]),
        (["--kind", "animation", "--out", "x.png"], [".gif or .mp4"]),
        (["--kind", "animation", "--fps", "0"], ["fps must be between 1 and 50"]),
        (["--compare", "gd:fast"], ["'fast' is not a learning rate"]),
        (["--kind", "landscape", "--compare", "gd"], ["--compare goes with --kind compare"]),
        (["--weights", "b,q"], ["no weight named 'q'", "b, x"]),
        (["--theme", "sepia"], ["unknown theme 'sepia'"]),
    ],
)
def test_bad_plot_options_exit_2_with_one_line(demo_dir, tmp_path, args, fragments):
    code, out, err = run_cli("plot", str(demo_dir / "run.json"), *args)
    assert_one_line_error(code, out, err, 2, *fragments)


def test_bad_records_and_plot_flags_exit_2(demo_dir, tmp_path):
    assert_one_line_error(*run_cli("plot", str(tmp_path / "none.json")), 2, "no such file")
    assert_one_line_error(
        *run_cli("plot", str(demo_dir / "figure.png")), 2, "not a readable run record"
    )
    code, out, err = run_cli("demo", "--out", str(tmp_path / "d"), "--plot", "bogus")
    assert_one_line_error(code, out, err, 2, "unknown picture kind 'bogus'")
    assert not (tmp_path / "d").exists()
    csv = write_csv(tmp_path / "p.csv", "x,y", ["1,2", "2,4", "3,6.5"])
    code, out, err = run_cli("fit", str(csv), "--x", "x", "--y", "y", "--plot", "landscape")
    assert_one_line_error(code, out, err, 2, "--plot and --compare need --out DIR")


def test_a_record_is_drawn_from_anywhere_and_a_moved_file_says_to_pass_data(
    two_feature_csv, tmp_path, monkeypatch
):
    monkeypatch.chdir(two_feature_csv.parent)
    code, _, err = run_cli("fit", two_feature_csv.name, "--x", "u,v", "--y", "t", "--lr",
                           "0.01", "--steps", "20", "--out", "r")  # fmt: skip
    assert code == 0, err
    run_json = str(two_feature_csv.parent / "r" / "run.json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the record's relative path names nothing here
    code, _, err = run_cli("plot", run_json, "--kind", "diagnostics", "--out", "d.png")
    assert code == 0, err
    moved = two_feature_csv.rename(tmp_path / "moved.csv")
    code, out, err = run_cli("plot", run_json, "--kind", "diagnostics", "--out", "d.png")
    assert_one_line_error(code, out, err, 2)
    assert f"the run's data {two_feature_csv.name} is not there any more" in err
    assert f"(it was at {two_feature_csv}); pass its new place with --data FILE" in err
    code, _, err = run_cli("plot", run_json, "--kind", "diagnostics", "--data", str(moved))
    assert code == 0, err
    code, _, err = run_cli("plot", run_json, "--kind", "landscape", "--out", "l.png")
    assert code == 0, err  # the record's statistics draw it: no need for the rows


def test_diagnostics_weights_in_the_units_asked_for(two_feature_csv, tmp_path):
    code, _, err = run_cli("fit", str(two_feature_csv), "--x", "u,v", "--y", "t", "--lr",
                           "0.01", "--steps", "20", "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0, err
    run_json = str(tmp_path / "r" / "run.json")
    for units in ("data", "standardized", "auto"):
        code, _, err = run_cli("plot", run_json, "--kind", "diagnostics", "--units", units,
                               "--out", str(tmp_path / f"{units}.png"))  # fmt: skip
        assert code == 0, err
        assert (tmp_path / f"{units}.png").read_bytes()[:4] == PNG
    code, out, err = run_cli("plot", run_json, "--kind", "diagnostics", "--units", "si")
    assert_one_line_error(code, out, err, 2, "unknown weight units 'si'")
