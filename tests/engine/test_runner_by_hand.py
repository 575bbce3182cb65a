"""The training runner against values worked out by hand: array outputs (gradients of the sum),
branches that do not reach the output, and IEEE maths without warnings."""

from __future__ import annotations

import math

import numpy as np

from graphapp.engine.runner import LeafRunner
from tests.helpers import expr_graph


def test_an_array_output_is_seeded_with_ones():
    g = expr_graph("x = [1.0, 2.0, -1.0]\nw = 3.0\ny = x * w")
    run = LeafRunner(g, feed=["x"], output="y", wrt=["x", "w"])
    value, (gx, gw) = run.gradients([np.array([1.0, 2.0, -1.0])])
    assert value.tolist() == [3.0, 6.0, -3.0]
    assert gx.tolist() == [3.0, 3.0, 3.0]  # d Σ(x·w)/dx = w each, not w/3
    assert float(gw) == 2.0  # Σ x
    _, (gx, gw) = run.gradients([np.array([2.0, 0.0, 0.0])])
    assert gx.tolist() == [3.0, 3.0, 3.0] and float(gw) == 2.0


def test_a_matrix_product_output():
    g = expr_graph("W = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]\nv = [1.0, -1.0]\ny = W @ v")
    run = LeafRunner(g, feed=[], output="y", wrt=["W", "v"])
    value, (gw, gv) = run.gradients([])
    assert value.tolist() == [-1.0, -1.0, -1.0]
    assert gw.tolist() == [[1.0, -1.0]] * 3 and gv.tolist() == [9.0, 12.0]  # Wᵀ·1


def test_nodes_off_the_path_do_not_stop_the_rest():
    """side depends on w but not on the output; it comes later in the plan than the path, so
    a pass that stopped at the first node without a gradient would lose dL/dx."""
    g = expr_graph("x = 2.0\nw = 5.0\na = x * w\nside = w * 7\nL = a * x\n# output: L")
    run = LeafRunner(g, feed=[], output="L", wrt=["x", "w"])
    value, (gx, gw) = run.gradients([])
    assert float(value) == 20.0  # x²·w
    assert float(gx) == 20.0 and float(gw) == 4.0  # 2xw and x²
    assert run.value_of(run.values([]), "side") is None  # not computed: it does not lead to L


def test_division_by_zero_is_ieee_and_quiet():
    g = expr_graph("x = 0.0\nL = 1 / x + log(x)")
    run = LeafRunner(g, feed=["x"], output="L", wrt=["x"])
    value, (gx,) = run.gradients([np.float64(0.0)])  # warnings are errors in the tests
    assert math.isnan(float(value))  # inf + (−inf)
    assert math.isnan(float(gx))  # −1/x² + 1/x = −inf + inf
    vals = run.values([np.float64(0.0)])
    assert float(run.value_of(vals, "x")) == 0.0
