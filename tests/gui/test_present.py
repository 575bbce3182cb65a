"""The window's canvas and the Graphviz picture say the same thing: the same edge widths and
colours, the same header colours and card texts, because both ask graphapp.formats.present."""

from __future__ import annotations

import re

import pytest

from graphapp.formats import graphviz_export as gx
from graphapp.formats import parse_expr
from tests.gui.conftest import settle
from tests.helpers import MICROGRAD

# micrograd's example, plus a constant, a node that does not reach L, and a sum
TEXT = MICROGRAD + "side = tanh(a) + 1\n"


@pytest.fixture
def shown(window, qtbot):
    doc = parse_expr(TEXT)
    doc.output = "L"
    doc.graph.update_many_attrs({n: {"pos": [i * 200.0, 0.0]} for i, n in enumerate(doc.graph)})
    window.load(doc, None)
    window.scene.refresh(everything=True)
    settle(window)
    results = window.doc.results
    dot = gx.to_dot(window.doc.to_file(), results.forward, results.backward)
    return window.scene, dot


def _edge_attrs(dot: str, src: str, dst: str) -> str:
    line = next(ln for ln in dot.splitlines() if ln.strip().startswith(f'"{src}" -> "{dst}"'))
    return line


def _node_line(dot: str, node: str) -> str:
    return next(ln for ln in dot.splitlines() if ln.strip().startswith(f'"{node}" ['))


def test_edges_have_the_same_width_and_colour(shown):
    scene, dot = shown
    checked = 0
    for (src, dst, _slot), item in scene.edges.items():
        attrs = _edge_attrs(dot, src, dst)
        width = re.search(r"penwidth=([\d.]+)", attrs)
        colour = re.search(r'color="(#[0-9a-f]{6})([0-9a-f]{2})?"', attrs)
        if item.display.lines:  # the edge carries a gradient: both draw it the same
            assert width is not None and colour is not None, attrs
            assert float(width.group(1)) == pytest.approx(item.display.width, abs=0.005)
            assert colour.group(1) == item.display.colour.name()
            assert (colour.group(2) is not None) == item.display.dimmed  # faded alike
            checked += 1
    assert checked >= 6 and scene.edges[("a", "tanh#1", 0)].display.dimmed
    # by hand: a → e carries dL/de · ∂e/∂a = -2 · -3 = 6, the largest; b → e carries -4
    assert scene.edges[("a", "e", 0)].display.width == pytest.approx(5.0)
    assert scene.edges[("b", "e", 1)].display.width == pytest.approx(1.3 + 3.7 * 4 / 6)
    assert scene.edges[("b", "e", 1)].display.colour.name() == gx._NEGATIVE


def test_cards_have_the_same_header_colours_and_texts(shown):
    scene, dot = shown
    for node, item in scene.nodes.items():
        line = _node_line(dot, node)
        header = scene.theme.roles[item.display.header].name()
        assert f'BGCOLOR="{header}"' in line, node
        for key, text, _ in item.display.rows:
            assert text.replace("−", "-") in line, (node, key)
    assert scene.nodes["a"].display.symbol == "input" and ">input</FONT>" in _node_line(dot, "a")
    assert {k: t for k, t, _ in scene.nodes["a"].display.rows}["dL/da"] == "6"


def test_results_computed_elsewhere_are_shown_without_recomputing(micrograd, monkeypatch):
    from graphapp.engine import backward
    from graphapp.gui import commands
    from tests.gui.conftest import shown, shown_grad

    window = micrograd
    copy = window.doc.graph.copy()  # a worker's own copy, with b = 4 there
    copy.set_value("b", 4.0)
    back = backward(copy, "L")
    runs = []
    original = window.doc._recompute_now
    monkeypatch.setattr(window.doc, "_recompute_now", lambda: (runs.append(1), original()))
    window.doc.show_results(back.forward, back)
    # by hand, with b = 4: dL/da = f·b = -2·4 = -8, dL/db = f·a = -4, L = (2·4 + 10)·-2 = -36
    assert shown(window, "b")["value"] == "4" and shown(window, "L")["value"] == "−36"
    assert shown_grad(window, "a") == "−8" and shown_grad(window, "b") == "−4"
    lines = window.scene.edges[("a", "e", 0)].display.lines
    assert [t for t, _ in lines] == ["local 4", "grad −8"]
    assert runs == [] and window.doc.graph.value("b") == -3.0  # the document kept its own
    window.doc.undo_stack.push(commands.SetValue(window.doc, "c", 10.0))  # an edit: back
    assert shown_grad(window, "a") == "6" and runs
