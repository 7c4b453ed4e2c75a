"""lr="auto": the default of fit, explain on a file and GDRegressor, the fastest rate the
analysis justifies for each optimizer, tried on real data as a new user would."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import gdlab
from gdlab.analysis.rates import gd_rate, momentum_rate
from gdlab.training.config import TrainingConfig
from tests.conftest import run_cli
from tests.realdata import NAMES, real_dataset, write_csv

OPTIMIZERS = ("gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop")


def test_auto_is_the_default_and_the_record_says_the_number_and_how():
    assert TrainingConfig().lr == "auto"
    run = gdlab.fit(gdlab.seed_dataset(0))
    eigenvalues = run.analysis.hessian_eigenvalues
    assert run.config.lr == pytest.approx(2 / (eigenvalues[0] + eigenvalues[-1]))
    record = json.loads(run.to_json())
    assert record["config"]["lr"] == run.config.lr
    assert record["lr_choice"]["auto"] is True and record["lr_choice"]["lr"] == run.config.lr
    assert record["lr_choice"]["rule"].startswith("auto: 2/(λmin+λmax) of the Hessian")
    again = gdlab.RunRecord.from_dict(record)
    assert again.config.lr == run.config.lr and again.lr_choice["auto"] is True
    given = gdlab.fit(gdlab.seed_dataset(0), lr=0.002)
    assert given.lr_choice.auto is False and given.lr_choice.rule == "given: lr = 0.002"


def test_the_demo_keeps_the_seeds_rate_and_the_seed_program_reproduces():
    run = gdlab.demo(0)
    assert run.config.lr == 0.002 and run.lr_choice.auto is False
    again = gdlab.fit(gdlab.seed_dataset(0), lr=0.002, seed=0)
    np.testing.assert_array_equal(run.losses, again.losses)


def test_each_optimizer_gets_the_rate_of_its_own_analysis():
    data = gdlab.seed_dataset(0)
    eigenvalues = gdlab.fit(data, steps=1).analysis.hessian_eigenvalues
    for optimizer, nesterov in (("momentum", False), ("nesterov", True)):
        run = gdlab.fit(data, optimizer=optimizer, optimizer_options={"momentum": 0.5})
        assert run.config.lr == pytest.approx(momentum_rate(eigenvalues, 0.5, nesterov))
        assert "β = 0.5" in run.lr_choice.rule
    penalised = gdlab.fit(data, l2=50.0)
    trained = penalised.analysis.hessian_eigenvalues  # the Hessian of the loss trained
    assert penalised.config.lr == pytest.approx(gd_rate(trained))
    assert penalised.config.lr != pytest.approx(gd_rate(eigenvalues))
    standardised = gdlab.fit(data, standardize=True)
    assert standardised.config.lr == pytest.approx(
        gd_rate(standardised.analysis.hessian_eigenvalues)
    )
    mean = gdlab.fit(data, loss="mse")
    assert mean.config.lr == pytest.approx(gd_rate(eigenvalues) * 50 / 2)
    adam = gdlab.fit(data, optimizer="adam", steps=200)
    distance = np.max(np.abs(adam.init - adam.analysis.optimum_weights))
    assert adam.config.lr == pytest.approx(distance * 10 / 200)
    assert adam.convergence.converged


def test_huber_and_mini_batches_get_a_rate_that_converges_or_settles():
    data = gdlab.seed_dataset(1, n=200)
    huber = gdlab.fit(data, loss="huber", steps=300)
    assert huber.stop_reason == "steps" and huber.convergence.converged
    batches = gdlab.fit(data, batch_size=10, steps=400)
    assert batches.stop_reason == "steps" and "mini-batches of 10 rows" in batches.lr_choice.rule
    assert batches.final_loss < 1.05 * batches.analysis.optimum_loss  # within its noise
    assert batches.convergence.steps_to_converge is None  # SGD's noise: no prediction


@pytest.mark.parametrize("name", NAMES)
def test_standardised_real_data_converge_with_every_optimizer(name):
    """5000 steps on the standardised data: what each optimizer reaches with lr="auto"."""
    problem = gdlab.prepare(real_dataset(name))
    for optimizer in OPTIMIZERS:
        config = TrainingConfig(optimizer=optimizer, standardize=True, steps=5000)
        run = gdlab.train_problem(problem, config)
        convergence = run.convergence
        predicted = convergence.steps_to_converge
        if optimizer in ("gd", "momentum", "nesterov"):  # as predicted by the analysis
            assert predicted is not None
            assert convergence.converged == (predicted <= 5000), (name, optimizer)
        expected = name != "longley" or optimizer == "momentum"  # κ = 1.2e4 standardised
        if optimizer == "rmsprop":  # hovers within about lr of the optimum
            assert convergence.relative_gap < (1e-3 if name != "longley" else 0.5), name
        else:
            assert convergence.converged is expected or (
                name == "longley" and convergence.relative_gap < 0.5
            ), (name, optimizer, convergence)


def test_longley_converges_with_adam_given_steps():
    run = gdlab.fit(real_dataset("longley"), optimizer="adam", standardize=True, steps=20_000)
    assert run.convergence.converged


@pytest.mark.parametrize("name", NAMES)
def test_fit_with_no_options_but_the_columns_never_diverges(name, tmp_path):
    """The issue: `gdlab fit DATA --x … --y …` diverged on 6 of 7 data sets."""
    dataset = real_dataset(name)
    path = tmp_path / f"{name}.csv"
    x = write_csv(dataset, path)
    code, out, err = run_cli("fit", str(path), "--x", x, "--y", dataset.target_name, "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["stop_reason"] == "steps" and record["lr_choice"]["auto"]
    assert record["losses"][-1] < record["initial_loss"]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_raw_real_data_never_diverge_at_the_auto_rate(optimizer):
    for name in NAMES:
        with warnings.catch_warnings():
            warnings.simplefilter("error", gdlab.LearningRateWarning)
            run = gdlab.fit(real_dataset(name), optimizer=optimizer, steps=100)
        assert run.stop_reason == "steps", (name, optimizer)


def test_a_large_file_with_a_column_near_ten_thousand(tmp_path):
    rng = np.random.default_rng(0)
    n = 200_000
    x1 = 1e4 + rng.normal(0, 3, n)
    x2 = rng.normal(0, 1, n)
    y = 0.5 * x1 - 2 * x2 + rng.normal(0, 1, n)
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"x1": x1, "x2": x2, "y": y}), path)
    code, out, err = run_cli("fit", str(path), "--x", "x1,x2", "--y", "y", "--json")
    assert code == 0, err
    assert json.loads(out)["stop_reason"] == "steps"
    code, out, err = run_cli(
        "fit", str(path), "--x", "x1,x2", "--y", "y", "--standardize", "--json"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["convergence"]["converged"], record["convergence"]


def test_the_cli_prints_the_rate_and_how_it_was_chosen_in_one_line(tmp_path):
    path = tmp_path / "seed.csv"
    write_csv(gdlab.seed_dataset(0), path)
    code, out, err = run_cli("fit", str(path), "--x", "x", "--y", "y")
    assert code == 0, err
    run = gdlab.fit(gdlab.read_table(path, ["x"], "y"))
    line = next(line for line in out.splitlines() if line.startswith("lr "))
    assert line == f"lr {run.config.lr:.6g} ({run.lr_choice.rule})"
    code, out, _ = run_cli("fit", str(path), "--x", "x", "--y", "y", "--lr", "0.002")
    assert not any(line.startswith("lr 0.002 (") for line in out.splitlines())
    code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--lr", "fast")
    assert code == 2 and "--lr: 'fast' is not a valid number or 'auto'" in err


def test_explain_takes_auto_on_a_file_and_the_seeds_rate_without_one(tmp_path):
    path = tmp_path / "seed.csv"
    write_csv(gdlab.seed_dataset(0), path)
    code, out, err = run_cli("explain")
    assert code == 0, err
    assert "lr 0.002" in out.splitlines()[0]
    code, out, err = run_cli("explain", "--lr", "auto")
    assert code == 0, err
    assert "lr 0.00538" in out.splitlines()[0]
    code, out, err = run_cli("explain", str(path), "--x", "x", "--y", "y")
    assert code == 0, err
    assert "lr 0.00538" in out.splitlines()[0]


def test_demo_takes_auto_when_asked(tmp_path):
    code, _, err = run_cli("demo", "--lr", "auto", "--out", str(tmp_path), "--no-plot")
    assert code == 0, err
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["lr_choice"]["auto"] and record["convergence"]["converged"]
