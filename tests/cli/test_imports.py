"""Start-up on small graphs (issue 13): ``graphapp grad`` on a graph of scalars imports neither
numpy nor networkx (the scalar mode runs on Python floats and :mod:`math`), with the answers a
person derives by hand; a graph with arrays still loads numpy and runs as before; and the op
table's check of its float rules against its numpy rules, which waits for numpy, does run and
does catch a wrong rule when numpy is first used."""

from __future__ import annotations

import json
import os
import sys

import pytest

from graphapp.engine import ops
from tests.conftest import EXAMPLES
from tests.helpers import fresh_python

#: Runs ``python -m graphapp ARGS`` as the command does (``__main__`` and its ``sys.exit``)
#: and, at exit, writes to stderr the numpy and networkx modules that were loaded.
_RUN_GRAPHAPP = ("sys.argv = ['graphapp', *sys.argv[1:]]\n"
                 "runpy.run_module('graphapp', run_name='__main__', alter_sys=True)\n")
_AT_EXIT = (
    "import atexit, json, runpy, sys\n"
    "atexit.register(lambda: print('LOADED ' + json.dumps(sorted({m.split('.')[0] for m in "
    "sys.modules if m.split('.')[0] in ('numpy', 'networkx')})), file=sys.stderr))\n"
    + _RUN_GRAPHAPP)


def _run(*args: str) -> tuple[str, list[str]]:
    """``graphapp ARGS`` in a fresh interpreter: its output and the heavy modules loaded at
    exit."""
    done = fresh_python(_AT_EXIT, *args)
    loaded = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    return done.stdout, json.loads(loaded[-1].removeprefix("LOADED "))


def _grad(path: str) -> tuple[dict, list[str]]:
    """``graphapp grad PATH --json``: its JSON and the heavy modules loaded at exit."""
    out, loaded = _run("grad", path, "--json")
    return json.loads(out), loaded


def test_grad_on_the_micrograd_example_imports_neither_numpy_nor_networkx():
    result, loaded = _grad(str(EXAMPLES / "01_micrograd.expr"))
    assert loaded == []
    # By hand: e = a·b = −6, d = e + c = 4, L = d·f = −8; dL/dd = f = −2 flows to e and c,
    # then dL/da = −2·b = 6, dL/db = −2·a = −4; dL/df = d = 4.
    nodes = result["nodes"]
    assert nodes["L"]["value"] == -8.0
    assert {n: nodes[n]["grad"] for n in "abcdef"} == {"a": 6.0, "b": -4.0, "c": -2.0,
                                                       "d": -2.0, "e": -2.0, "f": 4.0}
    edges = {(e["src"], e["dst"], e["slot"]): (e["local"], e["accumulated"])
             for e in result["edges"]}
    assert edges[("a", "e", 0)] == (-3.0, 6.0) and edges[("b", "e", 1)] == (2.0, -4.0)
    assert edges[("e", "d", 0)] == (1.0, -2.0) and edges[("f", "L", 1)] == (4.0, 4.0)
    assert result["nonfinite"] is None


def test_constants_and_a_nan_need_no_numpy_either(tmp_path):
    """A constant (gradient null) and a value that overflows, named in the report."""
    path = tmp_path / "overflow.expr"
    path.write_text("a = 1e308\nb = a * 10.0\nL = b - a\n", encoding="utf-8")
    result, loaded = _grad(str(path))
    assert loaded == []
    nodes = result["nodes"]
    assert nodes["b"]["value"] == "inf" and nodes["const#1"]["grad"] is None
    assert nodes["a"]["grad"] == 9.0  # d(10a − a)/da
    assert result["nonfinite"]["node"] == "b" and "overflow" in result["nonfinite"]["message"]


def test_the_tables_need_no_numpy_either():
    """``graphapp grad`` and ``eval`` without ``--json``: the same hand-derived numbers."""
    path = str(EXAMPLES / "01_micrograd.expr")
    grad, loaded = _run("grad", path)
    assert loaded == []
    head, node_table, edge_table = grad.strip().split("\n\n")
    assert head == "output L = -8"
    rows = {line.split()[0]: line.split()[1:] for line in node_table.splitlines()[1:]}
    assert rows["a"] == ["input", "2", "6"] and rows["b"] == ["input", "-3", "-4"]
    assert rows["d"] == ["add", "4", "-2"] and rows["f"] == ["input", "-2", "4"]
    edges = [line.split() for line in edge_table.splitlines()[1:]]
    assert ["a", "→", "e", "a", "-3", "6"] in edges  # local ∂e/∂a = b, carried 6
    assert ["f", "→", "L", "b", "4", "4"] in edges  # local ∂L/∂f = d
    values, loaded = _run("eval", path)
    assert loaded == []
    rows = {line.split()[0]: line.split()[1:] for line in values.splitlines()}
    assert rows["e"] == ["mul", "-6"] and rows["L"] == ["mul", "-8"]


@pytest.mark.parametrize("example", ["10_relu_neuron.expr", "11_mlp_sigmoid.expr"])
def test_a_graph_with_arrays_still_loads_numpy(example):
    result, loaded = _grad(str(EXAMPLES / example))
    assert loaded == ["numpy"]
    assert any(isinstance(node["value"], list) for node in result["nodes"].values())


def test_the_scalar_rules_agree_with_the_numpy_rules():
    """The check the op table runs when numpy is first used, run here on purpose: every
    element-wise op's float rules against its numpy rules at 0, ±1, kinks, poles, inf, nan."""
    ops._check_scalar_rules()


def test_a_wrong_float_rule_is_caught_when_numpy_is_first_used():
    code = ("import math\n"
            "import graphapp.engine.ops as ops\n"
            "from graphapp.engine.lazy_numpy import np\n"
            "object.__setattr__(ops.OPS['exp'], 'scalar', math.sin)  # a wrong float rule\n"
            "try:\n"
            "    np.float64(1.0)\n"
            "except AssertionError as exc:\n"
            "    print(exc)\n")
    assert "op exp: scalar forward disagrees" in fresh_python(code).stdout


_THREADS_AT_EXIT = (
    "import atexit, os, runpy, sys\n"
    "atexit.register(lambda: print('THREADS', len(os.listdir('/proc/self/task')), "
    "os.environ.get('OPENBLAS_NUM_THREADS'), file=sys.stderr))\n"
    + _RUN_GRAPHAPP)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
@pytest.mark.parametrize("asked", [None, "2"])
def test_numpy_runs_one_blas_thread_unless_the_user_asks_for_more(asked):
    """OpenBLAS starts a thread per core when numpy is imported (30-80 ms here, for matrices
    graphapp keeps small); graphapp asks for one, and leaves a user's own setting alone."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if asked:
        env["OPENBLAS_NUM_THREADS"] = asked
    done = fresh_python(_THREADS_AT_EXIT, "grad", str(EXAMPLES / "10_relu_neuron.expr"),
                        env=env)
    _, threads, setting = done.stderr.split()
    if asked:
        assert setting == asked and int(threads) == min(2, os.cpu_count() or 1)
    else:
        assert setting == "1" and int(threads) == 1
