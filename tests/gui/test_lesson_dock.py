"""The Lesson dock as a learner uses it: open an example, do what a prompt asks through the
window (the inspector's value field, the expression bar, a click on a card, step mode), and see
the tick; hints on request; ticks stay until another file is opened or "Start over"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from graphapp.formats.io import load_graph
from graphapp.gui.lesson import DONE, OPEN
from tests.conftest import EXAMPLES
from tests.gui.conftest import click, settle, wait_layout


def _open(window, qtbot, name: str):
    path = EXAMPLES / name
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    return window.lesson


def _ticks(lesson) -> list[str]:
    return [row.tick.text() for row in lesson.rows]


def _type_value(window, qtbot, node: str, text: str) -> None:
    """Select ``node`` by clicking its card, type ``text`` in the inspector, press Enter."""
    click(window, window.scene.nodes[node].sceneBoundingRect().center())
    assert window.inspector.node == node
    field = window.inspector.value_edit
    field.selectAll()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)
    settle(window)


def test_the_slope_lesson_ticks_when_x_is_typed_in_the_inspector(window, qtbot):
    lesson = _open(window, qtbot, "02_slope.expr")
    assert "slope of about 14" in lesson.text.text()
    assert lesson.rows[0].text.text().startswith("Find the bottom of the curve")
    assert _ticks(lesson) == [OPEN, OPEN]
    assert "0 of 2 done" in lesson.heading.text()
    _type_value(window, qtbot, "x", "0.6667")  # 6x − 4 = 0.0002 (by hand)
    assert _ticks(lesson) == [DONE, OPEN]
    assert "1 of 2 done" in lesson.heading.text()
    assert window.statusBar().currentMessage().startswith("✓ Done: Find the bottom")
    _type_value(window, qtbot, "x", "3")  # the tick stays when the learner moves on
    assert _ticks(lesson) == [DONE, OPEN]
    _type_value(window, qtbot, "x", "1.3333")  # f = 4.99986667, slope 3.9998 (by hand)
    assert _ticks(lesson) == [DONE, DONE]
    lesson.start_over.click()
    assert _ticks(lesson) == [OPEN, DONE]  # x = 1.3333 still holds for the second one


def test_the_fan_out_lesson_through_step_mode_and_the_expression_bar(window, qtbot):
    lesson = _open(window, qtbot, "08_fan_out.expr")
    assert _ticks(lesson) == [OPEN, OPEN, OPEN]
    window.act_step_mode.trigger()  # Ctrl+B
    window.act_step.trigger()  # Ctrl+Right: b
    assert _ticks(lesson)[0] == OPEN
    window.act_step.trigger()  # a: its gradient 1 + 1 is final
    assert _ticks(lesson)[0] == DONE
    window.act_step_mode.trigger()
    bar = window.expression_bar
    bar.edit.setText("b = a * a")
    QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    settle(window)
    assert _ticks(lesson) == [DONE, DONE, OPEN]  # b = 9, db/da = 2a = 6 (by hand)
    bar.edit.setText("b = a * a * a")
    QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    settle(window)
    assert _ticks(lesson) == [DONE, DONE, DONE]  # 27 and 3a² = 27


def test_selecting_a_card_and_a_check_that_cannot_be_read(window, qtbot):
    lesson = _open(window, qtbot, "09_ellipsoid.expr")
    click(window, window.scene.nodes["x"].sceneBoundingRect().center())
    settle(window)
    assert _ticks(lesson)[0] == DONE
    # cut the constraint first: prompt 2 reads local(x, t), which no longer exists
    bar = window.expression_bar
    bar.edit.setText("t = 2.0")
    QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    settle(window)
    assert _ticks(lesson) == [DONE, OPEN, DONE]  # ∂V/∂x = ∂V/∂t = 8π (by hand)
    problem = lesson.rows[1].problem
    assert not problem.isHidden() and "x is not an input of t" in problem.text()
    window.doc.undo_stack.undo()  # t = x again
    settle(window)
    assert problem.isHidden()


def test_a_hint_shows_on_request_and_a_new_file_clears_the_ticks(window, qtbot):
    lesson = _open(window, qtbot, "07_two_paths.expr")
    row = lesson.rows[1]
    assert row.hint.isHidden()
    row.hint_button.click()
    assert not row.hint.isHidden() and row.hint.text() == "1 + 2x = 0 at x = −0.5."
    assert row.hint_button.text() == "Hide hint"
    row.hint_button.click()
    assert row.hint.isHidden() and row.hint_button.text() == "Hint"
    _type_value(window, qtbot, "x", "-0.5")
    assert _ticks(lesson) == [OPEN, DONE, OPEN]
    lesson = _open(window, qtbot, "07_two_paths.expr")
    assert _ticks(lesson) == [OPEN, OPEN, OPEN]


def test_a_graph_without_prompts_shows_only_its_lesson(window, qtbot):
    lesson = _open(window, qtbot, "02_slope.expr")
    window.new_document()
    assert lesson.rows == [] and lesson.prompt_box.isHidden()
    assert "no lesson text" in lesson.text.text()
