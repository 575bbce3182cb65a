"""A hand-written ``.graph.json`` with everything a file can hold (extra node fields, groups,
inf and nan, arrays, a node whose shapes do not fit): reading then writing it gives back the same
bytes, what is written is strict JSON, and messages name the right lines."""

from __future__ import annotations

import json
import math

import numpy as np
import orjson
import pytest

from graphapp.cli import main
from graphapp.engine import Graph, backward
from graphapp.formats import GraphFile
from graphapp.formats.io import load_graph, save_graph
from graphapp.formats.jsongraph import dumps_graph, loads_graph
from tests.helpers import no_constants, strict

# Written by hand in the layout graphapp writes (one node or edge per line); the line of each
# node is in LINES. "bad" adds shapes (3) and (2), which cannot broadcast.
TEXT = (
    '{"format": "graphapp", "version": 1, "output": "L", "lesson": "A neuron, and a side '
    'branch that cannot be computed.", "groups": {"neuron": {"collapsed": true, "pos": '
    '[120.0, -40.5]}, "empty": {}},\n'
    ' "nodes": [\n'
    '  {"id": "x", "op": "input", "value": 2.0, "label": "input x", "pos": [0.0, 0.0], '
    '"group": "neuron", "note": "drag me"},\n'
    '  {"id": "w", "op": "input", "value": -1.5, "pos": [0, 80], "group": "neuron", '
    '"colour": "#ff8800"},\n'
    '  {"id": "big", "op": "input", "value": "inf", "pos": [0, 160]},\n'
    '  {"id": "hole", "op": "input", "value": [1.0, "nan", "-inf"], "tags": ["odd", 3, '
    'null, {"deep": [true]}]},\n'
    '  {"id": "short", "op": "input", "value": [1.0, 2.0]},\n'
    '  {"id": "k", "op": "const", "value": 3.0},\n'
    '  {"id": "z", "op": "mul", "group": "neuron"},\n'
    '  {"id": "L", "op": "tanh", "label": "loss", "group": "neuron"},\n'
    '  {"id": "bad", "op": "add", "pos": [300, 240]},\n'
    '  {"id": "side", "op": "mul", "label": "ünïcode ✓"}\n'
    ' ],\n'
    ' "edges": [\n'
    '  {"src": "x", "dst": "z", "slot": 0},\n'
    '  {"src": "w", "dst": "z", "slot": 1},\n'
    '  {"src": "z", "dst": "L", "slot": 0},\n'
    '  {"src": "hole", "dst": "bad", "slot": 0},\n'
    '  {"src": "short", "dst": "bad", "slot": 1},\n'
    '  {"src": "big", "dst": "side", "slot": 0},\n'
    '  {"src": "k", "dst": "side", "slot": 1}\n'
    ' ]\n'
    '}\n')
LINES = {"x": 3, "w": 4, "big": 5, "hole": 6, "short": 7, "k": 8, "z": 9, "L": 10, "bad": 11,
         "side": 12}


def test_the_strict_parsers_do_refuse_non_finite_tokens():
    for token in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError):
            json.loads(f'{{"value": {token}}}', parse_constant=no_constants)
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(f'{{"value": {token}}}')


def test_load_then_save_gives_the_same_bytes(tmp_path):
    source = tmp_path / "hand.graph.json"
    source.write_bytes(TEXT.encode("utf-8"))
    doc = load_graph(source)
    assert dumps_graph(doc) == TEXT
    target = tmp_path / "again.graph.json"
    save_graph(doc, target)
    assert target.read_bytes() == source.read_bytes()
    assert dumps_graph(loads_graph(target.read_text(encoding="utf-8"))) == TEXT


