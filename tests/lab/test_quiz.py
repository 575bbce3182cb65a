"""The quiz checker against numbers worked out by hand for the seed examples.

micrograd's L = (a·b + c)·f at a = 2, b = −3, c = 10, f = −2 (seed 001): e = a·b = −6,
d = e + c = 4, L = d·f = −8. Backwards: dL/dd = f = −2, dL/df = d = 4; d = e + c passes −2 on
to e and c (local 1); e = a·b sends b·(−2) = 6 to a and a·(−2) = −4 to b. Locals: a→e is
b = −3, b→e is a = 2, e→d and c→d are 1, d→L is f = −2, f→L is d = 4.

Fan-out (micrograd's b = a + a at a = 3): two edges into one add, each local 1, so
dL/da = 1 + 1 = 2. Two paths (seed 003, y = x + x² at x = 3): dy/dx = 1 + 2·3 = 7.
"""

from __future__ import annotations

import pytest

from graphapp.formats.io import load_graph
from graphapp.formats.quiz import Quiz
from graphapp.lab.quiz import (
    agrees,
    backward_of,
    explain,
    hidden_numbers,
    mark,
    questions,
    read_answer,
)
from tests.conftest import EXAMPLES

MICROGRAD_GRADS = {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "d": -2.0, "e": -2.0}
MICROGRAD_LOCALS = {("a", "e", 0): -3.0, ("b", "e", 1): 2.0, ("e", "d", 0): 1.0,
                    ("c", "d", 1): 1.0, ("d", "L", 0): -2.0, ("f", "L", 1): 4.0}


def _example(name: str):
    doc = load_graph(EXAMPLES / name)
    return doc.graph, doc.output


def test_micrograd_gradients_are_the_hand_derived_ones():
    g, out = _example("01_micrograd.expr")
    got = {q.item: q.truth for q in questions(g, out, Quiz("gradients"))}
    assert got == MICROGRAD_GRADS  # the output L itself is not asked (its gradient is 1)


def test_micrograd_local_derivatives_are_the_hand_derived_ones():
    g, out = _example("01_micrograd.expr")
    got = {q.item: q.truth for q in questions(g, out, Quiz("locals"))}
    assert got == MICROGRAD_LOCALS


def test_questions_come_in_backprop_order():
    """A node is asked after every node it feeds (its gradient is built from theirs)."""
    g, out = _example("01_micrograd.expr")
    order = [q.item for q in questions(g, out, Quiz("gradients"))]
    for node in order:
        for dst, _ in g.consumers(node):
            if dst in order:
                assert order.index(dst) < order.index(node)


def test_fan_out_sums_both_edges():
    g, out = _example("08_fan_out.expr")
    assert {q.item: q.truth for q in questions(g, out, Quiz("gradients"))} == {"a": 2.0}
    locals_ = {q.item: q.truth for q in questions(g, out, Quiz("locals"))}
    assert locals_ == {("a", "b", 0): 1.0, ("a", "b", 1): 1.0}
    text = explain(g, out, "a", answer=1.0)
    assert text.splitlines()[0] == "grad(a) is 2, not 1."
    assert text.splitlines()[1] == ("That is only what the edge to b carries back: a feeds 2 "
                                    "nodes, so add what the other edge carries too.")
    assert "is used 2 times" in text and "multivariable chain rule" in text
    assert text.splitlines()[-1].endswith("= 1 × 1 + 1 × 1 = 1 + 1 = 2")


def test_two_paths_explanation_sums_over_paths():
    g, out = _example("07_two_paths.expr")
    assert questions(g, out, Quiz("gradients", ("x",)))[0].truth == 7.0
    lines = explain(g, out, "x", answer=6.0).splitlines()
    assert lines[1].startswith("That is only what the edge to x² carries back")
    step = lines[-1]
    # the edge x→x² carries 2·3 = 6, the edge x→y carries 1: 6 + 1 = 7
    assert step.startswith("grad(x) = local(x→x²) × grad(x²) + local(x→y) × grad(y)")
    assert step.endswith("= 6 × 1 + 1 × 1 = 6 + 1 = 7")


