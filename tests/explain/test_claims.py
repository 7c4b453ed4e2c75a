"""Every claim `explain` makes, in English and in Korean, is checked against the run's own
numbers, over generated runs: every optimizer, rates below and above the stable bound,
standardised or not, with or without the column of ones, l2/mse/Huber, full or mini-batch.

The claims are read back from the printed text (rose or fell, from what to what; why the
run stopped after how many updates; how close to the minimum it came; which stable bound
applies and whether it converges; the predicted step count; the slowest direction), so a
sentence that says the wrong thing, or prints two different numbers alike, fails here.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import gdlab
from gdlab.analysis.quadratic import convergence_gap, momentum_lr_bound
from gdlab.explain import explain
from tests.explain.test_terms import check_english_terms, check_terms

NUMBER = r"(−?\d+(?:\.\d+)?(?:×10\^−?\d+)?|∞)"


def value(text: str) -> float:
    """A number as `explain` prints it ('−1.5×10^−6', '∞') back to a float."""
    if text == "∞":
        return math.inf
    return float(text.replace("−", "-").replace("×10^", "e"))


def printed(text: str, number: float) -> bool:
    """True when `text` is `number` to the digits printed (±1 in the last one)."""
    if not math.isfinite(number):
        return text == "∞"
    digits = text.replace("−", "").split("×")[0].replace(".", "").lstrip("0")
    return math.isclose(value(text), number, rel_tol=1.5 * 10.0 ** (1 - len(digits)))


def flat(text: str) -> str:
    """The text on one line (wrapping only breaks lines at spaces)."""
    return " ".join(text.split())


def make_run(draw_data, options):
    """fit() on the drawn data with the drawn options (warnings of a past-bound rate off)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdlab.LearningRateWarning)
        return gdlab.fit(draw_data, raise_on_divergence=False, **options)


