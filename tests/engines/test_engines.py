"""Every engine runs the dense engine's iterates: the same weights, losses and optimum."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.data.files import open_files
from gdlab.engines import DenseEngine, StatsEngine, StreamEngine, make_engine
from gdlab.errors import ConfigError
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2, MSE
from gdlab.onepass.arrays import array_statistics, pass_statistics
from gdlab.onepass.lstsq import LeastSquaresStats
from gdlab.optim.optimizers import chain, gd
from gdlab.training.loop import train
from tests.conftest import PASS_ROUTES, pass_route, write_table

RTOL = 1e-9


def well_conditioned(seed: int, rows: int, features: int) -> tuple[np.ndarray, np.ndarray]:
    """Features with offsets and unequal scales (cond(A) ≲ 10), a noisy linear target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features)) * rng.uniform(0.5, 2, features) + rng.uniform(-1, 1)
    y = X @ rng.normal(size=features) + 0.5 + 0.1 * rng.normal(size=rows)
    return X, y


def stable_lr(A: np.ndarray, loss, fraction: float = 0.9) -> float:
    """A fraction of the largest stable rate 2/λ_max of the loss's Hessian."""
    scale = loss.curvature_scale(A.shape[0])
    return fraction * 2 / (scale * np.linalg.eigvalsh(A.T @ A)[-1])


def assert_same_run(result, reference, rtol=RTOL):
    size = np.max(np.abs(reference.weights))
    assert np.max(np.abs(result.weights - reference.weights)) <= rtol * size
    np.testing.assert_allclose(result.losses, reference.losses, rtol=rtol)
    np.testing.assert_allclose(result.initial_loss, reference.initial_loss, rtol=rtol)


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(4, 150),
    features=st.integers(1, 4),
    chunk=st.integers(1, 60),
    loss=st.sampled_from([L2, MSE]),
    dtype=st.sampled_from(["float64", "float32"]),
    seed=st.integers(0, 2**31),
    route=st.sampled_from(PASS_ROUTES),
)
def test_stats_engine_gives_the_dense_iterates(rows, features, chunk, loss, dtype, seed, route):
    X, y = well_conditioned(seed, rows, features)
    A = design_matrix(X)
    w0 = np.random.default_rng(seed).normal(0, 0.1, features + 1)
    optimizer = gd(stable_lr(A, loss))
    dense = train(DenseEngine(A, y, loss, dtype=dtype), optimizer, w0, 25)
    with pass_route(route):
        engine = StatsEngine.from_arrays(A, y, loss, dtype, chunk_rows=chunk)
    stats = train(engine, optimizer, w0, 25)
    assert_same_run(stats, dense, RTOL if dtype == "float64" else 2e-4)
    assert stats.weights.dtype == np.dtype(dtype)


@settings(max_examples=20, deadline=None)
@given(
    rows=st.integers(3, 120),
    features=st.integers(1, 3),
    batch=st.integers(1, 50),
    suffix=st.sampled_from([".parquet", ".csv"]),
    files=st.integers(1, 3),
    seed=st.integers(0, 2**31),
    route=st.sampled_from(PASS_ROUTES),
)
def test_stream_engine_gives_the_dense_iterates(rows, features, batch, suffix, files, seed, route):
    X, y = well_conditioned(seed, rows, features)
    names = [f"f{i}" for i in range(features)]
    A = design_matrix(X)
    w0 = np.full(features + 1, 0.05)
    optimizer = gd(stable_lr(A, L2))
    with tempfile.TemporaryDirectory() as folder:
        for part, rows_of_part in enumerate(np.array_split(np.arange(rows), files)):
            columns = {name: X[rows_of_part, i] for i, name in enumerate(names)}
            columns["t"] = y[rows_of_part]
            write_table(Path(folder, f"part{part}{suffix}"), columns, row_group_size=batch)
        source = open_files(folder, names, "t")
        with pass_route(route):
            engine = StreamEngine(source, L2, batch_rows=batch)
    assert engine.n_rows == rows
    assert_same_run(
        train(engine, optimizer, w0, 20), train(DenseEngine(A, y, L2), optimizer, w0, 20)
    )


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(1, 400),
    features=st.integers(1, 5),
    block=st.integers(1, 64),
    threads=st.integers(1, 3),
    seed=st.integers(0, 2**31),
)
def test_the_fast_pass_gives_from_arrays_statistics(rows, features, block, threads, seed):
    # Engines factor [A | y] in batched blocks, in slabs, on threads; `from_arrays` is the
    # reference definition of the statistics (so changes to it must show up here).
    X, y = well_conditioned(seed, rows, features)
    A = design_matrix(X)
    reference = LeastSquaresStats.from_arrays(A, y, chunk_rows=block)
    for stats in (
        LeastSquaresStats.from_augmented(np.column_stack([A, y]), block),
        array_statistics(A, y, chunk_rows=block, threads=threads),
        pass_statistics(A, y, block_rows=block, threads=threads, moments=False, kernel=True),
        pass_statistics(X, y, True, block, threads, moments=False, kernel=True),
    ):
        scale = np.abs(reference.factor()).max()
        np.testing.assert_allclose(stats.factor(), reference.factor(), atol=1e-12 * scale)
        assert stats.n_rows == rows


