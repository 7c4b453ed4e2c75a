"""Imports flow one way (docs/design.md, "Layout"): a package never imports one to its right.

Every import counts, also those inside functions (gdlab imports heavy modules lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "gdlab"

# Lower layers first. A module may import only from its own layer or layers to its left.
LAYERS = [
    {"version", "errors", "atomic"},
    {"data"},
    {"model"},
    {"optim"},
    {"onepass"},
    {"engines"},
    {"analysis"},
    {"training"},
    {"outputs"},
    {"plots", "explain"},
    {"sklearn"},
    {"web"},
    {"cli", "__main__"},
]
#: Modules loose at the top of src/gdlab (everything else lives in a package of one concept).
LOOSE_MODULES = {"__init__", "__main__", "version", "errors", "atomic", "sklearn"}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def layer_of(module: str) -> int:
    top = module.split(".")[1] if module.startswith("gdlab.") else module
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"module gdlab.{top} has no layer in tests/test_architecture.py")


def imported_names(path: Path) -> list[str]:
    """The gdlab modules (or names in them) a file imports, as written, anywhere in it."""
    tree = ast.parse(path.read_text())
    typing_only = {  # `if TYPE_CHECKING:` imports name types, they load nothing
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "gdlab" or node.module.startswith("gdlab."):
                found += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "gdlab"]
    return found


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """The gdlab modules a file imports (a `from m import name` counts as m, or m.name)."""
    result = set()
    for name in imported_names(path):
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            result.add(name)
    return result


def test_no_module_imports_to_its_right():
    wrong = []
    for module, path in modules().items():
        if module == "gdlab":
            continue
        own = layer_of(module)
        for imported in imported_modules(path, modules()):
            if imported != "gdlab" and layer_of(imported) > own:
                wrong.append(f"{module} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_package_root():
    """`import gdlab` or `from gdlab import …` inside gdlab would load the lazy root."""
    bare = []
    for module, path in modules().items():
        for name in imported_names(path):
            if name == "gdlab" or (name.count(".") == 1 and name.startswith("gdlab.")):
                top = name.partition(".")[2]
                if not top or f"gdlab.{top}" not in modules():
                    bare.append(f"{module} imports {name}")
    assert not bare, "\n".join(bare)


def test_at_most_six_modules_sit_loose_at_the_top():
    loose = {path.stem for path in SRC.glob("*.py")}
    assert loose <= LOOSE_MODULES, sorted(loose - LOOSE_MODULES)
    assert len(LOOSE_MODULES) <= 6


def test_the_layers_name_every_package():
    packages = {path.name for path in SRC.iterdir() if (path / "__init__.py").exists()}
    layered = set().union(*LAYERS)
    assert packages <= layered, sorted(packages - layered)


def import_graph() -> dict[str, set[str]]:
    """Module → the gdlab modules it imports (the package root left out)."""
    known = modules()
    return {
        module: {name for name in imported_modules(path, known) if name not in ("gdlab", module)}
        for module, path in known.items()
    }


def test_there_is_no_import_cycle():
    """Tarjan's strongly connected components of the import graph: each must be one module."""
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert not cycles, cycles


def test_the_web_never_imports_the_command_line():
    wrong = [
        f"{module} imports {imported}"
        for module, imported_set in import_graph().items()
        if module.startswith("gdlab.web")
        for imported in imported_set
        if imported.startswith("gdlab.cli")
    ]
    assert not wrong, wrong
