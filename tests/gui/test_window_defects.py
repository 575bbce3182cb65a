"""Regression tests for the defects a new user found in the real window (issue 9, items 1-13,
24, 25). Each test failed before its fix."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolBar

from graphapp.gui import commands
from tests.conftest import EXAMPLES
from tests.gui.conftest import settle


def type_statement(window, qtbot, text: str) -> None:
    bar = window.expression_bar
    bar.edit.setText(text)
    assert bar.apply(), bar.error.text()


# ----------------------------------------------------------------- 2: the output rule
def test_expression_bar_output_is_the_last_statement(window, qtbot):
    type_statement(window, qtbot, "x = 3")
    assert window.doc.output == "x"
    type_statement(window, qtbot, "f = 3*x**2 - 4*x + 5")
    assert window.doc.output == "f"
    settle(window)
    # df/dx = 6x - 4 = 14 at x = 3 (by hand)
    assert float(window.doc.results.grad("x")) == 14.0
    assert not window.scene.nodes["x"].display.dimmed


def test_changing_an_input_keeps_the_single_sink_as_output(window, qtbot):
    type_statement(window, qtbot, "x = 3")
    type_statement(window, qtbot, "f = x * x")
    type_statement(window, qtbot, "x = 5")  # a new value, not a new output
    assert window.doc.output == "f"
    assert float(window.doc.results.grad("x")) == 10.0


def test_output_set_by_hand_stays(window, qtbot):
    type_statement(window, qtbot, "a = 2")
    type_statement(window, qtbot, "b = a * 3")
    window.doc.undo_stack.push(commands.SetOutput(window.doc, "a", by_hand=True))
    type_statement(window, qtbot, "c = a + 1")
    assert window.doc.output == "a"
    window.doc.undo_stack.undo()  # c = a + 1
    window.doc.undo_stack.undo()  # the hand-set output
    assert window.doc.output == "b"
    type_statement(window, qtbot, "c = a + 1")
    assert window.doc.output == "c"


# ----------------------------------------------------------------- 6: step mode direction
def test_step_mode_follows_the_direction_box(micrograd, qtbot):
    window = micrograd
    window.act_step_mode.setChecked(True)
    assert window.stepper.state.mode == "backward"
    window.stepper.step_forward()
    window.pass_choice.setCurrentText("forward")
    state = window.stepper.state
    assert state.mode == "forward" and state.index == 0
    assert state.total == len(window.doc.graph)  # the forward pass visits every node
    window.stepper.step_forward()
    window.act_restart.trigger()
    assert window.stepper.state.mode == "forward"
    window.pass_choice.setCurrentText("backward")
    assert window.stepper.state.mode == "backward"
    window.act_step_mode.setChecked(False)
    window.pass_choice.setCurrentText("forward")  # not stepping: nothing starts
    assert not window.stepper.state.active


# ----------------------------------------------------------------- 7: hints name working keys
def test_step_hint_names_the_key_that_steps(micrograd, qtbot):
    window = micrograd
    window.act_step_mode.setChecked(True)
    hint = window.inspector.step_text.toPlainText()
    key = window.act_step.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert key == "Ctrl+Right" or key.startswith("Ctrl")
    assert key in hint and "(→)" not in hint
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.stepper.state.index == 1


def test_toolbar_tooltips_show_shortcuts(window):
    native = QKeySequence.SequenceFormat.NativeText
    seen = 0
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            if action.shortcut().isEmpty():
                continue
            seen += 1
            assert action.shortcut().toString(native) in action.toolTip(), action.text()
    assert seen >= 10


# ----------------------------------------------------------------- 11: readable names
def open_example(window, qtbot, name: str):
    from graphapp.formats.io import load_graph
    from tests.conftest import EXAMPLES
    from tests.gui.conftest import wait_layout

    path = EXAMPLES / name
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    settle(window)
    return window


def titles(window) -> dict[str, str]:
    return {node: item.display.name for node, item in window.scene.nodes.items()}


def test_intermediate_cards_are_named_by_their_expression(window, qtbot):
    open_example(window, qtbot, "02_slope.expr")
    shown = sorted(titles(window).values())
    # written by hand from  f = 3*x**2 - 4*x + 5
    for expected in ("3·x²", "4·x", "x²", "3·x² − 4·x", "x", "f", "3", "4", "5"):
        assert expected in shown, (expected, shown)
    assert "" not in shown


def test_constants_show_their_value_not_c(window, qtbot):
    open_example(window, qtbot, "09_ellipsoid.expr")
    consts = [item.display for n, item in window.scene.nodes.items()
              if window.doc.graph.op(n).constant]
    assert sorted(d.name for d in consts) == ["3", "4", "π"]
    assert all(d.symbol == "const" for d in consts)
    assert "4/3·π·t·x" in titles(window).values()


def test_formulas_in_standard_notation_never_repeat(window, qtbot):
    open_example(window, qtbot, "02_slope.expr")
    g = window.doc.graph
    top = next(n for n in g if (g.op(n).name == "add" and "f" in [d for d, _ in g.consumers(n)])
               or n == "f")
    window.select(["f"])
    text = window.inspector.details.toPlainText()
    assert "3·x² − 4·x" in text, text
    assert "(((" not in text and "…" not in text
    tip = window.scene.edge_tooltip(next(e for e in g.edges() if e[1] == "f" and e[2] == 0))
    assert "= 1 = 1" not in tip, tip
    assert top


def test_ellipsoid_inspector_names_partial_and_total(window, qtbot):
    open_example(window, qtbot, "09_ellipsoid.expr")
    window.select(["x"])
    text = window.inspector.details.toPlainText()
    # V = 4/3·π·t·x·y with t = x: partial ∂V/∂x = 4/3·π·t·y = 8π (x = 2, y = 3), total 16π
    assert "partial ∂V/∂x" in text and "total dV/dx" in text, text
    assert "25.13" in text and "50.26" in text


# ----------------------------------------------------------------- 13: smaller ones
def test_mul_card_header_is_not_a_lone_cross(window, qtbot):
    open_example(window, qtbot, "03_two_products.expr")
    symbols = {item.display.symbol for item in window.scene.nodes.values()}
    assert "×" not in symbols and "× mul" in symbols


def test_new_op_nodes_are_not_named_like_slots(window):
    a = window.add_op("input")
    m = window.add_op("mul")
    assert a == "a"
    assert m not in "abcdefghijklmnopqrstuvwxyz" and m.startswith("mul")


def test_unconnected_op_value_says_which_slots_are_empty(window, qtbot):
    window.add_op("input")
    m = window.add_op("mul")
    window.doc.undo_stack.push(commands.Connect(window.doc, "a", m, 0))
    window.select([m])
    settle(window)
    text = window.inspector.value_label.text()
    assert "b is empty" in text, text


# ----------------------------------------------------------------- 3: free places
def overlapping(window) -> list[tuple[str, str]]:
    """Pairs of visible cards whose rectangles overlap (by hand: rect intersection)."""
    rects = [(n, item.sceneBoundingRect()) for n, item in window.scene.nodes.items()
             if item.isVisible()]
    rects.sort(key=lambda r: r[1].left())
    pairs = []
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1:]:
            if rb.left() >= ra.right():
                break
            if ra.intersects(rb):
                pairs.append((a, b))
    return pairs


def test_statements_typed_one_by_one_never_stack_cards(window, qtbot):
    for text in ("x = 3", "y = 2", "z = 5", "u = x * y", "v = y + z", "w = 4",
                 "q = u * v", "r = w - 1", "s = q + r", "k = 7"):
        type_statement(window, qtbot, text)
        settle(window)
        assert overlapping(window) == [], text


def test_nodes_added_from_the_palette_get_a_free_place(window, qtbot):
    for op in ("input", "input", "mul", "add", "input", "sigmoid"):
        window.add_op(op)
    settle(window)
    assert overlapping(window) == []


def test_big_file_shows_an_interim_layout_without_overlaps(window, qtbot, tmp_path):
    from graphapp.formats.io import load_graph, save_graph
    from graphapp.generate import random_scalar_graph
    from tests.gui.conftest import wait_layout

    graph, out, _ = random_scalar_graph(400, seed=3)
    path = tmp_path / "big.graph.json"
    from graphapp.formats import GraphFile

    save_graph(GraphFile(graph, out, ""), path)
    window.load(load_graph(path), path)
    settle(window)
    assert window._layout_job is not None  # dot still working: this is the interim layout
    assert overlapping(window) == []
    wait_layout(window, qtbot)


# ----------------------------------------------------------------- 12: lessons speak to users
def test_lessons_name_their_source_and_point_into_the_window():
    from graphapp.formats.expr import lesson_of
    from tests.conftest import EXAMPLES

    sources = ("micrograd", "chain rule", "Chi-Feng Wang", "Margrit Betke")
    window_words = ("card", "edge", "inspector", "Step", "Ctrl+", "Run ▸")
    for path in sorted(EXAMPLES.glob("*.expr")):
        lesson = lesson_of(path.read_text())
        assert "seed" not in lesson.lower(), path.name
        assert "graphapp " not in lesson, path.name  # a command line verb, not the window
        assert any(s in lesson for s in sources), path.name
        assert any(w in lesson for w in window_words), path.name


# ----------------------------------------------------------------- 5: fitted and readable
def smallest_text_px(window) -> float:
    """The smallest text on the canvas in screen pixels at the current zoom: the fonts'
    pixel heights (from the point size and the screen's dots per inch) times the zoom."""
    from graphapp.gui.theme import card_fonts, label_font

    dpi = window.view.logicalDpiY()
    points = [f.pointSizeF() for f in (*card_fonts(), label_font()[0])]
    return min(points) * dpi / 72 * window.view.zoom


def visible_rect(window):
    view = window.view
    return view.mapToScene(view.viewport().rect()).boundingRect()


@pytest.mark.parametrize("name", [p.name for p in sorted(EXAMPLES.glob("*.expr"))])
def test_every_example_opens_fitted_and_readable(window, qtbot, name):
    open_example(window, qtbot, name)
    qtbot.wait(50)  # the fit after the layout is queued on the event loop
    assert smallest_text_px(window) >= 9, f"{window.view.zoom:.2f}"
    graph = window.scene.graph_rect()
    assert visible_rect(window).contains(graph), (visible_rect(window), graph)
    assert overlapping(window) == []


def test_undo_of_auto_layout_keeps_the_graph_on_screen(window, qtbot):
    from tests.gui.conftest import wait_layout

    open_example(window, qtbot, "01_micrograd.expr")
    g = window.doc.graph
    far = {n: (g.attrs(n)["pos"], [g.attrs(n)["pos"][0] + 6000, g.attrs(n)["pos"][1] + 4000])
           for n in g}
    window.doc.undo_stack.push(commands.MoveNodes(window.doc, far))
    window.view.fit()
    window.auto_layout()
    wait_layout(window, qtbot)
    window.doc.undo_stack.undo()  # the layout: back to the far place
    qtbot.wait(50)
    assert visible_rect(window).intersects(window.scene.graph_rect())
    window.doc.undo_stack.undo()  # the move: back home
    qtbot.wait(50)
    assert visible_rect(window).intersects(window.scene.graph_rect())


# ----------------------------------------------------------------- 1: nothing lost silently
def unfinished_graph(window):
    window.add_op("input")
    m = window.add_op("mul")
    window.doc.undo_stack.push(commands.Connect(window.doc, "a", m, 0))
    return m


def test_save_as_expr_of_an_unfinished_graph_offers_graph_json(window, qtbot, tmp_path,
                                                               monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from graphapp.formats.io import load_graph

    unfinished_graph(window)
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: asked.append(a[2]))
    window.ask = True
    try:
        assert window.save_to(tmp_path / "g.expr")
    finally:
        window.ask = False
    assert "a·?" in asked[0] and "empty input b" in asked[0] and ".graph.json" in asked[0]
    assert not (tmp_path / "g.expr").exists()
    saved = load_graph(tmp_path / "g.graph.json", unfinished=True)
    assert sorted(saved.graph.edges()) == sorted(window.doc.graph.edges())
    assert window.doc.path == tmp_path / "g.graph.json" and not window.doc.modified
    assert "g.graph.json" in window.windowTitle()


def test_save_as_expr_refused_says_why(window, tmp_path):
    unfinished_graph(window)
    assert not window.save_to(tmp_path / "g.expr")  # no dialogs: refused, in words
    assert "empty input b" in window.statusBar().currentMessage()
    assert not list(tmp_path.iterdir()) and window.doc.modified


# ----------------------------------------------------------------- 9: Quit → Discard
def test_quit_discard_then_teardown_raises_nothing(qtbot, tmp_path, monkeypatch):
    import shiboken6
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from graphapp.gui.files import Recovery
    from graphapp.gui.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, Recovery(tmp_path / "recovery"), ask=True)
    win.show()
    qtbot.waitExposed(win)
    type_statement(win, qtbot, "q = 2")
    assert win.doc.modified
    win.act_quit.trigger()
    assert not win.isVisible()
    errors = []
    monkeypatch.setattr("sys.excepthook", lambda *exc: errors.append(exc))
    shiboken6.delete(win)  # what the end of `graphapp open` does to the window
    assert errors == []


