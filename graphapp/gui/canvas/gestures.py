"""What the mouse does on the canvas: connect by dragging from port to port (or onto a card),
pick up an edge by its input end to move or cut it, move cards (one undo step per drag),
double-click to fold, unfold or add; and what is selected. Every change is an undo command.

:class:`SceneGestures` is a part of :class:`~graphapp.gui.canvas.scene.GraphScene`; it uses
the scene's ``doc``, ``nodes``, ``edges``, ``groups``, ``frames`` and ``theme``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSceneMouseEvent

from graphapp.engine import GraphError
from graphapp.gui import commands
from graphapp.gui.canvas.edge_item import EdgeItem, curve
from graphapp.gui.canvas.groups import GroupFrame, GroupItem, group_key
from graphapp.gui.canvas.node_item import NodeItem, PortItem

__all__ = ["SceneGestures"]


class SceneGestures:
    """Mouse gestures and selection of the graph scene (a mixin of ``GraphScene``)."""

    _drag: dict[str, Any] | None = None
    _press_positions: dict[str, QPointF]

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
        self.reroute([item for item in self.selectedItems() if isinstance(item, NodeItem)])
        self._bounds = None
        self._fit_frames()
        self.shown.emit()

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
            stack.push(commands.MoveNodes(self.doc, moves, commands.new_gesture()))
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

