"""A node on the canvas: a card with its name, op symbol, value and gradient, an input port per
slot on the left and the output port on the right.

The card only paints what it is given (:class:`NodeDisplay`); the scene decides what to show.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from graphapp.formats.present import Card
from graphapp.gui.theme import Theme, card_fonts, card_metrics

__all__ = ["NodeDisplay", "NodeItem", "PortItem"]

WIDTH = 168.0
WIDE = 230.0
HEADER = 26.0
ROW = 21.0
PORT_RADIUS = 5.0


@dataclass(frozen=True)
class NodeDisplay(Card):
    """Everything a card shows: the presenter's card with its colours made ``QColor``, and
    the node's place in step mode."""

    rows: tuple[tuple[str, str, QColor | None], ...] = ()
    #: Step mode: "current", "done", "pending" or "" when not stepping.
    step: str = ""


#: What a card shows besides its rows.
_NOT_ROWS = tuple(f.name for f in dataclasses.fields(NodeDisplay) if f.name != "rows")


class PortItem(QGraphicsEllipseItem):
    """An input slot (``slot`` ≥ 0) or the output (``slot`` = -1) of a node."""

    def __init__(self, node: NodeItem, slot: int, label: str = "") -> None:
        r = PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node)
        self.node = node
        self.slot = slot
        self.label = label
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        self._hover = False
        self.setToolTip("drag to an input to connect" if slot < 0 else
                        f"input {label}: drop an output here")

    @property
    def is_output(self) -> bool:
        """True for the output port."""
        return self.slot < 0

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.node.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = theme.accent if self._hover else (theme.card if self.slot >= 0 else theme.muted)
        painter.setPen(QPen(theme.card_border, 1.2))
        painter.setBrush(fill)
        painter.drawEllipse(self.rect())


