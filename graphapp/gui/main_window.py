"""The main window: canvas in the middle, palette on the left, inspector and lesson on the
right, the expression bar on top, the status bar below; menus and toolbars for files, editing,
running the passes and stepping through them."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSlider,
    QStyle,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from graphapp.engine import Graph
from graphapp.engine.ops import CATEGORIES, iter_ops
from graphapp.formats import FormatError, GraphFile
from graphapp.formats.expr import lesson_of
from graphapp.formats.graphviz_export import DotMissing, export_graph
from graphapp.formats.io import load_graph, save_graph
from graphapp.formats.text import is_position
from graphapp.gui import commands
from graphapp.gui.canvas.scene import GraphScene, estimated_sizes
from graphapp.gui.canvas.view import GraphView
from graphapp.gui.document import Document
from graphapp.gui.edits import CLIP_MIME, add_node, copy_nodes, paste_nodes
from graphapp.gui.expression_bar import ExpressionBar
from graphapp.gui.files import Recent, Recovery
from graphapp.gui.inspector import Inspector
from graphapp.gui.jobs import Job, Jobs
from graphapp.gui.layout import (
    dot_available,
    dot_failure,
    fold,
    layered_layout,
    layout_work,
)
from graphapp.gui.op_popup import OpPopup
from graphapp.gui.palette import Palette
from graphapp.gui.stepper import Stepper
from graphapp.gui.theme import current_theme
from graphapp.gui.tooltips import show_shortcuts
from graphapp.paths import examples

__all__ = ["MainWindow"]

AUTOSAVE_MS = 30_000
FILE_FILTER = "Graphs (*.expr *.graph.json *.json);;Graph scripts (*.expr);;JSON graphs (*.json)"


def _export_failure(exc: Exception) -> str:
    if isinstance(exc, DotMissing | OSError | ValueError):
        return str(exc)
    return dot_failure(exc)


class MainWindow(QMainWindow):
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
        self.popup = OpPopup(self)
        self._popup_pos = QPointF()
        self.jobs = Jobs(self)
        self._dot_notice_shown = False
        self._example_name: str | None = None
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
        self.lesson = QTextBrowser(self)
        self.palette_dock = self._dock("Palette", "palette", self.palette,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspector", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.lesson_dock = self._dock("Lesson", "lesson", self.lesson,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.lesson_dock, self.inspector_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.lesson_dock, self.inspector_dock], [150, 600],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [190, 330],
                         Qt.Orientation.Horizontal)

        self.status_problem = QLabel(self)
        self.status_zoom = QLabel(self)
        self.busy = QProgressBar(self)  # shown, moving, while dot lays out a big graph
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.status_problem)
        self.statusBar().addPermanentWidget(self.status_zoom)

        self._make_actions()
        self._make_menus()
        self._make_toolbars()
        self._connect()
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave)
        self._autosave.start()
        self._restore_layout()
        self._update_title()
        self._update_status()

    # ----------------------------------------------------------------- construction
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> \
            QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str = "", checkable: bool = False) \
            -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _=False: slot())
        return action

    def _make_actions(self) -> None:
        key = QKeySequence.StandardKey
        a = self._action
        self.act_new = a("&New", self.new_document, key.New, "Start an empty graph")
        self.act_open = a("&Open…", self.open_dialog, key.Open, "Open an .expr or .graph.json")
        self.act_save = a("&Save", self.save, key.Save, "Save the graph")
        self.act_save_as = a("Save &As…", self.save_as, key.SaveAs, "Save under a new name")
        self.act_export = a("&Export Image…", self.export_dialog, QKeySequence("Ctrl+E"),
                            "Export SVG, PNG, PDF or dot with Graphviz")
        self.act_quit = a("&Quit", self.close, key.Quit)
        self.act_undo = self.doc.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts(key.Undo)
        self.act_redo = self.doc.undo_stack.createRedoAction(self, "&Redo")
        redo = QKeySequence.keyBindings(key.Redo)  # Ctrl+Shift+Z is one of them on Linux
        extra = QKeySequence("Ctrl+Shift+Z")
        self.act_redo.setShortcuts(redo + ([extra] if extra not in redo else []))
        self.act_cut = a("Cu&t", self.cut, key.Cut)
        self.act_copy = a("&Copy", self.copy, key.Copy)
        self.act_paste = a("&Paste", self.paste, key.Paste)
        self.act_duplicate = a("D&uplicate", self.duplicate, QKeySequence("Ctrl+D"))
        self.act_delete = a("&Delete", self.scene.delete_selection,
                            [QKeySequence(key.Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.act_rename = a("Re&name…", self.rename_selected, QKeySequence("F2"))
        self.act_select_all = a("Select &All", self._select_all, key.SelectAll)
        self.act_fit = a("&Fit Graph", self.view.fit, QKeySequence("F"), "Show the whole graph")
        self.act_fit.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.act_fit)
        self.act_zoom_in = a("Zoom &In", lambda: self.view.zoom_by(1.25),
                             [QKeySequence(key.ZoomIn), QKeySequence("Ctrl+=")])
        self.act_zoom_out = a("Zoom &Out", lambda: self.view.zoom_by(0.8), key.ZoomOut)
        self.act_labels = a("Edge &Labels", self.scene.set_show_labels, QKeySequence("Ctrl+L"),
                            "Show local derivative and carried gradient on every edge", True)
        self.act_labels.setChecked(True)
        self.act_layout = a("Auto &Layout", self.auto_layout, QKeySequence("Ctrl+Shift+L"),
                            "Arrange the graph with Graphviz dot")
        self.act_output = a("&Differentiate This", self.differentiate_selected,
                            QKeySequence("Ctrl+Shift+D"), "Make the selected node the output")
        self.act_group = a("&Group Selection…", self.group_selected, QKeySequence("Ctrl+G"),
                           "Fold the selected nodes into one box")
        self.act_ungroup = a("&Ungroup", self.ungroup_selected, QKeySequence("Ctrl+Shift+G"))
        self.act_forward = a("&Forward", self.forward_pass, QKeySequence("F5"),
                             "Compute every value")
        self.act_backward = a("&Backward", self.backward_pass, QKeySequence("F6"),
                              "Compute every gradient")
        self.act_auto = a("&Auto Recompute", self.doc.set_auto, None,
                          "Recompute values and gradients after every edit", True)
        self.act_auto.setChecked(True)
        self.act_step_mode = a("&Step Mode", self.toggle_step_mode, QKeySequence("Ctrl+B"),
                               "Walk through the pass one node at a time", True)
        self.act_step = a("Step &→", self.stepper.step_forward, QKeySequence("Ctrl+Right"),
                          "Next step")
        self.act_step_back = a("Step &←", self.stepper.step_back, QKeySequence("Ctrl+Left"),
                               "Previous step")
        self.act_restart = a("&Restart", self.stepper.restart, QKeySequence("Ctrl+Home"),
                             "Back to the first step")
        self.act_play = a("&Play", self.toggle_play, QKeySequence("Ctrl+Space"),
                          "Play the steps")
        self.act_shortcuts = a("&Keyboard Shortcuts", self.show_shortcuts)
        self.act_about = a("&About graphapp", self.show_about)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_new, self.act_open])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.examples_menu = file_menu.addMenu("E&xamples")
        self._fill_examples()
        file_menu.addSeparator()
        file_menu.addActions([self.act_save, self.act_save_as, self.act_export])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        self.recent_menu.aboutToShow.connect(self._fill_recent)

        edit = bar.addMenu("&Edit")
        edit.addActions([self.act_undo, self.act_redo])
        edit.addSeparator()
        edit.addActions([self.act_cut, self.act_copy, self.act_paste, self.act_duplicate,
                         self.act_delete, self.act_rename])
        edit.addSeparator()
        edit.addAction(self.act_select_all)
        add = edit.addMenu("Add &Node")
        for category in CATEGORIES:
            sub = add.addMenu(category)
            for spec in iter_ops(category):
                action = sub.addAction(f"{spec.symbol}  {spec.name}")
                action.setStatusTip(spec.description)
                action.triggered.connect(lambda _=False, op=spec.name: self.add_op(op))

        view = bar.addMenu("&View")
        view.addActions([self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_labels])
        view.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.lesson_dock):
            view.addAction(dock.toggleViewAction())

        graph = bar.addMenu("&Graph")
        graph.addActions([self.act_output, self.act_layout, self.act_group, self.act_ungroup])

        run = bar.addMenu("&Run")
        run.addActions([self.act_forward, self.act_backward, self.act_auto])
        run.addSeparator()
        run.addActions([self.act_step_mode, self.act_restart, self.act_step_back, self.act_step,
                        self.act_play])

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.act_shortcuts, self.act_about])

    def _make_toolbars(self) -> None:
        icon = self.style().standardIcon
        pix = QStyle.StandardPixmap
        for action, which in ((self.act_new, pix.SP_FileIcon),
                              (self.act_open, pix.SP_DialogOpenButton),
                              (self.act_save, pix.SP_DialogSaveButton),
                              (self.act_undo, pix.SP_ArrowBack),
                              (self.act_redo, pix.SP_ArrowForward),
                              (self.act_restart, pix.SP_MediaSkipBackward),
                              (self.act_step_back, pix.SP_MediaSeekBackward),
                              (self.act_step, pix.SP_MediaSeekForward),
                              (self.act_play, pix.SP_MediaPlay)):
            action.setIcon(icon(which))
        files = QToolBar("File", self)
        files.setObjectName("file-toolbar")
        files.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        files.addActions([self.act_new, self.act_open, self.act_save])
        files.addSeparator()
        files.addActions([self.act_undo, self.act_redo])
        self.addToolBar(files)

        run = QToolBar("Backprop", self)
        run.setObjectName("backprop-toolbar")
        run.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)  # text where no icon
        run.addActions([self.act_forward, self.act_backward, self.act_auto])
        run.addSeparator()
        self.pass_choice = QComboBox(self)
        self.pass_choice.addItems(["backward", "forward"])
        self.pass_choice.setToolTip("Which pass step mode walks through")
        run.addWidget(self.pass_choice)
        run.addActions([self.act_step_mode, self.act_restart, self.act_step_back, self.act_step,
                        self.act_play])
        self.speed = QSlider(Qt.Orientation.Horizontal, self)
        self.speed.setRange(1, 20)
        self.speed.setValue(4)
        self.speed.setFixedWidth(90)
        self.speed.setToolTip("Play speed (steps per second ÷ 2)")
        run.addWidget(QLabel(" speed ", self))
        run.addWidget(self.speed)
        self.step_label = QLabel(self)
        self.step_label.setMinimumWidth(80)
        run.addWidget(self.step_label)
        run.addSeparator()
        run.addActions([self.act_labels, self.act_layout, self.act_fit])
        self.addToolBar(run)
        show_shortcuts([*files.actions(), *run.actions()])

    def _connect(self) -> None:
        doc = self.doc
        doc.undo_stack.cleanChanged.connect(lambda _: self._update_title())
        doc.path_changed.connect(self._update_title)
        doc.results_changed.connect(self._update_status)
        doc.lesson_changed.connect(self._show_lesson)
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
        self.popup.chosen.connect(lambda op: self.add_op(op, self._popup_pos))
        self.inspector.message.connect(self.say)
        self.expression_bar.applied.connect(self._statement_applied)
        self.stepper.changed.connect(self._update_step_controls)
        self.view.zoom_changed.connect(lambda z: self.status_zoom.setText(f"{z * 100:.0f} %"))
        self.speed.valueChanged.connect(lambda v: self.stepper.set_speed(v / 2))
        self.pass_choice.currentTextChanged.connect(self.stepper.switch_mode)
        self.stepper.set_speed(self.speed.value() / 2)
        self._update_step_controls()

    # ----------------------------------------------------------------- state display
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

    def _show_lesson(self) -> None:
        # a comment header is hard-wrapped: rejoin its lines, keeping breaks after sentences
        text = ""
        for line in self.doc.lesson.strip().split("\n"):
            text += line if not text or text.endswith("\n") else " " + line
            if line.rstrip().endswith((".", ":")):
                text += "\n"
        text = text.strip()
        self.lesson.setPlainText(text or "This graph has no lesson text. An .expr file's "
                                         "comment header becomes its lesson.")

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

    def say(self, text: str, ms: int = 6000) -> None:
        """A message in the status bar."""
        self.statusBar().showMessage(text, ms)

    # ----------------------------------------------------------------- documents
    def load(self, doc: GraphFile, path: Path | None, example: str | None = None) -> None:
        """Show ``doc``; ``path`` is where Save writes (``None`` for new or example copies)."""
        self.stepper.stop()
        self._example_name = example
        needs_layout = any(not is_position(doc.graph.attr(n, "pos")) for n in doc.graph)
        sizes = estimated_sizes(doc.graph) if needs_layout else {}
        if needs_layout:  # an interim layout without overlaps, shown while dot works
            doc.graph.update_many_attrs({node: {"pos": [round(x, 1), round(y, 1)]}
                                         for node, (x, y) in layered_layout(doc.graph,
                                                                            sizes).items()})
        self.jobs.cancel("layout")  # a layout of the previous document
        self.busy.hide()
        if needs_layout and len(doc.graph):
            # dot starts first and runs in its thread while the cards are built
            self.start_layout(undoable=False, graph=doc.graph, sizes=sizes)
        self.doc.load(doc, path)
        self._update_title()

    def open_path(self, path: Path) -> bool:
        """Open a file; on error show ``FILE:LINE: message`` and keep the current document."""
        try:
            doc = load_graph(path)
        except FormatError as exc:
            self.error("Cannot open this file", str(exc))
            return False
        if not self.maybe_save():
            return False
        self.load(doc, path)
        self.recent.add(path)
        self.say(f"Opened {path}")
        return True

    def open_example(self, path: Path) -> None:
        """Open a bundled example as an untitled copy (Save asks where)."""
        if not self.maybe_save():
            return
        try:
            doc = load_graph(path)
        except FormatError as exc:
            self.error("Cannot open this example", str(exc))
            return
        self.load(doc, None, example=path.stem)

    def new_document(self) -> None:
        """An empty graph."""
        if self.maybe_save():
            self.load(GraphFile(Graph()), None)

    def open_dialog(self) -> None:
        """Ask for a file and open it."""
        start = str(self.doc.path.parent) if self.doc.path else ""
        name, _ = QFileDialog.getOpenFileName(self, "Open graph", start, FILE_FILTER)
        if name:
            self.open_path(Path(name))

    def save(self) -> bool:
        """Save to the current file (or ask where)."""
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        suggestion = str(self.doc.path or Path.home() / f"{self._example_name or 'graph'}"
                                                          ".graph.json")
        name, chosen = QFileDialog.getSaveFileName(self, "Save graph", suggestion, FILE_FILTER)
        if not name:
            return False
        path = Path(name)
        if not (path.name.endswith(".json") or path.name.endswith(".expr")):
            path = path.with_name(path.name + (".expr" if "expr" in chosen and "JSON" not in
                                               chosen else ".graph.json"))
        return self.save_to(path)

    def save_to(self, path: Path) -> bool:
        """Write the document (atomically) and mark it clean."""
        try:
            save_graph(self.doc.to_file(), path)
        except (OSError, ValueError) as exc:
            self.error("Cannot save", f"{path}: {exc}")
            return False
        self.doc.set_path(path)
        self._example_name = None
        self.doc.undo_stack.setClean()
        self.recent.add(path)
        self.recovery.discard()
        self.say(f"Saved {path}")
        self._update_title()
        return True

    def maybe_save(self) -> bool:
        """Before closing or replacing a modified document: Save, Discard or Cancel."""
        if not self.doc.modified or not self.ask:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "The graph has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def error(self, title: str, text: str) -> None:
        """Tell the user something failed (a dialog; the status bar when not asking)."""
        self.say(text, 15000)
        if self.ask:
            QMessageBox.critical(self, title, text)

    def export_dialog(self) -> None:
        """Export a picture through the same exporter as ``graphapp export``."""
        base = self.doc.path.with_suffix("").with_suffix("") if self.doc.path else \
            Path.home() / (self._example_name or "graph")
        name, _ = QFileDialog.getSaveFileName(
            self, "Export image", str(base) + ".svg",
            "SVG (*.svg);;PNG (*.png);;PDF (*.pdf);;Graphviz (*.dot)")
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> Job | None:
        """Export in a background job (dot can take seconds); the status bar reports."""
        results = self.doc.results
        if results.forward is None:
            self.say(f"Export failed: {results.problem or 'nothing to draw'}")
            return None
        doc = self.doc.to_file()
        doc.graph = doc.graph.copy()
        fwd, back = results.forward, results.backward
        job = self.jobs.start("export", lambda ctx: export_graph(doc, path, fwd, back,
                                                                 run=ctx.run), _export_failure)
        job.finished.connect(lambda _: self.say(f"Exported {path}"))
        job.failed.connect(lambda why: self.say(f"Export failed: {why}"))
        self.say(f"Exporting {path.name}…")
        return job

    def autosave(self) -> None:
        """Write unsaved work to the recovery file (every 30 s)."""
        if self.doc.modified:
            try:
                self.recovery.save(self.doc.to_file(), self.doc.path)
            except OSError as exc:
                self.say(f"Autosave failed: {exc}")

    def offer_recovery(self) -> bool:
        """After a crash: offer to restore the autosaved work. True if restored."""
        if not self.recovery.exists():
            return False
        try:
            doc, origin = self.recovery.load()
        except (FormatError, OSError):
            self.recovery.discard()
            return False
        if self.ask:
            answer = QMessageBox.question(
                self, "Restore unsaved work?",
                "graphapp did not close normally last time. Restore the unsaved graph"
                + (f" from {origin}" if origin else "") + "?")
            if answer != QMessageBox.StandardButton.Yes:
                self.recovery.discard()
                return False
        self.load(doc, origin)
        self.doc.undo_stack.resetClean()  # restored work is unsaved
        self._update_title()
        self.say("Restored unsaved work from the recovery file")
        return True

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for path in paths:
            action = self.recent_menu.addAction(path.name)
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not paths:
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear", self.recent.clear)

    def _fill_examples(self) -> None:
        for path in examples():
            lesson = lesson_of(path.read_text(encoding="utf-8"))
            action = self.examples_menu.addAction(path.stem.replace("_", " "))
            action.setStatusTip(lesson.split("\n")[0])
            action.setToolTip(lesson)
            action.triggered.connect(lambda _=False, p=path: self.open_example(p))
        self.examples_menu.setToolTipsVisible(True)

    # ----------------------------------------------------------------- editing
    def _view_centre(self) -> QPointF:
        return self.view.mapToScene(self.view.viewport().rect().center())

    def add_op(self, op: str, pos: QPointF | None = None) -> str:
        """Add a node (from the palette, the popup or a drop) and select it."""
        if pos is None:
            pos = self._view_centre() - QPointF(78, 34)
        node = add_node(self.doc, op, pos)
        self.select([node])
        return node

    def select(self, nodes: list[str]) -> None:
        """Select exactly these nodes."""
        self.scene.clearSelection()
        for node in nodes:
            item = self.scene.nodes.get(node)
            if item is not None:
                item.setSelected(True)

    def _select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def _selection_changed(self) -> None:
        if not shiboken6.isValid(self.scene):  # the scene is being destroyed with the window
            return
        nodes = self.scene.selected_nodes()
        self.inspector.show_node(nodes[0] if len(nodes) == 1 else None)

    def _open_popup_at_scene(self, scene_pos: QPointF) -> None:
        self._popup_pos = scene_pos - QPointF(78, 12)
        self.popup.open_at(self.view.mapToGlobal(self.view.mapFromScene(scene_pos)))

    def _dropped_on_canvas(self, src: str, pos: QPointF) -> None:
        self.say(f"Drop {src}'s output on an input port (or on a node) to connect it")

    def edit_node(self, node: str) -> None:
        """Double-click: edit an input's value in place, or inspect a computed node."""
        self.select([node])
        spec = self.doc.graph.op(node)
        if spec.is_leaf:
            self.inspector_dock.show()
            self.inspector.value_edit.setFocus()
            self.inspector.value_edit.selectAll()

    def rename_selected(self) -> None:
        """Rename the selected node."""
        nodes = self.scene.selected_nodes()
        if len(nodes) != 1:
            self.say("Select one node to rename")
            return
        new, ok = QInputDialog.getText(self, "Rename", "New name:", text=nodes[0])
        new = new.strip()
        if ok and new and new != nodes[0]:
            if new in self.doc.graph:
                self.say(f"{new!r} is taken")
                return
            self.doc.undo_stack.push(commands.Rename(self.doc, nodes[0], new))

    def differentiate_selected(self) -> None:
        """Make the selected node the output."""
        nodes = self.scene.selected_nodes()
        if len(nodes) == 1:
            self.doc.undo_stack.push(commands.SetOutput(self.doc, nodes[0]))

    def copy(self) -> None:
        """Copy the selected nodes (and the edges among them)."""
        nodes = self.scene.selected_nodes()
        if not nodes:
            return
        from PySide6.QtCore import QMimeData

        text = copy_nodes(self.doc, nodes)
        mime = QMimeData()
        mime.setData(CLIP_MIME, text.encode())
        mime.setText(text)
        QGuiApplication.clipboard().setMimeData(mime)
        self.say(f"Copied {len(nodes)} node(s)")

    def cut(self) -> None:
        """Copy, then delete."""
        if self.scene.selected_nodes():
            self.copy()
            self.scene.delete_selection()

    def paste(self) -> None:
        """Paste copied nodes, shifted so they do not cover the originals."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return
        text = bytes(mime.data(CLIP_MIME)).decode() if mime.hasFormat(CLIP_MIME) else mime.text()
        new = paste_nodes(self.doc, text, QPointF(40, 40))
        if new:
            self.select(new)
        elif text.strip() and "=" in text:  # a statement: apply it as if typed
            self.expression_bar.edit.setText(text.strip().split("\n")[0])
            self.expression_bar.apply()

    def duplicate(self) -> None:
        """Copy and paste in one go."""
        nodes = self.scene.selected_nodes()
        if nodes:
            new = paste_nodes(self.doc, copy_nodes(self.doc, nodes), QPointF(40, 40))
            self.select(new)

    def group_selected(self) -> None:
        """Fold the selected nodes into one named box."""
        nodes = self.scene.selected_nodes()
        if len(nodes) < 2:
            self.say("Select two or more nodes to group")
            return
        k = 1
        while f"group{k}" in self.doc.groups:
            k += 1
        name = f"group{k}"
        if self.ask:
            name, ok = QInputDialog.getText(self, "Group", "Group name:", text=name)
            if not ok or not name.strip():
                return
            name = name.strip()
        self.doc.undo_stack.push(commands.SetGroup(self.doc, nodes, name,
                                                   {"collapsed": True}))

    def ungroup_selected(self) -> None:
        """Dissolve the groups of the selected nodes."""
        nodes = self.scene.selected_nodes()
        members = [n for n, d in self.doc.graph.nx.nodes(data=True)
                   if d.get("group") and d.get("group") in
                   {self.doc.graph.attrs(s).get("group") for s in nodes}]
        if members:
            self.doc.undo_stack.push(commands.SetGroup(self.doc, members, None))

    def _statement_applied(self, name: str) -> None:
        if name in self.scene.nodes:
            self.select([name])
            self.view.ensureVisible(self.scene.nodes[name], 80, 80)

    def _context_menu(self, node: str, scene_pos: QPointF, global_pos) -> None:
        menu = QMenu(self)
        if node.startswith("group:"):
            name = node.split(":", 1)[1]
            menu.addAction("Unfold Group", lambda: self.doc.undo_stack.push(
                commands.SetGroupInfo(self.doc, name, collapsed=False)))
            members = self.scene.members().get(name, [])
            menu.addAction("Ungroup", lambda: self.doc.undo_stack.push(
                commands.SetGroup(self.doc, members, None)))
        elif node:
            if node not in self.scene.selected_nodes():
                self.select([node])
            menu.addAction(self.act_output)
            menu.addAction(self.act_rename)
            menu.addSeparator()
            menu.addActions([self.act_copy, self.act_cut, self.act_duplicate, self.act_delete])
            menu.addSeparator()
            menu.addActions([self.act_group, self.act_ungroup])
            group = self.doc.graph.attrs(node).get("group")
            if group and not self.scene.folded(group):
                menu.addAction(f"Fold {group}", lambda: self.doc.undo_stack.push(
                    commands.SetGroupInfo(self.doc, group, collapsed=True)))
        else:
            add = menu.addMenu("Add Node")
            for category in CATEGORIES:
                sub = add.addMenu(category)
                for spec in iter_ops(category):
                    action = sub.addAction(f"{spec.symbol}  {spec.name}")
                    action.triggered.connect(
                        lambda _=False, op=spec.name: self.add_op(op, scene_pos))
            menu.addAction(self.act_paste)
            menu.addSeparator()
            menu.addActions([self.act_layout, self.act_fit, self.act_labels])
        menu.exec(global_pos)

    # ----------------------------------------------------------------- layout
    def start_layout(self, undoable: bool = True, graph: Graph | None = None,
                     sizes: dict | None = None) -> Job | None:
        """Arrange with dot in the background (layered layout when dot is missing)."""
        graph = graph or self.doc.graph
        if not dot_available():
            positions = layered_layout(graph, sizes or self.scene.layout_sizes())
            if graph is self.doc.graph:
                self._apply_positions(positions, undoable)
            if not self._dot_notice_shown:
                self._dot_notice_shown = True
                self.say("Graphviz's dot is not installed: using a simple layered layout "
                         "(install graphviz for nicer layouts)", 12000)
            return None
        if self._layout_job is not None:
            return self._layout_job
        job = self.jobs.start("layout", layout_work(graph, sizes or self.scene.layout_sizes()),
                              dot_failure)
        structure = graph.structure_version
        job.finished.connect(lambda pos: self._layout_finished(pos, undoable, structure))
        job.failed.connect(self._layout_failed)
        job.cancelled.connect(self.busy.hide)
        self.say(f"Laying out {len(graph)} nodes with dot…", 0)
        self.busy.show()
        return job

    @property
    def _layout_job(self) -> Job | None:
        """The layout running in the background, if any."""
        running = self.jobs.running("layout")
        return running[0] if running else None

    def auto_layout(self) -> None:
        """The Auto Layout action (one undo step)."""
        self.start_layout(undoable=True)

    def _layout_finished(self, positions: dict, undoable: bool, structure: int) -> None:
        self.busy.hide()
        if self.doc.graph.structure_version != structure:
            self.say("The graph changed during layout; run Auto Layout again")
            return
        # fold a layout too wide for the view into bands, so it fits at a readable zoom
        viewport = self.view.viewport()
        positions = fold(positions, self.scene.layout_sizes(), viewport.width(),
                         viewport.height(), self.view.min_fit_zoom)
        self._apply_positions(positions, undoable)
        self.say("Layout done", 3000)

    def _layout_failed(self, message: str) -> None:
        self.busy.hide()
        self._apply_positions(layered_layout(self.doc.graph, self.scene.layout_sizes()), False)
        self.say(f"Graphviz could not lay out this graph ({message}); using the layered "
                 "layout instead", 15000)

    def _apply_positions(self, positions: dict, undoable: bool) -> None:
        g = self.doc.graph
        moves = {}
        for node, (x, y) in positions.items():
            if node in g:
                new = [round(float(x), 1), round(float(y), 1)]
                moves[node] = (g.attrs(node).get("pos"), new)
        if undoable and moves:
            self.doc.undo_stack.push(commands.MoveNodes(self.doc, moves))
        else:
            g.update_many_attrs({node: {"pos": new} for node, (_, new) in moves.items()})
        self.view.fit()
        self.layout_done.emit()

    def _after_reset(self) -> None:
        self.view.resetTransform()
        QTimer.singleShot(0, self.view.fit)
        self._show_lesson()
        self._update_status()

    # ----------------------------------------------------------------- running
    def forward_pass(self) -> None:
        """Compute values now (and gradients)."""
        self.doc.recompute()
        self.say("Values computed", 2000)

    def backward_pass(self) -> None:
        """Compute gradients now."""
        self.doc.recompute()
        self.say("Gradients computed", 2000)

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

