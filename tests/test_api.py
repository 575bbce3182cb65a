"""The Python face (``import graphapp``), checked against values derived by hand for the
micrograd graph L = (a·b + c)·f with a = 2, b = −3, c = 10, f = −2."""

from __future__ import annotations

import pytest

import graphapp
from tests.conftest import EXAMPLES

MICRO = EXAMPLES / "01_micrograd.expr"


def test_load_forward_backward_by_hand():
    doc = graphapp.load(MICRO)
    assert doc.output == "L"
    assert float(graphapp.forward(doc).values["L"]) == -8.0          # (2·−3 + 10)·−2
    back = graphapp.backward(doc)
    grads = {n: float(back.grads[n]) for n in "abcf"}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}        # b·f, a·f, f, a·b + c
    edge = back.edge("a", "e", 0)
    assert (float(edge.local), float(edge.accumulated)) == (-3.0, 6.0)  # ∂e/∂a = b; −2 × −3


def test_values_for_one_run_and_set_values_for_good():
    doc = graphapp.load(MICRO)
    assert float(graphapp.backward(doc, values={"f": 1.0}).grads["a"]) == -3.0  # b·f
    assert float(graphapp.forward(doc).values["L"]) == -8.0  # the run did not change the graph
    graphapp.set_values(doc, {"a": 4.0}, c=0.0)
    assert float(graphapp.forward(doc).values["L"]) == 24.0  # (4·−3 + 0)·−2


def test_forward_mode_and_other_outputs():
    doc = graphapp.parse("a = 2.0\nb = -3.0\ne = a * b\nL = e * e")
    assert float(graphapp.tangents(doc, "a").values["L"]) == 2 * -6.0 * -3.0  # 2e·b
    partial = graphapp.tangents(doc, "a", only_edge=("a", "e", 0)).values["e"]
    assert float(partial) == -3.0
    assert float(graphapp.backward(doc, output="e").grads["b"]) == 2.0


def test_a_bare_graph_needs_an_output():
    doc = graphapp.parse("x = 3.0\ny = x * x")
    with pytest.raises(graphapp.GraphError, match="no output"):
        graphapp.backward(doc.graph)
    assert float(graphapp.backward(doc.graph, "y").grads["x"]) == 6.0


def test_save_load_and_export(tmp_path):
    doc = graphapp.parse("x = 3.0\ny = tanh(x)")
    graphapp.save(doc, tmp_path / "g.graph.json")
    again = graphapp.parse((tmp_path / "g.graph.json").read_text(), kind="json")
    assert again.graph.nodes() == doc.graph.nodes() and again.output == "y"
    graphapp.export(again, tmp_path / "g.dot")
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith("digraph") and "tanh" in dot
    assert again.output == "y"  # exporting does not change the document


def test_errors_are_typed_and_name_the_place():
    with pytest.raises(graphapp.FormatError) as bad:
        graphapp.parse("x = 3.0\ny = x +", name="lesson.expr")
    assert str(bad.value).startswith("lesson.expr:2:")
    with pytest.raises(ValueError, match="kind"):
        graphapp.parse("x = 1", kind="yaml")
    with pytest.raises(AttributeError):
        graphapp.no_such_name  # noqa: B018