@st.composite
def run_specs(draw):
    """The recipe of a run: data, any optimizer, a rate below or above its stable bound."""
    n_rows = draw(st.integers(8, 60))
    optimizer = draw(st.sampled_from(["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]))
    options = {
        "optimizer": optimizer,
        "steps": draw(st.integers(1, 80)),
        "standardize": draw(st.booleans()),
        "intercept": draw(st.booleans()),
        "loss": draw(st.sampled_from(["l2", "mse", "huber"])),
        "seed": draw(st.integers(0, 1000)),
    }
    if draw(st.booleans()):
        options["batch_size"] = draw(st.integers(1, n_rows - 1))
    if optimizer in ("momentum", "nesterov"):
        options["optimizer_options"] = {"momentum": draw(st.sampled_from([0.3, 0.9]))}
    if optimizer == "gd" and draw(st.booleans()):
        options["tol"] = 1e-3
    adaptive = optimizer in ("adagrad", "rmsprop", "adam")
    rates = [1e-3, 0.03, 0.3, 3.0] if adaptive else [0.3, 0.7, 0.97, 1.03, 1.5, 3.0]
    return {
        "data_seed": draw(st.integers(0, 2**32 - 1)),
        "n_rows": n_rows,
        "n_features": draw(st.integers(1, 3)),
        "offset": draw(st.sampled_from([0.0, 1.0, 5.0])),
        "scale": draw(st.sampled_from([0.5, 1.0, 3.0])),
        "options": options,
        "rate": draw(st.sampled_from(rates)),  # η itself, or a multiple of the bound
    }


def build(spec):
    """The run a recipe describes (rates of gd and momentum relative to their bound)."""
    rng = np.random.default_rng(spec["data_seed"])
    shape = (spec["n_rows"], spec["n_features"])
    X = rng.normal(spec["offset"], spec["scale"], size=shape)
    y = X @ rng.normal(0, 2, shape[1]) + rng.normal(0, 2) + rng.normal(0, 1, shape[0])
    data, options = gdlab.from_arrays(X, y), spec["options"]
    lr = spec["rate"]
    if options["optimizer"] in ("gd", "momentum", "nesterov"):
        lr *= bound_of(make_run(data, {**options, "lr": 1e-9, "steps": 1}))
    return make_run(data, {**options, "lr": lr})


def bound_of(run) -> float:
    """The largest stable rate of the run's optimizer, computed here from its eigenvalues."""
    optimizer = run.config.optimizer
    eigenvalues = run.analysis.hessian_eigenvalues
    if optimizer in ("momentum", "nesterov"):
        beta = run.config.optimizer_options.get("momentum", 0.9)
        return momentum_lr_bound(eigenvalues, beta, optimizer == "nesterov")
    return 2 / eigenvalues[-1]


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(run_specs())
def test_every_claim_is_true_of_the_run(spec):
    run = build(spec)
    note(f"config: {run.config}, stop: {run.stop_reason}, losses: {len(run.losses)}")
    note(explain(run, "en"))
    note(explain(run, "ko"))
    check_claims(run)


VARIANTS = {
    "plain": {},
    "standardize": {"standardize": True},
    "no-intercept": {"intercept": False},
    "huber": {"loss": "huber"},
    "mini-batch": {"batch_size": 7},
    "mse": {"loss": "mse"},
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("below", [True, False], ids=["below-bound", "above-bound"])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_every_claim_is_true_on_a_grid(optimizer, below, variant):
    """Each optimizer below and above its bound (adaptive: a small and a large η), each
    variant, on the seed's data: the same checks as the generated runs."""
    options = {"optimizer": optimizer, "steps": 60, **VARIANTS[variant]}
    data = gdlab.seed_dataset(3)
    if optimizer in ("adagrad", "rmsprop", "adam"):
        lr = 0.05 if below else 5.0
    else:
        lr = bound_of(make_run(data, {**options, "lr": 1e-9, "steps": 1})) * (0.6 if below else 1.4)
    check_claims(make_run(data, {**options, "lr": lr}))


def check_claims(run):
    """Read every claim back from both texts and check it against the run's numbers."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw Python warning while explaining
        english, korean = flat(explain(run, "en")), flat(explain(run, "ko"))
    check_terms(korean)
    check_english_terms(english)
    check_header(run, english, korean)
    check_trends(run, english, korean)
    check_stop(run, english, korean)
    check_closeness(run, english, korean)
    check_bound(run, english, korean)
    check_prediction(run, english, korean)


def check_header(run, english, korean):
    """'10 of 50 steps (diverged)' / '업데이트 10번(요청 50번, 발산)' when cut short."""
    k, n = len(run.losses), run.config.steps
    if k == n and run.stop_reason == "steps":
        assert f", {k} steps, loss" in english
        assert f", 업데이트 {k}번, 손실" in korean
    else:
        words = {"diverged": "diverged", "tol": "tolerance met", "stopped": "stopped"}
        assert f", {k} of {n} steps ({words[run.stop_reason]})" in english
        hangul = {"diverged": "발산", "tol": "허용 오차 도달", "stopped": "중단"}
        assert f"업데이트 {k}번(요청 {n}번, {hangul[run.stop_reason]})" in korean


def check_trends(run, english, korean):
    """Every 'falls/rises from A to B' goes the way its numbers go, and they are the run's."""
    final, first = run.final_loss, run.losses[0]
    for verb, a, b in re.findall(rf"(falls|rises) from {NUMBER} to {NUMBER}", english):
        assert a != b, (a, b)  # different numbers print differently
        assert (value(b) < value(a)) == (verb == "falls"), (verb, a, b)
        assert printed(a, run.initial_loss) and (printed(b, final) or printed(b, first))
    for a, b, verb in re.findall(rf"{NUMBER}에서 {NUMBER}까지 (줄|늘)", korean):
        if printed(a, run.initial_loss):
            assert a != b and (value(b) < value(a)) == (verb == "줄"), (verb, a, b)
    whole = rf"It (falls from {NUMBER} to {NUMBER}|rises from {NUMBER} to {NUMBER}|stays at"
    over = re.search(whole + rf" {NUMBER}) over the (\d+) updates? of this run", english)
    if math.isfinite(final):
        assert over is not None and int(over.groups()[-1]) == len(run.losses)
        said = over.group(1).split()[0]
        if said == "falls":
            assert final < run.initial_loss
        if said == "rises":
            assert final > run.initial_loss
        assert f"업데이트 {len(run.losses)}번 동안 손실은" in korean
    else:
        assert "overflows (∞)" in english and "부동소수점 범위를 넘어섰습니다(∞)" in korean


def check_stop(run, english, korean):
    """Diverged, stopped by the tolerance, or all updates made: said only when true."""
    k, n = len(run.losses), run.config.steps
    diverged = run.stop_reason == "diverged"
    assert ("it diverged" in english) == diverged
    assert ("(발산)" in korean or "발산한 것입니다" in korean) == diverged
    if run.stop_reason == "steps":
        assert f"This run made all {k} updates" in english or "made its 1 update" in english
        assert f"요청한 업데이트 {k}번을 모두 마쳤습니다" in korean
    elif k < n:
        assert f"after {k} of the {n} updates asked for" in english
        assert f"요청한 {n}번 가운데 {k}번째 업데이트에서" in korean


def check_closeness(run, english, korean):
    """'got within 0.1% of its minimum at update R' and 'ends X% above' match the losses."""
    optimum = run.analysis.optimum_loss
    gap = convergence_gap(optimum, run.initial_loss)
    losses = [run.initial_loss, *run.losses]
    got = re.search(r"Its loss got within .*? \(below [^)]*\) at update (\d+)", english)
    if got:
        step = int(got.group(1))
        assert losses[step] - optimum <= gap and all(v - optimum > gap for v in losses[:step])
        assert run.final_loss - optimum <= gap
        assert f"손실은 {step}번째 업데이트에서" in korean
    ends = re.search(rf"Its loss ends {NUMBER}% above its minimum", english)
    if ends:
        assert run.final_loss - optimum > gap
        assert printed(ends.group(1), 100 * (run.final_loss - optimum) / optimum)
        assert f"최솟값보다 {ends.group(1)}% 위에" in korean
    times = re.search(rf"Its loss ends at {NUMBER}, {NUMBER} times its minimum", english)
    if times:
        assert printed(times.group(1), run.final_loss)
        assert printed(times.group(2), run.final_loss / optimum) and run.final_loss >= 10 * optimum
        assert f"최솟값의 {times.group(2)}배입니다" in korean


def check_bound(run, english, korean):
    """The bound that applies to the run's optimizer, its value and the verdict."""
    lr, optimizer = run.config.lr, run.config.optimizer
    gd_bound = run.analysis.lr_max_stable
    stated = re.search(rf"η < 2/λ_max = {NUMBER}", english)
    if optimizer in ("adagrad", "rmsprop", "adam"):
        assert stated is None and "converges at this rate" not in english
        assert re.search(rf"bound 2/λ_max = {NUMBER} does not apply", english)
        assert (
            "여기에 적용되지 않습니다" in korean and "기본 경사 하강법은 수렴합니다" not in korean
        )
        assert "a step length per weight" in english and "가중치마다의 스텝 크기" in korean
        return
    if optimizer == "gd":
        assert stated is not None and printed(stated.group(1), gd_bound)
        assert f"η < 2/λ_max = {stated.group(1)}일 때에만" in korean or run.config.loss == "huber"
        best = re.search(rf"= {NUMBER}\. At η = ", english)
        if best:
            same = math.isclose(run.analysis.lr_optimal, gd_bound, rel_tol=1e-9)
            assert (best.group(1) == stated.group(1)) == same
        if run.config.loss == "huber":
            sure = lr < gd_bound
            assert ("so plain gradient descent is sure to converge" in english) == sure
            assert ("기본 경사 하강법은 반드시 수렴합니다" in korean) == sure
        elif lr < gd_bound:
            assert "plain gradient descent converges at this rate" in english
            assert "기본 경사 하강법은 수렴합니다" in korean
        elif lr > gd_bound:
            assert "plain gradient descent diverges at this rate" in english
            assert "기본 경사 하강법은 발산합니다" in korean
        return
    formula = "2(1 + β)/((1 + 2β)·λ_max)" if optimizer == "nesterov" else "2(1 + β)/λ_max"
    own = re.search(rf"{re.escape(formula)} = {NUMBER}, not plain", english)
    assert own is not None and printed(own.group(1), bound_of(run))
    assert f"{formula} = {own.group(1)}이며" in korean
    beta = run.config.optimizer_options.get("momentum", 0.9)
    effective = re.search(rf"η/\(1 − β\) = {NUMBER}", english)
    assert effective is not None and printed(effective.group(1), lr / (1 - beta))
    converges = lr < bound_of(run)
    assert ("so it converges at this rate" in english) == converges
    assert ("so it diverges at this rate" in english) == (not converges)


def check_prediction(run, english, korean):
    """The predicted step count is the run's own, the slowest direction the right one."""
    assert "usually" not in english
    predicted = re.search(r"gets within .*? \(below [^)]*\) after (\d+) updates?, as the", english)
    eigenvalues = run.analysis.hessian_eigenvalues
    lr = run.config.lr
    if predicted:
        assert run.config.optimizer == "gd" and run.config.loss != "huber"
        batch = run.config.batch_size
        assert batch is None or batch >= run.data.n_rows
        steps = int(predicted.group(1))
        gap = convergence_gap(run.analysis.optimum_loss, run.initial_loss)
        assert steps == gdlab.steps_to_gap(run.analysis, run.init, lr, gap)
        assert f"{steps}번째 업데이트에서" in korean
        assert run.final_loss <= run.initial_loss  # a stable full-batch GD run never rises
    if "has the same curvature" in english:
        curved = eigenvalues[eigenvalues > 1e-12 * eigenvalues[-1]]
        assert math.isclose(curved[0], curved[-1], rel_tol=1e-9)
    if "the slowest direction is the flattest one" in english:
        assert abs(1 - lr * eigenvalues[0]) >= abs(1 - lr * eigenvalues[-1])
        assert "가장 느린 방향은 곡률이 가장 작은 방향" in korean
    if "the slowest direction is the steepest one" in english:
        assert abs(1 - lr * eigenvalues[0]) < abs(1 - lr * eigenvalues[-1])
        assert "가장 느린 방향은 오히려 가장 가파른 방향" in korean
    if "This run got there at that update" in english:
        gap = convergence_gap(run.analysis.optimum_loss, run.initial_loss)
        losses = [run.initial_loss, *run.losses]
        step = int(predicted.group(1))
        assert losses[step] - run.analysis.optimum_loss <= gap


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_loss_that_rose_is_never_said_to_fall(lang):
    """The issue's case: a run past the bound whose loss rose (3723 → 6820 said 'falls')."""
    run = make_run(gdlab.seed_dataset(0), {"lr": 0.0065, "steps": 50})
    assert run.final_loss > run.initial_loss and run.losses[0] > run.initial_loss
    text = flat(explain(run, lang))
    if lang == "en":
        assert "and the loss rises from 302 to 329.8" in text and "falls from" not in text
        assert "stopped after 10 of the 50 updates asked for" in text
    else:
        assert (
            "그 결과 손실이 302에서 329.8까지 늘어납니다" in text and "까지 줄어듭니다" not in text
        )
        assert "요청한 50번 가운데 10번째 업데이트에서 멈췄습니다" in text


def test_a_bound_and_a_best_rate_that_differ_print_differently():
    """κ large: 2/λ_max and 2/(λ_min + λ_max) differ in the 5th digit and must read so."""
    x = np.linspace(90, 110, 40)
    run = make_run(gdlab.from_arrays(x, 2 * x + 1), {"lr": 1e-9, "steps": 3})
    bound, best = run.analysis.lr_max_stable, run.analysis.lr_optimal
    assert f"{bound:.4g}" == f"{best:.4g}" and bound != best
    text = flat(explain(run))
    stated = re.search(rf"η < 2/λ_max = {NUMBER}", text).group(1)
    fastest = re.search(rf"2/\(λ_min \+ λ_max\) = {NUMBER}", text).group(1)
    assert stated != fastest and printed(stated, bound) and printed(fastest, best)


def test_a_run_stopped_by_its_caller_says_so():
    run = make_run(gdlab.seed_dataset(0), {"lr": 0.002, "on_step": lambda step, *_: step == 5})
    assert run.stop_reason == "stopped" and len(run.losses) == 5
    check_claims(run)
    assert "This run was stopped after 5 of the 50 updates asked for." in flat(explain(run))
    assert "요청한 50번 가운데 5번째 업데이트에서 중단되었습니다" in flat(explain(run, "ko"))


def test_a_start_too_large_for_floats_is_blamed_not_the_rate():
    """lr is a third of the bound, but the loss is ∞ at the start: no 'converges' claim."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # fit's own overflow (not explain's)
        run = make_run(gdlab.seed_dataset(0), {"lr": 0.002, "init_std": 1e200})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        english, korean = flat(explain(run)), flat(explain(run, "ko"))
    assert "already past the largest float (∞): the starting weights are too large" in english
    assert "because its loss overflowed: it diverged" in english
    assert "would converge from a start whose loss is finite" in english
    assert "in 0 updates" not in english and "converges at this rate" not in english
    assert "출발점의 가중치가 너무 커서" in korean and "부동소수점 범위를 넘어섰기" in korean
