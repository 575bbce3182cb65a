"""The shape of the package: no import circles, no Qt below the window, doctests that run.

The import graph is read from the source (``ast``), every ``import`` counted, also those inside
functions (a lazy import is still a dependency) and under ``TYPE_CHECKING``: a cycle there is a
cycle in the design, even when Python happens to resolve it at run time.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import EXAMPLES, ROOT

PACKAGE = ROOT / "graphapp"
QT = ("PySide6", "shiboken6", "pyqtgraph")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
#: Everything outside the window: these must run (and their doctests too) without Qt.
#: (``graphapp.__main__`` runs the command line when imported, so it is left out.)
QT_FREE = sorted(m for m in MODULES
                 if not m.startswith("graphapp.gui") and m != "graphapp.__main__")


def _imported(name: str, path: Path) -> set[str]:
    """The graphapp modules that module ``name`` imports (``from pkg import sub`` counts as
    importing ``pkg.sub`` when that is a module, else ``pkg``)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


def import_graph() -> nx.DiGraph:
    """Module → the graphapp modules it imports."""
    g = nx.DiGraph()
    for name, path in MODULES.items():
        g.add_node(name)
        g.add_edges_from((name, dep) for dep in _imported(name, path))
    return g


def test_the_import_graph_sees_known_imports():
    g = import_graph()
    assert g.has_edge("graphapp.engine.graph", "graphapp.engine.plan")
    assert g.has_edge("graphapp.cli", "graphapp.bench")  # imported inside a function
    assert g.has_edge("graphapp.engine", "graphapp.engine.graph")


def test_no_import_circles():
    cycles = sorted(nx.simple_cycles(import_graph()))
    assert not cycles, "import circles: " + "; ".join(" → ".join([*c, c[0]]) for c in cycles)


def test_a_circle_is_found():
    """The check itself: a package whose two modules import each other fails it."""
    g = import_graph()
    g.add_edge("graphapp.engine.plan", "graphapp.engine.graph")
    assert list(nx.simple_cycles(g))


def test_the_layers_point_one_way():
    """The engine depends on nothing else of graphapp; the formats (and the Qt-free presenter
    they share with the window) never on the window, the command line or the tools above."""
    g = import_graph()
    above = ("graphapp.gui", "graphapp.cli", "graphapp.bench", "graphapp.train")
    for name in g:
        deps = nx.descendants(g, name)
        if name.startswith("graphapp.engine"):
            outside = {d for d in deps if not d.startswith("graphapp.engine") and d != "graphapp"}
            assert not outside, (name, outside)
        if name.startswith("graphapp.formats"):
            assert not {d for d in deps if d.startswith(above)}, name


def _python(code: str) -> None:
    """Run ``code`` in a fresh interpreter (a clean ``sys.modules``); it must succeed."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_qt_free_modules_and_cli_commands_load_no_qt():
    code = (
        "import importlib, io, contextlib, sys\n"
        f"for name in {QT_FREE!r}:\n"
        "    importlib.import_module(name)\n"
        "from graphapp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    for cmd in (['eval', {str(EXAMPLES / '01_micrograd.expr')!r}], ['ops'],\n"
        "                ['examples']):\n"
        "        assert main(cmd) == 0, cmd\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})\n"
        "assert not bad, bad\n")
    _python(code)


def test_import_graphapp_is_cheap():
    """Start-up time: ``import graphapp`` loads neither numpy nor networkx nor Qt."""
    code = ("import sys, graphapp\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            f"('numpy', 'networkx', *{QT!r}))\n"
            "assert not heavy, heavy\n")
    _python(code)


@pytest.mark.parametrize("name", QT_FREE)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_the_engine_and_formats_have_doctests():
    counts = {}
    for name in QT_FREE:
        finder = doctest.DocTestFinder()
        counts[name] = sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
    assert counts["graphapp.engine.plan"] and counts["graphapp.engine.ops"]
    assert counts["graphapp.formats.expr"] or counts["graphapp.formats.text"]


def test_networkx_internals_are_read_in_one_module():
    import re

    internals = re.compile(r"\._(succ|pred|node|adj)\b|\bnx\._")
    for name, path in MODULES.items():
        if name != "graphapp.engine.adjacency":
            assert not internals.search(path.read_text(encoding="utf-8")), name
