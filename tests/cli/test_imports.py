"""Each command loads only the heavy modules it needs (a fresh process, its sys.modules).

Start-up time is CPU spent importing: matplotlib alone costs several times NumPy's import,
SciPy's special functions twice NumPy, pydantic (typer ≥ 0.29 validates options with it)
about NumPy's. benchmarks/startup.py measures the commands; this says what each loads.
"""

from __future__ import annotations

import importlib.metadata
import json

import numpy as np
import pytest

from tests.conftest import python_output, write_csv

HEAVY = ("matplotlib", "scipy", "pyarrow", "numba", "fastapi", "dask", "pandas", "pydantic")

#: Runs `gdlab ARGV` in this process, then prints the heavy modules it imported.
PROBE = """
import contextlib, io, json, sys
from gdlab.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main({argv!r})
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print(json.dumps({{"code": code, "loaded": loaded}}))
"""


def loaded_by(*argv: str) -> tuple[int, set[str]]:
    """The exit code of `gdlab ARGV` in a fresh process and the heavy modules it loaded."""
    result = json.loads(python_output(PROBE.format(argv=list(argv), heavy=HEAVY)))
    return result["code"], set(result["loaded"])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small CSV file, and a run record and a saved model fitted on it."""
    folder = tmp_path_factory.mktemp("imports")
    rng = np.random.default_rng(0)
    x = rng.normal(size=30).tolist()
    noise = rng.normal(size=30).tolist()
    rows = [f"{a!r},{2 * a + 1 + 0.1 * b!r}" for a, b in zip(x, noise, strict=True)]
    small = write_csv(folder / "small.csv", "x,y", rows)
    code, _ = loaded_by("fit", str(small), "--x", "x", "--y", "y", "--out", str(folder / "r"),
                        "--save", str(folder / "model.json"))  # fmt: skip
    assert code == 0
    return folder


@pytest.mark.parametrize(
    ("argv", "needed"),
    [
        (["--help"], set()),
        (["demo", "--no-plot", "--out", "{dir}/d"], set()),
        (["demo", "--out", "{dir}/d"], {"matplotlib"}),
        (["fit", "{dir}/small.csv", "--x", "x", "--y", "y", "--json"], {"pyarrow"}),
        (["fit", "{dir}/small.csv", "--x", "x", "--y", "y", "--summary"], {"pyarrow"}),
        (["fit", "{dir}/small.csv", "--x", "x", "--y", "y", "--out", "{dir}/f"],
         {"pyarrow", "matplotlib"}),
        (["explain", "--lang", "ko"], set()),
        (["plot", "{dir}/r/run.json", "--kind", "landscape", "--out", "{dir}/l.png"],
         {"matplotlib"}),
        (["predict", "{dir}/model.json", "{dir}/small.csv"], {"pyarrow"}),
        (["export", "{dir}/r/run.json", "--to", "numpy"], set()),
        (["sweep", "--steps", "5"], set()),
        (["sweep", "--steps", "5", "--out", "{dir}/s.png"], {"matplotlib"}),
        (["serve", "--port", "70000"], {"fastapi", "pydantic", "pyarrow"}),  # uploads
    ],
    ids=["help", "demo-no-plot", "demo", "fit-json", "fit-summary", "fit-out", "explain",
         "plot", "predict", "export", "sweep-table", "sweep-picture", "serve"],
)  # fmt: skip
def test_each_command_loads_only_what_it_needs(files, argv, needed):
    code, loaded = loaded_by(*(part.format(dir=files) for part in argv))
    assert code in (0, 2), code  # serve refuses the port after loading the web stack
    assert loaded == needed, f"gdlab {argv[0]} loaded {sorted(loaded)}, needs {sorted(needed)}"


def test_the_installed_typer_parses_without_pydantic():
    """pyproject pins typer < 0.29: from 0.29 every command validates its options through
    pydantic, as much CPU as importing NumPy (a venv made before the pin needs reinstalling)."""
    version = tuple(int(part) for part in importlib.metadata.version("typer").split(".")[:2])
    assert version < (0, 29), f"typer {version}: pip install 'typer<0.29' (or make venv-test)"


def test_the_dask_engine_loads_dask_and_nothing_for_pictures(files):
    code, loaded = loaded_by("fit", str(files / "small.csv"), "--x", "x", "--y", "y",
                             "--engine", "dask", "--json")  # fmt: skip
    assert code == 0
    assert "dask" in loaded  # and what dask itself loads (pandas, some of SciPy)
    assert not loaded & {"matplotlib", "fastapi", "pydantic"}, loaded


def test_p_values_in_a_record_need_no_scipy(files):
    """The record printed by --json carries p-values and intervals, from gdlab's own t."""
    code = (
        "import contextlib, io, json, sys\n"
        "from gdlab.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    main(['fit', {str(files / 'small.csv')!r}, '--x', 'x', '--y', 'y', '--json'])\n"
        "regression = json.loads(out.getvalue())['analysis']['regression']\n"
        "print(json.dumps([regression['p_values'], 'scipy' in sys.modules]))"
    )
    p_values, scipy_loaded = json.loads(python_output(code))
    assert not scipy_loaded
    assert len(p_values) == 2 and all(0 <= p <= 1 for p in p_values)
    assert p_values[1] < 1e-10  # the slope of y = 2x + 1 + noise/10 is certain
