"""Statistics kept in .gdstats files and merged: exactly those of one pass over all rows."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.errors import DataError
from gdlab.onepass.arrays import pass_statistics
from gdlab.onepass.keep import (
    FORMAT_VERSION,
    KeptStatistics,
    column_subset,
    merge_kept,
    open_statistics,
    read_statistics,
    update,
    write_statistics,
)
from tests.conftest import PASS_ROUTES, pass_route


def well_posed(seed: int, rows: int, features: int, offset: float = 0.0):
    """Rows with independent features around `offset` and a noisy linear target."""
    rng = np.random.default_rng(seed)
    X = offset + rng.normal(size=(rows, features))
    y = X @ rng.normal(size=features) + 3.0 + rng.normal(size=rows)
    return X, y, rng.uniform(0.1, 4.0, size=rows)


def one_pass(X, y, weights=None, intercept=True):
    columns = [X[:, j] for j in range(X.shape[1])]
    return pass_statistics(columns, y, intercept, weights=weights)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    rows=st.integers(20, 400),
    features=st.integers(1, 4),
    cuts=st.lists(st.floats(0.05, 0.95), min_size=1, max_size=5),
    weighted=st.booleans(),
    intercept=st.booleans(),
    offset=st.sampled_from([0.0, 1e4]),
    route=st.sampled_from(PASS_ROUTES),
)
def test_batches_updated_in_give_the_statistics_of_one_pass(
    seed, rows, features, cuts, weighted, intercept, offset, route
):
    # Far from zero only with the bias, whose centring keeps the problem well conditioned
    # (without it, columns around 1e4 are nearly collinear: both answers round differently).
    X, y, w = well_posed(seed, rows, features, offset if intercept else 0.0)
    weights = w if weighted else None
    edges = sorted({0, rows, *(int(c * rows) for c in cuts)})
    with pass_route(route):
        merged = None
        for start, stop in itertools.pairwise(edges):
            part = None if weights is None else weights[start:stop]
            merged = update(merged, X[start:stop], y[start:stop], part, intercept=intercept)
        whole = one_pass(X, y, weights, intercept)
    assert merged is not None and merged.n_rows == rows
    assert merged.mass == pytest.approx(whole.mass, rel=1e-14)
    assert (merged.weight_total is None) == (not weighted)
    np.testing.assert_allclose(merged.optimum(), whole.optimum(), rtol=1e-12, atol=1e-12)
    w_test = whole.optimum() + 0.1
    assert merged.sum_squared_errors(w_test) == pytest.approx(
        whole.sum_squared_errors(w_test), rel=1e-12
    )
    np.testing.assert_allclose(np.abs(merged.R), np.abs(whole.R), rtol=1e-10, atol=1e-9)


def test_unweighted_batches_count_once_beside_weighted_ones():
    X, y, w = well_posed(1, 200, 2)
    ones = np.ones(100)
    mixed = update(update(None, X[:100], y[:100]), X[100:], y[100:], w[100:])
    weighted = one_pass(X, y, np.concatenate([ones, w[100:]]))
    assert mixed.mass == pytest.approx(100 + w[100:].sum(), rel=1e-14)
    np.testing.assert_allclose(mixed.optimum(), weighted.optimum(), rtol=1e-12)


def test_a_batch_of_other_features_is_refused():
    X, y, _ = well_posed(2, 50, 2)
    stats = update(None, X, y)
    with pytest.raises(DataError, match="a batch of 3 features does not fit statistics of 2"):
        update(stats, np.column_stack([X, X[:, 0]]), y)


@pytest.mark.parametrize("route", PASS_ROUTES)
@pytest.mark.parametrize("weighted", [False, True])
def test_a_statistics_file_reads_back_bit_for_bit(tmp_path, route, weighted):
    X, y, w = well_posed(3, 300, 3, offset=1e5)
    with pass_route(route):
        stats = one_pass(X, y, w if weighted else None)
    kept = KeptStatistics(stats, ("a", "b", "c"), "y", True, "w" if weighted else None, "d.csv")
    path = write_statistics(tmp_path / "d.gdstats", kept)
    back = read_statistics(path)
    assert (back.feature_names, back.target_name, back.intercept) == (("a", "b", "c"), "y", True)
    assert back.weight_name == ("w" if weighted else None)
    for name in ("R", "z", "reference", "centred"):
        np.testing.assert_array_equal(getattr(back.statistics, name), getattr(stats, name))
    assert (back.statistics.rho, back.statistics.n_rows) == (stats.rho, stats.n_rows)
    assert back.statistics.weight_total == stats.weight_total
    if stats.moments is None:
        assert back.statistics.moments is None
    else:  # every bit of the extended-precision moments, through two float64 parts
        assert back.statistics.moments.dtype == np.longdouble
        np.testing.assert_array_equal(back.statistics.moments, stats.moments)
    np.testing.assert_array_equal(back.statistics.optimum(), stats.optimum())
    document = json.loads(path.read_text())
    assert document["format"] == "gdlab-statistics"
    assert document["format_version"] == FORMAT_VERSION
    assert document["features"] == ["a", "b", "c"] and document["n_rows"] == 300


def test_files_of_other_columns_intercept_or_weights_are_refused_by_name(tmp_path):
    X, y, w = well_posed(4, 100, 2)
    first = KeptStatistics(update(None, X, y), ("a", "b"), "y", source="one.gdstats")
    others = {
        "features": KeptStatistics(update(None, X, y), ("a", "c"), "y", source="two.gdstats"),
        "target": KeptStatistics(update(None, X, y), ("a", "b"), "t", source="two.gdstats"),
        "intercept": KeptStatistics(
            update(None, X, y, intercept=False), ("a", "b"), "y", False, source="two.gdstats"
        ),
        "weights": KeptStatistics(
            update(None, X, y, w), ("a", "b"), "y", True, "w", source="two.gdstats"
        ),
    }
    for other in others.values():
        with pytest.raises(
            DataError, match=r"^two\.gdstats: its statistics are of .* one\.gdstats"
        ):
            merge_kept([first, other])


def test_globs_of_files_merge_into_the_statistics_of_all_rows(tmp_path):
    X, y, _ = well_posed(5, 600, 2, offset=50.0)
    for i, rows in enumerate(np.array_split(np.arange(600), 4)):
        part = update(None, X[rows], y[rows])
        write_statistics(tmp_path / f"p{i}.gdstats", KeptStatistics(part, ("a", "b"), "y"))
    merged = open_statistics([str(tmp_path / "p*.gdstats")])
    assert merged.n_rows == 600 and merged.extra == {"statistics_files": 4}
    np.testing.assert_allclose(merged.statistics.optimum(), one_pass(X, y).optimum(), rtol=1e-12)
    with pytest.raises(DataError, match="no files match"):
        open_statistics([str(tmp_path / "q*.gdstats")])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a gdlab statistics file"),
        ('{"format": "other"}', "not a gdlab statistics file"),
        ('{"format": "gdlab-statistics", "format_version": 99}', "newer than this gdlab"),
        ('{"format": "gdlab-statistics", "format_version": 1}', "damaged statistics file"),
    ],
)
def test_a_file_that_is_not_statistics_is_a_one_line_error(tmp_path, text, message):
    path = tmp_path / "bad.gdstats"
    path.write_text(text)
    with pytest.raises(DataError, match=message) as caught:
        read_statistics(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_a_file_with_a_triangle_of_the_wrong_size_is_damaged(tmp_path):
    X, y, _ = well_posed(6, 40, 2)
    path = write_statistics(
        tmp_path / "s.gdstats", KeptStatistics(update(None, X, y), ("a", "b"), "y")
    )
    document = json.loads(path.read_text())
    document["features"] = ["a"]
    path.write_text(json.dumps(document))
    with pytest.raises(DataError, match=r"damaged statistics file.*'moments' has shape"):
        read_statistics(path)


@pytest.mark.parametrize("intercept", [True, False])
def test_columns_drop_out_of_statistics_exactly(intercept):
    X, y, w = well_posed(7, 200, 3, offset=1e3)
    stats = one_pass(X, y, w, intercept)
    bias = [0] if intercept else []
    kept = column_subset(stats, [*bias, int(intercept) + 0, int(intercept) + 2])
    alone = one_pass(X[:, [0, 2]], y, w, intercept)
    np.testing.assert_allclose(kept.optimum(), alone.optimum(), rtol=1e-12)
    assert kept.mass == stats.mass
