"""Every public function of the library has a numpydoc docstring (issue 14).

Public: not starting with ``_`` (or listed in the module's ``__all__``), defined in a
module of ``wfm/`` other than the thin front ends (``wfm/ui/``, ``wfm/cli.py``);
methods of public classes count too. Each needs a docstring; a ``Parameters`` section
naming exactly its parameters (besides ``self``/``cls``) when it takes any; and a
``Returns`` (or ``Yields``) section when it returns something: its annotation is not
``None``, or, unannotated, its body returns a value. The check reads the source with
:mod:`ast`, so it needs no imports of optional stacks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONT_ENDS = ("wfm/ui/", "wfm/cli.py")


def library_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "wfm").rglob("*.py"))
            if not p.relative_to(ROOT).as_posix().startswith(FRONT_ENDS)]


def exported(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            try:
                return set(ast.literal_eval(node.value))
            except ValueError:
                return set()
    return set()


def public_functions(tree: ast.Module):
    """(qualified name, node) of every public function and public method."""
    names = exported(tree)

    def visit(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not node.name.startswith("_") or (not prefix and node.name in names):
                    yield prefix + node.name, node
            elif isinstance(node, ast.ClassDef) and (not node.name.startswith("_") or node.name in names):
                yield from visit(node.body, prefix + node.name + ".")

    yield from visit(tree.body, "")


def section(doc: str, title: str) -> list[str] | None:
    """The lines of a numpydoc section, or None when the docstring has none."""
    match = re.search(rf"^{title}\n-{{{len(title)}}}\n(.*?)(?=^\w[\w ]*\n-{{3,}}\n|\Z)", doc, flags=re.M | re.S)
    return None if match is None else match.group(1).splitlines()


def documented_parameters(lines: list[str]) -> set[str]:
    """Names at the section's own indentation: ``name : type`` or ``name`` (``a, b : type`` too)."""
    names = set()
    for line in lines:
        if line and not line[0].isspace():
            for part in line.split(" : ")[0].split(","):
                names.add(part.strip().lstrip("*"))
    return names


def returns_value(node) -> bool:
    if node.returns is not None:
        return not (isinstance(node.returns, ast.Constant) and node.returns.value is None)

    def own(n):  # walk the body, not nested functions or classes
        for child in ast.iter_child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            yield child
            yield from own(child)

    return any(isinstance(c, ast.Return) and c.value is not None or isinstance(c, (ast.Yield, ast.YieldFrom))
               for c in own(node))


def problems_of(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(root).as_posix()
    found = []
    for name, node in public_functions(tree):
        doc = ast.get_docstring(node)
        if not doc:
            found.append(f"{where}: {name} has no docstring")
            continue
        args = node.args
        params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        if params and params[0] in ("self", "cls"):
            params = params[1:]
        params += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        listed = section(doc, "Parameters")
        if params and listed is None:
            found.append(f"{where}: {name} has no Parameters section")
        elif listed is not None:
            named = documented_parameters(listed)
            if set(params) - named:
                found.append(f"{where}: {name} does not document {sorted(set(params) - named)}")
            if named - set(params):
                found.append(f"{where}: {name} documents unknown {sorted(named - set(params))}")
        if returns_value(node) and section(doc, "Returns") is None and section(doc, "Yields") is None:
            found.append(f"{where}: {name} has no Returns section")
    return found


MODULES = library_modules()


@pytest.mark.parametrize("path", MODULES, ids=[p.relative_to(ROOT).as_posix() for p in MODULES])
def test_public_functions_have_numpydoc_sections(path):
    assert problems_of(path) == []


def test_the_checker_catches_a_missing_section(tmp_path):
    source = (
        'def good(a, *, b=1) -> int:\n    """Sum.\n\n    Parameters\n    ----------\n    a : int\n'
        '        First.\n    b : int\n        Second.\n\n    Returns\n    -------\n    int\n        The sum.\n    """\n'
        '    return a + b\n\n\ndef bad(a, c):\n    """No sections."""\n    return a\n\n\n'
        'def wrong(a) -> None:\n    """Wrong name.\n\n    Parameters\n    ----------\n    x : int\n        Not a parameter.\n    """\n'
    )
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    tree_problems = [p.split(": ", 1)[1] for p in problems_of(probe, root=tmp_path)]
    assert "good has no docstring" not in tree_problems
    assert not any(p.startswith("good") for p in tree_problems)
    assert "bad has no Parameters section" in tree_problems
    assert "bad has no Returns section" in tree_problems
    assert "wrong does not document ['a']" in tree_problems
    assert "wrong documents unknown ['x']" in tree_problems
