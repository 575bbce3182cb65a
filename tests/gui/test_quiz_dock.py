"""The quiz as a learner meets it: open an example, start the quiz, type answers into the dock,
Check, read the score and the explanation; the canvas really hides the numbers asked (its
display data, not only its pixels); saving and reopening keeps the quiz.

Hand-derived values (micrograd, seed 001): dL/da = 6, dL/db = −4, dL/dc = dL/dd = dL/de = −2,
dL/df = 4; locals a→e = b = −3, b→e = a = 2.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from graphapp.formats.io import load_graph
from graphapp.gui import commands
from tests.conftest import EXAMPLES
from tests.gui.conftest import settle, shown_grad, wait_layout

RIGHT = {"grad(a)": "6", "grad(b)": "-4", "grad(c)": "-2", "grad(d)": "−2", "grad(e)": "-2",
         "grad(f)": "4"}


def _start(window, qtbot, mode: int = 0):
    window.act_quiz.trigger()
    dock = window.lab_docks["lab-quiz"]
    assert dock.isVisible()
    view = dock.widget()
    view.mode.setCurrentIndex(mode)
    QTest.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() > 0)
    return view


def _type(view, qtbot, label: str, text: str) -> None:
    """Type into the answer cell of row ``label`` with the keyboard, then Enter."""
    row = [view.table.item(r, 0).text() for r in range(view.table.rowCount())].index(label)
    view.table.setFocus()
    view.table.setCurrentCell(row, 1)
    view.table.editItem(view.table.item(row, 1))
    editor = QApplication.focusWidget()
    assert editor is not view.table  # an editor opened in the cell
    if text.isascii():
        QTest.keyClicks(editor, text)
    else:  # QTest types ASCII only; a learner's −2 comes from a keyboard layout or a paste
        editor.insert(text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.table.item(row, 1).text() == text.replace(" ", ""))


def _marks(view) -> dict[str, str]:
    return {view.table.item(r, 0).text(): view.table.item(r, 2).text()
            for r in range(view.table.rowCount())}


def _card_texts(window, node: str) -> list[str]:
    settle(window)
    return [text for _, text, _ in window.scene.nodes[node].display.rows]


def _edge_lines(window, key) -> list[str]:
    settle(window)
    return [text for text, _ in window.scene.edges[key].display.lines]


def test_quiz_flow_hides_checks_scores_and_explains(micrograd, qtbot):
    window = micrograd
    assert shown_grad(window, "a") == "6"  # before the quiz the card shows it
    view = _start(window, qtbot)
    labels = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    assert sorted(labels) == sorted(RIGHT)
    # the canvas's display data holds no gradient that is asked, and no carried gradient
    for node in "abcdef":
        assert shown_grad(window, node) == "?"
    assert shown_grad(window, "L") == "1"  # the seed is not asked
    assert _card_texts(window, "a") == ["2", "?"]
    assert _edge_lines(window, ("a", "e", 0)) == ["local −3", "grad ?"]
    assert _edge_lines(window, ("f", "L", 1)) == ["local 4", "grad ?"]
    assert "?" in window.scene.node_tooltip("a") and "6" not in window.scene.node_tooltip("a")
    window.inspector.show_node("a")
    assert "quiz question" in window.inspector.grad_label.text()

    for label, text in RIGHT.items():
        _type(view, qtbot, label, "-6" if label == "grad(a)" else text)
    assert window.doc.quiz.answers["a"] == "-6"
    assert window.doc.modified  # answers belong to the document
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)

    assert view.score.text() == "Score: 5 / 6 right (checked once)"
    marks = {view.table.item(r, 0).text(): view.table.item(r, 2).text()
             for r in range(view.table.rowCount())}
    assert marks == {label: "✗" if label == "grad(a)" else "✓" for label in RIGHT}
    lines = view.explanation.text().splitlines()
    assert lines[0] == "grad(a) is 6, not −6."
    assert lines[1] == "That is the right size with the wrong sign."
    assert "chain rule" in lines[2]
    assert lines[3] == "grad(a) = local(a→e) × grad(e) = b × grad(e) = −3 × −2 = 6"
    # what was answered right shows on the canvas again; the wrong one stays hidden
    assert shown_grad(window, "b") == "−4"
    assert shown_grad(window, "a") == "?"
    assert _edge_lines(window, ("a", "e", 0)) == ["local −3", "grad ?"]

    _type(view, qtbot, "grad(a)", "6")
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert view.score.text() == "Score: 6 / 6 right (checked 2 times)"
    assert view.explanation.text().startswith("All right")
    assert shown_grad(window, "a") == "6"
    assert _edge_lines(window, ("a", "e", 0)) == ["local −3", "grad 6"]

    # a new value makes new numbers: they are questions again, and the old marks go
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", 5.0))
    assert shown_grad(window, "a") == "?" and shown_grad(window, "b") == "?"
    # dL/da is now b·f = −10: the 6 typed is no longer marked right; dL/dc = −2 still is
    qtbot.waitUntil(lambda: _marks(view)["grad(a)"] == "")
    assert _marks(view)["grad(c)"] == "✓"


def test_reveal_reset_end_and_undo(micrograd, qtbot):
    window = micrograd
    view = _start(window, qtbot)
    _type(view, qtbot, "grad(c)", "5")
    QTest.mouseClick(view.reveal_button, Qt.MouseButton.LeftButton)
    assert shown_grad(window, "c") == "−2" and shown_grad(window, "a") == "6"
    right = {view.table.item(r, 0).text(): view.table.item(r, 3).text()
             for r in range(view.table.rowCount())}
    assert right == {"grad(a)": "6", "grad(b)": "−4", "grad(c)": "−2", "grad(d)": "−2",
                     "grad(e)": "−2", "grad(f)": "4"}
    QTest.mouseClick(view.reset_button, Qt.MouseButton.LeftButton)
    assert window.doc.quiz.answers == {}
    assert shown_grad(window, "c") == "?"
    QTest.mouseClick(view.end_button, Qt.MouseButton.LeftButton)
    assert window.doc.quiz is None and shown_grad(window, "c") == "−2"
    window.doc.undo_stack.undo()  # End Quiz undone: the numbers hide again
    assert window.doc.quiz.mode == "gradients" and window.doc.quiz.answers == {}
    assert shown_grad(window, "c") == "?"


def test_local_derivative_quiz_hides_locals_and_explains_the_rule(micrograd, qtbot):
    window = micrograd
    view = _start(window, qtbot, mode=1)
    assert _edge_lines(window, ("a", "e", 0)) == ["local ?", "grad ?"]
    assert "∂e/∂a = ? (a quiz question)" in window.scene.edge_tooltip(("a", "e", 0))
    _type(view, qtbot, "local(a→e)", "2")  # the classic slip: a instead of b
    _type(view, qtbot, "local(b→e)", "2")
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert view.score.text() == "Score: 1 / 6 right (checked once)"
    lines = view.explanation.text().splitlines()
    assert lines[0] == "local(a→e) is −3, not 2."
    assert lines[-1] == "∂(a·b)/∂a = b = −3"
    assert _edge_lines(window, ("b", "e", 1)) == ["local 2", "grad ?"]  # b's grad stays hidden


def test_save_and_reopen_keeps_the_quiz(micrograd, qtbot, tmp_path):
    window = micrograd
    view = _start(window, qtbot)
    _type(view, qtbot, "grad(b)", "-4")
    _type(view, qtbot, "grad(a)", "1/2")
    for name in ("hw.expr", "hw.graph.json"):
        path = tmp_path / name
        assert window.save_to(path)
        quiz = load_graph(path).quiz
        assert sorted(quiz.items) == list("abcdef")  # "every gradient", listed to keep answers
        assert quiz.answers == {"b": "-4", "a": "1/2"}
    window.load(load_graph(tmp_path / "hw.expr"), tmp_path / "hw.expr")
    wait_layout(window, qtbot)
    reopened = window.lab_docks["lab-quiz"].widget()
    assert window.lab_docks["lab-quiz"].isVisible()  # an exercise opens on its quiz
    qtbot.waitUntil(lambda: reopened.table.rowCount() == 6)
    answers = {reopened.table.item(r, 0).text(): reopened.table.item(r, 1).text()
               for r in range(6)}
    assert answers["grad(b)"] == "-4" and answers["grad(a)"] == "1/2"
    assert shown_grad(window, "b") == "?"  # hidden again until checked
    QTest.mouseClick(reopened.check_button, Qt.MouseButton.LeftButton)
    assert reopened.score.text() == "Score: 1 / 6 right (checked once)"
    assert reopened.explanation.text().startswith("grad(a) is 6, not 0.5.")
    # Export Image draws what the canvas shows: b's gradient, checked right, and ? for a
    out = tmp_path / "sheet.dot"
    job = window.export_to(out)
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    dot = out.read_text(encoding="utf-8")
    assert '>dL/db</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#dc2626">-4<' in dot
    assert '>dL/da</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#b8c0cc">?<' in dot


def test_step_mode_keeps_the_quiz_hidden(micrograd, qtbot):
    """Backward step mode shows local × upstream = contribution on the current edge and running
    sums on cards (test_stepping.py): during a quiz those numbers are the answers."""
    window = micrograd
    _start(window, qtbot)
    window.pass_choice.setCurrentText("backward")
    window.act_step_mode.trigger()
    for _ in range(3):  # L, d, then e: e sends back to a and b
        window.act_step.trigger()
    settle(window)
    assert window.scene.edges[("a", "e", 0)].display.step == "current"
    assert _edge_lines(window, ("a", "e", 0)) == ["−3 × ? = ?"]
    assert _edge_lines(window, ("d", "L", 0)) == ["carried ?"]
    assert shown_grad(window, "a") == "?" and shown_grad(window, "e") == "?"
    assert "hidden while the quiz asks" in window.inspector.step_text.toPlainText()
    assert "6" not in window.inspector.step_text.toPlainText()


def test_a_quiz_on_the_selected_cards_only(micrograd, qtbot):
    window = micrograd
    window.act_quiz.trigger()
    view = window.lab_docks["lab-quiz"].widget()
    view.only_selected.setChecked(True)
    QTest.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert window.doc.quiz is None and "Select the cards" in view.explanation.text()
    for node in ("a", "b"):
        window.scene.nodes[node].setSelected(True)
    QTest.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 2)
    assert window.doc.quiz.items == ("b", "a")  # backprop's order
    assert shown_grad(window, "a") == "?" and shown_grad(window, "c") == "−2"
    window.scene.clearSelection()
    window.scene.nodes["e"].setSelected(True)  # a card: the edges into it
    view.mode.setCurrentIndex(1)
    QTest.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 2 and window.doc.quiz.mode == "locals")
    assert window.doc.quiz.items == (("a", "e", 0), ("b", "e", 1))
    assert _edge_lines(window, ("a", "e", 0)) == ["local ?", "grad ?"]
    assert _edge_lines(window, ("e", "d", 0)) == ["local 1", "grad −2"]


def test_out_of_date_gradients_wait_for_backward(micrograd, qtbot):
    window = micrograd
    view = _start(window, qtbot)
    window.act_auto.setChecked(False)
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", 5.0))
    qtbot.waitUntil(lambda: "out of date" in view.intro.text())
    assert not view.check_button.isEnabled()
    window.act_backward.trigger()  # F6: dL/da = b·f = 5·(−2) = −10
    qtbot.waitUntil(lambda: view.check_button.isEnabled())
    _type(view, qtbot, "grad(a)", "-10")
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert _marks(view)["grad(a)"] == "✓"


def test_a_folded_group_does_not_give_a_gradient_away(micrograd, qtbot):
    """A folded group's card lists each member seen from outside with its gradient (e: −6,
    ∇ −2 in micrograd): during a quiz that gradient is ? too."""
    window = micrograd
    window.doc.undo_stack.push(commands.SetGroup(window.doc, ["a", "b", "e"], "prod",
                                                {"collapsed": True}))
    _start(window, qtbot)
    settle(window)
    rows = {key: text for key, text, _ in window.scene.groups["prod"].display.rows}
    assert rows == {"e": "−6   ∇ ?"}
    QTest.mouseClick(window.lab_docks["lab-quiz"].widget().reveal_button,
                     Qt.MouseButton.LeftButton)
    settle(window)
    rows = {key: text for key, text, _ in window.scene.groups["prod"].display.rows}
    assert rows == {"e": "−6   ∇ −2"}


def test_scrubbing_a_quizzed_input_does_not_predict_with_its_gradient(micrograd, qtbot):
    """The nudge readout's prediction is dL/da · Δa (test_undo.py: 6 · 1.2 = 7.2): during a
    quiz on dL/da it reads ?, the actual change stays."""
    window = micrograd
    _start(window, qtbot)
    window.select(["a"])
    window.inspector._slider_pressed()
    window.inspector.slider.setValue(800)
    settle(window)  # the results follow the drag, then the readout
    nudge = window.scene._nudge_item.text()
    window.inspector._slider_released()
    assert "predicted ΔL ≈ dL/da · Δa = ? (a quiz question)" in nudge
    assert "actual ΔL = 7.2" in nudge and "7.2" not in nudge.split("\n")[1]


def test_a_graph_of_arrays_says_there_is_nothing_to_quiz(window, qtbot):
    """The ReLU neuron's loss (seed 003) runs on vectors: every number on a path to C is an
    array or sits between arrays, so nothing can be typed as one number."""
    path = EXAMPLES / "10_relu_neuron.expr"
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    view = _start_empty(window, qtbot)
    assert view.table.rowCount() == 0
    assert "no gradient to quiz" in view.intro.text() and "arrays" in view.intro.text()


def _start_empty(window, qtbot):
    window.act_quiz.trigger()
    view = window.lab_docks["lab-quiz"].widget()
    QTest.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.doc.quiz is not None)
    view.refresh()
    return view


def test_opening_the_quiz_keeps_the_whole_graph_in_view(micrograd, qtbot):
    """The dock takes the bottom of the window; the canvas must still show every card, and
    starting a quiz must not change the dock's size (the table is there, greyed, before)."""
    window = micrograd
    view = window.view

    def visible():
        return view.mapToScene(view.viewport().rect()).boundingRect()

    window.act_quiz.trigger()
    qtbot.wait(50)
    assert visible().contains(window.scene.graph_rect())
    quiz_view = window.lab_docks["lab-quiz"].widget()
    assert quiz_view.table.isVisible() and not quiz_view.table.isEnabled()
    assert not quiz_view.check_button.isEnabled()
    height = view.viewport().height()
    QTest.mouseClick(quiz_view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: quiz_view.table.rowCount() == 6)
    qtbot.wait(50)
    assert view.viewport().height() == height and visible().contains(window.scene.graph_rect())


