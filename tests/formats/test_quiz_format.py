"""The quiz in graph files: the ``# quiz:`` directive of ``.expr`` and the ``"quiz"`` field of
``.graph.json``, read, written and read back; malformed ones are errors at FILE:LINE:COL."""

from __future__ import annotations

import pytest

from graphapp.formats import FormatError, parse_expr, write_expr
from graphapp.formats.io import load_graph, save_graph
from graphapp.formats.jsongraph import dumps_graph, loads_graph
from graphapp.formats.quiz import Quiz
from tests.conftest import EXAMPLES

MICROGRAD = (EXAMPLES / "01_micrograd.expr").read_text(encoding="utf-8")


def test_directive_sets_mode_items_and_answers():
    doc = parse_expr("# quiz: gradients a b=-4 c=1/2\n" + MICROGRAD)
    assert doc.quiz == Quiz("gradients", ("a", "b", "c"), {"b": "-4", "c": "1/2"})
    assert "quiz" not in doc.lesson and doc.lesson.startswith("The micrograd L-graph")


def test_bare_directive_means_every_item():
    doc = parse_expr(MICROGRAD + "# quiz: locals\n")
    assert doc.quiz == Quiz("locals")


def test_no_directive_no_quiz():
    assert parse_expr(MICROGRAD).quiz is None


def test_edges_with_two_slots_need_the_slot():
    text = "x = 3.0\ny = x * x\n"
    assert parse_expr("# quiz: locals x->y:1=3\n" + text).quiz.items == (("x", "y", 1),)
    with pytest.raises(FormatError) as err:
        parse_expr("# quiz: locals x->y\n" + text, "sq.expr")
    assert str(err.value) == "sq.expr:1:16: x feeds y 2 times: write x->y:0 or x->y:1"


@pytest.mark.parametrize(("directive", "where", "message"), [
    ("# quiz: gradient", "1:9", "unknown quiz 'gradient': write gradients or locals"),
    ("# quiz:", "1:8", "say what to quiz"),
    ("# quiz: gradients a zz", "1:21", "no node 'zz' to quiz"),
    ("# quiz: gradients a a", "1:21", "a is in the quiz twice"),
    ("# quiz: locals a->L", "1:16", "no edge a->L"),
    ("# quiz: locals a", "1:16", "'a' is not an edge"),
    ("# quiz: gradients =3", "1:19", "'=3': write NAME=ANSWER"),
    ("   #quiz: locals a->e b", "1:23", "'b' is not an edge"),
])
def test_malformed_directive_is_an_error_at_its_token(directive, where, message):
    with pytest.raises(FormatError) as err:
        parse_expr(directive + "\n" + MICROGRAD, "hw.expr")
    assert str(err.value).startswith(f"hw.expr:{where}: {message}")


def test_a_constant_cannot_be_quizzed():
    text = "x = 2.0\ny = x * 3\n"
    with pytest.raises(FormatError, match=r"<text>:1:19: 'const#1' is a constant"):
        parse_expr("# quiz: gradients const#1\n" + text)


def test_two_directives_are_an_error_on_the_second():
    with pytest.raises(FormatError, match=r"<text>:3:1: only one # quiz: line \(the first is "
                                          r"line 1\)"):
        parse_expr("# quiz: gradients\nx = 1.0\n  # quiz: locals\ny = x * x\n")


@pytest.mark.parametrize("quiz", [
    Quiz("gradients"),
    Quiz("gradients", ("a", "e", "f"), {"e": "-2", "a": "6"}),
    Quiz("locals"),
    Quiz("locals", (("a", "e", 0), ("f", "L", 1)), {("f", "L", 1): "-1.5e-3"}),
])
@pytest.mark.parametrize("suffix", [".expr", ".graph.json"])
def test_quiz_survives_save_and_reopen(tmp_path, quiz, suffix):
    doc = parse_expr(MICROGRAD)
    doc.quiz = quiz
    path = tmp_path / f"exercise{suffix}"
    save_graph(doc, path)
    again = load_graph(path)
    assert again.quiz == quiz
    assert again.lesson == doc.lesson


