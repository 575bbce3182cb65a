"""Arranging the graph: Graphviz ``dot`` as a background job (:mod:`graphapp.gui.jobs`), the
layered layout when ``dot`` is missing or fails; one undo step per Auto Layout.

:class:`Arrange` is a part of :class:`~graphapp.gui.main_window.MainWindow`.
"""

from __future__ import annotations

from graphapp.engine import Graph
from graphapp.gui import commands
from graphapp.gui.jobs import Job
from graphapp.gui.layout import (
    dot_available,
    dot_failure,
    fold,
    layered_layout,
    layout_work,
    spread_columns,
)

__all__ = ["Arrange"]


class Arrange:
    """Auto Layout (a part of ``MainWindow``)."""

    _dot_notice_shown = False

    def start_layout(self, undoable: bool = True, graph: Graph | None = None,
                     sizes: dict | None = None) -> Job | None:
        """Arrange with dot in the background (layered layout when dot is missing)."""
        graph = graph or self.doc.graph
        if not dot_available():
            sizes = sizes or self.scene.layout_sizes()
            positions = spread_columns(layered_layout(graph, sizes), sizes,
                                       self.scene.label_widths())
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
        job.cancelled.connect(lambda: self.say("Layout cancelled", 4000))
        job.ended.connect(self._job_ended)
        self.say(f"Laying out {len(graph)} nodes with dot…", 0)
        self.busy.show()
        self.stop_button.show()
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
        # room for each edge's label between its columns; then fold a layout too wide for
        # the view into bands, so it fits at a readable zoom
        viewport = self.view.viewport()
        sizes = self.scene.layout_sizes()
        positions = fold(spread_columns(positions, sizes, self.scene.label_widths()), sizes,
                         viewport.width(), viewport.height(), self.view.min_fit_zoom)
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

