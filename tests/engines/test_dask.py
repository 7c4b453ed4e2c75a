"""The dask engine: statistics by tree reduction on a cluster, the dense engine's numbers."""

from __future__ import annotations

import gc
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.data.dask import dask_arrays
from gdlab.engines import DenseEngine
from gdlab.engines.dask import DaskEngine
from gdlab.errors import ConfigError, DataError
from gdlab.model.linear import design_matrix
from gdlab.model.losses import L2, MSE
from gdlab.onepass import cluster
from gdlab.optim.optimizers import gd
from gdlab.training.loop import train
from tests.conftest import PASS_ROUTES, pass_route, run_cli, write_table
from tests.engines.test_engines import assert_same_run, stable_lr, well_conditioned

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


@settings(max_examples=8, deadline=None)
@given(
    rows=st.integers(4, 200),
    features=st.integers(1, 3),
    block=st.integers(2, 40),
    split_every=st.integers(2, 5),
    loss=st.sampled_from([L2, MSE]),
    seed=st.integers(0, 2**31),
    route=st.sampled_from(PASS_ROUTES),
)
def test_dask_engine_gives_the_dense_iterates(
    dask_client, rows, features, block, split_every, loss, seed, route
):
    X, y = well_conditioned(seed, rows, features)
    A = design_matrix(X)
    data = dask_arrays(da.from_array(X, chunks=(block, 1)), da.from_array(y, chunks=block + 1))
    with pass_route(route):
        engine = DaskEngine(data, loss, split_every=split_every)
    optimizer = gd(stable_lr(A, loss))
    w0 = np.full(features + 1, -0.1)
    assert engine.n_rows == rows
    assert_same_run(
        train(engine, optimizer, w0, 20), train(DenseEngine(A, y, loss), optimizer, w0, 20)
    )


def test_dask_dataframes_and_files_read_by_dask_give_the_stream_numbers(dask_client, tmp_path):
    X, y = well_conditioned(3, 500, 2)
    columns = {"a": X[:, 0], "b": X[:, 1], "t": y}
    for part, rows in enumerate(np.array_split(np.arange(500), 3)):
        suffix = ".csv" if part else ".parquet"
        write_table(tmp_path / f"p{part}{suffix}", {k: v[rows] for k, v in columns.items()})
    files = gdlab.open_files(tmp_path, ["a", "b"], "t")
    streamed = gdlab.fit(files, lr=1e-3, steps=30)
    by_dask = gdlab.fit(files, lr=1e-3, steps=30, engine="dask")
    frame = dd.from_dict(columns, npartitions=4)
    from_frame = gdlab.fit_arrays(frame[["a", "b"]], frame["t"], lr=1e-3, steps=30)
    assert (by_dask.config.engine, from_frame.config.engine) == ("dask", "dask")
    assert from_frame.weight_names == ("bias", "a", "b") and from_frame.data.target == "t"
    for run in (by_dask, from_frame):
        assert run.data.n_rows == 500
        np.testing.assert_allclose(run.losses, streamed.losses, rtol=1e-12)
        np.testing.assert_allclose(run.weights, streamed.weights, rtol=1e-12)


def scheduler_transitions(client) -> int:
    return client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)


def test_cli_scheduler_address_runs_the_pass_on_that_cluster(dask_client, tmp_path):
    X, y = well_conditioned(5, 300, 1)
    path = write_table(tmp_path / "d.parquet", {"x": X[:, 0], "y": y}, row_group_size=50)
    before = scheduler_transitions(dask_client)
    args = ("fit", str(path), "--x", "x", "--y", "y", "--json")
    code, out, err = run_cli(
        *args, "--engine", "dask", "--scheduler", dask_client.scheduler.address
    )
    assert code == 0, err
    assert scheduler_transitions(dask_client) > before
    record = json.loads(out)
    streamed = json.loads(run_cli(*args, "--engine", "stream")[1])
    assert record["config"]["engine"] == "dask" and streamed["config"]["engine"] == "stream"
    np.testing.assert_allclose(record["losses"], streamed["losses"], rtol=1e-12)


def test_an_unreachable_scheduler_is_a_one_line_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 0.5)
    path = write_table(tmp_path / "d.csv", {"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0]})
    for address, what in (("tcp://127.0.0.1:9", "no Dask scheduler"), ("nonsense://", "not a")):
        before = live_clients()
        code, _, err = run_cli("fit", str(path), "--x", "x", "--y", "y", "--scheduler", address)
        assert code == 2 and f"--scheduler {address}: {what}" in err, err
        assert err.count("\n") == 1
        # no half-made Client left for a later collection on Dask's IO loop (a deadlock)
        assert live_clients() <= before


def live_clients() -> set[int]:
    from distributed import Client

    return {id(thing) for thing in gc.get_objects() if isinstance(thing, Client)}


def test_bad_values_in_dask_blocks_are_named(dask_client, tmp_path):
    X = np.ones((20, 2))
    X[13, 1] = np.nan
    with pytest.raises(DataError, match="missing value \\(NaN\\) in column 'x2'"):
        gdlab.fit_arrays(da.from_array(X, chunks=(5, 2)), da.ones(20, chunks=5))
    path = write_table(tmp_path / "t.csv", {"x": [1.0, 2.0], "y": [1.0, 2.0]})
    path.write_text("x,y\n1,2\n2,oops\n")
    with pytest.raises(DataError, match=r"column 'y' is .*not numeric"):
        gdlab.fit(gdlab.open_files(path, ["x"], "y"), engine="dask")
    with pytest.raises(ConfigError, match="dask collections run on the dask engine"):
        gdlab.fit_arrays(da.ones((4, 1)), da.ones(4), loss="huber")
