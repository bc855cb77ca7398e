"""The package's import graph: imports point downward only, and nothing imports in a circle.

Every `import` counts, module-level or inside a function: a lazy import is still a
dependency, only a hidden one. The layers, bottom first, are listed in `LAYERS`;
CONTRIBUTING.md ("Layers") says what each holds.
"""
from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE_ROOT = pathlib.Path(__file__).resolve().parent.parent / "nablax"

# (layer, module-name prefixes). A module belongs to the first layer with a matching
# prefix (the prefix itself or anything below it); everything else is the library.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", tuple(f"nablax._src.{m}" for m in (
        "errors", "config", "dtypes", "source_info", "tree_keys", "tree", "traceback_util", "malloc_tuning",
        "avals", "array", "ir", "core", "ops", "ad_util"))),
    ("primitives", ("nablax._src.primitives",)),
    ("interpreters and the compiler", (
        "nablax._src.interpreters", "nablax._src.debug_nans",
        "nablax._src.jit.passes", "nablax._src.jit.fusion", "nablax._src.jit.layout", "nablax._src.jit.codegen",
        "nablax._src.jit.compile")),
    ("higher-order primitives", ("nablax._src.control_flow", "nablax._src.custom_derivatives")),
    ("jit", ("nablax._src.jit",)),
    ("api", ("nablax._src.api",)),
    ("library", ("nablax",)),
]


def module_files(root: pathlib.Path) -> dict[str, pathlib.Path]:
    """Dotted module name -> file, for every .py file of the package at `root`."""
    files = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def imports_of(name: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """The package modules `name` imports anywhere in its source (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = name.split(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import sub` imports the submodule; `from mod import name` the module.
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        else:
            continue
        found.update(t for t in targets if t.split(".")[0] == top and t in known and t != name)
    return sorted(found)


def import_graph(root: pathlib.Path) -> dict[str, set[str]]:
    files = module_files(root)
    return {name: imports_of(name, path, set(files)) for name, path in files.items()}


def layer_of(module: str, layers=LAYERS) -> int:
    for index, (_, prefixes) in enumerate(layers):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    return len(layers) - 1


def upward_imports(graph: dict[str, set[str]], layers=LAYERS) -> list[str]:
    """One line per import of a module from a higher layer."""
    return sorted(
        f"{m} ({layers[layer_of(m, layers)][0]}) imports {d} ({layers[layer_of(d, layers)][0]})"
        for m, deps in graph.items() for d in deps if layer_of(d, layers) > layer_of(m, layers))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


@pytest.fixture(scope="module")
def graph():
    return import_graph(PACKAGE_ROOT)


def test_the_graph_sees_the_package(graph):
    assert "nablax._src.core" in graph and "nablax._src.primitives.elementwise" in graph
    assert "nablax._src.core" in graph["nablax._src.primitives._define"]


def test_no_import_cycles(graph):
    assert cycles(graph) == [], "modules that import each other in a circle"


def test_imports_point_downward(graph):
    assert upward_imports(graph) == [], "imports from a higher layer"


def _write_package(root: pathlib.Path, modules: dict[str, str]) -> pathlib.Path:
    package = root / "nablax"
    for name, source in modules.items():
        path = package.joinpath(*name.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return package


def test_checker_finds_a_cycle_and_a_lazy_upward_import(tmp_path):
    package = _write_package(tmp_path, {
        "__init__": "",
        "_src.__init__": "",
        "_src.core": "from . import avals\n",
        "_src.avals": "def f():\n    from .core import g  # lazy, still a cycle\n",
        "_src.primitives.__init__": "",
        "_src.primitives.shape": "from ..api import grad\n",
        "_src.api": "from .primitives import shape\n",
    })
    graph = import_graph(package)
    assert cycles(graph) == [["nablax._src.api", "nablax._src.primitives.shape"],
                             ["nablax._src.avals", "nablax._src.core"]]
    assert upward_imports(graph) == [
        "nablax._src.primitives.shape (primitives) imports nablax._src.api (api)"]
