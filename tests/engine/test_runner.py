"""LeafRunner: the same numbers as Plan.forward/backward, fed by position, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

from graphapp.engine import EvaluationError, Graph, NodeError
from graphapp.engine.runner import LeafRunner
from tests.helpers import expr_graph


def _net() -> Graph:
    rng = np.random.default_rng(0)
    g = Graph()
    g.add_node("X", "input", rng.normal(size=(5, 3)))
    g.add_node("W", "input", rng.normal(size=(3, 2)))
    g.add_node("b", "input", rng.normal(size=2))
    g.add_node("c", "const", 0.5)
    for name, op, args in (("m", "matmul", ("X", "W")), ("z", "add", ("m", "b")),
                           ("h", "tanh", ("z",)), ("s", "mul", ("h", "h")),
                           ("q", "mul", ("s", "c")), ("L", "mean", ("q",))):
        g.add_node(name, op)
        for slot, src in enumerate(args):
            g.connect(src, name, slot)
    return g


def test_gradients_equal_plan_backward_with_the_same_overrides():
    g = _net()
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(7, 3)), rng.normal(size=(3, 2))
    run = LeafRunner(g, feed=["X", "W"], output="L", wrt=["W", "b"])
    value, (gw, gb) = run.gradients([x, w])
    plan = g.plan()
    back = plan.backward(plan.forward(g, {"X": x, "W": w}), "L")
    assert value == back.forward.values["L"]
    np.testing.assert_array_equal(gw, back.grads["W"])
    np.testing.assert_array_equal(gb, back.grads["b"])  # summed over the batch: (2,)
    assert gb.shape == (2,)
    assert g.value("W").shape == (3, 2) and not np.array_equal(g.value("W"), w)  # untouched


def test_fan_out_accumulates_like_micrograd():
    g = expr_graph("x = 3.0\ny = x * x + x\n")
    value, (gx,) = LeafRunner(g, feed=[], output="y", wrt=["x"]).gradients([])
    assert float(value) == 12.0 and float(gx) == 7.0  # 2x + 1


def test_values_skip_nodes_that_do_not_lead_to_the_output():
    g = _net()
    run = LeafRunner(g, feed=["W"], output="z")
    vals = run.values([np.ones((3, 2))])
    assert run.value_of(vals, "z").shape == (5, 2) and run.value_of(vals, "L") is None


def test_unknown_or_computed_leaves_and_bad_shapes_are_errors():
    g = _net()
    with pytest.raises(NodeError, match="no node 'nope'"):
        LeafRunner(g, feed=["nope"], output="L")
    with pytest.raises(NodeError, match="computed"):
        LeafRunner(g, feed=["z"], output="L")
    run = LeafRunner(g, feed=["X"], output="L")
    with pytest.raises(EvaluationError, match="m: cannot combine shapes"):
        run.values([np.ones((5, 4))])


def test_leaves_read_from_a_file_run_with_numpys_ieee_maths():
    """A scalar leaf read from text may be kept as a Python float (no numpy for a scalar graph
    on the command line); a run still follows IEEE as numpy does: 2/0 is inf, not an error."""
    g = expr_graph("x = 3.0\na = 2.0\nz = 0.0\nq = a / z\nL = q * x + a / x")
    run = LeafRunner(g, feed=["x"], output="L", wrt=["x"])
    value, (gx,) = run.gradients([np.float64(4.0)])
    assert value == np.inf  # (2/0)·4 + 2/4
    assert gx == np.inf  # d/dx: q − a/x², q = inf