# ----------------------------------------------------------------- 8: Ctrl+Z acts on the graph
def test_ctrl_z_in_a_committed_value_field_undoes_the_graph_edit(micrograd, qtbot):
    window = micrograd
    window.select(["a"])
    edit = window.inspector.value_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "5")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert float(window.doc.graph.value("a")) == 5.0
    assert edit.hasFocus()
    QTest.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert float(window.doc.graph.value("a")) == 2.0  # the graph edit was undone
    settle(window)
    assert edit.text() == "2.0"


def test_ctrl_z_with_unsaved_typing_undoes_the_typing(micrograd, qtbot):
    window = micrograd
    window.select(["a"])
    edit = window.inspector.value_edit
    edit.setFocus()
    edit.end(False)
    qtbot.keyClicks(edit, "7")
    assert edit.text() == "2.07"
    QTest.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == "2.0" and float(window.doc.graph.value("a")) == 2.0
    assert window.doc.undo_stack.index() == 0


# ----------------------------------------------------------------- 24, 25: recovery files
def test_undo_back_to_the_saved_state_removes_the_recovery_file(micrograd):
    window = micrograd
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", 7.0))
    window.autosave()
    assert window.recovery.exists()
    window.doc.undo_stack.undo()  # back to what was opened
    assert not window.doc.modified and not window.recovery.exists()
    window.doc.undo_stack.redo()
    window.autosave()
    assert window.recovery.exists()


