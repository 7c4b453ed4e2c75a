"""--standardize on data far from zero: the same run as on the data centred beforehand."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab
from gdlab.data.files import open_files
from gdlab.model.linear import design_matrix
from gdlab.model.standardize import fit_standardization, standardization_from_moments
from gdlab.onepass.lstsq import LeastSquaresStats
from tests.conftest import PASS_ROUTES, pass_route, write_table

OFFSET = 1e8


def far_and_centred(rows=400, seed=0):
    """x ≈ 1e8 + N(0, 1) and the same values minus 1e8 (exact), y alike for both."""
    rng = np.random.default_rng(seed)
    X = OFFSET + rng.normal(size=(rows, 2)) * [1.0, 3.0]
    y = 2.0 + (X - OFFSET) @ [0.5, -1.5] + 0.1 * rng.normal(size=rows)
    return X, X - OFFSET, y


def fit_on(where, X, y, tmp_path, name):
    """One standardised run on X, y: in memory (stats or dense), streamed from a file in
    batches of 64 rows, or on Dask in blocks of 64."""
    options = {"standardize": True, "loss": "mse", "lr": 0.3, "steps": 25, "seed": 4}
    if where in ("stats", "dense"):
        return gdlab.fit(gdlab.from_arrays(X, y), engine=where, **options)
    if where == "dask":  # blocks of 64 rows, each centred at its own first row, merged
        import dask.array

        chunks = dask.array.from_array(X, chunks=(64, 2)), dask.array.from_array(y, chunks=64)
        return gdlab.fit_arrays(*chunks, engine="dask", **options)
    columns = {"x0": X[:, 0], "x1": X[:, 1], "y": y}
    table = write_table(tmp_path / f"{name}.parquet", columns, row_group_size=64)
    return gdlab.fit(open_files(table, ["x0", "x1"], "y"), engine="stream", **options)


@pytest.mark.parametrize("route", PASS_ROUTES)
@pytest.mark.parametrize("where", ["stats", "dense", "stream", "dask"])
def test_standardized_run_far_from_zero_is_the_centred_run(tmp_path, dask_client, where, route):
    X, centred, y = far_and_centred()
    with pass_route(route):
        far = fit_on(where, X, y, tmp_path, "far")
        near = fit_on(where, centred, y, tmp_path, "near")
    assert far.config.engine == near.config.engine
    np.testing.assert_allclose(far.losses, near.losses, rtol=1e-9)
    # the slopes are the same numbers in both; the bias absorbs the offset (b + a·1e8)
    np.testing.assert_allclose(far.path[:, 1:], near.path[:, 1:], rtol=1e-9)
    np.testing.assert_allclose(far.weights[0], near.weights[0] - near.weights[1:].sum() * OFFSET)
    assert far.losses[-1] < 0.1 * far.losses[0]  # it trained: the comparison is not idle


def test_standard_deviation_far_from_zero_comes_from_the_centred_factor():
    X, centred, y = far_and_centred(rows=1000, seed=1)
    stats = LeastSquaresStats.from_arrays(design_matrix(X), y, chunk_rows=97)
    scaling = standardization_from_moments(*stats.column_moments())
    np.testing.assert_allclose(scaling.scales, centred.std(axis=0), rtol=1e-13)
    np.testing.assert_allclose(scaling.means - OFFSET, centred.mean(axis=0), atol=3e-8)
    # standardised values are those of the centred data, not off by m's rounding (~1e-8)
    exact = (centred - centred.mean(axis=0)) / centred.std(axis=0)
    np.testing.assert_allclose(scaling.apply(X), exact, rtol=0, atol=1e-13)
    np.testing.assert_allclose(fit_standardization(X).apply(X), exact, rtol=0, atol=1e-13)


def test_no_bias_scales_by_the_root_mean_square():
    X, _, y = far_and_centred(rows=50)
    stats = LeastSquaresStats.from_arrays(X, y)
    scaling = standardization_from_moments(*stats.column_moments(intercept=False), False)
    np.testing.assert_allclose(scaling.scales, np.sqrt(np.mean(X**2, axis=0)), rtol=1e-14)
    assert scaling.means.tolist() == [0.0, 0.0]
