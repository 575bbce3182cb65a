"""Graph structure: slots, typed errors, the plan cache, events."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphapp.engine import (
    ArityError,
    CycleError,
    Graph,
    NodeError,
    OpError,
    SlotError,
    backward,
)
from graphapp.engine.ops import OPS
from tests.helpers import MICROGRAD, expr_graph


def square() -> Graph:
    g = Graph()
    g.add_node("x", "input", 3.0)
    g.add_node("sq", "mul")
    g.connect("x", "sq", 0)
    g.connect("x", "sq", 1)
    return g


def test_x_times_x_is_two_parallel_edges_keyed_by_slot():
    g = square()
    assert sorted(g.edges()) == [("x", "sq", 0), ("x", "sq", 1)]
    assert g.nx.number_of_edges("x", "sq") == 2
    assert g.inputs("sq") == ["x", "x"]
    assert float(backward(g, "sq").grads["x"]) == 6.0


def test_sub_knows_which_side_is_which():
    g = Graph()
    g.add_node("x", "input", 5.0)
    g.add_node("y", "input", 2.0)
    g.add_node("d", "sub")
    g.connect("y", "d", 0)
    g.connect("x", "d", 1)
    back = backward(g, "d")
    assert float(back.forward.values["d"]) == -3.0
    assert float(back.grads["y"]) == 1.0 and float(back.grads["x"]) == -1.0


@pytest.mark.parametrize("edit, error", [
    (lambda g: g.connect("sq", "x", 0), ArityError),
    (lambda g: g.connect("x", "sq", 0), SlotError),
    (lambda g: g.connect("x", "sq", 2), SlotError),
    (lambda g: g.connect("nope", "sq", 0), NodeError),
    (lambda g: g.add_node("x", "input", 1.0), NodeError),
    (lambda g: g.add_node("y", "frobnicate"), OpError),
    (lambda g: g.add_node("y", "input"), NodeError),
    (lambda g: g.add_node("y", "mul", 2.0), NodeError),
    (lambda g: g.set_value("sq", 1.0), NodeError),
    (lambda g: g.set_value("x", "abc"), NodeError),
    (lambda g: g.set_value("x", [[1, 2], [3]]), NodeError),
    (lambda g: g.disconnect("x", "sq", 5), SlotError),
    (lambda g: g.set_op("sq", "tanh"), ArityError),
])
def test_structure_errors_are_typed_and_change_nothing(edit, error):
    g = square()
    before = (sorted(g.edges()), g.nodes(), g.structure_version)
    with pytest.raises(error):
        edit(g)
    assert (sorted(g.edges()), g.nodes(), g.structure_version) == before


def test_a_connection_that_closes_a_cycle_is_refused():
    g = Graph()
    g.add_node("x", "input", 1.0)
    g.add_node("a", "tanh")
    g.add_node("b", "tanh")
    g.connect("x", "a", 0)
    g.connect("a", "b", 0)
    g.disconnect("x", "a", 0)
    with pytest.raises(CycleError):
        g.connect("b", "a", 0)
    with pytest.raises(CycleError):
        g.connect("a", "a", 0)


def test_from_parts_reports_cycles_and_doubled_slots():
    rows = [("a", "tanh", None, {}), ("b", "tanh", None, {})]
    with pytest.raises(CycleError, match="cycle"):
        Graph.from_parts(rows, [("a", "b", 0), ("b", "a", 0)])
    with pytest.raises(SlotError, match="fed twice"):
        Graph.from_parts([("x", "input", 1.0, {}), *rows], [("x", "a", 0), ("x", "a", 0)])
    with pytest.raises(NodeError, match="used twice"):
        Graph.from_parts([("x", "input", 1.0, {}), ("x", "input", 2.0, {})], [])


def test_plan_is_cached_until_the_structure_changes():
    g = expr_graph(MICROGRAD)
    plan = g.plan()
    g.set_value("a", 4.0)
    assert g.plan() is plan  # a value edit keeps the compiled plan
    assert float(backward(g, "L").grads["b"]) == -8.0  # ... and the new value is used
    g.update_attrs("a", pos=[10, 20], label="alpha")
    assert g.plan() is plan
    g.add_node("z", "input", 1.0)
    assert g.plan() is not plan


def test_rename_keeps_edges_and_slots():
    g = expr_graph(MICROGRAD)
    g.rename("b", "beta")
    assert g.inputs("e") == ["a", "beta"]
    assert float(backward(g, "L").grads["beta"]) == -4.0


def test_remove_node_removes_its_edges():
    g = expr_graph(MICROGRAD)
    g.remove_node("e")
    assert "e" not in g and g.inputs("d") == [None, "c"]
    assert g.missing_slots() == [("d", 0)]
    with pytest.raises(SlotError, match="nothing on input slot 0"):
        g.validate()


def test_incomplete_nodes_are_left_out_but_the_rest_computes():
    g = expr_graph(MICROGRAD)
    g.disconnect("e", "d", 0)
    plan = g.plan()
    assert plan.incomplete == {"d", "L"}
    fwd = plan.forward(g)
    assert fwd.values["d"] is None and float(fwd.values["e"]) == -6.0
    back = plan.backward(fwd, "e")
    assert float(back.grads["a"]) == -3.0 and back.grads["L"] is None


def test_listeners_hear_every_change():
    heard = []
    g = Graph()
    g.subscribe(lambda event, **kw: heard.append((event, kw)))
    g.add_node("x", "input", 1.0)
    g.add_node("y", "neg")
    g.connect("x", "y", 0)
    g.set_value("x", 2.0)
    g.rename("y", "z")
    g.update_attrs("z", pos=[1, 2])
    g.remove_node("x")
    assert [e for e, _ in heard] == [
        "node_added", "node_added", "edge_added", "value_changed", "node_renamed",
        "attrs_changed", "edge_removed", "node_removed"]
    assert heard[2][1] == {"edge": ("x", "y", 0)}


def test_set_op_switches_between_leaf_and_computed():
    g = square()
    g.set_op("sq", "add")
    assert float(backward(g, "sq").forward.values["sq"]) == 6.0
    g.disconnect("x", "sq", 0)
    g.disconnect("x", "sq", 1)
    g.set_op("sq", "input", 7.0)
    assert float(g.value("sq")) == 7.0


def test_check_connect_names_the_rule_for_odd_requests():
    """Regression (engine/rules.py move): an unknown target or an unhashable slot must give the
    typed error, never a KeyError or TypeError from networkx's dicts."""
    g = Graph()
    g.add_node("x", "input", 1.0)
    g.add_node("y", "neg")
    with pytest.raises(NodeError, match="no node 'nope'"):
        g.check_connect("x", "nope", 0)
    with pytest.raises(SlotError, match=r"has slots 0\.\.0, not \[0\]"):
        g.check_connect("x", "y", [0])
    g.check_connect("x", "y", 0)  # the good one passes


