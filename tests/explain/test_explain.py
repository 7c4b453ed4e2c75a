"""`explain` answers the seed's questions with the run's numbers, in English and Korean."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.explain import explain, gather
from gdlab.explain.facts import as_fraction, num
from tests.conftest import run_cli, write_csv


@pytest.fixture(scope="module")
def seed_run():
    return gdlab.demo(0)


def test_seed_explanation_says_a_third_xtx_and_the_steps(seed_run):
    text = " ".join(explain(seed_run, "en").split())
    outlook = seed_run.analysis.outlook
    assert seed_run.analysis.lr_max_stable == pytest.approx(0.006, rel=0.01)
    assert "0.002 is about a third of that bound" in text
    assert "XᵀX = Σ xᵢxᵢᵀ, a sum over the 50 rows" in text
    assert "the rate would have to halve" in text
    assert "within 0.1% of its minimum" in text
    assert f"after {outlook.steps_to_gap} steps" in text
    assert "λ_min" in text and "column of ones" in text.lower()
    assert len(explain(seed_run).splitlines()) <= 45  # one screen


def test_korean_says_the_same_with_the_same_numbers(seed_run):
    english = " ".join(explain(seed_run, "en").split())
    korean = " ".join(explain(seed_run, "ko").split())
    assert "약 3분의 1" in korean and "XᵀX" in korean and "절반" in korean
    assert f"{seed_run.analysis.outlook.steps_to_gap}단계가 걸립니다" in korean
    for number in gather(seed_run).numbers():
        assert number in english and number in korean, number
    assert sorted(numbers_in(english)) == sorted(numbers_in(korean))


def numbers_in(text):
    """Every decimal number printed (the step-count words differ, the values must not)."""
    import re

    return re.findall(r"−?\d+\.\d+", text)


def test_step_one_is_written_out_with_the_runs_numbers(seed_run):
    text = " ".join(explain(seed_run).split())
    b0, a0 = seed_run.init
    g = seed_run.gradients[0]
    b1, a1 = seed_run.path[1]
    assert f"b: {num(b0)} − 0.002 × ({num(g[0])}) = {num(b1)}" in text
    assert f"a: {num(a0)} − 0.002 × ({num(g[1])}) = {num(a1)}" in text
    np.testing.assert_allclose(seed_run.path[1], seed_run.init - 0.002 * g)


def test_a_divergent_rate_is_explained_in_both_languages():
    with pytest.warns(gdlab.errors.LearningRateWarning):
        run = gdlab.fit(gdlab.seed_dataset(0), lr=0.02, steps=30, raise_on_divergence=False)
    text = " ".join(explain(run).split())
    assert "diverges" in text and "never reaches the optimum" in text
    assert "발산합니다" in explain(run, "ko")


@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        ({"standardize": True, "lr": 0.01}, "This run centred and scaled the features"),
        ({"intercept": False}, "no column of ones"),
        ({"optimizer": "momentum", "lr": 0.001}, "momentum reshapes that step"),
        ({"l2": 2.0}, "∇L = Xᵀ(Xw − y) + λw"),
        ({"loss": "mse", "lr": 0.05}, "(2/N)·XᵀX"),
    ],
)
def test_variants_are_told_truthfully(options, phrase):
    run = gdlab.fit(gdlab.seed_dataset(1), steps=20, **options)
    assert phrase in " ".join(explain(run).split())
    assert explain(run, "ko")


def test_fractions_are_named_only_when_close():
    assert (as_fraction(0.5).numerator, as_fraction(0.5).denominator) == (1, 2)
    assert (as_fraction(0.68).numerator, as_fraction(0.68).denominator) == (2, 3)
    assert not as_fraction(0.45).simple and not as_fraction(1.5).simple


def test_cli_explain_without_data_explains_the_seed(tmp_path):
    code, out, err = run_cli("explain", "--lang", "ko")
    assert code == 0, err
    assert out.startswith("gdlab 설명: 시드 데이터(점 50개)") and "3분의 1" in out
    code, out, err = run_cli("explain", "--lang", "fr")
    assert code == 2 and "unknown language 'fr'" in err


def test_cli_explain_a_file_with_fit_options(tmp_path):
    rows = [f"{x},{2 * x + 1 + 0.1 * (-1) ** i}" for i, x in enumerate(np.linspace(0, 5, 30))]
    path = write_csv(tmp_path / "d.csv", "u,v", rows)
    code, out, err = run_cli("explain", str(path), "--x", "u", "--y", "v", "--lr", "1")
    assert code == 0 and err == "", err
    assert "diverges" in out and "d.csv (30 rows)" in " ".join(out.split())
    code, _, err = run_cli("explain", str(path), "--x", "u")
    assert code == 2 and "--y" in err
