"""Each structural rule's message, word for word, with the nodes it points at: the editor's
status bar and the file readers show these texts to the user."""

from __future__ import annotations

import pytest

from graphapp.engine import (
    ArityError,
    CycleError,
    Graph,
    GraphError,
    NodeError,
    OpError,
    SlotError,
    backward,
)
from graphapp.engine.rules import output_error, unknown_node_error, would_cycle_error
from tests.engine.test_graph import square
from tests.helpers import expr_graph

KNOWN = ("input, const, identity, add, sub, mul, div, pow, neg, exp, log, sin, cos, tan, sqrt, "
         "abs, max, min, tanh, sigmoid, relu, sum, mean, matmul")


@pytest.mark.parametrize("edit, error, message, nodes", [
    (lambda g: g.connect("sq", "x", 0), ArityError,
     "'x' is an input node: it takes no inputs", ("x",)),
    (lambda g: g.connect("x", "sq", 0), SlotError,
     "slot 0 of 'sq' is already fed by 'x' (a slot cannot be fed twice)", ("sq", "x")),
    (lambda g: g.connect("x", "sq", 2), SlotError, "mul node 'sq' has slots 0..1, not 2",
     ("sq",)),
    (lambda g: g.connect("nope", "sq", 0), NodeError, "no node 'nope'", ("nope",)),
    (lambda g: g.add_node("x", "input", 1.0), NodeError, "node id 'x' is already taken",
     ("x",)),
    (lambda g: g.add_node("y", "frobnicate"), OpError, f"unknown op 'frobnicate'; known ops: "
     f"{KNOWN}", ()),
    (lambda g: g.add_node("y", "input"), NodeError, "input node 'y' needs a value", ("y",)),
    (lambda g: g.add_node("y", "mul", 2.0), NodeError,
     "mul node 'y' is computed; it cannot be given a value", ("y",)),
    (lambda g: g.set_value("sq", 1.0), NodeError,
     "'sq' is computed (mul); only inputs and constants hold values", ("sq",)),
    (lambda g: g.set_value("x", "abc"), NodeError, "bad value for 'x': not a number: 'abc'",
     ("x",)),
    (lambda g: g.disconnect("x", "sq", 5), SlotError, "there is no edge 'x' → 'sq' on slot 5",
     ("x", "sq")),
    (lambda g: g.set_op("sq", "tanh"), ArityError, "'sq' has an input on slot 1; tanh takes 1",
     ("sq",)),
    (lambda g: g.set_op("x", "frob"), OpError, f"unknown op 'frob'; known ops: {KNOWN}", ()),
    (lambda g: g.add_node("", "input", 1.0), NodeError,
     "a node id must be a non-empty string, not ''", ()),
    (lambda g: g.add_node(3, "input", 1.0), NodeError,
     "a node id must be a non-empty string, not 3", ()),
    (lambda g: g.rename("x", "sq"), NodeError, "node id 'sq' is already taken", ("sq",)),
    (lambda g: g.update_attrs("x", op="mul"), NodeError, "use set_op/set_value to change 'op'",
     ("x",)),
    (lambda g: g.update_attrs("x", value=2.0), NodeError,
     "use set_op/set_value to change 'value'", ("x",)),
])
def test_structure_errors_say_what_and_where(edit, error, message, nodes):
    g = square()
    with pytest.raises(error) as err:
        edit(g)
    assert err.value.message == message and str(err.value) == message
    assert err.value.nodes == nodes


def test_cycles_are_refused_with_both_ends_named():
    g = Graph()
    g.add_node("x", "input", 1.0)
    g.add_node("a", "tanh")
    g.add_node("b", "tanh")
    g.connect("a", "b", 0)
    with pytest.raises(CycleError) as err:
        g.connect("b", "a", 0)
    assert (err.value.message, err.value.nodes) == ("connecting 'b' → 'a' would make a cycle",
                                                    ("b", "a"))
    with pytest.raises(CycleError) as err:
        g.connect("a", "a", 0)
    assert err.value.nodes == ("a", "a")
    assert would_cycle_error("p", "q").message == "connecting 'p' → 'q' would make a cycle"
    assert (unknown_node_error(7).message, unknown_node_error(7).nodes) == ("7 is not a node",
                                                                             ("7",))
    assert (output_error("z").message, output_error("z").nodes) == ("output 'z' is not a node",
                                                                     ("z",))


