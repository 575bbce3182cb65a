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

from graphapp.gui.canvas.node_item import NodeDisplay, NodeItem
from graphapp.gui.theme import Theme, card_fonts

__all__ = ["GroupFrame", "GroupItem", "group_key"]


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
        fill = QColor(self.theme.headers["group"])
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


def centroid(items: list[NodeItem]) -> QPointF:
    """The middle of some cards' top-left corners, for placing a folded group."""
    if not items:
        return QPointF()
    x = sum(i.pos().x() for i in items) / len(items)
    y = sum(i.pos().y() for i in items) / len(items)
    return QPointF(x, y)