def test_every_field_is_read():
    doc = loads_graph(TEXT)
    g = doc.graph
    assert doc.output == "L" and doc.lesson.startswith("A neuron, and a side branch")
    assert doc.groups == {"neuron": {"collapsed": True, "pos": [120.0, -40.5]}, "empty": {}}
    assert g.attrs("x") == {"label": "input x", "pos": [0.0, 0.0], "group": "neuron",
                            "note": "drag me"}
    assert g.attrs("w") == {"pos": [0, 80], "group": "neuron", "colour": "#ff8800"}
    assert g.attrs("hole") == {"tags": ["odd", 3, None, {"deep": [True]}]}
    assert g.attrs("L") == {"label": "loss", "group": "neuron"}
    assert g.attrs("side") == {"label": "ünïcode ✓"}
    assert g.attrs("k") == {} and g.op("k").name == "const"
    assert float(g.value("big")) == math.inf
    hole = g.value("hole")
    assert hole[0] == 1.0 and math.isnan(hole[1]) and hole[2] == -math.inf
    assert sorted(g.edges()) == sorted([
        ("x", "z", 0), ("w", "z", 1), ("z", "L", 0), ("hole", "bad", 0), ("short", "bad", 1),
        ("big", "side", 0), ("k", "side", 1)])
    assert doc.lines == LINES


def test_what_is_written_is_strict_json():
    text = dumps_graph(loads_graph(TEXT))
    data = strict(text)
    assert [n["value"] for n in data["nodes"] if n["id"] in ("big", "hole")] == [
        "inf", [1.0, "nan", "-inf"]]
    # Values that become non-finite after loading are written as strings too.
    g = Graph()
    g.add_node("n", "input", float("nan"))
    g.add_node("m", "input", [[float("-inf"), 1.5], [2.0, float("inf")]])
    g.add_node("s", "add")
    g.connect("n", "s", 0)
    g.connect("m", "s", 1)
    data = strict(dumps_graph(GraphFile(g, "s")))
    assert data["nodes"][0]["value"] == "nan"
    assert data["nodes"][1]["value"] == [["-inf", 1.5], [2.0, "inf"]]


def test_gradients_through_the_file():
    doc = loads_graph(TEXT)
    back = backward(doc.graph, "L")
    x, w = 2.0, -1.5
    slope = 1 - math.tanh(x * w) ** 2
    assert float(back.grads["x"]) == pytest.approx(slope * w, rel=1e-15)
    assert float(back.grads["w"]) == pytest.approx(slope * x, rel=1e-15)
    assert float(back.grads["big"]) == 0.0 and back.grads["bad"] is None
    assert "bad" in back.forward.failures
    assert float(back.forward.values["side"]) == math.inf
    np.testing.assert_array_equal(back.forward.values["short"], [1.0, 2.0])


def test_the_failing_node_is_named_with_its_line(tmp_path, capsys):
    f = tmp_path / "hand.graph.json"
    f.write_text(TEXT, encoding="utf-8")
    assert main(["grad", str(f), "--output", "bad"]) == 1
    note, err = capsys.readouterr().err.splitlines()
    assert note == "graphapp: note: input 'big' was set to inf; values downstream may be nan or inf"
    assert err.startswith(f"{f}:11:1: evaluation failed at node 'bad': add cannot combine "
                          f"shape (3) and shape (2)")
    assert main(["eval", str(f)]) == 1
    assert capsys.readouterr().err.endswith(f"{f}:11:1: evaluation failed at node 'bad': add "
                                            "cannot combine shape (3) and shape (2): the "
                                            "shapes do not broadcast\n")
    assert main(["grad", str(f), "--json"]) == 0
    captured = capsys.readouterr()
    assert f"graphapp: note: {f}:11:1: node 'bad' failed" in captured.err
    assert "'big' was set to inf" in captured.err
    nodes = json.loads(captured.out)["nodes"]
    assert nodes["hole"]["value"] == [1.0, "nan", "-inf"] and nodes["bad"]["value"] is None
    assert nodes["x"]["grad"] == pytest.approx((1 - math.tanh(-3.0) ** 2) * -1.5, rel=1e-15)
