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

from gdlab.version import __version__

_EXPORTS = {
    "Analysis": "gdlab.analysis.quadratic",
    "analyze": "gdlab.analysis.quadratic",
    "demo": "gdlab.training.fit",
    "dataset_for_record": "gdlab.training.fit",
    "fit": "gdlab.training.fit",
    "fit_arrays": "gdlab.training.fit",
    "Dataset": "gdlab.data.dataset",
    "design_matrix": "gdlab.model.linear",
    "from_arrays": "gdlab.data.dataset",
    "seed_data": "gdlab.data.seed",
    "seed_dataset": "gdlab.data.seed",
    "ConfigError": "gdlab.errors",
    "DataError": "gdlab.errors",
    "DivergedError": "gdlab.errors",
    "GdlabError": "gdlab.errors",
    "LearningRateWarning": "gdlab.errors",
    "DataWarning": "gdlab.errors",
    "ReadOptions": "gdlab.data.options",
    "predicted_losses": "gdlab.analysis.quadratic",
    "steps_to_gap": "gdlab.analysis.quadratic",
    "GDRegressor": "gdlab.sklearn",
    "SavedModel": "gdlab.outputs.savedmodel",
    "export_script": "gdlab.outputs.export",
    "load_model": "gdlab.outputs.savedmodel",
    "save_model": "gdlab.outputs.savedmodel",
    "read_table": "gdlab.data.columns",
    "open_files": "gdlab.data.files",
    "dask_arrays": "gdlab.data.dask",
    "Run": "gdlab.training.record",
    "RunRecord": "gdlab.training.record",
    "TrainingConfig": "gdlab.training.config",
    "load_record": "gdlab.training.record",
    "Problem": "gdlab.training.problem",
    "prepare": "gdlab.training.problem",
    "train_problem": "gdlab.training.fit",
    "KeptStatistics": "gdlab.onepass.keep",
    "update": "gdlab.onepass.keep",
    "read_statistics": "gdlab.onepass.keep",
    "write_statistics": "gdlab.onepass.keep",
    "open_statistics": "gdlab.onepass.keep",
    "fit_targets": "gdlab.training.targets",
    "prepare_targets": "gdlab.training.targets",
    "open_targets": "gdlab.data.targets",
    "targets_from_arrays": "gdlab.data.targets",
}

__all__ = [
    "Analysis",
    "ConfigError",
    "DataError",
    "DataWarning",
    "Dataset",
    "DivergedError",
    "GDRegressor",
    "GdlabError",
    "KeptStatistics",
    "LearningRateWarning",
    "Problem",
    "ReadOptions",
    "Run",
    "RunRecord",
    "SavedModel",
    "TrainingConfig",
    "__version__",
    "analyze",
    "dask_arrays",
    "dataset_for_record",
    "demo",
    "design_matrix",
    "export_script",
    "fit",
    "fit_arrays",
    "fit_targets",
    "from_arrays",
    "load_model",
    "load_record",
    "open_files",
    "open_statistics",
    "open_targets",
    "predicted_losses",
    "prepare",
    "prepare_targets",
    "read_statistics",
    "read_table",
    "save_model",
    "seed_data",
    "seed_dataset",
    "steps_to_gap",
    "targets_from_arrays",
    "train_problem",
    "update",
    "write_statistics",
]

if TYPE_CHECKING:
    from gdlab.analysis.quadratic import Analysis, analyze, predicted_losses, steps_to_gap
    from gdlab.data.columns import read_table
    from gdlab.data.dask import dask_arrays
    from gdlab.data.dataset import Dataset, from_arrays
    from gdlab.data.files import open_files
    from gdlab.data.options import ReadOptions
    from gdlab.data.seed import seed_data, seed_dataset
    from gdlab.data.targets import open_targets, targets_from_arrays
    from gdlab.errors import (
        ConfigError,
        DataError,
        DataWarning,
        DivergedError,
        GdlabError,
        LearningRateWarning,
    )
    from gdlab.model.linear import design_matrix
    from gdlab.onepass.keep import (
        KeptStatistics,
        open_statistics,
        read_statistics,
        update,
        write_statistics,
    )
    from gdlab.outputs.export import export_script
    from gdlab.outputs.savedmodel import SavedModel, load_model, save_model
    from gdlab.sklearn import GDRegressor
    from gdlab.training.config import TrainingConfig
    from gdlab.training.fit import dataset_for_record, demo, fit, fit_arrays, train_problem
    from gdlab.training.problem import Problem, prepare
    from gdlab.training.record import Run, RunRecord, load_record
    from gdlab.training.targets import fit_targets, prepare_targets


def __dir__() -> list[str]:
    """The public API (what tab completion on `gdlab.` offers)."""
    return sorted(__all__)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gdlab' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
