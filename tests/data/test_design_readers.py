"""Formulas and text columns through issue 20's readers (separators, typos, --missing) and
issue 15's sample weights, with and without L1."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_cli

pd = pytest.importorskip("pandas")
pytest.importorskip("formulaic")
smf = pytest.importorskip("statsmodels.formula.api")


def table(n: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], size=n)
    y = 1 + 2 * x + pd.Series(g).map({"a": 0.0, "b": 1.5, "c": -1.0}).to_numpy()
    y = y + 0.3 * rng.normal(size=n)
    w = rng.integers(1, 4, size=n).astype(float)
    return pd.DataFrame({"x": x, "g": g, "y": y, "w": w})


def optimum(out: str) -> np.ndarray:
    return np.asarray(json.loads(out)["optimum"]["weights"])


def in_our_order(out: str, params: pd.Series) -> np.ndarray:
    """statsmodels' parameters in the order of the record's weights (bias first)."""
    names = ["Intercept", *json.loads(out)["data"]["features"]]
    named = {name.replace("C(g)", "g"): value for name, value in params.items()}
    return np.array([named[name.replace("C(g)", "g")] for name in names])


def test_a_formula_reads_a_semicolon_file_as_the_readers_do(tmp_path):
    frame = table()
    frame.to_csv(tmp_path / "t.csv", sep=";", index=False)
    code, out, err = run_cli("fit", str(tmp_path / "t.csv"), "--formula", "y ~ x + C(g)", "--json")
    assert code == 0, err
    params = smf.ols("y ~ x + C(g)", frame).fit().params
    np.testing.assert_allclose(optimum(out), in_our_order(out, params), rtol=1e-9)
    code, out, err = run_cli(
        "fit", str(tmp_path / "t.csv"), "--x", "x,g", "--y", "y", "--delimiter", "semicolon",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    np.testing.assert_allclose(optimum(out), in_our_order(out, params), rtol=1e-9)


def test_a_typo_in_a_number_column_is_named_by_its_row_not_encoded(tmp_path):
    frame = table().astype({"x": object})
    frame.loc[5, "x"] = "1.2x"
    frame.to_csv(tmp_path / "t.csv", index=False)
    code, out, err = run_cli("fit", str(tmp_path / "t.csv"), "--x", "x,g", "--y", "y")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "non-numeric value '1.2x' in column 'x' at data row 6" in err, err


def test_missing_drop_with_a_design_is_refused_in_one_line(tmp_path):
    table().to_csv(tmp_path / "t.csv", index=False)
    args = ("fit", str(tmp_path / "t.csv"), "--missing", "drop")
    for how in (("--formula", "y ~ x + C(g)"), ("--x", "x,g", "--y", "y")):
        code, _, err = run_cli(*args, *how)
        assert code == 2 and len(err.strip().splitlines()) == 1
        assert "--missing drop does not work with a formula" in err, err


def repeated(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row as many times as its (whole) weight: what weighted least squares equals."""
    return frame.loc[frame.index.repeat(frame["w"].astype(int))].reset_index(drop=True)


@pytest.mark.parametrize(
    "extra", [("--steps", "4000"), ("--l1", "0.3", "--l2", "0.1", "--steps", "4000")]
)
def test_weights_weigh_a_formula_and_its_l1_optimum_as_repeated_rows(tmp_path, extra):
    frame = table()
    frame.to_csv(tmp_path / "t.csv", index=False)
    repeated(frame).drop(columns="w").to_csv(tmp_path / "r.csv", index=False)
    base = ("--formula", "y ~ x + C(g)", "--loss", "mse", "--json", *extra)
    code, weighted, err = run_cli("fit", str(tmp_path / "t.csv"), "--weights", "w", *base)
    assert code == 0, err
    code, plain, err = run_cli("fit", str(tmp_path / "r.csv"), *base)
    assert code == 0, err
    np.testing.assert_allclose(optimum(weighted), optimum(plain), rtol=1e-8, atol=1e-10)
    trained = np.asarray(json.loads(weighted)["weights"])
    np.testing.assert_allclose(trained, optimum(weighted), atol=1e-5)
    if "--l1" not in extra:
        wls = smf.wls("y ~ x + C(g)", frame, weights=frame["w"]).fit().params
        np.testing.assert_allclose(optimum(weighted), in_our_order(weighted, wls), rtol=1e-9)