def test_the_fused_loop_gives_the_step_by_step_numbers():
    X, y = well_conditioned(0, 200, 3)
    A = design_matrix(X)
    engine = StatsEngine.from_arrays(A, y, L2)
    w0 = np.zeros(4)
    lr = stable_lr(A, L2)
    fused = train(engine, gd(lr), w0, 2500)  # spans several fused blocks
    stepwise = train(engine, chain(gd(lr)), w0, 2500)  # chain(...) is not fused
    assert_same_run(fused, stepwise, 1e-12)
    np.testing.assert_allclose(fused.path, stepwise.path, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("over", [1.02, 3.0, 1e6])
def test_the_fused_loop_stops_a_divergence_where_the_loop_does(over):
    X, y = well_conditioned(1, 60, 2)
    A = design_matrix(X)
    lr = over * stable_lr(A, L2, 1.0)
    dense = train(DenseEngine(A, y, L2), gd(lr), np.zeros(3), 5000)
    fused = train(StatsEngine.from_arrays(A, y, L2), gd(lr), np.zeros(3), 5000)
    assert fused.stop_reason == dense.stop_reason == "diverged"
    assert len(fused.losses) == len(dense.losses) and fused.path.shape == dense.path.shape
    finite = np.isfinite(dense.losses)
    np.testing.assert_allclose(
        np.array(fused.losses)[finite], np.array(dense.losses)[finite], rtol=1e-6
    )


@pytest.mark.parametrize("route", PASS_ROUTES)
def test_a_noiseless_line_keeps_its_loss_near_zero_in_every_engine(tmp_path, dask_client, route):
    x = np.linspace(-50, 250, 1000)
    y = 3.0 + 2.0 * x
    A = design_matrix(x)
    source = open_files(write_table(tmp_path / "line.parquet", {"x": x, "y": y}, 97), ["x"], "y")
    with pass_route(route):
        engines = {
            "stats": StatsEngine.from_arrays(A, y, L2, chunk_rows=97),
            "stream": StreamEngine(source, L2, batch_rows=97),
            "dask": make_engine("dask", A, y, L2),
        }
    dense = DenseEngine(A, y, L2)
    scale = 0.5 * y @ y
    for name, engine in engines.items():
        # At the exact line: ½ρ² ≈ 1e-24 where ½(wᵀGw − 2cᵀw + yᵀy) would give ≈ 1e-8.
        assert engine.loss_and_grad(np.array([3.0, 2.0]))[0] <= 1e-28 * scale, name
        for w in ([3.0, 2.0 + 1e-12], [3.0 + 1e-9, 2.0], [3.0 - 1e-6, 2.0 + 1e-8]):
            ours, theirs = engine.loss_and_grad(np.array(w))[0], dense.loss_and_grad(np.array(w))[0]
            assert ours == pytest.approx(theirs, rel=1e-3), (name, w)
        start = [3.0 + 1e-6, 2.0 - 1e-8]
        steps = train(engine, gd(stable_lr(A, L2)), start, 30).losses
        np.testing.assert_allclose(
            steps, train(dense, gd(stable_lr(A, L2)), start, 30).losses, 1e-3
        )


ENGINE_CASES = ["dense", "stats", "stream-csv", "stream-parquet", "dask", "dense-full-batch"]


@pytest.mark.parametrize("route", PASS_ROUTES)
@pytest.mark.parametrize("case", ENGINE_CASES)
def test_tensorflow_reference_through_every_engine(
    tf_reference, tmp_path, case, dask_client, route
):
    columns = {"x": tf_reference["x"], "y": tf_reference["y"]}
    options = {"init": tf_reference["initial_weights"], "lr": 0.002, "steps": 50}
    with pass_route(route):
        if case.startswith("stream"):
            suffix = ".csv" if case.endswith("csv") else ".parquet"
            data = open_files(write_table(tmp_path / f"seed{suffix}", columns, 8), ["x"], "y")
            run = gdlab.fit(data, engine="stream", **options)
        elif case == "dense-full-batch":  # mini-batch SGD with one batch of all rows is GD
            data = gdlab.from_arrays(columns["x"], columns["y"])
            run = gdlab.fit(data, engine="dense", batch_size=50, **options)
        else:
            run = gdlab.fit(gdlab.from_arrays(columns["x"], columns["y"]), engine=case, **options)
    assert run.config.engine == case.split("-")[0]
    np.testing.assert_allclose(run.losses, tf_reference["losses"], rtol=1e-4)
    np.testing.assert_allclose(run.weights, tf_reference["final_weights"], rtol=1e-4)


def lre(weights, certified):
    """Log relative error: the number of correct significant digits (worst weight)."""
    return -np.log10(np.max(np.abs(weights - certified) / np.abs(certified)))


def nist_engines(X, y, intercept, tmp_path, chunk):
    """Every engine's statistics of one NIST set, the pass split into chunks of `chunk` rows."""
    from gdlab.data.dask import dask_arrays, dask_files
    from gdlab.engines.dask import DaskEngine

    A = design_matrix(X, intercept)
    names = [f"x{i}" for i in range(X.shape[1])]
    columns = {name: X[:, i] for i, name in enumerate(names)} | {"y": y}
    parquet = write_table(tmp_path / f"nist{chunk}.parquet", columns, chunk)
    csv = write_table(tmp_path / f"nist{chunk}.csv", columns)
    yield "dense", DenseEngine(A, y, L2).statistics()
    yield "stats", StatsEngine.from_arrays(A, y, L2, chunk_rows=chunk).statistics()
    for file in (parquet, csv):
        source = open_files(file, names, "y")
        yield f"stream {file.suffix}", StreamEngine(source, L2, intercept, batch_rows=chunk).stats
    data = dask_arrays(X, y, names, block_rows=chunk)
    yield "dask", DaskEngine(data, L2, intercept).stats
    # dask's own reader: a frame of unknown length, whose blocks decide the pass themselves
    files = dask_files(open_files(csv, names, "y"))
    yield "dask files", DaskEngine(files, L2, intercept).stats


#: The digits every engine keeps on each NIST set, the same for all of them. With the
#: extended-precision moments (the LAPACK pass, for data below 2**22 values of moments);
#: without them (the compiled pass of large data) the QR alone is as good as cond(A) and
#: the residual allow (Wampler4/5: large residuals). Filip's stored powers x¹…x¹⁰ are
#: themselves rounded to float64, which caps any method at about 7.6 digits: what is
#: scored beyond that is luck in the rounding, so its floor sits just below. The last
#: digit also moves with the BLAS kernel's roundings in the QR (OPENBLAS_CORETYPE: Haswell,
#: Zen, Sandybridge, SkylakeX, Cooperlake, Prescott, all measured): Wampler5's refinement,
#: which ends at the rounding of the moments' own sums, scores 8.65–9.77, Longley 13.5
#: (generic kernel) to 14.7.
NIST_DIGITS = {
    "lapack": {
        "Longley": 13.3,
        "Filip": 6.8,
        "Pontius": 13.0,
        "NoInt1": 14.0,
        "Wampler1": 9.0,
        "Wampler2": 12.0,
        "Wampler3": 9.0,
        "Wampler4": 9.0,
        "Wampler5": 8.5,
    },
    "kernel": {
        "Longley": 12.5,
        "Filip": 6.8,
        "Pontius": 11.5,
        "NoInt1": 14.0,
        "Wampler1": 9.0,
        "Wampler2": 12.5,
        "Wampler3": 9.0,
        "Wampler4": 7.5,
        "Wampler5": 5.5,
    },
}


@pytest.mark.parametrize("route", PASS_ROUTES)
@pytest.mark.parametrize("chunk", [3, 7, 16])
def test_nist_optimum_through_every_engine(nist_datasets, tmp_path, chunk, dask_client, route):
    for name, dataset in nist_datasets.items():
        X = np.array(dataset["X"], dtype=float).reshape(len(dataset["y"]), -1)
        y = np.array(dataset["y"], dtype=float)
        certified = np.array(dataset["certified"])
        with pass_route(route):
            found = dict(nist_engines(X, y, dataset["intercept"], tmp_path, chunk))
        in_memory = lre(found["stats"].optimum(), certified)
        for engine, stats in found.items():
            digits = lre(stats.optimum(), certified)
            where = f"{name} via {engine} in chunks of {chunk}, {route} pass"
            floor = NIST_DIGITS["lapack" if engine == "dense" else route][name]
            assert digits >= floor, f"{where}: {digits:.1f} digits, not {floor}"
            if engine != "dense":  # equally accurate: no pass trails the in-memory one
                assert digits >= in_memory - 1.2, f"{where}: {digits:.1f}, stats {in_memory:.1f}"
            if route == "kernel" and engine != "dense":
                # forced onto the kernel (used for 2**24 values and more, where moments
                # cost too much): the QR alone, unrefined
                assert stats.moments is None, where


def test_engines_that_need_a_quadratic_loss_refuse_huber(tmp_path):
    data = gdlab.seed_dataset(0)
    for engine in ("stats", "dask"):
        with pytest.raises(ConfigError, match=f"the {engine} engine needs a quadratic loss"):
            gdlab.fit(data, engine=engine, loss="huber")
    with pytest.raises(ConfigError, match="unknown engine 'gpu'"):
        gdlab.fit(data, engine="gpu")
    with pytest.raises(ConfigError, match="stream engine reads files"):
        gdlab.fit(data, engine="stream")