def test_a_graph_read_in_bulk_builds_networkx_only_when_asked_and_then_the_same():
    """Running, reading ops and values, counting and iterating need no networkx graph; the
    first structural question builds it with exactly the rows and edges given."""
    nodes = [("a", "input", 2.0, {}), ("b", "input", -3.0, {"label": "bee"}),
             ("m", "mul", None, {}), ("L", "add", None, {})]
    edges = [("a", "m", 0), ("b", "m", 1), ("m", "L", 0), ("a", "L", 1)]
    g = Graph.from_parts(nodes, edges)
    back = backward(g, "L")  # dL/da = b + 1, dL/db = a
    assert (float(back.grads["a"]), float(back.grads["b"])) == (-2.0, 2.0)
    assert len(g) == 4 and list(g) == ["a", "b", "m", "L"] and "m" in g and "z" not in g
    assert g.op("m").name == "mul" and float(g.value("b")) == -3.0 and g.leaves() == ["a", "b"]
    assert g._pending is not None  # nothing above needed networkx
    g.set_value("a", 4.0)  # a value edit before networkx: the next run sees it
    assert float(backward(g, "L").grads["b"]) == 4.0 and g._pending is not None
    assert sorted(g.nx.edges(keys=True)) == sorted(edges)  # built now
    assert dict(g.nx.nodes(data="label"))["b"] == "bee" and g._pending is None
    g.add_node("c", "input", 1.0)
    g.disconnect("a", "L", 1)
    g.connect("c", "L", 1)
    assert float(backward(g, "L").grads["c"]) == 1.0
    assert g.inputs("L") == ["m", "c"]


