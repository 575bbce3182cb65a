"""Groups on the canvas: a named set of nodes folded into one box (an MLP neuron, a loss), and
unfolded again. Folding only changes what is drawn: the engine graph is untouched, so values
and gradients flow through a folded group exactly as before.

Folded, a group is one card whose input ports are the edges entering it and whose rows show the
value and gradient of each node that leaves it; edges inside are hidden. Unfolded, its members
are drawn on a tinted frame with the group's name.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from graphapp.formats.text import is_position
from graphapp.gui.canvas.display import group_display
from graphapp.gui.canvas.node_item import NodeDisplay, NodeItem
from graphapp.gui.theme import Theme, card_fonts

__all__ = ["GroupFrame", "GroupItem", "SceneGroups", "centroid", "group_key"]


def group_key(name: str) -> str:
    """The scene key of a folded group's card (never a valid node id: it has a colon)."""
    return f"group:{name}"


class GroupItem(NodeItem):
    """A folded group, drawn as one card."""

    def __init__(self, name: str, display: NodeDisplay, theme: Theme) -> None:
        super().__init__(group_key(name), display, theme)
        self.group = name
        #: (src, dst, slot) of the edge each input port stands for.
        self.entries: list[tuple[str, str, int]] = []


class GroupFrame(QGraphicsItem):
    """The tinted area behind an unfolded group's members, with its name."""

    def __init__(self, name: str, theme: Theme) -> None:
        super().__init__()
        self.group = name
        self.theme = theme
        self.rect = QRectF()
        self.setZValue(-1)

    def fit(self, rect: QRectF) -> None:
        """Surround ``rect`` (the members' bounds) with a margin and a title strip."""
        self.prepareGeometryChange()
        self.rect = rect.adjusted(-18, -34, 18, 18)
        self.update()

    def title_rect(self) -> QRectF:
        """Where the name is written: double-click there to fold the group."""
        return QRectF(self.rect.left(), self.rect.top(), self.rect.width(), 28)

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(self.theme.roles["header:group"])
        fill.setAlphaF(0.45)
        painter.setBrush(fill)
        painter.setPen(QPen(self.theme.faint, 1.2, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(self.rect, 10, 10)
        title, _, _ = card_fonts()
        painter.setFont(title)
        painter.setPen(self.theme.muted)
        painter.drawText(self.title_rect().adjusted(12, 0, -12, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         f"{self.group}   (double-click to fold)")


class SceneGroups:
    """Folded cards and unfolded frames of the graph scene (a mixin of ``GraphScene``): the
    groups are the document's (``doc.groups``, and each node's ``group`` attribute)."""

    def members(self) -> dict[str, list[str]]:
        """Group name → its member nodes, from the nodes' ``group`` attribute."""
        found: dict[str, list[str]] = {}
        for node, data in self.doc.graph.table().items():
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
                item.set_display(self.group_display(name, item))
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

    def group_display(self, name: str, item: GroupItem) -> NodeDisplay:
        """What a folded group's card shows now."""
        results = self.doc.results
        hidden = self.doc.quiz_hidden() if self.doc.quiz is not None else ()
        return group_display(self.doc.graph, name, self.members().get(name, []), item.entries,
                             self.doc.output, results.forward, results.backward, self.theme,
                             hidden)


def centroid(items: list[NodeItem]) -> QPointF:
    """The middle of some cards' top-left corners, for placing a folded group."""
    if not items:
        return QPointF()
    x = sum(i.pos().x() for i in items) / len(items)
    y = sum(i.pos().y() for i in items) / len(items)
    return QPointF(x, y)