def test_the_explanation_waits_for_the_numbers_still_asked(micrograd, qtbot):
    """grad(a) = −3 × grad(e) = −3 × −2 = 6: with grad(e) unanswered the dock's explanation
    writes ?; after Reveal, Check cites −2."""
    view = _start(micrograd, qtbot)
    _type(view, qtbot, "grad(a)", "5")
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert "= −3 × ? = 6" in view.explanation.text()
    assert "−2" not in view.explanation.text()
    QTest.mouseClick(view.reveal_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert "= −3 × −2 = 6" in view.explanation.text()


def test_renaming_a_quizzed_node_renames_its_question_and_what_was_shown(
        window, qtbot, tmp_path):
    path = tmp_path / "q.expr"
    path.write_text("# quiz: gradients a e\na = 3.0\nb = -2.0\ne = a * b\n")
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    doc = window.doc
    assert doc.quiz.items == ("a", "e")
    doc.set_quiz_shown(frozenset({"a"}))  # a answered right
    doc.undo_stack.push(commands.Rename(doc, "a", "alpha"))
    assert doc.quiz.items == ("alpha", "e") and doc.quiz_shown == {"alpha"}
    doc.undo_stack.undo()
    assert doc.quiz.items == ("a", "e") and doc.quiz_shown == {"a"}
