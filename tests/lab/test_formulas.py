"""The Formulas view's text against strings written by hand for the seed examples."""

from __future__ import annotations

from graphapp.formats.io import load_graph
from graphapp.lab.formulas import node_formulas
from tests.conftest import EXAMPLES


def _view(name: str, node: str):
    doc = load_graph(EXAMPLES / name)
    return node_formulas(doc.graph, node, doc.output)


def test_seed_001_slope_reads_as_written():
    view = _view("02_slope.expr", "f")
    assert view.expression == "3·x² − 4·x + 5"
    assert view.value == "20"
    x = _view("02_slope.expr", "x")
    # x² at x = 3: 2·x = 6; 4·x: 4
    assert [e.text for e in x.edges] == ["∂x²/∂x = 2·x^(2−1) = 6", "∂(4·x)/∂x = 4"]


def test_micrograd_edges_carry_numbers():
    view = _view("01_micrograd.expr", "e")
    assert view.expression == "a·b"
    assert [e.text for e in view.edges] == ["∂(a·b)/∂a = b = −3", "∂(a·b)/∂b = a = 2",
                                            "∂(e + c)/∂e = 1"]
    out = _view("01_micrograd.expr", "L")
    assert (out.expression, out.expanded, out.value) == ("d·f", "(a·b + c)·f", "−8")


def test_ellipsoid_writes_pi_not_a_decimal():
    view = _view("09_ellipsoid.expr", "V")
    assert view.expression == "4/3·π·t·x·y"
    assert view.expanded == "4/3·π·x·x·y"


def test_the_ellipsoid_constraint_edge_reads_dt_dx_and_numbers_without_stray_brackets():
    # t = x is a constraint: the edge x → t carries ∂t/∂x = 1 (not the empty ∂x/∂x); the edge
    # into the product carries ∂(4/3·π·t·x)/∂x = 4/3·π·t = 4/3·π·2 = 8.37758 at t = 2 (by hand)
    x = _view("09_ellipsoid.expr", "x")
    assert [e.text for e in x.edges] == ["∂t/∂x = 1", "∂(4/3·π·t·x)/∂x = 4/3·π·t = 8.37758"]
    t = _view("09_ellipsoid.expr", "t")
    assert t.edges[0].text == "∂t/∂x = 1"
    # σ′(s) = σ(s)·(1 − σ(s)), written with s named once and bracketed once
    h1 = _view("11_mlp_sigmoid.expr", "h1")
    assert h1.edges[0].formula == ("∂σ(W1 @ x + b1)/∂(W1 @ x + b1) = "
                                   "σ(W1 @ x + b1)·(1 − σ(W1 @ x + b1))")
