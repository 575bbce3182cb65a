"""Small builders shared by the tests."""

from __future__ import annotations

import json
import subprocess
import sys

import orjson

from graphapp.engine import Graph
from graphapp.formats import parse_expr
from tests.conftest import ROOT

MICROGRAD = """\
a = 2.0
b = -3.0
c = 10.0
f = -2.0
e = a * b
d = e + c
L = d * f
"""


def expr_graph(text: str) -> Graph:
    """The graph of some .expr text."""
    return parse_expr(text).graph


def chain(n: int, op: str = "tanh") -> Graph:
    """x → op → op → ... (n computed nodes), built in bulk."""
    nodes = [("x", "input", 0.5, {})] + [(f"n{i}", op, None, {}) for i in range(n)]
    edges = [("x" if i == 0 else f"n{i - 1}", f"n{i}", 0) for i in range(n)]
    return Graph.from_parts(nodes, edges)


def no_constants(token: str) -> None:
    """For json.loads(parse_constant=...): NaN, Infinity and -Infinity are not JSON."""
    raise ValueError(f"not strict JSON: {token}")


def strict(text: str) -> object:
    """Parse as strict JSON twice: NaN/Infinity tokens are refused by both parsers."""
    data = json.loads(text, parse_constant=no_constants)
    assert orjson.loads(text) == data
    return data


def fresh_python(code: str, *args: str, env: dict[str, str] | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -c code ARGS`` in a fresh interpreter at the project's root (what a new
    process imports, and in which order); it must succeed."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done