def test_validate_names_the_first_empty_slot_and_counts_the_rest():
    g = expr_graph("x = 1.0\ny = 2.0")
    g.add_node("m", "mul")
    g.add_node("n", "neg")
    g.connect("x", "m", 1)
    assert g.missing_slots() == [("m", 0), ("n", 0)]
    with pytest.raises(SlotError) as err:
        g.validate()
    assert err.value.message == "mul node 'm' has nothing on input slot 0 (and 1 more)"
    assert err.value.nodes == ("m",)
    g.connect("y", "m", 0)
    with pytest.raises(SlotError) as err:
        g.validate()
    assert err.value.message == "neg node 'n' has nothing on input slot 0"
    g.connect("y", "n", 0)
    g.validate()
    assert g.missing_slots() == []


def test_set_op_keeps_edges_sets_values_and_says_so():
    heard = []
    g = square()
    g.subscribe(lambda event, **kw: heard.append((event, kw)))
    version = g.structure_version
    g.set_op("sq", "add")
    assert g.op("sq").name == "add" and g.value("sq") is None
    assert g.structure_version == version + 1
    assert heard == [("op_changed", {"node": "sq"})]
    assert float(backward(g, "sq").forward.values["sq"]) == 6.0
    g.set_op("x", "const", 4.0)
    assert g.op("x").name == "const" and float(g.value("x")) == 4.0
    g.set_op("x", "input")
    assert float(g.value("x")) == 0.0  # a leaf made without a value starts at 0
    with pytest.raises(NodeError, match="bad value for 'x'"):
        g.set_op("x", "input", "abc")
    g.set_op("x", "tanh")
    assert g.value("x") is None and "value" not in g.nx.nodes["x"]


def test_remove_node_removes_edges_on_both_sides_and_tells_listeners():
    g = expr_graph("a = 1.0\nb = tanh(a)\nc = b * b\nd = b + a")
    heard = []
    g.subscribe(lambda event, **kw: heard.append((event, kw)))
    g.remove_node("b")
    assert "b" not in g and sorted(g.edges()) == [("a", "d", 1)]
    assert sorted(kw["edge"] for e, kw in heard if e == "edge_removed") == [
        ("a", "b", 0), ("b", "c", 0), ("b", "c", 1), ("b", "d", 0)]
    assert heard[-1] == ("node_removed", {"node": "b"})
    with pytest.raises(NodeError, match="no node 'b'"):
        g.remove_node("b")


def test_reading_helpers():
    g = expr_graph("a = 1.0\nb = tanh(a * 2)")
    assert g.leaves() == ["a", next(n for n in g if g.op(n).name == "const")]
    assert g.inputs_nodes() == ["a"]
    g.update_attrs("a", label="alpha")
    assert g.attr("a", "label") == "alpha" and g.attr("a", "pos") is None
    assert g.attr("a", "pos", [0, 0]) == [0, 0]
    other = g.copy()
    other.set_value("a", 5.0)
    other.update_attrs("a", label="copy")
    assert float(g.value("a")) == 1.0 and g.attr("a", "label") == "alpha"
    assert sorted(other.edges()) == sorted(g.edges()) and other.nodes() == g.nodes()
    assert float(backward(other, "b").forward.values["b"]) == pytest.approx(
        __import__("math").tanh(10.0))
    heard = []
    listener = lambda event, **kw: heard.append(event)  # noqa: E731
    g.subscribe(listener)
    g.set_value("a", 2.0)
    g.unsubscribe(listener)
    g.set_value("a", 3.0)
    assert heard == ["value_changed"]
    with pytest.raises(GraphError):
        g.attr("zz", "label")
