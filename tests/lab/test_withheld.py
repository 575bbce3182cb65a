"""What Partial vs Total withholds for a quiz when its input's gradient may be seen: the
numbers that would still give a hidden one away (micrograd, worked by hand: the one path
a → e → d → L has local factors b = −3, 1, f = −2 and product dL/da = 6; the edge a → e
carries 6 = −3 × dL/de, so it gives dL/de = −2 away)."""

from __future__ import annotations

from graphapp.api import parse
from graphapp.formats.quiz import Quiz
from graphapp.lab import partial_vs_total
from graphapp.lab.quiz import hidden_numbers
from graphapp.lab.withheld import partial_withheld
from tests.conftest import EXAMPLES


def _setup(quiz: Quiz):
    graph = parse((EXAMPLES / "01_micrograd.expr").read_text()).graph
    pt = partial_vs_total(graph, "L", "a")
    return pt, partial_withheld(pt, hidden_numbers(graph, "L", quiz))


def test_a_hidden_gradient_on_the_path_withholds_the_share_and_the_product():
    pt, w = _setup(Quiz("gradients", ("e",)))
    assert [p.nodes for p in pt.paths] == [("a", "e", "d", "L")]
    assert [round(s.share, 9) for s in pt.shares] == [6.0]
    assert w.shares == {0} and w.products == {0}  # 6 / −3 would give dL/de = −2
    assert not w.partial and not w.total and not w.totals and not w.factors


def test_a_hidden_local_withholds_its_factor_and_every_total_after_it():
    _, w = _setup(Quiz("locals", (("e", "d", 0),)))
    assert w.factors == {(0, 1)} and w.products == {0}
    assert w.locals == {("e", "d", 0)}
    assert w.totals == {"d", "L"}  # d d/da = −3 × local(e→d): the local given away
    assert w.total and w.partial


def test_nothing_withheld_without_a_quiz():
    pt, _ = _setup(Quiz("gradients"))
    assert not partial_withheld(pt, ())
