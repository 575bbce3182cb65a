from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from graphapp.formats.io import load_graph
from graphapp.gui import commands
from graphapp.gui.files import Recovery
from graphapp.gui.main_window import MainWindow
from tests.conftest import EXAMPLES
from tests.gui.conftest import shown_grad, snapshot, wait_layout


def test_save_reopen_compare(micrograd, qtbot, tmp_path):
    window = micrograd
    window.doc.undo_stack.push(commands.SetValue(window.doc, "a", 3.5))
    window.doc.undo_stack.push(commands.Rename(window.doc, "d", "dee"))
    window.doc.graph.update_attrs("e", label="product")
    window.doc.undo_stack.push(commands.SetGroup(window.doc, ["a", "b", "e"], "prod",
                                                {"collapsed": True}))
    for suffix in (".graph.json", ".expr"):
        path = tmp_path / f"saved{suffix}"
        assert window.save_to(path)
        assert not window.isWindowModified() and window.doc.path == path
        before = snapshot(window)
        assert window.open_path(path)
        wait_layout(window, qtbot)
        if suffix == ".graph.json":  # positions, labels and groups are kept
            assert snapshot(window) == before
            assert window.doc.groups["prod"]["collapsed"] is True
            assert window.doc.graph.attrs("b")["group"] == "prod"
        else:  # .expr keeps the structure and values, not positions
            g = window.doc.graph
            assert sorted(g.edges()) == sorted(e for e in before[1])
            assert float(g.value("a")) == 3.5
    assert shown_grad(window, "a") == "6"  # dL/da = b·f does not depend on a


BAD = {
    "syntax.expr": "a = 1\nb = a +\n",
    "name.expr": "a = 1\nb = a * q\n",
    "cycle.graph.json": json.dumps({
        "format": "graphapp", "version": 1,
        "nodes": [{"id": "a", "op": "neg"}, {"id": "b", "op": "neg"}],
        "edges": [{"src": "a", "dst": "b", "slot": 0}, {"src": "b", "dst": "a", "slot": 0}]}),
    "truncated.graph.json": '{"format": "graphapp", "version": 1, "nodes": [',
    "version.graph.json": '{"format": "graphapp", "version": 9, "nodes": [], "edges": []}',
    "binary.expr": b"a = 1\n\xff\xfe\n",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_shows_file_line_message_and_changes_nothing(micrograd, tmp_path, name,
                                                               monkeypatch):
    window = micrograd
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    window.ask = True
    path = tmp_path / name
    content = BAD[name]
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before, title = snapshot(window), window.windowTitle()
    assert not window.open_path(path)
    assert snapshot(window) == before and window.windowTitle() == title
    assert len(shown) == 1 and shown[0].startswith(f"{path}:")
    window.ask = False


def test_export_through_the_graphviz_exporter(micrograd, qtbot, tmp_path):
    window = micrograd
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG"), (".dot", b"digraph")):
        out = tmp_path / f"g{suffix}"
        job = window.export_to(out)
        assert window.statusBar().currentMessage().startswith(f"Exporting g{suffix} ")
        with qtbot.waitSignal(job.finished, timeout=60_000):
            pass
        assert out.read_bytes().startswith(magic)
        assert window.statusBar().currentMessage() == f"Exported {out}"


def test_autosave_and_recovery_after_a_crash(micrograd, qtbot, tmp_path):
    window = micrograd
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", 7.0))
    window.autosave()
    assert window.recovery.exists()
    # A new window (the next start after a crash) offers to restore it.
    window.recovery.abandon()  # what a crash leaves: the file, and no live owner
    other = MainWindow(QSettings(str(tmp_path / "s2.ini"), QSettings.Format.IniFormat),
                       Recovery(window.recovery.folder), ask=False)
    qtbot.addWidget(other)
    assert other.offer_recovery()
    assert float(other.doc.graph.value("b")) == 7.0 and other.doc.modified
    # Saving removes the recovery file.
    assert other.recovery.exists()
    assert other.save_to(tmp_path / "x.graph.json")
    assert not other.recovery.exists()


def _window(tmp_path, qtbot, name: str, ask: bool = False) -> MainWindow:
    """A window with its own settings and the recovery folder the tests share."""
    win = MainWindow(QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat),
                     Recovery(tmp_path / "recovery"), ask=ask)
    qtbot.addWidget(win)
    return win


