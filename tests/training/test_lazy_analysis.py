"""A fit computes its analysis once, and the costly parts only when they are read.

`gdlab.fit` returns with the spectrum and the rate bounds (its stability warning needs
them); the optimum (a refined solve), the outlook, the conditioning and the regression
table are computed on first read and kept. Each is computed at most once per fit — the
optimum once although four parts use it — and equals what an eager computation gives.
"""

from __future__ import annotations

import gc
import pickle
from unittest import mock

import numpy as np
import pytest

import gdlab
from gdlab.analysis.deferred import Deferred, Later
from gdlab.analysis.quadratic import analyze, gd_outlook
from gdlab.analysis.regression import regression_summary
from gdlab.model.losses import L2
from gdlab.onepass.lstsq import LeastSquaresStats


@pytest.fixture
def counted():
    """Counts the solves for the optimum and the regression tables computed."""
    calls = {"optimum": 0, "regression": 0}
    solve, table = LeastSquaresStats.optimum, regression_summary

    def optimum(self):
        calls["optimum"] += 1
        return solve(self)

    def regression(*args, **kwargs):
        calls["regression"] += 1
        return table(*args, **kwargs)

    with (
        mock.patch.object(LeastSquaresStats, "optimum", optimum),
        mock.patch("gdlab.analysis.training.regression_summary", regression),
    ):
        yield calls


def test_a_fit_leaves_the_costly_parts_for_whoever_reads_them(counted):
    run = gdlab.demo(0)
    assert counted == {"optimum": 0, "regression": 0}
    assert run.analysis.lr_max_stable > 0  # the bounds are there at once
    record = run.to_record()
    assert counted == {"optimum": 1, "regression": 1}  # one solve serves every part
    assert record["analysis"]["regression"]["df_residual"] == 48
    run.to_record()
    assert counted == {"optimum": 1, "regression": 1}  # read once, kept


def test_what_is_read_later_equals_what_an_eager_analysis_gives():
    run = gdlab.demo(3)
    stats = run.statistics
    eager = analyze(stats, L2, init=run.init, lr=0.002)
    np.testing.assert_array_equal(run.analysis.optimum_weights, stats.optimum())
    assert run.analysis.outlook == eager.outlook
    assert run.analysis.outlook == gd_outlook(eager, run.init, 0.002)
    expected = regression_summary(stats, run.weight_names, True)
    np.testing.assert_array_equal(run.analysis.regression.p_values, expected.p_values)
    np.testing.assert_array_equal(run.analysis.regression.std_errors, expected.std_errors)
    assert run.analysis.conditioning.condition_before == eager.condition_number


def test_a_standardised_fit_still_reports_its_conditioning():
    rng = np.random.default_rng(1)
    x = 1000 + 5 * rng.normal(size=40)
    data = gdlab.from_arrays(x, 3 * x + rng.normal(size=40))
    run = gdlab.fit(data, standardize=True, lr=0.02, steps=200)
    conditioning = run.analysis.conditioning
    assert conditioning.applied and conditioning.condition_before > 1e6
    assert conditioning.condition_after < 10 and conditioning.feature_means[0] == x.mean()


def test_an_analysis_with_parts_still_to_compute_pickles():
    run = gdlab.demo(0)
    copy = pickle.loads(pickle.dumps(run.analysis))
    assert copy.regression.n_rows == 50 and copy.outlook == run.analysis.outlook


def test_deferred_fields_read_like_values():
    calls = []

    def compute():
        calls.append(1)
        return 42

    class Box:
        answer = Deferred(0)

    box = Box()
    assert box.answer == 0  # the default until set
    box.answer = Later(compute)
    assert calls == [] and box.answer == 42 and box.answer == 42 and calls == [1]
    box.answer = 7
    assert box.answer == 7


@pytest.mark.parametrize("options", [{"lr": 0.002}, {}, {"standardize": True}])
def test_a_fit_leaves_no_reference_cycles(options):
    """What is read later holds what it reads, never the run that holds it: a fit's objects
    are freed as soon as the run is dropped, with no work left for the garbage collector."""
    data = gdlab.seed_data(np.random.default_rng(0))
    gdlab.fit(data, **options)  # warm: first calls fill caches
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            run = gdlab.fit(data, **options)
            run.weights  # noqa: B018 (a run used, then dropped)
            del run
        assert gc.collect() == 0
    finally:
        gc.enable()
