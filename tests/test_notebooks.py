"""The example notebooks run from top to bottom in a kernel of the test venv, and are
stored without outputs (nbclient executes them here; nothing is written back)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_the_four_notebooks_and_the_readme_links_them():
    names = [path.name for path in ALL]
    assert names == [
        "01-seed-program.ipynb",
        "01-seed-program.ko.ipynb",
        "02-your-own-data.ipynb",
        "03-landscape-and-learning-rate.ipynb",
    ]
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    assert all(f"notebooks/{name}" in readme for name in names)


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.stem)
def test_a_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


def executed(path: Path) -> object:
    """The notebook run in a fresh kernel of this very Python, from its own folder."""
    from jupyter_client import KernelManager

    notebook = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell("import sys; print(sys.executable)")
    notebook.cells.insert(0, probe)
    manager = KernelManager(kernel_name="python3", ip="127.0.0.1")
    client = nbclient.NotebookClient(
        notebook,
        km=manager,
        timeout=180,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    assert notebook.cells[0].outputs[0]["text"].strip() == sys.executable
    return notebook


def outputs_of(notebook: object, kind: str) -> list[object]:
    """Every output of the executed notebook that carries `kind` (a MIME type)."""
    return [
        output
        for cell in notebook.cells  # type: ignore[attr-defined]
        if cell.cell_type == "code"
        for output in cell.outputs
        if kind in output.get("data", {})
    ]


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.stem)
def test_a_notebook_runs_and_shows_its_figures_inline(path):
    notebook = executed(path)
    for cell in notebook.cells:
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        assert not errors, (path.name, cell.source, errors)
    assert outputs_of(notebook, "image/png"), f"{path.name} shows no figure"
    if path.stem.startswith("01"):
        cards = outputs_of(notebook, "text/html")
        assert any("gdlab run" in output["data"]["text/html"] for output in cards)
