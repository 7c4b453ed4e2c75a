"""Imports flow one way (DESIGN.md §5): a module never imports one to its right."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "gdlab"

# Lower layers first. A module may import only from its own layer or layers to its left.
LAYERS = [
    {"errors", "fileio"},
    {"data", "frames", "readers", "sources", "model", "losses", "standardize"},
    {"optimizers", "lstsq", "householder", "schedules"},
    {"engines", "ridge"},
    {"train"},
    {"analysis", "regression", "training_analysis"},
    {"run"},
    {"api", "savedmodel"},
    {"plots", "explain", "trace", "sklearn", "export"},
    {"cli", "web", "__main__"},
]


def layer_of(module: str) -> int:
    top = module.split(".")[1] if module.startswith("gdlab.") else module
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"module gdlab.{top} has no layer in tests/test_architecture.py")


def gdlab_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gdlab."):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gdlab."))
    return found


def test_no_module_imports_to_its_right():
    wrong = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(relative.parts)
        if module in ("gdlab.__init__",):
            continue
        own = layer_of(module)
        for imported in gdlab_imports(path):
            if layer_of(imported) > own:
                wrong.append(f"{module} imports {imported}")
    assert not wrong, "\n".join(wrong)
