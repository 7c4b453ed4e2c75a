"""Every sentence gdlab prints is true of that run: the CLI summary, the divergence message
and the landscape caption, checked against the run's own numbers over runs that hypothesis
draws across optimizers, rates below and above the bound, --standardize, --no-intercept,
Huber and mini-batches."""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.analysis.rates import ADAPTIVE, start_distance
from gdlab.analysis.training import best_rate, stable_bound_for
from gdlab.cli.render import summary_lines
from gdlab.plots.landscape import landscape_figure, valley_caption
from gdlab.plots.view import as_view
from gdlab.training.autorate import trained_optimum
from gdlab.training.fit import divergence_message

OPTIMIZERS = ("gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop")
CLAIMS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Drawn:
    """A run hypothesis drew, and whether gdlab warned before it."""

    run: gdlab.Run
    warned: bool


@st.composite
def runs(draw: st.DrawFn) -> Drawn:
    """A run: random data (offsets, mixed scales), an optimizer, a rate (auto, or a share of
    the bound that applies), standardised or not, with or without the bias, l2/mse/Huber,
    full or mini-batches, and now and then a start far out."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows, k = draw(st.integers(6, 30)), draw(st.integers(1, 3))
    scales = 10.0 ** rng.uniform(-1, 1, k)
    X = rng.normal(size=(rows, k)) * scales + rng.normal(0, 3, k) * scales
    y = X @ rng.normal(size=k) + rng.normal(0, draw(st.floats(0.0, 2.0)), rows)
    options = {
        "optimizer": draw(st.sampled_from(OPTIMIZERS)),
        "loss": draw(st.sampled_from(["l2", "mse", "huber"])),
        "intercept": draw(st.booleans()),
        "standardize": draw(st.booleans()),
        "steps": draw(st.integers(1, 40) | st.just(300)),
        "seed": draw(st.integers(0, 1000)),
    }
    if draw(st.booleans()):
        options["batch_size"] = draw(st.integers(1, rows))
    if draw(st.integers(0, 9)) == 0:
        options["init_std"] = 1e300  # a start whose loss overflows
    data = gdlab.from_arrays(X, y)
    share = draw(st.sampled_from(["auto", 0.3, 0.9, 1.1, 3.0]))
    if share != "auto":
        probe = gdlab.fit(data, **{**options, "steps": 1, "lr": 1e-300}, raise_on_divergence=False)
        if options["optimizer"] in ADAPTIVE:
            scale = start_distance(probe.init, probe.analysis.optimum_weights)
        else:
            bound = stable_bound_for(probe.analysis, options["optimizer"], {})
            scale = probe.analysis.lr_max_stable if bound is None else bound
        options["lr"] = float(share) * scale
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", gdlab.LearningRateWarning)
        run = gdlab.fit(data, raise_on_divergence=False, **options)
    warned = any(issubclass(w.category, gdlab.LearningRateWarning) for w in caught)
    return Drawn(run, warned)


def number(text: str) -> float:
    return float(text.replace(",", ""))


def rate_bound(run: gdlab.Run) -> float | None:
    return stable_bound_for(run.analysis, run.config.optimizer, run.config.optimizer_options)


@CLAIMS
@given(drawn=runs())
def test_the_summary_says_only_what_the_run_did(drawn):
    run = drawn.run
    lines = summary_lines(run, "title")
    steps = len(run.losses)
    plural = "step" if steps == 1 else "steps"
    assert lines[1] == (
        f"{run.data.n_rows} rows, lr {run.config.lr:g}, {steps} {plural} of "
        f"{run.config.optimizer}, loss {run.config.loss}"
    )
    rate_lines = [line for line in lines if line.startswith("lr ")]
    if run.lr_choice.auto:
        assert rate_lines == [f"lr {run.config.lr:.6g} ({run.lr_choice.rule})"]
    else:
        assert rate_lines == []
    bounds = next(line.strip() for line in lines if "largest stable lr" in line)
    bound = rate_bound(run)
    if bound is None:  # adaptive: plain GD's bounds, named as such
        assert bounds.startswith(f"{run.config.optimizer} has no closed-form stable rate")
        shown = re.findall(r"lr ([0-9.e+-]+)", bounds)
        assert math.isclose(float(shown[0]), run.analysis.lr_max_stable, rel_tol=1e-5)
        assert math.isclose(float(shown[1]), run.analysis.lr_optimal, rel_tol=1e-5)
    else:
        largest, best = re.search(r": (\S+), best constant lr: (\S+)$", bounds).groups()
        assert math.isclose(float(largest), bound, rel_tol=1e-5)
        fastest = best_rate(run.analysis, run.config.optimizer, run.config.optimizer_options)
        assert math.isclose(float(best), fastest, rel_tol=1e-5)
        assert (largest == best) == (bound == fastest)  # digits enough to tell them apart
        assert (" for momentum" in bounds) == (run.config.optimizer == "momentum")
    short = [line for line in lines if line.startswith("not converged")]
    convergence = run.convergence
    ended_short = not convergence.converged and run.stop_reason != "diverged"
    assert len(short) == int(ended_short)
    if short:
        assert short[0].startswith(f"not converged after {steps} {plural}: ")
        if convergence.relative_gap is not None:
            shown = re.search(r"the loss is (\S+) above", short[0]).group(1)
            assert math.isclose(float(shown), convergence.relative_gap, rel_tol=5e-3)
        predicted = re.search(r"would get there in ([\d,]+) steps? \(predicted\)", short[0])
        more = re.search(r"--steps (\d+) .*would get there \(predicted\)", short[0])
        if predicted or more:
            assert number((predicted or more).group(1)) == convergence.suggestion.steps
    done = [line for line in lines if line.startswith("converged: ")]
    assert len(done) == int(convergence.reason == "loss")
    if done:
        shown = re.search(r"relative \((\S+)\)", done[0]).group(1)
        assert math.isclose(float(shown), max(convergence.relative_gap, 0.0), abs_tol=5e-9)
        assert float(shown) <= 1e-6
        predicted = re.search(r"predicted: ([\d,]+) steps?$", done[0])
        assert (predicted is None) == (convergence.steps_to_converge is None)
        if predicted:
            assert number(predicted.group(1)) == convergence.steps_to_converge


@CLAIMS
@given(drawn=runs())
def test_converged_means_within_the_target_of_the_optimum(drawn):
    run = drawn.run
    convergence = run.convergence
    if convergence.relative_gap is None:
        assert convergence.converged is (run.stop_reason == "tol")
        return
    excess = run.final_loss - run.analysis.optimum_loss
    within = run.stop_reason != "diverged" and excess <= convergence.target_gap
    assert convergence.converged is within
    predicted = convergence.steps_to_converge
    if predicted is not None:
        assert run.config.optimizer in ("gd", "momentum", "nesterov")
        assert run.config.batch_size is None or run.config.batch_size >= run.data.n_rows


@CLAIMS
@given(drawn=runs())
def test_the_warning_and_the_divergence_message_blame_only_what_caused_it(drawn):
    run = drawn.run
    bound = rate_bound(run)
    lr = float(run.config.lr)
    assert drawn.warned == (bound is not None and lr >= bound)
    if run.stop_reason != "diverged":
        return
    message = divergence_message(run)
    steps = len(run.losses)
    assert f"training diverged after {steps} {'step' if steps == 1 else 'steps'}:" in message
    assert not re.search(r"\b1 steps", message)
    start_blamed = "the start, not the rate, is the cause" in message
    assert start_blamed == (not math.isfinite(run.initial_loss))
    rate_blamed = "is above the largest stable learning rate" in message
    assert rate_blamed == (not start_blamed and bound is not None and lr >= bound)
    if rate_blamed:
        shown = re.search(r"learning rate for this data, (\S+) \(", message).group(1)
        assert math.isclose(float(shown), bound, rel_tol=1e-5)
    if run.config.optimizer in ADAPTIVE:
        assert "2/λ_max" not in message
        if not start_blamed:
            distance = start_distance(
                np.linalg.solve(run.analysis.to_original, run.init)
                if run.analysis.to_original is not None
                else run.init,
                trained_optimum(run.analysis),
            )
            assert f"D∞ = {distance:.4g}" in message


@CLAIMS
@given(drawn=runs())
def test_the_caption_reads_the_rate_against_the_hessian_it_trained_on(drawn):
    run = drawn.run
    caption = valley_caption(as_view(run))
    if run.config.optimizer != "gd":
        assert "lr·λmax" not in caption
        return
    eigenvalues = run.analysis.hessian_eigenvalues  # of the problem as trained
    steep = float(run.config.lr) * float(eigenvalues[-1])
    shown, regime = re.search(r"lr·λmax = (\S+)[^<=>]* ([<=>]) ", caption).groups()
    assert math.isclose(float(shown), steep, rel_tol=5e-3)
    exact = math.isclose(steep, 1.0, rel_tol=1e-9) or math.isclose(steep, 2.0, rel_tol=1e-9)
    assert regime == ("=" if exact else "<" if steep < 1 else ">")
    if math.isclose(steep, 1.0, rel_tol=1e-9):
        assert "= 1: each step lands on the valley floor" in caption
    elif steep < 1:
        assert "< 1: no overshoot" in caption
    elif steep < 2:
        assert "> 1: each step overshoots the floor (zig-zag)" in caption
    else:
        assert "(divergence)" in caption or "= 2:" in caption
    assert ("(divergence)" in caption) == (steep > 2 and not math.isclose(steep, 2.0))
    assert ("standardised" in caption) == run.config.standardize
    flat = re.search(r"lr·λmin = (\S+):", caption)
    assert (flat is not None) == (steep < 2)
    if flat:
        lowest = float(run.config.lr) * float(eigenvalues[0])
        assert math.isclose(float(flat.group(1)), lowest, rel_tol=5e-3, abs_tol=1e-300)
        kept = float(re.search(r"each step keeps (\S+) of the error", caption).group(1))
        assert math.isclose(kept, abs(1 - lowest), rel_tol=5e-3, abs_tol=1e-12)
        assert (kept == 1.0) == (abs(1 - lowest) == 1.0)  # "keeps 1" only when it does


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=runs())
def test_the_landscape_title_says_diverged_only_of_a_run_that_did(drawn):
    run = drawn.run
    if len(run.weight_names) < 2 or not math.isfinite(run.initial_loss):
        return
    title = landscape_figure(run, grid_size=11).texts[0].get_text()
    assert title.endswith("— diverged") == (run.stop_reason == "diverged")
    steps = len(run.losses)
    assert f": {steps} {'step' if steps == 1 else 'steps'} of {run.config.optimizer}" in title
