"""gdlab: train, see and explain the simplest neural network, y = Xw, by gradient descent.

The public names load on first use (PEP 562), so `import gdlab` and `gdlab --help` stay
fast; NumPy and friends come in only when something runs.

>>> import gdlab
>>> run = gdlab.demo(seed=0)
>>> run.weight_names, len(run.losses)
(('b', 'x'), 50)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Analysis": "gdlab.analysis",
    "analyze": "gdlab.analysis",
    "demo": "gdlab.api",
    "dataset_for_record": "gdlab.api",
    "fit": "gdlab.api",
    "fit_arrays": "gdlab.api",
    "Dataset": "gdlab.data",
    "design_matrix": "gdlab.data",
    "from_arrays": "gdlab.data",
    "seed_data": "gdlab.data",
    "seed_dataset": "gdlab.data",
    "ConfigError": "gdlab.errors",
    "DataError": "gdlab.errors",
    "DivergedError": "gdlab.errors",
    "GdlabError": "gdlab.errors",
    "LearningRateWarning": "gdlab.errors",
    "predicted_losses": "gdlab.analysis",
    "steps_to_gap": "gdlab.analysis",
    "GDRegressor": "gdlab.sklearn",
    "SavedModel": "gdlab.savedmodel",
    "export_script": "gdlab.export",
    "load_model": "gdlab.savedmodel",
    "save_model": "gdlab.savedmodel",
    "read_table": "gdlab.readers",
    "open_files": "gdlab.sources",
    "dask_arrays": "gdlab.engines.dask_engine",
    "Run": "gdlab.run",
    "TrainConfig": "gdlab.run",
    "load_record": "gdlab.run",
}

__all__ = [
    "Analysis",
    "ConfigError",
    "DataError",
    "Dataset",
    "DivergedError",
    "GDRegressor",
    "GdlabError",
    "LearningRateWarning",
    "Run",
    "SavedModel",
    "TrainConfig",
    "__version__",
    "analyze",
    "dask_arrays",
    "dataset_for_record",
    "demo",
    "design_matrix",
    "export_script",
    "fit",
    "fit_arrays",
    "from_arrays",
    "load_model",
    "load_record",
    "open_files",
    "predicted_losses",
    "read_table",
    "save_model",
    "seed_data",
    "seed_dataset",
    "steps_to_gap",
]

if TYPE_CHECKING:
    from gdlab.analysis import Analysis, analyze, predicted_losses, steps_to_gap
    from gdlab.api import dataset_for_record, demo, fit, fit_arrays
    from gdlab.data import Dataset, design_matrix, from_arrays, seed_data, seed_dataset
    from gdlab.engines.dask_engine import dask_arrays
    from gdlab.errors import ConfigError, DataError, DivergedError, GdlabError, LearningRateWarning
    from gdlab.export import export_script
    from gdlab.readers import read_table
    from gdlab.run import Run, TrainConfig, load_record
    from gdlab.savedmodel import SavedModel, load_model, save_model
    from gdlab.sklearn import GDRegressor
    from gdlab.sources import open_files


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gdlab' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
