"""One rule, one message: the editor's connect check, the bulk builder behind the .expr reader
and the .graph.json reader say the same thing about the same broken edge."""

from __future__ import annotations

import json

import pytest

from graphapp.engine import Graph, GraphError
from graphapp.formats import FormatError
from graphapp.formats.jsongraph import FORMAT, VERSION, loads_graph

NODES = [("x", "input", 1.0, {}), ("c", "const", 2.0, {}), ("y", "mul", None, {})]


@pytest.mark.parametrize(("edge", "expected"), [
    (("c", "x", 0), "'x' is an input node: it takes no inputs"),
    (("x", "y", 2), "mul node 'y' has slots 0..1, not 2"),
    (("c", "y", 0), "slot 0 of 'y' is already fed by 'x' (a slot cannot be fed twice)"),
])
def test_a_broken_edge_reads_the_same_everywhere(edge, expected):
    editor = Graph.from_parts(NODES, [("x", "y", 0)])
    with pytest.raises(GraphError) as connect:
        editor.check_connect(*edge)
    with pytest.raises(GraphError) as bulk:
        Graph.from_parts(NODES, [("x", "y", 0), edge])
    text = json.dumps({
        "format": FORMAT, "version": VERSION,
        "nodes": [{"id": n, "op": op, **({"value": v} if v is not None else {})}
                  for n, op, v, _ in NODES],
        "edges": [{"src": s, "dst": d, "slot": k} for s, d, k in [("x", "y", 0), edge]]})
    with pytest.raises(FormatError) as read:
        loads_graph(text, "g.graph.json")
    assert connect.value.message == bulk.value.message == expected
    assert f"edge 1: {expected}" in str(read.value)


def test_an_empty_slot_reads_the_same_in_the_engine_and_the_reader():
    g = Graph.from_parts(NODES, [("x", "y", 0)])
    with pytest.raises(GraphError) as engine:
        g.validate()
    assert engine.value.message == "mul node 'y' has nothing on input slot 1"
