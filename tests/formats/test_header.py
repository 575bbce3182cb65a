"""A lesson's ``# try:`` / ``# check:`` / ``# hint:`` lines: read, kept out of the prose, written
back by both formats, and refused with ``FILE:LINE:COL`` when malformed (never run)."""

from __future__ import annotations

import pytest

from graphapp.formats import FormatError, parse_expr, write_expr
from graphapp.formats.expr import lesson_of
from graphapp.formats.jsongraph import dumps_graph, loads_graph

TEXT = """# The slope of a parabola.
# try: Set x so that the slope is 0.
# check: grad(x) == 0 within 1e-3
# hint: The slope is 6x − 4.
# More prose after the prompt.
# try: Make f big.
# check: value(f) > 100 or local(x, f) < 0
x = 3.0
f = 3*x**2 - 4*x + 5
"""


def _prompts(doc):
    return [(p.text, p.check.text, p.hint, p.line) for p in doc.prompts]


def test_prompts_are_read_and_left_out_of_the_lesson_text():
    doc = parse_expr(TEXT, "p.expr")
    assert _prompts(doc) == [
        ("Set x so that the slope is 0.", "grad(x) == 0 within 1e-3", "The slope is 6x − 4.", 2),
        ("Make f big.", "value(f) > 100 or local(x, f) < 0", "", 6)]
    assert doc.lesson == "The slope of a parabola.\nMore prose after the prompt."
    assert lesson_of(TEXT) == doc.lesson


@pytest.mark.parametrize("write, read", [(write_expr, parse_expr), (dumps_graph, loads_graph)])
def test_prompts_survive_saving_in_either_format(write, read):
    doc = parse_expr(TEXT, "p.expr")
    again = read(write(doc), "again")
    assert [p[:3] for p in _prompts(again)] == [p[:3] for p in _prompts(doc)]
    assert again.lesson == doc.lesson


@pytest.mark.parametrize("lines, where, message", [
    (["# check: grad(x) == 0"], (1, 1), "put a '# try:' line above it"),
    (["# try: Do it."], (1, 1), "has no '# check:' line"),
    (["# try:", "# check: value(x) > 0"], (1, 7), "'# try:' is empty"),
    (["# try: a", "# check: value(x) > 0", "# check: value(x) < 9"], (3, 1),
     "already has a check"),
    (["# try: a", "# hint: h", "# hint: h2", "# check: value(x) > 0"], (3, 1),
     "already has a hint"),
    (["# try: a", "# check: value(x) >"], (2, 20), "expected a number or a reading"),
    (["# try: a", "# check: value(x) > 0 within 1e-3"], (2, 23), "'within' goes with == or !="),
    (["# try: a", "# check: grad(x) == 0 within -1"], (2, 30), "a tolerance ≥ 0"),
    (["# try: a", "# check: exec(x) > 0"], (2, 10), "unknown reading 'exec'"),
    (["# try: a", "# check: __import__(x)"], (2, 10), "unknown reading '__import__'"),
    (["# try: a", "# check: grad('x') > 0"], (2, 15), "unexpected \"'\""),
    (["# try: a", "#   check:   grad(x) ! 0"], (2, 22), "unexpected '!'"),
    (["# try: a", "# check: value(x)"], (2, 18), "compare value(…) with something"),
    (["# try: a", "# check: 1 < 2"], (2, 10), "not two numbers"),
    (["# try: a", "# check: selected(x) == 1"], (2, 10), "true or false by itself"),
    (["# try: a", "# check: local(x) > 0"], (2, 17), "expected ','"),
    (["# try: a", "# check: grad(x, x) > 0"], (2, 16), "takes 1 node name"),
    (["# try: a", "# check: value(x[1.5]) > 0"], (2, 18), "whole number"),
    (["# try: a", "# check: value(x) > 0 value(x) < 1"], (2, 23), "expected 'and', 'or'"),
])
def test_malformed_prompts_name_file_line_and_column(lines, where, message):
    text = "\n".join(lines) + "\nx = 1.0\n"
    with pytest.raises(FormatError) as err:
        parse_expr(text, "lesson.expr")
    assert (err.value.line, err.value.col) == where, str(err.value)
    assert message in err.value.message
    assert str(err.value).startswith(f"lesson.expr:{where[0]}:{where[1]}: ")


def test_a_bad_prompt_in_a_graph_json_points_at_its_key():
    text = dumps_graph(parse_expr(TEXT, "p.expr")).replace("value(f) > 100", "value(f) >> 100")
    with pytest.raises(FormatError) as err:
        loads_graph(text, "p.graph.json")
    assert "prompt 2: expected a number or a reading" in err.value.message
    assert err.value.line == 1 and text.splitlines()[0][err.value.col - 1:].startswith('"prompts"')


def test_a_check_may_name_nodes_the_learner_has_since_deleted():
    # the file must still open (the Lesson dock says what the check cannot read)
    doc = parse_expr("# try: a\n# check: grad(gone) > 0\nx = 1.0\n", "p.expr")
    assert doc.prompts[0].check.operands()[0].names == ("gone",)
