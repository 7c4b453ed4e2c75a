"""The seed data's teaching presets: each shows the one thing it is for."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.data.presets import PRESETS, preset_dataset
from gdlab.data.seed import seed_dataset
from gdlab.errors import ConfigError
from gdlab.training.fit import dataset_for_record, fit


def test_centred_x_has_mean_zero_and_decouples_bias_and_slope():
    data = preset_dataset("centred", 3)
    assert abs(data.features.mean()) < 1e-12
    run = fit(data, steps=1, lr="auto")
    hessian_off_diagonal = run.statistics.gram()[0, 1]
    assert abs(hessian_off_diagonal) < 1e-9
    assert run.analysis.condition_number < fit(seed_dataset(3), steps=1).analysis.condition_number


def test_ill_conditioned_is_far_worse_conditioned_than_the_seed():
    seed = fit(seed_dataset(0), steps=1).analysis.condition_number
    ill = fit(preset_dataset("ill-conditioned", 0), steps=1).analysis.condition_number
    assert ill > 100 * seed


def test_huber_shrugs_off_the_outliers_that_tilt_l2():
    clean = fit(seed_dataset(0), steps=1).analysis.optimum_weights
    data = preset_dataset("outliers", 0)
    l2 = fit(data, steps=1).analysis.optimum_weights
    huber = fit(data, steps=1, loss="huber").analysis.optimum_weights
    assert np.abs(huber - clean).max() < 0.5 * np.abs(l2 - clean).max()


def test_collinear_features_leave_a_nearly_flat_direction():
    data = preset_dataset("collinear", 0)
    assert data.feature_names == ("x", "x2")
    assert np.corrcoef(data.features.T)[0, 1] > 0.9999
    eigenvalues = fit(data, steps=1).analysis.hessian_eigenvalues
    assert eigenvalues[0] < 1e-4 * eigenvalues[-1]


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_starts_where_the_seed_program_starts(name):
    """The preset uses the recipe's own draws, so the seed's next draws are the start."""
    seed_run = fit(seed_dataset(4), seed=4, steps=1)
    run = fit(preset_dataset(name, 4), seed=4, steps=1)
    assert run.init[:2].tolist() == seed_run.init[:2].tolist()


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_record_of_a_preset_run_regenerates_its_data(name):
    data = preset_dataset(name, 2, 30, 0.5)
    record = fit(data, seed=2, steps=3).to_record()
    again = dataset_for_record(record)
    assert np.array_equal(again.features, data.features) and np.array_equal(
        again.target, data.target
    )


def test_an_unknown_preset_names_the_choices():
    with pytest.raises(ConfigError, match=r"unknown data preset 'wavy'.*centred"):
        preset_dataset("wavy", 0)