def test_wrong_answer_explained_with_its_chain_rule_step():
    g, out = _example("01_micrograd.expr")
    quiz = Quiz("gradients", tuple(MICROGRAD_GRADS), {"a": "-6", "b": "-4", "c": "-2",
                                                      "d": "-2", "e": "-2", "f": "4"})
    m = mark(g, out, quiz)
    assert (m.right, m.total) == (5, 6)
    assert m.first_wrong.question.item == "a"
    lines = m.explanation.splitlines()
    assert lines[0] == "grad(a) is 6, not −6."
    assert lines[1] == "That is the right size with the wrong sign."
    assert "used once (by e)" in lines[2] and "chain rule" in lines[2]
    assert lines[3] == "grad(a) = local(a→e) × grad(e) = b × grad(e) = −3 × −2 = 6"


def test_the_first_wrong_is_the_one_nearest_the_output():
    """Backprop's order: a wrong grad(d) is explained before a wrong grad(a) that inherits it."""
    g, out = _example("01_micrograd.expr")
    m = mark(g, out, Quiz("gradients", tuple(MICROGRAD_GRADS), {"a": "5", "d": "2", "f": "4"}))
    assert m.first_wrong.question.item == "d"
    assert [v.status for v in m.verdicts if v.question.item in "adf"] == \
        ["wrong", "right", "wrong"]  # d, f, a in backprop's order
    assert m.explanation.splitlines()[-1] == \
        "grad(d) = local(d→L) × grad(L) = f × grad(L) = −2 × 1 = −2"


def test_wrong_local_derivative_names_the_op_rule():
    g, out = _example("01_micrograd.expr")
    m = mark(g, out, Quiz("locals", (("a", "e", 0), ("f", "L", 1)),
                          {("a", "e", 0): "2", ("f", "L", 1): "4"}))
    assert (m.right, m.total) == (1, 2)
    lines = m.explanation.splitlines()
    assert lines[0] == "local(a→e) is −3, not 2."
    assert lines[1] == "That is the value of a; the local derivative is how fast e changes as a " \
                       "moves."
    assert "holding its other input fixed" in lines[2]
    assert lines[-1] == "∂(a·b)/∂a = b = −3"


@pytest.mark.parametrize(("text", "value"), [
    ("-3", -3.0), ("−3", -3.0), ("1/2", 0.5), ("0.5", 0.5), (".5", 0.5), ("-1.5e-3", -0.0015),
    ("+2", 2.0), (" 6 ", 6.0), ("-1/3", -1 / 3), ("3/-4", -0.75), ("1E2", 100.0)])
def test_answers_are_read_as_people_write_them(text, value):
    assert read_answer(text) == value


@pytest.mark.parametrize("text", ["", "six", "1/0", "2x", "1//2", "--3", "nan", "inf", "1e999",
                                  "3,5"])
def test_unreadable_answers_are_refused(text):
    with pytest.raises(ValueError, match="cannot read"):
        read_answer(text)


def test_tolerance_accepts_three_significant_figures_only():
    assert agrees(0.333, 1 / 3) and agrees(-0.667, -2 / 3) and agrees(1.46, 1.4633777)
    assert not agrees(0.33, 1 / 3) and not agrees(6.1, 6.0) and not agrees(6.0, -6.0)
    assert agrees(0.0, 0.0) and not agrees(1e-3, 0.0)


def test_unreadable_and_empty_answers_are_not_scored_as_right():
    g, out = _example("01_micrograd.expr")
    m = mark(g, out, Quiz("gradients", ("a", "b", "c"), {"a": "six", "b": "-4"}))
    status = {v.question.item: v.status for v in m.verdicts}
    assert status == {"a": "unreadable", "b": "right", "c": "empty"}
    assert (m.right, m.total) == (1, 3)
    assert m.explanation.startswith("grad(a): cannot read 'six' as a number")


def test_answers_follow_edited_values():
    """The truth is the engine's backward pass on the graph as it is now."""
    g, out = _example("01_micrograd.expr")
    g.set_value("b", 5.0)  # e = 10, d = 20; dL/da = b·f = 5·(−2)
    assert {q.item: q.truth for q in questions(g, out, Quiz("gradients", ("a",)))} == \
        {"a": -10.0}


