"""The training panel in a window of its own (``graphapp train --gui``), in the editor's
window as a dock (Run ▸ Training Panel), and rendered offscreen to a picture
(``graphapp train --screenshot OUT.png``)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow

from graphapp.gui.training.panel import TrainingPanel
from graphapp.gui.training.session import Setup

__all__ = ["TrainingWindow", "open_dock", "run_window", "screenshot"]


class TrainingWindow(QMainWindow):
    """A main window whose only content is the training panel."""

    def __init__(self, setup: Setup | None = None) -> None:
        super().__init__()
        self.setWindowTitle("graphapp — training")
        self.panel = TrainingPanel(setup, self)
        self.setCentralWidget(self.panel)
        self.statusBar().hide()

    def closeEvent(self, event) -> None:
        self.panel.close()
        super().closeEvent(event)


class _StopOnClose(QObject):
    """Ends the panel's training when the window that holds its dock closes."""

    def __init__(self, panel: TrainingPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.panel.stop()
            self.panel.jobs.shutdown()
        return False


def open_dock(window: QMainWindow) -> QDockWidget:
    """Show the training panel as a dock of the editor's ``window`` (made on first use,
    floating at a comfortable size)."""
    dock = window.findChild(QDockWidget, "training")
    if dock is None:
        dock = QDockWidget("Training", window)
        dock.setObjectName("training")
        panel = TrainingPanel(None, dock)
        dock.setWidget(panel)
        window.installEventFilter(_StopOnClose(panel))
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.setFloating(True)
        dock.resize(1400, 900)
    dock.show()
    dock.raise_()
    return dock


def _app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("graphapp")
    return app


def run_window(setup: Setup, epochs: int = 0) -> int:
    """Open the panel in its own window on ``setup`` (after ``epochs`` epochs, trained in the
    background) and run until it is closed."""
    app = _app()
    window = TrainingWindow(setup)
    window.resize(1400, 900)
    window.show()
    if epochs:
        window.panel.session.send("train", epochs)
    return app.exec()


def screenshot(setup: Setup, epochs: int, out: Path, size: tuple[int, int] = (1400, 900),
               timeout: float = 600) -> int:
    """Train ``epochs`` epochs as the command line does (stopping early with the setup's
    patience), draw the panel offscreen and write it to ``out`` (PNG). Returns an exit code
    (1: not written or timed out)."""
    import time

    from graphapp.gui.qtlog import install_message_filter

    install_message_filter()
    app = _app()
    window = TrainingWindow(setup)
    window.resize(*size)
    window.show()
    panel = window.panel
    target = setup.epoch + epochs
    if epochs:
        panel.session.send("train", epochs)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        snap = panel.snapshot
        if snap is not None and snap.maps is not None and snap.maps.steps == snap.steps and (
                snap.epoch >= target or snap.diverged is not None or snap.stopped):
            break
        time.sleep(0.01)
    else:
        print(f"graphapp: training for the screenshot took over {timeout:.0f} s",
              file=sys.stderr)
        window.close()
        return 1
    panel.diagram.finish_wave()
    for _ in range(3):
        app.processEvents()
    ok = window.grab().save(str(out), "PNG")
    window.close()
    if not ok:
        print(f"graphapp: cannot write {out}", file=sys.stderr)
        return 1
    return 0



