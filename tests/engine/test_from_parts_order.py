"""Graph.from_parts reads edges grouped by destination (as file readers make them) with
whole-list steps, and edges in any other order one by one: both must give the same graph,
and refuse the same broken ones."""

from __future__ import annotations

import pytest

from graphapp import api
from graphapp.engine import Graph, GraphError

ROWS = [("x", "input", 3.0, {}), ("y", "input", -2.0, {}), ("p", "mul", None, {}),
        ("q", "sub", None, {}), ("L", "tanh", None, {})]
# grouped by destination in row order, slots ascending: the whole-list path
GROUPED = [("x", "p", 0), ("y", "p", 1), ("p", "q", 0), ("x", "q", 1), ("q", "L", 0)]


@pytest.mark.parametrize("edges", [GROUPED, GROUPED[::-1], [GROUPED[1], *GROUPED[:1],
                                                            *GROUPED[2:]]])
def test_any_edge_order_gives_the_same_graph_and_gradients(edges):
    g = Graph.from_parts(ROWS, edges)
    assert g.plan().args == [[], [], [0, 1], [2, 0], [3]]
    back = api.backward(g, "L")
    # L = tanh(x·y − x) = tanh(−9): dL/dx = (y − 1)(1 − tanh²), dL/dy = x (1 − tanh²)
    t = 1 - float(api.forward(g).values["L"]) ** 2
    assert float(back.grads["x"]) == pytest.approx(-3 * t)
    assert float(back.grads["y"]) == pytest.approx(3 * t)
    assert sorted(g.edges()) == sorted(GROUPED)


@pytest.mark.parametrize("edges", [
    [("x", "p", 0), ("y", "p", True), *GROUPED[2:]],  # a bool is not a slot (True == 1)
    [("x", "p", 0), ("y", "p", 0), *GROUPED[2:]],  # slot 0 twice
    [("x", "p", 0), ("y", "p", 2), *GROUPED[2:]],  # no slot 2
    [("x", "p", 0), ("y", "p", 1), ("p", "q", 0), ("x", "q", 1), ("q", "L", 0),
     ("x", "L", 1)],  # tanh has one slot
])
def test_broken_edges_are_refused_in_grouped_order_too(edges):
    with pytest.raises(GraphError):
        Graph.from_parts(ROWS, edges)


def test_an_empty_slot_stays_empty_in_grouped_order():
    g = Graph.from_parts(ROWS, [e for e in GROUPED if e != ("x", "q", 1)])
    assert g.plan().incomplete == frozenset({"q", "L"})
    assert g.missing_slots() == [("q", 1)]


def test_from_parsed_refuses_rows_whose_edges_miss_an_input():
    # from_parsed trusts the .expr reader's rows; rows with an input missing (two ops of
    # arity 2 and 1 fed by two edges, where they take three) get a GraphError, not an
    # AssertionError's traceback
    from graphapp.engine.errors import ArityError

    nodes = [("a", "input", 1.0, {}), ("b", "input", 2.0, {}), ("c", "mul", None, {}),
             ("d", "tanh", None, {})]
    edges = [("a", "c", 0), ("b", "c", 1)]
    with pytest.raises(ArityError) as caught:
        Graph.from_parsed(nodes, edges)
    assert isinstance(caught.value, GraphError) and "2 edges" in str(caught.value)
