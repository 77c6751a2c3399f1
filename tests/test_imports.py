"""No wfm module imports another in a circle.

The graph is read from the source with :mod:`ast` (nothing is imported): an edge
``a -> b`` for every ``import`` / ``from ... import`` of a wfm module in ``a``, at
module level and inside functions alike (an import inside a function is still a
dependency, only a later one). ``if TYPE_CHECKING:`` blocks never run and are left
out. Importing ``wfm.x.y`` also runs the package ``wfm.x`` first, so such an import
is an edge to ``wfm.x`` too: that is how a package ``__init__`` that imports its
submodules eagerly makes a circle with a module that only imports one of them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wfm"

# Edges allowed to close a circle, each with its reason. Every one must exist and be a
# function-level import: a module-level edge in a circle fails at import time.
ALLOWED = {
    ("wfm.quote", "wfm.quote.api"): "PEP 562 lazy public names of wfm.quote (see its docstring): "
    "wfm.scenario imports wfm.quote.settings, which runs wfm/quote/__init__.py while the scenario is half-built",
    ("wfm.quote", "wfm.quote.demand"): "as above",
    ("wfm.quote", "wfm.quote.pricing"): "as above",
    ("wfm.quote", "wfm.quote.sensitivity"): "as above",
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    deferred: bool  # inside a function: runs when the function is called, not at import


def module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _dynamic_import(node: ast.AST) -> ast.Call | None:
    """``importlib.import_module(...)`` or ``__import__(...)``: an import the statements do not show."""
    if not isinstance(node, ast.Call):
        return None
    f = node.func
    if (isinstance(f, ast.Attribute) and f.attr == "import_module") or (isinstance(f, ast.Name) and f.id in (
            "import_module", "__import__")):
        return node
    return None


def _imports(tree: ast.AST):
    """``(node, deferred)`` for every import statement (or import call) that can run."""
    stack = [(tree, False)]
    while stack:
        node, deferred = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)) or _dynamic_import(node):
            yield node, deferred
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend((child, deferred) for child in node.orelse)
            continue
        inner = deferred or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _with_parents(name: str, modules: dict[str, Path]) -> list[str]:
    """``name`` and the packages Python runs before it (``wfm.a.b`` -> ``wfm``, ``wfm.a``, ``wfm.a.b``)."""
    parts = name.split(".")
    return [p for p in (".".join(parts[: i + 1]) for i in range(len(parts))) if p in modules]


def _targets(node: ast.AST, module: str, is_package: bool, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Call):
        argument = node.args[0] if node.args else None
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            raise AssertionError(f"{module} line {node.lineno}: an import by a computed name, which this graph "
                                 f"cannot read; import by a written name")
        names = [argument.value]
    elif isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the module's own package upwards
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        # `from pkg import sub` imports the submodule `pkg.sub` when there is one.
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    out = []
    for name in names:
        if name == "wfm" or name.startswith("wfm."):
            # `import wfm.x.y` where y is a name in wfm.x, not a module: the module is wfm.x.
            while name not in modules and "." in name:
                name = name.rsplit(".", 1)[0]
            out.extend(_with_parents(name, modules))
    return out


def import_graph() -> list[Edge]:
    modules = module_names()
    edges = set()
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, deferred in _imports(tree):
            for target in _targets(node, module, path.name == "__init__.py", modules):
                if target != module and not module.startswith(target + "."):
                    # A module's own packages already run before it: not an edge of its own.
                    edges.add(Edge(module, target, node.lineno, deferred))
    return sorted(edges, key=lambda e: (e.source, e.target, e.line))


def strongly_connected(nodes: set[str], edges: list[Edge]) -> list[list[str]]:
    """Tarjan's components with more than one module (each holds at least one circle)."""
    graph: dict[str, set[str]] = {n: set() for n in nodes}
    for e in edges:
        graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative: the graph is deep enough to matter
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
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

    for n in sorted(graph):
        if n not in index:
            visit(n)
    return found


def _describe(component: list[str], edges: list[Edge]) -> str:
    inside = set(component)
    lines = [f"  {e.source} -> {e.target} (line {e.line}{', in a function' if e.deferred else ''})"
             for e in edges if e.source in inside and e.target in inside]
    return "circle among " + ", ".join(component) + ":\n" + "\n".join(lines)


def test_the_graph_sees_the_imports_it_should():
    # The reader itself must work, or "no circle" proves nothing.
    edges = import_graph()
    pairs = {(e.source, e.target): e for e in edges}
    assert ("wfm.scenario", "wfm.quote.settings") in pairs
    assert ("wfm.scenario", "wfm.quote") in pairs  # the package runs before its submodule
    assert not pairs[("wfm.scenario", "wfm.quote.settings")].deferred
    assert ("wfm.quote.api", "wfm.quote.workbook") in pairs and pairs[("wfm.quote.api", "wfm.quote.workbook")].deferred
    assert ("wfm.quote.workbook", "wfm.quote.pricing") in pairs
    # TYPE_CHECKING imports never run: wfm.quote's block names wfm.export, its lazy loader too.
    assert pairs[("wfm.quote", "wfm.export")].deferred
    nodes = set(module_names())
    assert all(e.source in nodes and e.target in nodes for e in edges)


def test_an_import_call_is_an_edge_and_a_computed_one_is_refused():
    modules = {"wfm": Path(), "wfm.a": Path(), "wfm.b": Path()}
    [(call, deferred)] = list(_imports(ast.parse("def f():\n    importlib.import_module('wfm.b')\n")))
    assert deferred and _targets(call, "wfm.a", False, modules) == ["wfm", "wfm.b"]
    [(call, _)] = list(_imports(ast.parse("importlib.import_module(name)")))
    with pytest.raises(AssertionError, match="computed name"):
        _targets(call, "wfm.a", False, modules)


def test_a_circle_is_found():
    edges = [Edge("a", "b", 1, False), Edge("b", "c", 1, True), Edge("c", "a", 1, False), Edge("c", "d", 1, False)]
    assert strongly_connected({"a", "b", "c", "d"}, edges) == [["a", "b", "c"]]
    assert strongly_connected({"a", "b", "c", "d"}, edges[:2] + edges[3:]) == []


def test_no_import_circle():
    edges = import_graph()
    by_pair = {(e.source, e.target): e for e in edges}
    for pair, reason in ALLOWED.items():
        assert pair in by_pair, f"{pair} is listed as allowed but is no longer imported: drop it from ALLOWED"
        assert by_pair[pair].deferred, f"{pair} closes a circle at import time ({reason})"
    kept = [e for e in edges if (e.source, e.target) not in ALLOWED]
    circles = strongly_connected(set(module_names()), kept)
    assert not circles, "\n".join(_describe(c, kept) for c in circles)


def test_module_level_imports_alone_have_no_circle():
    # Even the allowed edges are deferred: at import time the graph has no circle at all.
    edges = [e for e in import_graph() if not e.deferred]
    circles = strongly_connected(set(module_names()), edges)
    assert not circles, "\n".join(_describe(c, edges) for c in circles)


@pytest.mark.parametrize("first", ["wfm.quote.settings", "wfm.quote.workbook"])
def test_quote_modules_import_first_in_a_fresh_interpreter(first):
    # The order that used to need care: a quote module before wfm.scenario was loaded.
    code = f"import {first}; import wfm.quote as q; [getattr(q, n) for n in q.__all__]; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
