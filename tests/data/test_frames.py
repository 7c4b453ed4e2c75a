"""DataFrames, Series and Dask collections go straight into the Python API, names and all."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import gdlab


@pytest.fixture
def houses():
    rng = np.random.default_rng(3)
    area, rooms = rng.uniform(50, 150, 40), rng.integers(1, 6, 40)
    price = 10 + 2 * area + 5 * rooms + rng.normal(size=40)
    return pd.DataFrame({"area": area, "rooms": rooms, "price": price})


def fit_weights(data):
    return gdlab.fit(data, lr=1e-7, steps=5, init=[0.0] * (data.n_features + 1)).weights


def test_pandas_columns_become_feature_names_and_the_series_name_the_target(houses):
    data = gdlab.from_arrays(houses[["area", "rooms"]], houses["price"])
    assert data.feature_names == ("area", "rooms") and data.target_name == "price"
    np.testing.assert_array_equal(data.features, houses[["area", "rooms"]].to_numpy())
    run = gdlab.fit(data, lr=1e-7, steps=3)
    assert run.weight_names == ("b", "area", "rooms")
    assert run.to_record()["data"]["target"] == "price"


def test_polars_frames_give_the_same_dataset_and_weights_as_pandas_and_numpy(houses):
    frame = pl.from_pandas(houses)
    from_polars = gdlab.from_arrays(frame.select("area", "rooms"), frame["price"])
    from_numpy = gdlab.from_arrays(
        houses[["area", "rooms"]].to_numpy(), houses["price"].to_numpy(), ["area", "rooms"]
    )
    assert from_polars.feature_names == ("area", "rooms") and from_polars.target_name == "price"
    np.testing.assert_array_equal(fit_weights(from_polars), fit_weights(from_numpy))


def test_single_series_and_one_column_frames(houses):
    data = gdlab.from_arrays(pl.Series("area", houses["area"]), houses[["price"]])
    assert data.feature_names == ("area",) and data.target_name == "price"
    assert gdlab.from_arrays(houses["area"].to_list(), houses["price"]).feature_names == ("x",)


def test_explicit_names_win_over_column_names(houses):
    data = gdlab.from_arrays(houses[["area"]], houses["price"], ["size"], "cost")
    assert data.feature_names == ("size",) and data.target_name == "cost"


@pytest.mark.parametrize("make", [pd.DataFrame, pl.DataFrame], ids=["pandas", "polars"])
def test_nulls_and_text_are_named_by_column_and_row(make):
    with pytest.raises(gdlab.DataError, match=r"missing value .* column 'a' at data row 2"):
        gdlab.from_arrays(make({"a": [1.0, None, 3.0]}), [1, 2, 3])
    with pytest.raises(gdlab.DataError, match=r"column 'a': non-numeric value 'x' at data row 2"):
        gdlab.from_arrays(make({"a": ["1", "x", "3"]}), [1, 2, 3])


def test_pandas_nullable_integers_and_dates():
    nullable = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64")})
    with pytest.raises(gdlab.DataError, match="column 'n' at data row 2"):
        gdlab.from_arrays(nullable, [1, 2, 3])
    dates = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"])})
    with pytest.raises(gdlab.DataError, match="column 'd' holds dates or times"):
        gdlab.from_arrays(dates, [1, 2, 3])


def test_a_target_frame_must_have_one_column(houses):
    with pytest.raises(gdlab.DataError, match="the target must be one column, got 2"):
        gdlab.from_arrays(houses[["area"]], houses[["price", "rooms"]])


def test_dask_collections_are_computed_with_their_names(houses):
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(houses, npartitions=3)
    data = gdlab.from_arrays(frame[["area", "rooms"]], frame["price"])
    assert data.feature_names == ("area", "rooms") and data.target_name == "price"
    np.testing.assert_array_equal(data.features, houses[["area", "rooms"]].to_numpy())
    da = pytest.importorskip("dask.array")
    array = gdlab.from_arrays(da.from_array(houses[["area"]].to_numpy(), chunks=7), houses["price"])
    np.testing.assert_array_equal(array.features[:, 0], houses["area"].to_numpy())
