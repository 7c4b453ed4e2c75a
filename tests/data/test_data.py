"""The seed recipe, the design matrix and in-memory validation."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.data.dataset import from_arrays
from gdlab.data.seed import seed_data, seed_dataset
from gdlab.errors import DataError
from gdlab.model.linear import design_matrix


def test_seed_data_follows_the_recipe():
    rng = np.random.default_rng(7)
    data = seed_data(rng, n=50)
    noise = np.random.default_rng(7).standard_normal((2, 50))
    np.testing.assert_array_equal(data.features[:, 0], np.linspace(-2, 4, 50) + noise[0])
    np.testing.assert_array_equal(data.target, np.linspace(-6, 6, 50) + noise[1])


def test_seed_dataset_regenerates_the_same_points():
    first, second = seed_dataset(3), seed_dataset(3)
    np.testing.assert_array_equal(first.features, second.features)
    assert not np.array_equal(first.features, seed_dataset(4).features)


def test_design_matrix_puts_the_bias_column_first():
    A = design_matrix([[2.0, 5.0], [3.0, 6.0]])
    np.testing.assert_array_equal(A, [[1, 2, 5], [1, 3, 6]])
    np.testing.assert_array_equal(design_matrix([[2.0], [3.0]], intercept=False), [[2], [3]])


@pytest.mark.parametrize(
    ("features", "target", "message"),
    [
        ([[1.0], [np.nan]], [1.0, 2.0], "missing value (NaN) in column 'x' at data row 2"),
        ([[1.0], [2.0]], [1.0, np.inf], "infinite value in column 'y' at data row 2"),
        ([[1.0]], [1.0], "at least 2 rows"),
        ([[1.0], [2.0]], [1.0, 2.0, 3.0], "2 rows but the target has 3"),
    ],
)
def test_bad_arrays_are_named(features, target, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_arrays(features, target)
