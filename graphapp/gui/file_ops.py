"""File operations of the window: open, save, examples, recent files, export, autosave and
recovery after a crash. Bad files end in a one-line message (``FILE:LINE:COL: ...``) and the
current document stays as it was.

:class:`FileOps` is a part of :class:`~graphapp.gui.main_window.MainWindow`; it uses the
window's ``doc``, ``recent``, ``recovery``, ``jobs``, ``ask`` and ``say``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from graphapp.engine import Graph, gradcheck
from graphapp.formats import FormatError, GraphFile
from graphapp.formats.expr import lesson_of, unfinished
from graphapp.formats.io import load_graph, save_graph
from graphapp.formats.text import is_position
from graphapp.gui.canvas.scene import estimated_sizes
from graphapp.gui.jobs import Job
from graphapp.gui.layout import dot_failure, layered_layout
from graphapp.paths import examples

__all__ = ["AUTOSAVE_MS", "FILE_FILTER", "FileOps"]

AUTOSAVE_MS = 30_000
FILE_FILTER = "Graphs (*.expr *.graph.json *.json);;Graph scripts (*.expr);;JSON graphs (*.json)"


def _export_failure(exc: Exception) -> str:
    from graphapp.formats.graphviz_export import DotMissing

    if isinstance(exc, DotMissing | OSError | ValueError):
        return str(exc)
    return dot_failure(exc)


class FileOps:
    """Documents in and out of the window (a part of ``MainWindow``)."""

    _example_name: str | None = None

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
            doc = load_graph(path, unfinished=True)
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
            doc = load_graph(path, unfinished=True)
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
        """Write the document (atomically) and mark it clean. A graph that an ``.expr``
        script cannot hold (an empty input slot) is offered as ``.graph.json`` instead."""
        problem = unfinished(self.doc.graph) if path.suffix == ".expr" else ""
        if problem:
            other = path.with_suffix(".graph.json")
            if self.ask and QMessageBox.question(
                    self, "Save as .graph.json?",
                    f"{problem}.\n\nSave as {other.name} instead?") == \
                    QMessageBox.StandardButton.Yes:
                return self.save_to(other)
            self.say(f"Not saved: {problem}", 15000)
            return False
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
        from graphapp.formats.graphviz_export import export_graph  # on first export

        doc = self.doc.to_file()
        doc.graph = doc.graph.copy()
        fwd, back = results.forward, results.backward
        hidden = self.doc.quiz_hidden() if self.doc.quiz is not None else None  # as shown
        job = self.jobs.start("export", lambda ctx: export_graph(doc, path, fwd, back,
                                                                 run=ctx.run, hidden=hidden),
                              _export_failure)
        job.finished.connect(lambda _: self.say(f"Exported {path}"))
        job.failed.connect(lambda why: self.say(f"Export failed: {why}", 15000))
        job.cancelled.connect(lambda: self.say(f"Export of {path.name} cancelled"))
        job.ended.connect(self._job_ended)
        # the message stays, with the moving bar and Cancel, until dot is done
        self.say(f"Exporting {path.name} with Graphviz dot… (Cancel stops it)", 0)
        self.busy.show()
        self.stop_button.show()
        return job

    def save_copy_dialog(self) -> None:
        """Convert: write a copy in the format the name says; the document stays where it is."""
        base = self.doc.path.with_suffix("").with_suffix("") if self.doc.path else \
            Path.home() / (self._example_name or "graph")
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy", str(base) + ".expr",
                                              FILE_FILTER)
        if name:
            self.save_copy(Path(name))

    def save_copy(self, path: Path) -> bool:
        """Write the graph to ``path`` (.expr or .graph.json) without adopting it."""
        problem = unfinished(self.doc.graph) if path.suffix == ".expr" else ""
        if problem:
            self.error("Cannot convert", f"{path.name}: {problem}")
            return False
        try:
            save_graph(self.doc.to_file(), path)
        except (OSError, ValueError) as exc:
            self.error("Cannot convert", f"{path}: {exc}")
            return False
        self.say(f"Wrote a copy to {path}")
        return True

    def check_gradients(self) -> Job | None:
        """What ``graphapp check`` does: backprop against central finite differences for
        every input element, in a background job; the table is shown when it is done."""
        results = self.doc.results
        out = self.doc.output
        if results.backward is None or out is None:
            self.say(f"Nothing to check: {results.problem or 'no gradients'}")
            return None
        graph = self.doc.graph.copy()
        job = self.jobs.start("check", lambda ctx: gradcheck(graph, out), str)
        job.finished.connect(self._show_check)
        job.failed.connect(lambda why: self.say(f"Check failed: {why}", 15000))
        self.say("Checking gradients against finite differences…", 0)
        return job

    def _show_check(self, rows: list) -> None:
        bad = sum(not r.ok for r in rows)
        summary = (f"All {len(rows)} gradients agree with the finite-difference slopes"
                   if not bad else f"{bad} of {len(rows)} gradients disagree")
        self.say(summary, 15000)
        if self.ask:
            from graphapp.formats.report import check_table  # the command line's table

            box = QMessageBox(QMessageBox.Icon.Information, "Check gradients", summary,
                              parent=self)
            box.setDetailedText(check_table(rows))
            box.exec()

    def cancel_jobs(self) -> None:
        """The status bar's Cancel: stop the running export and layout (their dot too)."""
        self.jobs.cancel("export")
        self.jobs.cancel("layout")

    def _job_ended(self) -> None:
        if not self.jobs.running("export") and not self.jobs.running("layout"):
            self.busy.hide()
            self.stop_button.hide()

    def autosave(self) -> None:
        """Write unsaved work to the recovery file (every 30 s)."""
        if self.doc.modified:
            try:
                self.recovery.save(self.doc.to_file(), self.doc.path)
            except OSError as exc:
                self.say(f"Autosave failed: {exc}")

    def offer_recovery(self) -> bool:
        """After a crash: offer to restore the work an instance that is no longer running
        left unsaved (never another live instance's). True if restored."""
        orphans = self.recovery.orphans()
        if not orphans:
            return False
        orphan = orphans[0]
        try:
            doc, origin = self.recovery.load(orphan)
        except (FormatError, OSError):
            self.recovery.forget(orphan)
            return False
        if self.ask:
            answer = QMessageBox.question(
                self, "Restore unsaved work?",
                "graphapp did not close normally last time. Restore the unsaved graph"
                + (f" from {origin}" if origin else "") + "?")
            if answer != QMessageBox.StandardButton.Yes:
                self.recovery.forget(orphan)
                return False
        self.load(doc, origin)
        self.doc.undo_stack.resetClean()  # restored work is unsaved
        self.autosave()  # now this instance's to protect, before the orphan goes
        self.recovery.forget(orphan)
        self._update_title()
        self.say("Restored unsaved work from the recovery file")
        return True

    def _recent_part(self, menu) -> None:
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)

    def _examples_part(self, menu) -> None:
        self.examples_menu = menu.addMenu("E&xamples")
        # filled when first opened: each entry reads its file for the lesson in its tooltip
        self.examples_menu.aboutToShow.connect(self._fill_examples)

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
        if self.examples_menu.actions():
            return
        for path in examples():
            lesson = lesson_of(path.read_text(encoding="utf-8"))
            action = self.examples_menu.addAction(path.stem.replace("_", " "))
            action.setStatusTip(lesson.split("\n")[0])
            action.setToolTip(lesson)
            action.triggered.connect(lambda _=False, p=path: self.open_example(p))
        self.examples_menu.setToolTipsVisible(True)

