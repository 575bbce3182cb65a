"""The .graph.json format: round trips, errors that name the line, atomic saves."""

from __future__ import annotations

import json
import os

import pytest

from graphapp.engine import backward
from graphapp.formats import FormatError, parse_expr
from graphapp.formats.io import load_graph, save_graph
from graphapp.formats.jsongraph import dumps_graph, loads_graph
from tests.helpers import MICROGRAD, strict


def _doc():
    doc = parse_expr("# lesson text\n" + MICROGRAD)
    doc.graph.update_attrs("a", pos=[12.5, -40.0], label="alpha")
    return doc


# What the micrograd graph of _doc() is as a file, written out by hand.
MICROGRAD_JSON = """\
{"format": "graphapp", "version": 1, "output": "L", "lesson": "lesson text",
 "nodes": [
  {"id": "a", "op": "input", "value": 2.0, "pos": [12.5, -40.0], "label": "alpha"},
  {"id": "b", "op": "input", "value": -3.0},
  {"id": "c", "op": "input", "value": 10.0},
  {"id": "f", "op": "input", "value": -2.0},
  {"id": "e", "op": "mul"},
  {"id": "d", "op": "add"},
  {"id": "L", "op": "mul"}
 ],
 "edges": [
  {"src": "a", "dst": "e", "slot": 0},
  {"src": "b", "dst": "e", "slot": 1},
  {"src": "e", "dst": "d", "slot": 0},
  {"src": "c", "dst": "d", "slot": 1},
  {"src": "d", "dst": "L", "slot": 0},
  {"src": "f", "dst": "L", "slot": 1}
 ]
}
"""


def test_load_then_save_gives_the_same_graph(tmp_path):
    doc = _doc()
    text = dumps_graph(doc)
    assert text == MICROGRAD_JSON
    again = loads_graph(text)
    assert dumps_graph(again) == text
    assert again.output == "L" and again.lesson == "lesson text"
    assert again.graph.attrs("a") == {"pos": [12.5, -40.0], "label": "alpha"}
    assert sorted(again.graph.edges()) == sorted(doc.graph.edges())
    path = tmp_path / "g.graph.json"
    save_graph(again, path)
    assert path.read_text(encoding="utf-8") == text
    assert float(backward(load_graph(path).graph, "L").grads["a"]) == 6.0


def test_arrays_and_non_finite_values_survive():
    doc = parse_expr("x = [[1.0, 2.5], [3.0, 4.0]]\ny = 1e999\nz = sum(x) * y")
    text = dumps_graph(doc)
    assert '"value": "inf"' in text
    strict(text)  # strict JSON: no NaN/Infinity tokens
    again = loads_graph(text)
    assert again.graph.value("x").tolist() == [[1.0, 2.5], [3.0, 4.0]]
    assert float(again.graph.value("y")) == float("inf")


GOOD = {"format": "graphapp", "version": 1, "output": "y",
        "nodes": [{"id": "x", "op": "input", "value": 2.0}, {"id": "y", "op": "mul"}],
        "edges": [{"src": "x", "dst": "y", "slot": 0}, {"src": "x", "dst": "y", "slot": 1}]}


def _lines(data) -> str:
    """One node or edge per line, like graphapp writes, so errors can name lines 3.. and 6.."""
    head = {k: v for k, v in data.items() if k not in ("nodes", "edges")}
    return (json.dumps(head)[:-1] + ',\n"nodes": [\n'
            + ",\n".join(json.dumps(n) for n in data.get("nodes", [])) + '\n],\n"edges": [\n'
            + ",\n".join(json.dumps(e) for e in data.get("edges", [])) + "\n]}\n")


def _with(**changes):
    data = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        data[key] = value
    return data


@pytest.mark.parametrize("data, line, message", [
    (_with(version=2), 1, "unknown version 2"),
    (_with(format="other"), 1, "not a graphapp graph"),
    (_with(nodes=[GOOD["nodes"][0], {"id": "y", "op": "frob"}]), 4, "unknown op 'frob'"),
    (_with(nodes=[GOOD["nodes"][0], {"id": "x", "op": "mul"}]), 4, "used twice"),
    (_with(nodes=[{"id": "x", "op": "input"}, GOOD["nodes"][1]]), 3, "needs a \"value\""),
    (_with(nodes=[{"id": "x", "op": "input", "value": "abc"}, GOOD["nodes"][1]]), 3,
     "bad value"),
    (_with(nodes=[{"id": "x", "op": "input", "value": [[1], [2, 3]]}, GOOD["nodes"][1]]), 3,
     "bad value"),
    (_with(edges=[GOOD["edges"][0]]), 4, "nothing on input slot 1"),
    (_with(edges=[GOOD["edges"][0], GOOD["edges"][0]]), 8, "slot 0 of 'y' is already fed"),
    (_with(edges=[*GOOD["edges"], {"src": "x", "dst": "y", "slot": 2}]), 9,
     "has slots 0..1, not 2"),
    (_with(edges=[*GOOD["edges"], {"src": "q", "dst": "y", "slot": 0}]), 9, "'q' is not a node"),
    (_with(edges=[*GOOD["edges"], {"src": "y", "dst": "x", "slot": 0}]), 9,
     "'x' is an input node"),
    (_with(edges=[GOOD["edges"][0], {"src": "x", "dst": "y", "slot": "1"}]), 8,
     "must be a whole number"),
    (_with(output="nope"), 1, "output 'nope' is not a node"),
    (_with(nodes=[GOOD["nodes"][0], {"id": "y", "op": "mul", "pos": [1]}]), 4,
     '"pos" must be [x, y]'),
])
def test_errors_name_the_line_at_fault(data, line, message):
    with pytest.raises(FormatError) as err:
        loads_graph(_lines(data), "g.graph.json")
    assert message in err.value.message
    assert err.value.line == line, str(err.value)


def test_a_cycle_is_reported():
    data = {"format": "graphapp", "version": 1,
            "nodes": [{"id": "a", "op": "tanh"}, {"id": "b", "op": "tanh"}],
            "edges": [{"src": "a", "dst": "b", "slot": 0}, {"src": "b", "dst": "a", "slot": 0}]}
    with pytest.raises(FormatError, match=r"cycle: (a → b → a|b → a → b)"):
        loads_graph(_lines(data))


@pytest.mark.parametrize("text, line, col", [
    ('{"format": "graphapp",\n "version": 1,\n "nodes": [\n', 4, 1),
    ('{"format": "graphapp", "version": 1, "nodes": [}', 1, 48),
    ("[1, 2]", 1, 1),
    ("", 1, 1),
])
def test_bad_or_truncated_json(text, line, col):
    with pytest.raises(FormatError) as err:
        loads_graph(text, "t.graph.json")
    assert (err.value.line, err.value.col) == (line, col)
    assert str(err.value).startswith(f"t.graph.json:{line}:{col}: ")


def test_truncation_is_called_out():
    text = dumps_graph(_doc())
    with pytest.raises(FormatError, match="truncated"):
        loads_graph(text[: len(text) // 2])


def test_a_failed_save_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    path = tmp_path / "g.graph.json"
    save_graph(_doc(), path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    doc = _doc()
    doc.graph.set_value("a", 100.0)
    with pytest.raises(OSError, match="disk full"):
        save_graph(doc, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.graph.json"]
