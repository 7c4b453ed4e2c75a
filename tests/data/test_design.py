"""Formulas: the design fixed before the pass, statsmodels' fit in memory, streamed and on
Dask, text columns one-hot encoded, and predictions through the saved formula."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from gdlab.data.designed import DesignedFiles, designed_files, open_design
from gdlab.errors import ConfigError, DataError
from gdlab.onepass.files import stream_statistics
from gdlab.outputs.savedmodel import load_model, save_model
from gdlab.training.fit import fit
from tests.conftest import run_cli

pd = pytest.importorskip("pandas")
pytest.importorskip("formulaic")
smf = pytest.importorskip("statsmodels.formula.api")

FORMULA = "sales ~ x1 + np.log(x2) + C(region) + I(x1**2) + x1:x3"


def shop_frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    """A table with numbers and a text column; 'west' first appears in its last rows."""
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=n), rng.uniform(0.5, 4.0, n), rng.normal(size=n)
    region = rng.choice(["north", "east", "south"], size=n).astype(object)
    region[-3:] = "west"
    effect = pd.Series(region).map({"north": 1.0, "east": -2.0, "south": 0.5, "west": 3.0})
    sales = 5 + 2 * x1 - 3 * np.log(x2) + effect + 0.7 * x1**2 - x1 * x3 + rng.normal(size=n)
    return pd.DataFrame(
        {"x1": x1, "x2": x2, "x3": x3, "region": region, "sales": sales, "id": np.arange(n)}
    )


def by_name(weight_names, values) -> dict[str, float]:
    """Weights keyed as statsmodels names them (the bias is its 'Intercept')."""
    names = ["Intercept" if name == "b" else name for name in weight_names]
    return dict(zip(names, np.asarray(values, dtype=np.float64), strict=True))


def assert_statsmodels_optimum(run, frame: pd.DataFrame, formula: str = FORMULA) -> None:
    """The run's optimum has statsmodels' formula OLS parameters, name by name."""
    reference = smf.ols(formula, frame).fit()
    ours = by_name(run.weight_names, run.analysis.optimum_weights)
    assert set(ours) == set(reference.params.index)
    for name, value in reference.params.items():
        assert ours[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name


def test_in_memory_the_fit_is_statsmodels_formula_ols_with_its_column_names():
    frame = shop_frame()
    run = fit(frame, formula=FORMULA, standardize=True, steps=5000)
    assert run.weight_names == (
        "b",
        "x1",
        "np.log(x2)",
        "C(region)[T.north]",
        "C(region)[T.south]",
        "C(region)[T.west]",
        "I(x1 ** 2)",
        "x1:x3",
    )
    assert_statsmodels_optimum(run, frame)
    assert run.convergence.converged
    record = run.to_record()
    assert record["data"]["features"] == list(run.weight_names[1:])
    assert record["data"]["design"]["levels"]["region"] == [
        "east",
        "north",
        "south",
        "west",
    ]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_streamed_in_small_blocks_the_design_and_the_fit_are_the_same(tmp_path, suffix):
    frame = shop_frame()
    path = tmp_path / f"shop{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    source = designed_files(path, FORMULA)
    assert isinstance(source, DesignedFiles)
    blocks = list(source.batches(batch_rows=7))
    assert len(blocks) == 9 and {b.n_rows for b in blocks[:-1]} == {7}
    # 'west' is only in the last block, yet every block has its column (levels came first)
    assert all(len(block.columns) == 8 for block in blocks)
    west = source.feature_names.index("C(region)[T.west]")
    assert np.all(blocks[0].columns[west] == 0) and np.all(blocks[-1].columns[west][-3:] == 1)
    small = stream_statistics(source, batch_rows=7)
    whole = stream_statistics(source)
    np.testing.assert_allclose(small.optimum(), whole.optimum(), rtol=1e-9)
    run = fit(path, formula=FORMULA, engine="stream", standardize=True, steps=5000)
    assert run.config.engine == "stream"
    assert_statsmodels_optimum(run, frame)


def test_on_dask_the_fit_is_statsmodels_formula_ols(dask_client):
    dd = pytest.importorskip("dask.dataframe")
    frame = shop_frame()
    run = fit(dd.from_pandas(frame, npartitions=4), formula=FORMULA, steps=10)
    assert run.config.engine == "dask"
    assert_statsmodels_optimum(run, frame)


def test_predict_applies_the_saved_formula_as_statsmodels_predicts(tmp_path):
    frame = shop_frame()
    train, new = frame.iloc[:50], frame.iloc[50:].copy()
    train = pd.concat([train, frame.iloc[-3:]])  # the training rows know 'west'
    path = tmp_path / "train.csv"
    train.to_csv(path, index=False)
    new.drop(columns="sales").to_csv(tmp_path / "new.csv", index=False)
    code, out, err = run_cli(
        "fit", str(path), "--formula", FORMULA, "--standardize", "--steps", "20000",
        "--save", str(tmp_path / "model.json"),
    )  # fmt: skip
    assert code == 0, err
    model = load_model(tmp_path / "model.json")
    assert model.design is not None and model.design.formula == FORMULA
    assert json.loads((tmp_path / "model.json").read_text())["design"]["levels"]["region"][0] == (
        "east"
    )
    reference = smf.ols(FORMULA, train).fit()
    expected = reference.predict(new).to_numpy()
    code, out, err = run_cli("predict", str(tmp_path / "model.json"), str(tmp_path / "new.csv"))
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    np.testing.assert_allclose(table["predicted_sales"], expected, rtol=1e-6)
    assert list(table["region"]) == list(new["region"])  # the raw columns come through
    np.testing.assert_allclose(model.predict(new), expected, rtol=1e-6)  # a frame in Python


def test_an_unseen_level_at_predict_time_names_its_row(tmp_path):
    frame = shop_frame().iloc[:40]
    frame.to_csv(tmp_path / "train.csv", index=False)
    new = frame.iloc[:3].copy()
    new.loc[new.index[2], "region"] = "atlantis"
    new.to_csv(tmp_path / "new.csv", index=False)
    model = tmp_path / "model.json"
    assert (
        run_cli("fit", str(tmp_path / "train.csv"), "--formula", FORMULA, "--save", str(model))[0]
        == 0
    )
    code, out, err = run_cli("predict", str(model), str(tmp_path / "new.csv"))
    assert code == 2 and out == ""
    assert "level 'atlantis' of column 'region' at data row 3" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_text_column_in_x_is_one_hot_with_the_first_level_as_reference(tmp_path):
    frame = shop_frame()
    frame.to_csv(tmp_path / "shop.csv", index=False)
    code, out, err = run_cli(
        "fit", str(tmp_path / "shop.csv"), "--x", "x1,region", "--y", "sales",
        "--steps", "3000", "--standardize", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 0, err
    assert (
        "region is text: one-hot encoded, 'east' the reference level (3 columns: "
        "region[T.north], region[T.south], region[T.west])"
    ) in out
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["data"]["features"] == [
        "x1",
        "region[T.north]",
        "region[T.south]",
        "region[T.west]",
    ]
    reference = smf.ols("sales ~ x1 + region", frame).fit()
    ours = by_name(["b", *record["data"]["features"]], record["optimum"]["weights"])
    for name, value in reference.params.items():
        assert ours[name] == pytest.approx(value, rel=1e-9), name


def test_numeric_columns_in_x_stay_plain_files(tmp_path):
    shop_frame().to_csv(tmp_path / "shop.csv", index=False)
    source = open_design(tmp_path / "shop.csv", ["x1", "x2"], "sales")
    assert not isinstance(source, DesignedFiles) and source.feature_names == ("x1", "x2")


def test_bad_formulas_and_cells_are_one_line_errors(tmp_path):
    frame = shop_frame()
    with pytest.raises(ConfigError, match=r"center\(x1\) learns from the rows"):
        fit(frame, formula="sales ~ center(x1)")
    with pytest.raises(ConfigError, match="has no '~'"):
        fit(frame, formula="sales + x1")
    with pytest.raises(DataError, match="no column 'nope'"):
        fit(frame, formula="sales ~ nope")
    zero = frame.copy()
    zero.loc[4, "x2"] = 0.0
    with pytest.raises(DataError, match=r"design column 'np.log\(x2\)' is -inf at data row 5"):
        fit(zero, formula=FORMULA)
    gap = frame.copy()
    gap.loc[6, "region"] = None
    gap.to_csv(tmp_path / "gap.csv", index=False)
    code, _, err = run_cli("fit", str(tmp_path / "gap.csv"), "--formula", FORMULA)
    assert code == 2 and "missing value in column 'region' at data row 7" in err


def test_a_missing_formula_extra_is_a_one_line_error_naming_it(tmp_path, monkeypatch):
    shop_frame().to_csv(tmp_path / "shop.csv", index=False)
    monkeypatch.setitem(sys.modules, "formulaic", None)
    code, out, err = run_cli("fit", str(tmp_path / "shop.csv"), "--formula", FORMULA)
    assert code == 2 and out == ""
    assert err.strip() == "gdlab: formulas need the optional extra: pip install 'gdlab[formula]'"


def test_a_formula_without_intercept_trains_without_one(tmp_path):
    frame = shop_frame()
    run = fit(frame, formula="sales ~ x1 + C(region) - 1", steps=3000)
    assert not run.config.intercept and run.weight_names[0] == "x1"
    assert_statsmodels_optimum(run, frame, "sales ~ x1 + C(region) - 1")
    saved = save_model(run, None, tmp_path / "model.json")
    assert saved.design is not None and not saved.design.intercept
