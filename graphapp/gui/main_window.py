"""The main window: canvas in the middle, palette on the left, inspector and lesson on the
right, the expression bar on top, the status bar below; menus and toolbars from one table
(:mod:`graphapp.gui.actions`).

Its parts: :mod:`.file_ops` (open, save, export, autosave, recovery), :mod:`.edit_ops`
(adding, clipboard, groups, context menus), :mod:`.arrange` (Auto Layout as a background job).
Background work goes through ``window.jobs`` (:mod:`graphapp.gui.jobs`); closing the window
ends it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSlider,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from graphapp.gui import actions
from graphapp.gui.arrange import Arrange
from graphapp.gui.canvas.scene import GraphScene
from graphapp.gui.canvas.view import GraphView
from graphapp.gui.document import Document
from graphapp.gui.edit_ops import EditOps
from graphapp.gui.edits import CLIP_MIME
from graphapp.gui.expression_bar import ExpressionBar
from graphapp.gui.file_ops import AUTOSAVE_MS, FileOps
from graphapp.gui.files import Recent, Recovery
from graphapp.gui.inspector import Inspector
from graphapp.gui.jobs import Jobs
from graphapp.gui.lesson import LessonView
from graphapp.gui.palette import Palette
from graphapp.gui.stepper import Stepper
from graphapp.gui.theme import current_theme

if TYPE_CHECKING:
    from graphapp.gui.op_popup import OpPopup

__all__ = ["MainWindow"]


class MainWindow(FileOps, EditOps, Arrange, QMainWindow):
    """One document in one window."""

    #: Emitted when a background layout has been applied (tests and screenshots wait on it).
    layout_done = Signal()

    def __init__(self, settings: QSettings | None = None, recovery: Recovery | None = None,
                 ask: bool = True) -> None:
        super().__init__()
        self.settings = settings or QSettings("graphapp", "graphapp")
        self.recent = Recent(self.settings)
        self.recovery = recovery or Recovery()
        self.ask = ask  # False in tests and screenshots: never block on a dialog
        self.doc = Document(self)
        self.stepper = Stepper(self.doc, self)
        self.scene = GraphScene(self.doc, self.stepper)
        self.view = GraphView(self.scene, self)
        self._popup: OpPopup | None = None  # the Tab search box, made on first use
        self._popup_pos = QPointF()
        self.jobs = Jobs(self)
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)

        self.expression_bar = ExpressionBar(self.doc, self._view_centre, self)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.expression_bar)
        column.addWidget(self.view, 1)
        self.setCentralWidget(central)

        self.palette = Palette(self)
        self.inspector = Inspector(self.doc, self.scene, self.stepper, self)
        self.lesson = LessonView(self.doc, self.stepper, self.scene, self)
        self.palette_dock = self._dock("Palette", "palette", self.palette,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspector", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.lesson_dock = self._dock("Lesson", "lesson", self.lesson,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.lab_docks = self._lab_docks()
        self.splitDockWidget(self.lesson_dock, self.inspector_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.lesson_dock, self.inspector_dock], [330, 420],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [190, 330],
                         Qt.Orientation.Horizontal)

        self.status_problem = QLabel(self)
        self.status_zoom = QLabel(self)
        self.busy = QProgressBar(self)  # shown, moving, while dot lays out a big graph
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        # shown while an export or a layout runs: stops it (and kills its dot)
        self.stop_button = QToolButton(self)
        self.stop_button.setText("Cancel")
        self.stop_button.setToolTip("Stop the export or layout that is running")
        self.stop_button.clicked.connect(self.cancel_jobs)
        self.stop_button.hide()
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.stop_button)
        self.statusBar().addPermanentWidget(self.status_problem)
        self.statusBar().addPermanentWidget(self.status_zoom)

        actions.install(self)
        self._connect()
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave)
        self._autosave.start()
        self._restore_layout()
        self._update_title()
        self._update_status()

    # ----------------------------------------------------------------- construction
    @property
    def popup(self) -> OpPopup:
        """The op search box (Tab, double-click on the canvas): made when first opened, not
        with the window (the first frame does not show it)."""
        if self._popup is None:
            from graphapp.gui.op_popup import OpPopup

            self._popup = OpPopup(self)
            self._popup.chosen.connect(lambda op: self.add_op(op, self._popup_pos))
        return self._popup

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> \
            QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _lab_docks(self) -> dict[str, QDockWidget]:
        """The derivative lab's docks (:data:`graphapp.gui.lab.DOCKS`), hidden until asked;
        each builds its view when first shown (:class:`~graphapp.gui.lab.dock.LabDock`)."""
        from graphapp.gui.lab import DOCKS, view_class
        from graphapp.gui.lab.dock import LabDock

        docks = {}
        for title, name, module, cls in DOCKS:
            def make(module: str = module, cls: str = cls) -> QWidget:
                return view_class(module, cls)(self.doc, self)

            dock = LabDock(title, make, self)
            dock.setObjectName(name)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            dock.hide()
            docks[name] = dock
        return docks

    def lab_view(self, name: str) -> QWidget:
        """The view of lab dock ``name`` (``"lab-check"``), built if it was not yet."""
        return self.lab_docks[name].widget()

    def show_lab(self, name: str) -> None:
        """Show lab dock ``name`` (the Run menu's items and View ▸ Lab alike). It is placed at
        once, not animated, so that the canvas shrinks before a fit (a file opened on its quiz)
        rather than after it; when the dock took the graph's bottom out of view, the canvas
        fits the whole graph again."""
        dock = self.lab_docks[name]
        options = self.dockOptions()
        self.setDockOptions(options & ~QMainWindow.DockOption.AnimatedDocks)
        dock.widget()  # built first, so that its size is known when the dock is placed
        dock.show()
        dock.raise_()
        self.layout().activate()
        self.centralWidget().layout().activate()
        self.setDockOptions(options)
        view = self.view
        if not view.mapToScene(view.viewport().rect()).boundingRect().contains(
                self.scene.graph_rect()):
            view.fit()  # the dock took the canvas's bottom: show the whole graph again

    def gradient_check_over_h(self) -> None:
        """Run ▸ Gradient Check over h: show the lab's check dock and check now."""
        self.show_lab("lab-check")
        self.lab_view("lab-check").run_now()

    def function_plot(self) -> None:
        """Run ▸ Function Plot: show the lab's function plot dock."""
        self.show_lab("lab-plot")

    def open_quiz(self) -> None:
        """Run ▸ Quiz: show the lab's quiz dock."""
        self.show_lab("lab-quiz")

    def _docks_part(self, menu: QMenu) -> None:
        for dock in (self.palette_dock, self.inspector_dock, self.lesson_dock):
            menu.addAction(dock.toggleViewAction())
        lab = menu.addMenu("&Lab")
        for name, dock in self.lab_docks.items():
            lab.addAction(self._lab_toggle(name, dock))

    def _lab_toggle(self, name: str, dock: QDockWidget) -> QAction:
        """View ▸ Lab's item for one dock: ticked while it is shown, like the dock's own
        toggle, but it shows the dock as the Run menu does (:meth:`show_lab`)."""
        own = dock.toggleViewAction()
        action = QAction(own.text(), self)
        action.setCheckable(True)
        action.setChecked(own.isChecked())
        own.toggled.connect(action.setChecked)
        action.triggered.connect(lambda on: self.show_lab(name) if on else dock.hide())
        return action

    def _pass_choice_part(self, bar: QToolBar) -> None:
        self.pass_choice = QComboBox(self)
        self.pass_choice.addItems(["backward", "forward"])
        self.pass_choice.setToolTip("Which pass step mode walks through")
        bar.addWidget(self.pass_choice)

    def _speed_part(self, bar: QToolBar) -> None:
        self.speed = QSlider(Qt.Orientation.Horizontal, self)
        self.speed.setRange(1, 20)
        self.speed.setValue(4)
        self.speed.setFixedWidth(90)
        self.speed.setToolTip("Play speed (steps per second ÷ 2)")
        bar.addWidget(QLabel(" speed ", self))
        bar.addWidget(self.speed)

    def _step_label_part(self, bar: QToolBar) -> None:
        self.step_label = QLabel(self)
        self.step_label.setMinimumWidth(80)
        bar.addWidget(self.step_label)

    def _connect(self) -> None:
        doc = self.doc
        # a bound method, not a lambda: Qt drops it with the window, so the undo stack's
        # last cleanChanged (sent while the window is being destroyed) reaches nothing
        doc.undo_stack.cleanChanged.connect(self._clean_changed)
        doc.path_changed.connect(self._update_title)
        doc.results_changed.connect(self._update_status)
        self.lesson.achieved.connect(self._prompt_achieved)
        doc.reset.connect(self._after_reset)
        self.scene.message.connect(self.say)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.node_double_clicked.connect(self.edit_node)
        self.scene.canvas_double_clicked.connect(self._open_popup_at_scene)
        self.scene.dropped_on_canvas.connect(self._dropped_on_canvas)
        self.view.search_requested.connect(self._open_popup_at_scene)
        self.view.op_dropped.connect(lambda op, pos: self.add_op(op, pos))
        self.view.context_menu.connect(self._context_menu)
        self.palette.op_chosen.connect(lambda op: self.add_op(op))
        self.inspector.message.connect(self.say)
        self.expression_bar.applied.connect(self._statement_applied)
        self.stepper.changed.connect(self._update_step_controls)
        self.view.zoom_changed.connect(lambda z: self.status_zoom.setText(f"{z * 100:.0f} %"))
        self.speed.valueChanged.connect(lambda v: self.stepper.set_speed(v / 2))
        self.pass_choice.currentTextChanged.connect(self.stepper.switch_mode)
        self.stepper.set_speed(self.speed.value() / 2)
        self._update_step_controls()

    # ----------------------------------------------------------------- state display
    def _clean_changed(self, clean: bool) -> None:
        if clean:  # back at the saved state (a save, or undo): nothing to recover
            self.recovery.discard()
        self._update_title()

    def _update_title(self) -> None:
        if self.doc.path is not None:
            name = self.doc.path.name
        elif self._example_name:
            name = f"{self._example_name} (example)"
        else:
            name = "Untitled"
        self.setWindowTitle(f"{name}[*] — graphapp")
        self.setWindowModified(self.doc.modified)

    def _update_status(self) -> None:
        results = self.doc.results
        out = self.doc.output
        parts = []
        if out is not None and results.forward is not None and out in results.forward.plan.index:
            from graphapp.gui.explain import num

            parts.append(f"output {out} = {num(results.value(out), 8)}")
        if results.problem:
            parts.append(f"⚠ {results.problem}")
        if results.stale:
            parts.append("gradients out of date — press Backward (F6)")
        self.status_problem.setText("   ".join(parts))
        self.status_zoom.setText(f"{self.view.zoom * 100:.0f} %")

    def _update_step_controls(self) -> None:
        state = self.stepper.state
        active = state.active
        self.act_step_mode.blockSignals(True)
        self.act_step_mode.setChecked(active)
        self.act_step_mode.blockSignals(False)
        for action in (self.act_step, self.act_step_back, self.act_restart, self.act_play):
            action.setEnabled(active)
        self.act_play.setText("&Pause" if self.stepper.playing else "&Play")
        self.step_label.setText(f"  step {state.index}/{state.total}" if active else "")
        if active and state.current is not None and state.current.node in self.scene.nodes:
            # show the current node with the nodes its edges reach (inputs it sends to, or
            # reads from), so the highlighted edges are on screen
            g = self.doc.graph
            near = [state.current.node, *(s for s in g.inputs(state.current.node) if s)]
            rect = self.scene.nodes[near[0]].sceneBoundingRect()
            for node in near[1:]:
                item = self.scene.nodes.get(node)
                if item is not None and item.isVisible():
                    rect = rect.united(item.sceneBoundingRect())
            self.view.ensureVisible(rect, 40, 40)

    def _prompt_achieved(self, text: str) -> None:
        self.say(f"✓ Done: {text}")

    def say(self, text: str, ms: int = 6000) -> None:
        """A message in the status bar."""
        self.statusBar().showMessage(text, ms)

    def _after_reset(self) -> None:
        self.view.resetTransform()
        if self.doc.quiz is not None:  # a file handed out as an exercise opens on its quiz
            self.open_quiz()  # first: the fit below is for the canvas the dock leaves
        QTimer.singleShot(0, self.view.fit)
        self._update_status()

    # ----------------------------------------------------------------- running
    def run_pass(self, which: str) -> None:
        """Forward or Backward (F5, F6): compute values and gradients now."""
        self.doc.recompute()
        self.say("Values computed" if which == "forward" else "Gradients computed", 2000)

    def toggle_step_mode(self, on: bool) -> None:
        """Enter or leave step mode for the pass chosen in the toolbar."""
        if on:
            if self.doc.results.forward is None:
                self.say(f"Nothing to step through: {self.doc.results.problem}")
                self.act_step_mode.setChecked(False)
                return
            self.stepper.start(self.pass_choice.currentText())
            self.inspector_dock.show()
        else:
            self.stepper.stop()

    def toggle_play(self) -> None:
        """Play or pause the steps."""
        if self.stepper.playing:
            self.stepper.pause()
        else:
            self.stepper.play()

    def open_training(self) -> None:
        """Show the training panel (a floating dock, made on first use). Looked up by name:
        the training package uses the editor ("Open in the editor"), so the editor's module
        does not import it."""
        import importlib

        importlib.import_module("graphapp.gui.training.window").open_dock(self)

    # ----------------------------------------------------------------- help
    def show_shortcuts(self) -> None:
        """List the keyboard shortcuts."""
        text = ("<table>"
                "<tr><td>Tab / double-click canvas</td><td>add a node at the cursor</td></tr>"
                "<tr><td>drag output port → input port</td><td>connect</td></tr>"
                "<tr><td>Del, Backspace</td><td>delete selection</td></tr>"
                "<tr><td>Ctrl+C / X / V / D</td><td>copy, cut, paste, duplicate</td></tr>"
                "<tr><td>Ctrl+Z, Ctrl+Shift+Z</td><td>undo, redo</td></tr>"
                "<tr><td>F2</td><td>rename</td></tr>"
                "<tr><td>F, wheel, Ctrl +/−</td><td>fit, zoom</td></tr>"
                "<tr><td>middle drag, Space+drag</td><td>pan</td></tr>"
                "<tr><td>F5 / F6</td><td>forward / backward pass</td></tr>"
                "<tr><td>Ctrl+B, Ctrl+→/←, Ctrl+Space</td><td>step mode, step, play</td></tr>"
                "<tr><td>Ctrl+L</td><td>edge labels</td></tr>"
                "<tr><td>Ctrl+G</td><td>group selection</td></tr></table>")
        QMessageBox.information(self, "Keyboard shortcuts", text)

    def show_about(self) -> None:
        """About box."""
        from graphapp import __version__

        QMessageBox.about(self, "About graphapp",
                          f"<b>graphapp {__version__}</b><br>A desktop lab for the chain rule: "
                          "values forward, gradients backward, edge by edge.")

    # ----------------------------------------------------------------- window
    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        state = self.settings.value("state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        self.settings.sync()
        self.recovery.discard()
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasFormat(CLIP_MIME):
            # copied nodes are for graphapp only; left on the clipboard, Qt's teardown at exit
            # crashes on some platforms (offscreen, seen here)
            clipboard.clear()
        self.jobs.shutdown(30)  # cancels layouts and exports, kills their dot
        event.accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            theme = current_theme()
            if theme.dark != self.scene.theme.dark:
                self.scene.set_theme(theme)
        super().changeEvent(event)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_path(Path(url.toLocalFile()))
                break

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.view.fit)