def test_generated_nodes_get_names_the_directive_can_use():
    """``L = (a*b + c)*f`` has no names for a·b and a·b + c; quizzing them names them."""
    doc = parse_expr("a = 2.0\nb = -3.0\nc = 10.0\nf = -2.0\nL = (a*b + c)*f\n")
    # ids the parser would not make again (a graph edited in the window has such ids)
    for old, new in (("mul#1", "mul#7"), ("add#1", "add#9")):
        doc.graph.rename(old, new)
    inner = ["mul#7", "add#9"]
    doc.quiz = Quiz("gradients", tuple(inner), {inner[0]: "-2"})
    text = write_expr(doc)
    again = parse_expr(text)
    assert again.quiz.mode == "gradients" and len(again.quiz.items) == 2
    assert all(again.graph.op(n).name in ("mul", "add") for n in again.quiz.items)
    assert list(again.quiz.answers.values()) == ["-2"]


def test_json_field_reads_edges_and_answers():
    doc = parse_expr(MICROGRAD)
    doc.quiz = Quiz("locals", (("b", "e", 1),), {("b", "e", 1): "2"})
    text = dumps_graph(doc)
    assert '"quiz": {"mode": "locals", "items": [{"src": "b", "dst": "e", "slot": 1, ' \
           '"answer": "2"}]}' in text
    assert loads_graph(text).quiz == doc.quiz


@pytest.mark.parametrize(("quiz", "message"), [
    ('"gradients"', '"quiz" must be an object'),
    ('{"mode": "grads"}', "unknown mode 'grads'"),
    ('{"mode": "gradients", "items": {}}', '"items" must be a list'),
    ('{"mode": "gradients", "items": [{"node": "zz"}]}', "no node 'zz' to quiz"),
    ('{"mode": "locals", "items": [{"src": "a", "dst": "e", "slot": 1}]}', "no edge a->e"),
    ('{"mode": "locals", "items": [{"src": "a", "dst": "e", "slot": true}]}', '"slot"'),
    ('{"mode": "gradients", "items": [{"node": "a", "answer": 6}]}', "must be a string"),
])
def test_malformed_json_field_names_the_line_of_quiz(quiz, message):
    text = dumps_graph(parse_expr(MICROGRAD)).replace(
        '"output": "L",', f'"output": "L",\n "quiz": {quiz},', 1)
    with pytest.raises(FormatError) as err:
        loads_graph(text, "hw.graph.json")
    assert str(err.value).startswith("hw.graph.json:2:2: ")
    assert message in str(err.value)


def test_renamed_quiz_follows_a_rename():
    quiz = Quiz("locals", (("a", "e", 0),), {("a", "e", 0): "-3"})
    assert quiz.renamed("e", "prod") == Quiz("locals", (("a", "prod", 0),),
                                             {("a", "prod", 0): "-3"})


@pytest.mark.parametrize("suffix", [".expr", ".graph.json"])
def test_items_the_graph_lost_are_not_saved(tmp_path, suffix):
    """A quizzed node made a constant after the quiz was set: the file must still read back,
    so the writer leaves that item out (and keeps the others with their answers)."""
    doc = parse_expr("a = 2.0\nb = 3.0\nc = a * b\nL = c + a\n")
    doc.quiz = Quiz("gradients", ("a", "b", "c"), {"b": "2", "c": "1"})
    doc.graph.set_op("b", "const", 3.0)
    path = tmp_path / f"hw{suffix}"
    save_graph(doc, path)
    assert load_graph(path).quiz == Quiz("gradients", ("a", "c"), {"c": "1"})


def test_items_of_a_deleted_node_are_not_saved(tmp_path):
    doc = parse_expr("a = 2.0\nb = 3.0\nc = a * b\nL = c + a\n")
    doc.quiz = Quiz("locals", (("a", "c", 0), ("b", "c", 1), ("c", "L", 0)),
                    {("b", "c", 1): "2"})
    doc.graph.remove_node("b")
    path = tmp_path / "hw.graph.json"
    save_graph(doc, path)
    assert load_graph(path, unfinished=True).quiz == \
        Quiz("locals", (("a", "c", 0), ("c", "L", 0)), {})