def test_autosave_fires_on_its_timer(qtbot, tmp_path, monkeypatch):
    import graphapp.gui.main_window as mw

    monkeypatch.setattr(mw, "AUTOSAVE_MS", 40)
    window = _window(tmp_path, qtbot, "timer")
    window.load(load_graph(EXAMPLES / "01_micrograd.expr"), None)
    try:
        qtbot.wait(200)  # several ticks with nothing unsaved: nothing is written
        assert not window.recovery.exists()
        window.doc.undo_stack.push(commands.SetValue(window.doc, "b", 7.0))
        qtbot.waitUntil(window.recovery.exists, timeout=5000)  # no call to autosave() here
        doc, origin = window.recovery.load()
        assert float(doc.graph.value("b")) == 7.0 and origin is None
    finally:
        window.doc.undo_stack.setClean()


def test_recovery_is_offered_at_start_up(qtbot, tmp_path, monkeypatch):
    """What `graphapp FILE` does after a crash: the window opens the file, then asks whether
    to restore the autosaved work, and restores it when told yes."""
    import graphapp.gui.main_window as mw
    from graphapp.gui import launch

    crashed = _window(tmp_path, qtbot, "crashed")
    crashed.load(load_graph(EXAMPLES / "01_micrograd.expr"), None)
    crashed.doc.undo_stack.push(commands.SetValue(crashed.doc, "b", 7.0))
    crashed.autosave()
    assert crashed.recovery.exists()
    crashed.recovery.abandon()  # a crash: the file stays, its owner is gone
    opened = tmp_path / "other.expr"
    opened.write_text("q = 2.0\nr = q ** 3\n")
    made, asked = [], []
    monkeypatch.setattr(mw, "MainWindow", lambda: made.append(_window(
        tmp_path, qtbot, "next", ask=True)) or made[-1])
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(QApplication, "exec", lambda *a: 0)  # return instead of running
    assert launch.launch(opened) == 0
    [window] = made
    assert len(asked) == 1 and "Restore the unsaved graph" in asked[0]
    assert float(window.doc.graph.value("b")) == 7.0 and window.doc.modified
    assert "r" not in window.doc.graph
    window.doc.undo_stack.setClean()
    window.close()


"""Files in the window: save and reopen, bad files leave the document untouched, export,
autosave and recovery, recent files, examples, and asking before losing work."""

def test_closing_with_unsaved_changes_asks(micrograd, monkeypatch):
    window = micrograd
    window.ask = True
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", 7.0))
    answers = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    assert not window.close() and window.isVisible()
    answers.append(QMessageBox.StandardButton.Discard)
    assert window.close()
    window.ask = False


def test_recent_files_and_examples_menu(micrograd, tmp_path):
    window = micrograd
    path = tmp_path / "r.expr"
    path.write_text("x = 1\ny = x * 2\n")
    assert window.open_path(path)
    window._fill_recent()
    names = [a.text() for a in window.recent_menu.actions()]
    assert "r.expr" in names
    assert not window.examples_menu.actions()  # read when first opened
    window.examples_menu.aboutToShow.emit()
    window.examples_menu.aboutToShow.emit()  # once
    examples = [a.text() for a in window.examples_menu.actions()]
    assert len(examples) == len(list(EXAMPLES.glob("*.expr")))
    action = window.examples_menu.actions()[8]  # the ellipsoid
    assert "constraint" in action.toolTip()
    action.trigger()
    assert window.doc.path is None and "(example)" in window.windowTitle()
    assert "partial" in window.lesson.text.text()


def test_dropping_a_file_on_the_window_opens_it(micrograd, tmp_path):
    window = micrograd
    path = tmp_path / "dropped.expr"
    path.write_text("q = 2.0\nr = q ** 3\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(QPoint(200, 200)), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.doc.path == path and set(window.doc.graph) >= {"q", "r"}


def test_a_new_document_starts_empty_and_saves_as(window, tmp_path, monkeypatch):
    window.new_document()
    assert len(window.doc.graph) == 0
    window.expression_bar.edit.setText("y = tanh(x)")
    assert window.expression_bar.apply()
    target = tmp_path / "typed"
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "Graph scripts (*.expr)"))
    assert window.save()
    assert (tmp_path / "typed.expr").read_text().endswith("y = tanh(x)\n")
    assert load_graph(tmp_path / "typed.expr").output == "y"
