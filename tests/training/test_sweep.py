"""The learning rate swept against theory: measured losses beside the predicted ones."""

from __future__ import annotations

import json

import numpy as np
import pytest

import gdlab
from gdlab.errors import ConfigError
from gdlab.training.problem import prepare
from gdlab.training.sweep import MIN_RATES, parse_rates, sweep
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def problem():
    return prepare(gdlab.seed_dataset(0))


@pytest.mark.parametrize(
    ("optimizer", "options"), [("gd", {}), ("momentum", {"momentum": 0.8}), ("nesterov", {})]
)
def test_below_the_bound_the_prediction_is_the_measurement(problem, optimizer, options):
    config = gdlab.TrainingConfig(optimizer=optimizer, optimizer_options=options, steps=30)
    result = sweep(problem, config)
    assert len(result.lrs) >= MIN_RATES and result.lrs.max() > result.lr_max_stable
    below = result.lrs < result.lr_max_stable
    assert not np.asarray(result.diverged)[below].any()
    grew = result.measured_losses[~below] > result.initial_loss  # past the bound: blown up
    assert (np.asarray(result.diverged)[~below] | grew).all()
    np.testing.assert_allclose(
        result.predicted_losses[below], result.measured_losses[below], rtol=1e-10
    )
    runs = [
        gdlab.fit(problem.rows, config.with_options(lr=float(lr), init=tuple(gdlab.demo(0).init)))
        for lr in result.lrs[below][::10]
    ]
    np.testing.assert_array_equal(
        [run.final_loss for run in runs], result.measured_losses[below][::10]
    )


def test_adaptive_optimizers_are_swept_but_not_predicted(problem):
    result = sweep(problem, gdlab.TrainingConfig(optimizer="adam", steps=20))
    assert result.predicted_losses is None and result.lr_max_stable is None
    assert np.isfinite(result.measured_losses).all()


def test_the_finders_picks_are_read_off_the_measured_curve(problem):
    result = sweep(problem, gdlab.TrainingConfig(steps=50))
    usable = result.usable()
    lowest = result.lrs[usable][np.argmin(result.measured_losses[usable])]
    assert result.min_over_ten_lr == pytest.approx(lowest / 10)
    assert result.lrs[0] < result.steepest_lr < result.lr_max_stable
    assert result.lr_best == pytest.approx(problem_best(problem))


def problem_best(problem):
    return gdlab.fit(problem.rows, steps=1).analysis.lr_optimal


def test_rates_are_given_as_min_max_count():
    assert len(parse_rates("1e-4:1e-1:25")) == 25
    for text in ("1e-4:1e-1", "0:1:30", "1:0.1:30", "1e-3:1e-1:5", "a:b:c"):
        with pytest.raises(ConfigError):
            parse_rates(text)


def test_the_sweep_command_prints_json_and_draws(tmp_path):
    code, out, err = run_cli("sweep", "--steps", "20", "--json")
    assert code == 0, err
    record = json.loads(out)["sweep"]
    assert len(record["lrs"]) == 40 and record["optimizer"] == "gd"
    assert record["finder"]["steepest"] > 0 and len(record["predicted_losses"]) == 40
    picture = tmp_path / "sweep.png"
    code, out, err = run_cli("sweep", "--lrs", "1e-4:1e-2:20", "--out", str(picture))
    assert code == 0, err
    assert "stable bound for gd: 0.00600592" in out and picture.read_bytes()[:4] == b"\x89PNG"
    code, out, err = run_cli("sweep", "--lrs", "1:2")
    assert code == 2 and "expected MIN:MAX:N" in err and err.count("\n") == 1
