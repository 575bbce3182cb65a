"""A main window per test, with its settings and recovery file in a temporary folder and no
dialogs (so nothing blocks). Helpers drive the canvas with real mouse events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtTest import QTest

from graphapp.formats.io import load_graph
from graphapp.gui.files import Recovery
from graphapp.gui.main_window import MainWindow
from tests.conftest import EXAMPLES


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, Recovery(tmp_path / "recovery"), ask=False)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.doc.undo_stack.setClean()
    win.close()


@pytest.fixture
def micrograd(window, qtbot):
    """The window showing the micrograd example, laid out."""
    path = EXAMPLES / "01_micrograd.expr"
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    return window


def wait_layout(window: MainWindow, qtbot) -> None:
    """Wait until a background layout (if one started) has been applied."""
    job = window._layout_job
    if job is not None:
        with qtbot.waitSignal(window.layout_done, timeout=60_000):
            pass
    qtbot.wait(10)


def view_point(window: MainWindow, scene_point: QPointF) -> QPoint:
    """Where a scene point is on the view's viewport, making sure it is on screen."""
    window.view.ensureVisible(scene_point.x() - 5, scene_point.y() - 5, 10, 10, 80, 80)
    return window.view.mapFromScene(scene_point)


def drag(window: MainWindow, start: QPointF, end: QPointF, steps: int = 6) -> None:
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates)."""
    viewport = window.view.viewport()
    a = view_point(window, start)
    b = window.view.mapFromScene(end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, a + (b - a) * i / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def click(window: MainWindow, point: QPointF, button=Qt.MouseButton.LeftButton,
          double: bool = False) -> None:
    """Click (or double-click) at a scene point."""
    where = view_point(window, point)
    if double:
        QTest.mouseDClick(window.view.viewport(), button, Qt.KeyboardModifier.NoModifier, where)
    else:
        QTest.mouseClick(window.view.viewport(), button, Qt.KeyboardModifier.NoModifier, where)


def shown(window: MainWindow, node: str) -> dict[str, str]:
    """What a node's card shows: {row key: text}."""
    settle(window)
    return {key: text for key, text, _ in window.scene.nodes[node].display.rows}


def shown_grad(window: MainWindow, node: str) -> str:
    """The gradient text on a node's card."""
    settle(window)
    rows = window.scene.nodes[node].display.rows
    return rows[-1][1]


def snapshot(window: MainWindow) -> tuple:
    """The document's content, for comparing before/after undo."""
    g = window.doc.graph
    nodes = sorted((n, g.op(n).name, repr(g.value(n)), repr(sorted(g.attrs(n).items())))
                   for n in g)
    return tuple(nodes), tuple(sorted(g.edges())), window.doc.output, \
        repr(sorted(window.doc.groups.items()))



def settle(window: MainWindow) -> None:
    """Bring the display up to date, as the next repaint would (results are recomputed once
    per edit, on the event loop)."""
    window.doc.results  # noqa: B018 (recomputes if an edit is pending, then views refresh)
    window.scene.refresh(everything=True)
