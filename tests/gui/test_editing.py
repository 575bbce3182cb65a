"""Editing gestures: the expression bar, the quick-add popup, the palette search, keys,
copy/paste, renaming, typing values, groups."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from graphapp.gui import commands
from tests.gui.conftest import click, settle, shown, shown_grad, snapshot


def type_statement(window, qtbot, text: str) -> None:
    bar = window.expression_bar.edit
    bar.clear()
    qtbot.keyClicks(bar, text)
    QTest.keyClick(bar, Qt.Key.Key_Return)


def test_typing_the_micrograd_expression_builds_it(window, qtbot):
    type_statement(window, qtbot, "L = (a*b + c) * f")
    g = window.doc.graph
    assert {"a", "b", "c", "f", "L"} <= set(g) and window.doc.output == "L"
    for name, value in {"a": "2", "b": "-3", "c": "10", "f": "-2"}.items():
        type_statement(window, qtbot, f"{name} = {value}")
    assert [shown_grad(window, n) for n in "abcfL"] == ["6", "−4", "−2", "4", "1"]
    assert window.expression_bar.edit.text() == ""
    # one undo step per statement
    window.doc.undo_stack.undo()
    assert float(g.value("f")) == 1.0


def test_redefining_a_name_keeps_its_consumers(window, qtbot):
    type_statement(window, qtbot, "y = x * 3")
    type_statement(window, qtbot, "z = y + 1")
    type_statement(window, qtbot, "y = sin(x)")
    g = window.doc.graph
    assert g.op("y").name == "sin" and g.inputs("z")[0] == "y"
    assert not [n for n in g if n.startswith("const#") and not g.consumers(n)]
    settle(window)
    assert shown(window, "y")["value"] == "0.84147"


def test_expression_errors_leave_the_graph_untouched(micrograd, qtbot):
    window = micrograd
    before = snapshot(window)
    for text, message in [("L = (a*", "was never closed"), ("q = foo(a)", "unknown function"),
                          ("d = L + 1", "in terms of itself"), ("a = a * 2", "itself")]:
        type_statement(window, qtbot, text)
        error = window.expression_bar.error
        assert error.isVisible() and message in error.text(), (text, error.text())
        assert snapshot(window) == before
        assert window.expression_bar.edit.text() == text  # kept for fixing


def test_tab_popup_and_double_click_add_nodes_at_the_cursor(micrograd, qtbot):
    window = micrograd
    spot = QPointF(-300, -300)
    click(window, spot, double=True)
    assert window.popup.isVisible()
    qtbot.keyClicks(window.popup.search, "sigm")
    QTest.keyClick(window.popup.search, Qt.Key.Key_Return)
    new = [n for n in window.doc.graph if window.doc.graph.op(n).name == "sigmoid"]
    assert len(new) == 1
    pos = window.scene.nodes[new[0]].pos()
    assert abs(pos.x() - (spot.x() - 78)) < 2 and abs(pos.y() - (spot.y() - 12)) < 2
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    assert window.popup.isVisible()
    window.popup.hide()


def test_palette_search_filters_and_enter_adds(window, qtbot):
    qtbot.keyClicks(window.palette.search, "matrix")
    assert window.palette.visible_ops() == ["matmul"]
    QTest.keyClick(window.palette.search, Qt.Key.Key_Return)
    assert [window.doc.graph.op(n).name for n in window.doc.graph] == ["matmul"]


def test_delete_key_copy_paste_and_duplicate(micrograd, qtbot):
    window = micrograd
    g = window.doc.graph
    window.select(["a", "b", "e"])
    window.act_copy.trigger()
    window.act_paste.trigger()
    pasted = window.scene.selected_nodes()
    assert len(pasted) == 3 and all(p not in ("a", "b", "e") for p in pasted)
    inside = [e for e in g.edges() if e[0] in pasted and e[1] in pasted]
    assert len(inside) == 2  # the edges among them came along
    window.act_duplicate.trigger()
    assert len(g) == 7 + 6
    window.select(["c"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "c" not in g and ("c", "d", 1) not in g.edges()
    window.doc.undo_stack.undo()
    assert ("c", "d", 1) in g.edges()


def test_rename_and_typed_values(micrograd, qtbot):
    window = micrograd
    window.select(["a"])
    edit = window.inspector.value_edit
    edit.setText("[1, 2, 3]")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert window.doc.graph.value("a").tolist() == [1.0, 2.0, 3.0]
    assert "shape" not in shown(window, "e")  # the shape is in the header
    assert window.scene.nodes["e"].display.symbol == "× mul (3)"
    edit.setText("abc")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert "not a number" in window.statusBar().currentMessage()
    name = window.inspector.name_edit
    name.setText("b")
    QTest.keyClick(name, Qt.Key.Key_Return)
    assert "taken" in window.statusBar().currentMessage() and "a" in window.doc.graph


def test_double_clicking_an_input_edits_its_value(micrograd, qtbot):
    window = micrograd
    item = window.scene.nodes["b"]
    click(window, item.mapToScene(item.value_row_rect().center()), double=True)
    assert window.inspector.node == "b"
    assert window.inspector.value_edit.hasFocus() or window.inspector.value_edit.selectedText()


def test_differentiate_this_from_the_context_action(micrograd):
    window = micrograd
    window.select(["e"])
    window.act_output.trigger()
    assert window.doc.output == "e"
    assert shown_grad(window, "a") == "−3" and window.scene.nodes["L"].display.dimmed


def test_group_fold_unfold_keeps_gradients(micrograd, qtbot):
    window = micrograd
    window.select(["a", "b", "e"])
    window.act_group.trigger()
    name = next(iter(window.doc.groups))
    card = window.scene.groups[name]
    assert not window.scene.nodes["a"].isVisible() and card.isVisible()
    assert [label for label in card.display.slot_names] == []  # nothing enters a, b, e
    rows = {key: text for key, text, _ in card.display.rows}
    assert rows == {"e": "−6   ∇ −2"}
    edge = window.scene.edges[("e", "d", 0)]
    assert edge.draw_src is card and edge.isVisible()
    assert not window.scene.edges[("a", "e", 0)].isVisible()
    assert float(window.doc.results.grad("a")) == 6.0  # the engine graph is untouched
    click(window, card.mapToScene(QPointF(40, 10)), double=True)
    assert window.scene.nodes["a"].isVisible() and name in window.scene.frames
    window.doc.undo_stack.undo()  # fold again
    assert not window.scene.nodes["a"].isVisible()


def test_auto_recompute_off_marks_gradients_stale(micrograd):
    window = micrograd
    window.act_auto.setChecked(False)
    window.doc.undo_stack.push(commands.SetValue(window.doc, "f", -3.0))
    assert shown_grad(window, "a").endswith("(stale)")
    assert "out of date" in window.status_problem.text()
    window.act_backward.trigger()
    assert shown_grad(window, "a") == "9"
    window.act_auto.setChecked(True)


def test_quitting_after_a_copy_does_not_crash(tmp_path):
    """Regression: copied nodes left on the clipboard crashed Qt's teardown at exit."""
    import os
    import subprocess
    import sys

    from tests.conftest import EXAMPLES, ROOT

    script = f"""
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from graphapp.formats.io import load_graph
from graphapp.gui.files import Recovery
from graphapp.gui.main_window import MainWindow
from graphapp.gui.qtlog import install_message_filter
install_message_filter()
app = QApplication([])
w = MainWindow(QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat),
               Recovery(Path({str(tmp_path)!r})), ask=False)
w.load(load_graph({str(EXAMPLES / '01_micrograd.expr')!r}), None)
w.select(["a", "b"])
w.copy()
w.close()
print("closed")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, env={**os.environ})
    assert result.returncode == 0 and "closed" in result.stdout, result.stderr


def test_new_statements_do_not_land_on_existing_cards(window, qtbot):
    """Regression: statements that connect to nothing on the canvas were laid out on top of
    the cards already in the middle of the view."""
    for text in ("y = tanh(x)", "q = exp(r)", "s = w * v"):
        type_statement(window, qtbot, text)
    rects = [item.sceneBoundingRect() for item in window.scene.nodes.values()]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.adjusted(4, 4, -4, -4).intersects(b.adjusted(4, 4, -4, -4))


def test_e_in_a_new_statement_is_the_users_name_not_eulers(window, qtbot):
    type_statement(window, qtbot, "e = e + 1")
    assert "used before it is defined" in window.expression_bar.error.text()
    assert len(window.doc.graph) == 0
    type_statement(window, qtbot, "y = e * 2")  # no user e: Euler's number, as in files
    assert float(window.doc.results.value("y")) == 2 * 2.718281828459045
