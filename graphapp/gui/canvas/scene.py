"""The canvas scene: one card per node, one curve per edge, following the document.

The scene keeps one item per node and edge in step with the document's events, and asks
:mod:`.display` what each shows (from the results and the step position) — on big graphs what
is on screen first, the rest in slices. Its other parts: :mod:`.gestures` (mouse and
selection, which become undo commands), :mod:`.groups` (folded cards, frames) and
:mod:`.hints` (tooltips, nudge readout). It never changes the graph directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene

from graphapp.engine import EvaluationError, GraphError
from graphapp.engine.lazy_numpy import is_array
from graphapp.formats.present import largest
from graphapp.formats.text import is_position
from graphapp.gui import events
from graphapp.gui.canvas.changes import Numbers, changes, numbers
from graphapp.gui.canvas.display import edge_display, node_display
from graphapp.gui.canvas.edge_item import EdgeItem
from graphapp.gui.canvas.gestures import SceneGestures
from graphapp.gui.canvas.groups import GroupFrame, GroupItem, SceneGroups
from graphapp.gui.canvas.hints import SceneHints
from graphapp.gui.canvas.label_places import Placement
from graphapp.gui.canvas.node_item import HEADER, ROW, WIDE, WIDTH, NodeItem
from graphapp.gui.canvas.routes import Rect, run_box
from graphapp.gui.document import Document, Results
from graphapp.gui.layout import layered_layout
from graphapp.gui.stepper import Stepper
from graphapp.gui.theme import Theme, current_theme

if TYPE_CHECKING:
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

__all__ = ["GraphScene"]

#: On graphs with more cards and edges than twice this, off-screen ones are redrawn in slices
#: of this many per turn of the event loop.
SLICE = 150
#: The first slice waits for the view's repaint of what is on screen (:meth:`GraphScene.painted`),
#: or at most this many milliseconds.
FIRST_SLICE_MS = 50
#: More edges than this on screen make the view "crowded": edges are drawn plainly when zoomed
#: out (see EdgeItem.paint).
CROWDED = 150


class GraphScene(SceneGestures, SceneGroups, SceneHints, QGraphicsScene):
    """Cards and curves for one document."""

    #: A one-line message for the status bar (refused connections, hints).
    message = Signal(str)
    node_double_clicked = Signal(str)
    canvas_double_clicked = Signal(QPointF)
    #: A port was dragged and dropped on empty canvas: offer to add a node there.
    dropped_on_canvas = Signal(str, QPointF)
    #: What the scene shows changed: cards or curves came, went, moved or were redrawn (the
    #: view grows its scroll area and redraws its minimap). In place of Qt's ``changed``,
    #: whose mere connection makes every item repaint its whole box (a value edit that
    #: changed one label would redraw every long curve crossing that curve's box).
    shown = Signal()

    def __init__(self, doc: Document, stepper: Stepper) -> None:
        super().__init__()
        self.doc = doc
        self.stepper = stepper
        self.theme: Theme = current_theme()
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str, int], EdgeItem] = {}
        self.groups: dict[str, GroupItem] = {}
        self.frames: dict[str, GroupFrame] = {}
        self.show_labels = True
        #: While a value is scrubbed: (node, x0, output value at x0, gradient at x0).
        self.nudge: tuple[str, Any, Any, Any] | None = None
        self._nudge_item: QGraphicsSimpleTextItem | None = None
        self._drag: dict[str, Any] | None = None
        self._press_positions: dict[str, QPointF] = {}
        self.setBackgroundBrush(self.theme.canvas)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._slice_timer = QTimer(self)
        self._slice_timer.setSingleShot(True)
        self._slice_timer.setInterval(0)
        self._slice_timer.timeout.connect(self._next_slice)
        # labels are placed (label_places) once cards stop moving or labels change size:
        # after the event loop's turn, and after the last slice of a big redraw
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(0)
        self._label_timer.timeout.connect(self.place_labels)
        self._pending: list[tuple[str, Any]] = []
        self._resized: set[tuple[str, str, int]] = set()
        self._biggest = 1.0
        #: The numbers the items show, to compare the next results with (:mod:`.changes`).
        self._numbers: Numbers | None = None
        #: Cards redrawn since the view's last repaint: what it repaints inside them, their
        #: opaque bodies hide, so no curve under them needs painting there (see ``exposed``).
        self.covers: set[NodeItem] = set()
        #: While the view repaints: the rectangles (scene coordinates, left, top, right,
        #: bottom) it repaints outside the opaque bodies of ``covers``, where curves can
        #: show; ``None`` otherwise.
        self.exposed: list[tuple[float, float, float, float]] | None = None
        self._bounds: QRectF | None = None
        self.crowded = False
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        doc.changed.connect(self._on_graph_event)
        doc.reset.connect(self.rebuild)
        doc.results_changed.connect(self.refresh)
        doc.output_changed.connect(self.refresh)
        stepper.changed.connect(self.refresh)
        doc.quiz_changed.connect(self.refresh)
        doc.tangents_changed.connect(self.refresh)
        self.rebuild()

    # ----------------------------------------------------------------- building
    def rebuild(self) -> None:
        """Recreate every item from the document (after New or Open)."""
        self.clearSelection()
        self.covers.clear()
        self.clear()
        self._bounds = None
        self._numbers = None
        self.nodes.clear()
        self.edges.clear()
        self.groups.clear()
        self.frames.clear()
        self._nudge_item = None
        graph = self.doc.graph
        missing = [n for n in graph if not is_position(graph.attr(n, "pos"))]
        fallback = layered_layout(graph) if missing else {}
        for node in graph:
            self._add_node_item(node, fallback.get(node))
        for edge in graph.edges():
            self._add_edge_item(edge)
        self.sync_groups()
        self.refresh()
        self.labels_stale()

    def _add_node_item(self, node: str, fallback: tuple[float, float] | None = None) -> NodeItem:
        results = self.doc.current_results
        item = NodeItem(node, node_display(self.doc.graph, node, self.doc.output,
                                           results.forward, results.backward, results.stale,
                                           self.stepper.state, self.theme,
                                           self.doc.quiz_hidden() if self.doc.quiz else ()),
                        self.theme)
        pos = self.doc.graph.attrs(node).get("pos")
        if is_position(pos):
            item.setPos(float(pos[0]), float(pos[1]))
        elif fallback is not None:
            item.setPos(*fallback)
        else:
            item.setPos(self._free_spot())
        self.addItem(item)
        self.nodes[node] = item
        return item

    def _add_edge_item(self, edge: tuple[str, str, int]) -> None:
        src, dst, slot = edge
        item = EdgeItem(self.nodes[src], self.nodes[dst], slot, self.theme)
        self.nodes[src].edges.append(item)
        self.nodes[dst].edges.append(item)
        self.addItem(item)
        self.edges[edge] = item
        item.follow_lane()  # an edge back to the left looks for a lane among the cards

    def _remove_edge_item(self, edge: tuple[str, str, int]) -> None:
        item = self.edges.pop(edge, None)
        if item is None:
            return
        for end in (item.src, item.dst):
            if item in end.edges:
                end.edges.remove(item)
        self.removeItem(item)

    def _free_spot(self) -> QPointF:
        views = self.views()
        if views:
            centre = views[0].mapToScene(views[0].viewport().rect().center())
        else:
            centre = self.itemsBoundingRect().center()
        spot = QPointF(centre.x() - 78, centre.y() - 34)
        while any(i.pos() == spot for i in self.nodes.values()):
            spot += QPointF(24, 24)
        return spot

    def _move_items(self, nodes: tuple[str, ...]) -> None:
        """Put cards where the model says, then re-route each affected edge once."""
        g = self.doc.graph
        moved = []
        for node in nodes:
            item = self.nodes.get(node)
            pos = g.attr(node, "pos") if node in g else None
            if item is None or not is_position(pos):
                continue
            target = QPointF(float(pos[0]), float(pos[1]))
            if item.pos() != target:
                item.setPos(target)
                moved.append(item)
        self.reroute(moved)
        self._bounds = None
        self.labels_stale()

    def reroute(self, moved: list) -> None:
        """Re-route the edges of cards that moved, each once; with several, the cards'
        footprints (for the lanes to look at) are gathered once for all of them."""
        edges = {id(e): e for item in moved for e in item.edges}.values()
        cards = self.card_footprints() if len(edges) > 1 else None
        for edge in edges:
            edge.update_path(cards)

    def graph_rect(self) -> QRectF:
        """The cards' bounding rectangle, with the edges that run back along lanes out beside
        them (kept until something moves, cheaper than ``itemsBoundingRect`` over a thousand
        cards and their edges)."""
        if self._bounds is None:
            rect = QRectF()
            for item in [*self.nodes.values(), *self.groups.values()]:
                if item.isVisible():
                    rect = rect.united(item.sceneBoundingRect())
            for edge in self.edges.values():
                if edge.lane is not None and edge.isVisible():
                    rect = rect.united(edge.path_rect().adjusted(-4, -4, 4, 4))
            self._bounds = rect
        return self._bounds

    def layout_sizes(self) -> dict[str, tuple[float, float]]:
        """Card sizes, for the layout engines."""
        return {n: (i.width, i.height) for n, i in self.nodes.items()}

    def label_widths(self) -> dict[tuple[str, str, int], float]:
        """The width of each edge's label (edges showing one), for the layout to leave room."""
        return {k: e.label_size[0] for k, e in self.edges.items() if e.label_size[0] > 0}

    # ----------------------------------------------------------------- events
    def _on_graph_event(self, event: events.Event) -> None:
        if not isinstance(event, events.ValueChanged):
            self._bounds = None
        if not (isinstance(event, events.ValueChanged) and event.node in self.doc.graph
                and not self.doc.graph.op(event.node).constant) and \
                not (isinstance(event, events.AttrsChanged) and set(event.keys) == {"pos"}):
            self._numbers = None  # names or structure changed: draw every item again
        match event:
            case events.NodeAdded(node=node):
                self._add_node_item(node)
            case events.NodeRemoved(node=node):
                item = self.nodes.pop(node, None)
                if item is not None:
                    self.covers.discard(item)
                    for edge in list(item.edges):
                        self._remove_edge_item(edge.key)
                    self.removeItem(item)
            case events.EdgeAdded(edge=edge):
                self._add_edge_item(edge)
            case events.EdgeRemoved(edge=edge):
                self._remove_edge_item(edge)
            case events.NodeRenamed(old=old, new=new):
                item = self.nodes.pop(old)
                item.node_id = new
                self.nodes[new] = item
                self.edges = {e.key: e for e in self.edges.values()}
            case events.AttrsChanged(nodes=nodes) if event.moved:
                self._move_items(nodes)
        regrouped = isinstance(event, events.AttrsChanged) and event.regrouped
        if isinstance(event, (*events.STRUCTURAL, events.GroupsChanged)) or regrouped:
            self.sync_groups()
            self.labels_stale()
        elif isinstance(event, events.AttrsChanged) and self.frames:
            self._fit_frames()
        # Values and gradients arrive with the document's results_changed (once per edit,
        # however many events it makes); labels and groups are redrawn here, soon.
        if isinstance(event, events.AttrsChanged | events.GroupsChanged):
            self._refresh_timer.start()
        self.shown.emit()

    # ----------------------------------------------------------------- display
    def refresh(self, everything: bool = False) -> None:
        """Show the current results (and step position) on the cards and edges.

        After a value edit only the items whose numbers changed are redrawn (:mod:`.changes`);
        otherwise, or with ``everything``, all of them. What is on screen is redrawn at once;
        on big graphs the rest follows in small slices from the event loop, so a value edit
        repaints quickly and the window keeps answering.
        """
        self._refresh_timer.stop()
        self._slice_timer.stop()
        if self.nodes.keys() != set(self.doc.graph):  # mid-rebuild: the rebuild refreshes
            return
        results = self.doc.results
        shown, self._numbers = self._numbers, self._numbers_of(results)
        changed = None if everything else changes(shown, self._numbers)
        self._biggest = self._numbers.largest if self._numbers else largest(results.backward)
        if changed is None:
            nodes, edges = list(self.nodes), list(self.edges)
        else:  # and the items an earlier refresh left waiting for their slice
            nodes = [n for n in dict.fromkeys([*changed[0], *(k for kind, k in self._pending
                                                              if kind == "n")])
                     if n in self.nodes]
            edges = [e for e in dict.fromkeys([*changed[1], *(k for kind, k in self._pending
                                                              if kind == "e")])
                     if e in self.edges]
        if everything or len(self.nodes) + len(self.edges) <= SLICE * 2:
            self._pending = []
            if changed is None:
                self.crowded = False
        else:
            area = self._on_screen()
            if changed is None or len(nodes) + len(edges) > 4 * SLICE:
                on_screen = self.items(area,  # the scene's index finds them fast
                                       Qt.ItemSelectionMode.IntersectsItemBoundingRect)
                first = {i.node_id for i in on_screen if type(i) is NodeItem}
                first_edges = {i.key for i in on_screen if type(i) is EdgeItem}
                if changed is None:
                    self.crowded = len(first_edges) > CROWDED
            else:  # a few changed: faster to look at each
                first = {n for n in nodes if area.intersects(self.nodes[n].sceneBoundingRect())}
                first_edges = {e for e in edges
                               if area.intersects(self.edges[e].sceneBoundingRect())}
            self._pending = [("n", n) for n in nodes if n not in first] + \
                [("e", e) for e in edges if e not in first_edges]
            nodes = [n for n in nodes if n in first]
            edges = [e for e in edges if e in first_edges]
            if self._pending:
                self._slice_timer.start(FIRST_SLICE_MS)
        self._show(nodes, edges, results)
        for name, item in self.groups.items():
            if item.set_display(self.group_display(name, item)):
                self.labels_stale()
        self._update_nudge(results)
        self.shown.emit()

    def _numbers_of(self, results: Results) -> Numbers | None:
        """The numbers the items show (:mod:`.changes`), when they can be compared next time:
        plain results, shown plainly (no step mode, quiz or picked input)."""
        if results.stale or self.stepper.state.active or self.doc.quiz is not None \
                or self.doc.tangent_wrt is not None:
            return None
        return numbers(results.forward, results.backward,
                       (self.doc.output, self.theme, self.show_labels))

    def _on_screen(self) -> QRectF:
        rect = QRectF()
        for view in self.views():
            rect = rect.united(view.mapToScene(view.viewport().rect()).boundingRect())
        return rect.adjusted(-200, -200, 200, 200)

    def _show(self, nodes: list[str], edges: list[tuple[str, str, int]],
              results: Results) -> None:
        state, g, out = self.stepper.state, self.doc.graph, self.doc.output
        fwd, back = results.forward, results.backward
        hidden = self.doc.quiz_hidden() if self.doc.quiz is not None else ()
        tangents = self.doc.card_tangents()
        partial = None
        if tangents is not None and out:
            from graphapp.lab.partial import partial_edge  # only while an input is picked

            partial = partial_edge(g, tangents[0])
        resized_cards = False
        for node in nodes:
            item = self.nodes[node]
            before = item.display
            resized_cards |= item.set_display(
                node_display(g, node, out, fwd, back, results.stale, state, self.theme, hidden,
                             tangents))
            if item.display is not before:
                self.covers.add(item)
        resized = [key for key in edges
                   if self.edges[key].set_display(
                       edge_display(g, key, back, self._biggest, state, self.theme, hidden,
                                    f"∂{out}/∂{tangents[0]}" if key == partial else ""),
                       self.show_labels)]
        if resized_cards:  # a card grew or shrank (a d/dx row): new bounds, labels placed anew
            self._bounds = None
            self.labels_stale()
        elif resized:
            self.labels_resized(resized)

    def _next_slice(self) -> None:
        batch, self._pending = self._pending[:SLICE], self._pending[SLICE:]
        live = [k for kind, k in batch if kind == "n" and k in self.nodes]
        live_edges = [k for kind, k in batch if kind == "e" and k in self.edges]
        self._show(live, live_edges, self.doc.results)
        if self._pending:
            self._slice_timer.start(0)
        elif self._labels_waiting:
            self._label_timer.start()
        self.shown.emit()

    def painted(self) -> None:
        """The view repainted: the slices off screen may start (they wait for it, so that an
        edit's repaint comes first)."""
        if self._pending and self._slice_timer.isActive():
            self._slice_timer.start(0)

    def flush(self) -> None:
        """Finish any slices still pending (tests, screenshots, exports of the view)."""
        if self._pending:
            self._slice_timer.stop()
            self._pending, pending = [], self._pending
            self._show([k for kind, k in pending if kind == "n" and k in self.nodes],
                       [k for kind, k in pending if kind == "e" and k in self.edges],
                       self.doc.results)
        if self._label_timer.isActive() or self._labels_waiting:
            self.place_labels()

    # ----------------------------------------------------------------- edge labels
    _labels_waiting = False
    _placement: Placement | None = None

    def card_footprints(self) -> list[Rect]:
        """Every shown card's footprint (folded groups too) as (left, top, right, bottom):
        what labels and lanes keep clear of."""
        return [item.footprint().getCoords() for item in
                [*self.nodes.values(), *self.groups.values()] if item.isVisible()]

    def cards_in(self, left: float, top: float, right: float, bottom: float) -> list[Rect]:
        """The footprints of the shown cards (folded groups too) that meet this rectangle, as
        (left, top, right, bottom)."""
        return [item.footprint().getCoords()
                for item in self.items(QRectF(left, top, right - left, bottom - top),
                                       Qt.ItemSelectionMode.IntersectsItemBoundingRect)
                if isinstance(item, NodeItem | GroupItem) and item.isVisible()]

    def labels_stale(self) -> None:
        """Cards moved (or came, went, changed size): place every label again soon (once,
        however many changes come before)."""
        self._placement = None
        self._schedule_labels()

    def labels_resized(self, keys: list[tuple[str, str, int]]) -> None:
        """These edges' labels changed size (a value edit): place just them again soon."""
        self._resized.update(keys)
        self._schedule_labels()

    def _schedule_labels(self) -> None:
        self._labels_waiting = True
        if not self._pending:
            self._label_timer.start()

    def place_labels(self) -> None:
        """Give every shown label a spot on its curve clear of cards and other labels (only
        the resized ones when nothing moved since the last time)."""
        self._label_timer.stop()
        self._labels_waiting = False
        resized, self._resized = self._resized, set()
        if self._placement is None:
            cards = self.card_footprints()
            moved = [edge.follow_lane(cards) for edge in self.edges.values()]
            if any(moved):  # cards moved: lanes may have closed or opened
                self._bounds = None
                self.shown.emit()
            runs = {k: run_box(*e.ends, e.lane) for k, e in self.edges.items()
                    if e.lane is not None and e.isVisible()}
            shown = {k: (*e.ends, e.label_size, e.lane) for k, e in self.edges.items()
                     if e.isVisible() and e.label_size[0] > 0}
            self._placement = Placement(cards, shown, runs)
            for key, edge in self.edges.items():
                edge.set_label_spot(self._placement.spots.get(key))
            return
        for key in resized:
            edge = self.edges.get(key)
            if edge is not None:
                size = edge.label_size if edge.isVisible() else (0.0, 0.0)
                edge.set_label_spot(self._placement.update(key, (*edge.ends, size, edge.lane)))

    def set_theme(self, theme: Theme) -> None:
        """Repaint everything in another theme (the system switched light/dark)."""
        self.theme = theme
        self.setBackgroundBrush(theme.canvas)
        for view in self.views():
            view.resetCachedContent()
        for item in [*self.nodes.values(), *self.groups.values(), *self.edges.values(),
                     *self.frames.values()]:
            item.theme = theme
            item.update()
        self.refresh()
        self.update()

    def set_show_labels(self, on: bool) -> None:
        """Show or hide the local-derivative/gradient labels on edges."""
        self.show_labels = on
        self.refresh()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.theme.canvas)
        step = 40
        left = int(rect.left()) - int(rect.left()) % step
        top = int(rect.top()) - int(rect.top()) % step
        painter.setPen(QPen(self.theme.grid, 1))
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step


def estimated_sizes(graph: Any) -> dict[str, tuple[float, float]]:
    """Card sizes before the cards exist (to start a layout early): wide cards for arrays."""
    try:
        values = graph.plan().forward(graph).plain
    except (GraphError, ValueError, EvaluationError):
        values = {}
    sizes = {}
    for node in graph:
        wide = is_array(values.get(node) if values else None)
        rows = 1 if graph.op(node).constant else 2  # an array's shape is in its header
        sizes[node] = (WIDE if wide else WIDTH, HEADER + ROW * max(2, rows) + 6)
    return sizes