def test_a_pass_older_than_the_graph_is_read_without_errors():
    """The window asks while an edit's events arrive, before new results: nodes and edges
    the pass does not know are left out, the ones it knows keep their numbers."""
    g, out = _example("01_micrograd.expr")
    back = backward_of(g, out)
    g.add_node("g", "mul")
    g.connect("a", "g", 0)
    g.connect("e", "g", 1)  # a and e now feed a node the pass has never seen
    assert {q.item: q.truth for q in questions(g, out, Quiz("gradients"), back)} == \
        MICROGRAD_GRADS
    assert {q.item: q.truth for q in questions(g, out, Quiz("locals"), back)} == \
        MICROGRAD_LOCALS
    assert explain(g, out, "a", back).splitlines()[-1].endswith("= −3 × −2 = 6")
    assert hidden_numbers(g, out, Quiz("gradients"), back=back).grads == set(MICROGRAD_GRADS)


def test_an_edge_rewired_since_the_pass_is_left_out():
    g, out = _example("01_micrograd.expr")
    back = backward_of(g, out)
    g.disconnect("c", "d", 1)
    g.connect("a", "d", 1)  # d = e + a now; the pass still says e + c
    got = {q.item: q.truth for q in questions(g, out, Quiz("locals"), back)}
    assert got == {k: v for k, v in MICROGRAD_LOCALS.items() if k[1] != "d" or k[2] != 1}


@pytest.mark.parametrize(("item", "answer", "slip"), [
    ("a", -6.0, "the right size with the wrong sign"),
    ("a", -3.0, "the local derivative on the edge to e alone: multiply it by grad(e)"),
    ("a", -2.0, "grad(e), the gradient arriving from above: multiply it by the local"),
    ("a", 7.0, ""),  # no slip it looks like: no second line
    (("a", "e", 0), 3.0, "the right size with the wrong sign"),
    (("a", "e", 0), 6.0, "the gradient the edge carries back, local × grad(e)"),
])
def test_common_slips_are_named(item, answer, slip):
    """micrograd: grad(a) = local(a→e) × grad(e) = −3 × −2 = 6; local(a→e) = b = −3 and the
    edge carries 6 back."""
    g, out = _example("01_micrograd.expr")
    lines = explain(g, out, item, answer=answer).splitlines()
    if slip:
        assert slip in lines[1]
    else:
        assert "used once" in lines[1]


def test_an_explanation_cites_only_numbers_the_learner_may_see():
    """grad(a) = local(a→e) × grad(e) = −3 × −2 = 6 (hand-derived): while grad(e) is still a
    question (empty), the explanation writes ? for it and never −2; answered right (now or
    before), it is cited."""
    g, out = _example("01_micrograd.expr")
    m = mark(g, out, Quiz("gradients", tuple(MICROGRAD_GRADS), {"a": "5"}))
    assert m.first_wrong.question.item == "a"
    lines = m.explanation.splitlines()
    assert lines[2] == "grad(a) = local(a→e) × grad(e) = b × grad(e) = −3 × ? = 6"
    assert "−2" not in m.explanation and "-2" not in m.explanation
    assert "still a question" in lines[-1]
    m = mark(g, out, Quiz("gradients", tuple(MICROGRAD_GRADS), {"a": "5", "e": "-2"}))
    assert m.explanation.splitlines()[2].endswith("= −3 × −2 = 6")
    assert "still a question" not in m.explanation
    m = mark(g, out, Quiz("gradients", tuple(MICROGRAD_GRADS), {"a": "5"}), shown={"e"})
    assert m.explanation.splitlines()[2].endswith("= −3 × −2 = 6")  # revealed before


def test_a_slip_that_would_name_a_hidden_number_is_not_said():
    """Answering grad(a) = −2 is grad(e)'s value: saying so would answer grad(e) while it is
    still a question; once grad(e) is answered right, the slip is named."""
    g, out = _example("01_micrograd.expr")
    m = mark(g, out, Quiz("gradients", tuple(MICROGRAD_GRADS), {"a": "-2"}))
    assert "arriving from above" not in m.explanation.splitlines()[1]
    assert "used once" in m.explanation.splitlines()[1]
    m = mark(g, out, Quiz("gradients", tuple(MICROGRAD_GRADS), {"a": "-2", "e": "-2"}))
    assert "grad(e), the gradient arriving from above" in m.explanation.splitlines()[1]