def test_a_second_instance_never_touches_a_live_instances_recovery(micrograd, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from graphapp.gui.files import Recovery
    from graphapp.gui.main_window import MainWindow

    first = micrograd
    first.doc.undo_stack.push(commands.SetValue(first.doc, "b", 7.0))
    first.autosave()
    second = MainWindow(QSettings(str(tmp_path / "s2.ini"), QSettings.Format.IniFormat),
                        Recovery(first.recovery.folder), ask=False)
    qtbot.addWidget(second)
    assert not second.offer_recovery()  # the first is running: nothing to offer
    assert first.recovery.exists()
    second.close()
    assert first.recovery.exists()  # and closing the second leaves it alone


def test_recovery_is_offered_for_an_instance_killed_mid_session(qtbot, tmp_path):
    import os
    import subprocess
    import sys

    from PySide6.QtCore import QSettings

    from graphapp.gui.files import Recovery
    from graphapp.gui.main_window import MainWindow

    folder = tmp_path / "recovery"
    # another process autosaves, then dies at once (as kill -9 would leave it)
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from graphapp.formats import parse_expr\n"
        "from graphapp.gui.files import Recovery\n"
        f"r = Recovery(Path({str(folder)!r}))\n"
        "r.save(parse_expr('x = 4\\ny = x * x'), None)\n"
        "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60,
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert len(list(folder.glob("*.lock"))) == 1  # the dead process's lock is still there
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                        Recovery(folder), ask=False)
    qtbot.addWidget(window)
    assert window.offer_recovery()
    assert float(window.doc.graph.value("x")) == 4.0 and window.doc.modified
    assert [f.name for f in folder.glob("*.graph.json")] == [window.recovery.file.name]
    window.doc.undo_stack.setClean()


