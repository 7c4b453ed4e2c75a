"""A light install: `pip install gdlab` fits and draws; the rest are extras that say so.

A missing extra is simulated by a None in sys.modules (then importing it fails, and
`importlib.util.find_spec` finds nothing), as on a machine without it.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

from gdlab.errors import EXTRAS, MissingExtraError, require_extra
from tests.conftest import python_output, run_cli, write_csv

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def requirement_names(requirements: list[str]) -> set[str]:
    """'fastapi>=0.1' → 'fastapi'; 'gdlab[web,dask]' → 'gdlab[web,dask]' (kept whole)."""
    return {re.split(r"[<>=!~; ]", item, maxsplit=1)[0] for item in requirements}


def test_the_core_install_brings_no_extra():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    core = requirement_names(project["dependencies"])
    assert core == {"numpy", "matplotlib", "pyarrow", "typer", "rich", "threadpoolctl"}
    extras = project["optional-dependencies"]
    assert requirement_names(extras["web"]) == {"fastapi", "uvicorn", "plotly", "python-multipart"}
    assert requirement_names(extras["sklearn"]) == {"scikit-learn"}
    assert requirement_names(extras["fast"]) == {"numba"}
    assert {"dask[array,dataframe]", "distributed"} == requirement_names(extras["dask"])
    assert requirement_names(extras["formula"]) == {"formulaic", "pandas"}
    assert extras["all"] == ["gdlab[web,dask,sklearn,formula,fast]"]
    assert "gdlab[all]" in extras["test"]  # `make test` runs with every extra
    assert set(EXTRAS) == {"web", "dask", "sklearn", "formula", "fast"}


@pytest.mark.parametrize("missing", ["uvicorn", "fastapi", "plotly", "python_multipart"])
def test_serve_without_the_web_extra_says_which_to_install(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)
    code, out, err = run_cli("serve", "--port", "0")
    assert code == 2 and out == "", err
    assert err.count("\n") == 1, err
    assert err.startswith("gdlab: the playground (gdlab serve) needs the 'web' extra")
    assert missing in err and "pip install 'gdlab[web]'" in err


def test_the_dask_engine_without_the_dask_extra_says_which_to_install(monkeypatch, tmp_path):
    data = write_csv(tmp_path / "d.csv", "x,y", ["1,2", "2,4.1", "3,5.9"])
    monkeypatch.setitem(sys.modules, "dask", None)
    code, _, err = run_cli("fit", str(data), "--x", "x", "--y", "y", "--engine", "dask")
    assert code == 2 and err.count("\n") == 1, err
    assert "pip install 'gdlab[dask]'" in err


def test_the_estimator_without_the_sklearn_extra_says_which_to_install():
    code = (
        "import sys\n"
        "sys.modules['sklearn'] = None\n"
        "import gdlab\n"
        "try:\n"
        "    gdlab.GDRegressor\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    assert "pip install 'gdlab[sklearn]'" in python_output(code)


def test_without_numba_a_large_pass_runs_on_lapack_with_the_same_statistics():
    """The `fast` extra only speeds passes up: without numba, the kernel's passes fall back."""
    code = (
        "import json, sys\n"
        "sys.modules['numba'] = None\n"
        "import numpy as np\n"
        "from gdlab.onepass.arrays import kernel_available, pass_statistics, wants_kernel\n"
        "rng = np.random.default_rng(0)\n"
        "x = rng.normal(size=100_000); y = 3 * x - 1 + rng.normal(size=x.size)\n"
        "asked = pass_statistics([x], y, True, kernel=True, moments=False)\n"
        "lapack = pass_statistics([x], y, True, kernel=False, moments=False)\n"
        "print(json.dumps([kernel_available(), wants_kernel(1e9, 3), asked.R.tolist(),\n"
        "                  lapack.R.tolist(), asked.optimum().tolist()]))\n"
    )
    available, wanted, asked, lapack, optimum = json.loads(python_output(code))
    assert not available and not wanted
    assert asked == lapack
    assert optimum == pytest.approx([-1.0, 3.0], abs=0.01)


def test_require_extra_names_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtraError) as caught:
        require_extra("dask", "the dask engine")
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "the dask engine needs the 'dask' extra, which brings distributed: "
        "pip install 'gdlab[dask]'"
    )
