"""The passes as steps (what the window's stepper shows) and the nudge prediction, checked
against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from graphapp.engine import backward, forward
from graphapp.engine.nudge import predicted_change
from graphapp.engine.trace import Send, backward_trace, forward_trace
from tests.helpers import MICROGRAD, expr_graph


def _sends(step) -> list[tuple]:
    return [(s.src, s.dst, s.slot, float(s.local), float(s.upstream), float(s.contribution),
             float(s.running), s.arrived, s.total_edges) for s in step.sends]


def test_backward_steps_of_the_micrograd_graph():
    steps = backward_trace(backward(expr_graph(MICROGRAD), "L"))
    assert [(s.index, s.node, float(s.grad)) for s in steps] == [
        (0, "L", 1.0), (1, "d", -2.0), (2, "e", -2.0), (3, "f", 4.0), (4, "c", -2.0),
        (5, "b", -4.0), (6, "a", 6.0)]
    # L = d·f sends f = −2 to d and d = 4 to f; each node has one out-edge here.
    assert _sends(steps[0]) == [("d", "L", 0, -2.0, 1.0, -2.0, -2.0, 1, 1),
                                ("f", "L", 1, 4.0, 1.0, 4.0, 4.0, 1, 1)]
    assert _sends(steps[1]) == [("e", "d", 0, 1.0, -2.0, -2.0, -2.0, 1, 1),
                                ("c", "d", 1, 1.0, -2.0, -2.0, -2.0, 1, 1)]
    assert _sends(steps[2]) == [("a", "e", 0, -3.0, -2.0, 6.0, 6.0, 1, 1),
                                ("b", "e", 1, 2.0, -2.0, -4.0, -4.0, 1, 1)]
    assert all(s.sends == () for s in steps[3:])  # inputs send nothing further


def test_running_sums_where_paths_meet():
    """y = x + x² at x = 3: the sum sends 1 (1 of 2 edges arrived), the square sends 6
    (2 of 2): x's gradient builds up as 1, then 1 + 6 = 7. The constant 2 gets no step."""
    g = expr_graph("x = 3.0\ny = x + x**2\nside = x * 5")
    steps = backward_trace(backward(g, "y"))
    square = g.inputs("y")[1]
    assert [s.node for s in steps] == ["y", square, "x"]  # side and the constants: no step
    assert _sends(steps[0]) == [("x", "y", 0, 1.0, 1.0, 1.0, 1.0, 1, 2),
                                (square, "y", 1, 1.0, 1.0, 1.0, 1.0, 1, 1)]
    assert _sends(steps[1]) == [("x", square, 0, 6.0, 1.0, 6.0, 7.0, 2, 2)]
    assert float(steps[2].grad) == 7.0 and steps[2].index == 2
    assert isinstance(steps[1].sends[0], Send)


def test_a_constant_in_the_first_slot_sends_nothing_but_the_second_slot_does():
    g = expr_graph("x = 3.0\ny = 2 * x")
    [step, last] = backward_trace(backward(g, "y"))
    assert _sends(step) == [("x", "y", 1, 2.0, 1.0, 2.0, 2.0, 1, 1)]
    assert last.node == "x" and float(last.grad) == 2.0


def test_fan_out_into_both_slots_of_one_node():
    steps = backward_trace(backward(expr_graph("a = 3.0\nb = a * a"), "b"))
    assert _sends(steps[0]) == [("a", "b", 0, 3.0, 1.0, 3.0, 3.0, 1, 2),
                                ("a", "b", 1, 3.0, 1.0, 3.0, 6.0, 2, 2)]


def test_an_incomplete_node_takes_no_step():
    g = expr_graph(MICROGRAD)
    g.add_node("half", "add")
    g.connect("L", "half", 0)
    steps = backward_trace(backward(g, "L"))
    assert [s.node for s in steps] == ["L", "d", "e", "f", "c", "b", "a"]
    assert all(s.total_edges == 1 for step in steps for s in step.sends)


def test_forward_steps_in_order_with_their_inputs_and_values():
    g = expr_graph("x = 3.0\ny = x + x**2")
    square = g.inputs("y")[1]
    const = g.inputs(square)[1]
    steps = forward_trace(forward(g))
    assert [(s.index, s.node, s.inputs, float(s.value)) for s in steps] == [
        (0, "x", (), 3.0), (1, const, (), 2.0), (2, square, ("x", const), 9.0),
        (3, "y", ("x", square), 12.0)]


def test_forward_steps_leave_out_what_cannot_be_computed():
    g = expr_graph("a = [1.0, 2.0, 3.0]\nb = [1.0, 2.0]\nc = a + b\nd = c * 2\ne = sum(a)")
    steps = forward_trace(forward(g))
    names = [s.node for s in steps]
    assert "c" not in names and "d" not in names
    assert names[:2] == ["a", "b"] and names[-1] == "e" and float(steps[-1].value) == 6.0
    assert [s.index for s in steps] == list(range(len(steps)))
    g = expr_graph("x = 1.0\ny = tanh(x)")
    g.add_node("z", "mul")
    g.connect("y", "z", 0)
    assert [s.node for s in forward_trace(forward(g))] == ["x", "y"]


def test_a_nudge_predicts_grad_times_dx():
    n = predicted_change(3.0, 3.1, 20.0, 21.43, 14.0)
    assert float(n.dx) == pytest.approx(0.1) and float(n.predicted) == pytest.approx(1.4)
    assert float(n.actual) == pytest.approx(1.43)
    # arrays: the prediction is Σ grad·Δx; for an array output the change is summed too
    n = predicted_change(np.array([1.0, 2.0]), np.array([1.5, 1.0]), np.array([0.0, 1.0]),
                         np.array([2.0, 4.0]), np.array([2.0, -3.0]))
    assert n.dx.tolist() == [0.5, -1.0]
    assert float(n.predicted) == 2.0 * 0.5 + -3.0 * -1.0 == 4.0
    assert float(n.actual) == 5.0
    assert type(n.predicted) is np.float64 and type(n.actual) is np.float64
    # an input moved from inf to inf: nan, quietly (warnings are errors in these tests)
    n = predicted_change(np.inf, np.inf, 0.0, 1.0, 2.0)
    assert np.isnan(n.dx) and np.isnan(n.predicted) and float(n.actual) == 1.0