def test_a_dead_instances_lock_without_work_is_cleaned_up(qtbot, tmp_path):
    """Seen in the real window (issue 9.24's check): after undo back to the saved state and a
    kill -9, no recovery is offered, but the dead instance's lock file stayed for good. The
    next start removes it; a live instance's lock stays."""
    import os
    import subprocess
    import sys

    from graphapp.formats import parse_expr
    from graphapp.gui.files import Recovery

    folder = tmp_path / "recovery"
    script = (
        "import os\n"
        "from pathlib import Path\n"
        "from graphapp.formats import parse_expr\n"
        "from graphapp.gui.files import Recovery\n"
        f"r = Recovery(Path({str(folder)!r}))\n"
        "r.save(parse_expr('x = 4'), None)\n"
        "r.discard()\n"  # undo back to the saved state
        "os._exit(0)\n")  # then killed
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60,
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    live = Recovery(folder)  # a running instance with nothing unsaved just now
    live.save(parse_expr("y = 1"), None)
    live.discard()
    assert len(list(folder.glob("*.lock"))) == 2 and not list(folder.glob("*.graph.json"))
    assert Recovery(folder).orphans() == []
    assert [f.name for f in folder.glob("*.lock")] == [f"autosave-{live.id}.lock"]


# ----------------------------------------------------------------- 10: long exports
from tests.gui.test_jobs import slow_dot  # noqa: E402, F401 (a fake dot that sleeps a minute)


