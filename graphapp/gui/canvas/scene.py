"""The canvas scene: one card per node, one curve per edge, following the document.

The scene turns the document's results (and the step position) into what each card and edge
shows, and turns gestures — dragging a port onto another, moving cards, deleting — into undo
commands. It never changes the graph directly.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QToolTip,
)

from graphapp.engine import EvaluationError, GraphError, NodeError
from graphapp.engine.nudge import predicted_change
from graphapp.formats.text import (
    display_name,
    format_local,
    format_shape,
    format_value,
    is_position,
    magnitude,
    sign_of,
)
from graphapp.gui import commands
from graphapp.gui.canvas.edge_item import EdgeDisplay, EdgeItem, curve
from graphapp.gui.canvas.groups import GroupFrame, GroupItem, centroid, group_key
from graphapp.gui.canvas.node_item import (
    HEADER,
    ROW,
    WIDE,
    WIDTH,
    NodeDisplay,
    NodeItem,
    PortItem,
)
from graphapp.gui.document import Document, Results
from graphapp.gui.explain import formula_names
from graphapp.gui.layout import layered_layout
from graphapp.gui.stepper import Stepper
from graphapp.gui.theme import Theme, current_theme, pretty

__all__ = ["GraphScene"]

_gestures = itertools.count(1)
#: On graphs with more cards and edges than twice this, off-screen ones are redrawn in slices
#: of this many per turn of the event loop.
SLICE = 150
#: More edges than this on screen make the view "crowded": edges are drawn plainly when zoomed
#: out (see EdgeItem.paint).
CROWDED = 150


def _fmt(v: Any) -> str:
    return pretty(format_value(v, digits=5, max_items=3))


class GraphScene(QGraphicsScene):
    """Cards and curves for one document."""

    #: A one-line message for the status bar (refused connections, hints).
    message = Signal(str)
    node_double_clicked = Signal(str)
    canvas_double_clicked = Signal(QPointF)
    #: A port was dragged and dropped on empty canvas: offer to add a node there.
    dropped_on_canvas = Signal(str, QPointF)

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
        self._pending: list[tuple[str, Any]] = []
        self._biggest = 1.0
        self._bounds: QRectF | None = None
        self.crowded = False
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        doc.graph_event.connect(self._on_graph_event)
        doc.reset.connect(self.rebuild)
        doc.results_changed.connect(self.refresh)
        doc.output_changed.connect(self.refresh)
        stepper.changed.connect(self.refresh)
        self.rebuild()

    # ----------------------------------------------------------------- building
    def rebuild(self) -> None:
        """Recreate every item from the document (after New or Open)."""
        self.clearSelection()
        self.clear()
        self._bounds = None
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

    def _add_node_item(self, node: str, fallback: tuple[float, float] | None = None) -> NodeItem:
        item = NodeItem(node, self._node_display(node, self.doc.current_results,
                                                 self.stepper.state), self.theme)
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
        for edge in {id(e): e for item in moved for e in item.edges}.values():
            edge.update_path()
        self._bounds = None

    def graph_rect(self) -> QRectF:
        """The cards' bounding rectangle (kept until something moves, cheaper than
        ``itemsBoundingRect`` over a thousand cards and their edges)."""
        if self._bounds is None:
            rect = QRectF()
            for item in [*self.nodes.values(), *self.groups.values()]:
                if item.isVisible():
                    rect = rect.united(item.sceneBoundingRect())
            self._bounds = rect
        return self._bounds

    def layout_sizes(self) -> dict[str, tuple[float, float]]:
        """Card sizes, for the layout engines."""
        return {n: (i.width, i.height) for n, i in self.nodes.items()}

    # ----------------------------------------------------------------- events
    def _on_graph_event(self, event: str, details: dict[str, Any]) -> None:
        if event != "value_changed":
            self._bounds = None
        if event == "node_added":
            self._add_node_item(details["node"])
        elif event == "node_removed":
            item = self.nodes.pop(details["node"], None)
            if item is not None:
                for edge in list(item.edges):
                    self._remove_edge_item(edge.key)
                self.removeItem(item)
        elif event == "edge_added":
            self._add_edge_item(details["edge"])
        elif event == "edge_removed":
            self._remove_edge_item(details["edge"])
        elif event == "node_renamed":
            item = self.nodes.pop(details["old"])
            item.node_id = details["new"]
            self.nodes[details["new"]] = item
            self.edges = {e.key: e for e in self.edges.values()}
        elif event == "attrs_changed" and "pos" in details.get("keys", ()):
            self._move_items(details["nodes"])
        if event in ("node_added", "node_removed", "edge_added", "edge_removed",
                     "node_renamed", "groups_changed") or (
                event == "attrs_changed" and "group" in details.get("keys", ())):
            self.sync_groups()
        elif event == "attrs_changed" and self.frames:
            self._fit_frames()
        # Values and gradients arrive with the document's results_changed (once per edit,
        # however many events it makes); labels and groups are redrawn here, soon.
        if event in ("attrs_changed", "groups_changed"):
            self._refresh_timer.start()

    # ----------------------------------------------------------------- display
    def refresh(self, everything: bool = False) -> None:
        """Show the current results (and step position) on the cards and edges.

        What is on screen is redrawn at once; on big graphs the rest follows in small slices
        from the event loop, so a value edit repaints quickly and the window keeps answering.
        """
        self._refresh_timer.stop()
        self._slice_timer.stop()
        if self.nodes.keys() != set(self.doc.graph):  # mid-rebuild: the rebuild refreshes
            return
        results = self.doc.results
        back = results.backward
        self._biggest = (back.largest_carried() if back is not None else 0.0) or 1.0
        nodes, edges = list(self.nodes), list(self.edges)
        if not everything and len(nodes) + len(edges) > SLICE * 2:
            on_screen = self.items(self._on_screen(),  # the scene's index finds them fast
                                   Qt.ItemSelectionMode.IntersectsItemBoundingRect)
            first = {i.node_id for i in on_screen if type(i) is NodeItem}
            first_edges = {i.key for i in on_screen if type(i) is EdgeItem}
            self.crowded = len(first_edges) > CROWDED
            self._pending = [("n", n) for n in nodes if n not in first] + \
                [("e", e) for e in edges if e not in first_edges]
            nodes, edges = list(first), list(first_edges)
            self._slice_timer.start()
        else:
            self._pending = []
            self.crowded = False
        self._show(nodes, edges, results)
        for name, item in self.groups.items():
            item.set_display(self._group_display(name, item, results))
        self._update_nudge(results)

    def _on_screen(self) -> QRectF:
        rect = QRectF()
        for view in self.views():
            rect = rect.united(view.mapToScene(view.viewport().rect()).boundingRect())
        return rect.adjusted(-200, -200, 200, 200)

    def _show(self, nodes: list[str], edges: list[tuple[str, str, int]],
              results: Results) -> None:
        state = self.stepper.state
        for node in nodes:
            self.nodes[node].set_display(self._node_display(node, results, state))
        for key in edges:
            display, carried = self._edge_display(key, results, state)
            display.width = 1.3 + 3.7 * magnitude(carried) / self._biggest \
                if carried is not None else 1.2
            self.edges[key].set_display(display, self.show_labels)

    def _next_slice(self) -> None:
        batch, self._pending = self._pending[:SLICE], self._pending[SLICE:]
        live = [k for kind, k in batch if kind == "n" and k in self.nodes]
        live_edges = [k for kind, k in batch if kind == "e" and k in self.edges]
        self._show(live, live_edges, self.doc.results)
        if self._pending:
            self._slice_timer.start()

    def flush(self) -> None:
        """Finish any slices still pending (tests, screenshots, exports of the view)."""
        if self._pending:
            self._slice_timer.stop()
            self._pending, pending = [], self._pending
            self._show([k for kind, k in pending if kind == "n" and k in self.nodes],
                       [k for kind, k in pending if kind == "e" and k in self.edges],
                       self.doc.results)

    def _node_display(self, node: str, results: Results, state: Any) -> NodeDisplay:
        g = self.doc.graph
        spec = g.op(node)
        name = self._name(node)
        value = results.value(node)
        grad = results.grad(node)
        d = NodeDisplay(name=name, symbol="input" if spec.is_input else spec.symbol,
                        op=spec.name, category=spec.category, slot_names=spec.slot_names,
                        is_output=node == self.doc.output)
        d.wide = isinstance(value, np.ndarray)
        step = state.nodes.get(node, "") if state.active else ""
        d.step = step
        hidden_value = state.mode == "forward" and step == "pending"
        if d.wide:
            d.rows.append(("shape", format_shape(value.shape), None))
        d.rows.append(("value", "?" if hidden_value else _fmt(value), None))
        if not spec.constant:
            d.rows.append(self._grad_row(node, grad, results, state, step))
        finite = value is None or (math.isfinite(value) if not isinstance(value, np.ndarray)
                                   else bool(np.isfinite(value).all()))
        nonfinite = results.forward.nonfinite if results.forward is not None else None
        failures = results.forward.failures if results.forward is not None else {}
        if node in failures:
            d.error = f"{node} cannot be computed: {failures[node]}"
        elif not finite:
            first = nonfinite.node if nonfinite is not None else node
            cause = nonfinite.message if nonfinite is not None else "a non-finite value"
            d.error = (f"{node} is {_fmt(value)}" + ("" if first == node else
                                                     f", because upstream {cause}")
                       + ("" if first != node else f": {cause}"))
        d.dimmed = results.backward is not None and not results.reaches(node) and \
            node in results.backward.plan.index
        return d

    def _name(self, node: str) -> str:
        label = self.doc.graph.attr(node, "label")
        return label if isinstance(label, str) and label else display_name(node)

    def _grad_row(self, node: str, grad: Any, results: Results, state: Any,
                  step: str) -> tuple[str, str, QColor | None]:
        t = self.theme
        out = self.doc.output or "output"
        name = self._name(node)
        key = f"d{out}/d{name}" if name and len(out) + len(name) <= 6 else "grad"
        if results.backward is None:
            return key, "—", t.faint
        if results.stale:
            return key, _fmt(grad) + " (stale)", t.faint
        if state.mode == "backward" and node in state.nodes and step == "pending":
            partial = state.partial.get(node)
            if partial is None:
                return key, "?", t.faint
            return key, f"{_fmt(partial.running)} ({partial.arrived}/{partial.total_edges})", \
                t.muted
        if state.mode == "forward" and step != "":
            return key, "?", t.faint
        return key, _fmt(grad), t.sign(sign_of(grad))

    def _edge_display(self, key: tuple[str, str, int], results: Results,
                      state: Any) -> tuple[EdgeDisplay, Any]:
        t = self.theme
        src, dst, slot = key
        d = EdgeDisplay()
        back = results.backward
        if back is None or dst not in back.plan.index or src not in back.plan.index:
            return d, None
        try:
            edge = back.edge(src, dst, slot)
        except NodeError:  # results from before a structural edit (auto-recompute off)
            return d, None
        carried = edge.accumulated
        if carried is None:  # from a constant: not differentiated
            d.colour = t.faint
            return d, None
        d.colour = t.sign(sign_of(carried))
        d.dimmed = not back.reaches(dst)
        status = state.edges.get(key, "") if state.active else ""
        d.step = status
        fwd = back.forward
        local = pretty(format_local(edge.local, fwd.values[src], fwd.values[dst], digits=4))
        if state.mode == "backward" and status in ("current", "done"):
            send = state.sends.get(key)
            if send is not None and status == "current":
                d.lines = [(f"{local} × {_fmt(send.upstream)} = {_fmt(send.contribution)}",
                            d.colour)]
            elif send is not None:
                d.lines = [(f"carried {_fmt(send.contribution)}", d.colour)]
        elif (state.mode == "backward" and status == "pending") or state.mode == "forward":
            d.lines = []
        else:
            d.lines = [(f"local {local}", t.muted), (f"grad {_fmt(carried)}", d.colour)]
        return d, carried

    # ----------------------------------------------------------------- tooltips
    def helpEvent(self, event) -> None:
        """Tooltips are written when asked for, not on every redraw."""
        text = ""
        for item in self.items(event.scenePos()):
            if isinstance(item, GroupItem):
                nodes = self.members().get(item.group, [])
                text = (f"<b>{item.group}</b>: {len(nodes)} nodes ({', '.join(nodes)}).<br>"
                        "Double-click to unfold. Gradients flow through it unchanged.")
            elif isinstance(item, NodeItem):
                text = self.node_tooltip(item.node_id)
            elif isinstance(item, EdgeItem):
                text = self.edge_tooltip(item.key)
            elif isinstance(item, PortItem):
                text = item.toolTip()
            if text:
                break
        if text:
            QToolTip.showText(event.screenPos(), text)
        else:
            QToolTip.hideText()
        event.accept()

    def node_tooltip(self, node: str) -> str:
        """What hovering a card says: op, formula, full-precision value and gradient."""
        results = self.doc.results
        spec = self.doc.graph.op(node)
        value, grad = results.value(node), results.grad(node)
        lines = [f"<b>{node}</b> — {spec.name}: {spec.description}"]
        if value is not None:
            lines.append(f"value = {pretty(format_value(value, 17, 8))}")
        if grad is not None:
            lines.append(f"d{self.doc.output}/d{node} = {pretty(format_value(grad, 17, 8))}")
        error = self.nodes[node].display.error if node in self.nodes else ""
        if error:
            lines.append(f"<span style='color:#dc2626'>{error}</span>")
        return "<br>".join(lines)

    def edge_tooltip(self, key: tuple[str, str, int]) -> str:
        """What hovering an edge says: the local derivative's formula and numbers."""
        src, dst, slot = key
        spec = self.doc.graph.op(dst)
        text = spec.render_formula(slot, formula_names(self.doc.graph, dst))
        back = self.doc.results.backward
        if back is not None and dst in back.plan.index and src in back.plan.index:
            edge = back.edge(src, dst, slot)
            if edge.accumulated is not None:
                fwd = back.forward
                local = format_local(edge.local, fwd.values[src], fwd.values[dst], digits=10)
                text += (f"<br>local ∂{dst}/∂{src} = {pretty(local)}<br>carries back "
                         f"{pretty(format_value(edge.accumulated, 10, 8))}")
        return text

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

    # ----------------------------------------------------------------- nudge
    def begin_nudge(self, node: str) -> None:
        """Start showing predicted vs actual change of the output while ``node`` is dragged."""
        results = self.doc.results
        out = self.doc.output
        if results.backward is None or out is None:
            self.nudge = None
            return
        self.nudge = (node, results.value(node), results.value(out), results.grad(node))

    def end_nudge(self) -> None:
        """Hide the nudge readout."""
        self.nudge = None
        if self._nudge_item is not None:
            self.removeItem(self._nudge_item)
            self._nudge_item = None

    def _update_nudge(self, results: Results) -> None:
        if self.nudge is None or self.doc.output not in self.nodes:
            return
        node, x0, y0, g0 = self.nudge
        x1, y1 = results.value(node), results.value(self.doc.output)
        if any(v is None for v in (x0, y0, g0, x1, y1)):
            return
        n = predicted_change(x0, x1, y0, y1, g0)
        out = self.doc.output
        text = (f"Δ{node} = {_fmt(n.dx)}\n"
                f"predicted Δ{out} ≈ d{out}/d{node} · Δ{node} = {_fmt(n.predicted)}\n"
                f"actual Δ{out} = {_fmt(n.actual)}")
        if self._nudge_item is None:
            self._nudge_item = QGraphicsSimpleTextItem()
            self._nudge_item.setZValue(5)
            self._nudge_item.setBrush(self.theme.accent)
            self.addItem(self._nudge_item)
        self._nudge_item.setText(pretty(text))
        out_item = self.nodes[self.doc.output]
        self._nudge_item.setPos(out_item.pos() + QPointF(out_item.width + 14, 0))

    # ----------------------------------------------------------------- groups
    def members(self) -> dict[str, list[str]]:
        """Group name → its member nodes, from the nodes' ``group`` attribute."""
        found: dict[str, list[str]] = {}
        for node, data in self.doc.graph.nx.nodes(data=True):
            name = data.get("group")
            if name:
                found.setdefault(name, []).append(node)
        return found

    def folded(self, name: str) -> bool:
        """True when the group is drawn as one card."""
        return bool(self.doc.groups.get(name, {}).get("collapsed", True))

    def sync_groups(self) -> None:
        """Show groups as the document says: folded cards or unfolded frames."""
        members = self.members()
        where: dict[str, str] = {}  # node → folded group it hides in
        for name, nodes in members.items():
            if self.folded(name):
                for node in nodes:
                    where[node] = name
        for name in list(self.groups):
            if name not in members or not self.folded(name):
                item = self.groups.pop(name)
                self.removeItem(item)
        for name in list(self.frames):
            if name not in members or self.folded(name):
                self.removeItem(self.frames.pop(name))
        for name, nodes in members.items():
            items = [self.nodes[n] for n in nodes if n in self.nodes]
            if self.folded(name):
                entries = sorted((e for e in self.doc.graph.edges()
                                  if where.get(e[1]) == name and where.get(e[0]) != name),
                                 key=lambda e: (e[1], e[2]))
                item = self.groups.get(name)
                if item is None:
                    item = GroupItem(name, NodeDisplay(name=name), self.theme)
                    pos = self.doc.groups.get(name, {}).get("pos")
                    item.setPos(QPointF(*pos) if is_position(pos) else centroid(items))
                    self.addItem(item)
                    self.groups[name] = item
                item.entries = entries
                item.set_display(self._group_display(name, item, self.doc.results))
            else:
                frame = self.frames.get(name)
                if frame is None:
                    frame = self.frames[name] = GroupFrame(name, self.theme)
                    self.addItem(frame)
        for node, item in self.nodes.items():
            item.setVisible(node not in where)
        for key, edge in self.edges.items():
            src, dst, slot = key
            gs, gd = where.get(src), where.get(dst)
            inside = gs is not None and gs == gd
            edge.setVisible(not inside)
            if inside:
                continue
            draw_src = self.groups[gs] if gs is not None else edge.src
            if gd is not None:
                group = self.groups[gd]
                edge.reroute(draw_src, group, group.entries.index(key))
            else:
                edge.reroute(draw_src, edge.dst, slot)
        self._fit_frames()

    def _fit_frames(self) -> None:
        members = self.members()
        for name, frame in self.frames.items():
            items = [self.nodes[n] for n in members.get(name, []) if n in self.nodes]
            if items:
                rect = items[0].sceneBoundingRect()
                for item in items[1:]:
                    rect = rect.united(item.sceneBoundingRect())
                frame.fit(rect)

    def _group_display(self, name: str, item: GroupItem, results: Results) -> NodeDisplay:
        g = self.doc.graph
        nodes = self.members().get(name, [])
        inside = set(nodes)
        exits = [n for n in nodes if n == self.doc.output
                 or any(dst not in inside for dst, _ in g.consumers(n))]
        labels = []
        for src, _dst, _ in item.entries:
            labels.append(display_name(src, g.attrs(src)) or g.op(src).symbol)
        d = NodeDisplay(name=name, symbol=f"group of {len(nodes)}", op="group",
                        category="group", slot_names=tuple(labels),
                        is_output=self.doc.output in inside)
        for node in exits:
            key = display_name(node, g.attrs(node)) or g.op(node).symbol
            value, grad = results.value(node), results.grad(node)
            text = _fmt(value) + (f"   ∇ {_fmt(grad)}" if grad is not None else "")
            d.rows.append((key, text, self.theme.sign(sign_of(grad)) if grad is not None
                           else None))
        d.wide = any(isinstance(results.value(n), np.ndarray) for n in exits)
        return d

    # ----------------------------------------------------------------- gestures
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            port = self._port_at(event.scenePos())
            if port is not None and isinstance(port.node, GroupItem):
                self.message.emit("Unfold the group (double-click it) to change its edges")
            elif port is not None:
                self._begin_connection(port, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        self._press_positions = {n: QPointF(i.pos()) for n, i in self.nodes.items()
                                 if i.isSelected()}
        self._press_positions.update({group_key(n): QPointF(i.pos())
                                      for n, i in self.groups.items() if i.isSelected()})

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is not None:
            self._drag["line"].setPath(self._drag_path(event.scenePos()))
            event.accept()
            return
        super().mouseMoveEvent(event)
        if self._press_positions:  # cards being dragged: their edges follow
            self.follow_moves()

    def follow_moves(self) -> None:
        """Re-route the edges of cards that moved by hand."""
        moved = [item for item in self.selectedItems() if isinstance(item, NodeItem)]
        for edge in {id(e): e for item in moved for e in item.edges}.values():
            edge.update_path()
        self._bounds = None
        self._fit_frames()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is not None:
            self._finish_connection(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self._push_moves()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        item = self._node_at(event.scenePos())
        if isinstance(item, GroupItem):
            self.doc.undo_stack.push(commands.SetGroupInfo(self.doc, item.group,
                                                           collapsed=False))
        elif item is not None:
            self.node_double_clicked.emit(item.node_id)
        elif any(isinstance(f, GroupFrame) and f.title_rect().contains(event.scenePos())
                 for f in self.frames.values()):
            frame = next(f for f in self.frames.values()
                         if f.title_rect().contains(event.scenePos()))
            self.doc.undo_stack.push(commands.SetGroupInfo(self.doc, frame.group,
                                                           collapsed=True))
        elif not any(isinstance(i, EdgeItem) for i in self.items(event.scenePos())):
            self.canvas_double_clicked.emit(event.scenePos())
        event.accept()

    def _push_moves(self) -> None:
        moves = {}
        group_moves = {}
        for key, before in self._press_positions.items():
            item = self.nodes.get(key)
            if item is None and key.startswith("group:"):
                group = self.groups.get(key[len("group:"):])
                if group is not None and group.pos() != before:
                    group_moves[group.group] = [group.pos().x(), group.pos().y()]
                continue
            if item is not None and item.pos() != before:
                moves[key] = ([before.x(), before.y()], [item.pos().x(), item.pos().y()])
        self._press_positions = {}
        if not moves and not group_moves:
            return
        stack = self.doc.undo_stack
        stack.beginMacro("Move")
        if moves:
            stack.push(commands.MoveNodes(self.doc, moves, next(_gestures)))
        for name, pos in group_moves.items():
            stack.push(commands.SetGroupInfo(self.doc, name, pos=pos))
        stack.endMacro()

    def _port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        # ports are small: be generous near them
        for item in self.items(QRectF(pos.x() - 7, pos.y() - 7, 14, 14)):
            if isinstance(item, PortItem):
                return item
        return None

    def _node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
            if isinstance(item, PortItem):
                return item.node
        return None

    def _begin_connection(self, port: PortItem, pos: QPointF) -> None:
        detach = None
        if not port.is_output:
            fed = [e for e in self.edges.values() if e.dst is port.node and e.slot == port.slot]
            if fed:  # pick up the existing edge: drop it elsewhere to move it, on canvas to cut
                detach = fed[0].key
                port = fed[0].src.output
        line = QGraphicsPathItem()
        pen = QPen(self.theme.accent, 2.0, Qt.PenStyle.DashLine)
        line.setPen(pen)
        line.setZValue(10)
        self.addItem(line)
        self._drag = {"port": port, "line": line, "detach": detach}
        line.setPath(self._drag_path(pos))

    def _drag_path(self, pos: QPointF) -> QPainterPath:
        port = self._drag["port"]
        anchor = port.scenePos()
        return curve(anchor, pos) if port.is_output else curve(pos, anchor)

    def _finish_connection(self, pos: QPointF) -> None:
        drag, self._drag = self._drag, None
        self.removeItem(drag["line"])
        start: PortItem = drag["port"]
        target = self._port_at(pos)
        node_target = self._node_at(pos)
        if isinstance(node_target, GroupItem) or (target is not None and
                                                  isinstance(target.node, GroupItem)):
            self.message.emit("Unfold the group (double-click it) to connect inside it")
            return
        if target is None and node_target is not None:
            target = self._first_free(node_target) if start.is_output else node_target.output
        if target is None and node_target is not None and node_target is not start.node:
            why = ("takes no inputs" if not node_target.inputs else "has every input slot "
                   "filled (drop on a port to replace one)") if start.is_output else "?"
            self.message.emit(f"Cannot connect: {node_target.node_id} {why}")
            return
        if target is None or target.is_output == start.is_output:
            if drag["detach"] is not None and node_target is None:
                self.doc.undo_stack.push(commands.Disconnect(self.doc, *drag["detach"]))
            elif start.is_output and node_target is None and drag["detach"] is None:
                self.dropped_on_canvas.emit(start.node.node_id, pos)
            return
        out_port, in_port = (start, target) if start.is_output else (target, start)
        edge = (out_port.node.node_id, in_port.node.node_id, in_port.slot)
        if drag["detach"] == edge:
            return
        self.connect_nodes(*edge, detach=drag["detach"])

    def _first_free(self, item: NodeItem) -> PortItem | None:
        fed = {e.slot for e in item.edges if e.dst is item}
        for port in item.inputs:
            if port.slot not in fed:
                return port
        return None

    def connect_nodes(self, src: str, dst: str, slot: int,
                      detach: tuple[str, str, int] | None = None) -> bool:
        """Connect through the undo stack, or say in the status bar why not."""
        g = self.doc.graph
        stack = self.doc.undo_stack
        try:
            if detach is not None:
                stack.beginMacro(f"Reconnect {src} → {dst}")
                stack.push(commands.Disconnect(self.doc, *detach))
            try:
                g.check_connect(src, dst, slot)
            except GraphError as exc:
                if detach is not None:
                    stack.endMacro()
                    stack.undo()
                    detach = None
                self.message.emit(f"Cannot connect: {exc.message}")
                return False
            stack.push(commands.Connect(self.doc, src, dst, slot))
        finally:
            if detach is not None:
                stack.endMacro()
        return True

    # ----------------------------------------------------------------- selection
    def selected_nodes(self) -> list[str]:
        """Ids of the selected cards (a selected folded group stands for its members)."""
        members = self.members()
        chosen = []
        for item in self.selectedItems():
            if isinstance(item, GroupItem):
                chosen.extend(members.get(item.group, []))
            elif isinstance(item, NodeItem):
                chosen.append(item.node_id)
        return list(dict.fromkeys(chosen))

    def selected_edges(self) -> list[tuple[str, str, int]]:
        """Keys of the selected edges."""
        return [i.key for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def delete_selection(self) -> None:
        """Delete the selected nodes and edges (one undo step)."""
        nodes, edges = self.selected_nodes(), self.selected_edges()
        if nodes or edges:
            self.doc.undo_stack.push(commands.RemoveItems(self.doc, nodes, edges))

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
        values = graph.plan().forward(graph).values
    except (GraphError, ValueError, EvaluationError):
        values = {}
    sizes = {}
    for node in graph:
        wide = isinstance(values.get(node) if values else None, np.ndarray)
        rows = 3 if wide else (1 if graph.op(node).constant else 2)
        sizes[node] = (WIDE if wide else WIDTH, HEADER + ROW * max(2, rows) + 6)
    return sizes