class NodeItem(QGraphicsItem):
    """One node's card."""

    def __init__(self, node_id: str, display: NodeDisplay, theme: Theme) -> None:
        super().__init__()
        self.node_id = node_id
        self.theme = theme
        self.display = display
        # No ItemSendsGeometryChanges: a Python itemChange on every flag and child change
        # doubles the cost of building a thousand cards; the scene re-routes edges itself.
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.edges: list = []  # EdgeItems touching this node, kept by the scene
        self.inputs: list[PortItem] = []
        self.output = PortItem(self, -1)
        self._make_ports()

    # ----------------------------------------------------------------- geometry
    @property
    def width(self) -> float:
        """Card width: wider for arrays."""
        return WIDE if self.display.wide else WIDTH

    @property
    def height(self) -> float:
        """Card height: header plus one row per line shown."""
        return HEADER + ROW * max(2, len(self.display.rows)) + 6

    def boundingRect(self) -> QRectF:
        m = PORT_RADIUS + 3
        return QRectF(-m, -m, self.width + 2 * m, self.height + 2 * m)

    def footprint(self) -> QRectF:
        """What the card covers in the scene: its body and the ports sticking out left and
        right (edge labels keep clear of it)."""
        return QRectF(self.pos().x() - PORT_RADIUS, self.pos().y(),
                      self.width + 2 * PORT_RADIUS, self.height)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, self.width, self.height), 7, 7)
        return path

    def input_pos(self, slot: int) -> QPointF:
        """Scene position of an input port."""
        return self.mapToScene(self._input_local(slot))

    def output_pos(self) -> QPointF:
        """Scene position of the output port."""
        return self.mapToScene(QPointF(self.width, self._body_mid()))

    def _body_mid(self) -> float:
        return HEADER + (self.height - HEADER) / 2

    def _input_local(self, slot: int) -> QPointF:
        n = max(1, len(self.display.slot_names))
        body = self.height - HEADER
        return QPointF(0, HEADER + body * (slot + 1) / (n + 1))

    def _make_ports(self) -> None:
        for port in self.inputs:
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        self.inputs = [PortItem(self, s, name) for s, name in enumerate(self.display.slot_names)]
        self._place_ports()

    def _place_ports(self) -> None:
        for port in self.inputs:
            port.setPos(self._input_local(port.slot))
        self.output.setPos(QPointF(self.width, self._body_mid()))

    # ----------------------------------------------------------------- display
    def set_display(self, display: NodeDisplay) -> bool:
        """Show new texts and states; re-lay the ports if the slots or size changed. True when
        the card changed size or ports (its edges moved).

        When only some rows' texts or colours changed (a value edit), just those rows are
        repainted: inside the card's opaque body, where nothing under the card shows (see
        :meth:`opaque_rect`), so the canvas need not redraw the curves passing beneath."""
        old = self.display
        if display == old:
            return False
        resized = (old.wide != display.wide or len(old.rows) != len(display.rows))
        if resized or old.slot_names != display.slot_names:
            self.prepareGeometryChange()
        self.display = display
        if old.slot_names != display.slot_names:
            self._make_ports()
        elif resized:
            self._place_ports()
        if resized:
            for edge in self.edges:
                edge.update_path()
        self.setOpacity(0.42 if display.dimmed else 1.0)
        if not resized and all(getattr(old, f) == getattr(display, f) for f in _NOT_ROWS):
            for i, (was, now) in enumerate(zip(old.rows, display.rows, strict=True)):
                if was != now:
                    self.update(self.row_rect(i))
        else:
            self.update()
        return resized or old.slot_names != display.slot_names

    def row_rect(self, row: int) -> QRectF:
        """Where row ``row`` (key and text) is written, in item coordinates."""
        return QRectF(8, HEADER + 3 + ROW * row, self.width - 16, ROW)

    def opaque_rect(self) -> QRectF:
        """A rectangle of the card (item coordinates) that its paint covers with opaque
        colour, hiding whatever lies under it; empty when the card is translucent."""
        if self.effectiveOpacity() < 1.0 or not self.isVisible():
            return QRectF()
        # within the rounded corners (radius 7) and the border's antialiased edge
        return QRectF(4, HEADER, self.width - 8, self.height - HEADER - 4)

    def value_row_rect(self) -> QRectF:
        """Where the value is written (the inline editor goes here), in item coordinates."""
        return self.row_rect(0)

    # ----------------------------------------------------------------- painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        d, t = self.display, self.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(0, 0, self.width, self.height)
        title_font, body_font, small_font = card_fonts()
        metrics, body_metrics, small_metrics = card_metrics()

        border, width = t.card_border, 1.2
        if d.is_output:
            border, width = t.text, 2.4
        if d.error:
            border, width = t.error, 2.4
        if d.step == "current":
            border, width = t.step, 3.2
        if self.isSelected():
            border, width = t.accent, 2.6
        fill = t.error_fill if d.error else t.card
        painter.setPen(QPen(border, width))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 7, 7)

        header = QPainterPath()
        header.addRoundedRect(QRectF(1, 1, self.width - 2, HEADER), 6, 6)
        header.addRect(QRectF(1, HEADER / 2, self.width - 2, HEADER / 2))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.roles[d.header])
        painter.drawPath(header.simplified())

        painter.setPen(t.text)
        painter.setFont(title_font)
        room = self.width - 26 - body_metrics.horizontalAdvance(d.symbol)
        name = metrics.elidedText(d.name, Qt.TextElideMode.ElideRight, max(room, 30.0))
        painter.drawText(QRectF(9, 0, self.width - 18, HEADER),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        painter.setFont(body_font)
        painter.setPen(t.muted)
        painter.drawText(QRectF(9, 0, self.width - 18, HEADER),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, d.symbol)

        left = 20.0 if d.slot_names else 9.0
        y = HEADER + 3
        for key, text, colour in d.rows:
            painter.setFont(small_font)
            painter.setPen(t.muted)
            row = QRectF(left, y, self.width - left - 9, ROW)
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, key)
            painter.setFont(body_font)
            painter.setPen(colour or t.text)
            room = row.width() - small_metrics.horizontalAdvance(key) - 8
            shown = body_metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             shown)
            y += ROW
        if d.slot_names:
            painter.setFont(small_font)
            painter.setPen(t.faint)
            for port in self.inputs:
                p = self._input_local(port.slot)
                painter.drawText(QRectF(p.x() + 7, p.y() - 7, 10, 14),
                                 Qt.AlignmentFlag.AlignVCenter, port.label)
