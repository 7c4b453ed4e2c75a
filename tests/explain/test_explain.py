"""`explain` answers the seed's questions with the run's numbers, in English and Korean."""

from __future__ import annotations

import re

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
    assert f"within 0.1% of its minimum (below 75.46) after {outlook.steps_to_gap} updates" in text
    assert "the slowest direction is the flattest one" in text
    assert "λ_min" in text and "column of ones" in text.lower()
    for lang in ("en", "ko"):
        assert len(explain(seed_run, lang).splitlines()) <= 50  # one screen


def test_korean_says_the_same_with_the_same_numbers(seed_run):
    english = " ".join(explain(seed_run, "en").split())
    korean = " ".join(explain(seed_run, "ko").split())
    assert "약 3분의 1" in korean and "XᵀX" in korean and "절반" in korean
    steps = seed_run.analysis.outlook.steps_to_gap
    assert f"{steps}번째 업데이트에서 최솟값의 0.1% 안(75.46 아래)에 들어옵니다" in korean
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
        (
            {"optimizer": "momentum", "lr": 0.001},
            "heavy-ball momentum's first update is plain gradient descent's",
        ),
        ({"l2": 2.0}, "∇L = Xᵀ(Xw − y) + λ·(0, a)"),
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
    assert out.startswith("gdlab 설명: 예제 데이터(점 50개)") and "3분의 1" in " ".join(out.split())
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


def test_gradient_descent_is_defined_in_one_sentence(seed_run):
    """The note asks '경사하강법이란?': one sentence says it, in each language."""
    english = " ".join(explain(seed_run, "en").split())
    korean = " ".join(explain(seed_run, "ko").split())
    sentence = re.search(r"Gradient descent makes the loss smaller [^.]*\.", english).group(0)
    assert "against its gradient ∇L" in sentence and "w ← w − η·∇L(w)" in sentence
    sentence = re.search(r"경사 하강법은 [^.]*방법입니다", korean).group(0)
    assert "그래디언트 ∇L의 반대쪽으로" in sentence and "되풀이" in sentence


def test_reduce_mean_of_l2_loss_is_half_the_sum_in_both_languages(seed_run):
    """reduce_mean(l2_loss(e)) = ½Σe²: l2_loss is already a scalar, its mean is itself."""
    data = gdlab.seed_dataset(0)
    A = gdlab.design_matrix(data.features)
    error = A @ seed_run.init - data.target
    half_sum = 0.5 * float(error @ error)
    assert np.mean(np.float64(half_sum)) == half_sum  # the mean of one number changes nothing
    assert seed_run.initial_loss == pytest.approx(half_sum, rel=1e-12)
    english = " ".join(explain(seed_run, "en").split())
    korean = " ".join(explain(seed_run, "ko").split())
    assert "reduce_mean(l2_loss(e)), e = ŷ − y, is exactly ½·Σe²" in english
    assert "l2_loss(e) already returns that one number" in english
    assert "'reduce' collapses dimensions" in english and "the mean changes nothing" in english
    assert "reduce_mean(l2_loss(e)) 부분(e = ŷ − y)은 결국 ½·Σe² 값입니다" in korean
    assert "'reduce'는 '줄여 나간다'가 아니라" in korean and "차원을 줄인다" in korean
    assert "평균을 내도 바뀌는 것이 없고" in korean and "평균이 아니라 합" in korean
    mse = gdlab.fit(data, lr=0.05, loss="mse", steps=5)
    assert "the mean of it changes nothing" in " ".join(explain(mse).split())


@pytest.mark.parametrize(
    ("optimizer", "per_step"), [("adam", 1.0), ("adagrad", 1.0), ("rmsprop", 10**0.5)]
)
def test_adaptive_eta_is_a_step_per_weight_not_gds_bound(optimizer, per_step):
    """For Adam, AdaGrad and RMSProp η is a step length per weight: the first update moves
    every weight by about η (RMSProp: η/√(1 − ρ)), and 2/λ_max does not apply."""
    run = gdlab.fit(gdlab.seed_dataset(0), lr=0.1, steps=30, optimizer=optimizer)
    moves = np.abs(run.path[1] - run.path[0])
    np.testing.assert_allclose(moves, 0.1 * per_step, rtol=1e-6)
    english = " ".join(explain(run, "en").split())
    korean = " ".join(explain(run, "ko").split())
    shown = f"({num(moves[0])}, {num(moves[1])})"
    assert f"Its first update moved the weights by {shown}" in english
    assert f"첫 번째 업데이트는 가중치를 {shown}만큼 옮겼고" in korean
    assert "makes η a step length per weight" in english
    bound = num(run.analysis.lr_max_stable)
    assert f"Plain gradient descent's bound 2/λ_max = {bound} does not apply." in english
    assert f"기본 경사 하강법의 한계(2/λ_max = {bound})는 여기에 적용되지 않습니다" in korean
    assert "η < 2/λ_max" not in english and "converges at this rate" not in english


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_momentum_has_an_effective_rate_and_its_own_bound(optimizer):
    """η/(1 − β) along flat directions, and the bound 2(1+β)/λ_max (Nesterov: /(1+2β))."""
    run = gdlab.fit(
        gdlab.seed_dataset(0),
        lr=0.001,
        steps=30,
        optimizer=optimizer,
        optimizer_options={"momentum": 0.9},
    )
    lam = run.analysis.hessian_eigenvalues[-1]
    bound = 2 * 1.9 / lam if optimizer == "momentum" else 2 * 1.9 / (2.8 * lam)
    english = " ".join(explain(run, "en").split())
    korean = " ".join(explain(run, "ko").split())
    assert "the effective rate η/(1 − β) = 0.01, 10 times η" in english
    assert "유효 학습률 η/(1 − β) = 0.01(η의 10배)" in korean
    assert f" = {num(bound)}, not plain gradient descent's 2/λ_max" in english
    assert f" = {num(bound)}이며, 기본 경사 하강법의 한계" in korean
    assert "so it converges at this rate" in english and "이 학습률에서 수렴합니다" in korean


def test_cli_explain_in_korean_speaks_of_the_runs_own_optimizer_and_stop():
    code, out, err = run_cli("explain", "--optimizer", "adam", "--lr", "0.1", "--lang", "ko")
    assert code == 0, err
    text = " ".join(out.split())
    assert "옵티마이저 adam" in text and "가중치마다의 스텝 크기" in text
    assert "여기에 적용되지 않습니다" in text and "기본 경사 하강법은 수렴합니다" not in text
    code, out, err = run_cli("explain", "--lr", "0.0065", "--lang", "ko")
    assert code == 0 and err == "", err
    assert "업데이트 10번(요청 50번, 발산)" in out
    assert "302에서 329.8까지 늘어납니다" in " ".join(out.split())