@st.composite
def bulk_rows(draw):
    """Rows and edges as a file gives them: random ops, some slots left empty, rows shuffled
    (not always in topological order) and edges in any order."""
    n = draw(st.integers(1, 14))
    ops = [draw(st.sampled_from(["input", "const", "mul", "add", "neg", "tanh", "sub"]))
           for _ in range(n)]
    rows, edges = [], []
    for i, op in enumerate(ops):
        arity = OPS[op].arity
        rows.append((f"n{i}", op, 1.5 if not arity else None, {}))
        for slot in range(arity):
            if i and draw(st.booleans() | st.just(True)):
                edges.append((f"n{draw(st.integers(0, i - 1))}", f"n{i}", slot))
    return draw(st.permutations(rows)), draw(st.permutations(edges))


@settings(max_examples=150, deadline=None)
@given(bulk_rows())
def test_a_graph_read_in_bulk_answers_structure_as_networkx_does_without_it(parts):
    """Edges, inputs, consumers, predecessors, depth columns and empty slots of a graph read
    in bulk come from its rows, in networkx's order, without building networkx; the oracle is
    networkx itself on the same rows."""
    rows, edges = parts
    g = Graph.from_parts(rows, edges)
    ref = Graph.from_parts(rows, edges).nx  # built
    assert g.edges() == list(ref.edges(keys=True))
    assert g.columns() == [list(c) for c in nx.topological_generations(ref)]
    for node in ref:
        assert g.predecessors(node) == list(ref.predecessors(node))
        assert g.consumers(node) == [(d, k) for _, d, k in ref.out_edges(node, keys=True)]
        slots = [None] * OPS[ref.nodes[node]["op"]].arity
        for src, _, k in ref.in_edges(node, keys=True):
            slots[k] = src
        assert g.inputs(node) == slots
    expected_missing = [(n, k) for n in ref for k, s in enumerate(g.inputs(n)) if s is None]
    assert g.missing_slots() == expected_missing
    assert dict(g.table()) == dict(ref.nodes(data=True))
    assert g._pending is not None  # none of it built networkx
    copy = g.copy()
    assert copy._pending is not None and copy.edges() == g.edges()
    node = next(iter(g))
    copy.update_attrs(node, label="changed")
    copy.add_node("extra", "input", 2.0)  # builds the copy's networkx graph only
    assert g.attr(node, "label") is None and "extra" not in g and g._pending is not None
    assert copy.nx.nodes[node]["label"] == "changed"


def test_a_cycle_in_rows_read_in_bulk_is_named_without_building_the_graph():
    rows = [("a", "neg", None, {}), ("b", "neg", None, {}), ("x", "input", 1.0, {})]
    with pytest.raises(CycleError) as caught:
        Graph.from_parts(rows, [("a", "b", 0), ("b", "a", 0)])
    assert set(caught.value.nodes) == {"a", "b"}


def test_a_scalar_read_in_bulk_reads_as_float64_and_a_value_edit_keeps_the_plan():
    g = Graph.from_parts([("x", "input", 2.0, {}), ("y", "neg", None, {})], [("x", "y", 0)])
    plan = g.plan()
    assert type(g.value("x")) is np.float64 and g.value("x") == 2.0
    g.set_value("x", 5.0)  # a Python float in the rows, float64 now: the same kind of value
    assert g.plan() is plan and type(g.value("x")) is np.float64
    g.set_value("x", [1.0, 2.0])  # a shape change is a change of how the plan runs
    assert g.plan() is not plan
