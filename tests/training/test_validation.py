"""Held-out loss after every step, early stopping and K-fold CV, checked by brute force
(residuals of the held-out rows) through the stats, dense and stream engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.data.files import open_files
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix
from gdlab.onepass.groups import Holdout
from gdlab.plots.validation import validation_figure
from gdlab.training.fit import fit
from gdlab.training.record import RunRecord
from tests.conftest import write_table


def table(n: int = 400, seed: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n) + 50, rng.normal(size=n)
    return {"x1": x1, "x2": x2, "y": 1 + 2 * x1 - x2 + rng.normal(size=n)}


def brute_held_out(path: np.ndarray, X: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """½Σe² (or the mean) of the held-out rows at every point of the path, from the rows."""
    residuals = design_matrix(X, True) @ path.T - y[:, None]
    sse = np.sum(residuals**2, axis=0)
    return sse / 2 if loss == "l2" else sse / len(y)


@pytest.mark.parametrize("loss", ["l2", "mse"])
@pytest.mark.parametrize("engine", ["stats", "dense", "stream"])
def test_held_out_loss_after_every_step_equals_brute_force(
    tmp_path: Path, engine: str, loss: str
) -> None:
    columns = table()
    X, y = np.column_stack([columns["x1"], columns["x2"]]), columns["y"]
    if engine == "stream":
        data = open_files(write_table(tmp_path / "t.parquet", columns), ["x1", "x2"], "y")
    else:
        data = from_arrays(X, y, ("x1", "x2"))
    run = fit(data, validation=0.25, seed=7, steps=40, engine=engine, loss=loss, standardize=True)
    held = Holdout(0.25, 7).labels(np.column_stack([X, y]), 0) == 1
    assert run.data.details["held_out_rows"] == held.sum() and run.data.n_rows == (~held).sum()
    expected = brute_held_out(np.asarray(run.path[1:]), X[held], y[held], loss)
    np.testing.assert_allclose(run.validation_losses, expected, rtol=1e-9)
    assert run.validation["best_step"] == int(np.argmin(expected)) + 1


def test_the_split_does_not_depend_on_the_order_of_the_rows() -> None:
    columns = table()
    X, y = np.column_stack([columns["x1"], columns["x2"]]), columns["y"]
    forward = fit(from_arrays(X, y), validation=0.3, steps=5, lr=2e-6)
    backward = fit(from_arrays(X[::-1], y[::-1]), validation=0.3, steps=5, lr=2e-6)
    assert forward.data.details["held_out_rows"] == backward.data.details["held_out_rows"]
    np.testing.assert_allclose(forward.validation_losses, backward.validation_losses, rtol=1e-10)


def test_a_validation_file_is_held_out_whole(tmp_path: Path) -> None:
    train, held = table(300, seed=1), table(100, seed=2)
    write_table(tmp_path / "held.csv", held)
    data = from_arrays(np.column_stack([train["x1"], train["x2"]]), train["y"], ("x1", "x2"))
    run = fit(data, validation=str(tmp_path / "held.csv"), steps=10, lr=2e-6)
    X = np.column_stack([held["x1"], held["x2"]])
    expected = brute_held_out(np.asarray(run.path[1:]), X, held["y"], "l2")
    np.testing.assert_allclose(run.validation_losses, expected, rtol=1e-9)


def test_early_stopping_stops_when_the_held_out_loss_stops_improving() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 30))  # many noise features: the held-out loss turns up
    y = X[:, 0] + rng.normal(size=60)
    run = fit(from_arrays(X, y), validation=0.3, early_stopping=5, steps=5000, lr=0.002)
    check = run.validation
    assert run.stop_reason == "early_stopping"
    assert check["early_stopping"] == {"patience": 5, "stopped": True}
    assert len(run.losses) == check["best_step"] + 5
    assert min(run.validation_losses) == pytest.approx(check["best_loss"])
    assert RunRecord.from_dict(run.to_record()).stop_reason == "early_stopping"


def test_early_stopping_needs_held_out_data() -> None:
    with pytest.raises(ConfigError, match="held-out data"):
        fit(from_arrays(np.arange(5.0), np.arange(5.0)), early_stopping=3)


@pytest.mark.parametrize("engine", ["stats", "stream"])
def test_cross_validation_equals_k_separate_fits(tmp_path: Path, engine: str) -> None:
    columns = table(203)
    X, y = np.column_stack([columns["x1"], columns["x2"]]), columns["y"]
    if engine == "stream":
        data = open_files(write_table(tmp_path / "t.csv", columns), ["x1", "x2"], "y")
    else:
        data = from_arrays(X, y, ("x1", "x2"))
    run = fit(data, cv=4, steps=25, engine=engine, standardize=True)
    fold = np.arange(len(y)) % 4
    curves = []
    for k in range(4):
        alone = fit(
            from_arrays(X[fold != k], y[fold != k]),
            steps=25,
            lr=run.config.lr,
            standardize=True,
            validation=None,
        )
        curves.append(brute_held_out(np.asarray(alone.path[1:]), X[fold == k], y[fold == k], "l2"))
    cv = run.cv
    assert cv["folds"] == 4 and cv["fold_rows"] == [51, 51, 51, 50]
    np.testing.assert_allclose(cv["losses_mean"], np.mean(curves, axis=0), rtol=1e-8)
    np.testing.assert_allclose(cv["losses_std"], np.std(curves, axis=0), rtol=1e-6)
    assert cv["best_step"] == int(np.argmin(np.mean(curves, axis=0))) + 1
    assert run.data.n_rows == len(y)  # the run itself trains on every row


def test_the_validation_picture_draws_both_curves() -> None:
    columns = table(200)
    data = from_arrays(np.column_stack([columns["x1"], columns["x2"]]), columns["y"])
    run = fit(data, validation=0.25, steps=30, lr=2e-6)
    figure = validation_figure(run)
    left = figure.axes[0]
    right = figure.axes[1]
    np.testing.assert_allclose(left.lines[0].get_ydata(), run.losses)
    np.testing.assert_allclose(right.lines[0].get_ydata(), run.validation_losses)
    best = run.validation["best_step"]
    assert left.lines[1].get_xdata()[0] == best


def test_the_validation_picture_needs_a_held_out_loss() -> None:
    run = fit(from_arrays(np.arange(5.0), 2 * np.arange(5.0)), steps=3)
    with pytest.raises(ConfigError, match="--validation or --cv"):
        validation_figure(run)


@pytest.mark.parametrize(
    "option",
    [{"validation": 0.2}, {"cv": 3}, {"cov": "HC1"}, {"cov": "cluster:g"}],
    ids=["validation", "cv", "HC1", "cluster"],
)
def test_the_dask_engine_gives_what_the_stream_engine_gives(
    tmp_path: Path, option: dict, dask_client
) -> None:
    columns = table(3000)
    rng = np.random.default_rng(4)
    columns["w"] = rng.uniform(0.5, 2.0, size=3000)
    columns["g"] = rng.integers(0, 20, size=3000).astype(float)
    path = write_table(tmp_path / "t.parquet", columns, row_group_size=700)
    runs = {}
    for engine in ("stream", "dask"):
        source = open_files(path, ["x1", "x2"], "y").with_columns(weights="w")
        runs[engine] = fit(source, engine=engine, steps=15, standardize=True, **option)
    stream, dask = runs["stream"], runs["dask"]
    assert dask.config.engine == "dask" and dask.data.details["weights"] == "w"
    np.testing.assert_allclose(dask.losses, stream.losses, rtol=1e-9)
    if "validation" in option:
        np.testing.assert_allclose(dask.validation_losses, stream.validation_losses, rtol=1e-9)
    if "cv" in option:
        assert dask.cv["fold_rows"] == stream.cv["fold_rows"]
        np.testing.assert_allclose(dask.cv["losses_mean"], stream.cv["losses_mean"], rtol=1e-9)
    regression = dask.analysis.regression
    np.testing.assert_allclose(
        regression.std_errors, stream.analysis.regression.std_errors, rtol=1e-9
    )
    assert regression.cov_type == stream.analysis.regression.cov_type


def test_folds_number_the_rows_across_files(tmp_path: Path) -> None:
    columns = table(301)
    write_table(tmp_path / "a.csv", {k: v[:150] for k, v in columns.items()})
    write_table(tmp_path / "b.csv", {k: v[150:] for k, v in columns.items()})
    streamed = fit(open_files(tmp_path / "*.csv", ["x1", "x2"], "y"), cv=4, engine="stream")
    X = np.column_stack([columns["x1"], columns["x2"]])
    whole = fit(from_arrays(X, columns["y"], ("x1", "x2")), cv=4)
    assert streamed.cv["fold_rows"] == whole.cv["fold_rows"] == [76, 75, 75, 75]
    np.testing.assert_allclose(streamed.cv["losses_mean"], whole.cv["losses_mean"], rtol=1e-9)
