"""The F test's p-value from gdlab's own incomplete beta equals SciPy's."""

import itertools

import pytest

from gdlab.analysis.fisher import f_survival

special = pytest.importorskip("scipy.special")


def test_f_survival_equals_scipy_over_the_degrees_of_freedom_of_regressions() -> None:
    for d1, d2, f in itertools.product(
        [1, 2, 3, 6, 20, 100], [1, 5, 9, 50, 1000, 10**5, 10**6], [0.01, 0.5, 1, 3, 10, 1000]
    ):
        expected = float(special.fdtrc(d1, d2, f))
        assert f_survival(f, d1, d2) == pytest.approx(expected, rel=1e-8, abs=1e-300), (d1, d2, f)
