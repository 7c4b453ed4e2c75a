"""Real regression data sets, as a new user would first try gdlab on them.

Five ship inside statsmodels (`statsmodels.datasets`: longley — 16 rows of highly collinear
US macroeconomic series, NIST's accuracy test; stackloss — Brownlee's 21 days of an ammonia
plant; scotland — the 1997 Scottish tax-powers vote in 32 council districts; ccard —
Greene's 72 credit-card holders; copper — the world copper market 1951–1975), one inside
scikit-learn (diabetes: 442 patients, 10 standardised features). The target is each data
set's own endogenous variable (statsmodels' `endog`).
"""

from __future__ import annotations

import numpy as np

import gdlab

#: The statsmodels data sets the issue names.
STATSMODELS = ("longley", "stackloss", "scotland", "ccard", "copper")
NAMES = (*STATSMODELS, "diabetes")


def real_dataset(name: str) -> gdlab.Dataset:
    """One of `NAMES` as a gdlab Dataset (the column names kept)."""
    if name == "diabetes":
        from sklearn.datasets import load_diabetes

        frame = load_diabetes(as_frame=True)
        return gdlab.from_arrays(frame.data, frame.target.rename("progression"))
    import statsmodels.api as sm

    loaded = getattr(sm.datasets, name).load_pandas()
    return gdlab.from_arrays(loaded.exog, loaded.endog)


def write_csv(dataset: gdlab.Dataset, path) -> str:
    """Write a Dataset as CSV (every digit kept); return the --x value naming its features."""
    names = [*dataset.feature_names, dataset.target_name]
    table = np.column_stack([dataset.features, dataset.target])
    np.savetxt(path, table, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
    return ",".join(dataset.feature_names)
