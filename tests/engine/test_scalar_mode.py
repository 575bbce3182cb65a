"""The scalar mode (a deep graph of scalars, node by node on Python floats with :mod:`math`)
against numpy: hand-derived values where :mod:`math` raises and numpy gives nan or inf, and a
property test over every element-wise op, special values included, that runs each graph in all
three modes (scalar, numpy node by node, batched) and finds the same numbers and the same first
non-finite node."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphapp.engine import Graph, backward
from graphapp.engine.ops import OPS, iter_ops
from tests.helpers import chain, expr_graph

ELEMENTWISE = [s.name for s in iter_ops() if s.arity and s.elementwise]


def test_where_math_raises_the_values_are_numpys_nan_and_inf():
    g = expr_graph("x = -1.0\nw = 1000.0\nz = 0.0\nl = log(x)\nl0 = log(z)\nbig = exp(w)\n"
                   "q = w / z\nr = pow(-8.0, 0.5)\ns = sqrt(x)\nt = sin(big)\n"
                   "L = l0 + big + q + r + s + t + l")
    back = backward(g, "L")
    fwd = back.forward
    assert fwd.mode == "scalar"
    v = {n: float(fwd.values[n]) for n in g}
    assert math.isnan(v["l"]) and v["l0"] == -math.inf and v["big"] == math.inf
    assert v["q"] == math.inf and math.isnan(v["r"]) and math.isnan(v["s"])
    assert math.isnan(v["t"])  # sin(inf)
    assert fwd.nonfinite.node == "l"  # the first in file order: log(-1) = nan
    assert "log is defined for x > 0" in fwd.nonfinite.message
    # Local derivatives where math raises: d log(z)/dz = 1/0, d(w/z)/dz = -w/0².
    assert float(back.edge("z", "l0", 0).local) == math.inf
    assert float(back.edge("z", "q", 1).local) == -math.inf
    assert float(back.edge("w", "q", 0).local) == math.inf
    assert type(fwd.values["l"]) is np.float64 and type(back.grads["x"]) is np.float64


def test_a_deep_chain_runs_on_floats_and_names_the_node_that_overflowed():
    g = chain(2000, "exp")  # x = 0.5: n0 = exp(x), ..., n3 = exp(181) = 5e78, n4 overflows
    fwd = g.plan().forward(g)
    assert fwd.mode == "scalar"
    assert float(fwd.values["n2"]) == math.exp(math.exp(math.exp(0.5)))
    assert fwd.nonfinite.node == "n4" and fwd.values["n4"] == math.inf
    assert "overflow" in fwd.nonfinite.message


def test_gradient_of_a_tanh_chain_is_the_product_of_its_local_derivatives():
    g = chain(500, "tanh")
    back = backward(g, "n499")
    assert back.forward.mode == "scalar"
    x, d = 0.5, 1.0
    for _ in range(500):
        x = math.tanh(x)
        d *= 1 - x * x
    assert float(back.forward.values["n499"]) == pytest.approx(x, rel=1e-13)
    assert float(back.grads["x"]) == pytest.approx(d, rel=1e-11)


_SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 800.0, -800.0, math.inf,
                            -math.inf, math.nan])
_LEAF = st.one_of(_SPECIAL, st.floats(-3, 3, allow_nan=False))


@st.composite
def any_op_graphs(draw):
    """Small random graphs over every element-wise op, leaves often special (0, inf, nan)."""
    names = []
    nodes, edges = [], []
    for i in range(draw(st.integers(1, 4))):
        names.append(f"x{i}")
        nodes.append((f"x{i}", draw(st.sampled_from(["input", "const"])), draw(_LEAF), {}))
    for k in range(draw(st.integers(1, 25))):
        op = draw(st.sampled_from(ELEMENTWISE))
        name = f"n{k}"
        for slot in range(OPS[op].arity):
            edges.append((draw(st.sampled_from(names)), name, slot))
        nodes.append((name, op, None, {}))
        names.append(name)
    return Graph.from_parts(nodes, edges), draw(st.sampled_from(names[1:] or names))


def _same(a: float, b: float, rel: float) -> bool:
    return (a == b or (math.isnan(a) and math.isnan(b))
            or (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= rel * max(abs(a),
                                                                                    abs(b))))


@given(any_op_graphs())
def test_scalar_numpy_and_batched_modes_agree_on_every_op(case):
    g, out = case
    plan = g.plan()
    runs = {mode: plan.forward(g, mode=mode) for mode in ("scalar", "nodes", "batched")}
    ref = runs["nodes"]
    for mode, fwd in runs.items():
        assert fwd.mode == mode
        for node in g:  # values: one rounding apart at most (numpy's own tanh)
            assert _same(float(fwd.values[node]), float(ref.values[node]), 5e-16), (mode, node)
        assert (fwd.nonfinite is None) == (ref.nonfinite is None), mode
        if ref.nonfinite is not None:
            assert fwd.nonfinite.node == ref.nonfinite.node, mode
    if g.op(out).constant:
        return
    backs = {mode: plan.backward(fwd, out) for mode, fwd in runs.items()}
    ref_back = backs["nodes"]
    for mode, back in backs.items():
        for node in g:
            a, b = back.grads[node], ref_back.grads[node]
            assert (a is None) == (b is None), (mode, node)
            if a is not None:
                assert _same(float(a), float(b), 1e-9), (mode, node, a, b)
        for src, dst, slot, e in ref_back.edges():
            mine = back.edge(src, dst, slot)
            for x, y in ((mine.local, e.local), (mine.accumulated, e.accumulated)):
                assert (x is None) == (y is None)
                if x is not None:
                    assert _same(float(x), float(y), 1e-9), (mode, src, dst, slot, x, y)
        cols = back.edge_columns()  # the bulk reading agrees with edge by edge
        for s, d, k, loc, acc in zip(cols["src"], cols["dst"], cols["slot"], cols["local"],
                                     cols["accumulated"], strict=True):
            e = ref_back.edge(s, d, k)
            assert (loc is None) == (e.local is None)
            if loc is not None:
                assert _same(loc, float(e.local), 1e-9) and _same(acc, float(e.accumulated),
                                                                    1e-9), (mode, s, d, k)
        for listed, n in zip(back.grad_list(), plan.order, strict=True):
            viewed = back.grads[n]
            assert (listed is None) == (viewed is None)
            assert listed is None or _same(listed, float(viewed), 0.0)


def _equal(a: object, b: object) -> bool:
    """The same number (nan equals nan), or both None."""
    if a is None or b is None:
        return a is b
    return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))


@given(any_op_graphs())
def test_plain_readings_are_the_same_numbers_as_python_floats_on_a_scalar_run(case):
    """What the window draws from (``plain``: no numpy needed to read a scalar run) holds the
    numbers the float64 readings hold; the largest carried gradient (edge widths) agrees with
    the numpy modes'."""
    g, out = case
    plan = g.plan()
    scalar, nodes = plan.forward(g, mode="scalar"), plan.forward(g, mode="nodes")
    for node in g:
        assert _equal(scalar.plain[node], scalar.values[node])
        assert type(scalar.plain[node]) is float
        assert type(g.value(node, plain=True) if g.op(node).is_leaf else 0.0) is float
        assert nodes.plain[node] is nodes.values[node]
    if g.op(out).constant:
        return
    back, ref = plan.backward(scalar, out), plan.backward(nodes, out)
    for node in g:
        assert _equal(back.plain_grads[node], back.grads[node])
        assert back.plain_grads[node] is None or type(back.plain_grads[node]) is float
    for src, dst, slot, e in back.edges():
        plain = back.edge(src, dst, slot, plain=True)
        assert _equal(plain.local, e.local) and _equal(plain.accumulated, e.accumulated)
        assert plain.local is None or type(plain.local) is float
    assert _same(back.largest_carried(), ref.largest_carried(), 1e-9)
    assert _same(back.largest_carried(), plan.backward(plan.forward(g, mode="batched"),
                                                        out).largest_carried(), 1e-9)


def test_a_graph_runs_on_floats_when_small_complete_and_scalar():
    small = expr_graph("x = 2.0\ny = x * x\n")
    assert small.plan().runs_on_floats(small)
    arrays = expr_graph("x = [1.0, 2.0]\ny = x * x\n")
    assert not arrays.plan().runs_on_floats(arrays)
    wide = Graph.from_parts([(f"x{i}", "input", 1.0, {}) for i in range(40)]
                            + [(f"n{i}", "neg", None, {}) for i in range(40)],
                            [(f"x{i}", f"n{i}", 0) for i in range(40)])
    assert not wide.plan().runs_on_floats(wide)  # batched: level by level in numpy
    gap = Graph.from_parts([("x", "input", 1.0, {}), ("a", "neg", None, {}),
                            ("y", "mul", None, {})], [("x", "a", 0), ("x", "y", 0)])
    assert not gap.plan().runs_on_floats(gap)  # an empty slot: numpy masks say what is missing
