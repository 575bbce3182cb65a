"""The view and the window as a whole: zoom and fit, the minimap, edge labels, dimming and
nan marking, the light/dark theme, layout off the GUI thread, and the screenshot command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from graphapp.formats import parse_expr
from graphapp.gui import commands
from graphapp.gui.layout import layered_layout
from tests.conftest import EXAMPLES, ROOT
from tests.gui.conftest import settle, shown_grad, wait_layout


def test_zoom_fit_and_keys(micrograd, qtbot):
    window = micrograd
    view = window.view
    view.fit()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.itemsBoundingRect())
    start = view.zoom
    window.act_zoom_in.trigger()
    assert view.zoom > start
    window.act_zoom_out.trigger()
    window.act_zoom_out.trigger()
    assert view.zoom < start
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert abs(view.zoom - start) < 1e-6


def test_minimap_appears_for_graphs_larger_than_the_view(micrograd, qtbot):
    window = micrograd
    assert not window.view.minimap.isVisible()
    window.view.zoom_by(4.0)
    assert window.view.minimap.isVisible()
    window.view.fit()
    assert not window.view.minimap.isVisible()


def test_edge_labels_toggle(micrograd):
    window = micrograd
    edge = window.scene.edges[("a", "e", 0)]
    assert edge._label_visible()
    window.act_labels.trigger()
    assert not edge._label_visible()
    window.act_labels.trigger()
    assert edge._label_visible()


def test_colours_dimming_and_nan(window, qtbot):
    doc = parse_expr("x = -1.0\nside = log(x)\nw = 2.0\ny = w * x\n")
    window.load(doc, None)
    wait_layout(window, qtbot)
    settle(window)
    scene = window.scene
    assert scene.nodes["side"].display.dimmed  # does not reach y
    assert "log is defined for x > 0" in scene.nodes["side"].display.error
    assert not scene.nodes["x"].display.dimmed
    assert scene.edges[("w", "y", 0)].display.colour == scene.theme.negative  # carries -1
    assert scene.edges[("x", "y", 1)].display.colour == scene.theme.positive  # carries 2
    assert "log" in window.status_problem.text()


def test_dark_palette_gives_a_dark_canvas(micrograd, qtbot):
    window = micrograd
    app = QApplication.instance()
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#181818"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: window.scene.theme.dark, timeout=2000)
        assert window.scene.theme.canvas.lightness() < 80
    finally:
        app.setPalette(old)
    qtbot.waitUntil(lambda: not window.scene.theme.dark, timeout=2000)


def test_big_layout_runs_off_the_gui_thread(window, qtbot, tmp_path, monkeypatch):
    # dot slowed down by a wrapper, so that it is surely still running when load() returns:
    # a fast dot on an idle machine could finish first and leave nothing to observe.
    real_dot = shutil.which("dot")
    assert real_dot is not None
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "dot").write_text(f'#!/bin/sh\nsleep 1\nexec "{real_dot}" "$@"\n')
    (slow / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow}{os.pathsep}{os.environ['PATH']}")
    n = 400
    lines = ["x0 = 0.5"] + [f"x{i} = tanh(x{i - 1}) + x{max(0, i - 3)}" for i in range(1, n)]
    doc = parse_expr("\n".join(lines))
    window.load(doc, None)
    job = window._layout_job
    assert job is not None  # dot is running in its thread...
    ticks = 0
    while job._thread.is_alive() and ticks < 2000:
        qtbot.wait(5)  # ...while the event loop keeps answering
        ticks += 1
    wait_layout(window, qtbot)
    assert ticks > 0 and window._layout_job is None
    fallback = layered_layout(window.doc.graph)
    assert window.doc.graph.attrs("x5")["pos"] != [round(v, 1) for v in fallback["x5"]]


def test_edits_during_a_layout_are_not_overwritten(micrograd, qtbot):
    window = micrograd
    job = window.start_layout()
    window.doc.undo_stack.push(commands.AddNode(window.doc, "zz", "input", 1.0,
                                                {"pos": [0, 0]}))
    job.wait(60)
    qtbot.wait(50)
    assert "changed during layout" in window.statusBar().currentMessage()
    assert shown_grad(window, "a") == "6"


def test_screenshot_command_writes_a_png(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "graphapp", "open", str(EXAMPLES / "01_micrograd.expr"),
         "--backward", "--step", "3", "--size", "1200x800", "--screenshot", str(out)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no Qt warnings, no tracebacks
    data = out.read_bytes()
    # compressed (written at zlib's quick end: a 1200 × 800 picture stored whole is 2.9 MB)
    assert data.startswith(b"\x89PNG") and 20_000 < len(data) < 500_000
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)


def test_screenshot_of_a_bad_file_fails_cleanly(tmp_path):
    bad = tmp_path / "bad.expr"
    bad.write_text("a = (\n")
    result = subprocess.run(
        [sys.executable, "-m", "graphapp", "open", str(bad), "--screenshot",
         str(tmp_path / "x.png")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and result.stderr.startswith(f"{bad}:1:")
    assert not (tmp_path / "x.png").exists()


def test_panning_with_the_middle_button_and_space(micrograd, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    window = micrograd
    view = window.view
    view.zoom_by(3.0)
    viewport = view.viewport()
    centre = view.mapToScene(viewport.rect().center())
    start = viewport.rect().center()
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier,
                     start)
    QTest.mouseMove(viewport, start + QPoint(-120, -60))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(-120, -60))
    moved = view.mapToScene(viewport.rect().center())
    assert moved.x() > centre.x() and moved.y() > centre.y()


def test_layout_without_dot_falls_back_with_one_notice(micrograd, monkeypatch):
    import graphapp.gui.arrange as mw

    window = micrograd
    monkeypatch.setattr(mw, "dot_available", lambda: False)
    window.auto_layout()
    assert "dot is not installed" in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    window.auto_layout()
    assert "dot is not installed" not in window.statusBar().currentMessage()
    window.doc.undo_stack.undo()  # a layout is one undo step


def test_dock_layout_is_remembered(window, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from graphapp.gui.files import Recovery
    from graphapp.gui.main_window import MainWindow

    window.palette_dock.hide()
    window.close()
    again = MainWindow(QSettings(window.settings.fileName(), QSettings.Format.IniFormat),
                       Recovery(tmp_path / "r2"), ask=False)
    qtbot.addWidget(again)
    again.show()
    assert not again.palette_dock.isVisible() and again.inspector_dock.isVisible()


def test_dropping_an_op_from_the_palette_adds_it_there(micrograd):
    from PySide6.QtCore import QMimeData, QPoint, QPointF
    from PySide6.QtGui import QDropEvent

    from graphapp.gui.canvas.view import OP_MIME

    window = micrograd
    mime = QMimeData()
    mime.setData(OP_MIME, b"relu")
    where = QPoint(300, 300)
    event = QDropEvent(QPointF(where), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.view.dropEvent(event)
    new = [n for n in window.doc.graph if window.doc.graph.op(n).name == "relu"]
    assert len(new) == 1
    assert (window.scene.nodes[new[0]].pos() - window.view.mapToScene(where)).manhattanLength() < 2


def test_a_missing_xcb_library_is_one_line_naming_the_package(monkeypatch, capsys):
    import graphapp.sysdeps as sysdeps
    from graphapp.gui import launch

    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(sysdeps, "missing_libraries",
                        lambda libs: {"libxcb-cursor.so.0": "libxcb-cursor0"})
    assert launch.launch(EXAMPLES / "01_micrograd.expr") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sudo apt-get install libxcb-cursor0" in err
    monkeypatch.delenv("DISPLAY")
    assert launch.launch(EXAMPLES / "01_micrograd.expr") == 1
    assert "no display" in capsys.readouterr().err


def test_no_two_actions_share_a_shortcut(window):
    """Regression: Redo listed Ctrl+Shift+Z twice, which Qt calls ambiguous and ignores."""
    from PySide6.QtGui import QAction

    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen or seen[text] == action.text(), (text, action.text())
            assert action.shortcuts().count(key) == 1, (text, action.text())
            seen[text] = action.text()
    assert "Ctrl+Shift+Z" in [k.toString() for k in window.act_redo.shortcuts()]


def test_redo_shortcut_redoes(micrograd, qtbot):
    from PySide6.QtTest import QTest

    window = micrograd
    window.doc.undo_stack.push(commands.SetValue(window.doc, "a", 5.0))
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert float(window.doc.graph.value("a")) == 2.0
    QTest.keyClick(window.view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert float(window.doc.graph.value("a")) == 5.0


def test_screenshot_options_are_checked(tmp_path, capsys):
    from graphapp.cli import main

    example = str(EXAMPLES / "01_micrograd.expr")
    shot = str(tmp_path / "s.png")
    for args, message in [(["--size", "100000x100000"], "--size"),
                          (["--size", "10x10"], "--size"),
                          (["--step", "2"], "--step N needs --backward"),
                          (["--backward", "--step", "-1"], "N ≥ 0")]:
        assert main(["open", example, *args, "--screenshot", shot]) == 2
        assert message in capsys.readouterr().err
    assert main(["open", example, "--screenshot", str(tmp_path / "s.gif")]) == 2
    assert "use one of" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_failed_node_is_marked_and_the_rest_still_shows(window, qtbot):
    """Regression: one shape mismatch blanked every card, inputs and output included."""
    doc = parse_expr("a = [1.0, 2.0, 3.0]\nb = [1.0, 2.0]\nc = a + b\nd = sum(a * 2)\n"
                     "# output: d\n")
    window.load(doc, None)
    wait_layout(window, qtbot)
    settle(window)
    cards = window.scene.nodes
    assert "do not broadcast" in cards["c"].display.error
    rows = {k: t for k, t, _ in cards["a"].display.rows}
    assert rows["value"] == "[1, 2, 3]" and rows["dd/da"] == "[2, 2, 2]"
    assert {k: t for k, t, _ in cards["d"].display.rows}["value"] == "12"
    assert "c cannot be computed" in window.status_problem.text()


def test_dot_gets_a_time_budget_then_its_quick_settings():
    """A shape dot's full placement is slow on (a 40-statement deep chain with skip connections
    took over two minutes) gets the quick settings after FULL_BUDGET seconds; the positions
    are the quick run's, read from its -Tplain output (inches, y up → scene pixels, y down)."""
    from graphapp.gui import layout

    doc = parse_expr("x = 1.0\ny = tanh(x)")
    calls = []

    def run(args, text, timeout):
        calls.append((text, timeout))
        if len(calls) == 1:
            raise subprocess.TimeoutExpired(args, timeout)
        return b"graph 1 4 2\nnode n0 1 1.5 1 1 x\nnode n1 3 0.5 1 1 y\nstop\n"

    sizes = {"x": (72.0, 72.0), "y": (72.0, 72.0)}
    positions = layout.dot_layout(doc.graph, sizes, run=run)
    (full, budget), (quick, timeout) = calls
    assert budget == layout.FULL_BUDGET and timeout == 120
    assert "nslimit" not in full and "mclimit=0.3, nslimit=2" in quick
    assert positions == {"x": (36.0, 0.0), "y": (180.0, 72.0)}  # top = 2 in = 144 px


def test_a_screenshot_paints_the_window_once_into_the_picture(qapp, tmp_path, monkeypatch):
    """Paints on the way to a screenshot (the interim layout, dot's, the fitted view) would
    only be painted over: the window is laid out as shown but painted once, by the grab, and
    the picture shows the graph (its cards' colours, the output card's value)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QImage

    from graphapp.gui import launch
    from graphapp.gui.main_window import MainWindow

    monkeypatch.setenv("HOME", str(tmp_path))
    paints = []

    class Count(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and isinstance(obj, MainWindow):
                paints.append(obj)
            return False

    counter = Count()
    qapp.installEventFilter(counter)
    try:
        out = tmp_path / "shot.png"
        assert launch.launch(EXAMPLES / "01_micrograd.expr", screenshot=str(out)) == 0
    finally:
        qapp.removeEventFilter(counter)
    assert len(paints) == 1
    image = QImage(str(out))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 100  # not a blank or half-painted window
