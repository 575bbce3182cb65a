"""The .graph.json reader's bookkeeping: the line of every node (found lazily), values of
every allowed shape, and the errors its value decoder gives."""

from __future__ import annotations

import math

import pytest

from graphapp.formats import parse_expr
from graphapp.formats.jsongraph import dumps_graph, loads_graph
from graphapp.formats.text import MAX_DIMS, from_json_value


def test_every_node_knows_its_line():
    text = dumps_graph(parse_expr("a = 2.0\nb = [1.0, 2.0]\nc = a * b\nd = sum(c)\n"))
    doc = loads_graph(text)
    lines = text.split("\n")
    assert len(doc.lines) == len(doc.graph)
    for node in doc.graph:
        assert f'"id": "{node}"' in lines[doc.lines[node] - 1], node
    assert sorted(doc.lines) == sorted(doc.graph)


def test_lines_and_columns_with_crlf_and_non_ascii():
    text = ('{"format": "graphapp", "version": 1,\r\n "nodes": [\r\n'
            '  {"id": "é", "op": "input", "value": 1},\r\n'
            '  {"id": "ü", "op": "tanh", "label": 3}\r\n ],\r\n'
            ' "edges": [{"src": "é", "dst": "ü", "slot": 0}]}')
    from graphapp.formats import FormatError

    with pytest.raises(FormatError) as err:
        loads_graph(text, "x.graph.json")
    assert (err.value.line, err.value.col) == (4, 3)


def test_values_decode_with_non_finite_words_at_any_depth():
    assert from_json_value([[1, "nan"], ["-inf", 2.5]])[1] == [-math.inf, 2.5]
    assert math.isnan(from_json_value([[1, "nan"]])[0][1])
    assert from_json_value("inf") == math.inf and from_json_value(3) == 3
    deep: list = [1.0]
    for _ in range(MAX_DIMS - 1):
        deep = [deep]
    assert from_json_value(deep) is deep


@pytest.mark.parametrize(("raw", "words"), [
    ([1, [2]], "rectangular"),
    ([1, None], "null"),
    ([[1, False]], "false"),
    ({"a": 1}, "an object"),
    ("infinity", "'infinity'"),
])
def test_bad_values_say_what_they_hold(raw, words):
    with pytest.raises(ValueError, match=words):
        from_json_value(raw)


def test_values_nested_deeper_than_the_limit_are_refused():
    deep: list = [1.0]
    for _ in range(MAX_DIMS):
        deep = [deep]
    with pytest.raises(ValueError, match=f"more than {MAX_DIMS} deep"):
        from_json_value(deep)
