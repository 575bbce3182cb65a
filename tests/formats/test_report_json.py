"""``graphapp grad --json`` text: graphs of scalars have their nodes and edges written from
whole columns (report._scalar_fragments); the bytes must be those of the plain dicts, built
here node by node and edge by edge from the engine's per-node answers."""

from __future__ import annotations

import math

import orjson
import pytest

from graphapp import api
from graphapp.engine import Graph
from graphapp.formats.document import GraphFile
from graphapp.formats.report import grad_json
from graphapp.formats.text import to_json_value

OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY

# constants (grad null), nan and inf on the way, a node that does not reach the output,
# numbers orjson writes unlike repr (1e-05, 1e+16) and both edge slots
SCRIPT = """\
a = 2.0
b = -3.0
tiny = 0.00001
big = 1e16
c = a * b + 10.0
n = log(b) + a
z = 1 / (a - 2.0)
unused = tanh(a)
L = c * a + n * tiny + big * a + relu(z) * 0.0
"""


def expected_bytes(doc: GraphFile, fwd, back) -> bytes:
    """The report as dicts, one node and one edge at a time, written by orjson."""
    nodes = {n: {"op": doc.graph.op(n).name, "value": to_json_value(fwd.values[n]),
                 "grad": to_json_value(back.grads[n])} for n in doc.graph}
    edges = []
    for dst in doc.graph:
        for slot, src in enumerate(doc.graph.inputs(dst)):
            e = back.edge(src, dst, slot)
            edges.append({"src": src, "dst": dst, "slot": slot, "local": to_json_value(e.local),
                          "accumulated": to_json_value(e.accumulated)})
    nonfinite = None
    if fwd.nonfinite is not None:
        nf = fwd.nonfinite
        nonfinite = {"node": nf.node, "op": nf.op, "value": to_json_value(nf.value),
                     "message": nf.message}
    return orjson.dumps({"output": back.output, "nodes": nodes, "edges": edges,
                         "nonfinite": nonfinite}, option=OPTIONS)


@pytest.mark.parametrize("mode", ["scalar", "batched"])
def test_scalar_runs_write_the_same_bytes_as_the_dicts(mode):
    doc = api.parse(SCRIPT)
    graph = doc.graph
    fwd = graph.plan().forward(graph, mode=mode)
    back = graph.plan().backward(fwd, "L")
    assert fwd.mode == mode and fwd.nonfinite is not None  # log(-3) is nan, 1/0 is inf
    result = grad_json(doc, back)
    assert isinstance(result["nodes"], orjson.Fragment)  # written from columns
    text = orjson.dumps(result, option=OPTIONS)
    assert text == expected_bytes(doc, fwd, back)
    data = orjson.loads(text)
    assert data["nodes"]["a"]["grad"] != 0 and data["nodes"]["const#1"]["grad"] is None
    assert data["nodes"]["n"]["value"] == "nan" and data["nodes"]["z"]["value"] == "inf"
    assert b'"value":0.00001' in text and b'"value":1e+16' in text


def test_names_json_escapes_are_written_as_orjson_writes_them():
    rows = [('x"1', "input", 3.0, {}), ("y\\2", "input", -1.5, {}), ("z\n", "mul", None, {}),
            ("é", "tanh", None, {})]
    graph = Graph.from_parts(rows, [('x"1', "z\n", 0), ("y\\2", "z\n", 1), ("z\n", "é", 0)])
    doc = GraphFile(graph, "é")
    fwd = api.forward(doc)
    back = api.backward(doc, fwd=fwd)
    text = orjson.dumps(grad_json(doc, back), option=OPTIONS)
    assert text == expected_bytes(doc, fwd, back)
    # d tanh(x·y)/dx = y (1 − tanh²(x·y)) with x = 3, y = −1.5
    assert orjson.loads(text)["nodes"]['x"1']["grad"] == pytest.approx(
        -1.5 * (1 - math.tanh(-4.5) ** 2))