def test_a_long_export_shows_progress_and_can_be_cancelled(window, qtbot, slow_dot,  # noqa: F811
                                                           tmp_path):
    from graphapp.formats.expr import parse_expr

    doc = parse_expr("a = 2\nb = 3\nL = a * b")
    doc.graph.update_many_attrs({n: {"pos": [0, 0]} for n in doc.graph})  # no layout on load
    window.load(doc, None)
    job = window.export_to(tmp_path / "g.png")
    qtbot.waitUntil(lambda: len(slow_dot()) == 2, timeout=10_000)
    assert window.busy.isVisible() and window.stop_button.isVisible()
    assert "Exporting g.png" in window.statusBar().currentMessage()
    qtbot.wait(6500)  # longer than an ordinary status message lasts
    assert "Exporting g.png" in window.statusBar().currentMessage()
    window.stop_button.click()
    qtbot.waitUntil(lambda: not job.running, timeout=5_000)
    assert job.outcome == "cancelled"
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.busy.isVisible() and not window.stop_button.isVisible()
    assert not (tmp_path / "g.png").exists()


def test_check_and_convert_have_menu_items(micrograd, qtbot, tmp_path):
    from graphapp.formats.io import load_graph

    window = micrograd
    menus = {a.text().replace("&", ""): a for m in window.menuBar().actions()
             for a in m.menu().actions()}
    assert {"Check Gradients", "Save a Copy As…", "Export Image…"} <= set(menus)
    job = window.check_gradients()
    job.wait(60)
    qtbot.waitUntil(lambda: "agree" in window.statusBar().currentMessage(), timeout=5000)
    assert "All 4 gradients agree" in window.statusBar().currentMessage()  # a, b, c, f
    assert window.save_copy(tmp_path / "copy.graph.json")
    assert window.doc.path is not None and window.doc.path.name == "01_micrograd.expr"
    copy = load_graph(tmp_path / "copy.graph.json")
    assert sorted(copy.graph.edges()) == sorted(window.doc.graph.edges())


