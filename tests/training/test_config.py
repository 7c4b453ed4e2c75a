"""One training configuration: every option declared once, offered alike everywhere."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest
import typer

import gdlab
from gdlab.cli import app
from gdlab.cli.options import config_from_flags
from gdlab.errors import ConfigError
from gdlab.sklearn import GDRegressor, estimator_parameters
from gdlab.training.config import TrainingConfig, cli_flag, declared_options, option_names
from gdlab.web.command import option_words
from gdlab.web.options import training_config, web_option_names
from gdlab.web.schemas import TrainRequest
from tests.conftest import run_cli

#: A value other than the default for every option. A new option fails these tests until it
#: has one here, and then until every surface offers it.
SAMPLES = {
    "lr": 0.01,
    "steps": 7,
    "optimizer": "adam",
    "loss": "mse",
    "seed": 3,
    "engine": "dense",
    "dtype": "float32",
    "intercept": False,
    "init_std": 0.5,
    "init": (1.0, 2.0),
    "optimizer_options": {"eps": 1e-6},
    "schedule": "exp:0.9",
    "l2": 0.1,
    "l1": 0.2,
    "tol": 1e-5,
    "tol_kind": "loss",
    "standardize": True,
    "huber_delta": 2.0,
    "batch_size": 4,
    "scheduler": "tcp://127.0.0.1:1",
    "validation": 0.25,
    "early_stopping": 5,
    "cv": 3,
    "cov": "HC1",
}
#: The samples that go together in one config (cross-validation holds out folds of its own).
TOGETHER = {name: value for name, value in SAMPLES.items() if name != "cv"}
#: What an option needs beside it to be valid (an optimizer's options need that optimizer).
COMPANIONS = {"optimizer_options": {"optimizer": "adam"}, "early_stopping": {"validation": 0.25}}
#: Options the playground does not offer, on purpose: where gradients are computed.
#: (it holds out a share of the rows; early stopping, folds and robust covariances are
#: still to come)
NOT_ON_THE_WEB = {"engine", "scheduler", "cov", "early_stopping", "cv"}
#: Options GDRegressor does not take: its start is drawn per fit, and no cluster address.
NOT_IN_THE_ESTIMATOR = {"init", "scheduler"}


def command_params(name: str) -> dict[str, list[str]]:
    """The click parameters of a `gdlab` command: name → its flags."""
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {param.name: list(param.opts) for param in command.params}


def parsed(name: str, words: list[str]) -> TrainingConfig:
    """The configuration the command `name` parses from `words`."""
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    context = command.make_context(name, ["data.csv", *words] if name == "fit" else words)
    training = {key: value for key, value in context.params.items() if key in SAMPLES}
    return config_from_flags({**training, "momentum": context.params["momentum"]})


def test_every_option_has_a_sample_and_differs_from_its_default():
    assert list(SAMPLES) == option_names()
    for name, _, default in declared_options():
        assert SAMPLES[name] != default, name
    TrainingConfig(**TOGETHER)  # every sample is a valid value


@pytest.mark.parametrize("command", ["fit", "explain"])
def test_fit_and_explain_take_every_option_and_parse_it_into_the_config(command):
    params = command_params(command)
    for name in option_names():
        assert cli_flag(name) in params.get(name, []), (command, name)
    for name, value in SAMPLES.items():
        companions = COMPANIONS.get(name, {})
        words = [w for key, v in companions.items() for w in option_words(key, v)]
        config = parsed(command, words + option_words(name, value))
        assert getattr(config, name) == value, (command, name)
        others = {other for other in option_names() if other != name and other not in companions}
        assert all(getattr(config, o) == getattr(TrainingConfig(), o) for o in others), name
    shortcut = parsed(command, ["--optimizer", "momentum", "--momentum", "0.5"])
    assert shortcut.optimizer_options == {"momentum": 0.5} and shortcut.momentum == 0.5


def test_fit_and_explain_have_the_same_training_flags():
    fit, explain = command_params("fit"), command_params("explain")
    assert {name: fit[name] for name in [*option_names(), "momentum"]} == {
        name: explain[name] for name in [*option_names(), "momentum"]
    }


def test_the_web_schema_offers_every_option_but_the_declared_exclusions():
    fields = set(TrainRequest.model_fields)
    assert set(web_option_names()) == set(option_names()) - NOT_ON_THE_WEB
    assert set(web_option_names()) <= fields
    for name in web_option_names():
        request = TrainRequest(**{name: SAMPLES[name], **COMPANIONS.get(name, {})})
        assert getattr(training_config(request), name) == SAMPLES[name], name


def test_the_record_keeps_every_option_and_reads_it_back():
    config = TrainingConfig(**TOGETHER)
    record = config.to_record()
    assert list(record) == option_names()
    assert TrainingConfig.from_record(json.loads(json.dumps(record))) == config
    run = gdlab.demo(0, steps=3)
    assert set(run.to_record()["config"]) == set(option_names())


def test_the_estimator_takes_every_option_under_scikit_learn_names():
    taken = {option for _, option, _ in estimator_parameters()}
    assert taken == set(option_names()) - NOT_IN_THE_ESTIMATOR
    parameters = inspect.signature(GDRegressor).parameters
    assert [name for name, _, _ in estimator_parameters()] == list(parameters)
    assert {"random_state", "fit_intercept", "l2", "tol", "schedule"} <= set(parameters)
    assert GDRegressor(l2=0.5).get_params()["l2"] == 0.5


def test_the_playground_command_line_has_a_flag_for_every_option_it_offers():
    for name in web_option_names():
        words = option_words(name, SAMPLES[name])
        assert words and words[0].startswith(cli_flag(name).split("=")[0])


@pytest.mark.parametrize(
    ("surface", "spelled"),
    [("python", "l2 must"), ("cli", "--l2 must"), ("web", "l2 must"), ("estimator", "l2 must")],
)
def test_an_option_error_names_the_option_as_each_caller_spells_it(surface, spelled, tmp_path):
    data = gdlab.seed_dataset(0)
    if surface == "python":
        with pytest.raises(ConfigError, match=rf"^{spelled}"):
            gdlab.fit(data, l2=-1)
    elif surface == "cli":
        path = tmp_path / "d.csv"
        path.write_text("x,y\n1,2\n2,3\n3,5\n")
        code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--l2", "-1")
        assert code == 2 and err.startswith(f"gdlab: {spelled}"), err
    elif surface == "web":
        from fastapi.testclient import TestClient

        from gdlab.web import create_app
        from tests.web.conftest import test_settings

        with TestClient(create_app(test_settings())) as client:
            response = client.post("/api/train", json={"schedule": "step:0:1"})
        assert response.status_code == 400
        assert response.json()["detail"].startswith("schedule 'step:0:1'")
    else:
        X = np.arange(6.0).reshape(-1, 1)
        with pytest.raises(ValueError, match=r"^random_state must"):
            GDRegressor(random_state=-1).fit(X, X[:, 0])


def test_an_unknown_option_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown training option 'lrate'"):
        gdlab.fit(gdlab.seed_dataset(0), lrate=0.1)


def test_a_config_is_immutable_and_validated_on_every_change():
    config = TrainingConfig()
    with pytest.raises(AttributeError):
        config.lr = 0.1  # type: ignore[misc]
    with pytest.raises(ConfigError, match="steps must be a whole number"):
        config.with_options(steps=0)
    assert gdlab.fit(gdlab.seed_dataset(0), config.with_options(steps=3)).config.steps == 3


def test_auto_is_a_value_of_lr_on_every_surface():
    """Declared once in TrainingConfig, so every surface takes "auto" for lr."""
    assert TrainingConfig().lr == "auto" and TrainingConfig(lr="auto").lr_is_auto
    for command in ("fit", "explain"):
        assert parsed(command, ["--lr", "auto"]).lr == "auto"
        assert parsed(command, []).lr == "auto"
    assert training_config(TrainRequest(lr="auto")).lr == "auto"
    assert TrainRequest().lr == 0.002  # the playground starts from the seed program
    assert GDRegressor().get_params()["lr"] == "auto"
    assert option_words("lr", "auto") == ["--lr", "auto"]
    with pytest.raises(ConfigError, match=r"lr must be a finite number > 0 .* or 'auto'"):
        TrainingConfig(lr="fast")
    run = gdlab.fit(gdlab.seed_dataset(0), steps=3)
    assert isinstance(run.config.lr, float) and run.to_record()["config"]["lr"] == run.config.lr
