"""Forward, backward, tangents and finite differences, checked against independent oracles
(micrograd, central differences, hand-derived formulas) rather than hand-typed numbers alone."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphapp.engine import (
    EvaluationError,
    Graph,
    GraphError,
    backward,
    finite_differences,
    forward,
    gradcheck,
    tangents,
)
from graphapp.engine.autodiff import JACOBIAN_LIMIT
from tests.helpers import MICROGRAD, chain, expr_graph


def test_micrograd_l_graph():
    back = backward(expr_graph(MICROGRAD), "L")
    grads = {k: float(v) for k, v in back.grads.items()}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "e": -2.0, "d": -2.0, "L": 1.0}
    edge = back.edge("a", "e", 0)
    assert (float(edge.local), float(edge.accumulated)) == (-3.0, 6.0)
    assert float(back.edge("d", "L", 0).local) == -2.0


def test_node_gradient_is_the_sum_of_its_out_edges():
    g = expr_graph("x = 3.0\ny = x + x**2\nz = y * x")
    back = backward(g, "z")
    # By hand: z = x² + x³, so dz/dx = 2x + 3x² = 33 at x = 3, split over x's three edges.
    square = g.inputs("y")[1]
    carried = {(s, d, k): (e.local, e.accumulated) for s, d, k, e in back.edges()}
    assert carried["x", square, 0] == (6.0, 18.0)  # ∂x²/∂x = 2x; dz/d(x²) = dz/dy = x = 3
    assert carried["x", "y", 0] == (1.0, 3.0)
    assert carried[square, "y", 1] == (1.0, 3.0)
    assert carried["y", "z", 0] == (3.0, 3.0)  # ∂(y·x)/∂y = x
    assert carried["x", "z", 1] == (12.0, 12.0)  # ∂(y·x)/∂x = y = 12
    assert float(back.grads["x"]) == 33.0 and float(back.grads["y"]) == 3.0
    for node in g:
        out_edges = [back.edge(node, dst, slot).accumulated for dst, slot in g.consumers(node)]
        if out_edges and g.op(node).name != "const":
            assert float(back.grads[node]) == pytest.approx(float(sum(out_edges)), rel=1e-15)


def test_fan_out_adds_instead_of_overwriting():
    back = backward(expr_graph("a = 3.0\nb = a + a"), "b")
    assert float(back.grads["a"]) == 2.0
    assert [float(back.edge("a", "b", s).accumulated) for s in (0, 1)] == [1.0, 1.0]


def test_nodes_off_the_path_get_zero_and_constants_none():
    g = expr_graph("x = 2.0\ny = 3.0\nside = log(y)\nz = x * 4")
    back = backward(g, "z")
    assert float(back.grads["y"]) == 0.0 and float(back.grads["side"]) == 0.0
    assert not back.reaches("side") and back.reaches("x")
    const = next(n for n in g if g.op(n).name == "const")
    assert back.grads[const] is None
    assert back.edge(const, "z", 1).accumulated is None
    assert float(back.edge("y", "side", 0).accumulated) == 0.0
    assert float(back.edge("y", "side", 0).local) == pytest.approx(1 / 3)


def test_partial_and_total_derivative_of_the_ellipsoid():
    g = expr_graph("x = 2.0\ny = 3.0\nt = x\nV = 4/3*pi*t*x*y")
    back = backward(g, "V")
    x, y = 2.0, 3.0
    assert float(back.grads["x"]) == pytest.approx(8 / 3 * math.pi * x * y, rel=1e-14)
    direct = next(dst for dst, _ in g.consumers("x") if dst != "t")
    slot = g.inputs(direct).index("x")
    partial = float(back.edge("x", direct, slot).accumulated)
    assert partial == pytest.approx(4 / 3 * math.pi * x * y, rel=1e-14)  # t = x held fixed
    # Forward mode says the same: the total through all paths, the partial through one edge.
    assert float(tangents(g, "x").values["V"]) == pytest.approx(float(back.grads["x"]))
    only = tangents(g, "x", only_edge=("x", direct, slot))
    assert float(only.values["V"]) == pytest.approx(partial)
    assert float(only.values["t"]) == 0.0


@pytest.mark.slow
def test_a_100k_node_chain_needs_no_recursion():
    limit = sys.getrecursionlimit()
    g = chain(100_000)
    assert sys.getrecursionlimit() == limit
    back = backward(g, "n99999")
    # d/dx of tanh∘tanh∘...: the product of (1 - tanh²) along the chain, done independently.
    v, expected = 0.5, 1.0
    for _ in range(100_000):
        v = math.tanh(v)
        expected *= 1 - v * v
    assert float(back.forward.values["n99999"]) == pytest.approx(v, rel=1e-12)
    assert float(back.grads["x"]) == pytest.approx(expected, rel=1e-9)
    assert float(tangents(g, "x").values["n99999"]) == pytest.approx(expected, rel=1e-9)


@st.composite
def scalar_graphs(draw, ops=("add", "sub", "mul", "neg", "relu", "tanh", "sin", "max", "exp")):
    n_inputs = draw(st.integers(1, 4))
    nodes = [(f"x{i}", "input", draw(st.floats(-2, 2, allow_nan=False)), {})
             for i in range(n_inputs)]
    edges = []
    for k in range(draw(st.integers(1, 40))):
        op = draw(st.sampled_from(ops))
        arity = 2 if op in ("add", "sub", "mul", "max") else 1
        name = f"n{k}"
        for slot in range(arity):
            edges.append((draw(st.sampled_from([n for n, *_ in nodes])), name, slot))
        nodes.append((name, op, None, {}))
    return Graph.from_parts(nodes, edges), nodes[-1][0]


@given(scalar_graphs())
def test_batched_and_node_by_node_modes_agree(case):
    g, out = case
    plan = g.plan()
    slow = plan.backward(plan.forward(g, batched=False), out)
    fast = plan.backward(plan.forward(g, batched=True), out)
    for node in g:
        a, b = slow.forward.values[node], fast.forward.values[node]
        np.testing.assert_array_max_ulp(a, b, maxulp=2)
        if np.isfinite(a):
            np.testing.assert_allclose(float(slow.grads[node]), float(fast.grads[node]),
                                       rtol=1e-12, atol=1e-300)
    for src, dst, slot, e in slow.edges():
        f = fast.edge(src, dst, slot)
        np.testing.assert_allclose(float(e.accumulated), float(f.accumulated), rtol=1e-12,
                                   atol=1e-300)


@given(scalar_graphs(ops=("add", "sub", "mul", "neg", "relu")))
def test_gradients_match_micrograd(case):
    micrograd = pytest.importorskip("micrograd.engine")
    g, out = case
    values = {}
    order = g.plan().order
    for node in order:
        spec = g.op(node)
        ins = [values[i] for i in g.inputs(node)]
        if spec.name == "input":
            values[node] = micrograd.Value(float(g.value(node)))
        elif spec.name == "add":
            values[node] = ins[0] + ins[1]
        elif spec.name == "sub":
            values[node] = ins[0] - ins[1]
        elif spec.name == "mul":
            values[node] = ins[0] * ins[1]
        elif spec.name == "neg":
            values[node] = -ins[0]
        elif spec.name == "relu":
            values[node] = ins[0].relu()
    values[out].backward()
    back = backward(g, out)
    for node in g.inputs_nodes():
        assert float(back.grads[node]) == pytest.approx(values[node].grad, rel=1e-12, abs=1e-12)
    assert float(back.forward.values[out]) == pytest.approx(values[out].data, rel=1e-12)


def test_first_nonfinite_node_is_reported_with_its_cause():
    g = expr_graph("x = -1.0\ny = log(x)\nz = y * 2\nw = 1 / (x + 1)")
    fwd = forward(g)
    assert math.isnan(float(fwd.values["y"])) and math.isnan(float(fwd.values["z"]))
    assert float(fwd.values["w"]) == math.inf
    assert fwd.nonfinite.node == "y"
    assert "log is defined for x > 0" in fwd.nonfinite.message
    back = backward(g, "z")  # IEEE all the way: no exception
    assert float(back.grads["x"]) == -2.0  # 2 · 1/x is finite even where log(x) is not
    assert float(backward(g, "w").grads["x"]) == -math.inf


def test_shape_mismatch_is_an_evaluation_error_naming_the_node():
    g = expr_graph("a = [1.0, 2.0, 3.0]\nb = [1.0, 2.0]\nc = a + b\nd = c * 2")
    fwd = forward(g)
    assert fwd.failures == {"c": "add cannot combine shape (3) and shape (2): the shapes do "
                                 "not broadcast"}
    assert fwd.values["c"] is None and fwd.values["d"] is None
    with pytest.raises(EvaluationError) as err:
        backward(g, "d")
    assert err.value.node == "c" and "do not broadcast" in err.value.message


def test_a_failure_off_the_path_leaves_the_rest_computed():
    g = expr_graph("a = [1.0, 2.0, 3.0]\nb = [1.0, 2.0]\nc = a + b\nd = sum(a * 2)")
    back = backward(g, "d")
    assert back.forward.values["a"].tolist() == [1.0, 2.0, 3.0]
    assert back.grads["a"].tolist() == [2.0, 2.0, 2.0]
    assert back.grads["c"] is None and "c" in back.forward.failures


def test_an_infinite_gradient_never_agrees_with_a_finite_difference():
    rows = gradcheck(expr_graph("x = 0.0\ny = 1 / x"), "y")
    assert [(r.backprop, r.ok) for r in rows] == [(-math.inf, False)]


def test_broadcast_gradients_are_summed_back_to_the_input_shape():
    g = expr_graph("W = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]\nb = [0.5, -0.5]\ns = 2.0\n"
                   "y = sum((W + b) * s)")
    back = backward(g, "y")
    assert back.grads["b"].shape == (2,) and back.grads["b"].tolist() == [6.0, 6.0]
    assert float(back.grads["s"]) == pytest.approx(21.0)
    for row in gradcheck(g, "y"):
        assert row.ok, row


def test_tensor_edges_report_local_jacobians():
    g = expr_graph("x = [1.0, -2.0, 3.0]\ny = tanh(x)\nL = sum(y)")
    back = backward(g, "L")
    jac = back.edge("x", "y", 0).local
    assert jac.shape == (3, 3)
    np.testing.assert_allclose(jac, np.diag(1 - np.tanh([1.0, -2.0, 3.0]) ** 2))
    np.testing.assert_allclose(back.edge("y", "L", 0).local, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(back.edge("x", "y", 0).accumulated,
                               1 - np.tanh([1.0, -2.0, 3.0]) ** 2)
    big = expr_graph(f"x = {[0.5] * 100}\ny = tanh(x)\nL = sum(y)")
    assert JACOBIAN_LIMIT < 100 * 100
    assert backward(big, "L").edge("x", "y", 0).local is None


@pytest.mark.parametrize("text", [
    "A = [[1.0, 2.0], [3.0, -1.0]]\nv = [0.5, 2.0]\nL = sum(A @ v)",
    "A = [[1.0, 2.0], [3.0, -1.0]]\nv = [0.5, 2.0]\nL = sum(v @ A)",
    "u = [1.0, 2.0]\nv = [0.5, 2.0]\nL = u @ v",
    "A = [[1.0, 2.0, 0.0], [3.0, -1.0, 1.0]]\nB = [[1.0], [2.0], [-1.0]]\nL = sum(tanh(A @ B))",
    "x = [0.1, 0.2, 0.3]\nL = mean(sigmoid(x) * x) + sum(sqrt(exp(x)))",
])
def test_tensor_graphs_pass_gradcheck(text):
    g = expr_graph(text)
    rows = gradcheck(g, "L")
    assert rows and all(r.ok for r in rows), [r for r in rows if not r.ok]


def test_finite_differences_use_overrides_without_touching_the_graph():
    g = expr_graph("x = 3.0\nf = 3*x**2 - 4*x + 5")
    assert float(finite_differences(g, "f")["x"]) == pytest.approx(14.0, rel=1e-8)
    assert float(finite_differences(g, "f", overrides={"x": 1.0})["x"]) == pytest.approx(2.0)
    assert float(g.value("x")) == 3.0


def test_a_kink_shows_up_as_a_disagreement():
    rows = gradcheck(expr_graph("x = 0.0\ny = relu(x)"), "y")
    assert [(r.backprop, r.numeric, r.ok) for r in rows] == [(0.0, 0.5, False)]


def test_backward_of_an_incomplete_output_is_a_graph_error():
    g = expr_graph("x = 1.0\ny = tanh(x)")
    g.add_node("z", "add")
    g.connect("y", "z", 0)
    with pytest.raises(GraphError, match="cannot be computed"):
        backward(g, "z")


def test_tangents_need_a_direction_for_arrays():
    g = expr_graph("x = [1.0, 2.0]\ny = sum(x * x)")
    with pytest.raises(ValueError, match="direction"):
        tangents(g, "x")
    assert float(tangents(g, "x", direction=[1.0, 0.0]).values["y"]) == 2.0


@pytest.mark.parametrize("text, cause", [
    ("x = -1.0\ny = log(x)", "log is defined for x > 0"),
    ("x = 0.0\ny = log(x)", "log(0) is −inf"),
    ("x = 0.0\ny = 1 / x", "division by zero"),
    ("x = 0.0\ny = x ** -1", "0 to a negative power"),
    ("x = -8.0\ny = x ** 0.5", "a negative number to a fractional power"),
    ("a = 2.0\ny = a ** a ** a ** a ** a", "overflow"),
    ("x = 1000.0\ny = exp(x)", "overflow"),
])
def test_the_cause_of_a_nan_or_inf_is_named(text, cause):
    """Regression: an overflow in pow was blamed on negative bases."""
    nonfinite = forward(expr_graph(text)).nonfinite
    assert nonfinite.node == "y" and cause in nonfinite.message