def test_step_keys_work_while_the_empty_expression_bar_has_focus(micrograd, qtbot):
    window = micrograd
    window.act_step_mode.setChecked(True)
    bar = window.expression_bar.edit
    bar.setFocus()
    QTest.keyClick(bar, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.stepper.state.index == 1
    bar.setText("x = 1")  # with text, Ctrl+→ moves over a word as usual
    QTest.keyClick(bar, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.stepper.state.index == 1


def test_window_shortcuts_win_in_an_empty_text_field(micrograd):
    """Found in the real window (checking issue 9.10): Ctrl+E did not open Export Image… with
    the cursor in the empty expression bar: on X11 a line edit claims Ctrl+E ("end of line"),
    Ctrl+A, Ctrl+K, … (offscreen it does not, so the routing itself is checked here). In an
    empty field the window's Ctrl shortcuts win; paste, and any key in a field with text, stay
    the field's."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    from graphapp.gui.undo_routing import window_takes

    def key(k, mods=Qt.KeyboardModifier.ControlModifier):
        return QKeyEvent(QEvent.Type.ShortcutOverride, k, mods)

    bar = micrograd.expression_bar.edit
    assert bar.text() == ""
    for k in (Qt.Key.Key_E, Qt.Key.Key_L, Qt.Key.Key_A, Qt.Key.Key_K, Qt.Key.Key_Right):
        assert window_takes(bar, key(k)), k
    assert not window_takes(bar, key(Qt.Key.Key_V))  # paste into the empty field
    assert not window_takes(bar, key(Qt.Key.Key_E, Qt.KeyboardModifier.NoModifier))
    bar.setText("x = 1")
    for k in (Qt.Key.Key_E, Qt.Key.Key_A, Qt.Key.Key_Right):
        assert not window_takes(bar, key(k)), k


def test_inspector_op_row_is_never_squeezed(window, qtbot):
    """Issue 9.13, seen in the real window at 1024 × 520 in step mode: the inspector's
    boxes shrank the form under the height its wrapped Op text needs, clipping the formulas.
    The Op label must get at least the height its text needs at its width."""
    open_example(window, qtbot, "10_relu_neuron.expr")
    window.resize(1024, 520)
    window.act_step_mode.setChecked(True)
    window.stepper.go_to(1)
    matmul = next(n for n in window.doc.graph if window.doc.graph.op(n).name == "matmul")
    window.select([matmul])
    qtbot.wait(50)
    label = window.inspector.op_label
    assert "numpy.matmul" in label.text()
    assert label.height() >= label.heightForWidth(label.width()), \
        (label.height(), label.heightForWidth(label.width()))


def test_inspector_names_an_op_once(window, qtbot):
    """Seen in the real window: the Op row said "max max" (an op whose symbol is its name)."""
    open_example(window, qtbot, "10_relu_neuron.expr")
    g = window.doc.graph
    window.select([next(n for n in g if g.op(n).name == "max")])
    assert window.inspector.op_label.text().startswith("max — The larger")
    window.select([next(n for n in g if g.op(n).name == "matmul")])
    assert window.inspector.op_label.text().startswith("<b>@</b> matmul — ")


def test_check_gradients_shows_backprop_and_finite_differences_side_by_side(
        micrograd, qtbot, monkeypatch):
    """Asked for, the check's box lists each input with its gradient from backprop (by hand:
    dL/da = b·f = 6, dL/db = a·f = −4, dL/dc = f = −2, dL/df = a·b + c = 4) and the slope."""
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.detailedText()) or 0)
    micrograd.ask = True
    try:
        micrograd.check_gradients().wait(60)
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    finally:
        micrograd.ask = False
    rows = {line.split()[0]: line.split() for line in shown[0].splitlines()[1:]}  # a header
    assert {name: float(row[1].replace("−", "-")) for name, row in rows.items()} == \
        {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}
    assert all(row[-1] == "ok" for row in rows.values())
