"""An edge on the canvas: a curve from an output port to an input port, coloured and sized by
the gradient it carries back, with a label showing its local derivative and that gradient.

Where on its curve the label sits is the scene's choice (:mod:`.label_places`, run when cards
move or labels change size); the item keeps that spot as the curve moves under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from graphapp.gui.canvas.curve_pieces import Cubic, boxes, pieces, runs
from graphapp.gui.canvas.label_places import Spot, label_rect
from graphapp.gui.canvas.routes import CLEAR, REACH, SPREAD, TURN, Lane, Rect, lane, route
from graphapp.gui.theme import Theme, label_font

__all__ = ["DETAIL_ZOOM", "LABEL_TEXT", "WIDTH_STEP", "EdgeDisplay", "EdgeItem", "curve"]

#: Below this zoom, on a crowded view, edges are drawn without smoothing or labels.
DETAIL_ZOOM = 0.75
#: Curve widths are drawn in steps of this many scene pixels, so that a value edit that moves
#: a gradient a little leaves the curve as it was and repaints only the label.
WIDTH_STEP = 0.25
#: A label line's widest text, in scene pixels: longer ones (arrays) end in "…", as on the
#: cards (the edge's tooltip and the inspector show them whole), so labels fit between columns.
LABEL_TEXT = 100.0


@dataclass
class EdgeDisplay:
    """What an edge shows."""

    colour: QColor | None = None
    width: float = 1.4
    #: Label lines (shown when labels are on, or always when ``emphasis`` is set).
    lines: list[tuple[str, QColor | None]] = field(default_factory=list)
    #: Step mode: "current" (drawn bold, label forced on), "done", "pending" (faded) or "".
    step: str = ""
    dimmed: bool = False


#: A rectangle as (left, top, right, bottom).
Box = tuple[float, float, float, float]


def _meet(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


def _meets(areas: list[Box] | None, box: Box) -> bool:
    """True when ``box`` meets any of ``areas`` (``None``: everywhere)."""
    return areas is None or any(_meet(a, box) for a in areas)


def _stepped_width(width: float) -> float:
    return round(width / WIDTH_STEP) * WIDTH_STEP


def _curve_look(d: EdgeDisplay) -> tuple:
    """What the curve (not its label) is drawn from."""
    return d.colour, _stepped_width(d.width), d.step, d.dimmed


def curve(p0: QPointF, p1: QPointF, along: Lane | None = None) -> QPainterPath:
    """A smooth left-to-right cubic from ``p0`` to ``p1``, or the route back ``along`` a lane
    (:func:`.routes.route`)."""
    path = QPainterPath(p0)
    for _, c1, c2, end in route(p0.toTuple(), p1.toTuple(), along):
        path.cubicTo(QPointF(*c1), QPointF(*c2), QPointF(*end))
    return path


class EdgeItem(QGraphicsItem):
    """The edge ``src → dst`` on input ``slot``."""

    def __init__(self, src, dst, slot: int, theme: Theme) -> None:
        super().__init__()
        self.src, self.dst, self.slot = src, dst, slot
        #: What the curve is drawn between: the nodes themselves, or the card of a folded
        #: group standing in for one of them (see ``reroute``).
        self.draw_src, self.draw_dst, self.draw_slot = src, dst, slot
        self.theme = theme
        self.display = EdgeDisplay()
        self.show_label = True
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self._path = QPainterPath()
        self._ends = ((0.0, 0.0), (0.0, 0.0))
        #: The lane the edge runs back along (``None``: the plain cubic).
        self.lane: Lane | None = None
        self._tip = QPointF()
        #: Where the label sits on the curve (the scene's choice; ``None``: no room for it, so
        #: it is left out unless it is the current step's) and its size (width, height).
        self.label_spot: Spot | None = Spot()
        self._label_size = (0.0, 0.0)
        self._label_rect = QRectF()
        #: Where the widest label fits at the same spot (the item's bounds include it).
        self._label_room = QRectF()
        self._shape: QPainterPath | None = None
        self._bounds: tuple[QRectF, Box] | None = None
        self._looks: tuple | None = None
        #: The curve in short pieces (made on first paint after a move) and the part of it
        #: last painted: (runs of pieces, their path).
        self._pieces: list[Cubic] | None = None
        self._boxes = None
        self._shown: tuple[list[tuple[int, int]], QPainterPath] = ([], QPainterPath())
        self.update_path()

    @property
    def key(self) -> tuple[str, str, int]:
        """``(src, dst, slot)``."""
        return self.src.node_id, self.dst.node_id, self.slot

    def update_path(self, cards: Sequence[Rect] | None = None) -> None:
        """Follow the nodes after one of them moved (``cards``: every shown card's footprint,
        when the caller has them at hand)."""
        p0, p3 = self.draw_src.output_pos(), self.draw_dst.input_pos(self.draw_slot)
        self._ends = (p0.toTuple(), p3.toTuple())
        # the lane before Qt hears of the change: finding it asks the scene for cards, which
        # would index this item where its old curve was
        self.lane = self._find_lane(cards) if p3.x() < p0.x() else None
        self.prepareGeometryChange()
        self._path = curve(p0, p3, self.lane)
        self._shape = None
        self._pieces = None
        self._tip = p3
        self._looks = None
        self._label_rect = self._place_label()
        self._label_room = self._place_label(widest=True)
        self._bounds = None

    def follow_lane(self, cards: Sequence[Rect] | None = None) -> bool:
        """Look again for this edge's lane (cards moved around it, not only its own two);
        True when it changed."""
        (x0, _), (x3, _) = self._ends
        if not self.isVisible() or (x3 >= x0 and self.lane is None):
            return False
        if self._find_lane(cards) == self.lane:
            return False
        self.update_path(cards)
        return True

    def _find_lane(self, cards: Sequence[Rect] | None = None) -> Lane | None:
        """A free lane among the cards this edge runs back past (:func:`.routes.lane`)."""
        scene = self.scene()
        if scene is None:
            return None
        if cards is None:  # the cards within the lane's reach
            (x0, y0), (x3, y3) = self._ends
            side = TURN + 3 * SPREAD + 2 * CLEAR
            cards = scene.cards_in(x3 - side, min(y0, y3) - REACH, x0 + side,
                                   max(y0, y3) + REACH)
        return lane(*self._ends, cards, self.draw_slot)

    @property
    def ends(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Where the curve starts and ends (scene coordinates)."""
        return self._ends

    @property
    def label_size(self) -> tuple[float, float]:
        """The label's width and height ((0, 0) when no label is shown)."""
        return self._label_size

    def set_label_spot(self, spot: Spot | None) -> None:
        """Put the label at ``spot`` on the curve (``None``: leave it out, no room)."""
        if spot != self.label_spot:
            self.label_spot = spot
            self._relabel()

    def _relabel(self) -> bool:
        """Put the label where its spot and size say; True when the whole item was repainted
        (the label moved to another spot). The item's bounds hold the widest label at the
        spot, so a label that grows or shrinks there repaints just its own rectangle."""
        rect = self._place_label()
        if rect == self._label_rect:
            return False
        room = self._place_label(widest=True)
        self._shape = None
        if room != self._label_room:
            self.prepareGeometryChange()
            self._label_rect, self._label_room = rect, room
            self._bounds = None
            self.update()
            return True
        self.update(rect.united(self._label_rect))
        self._label_rect = rect
        return False

    def reroute(self, src, dst, slot: int) -> None:
        """Draw from ``src``'s output to ``dst``'s input ``slot`` (a folded group's card)."""
        for old in (self.draw_src, self.draw_dst):
            if old not in (self.src, self.dst) and self in old.edges:
                old.edges.remove(self)
        self.draw_src, self.draw_dst, self.draw_slot = src, dst, slot
        for new in (src, dst):
            if self not in new.edges:
                new.edges.append(self)
        self.update_path()

    def set_display(self, display: EdgeDisplay, show_label: bool) -> bool:
        """Show new colours and label text (nothing to do when nothing changed); True when
        the label's size changed (its spot may no longer be free).

        When the curve looks the same (same colour, width step and state) only the label is
        repainted: a long curve's repaint would redraw every curve crossing its box."""
        if display == self.display and show_label == self.show_label:
            return False
        curve_same = _curve_look(display) == _curve_look(self.display)
        old_label = QRectF(self._label_rect)
        self.display = display
        self.show_label = show_label
        self._looks = None
        size = self._measure_label()
        resized = size != self._label_size
        self._label_size = size
        if self._relabel() or not curve_same:
            self.update()
        elif not old_label.isNull():  # the same label rectangle, new text (an empty
            self.update(old_label)     # rectangle would repaint the whole item)
        return resized

    def _label_visible(self) -> bool:
        return bool(self.display.lines) and (self.show_label or self.display.step == "current")

    def _measure_label(self) -> tuple[float, float]:
        if not self._label_visible():
            return 0.0, 0.0
        _, metrics = label_font()
        w = min(LABEL_TEXT, max(metrics.horizontalAdvance(text)
                                for text, _ in self.display.lines)) + 12
        h = metrics.height() * len(self.display.lines) + 6
        return w, h

    def _place_label(self, widest: bool = False) -> QRectF:
        spot = self.label_spot
        if spot is None and self.display.step == "current":
            spot = Spot()  # the step being explained is labelled, room or not
        if self._label_size == (0.0, 0.0) or spot is None:
            return QRectF()
        size = (LABEL_TEXT + 12, self._label_size[1]) if widest else self._label_size
        left, top, right, bottom = label_rect(*self._ends, size, spot, self.lane)
        return QRectF(left, top, right - left, bottom - top)

    def path_rect(self) -> QRectF:
        """The curve's bounding rectangle (without its label)."""
        return self._path.boundingRect()

    def label_scene_rect(self) -> QRectF:
        """The label's rectangle in the scene (empty when no label is shown)."""
        return QRectF(self._label_rect)

    def boundingRect(self) -> QRectF:
        if self._bounds is None:  # Qt asks for it on every repaint near the curve
            rect = self._path.boundingRect().adjusted(-8, -8, 8, 8).united(self._label_room)
            self._bounds = rect, rect.getCoords()
        return self._bounds[0]

    def shape(self) -> QPainterPath:
        if self._shape is None:  # made on first hit test after a move, then kept
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self._path)
            if not self._label_rect.isNull():
                self._shape.addRect(self._label_rect)
        return self._shape

    def _style(self) -> tuple[QPen, QColor, QPolygonF, QPen | None]:
        """Pen, fill and arrowhead for the current look, made once per change, not per paint."""
        if self._looks is None:
            d, t = self.display, self.theme
            colour = QColor(d.colour or t.zero)
            width = _stepped_width(d.width) + (1.5 if d.step == "current" else 0.0)
            if d.step == "pending" or d.dimmed:
                colour.setAlphaF(0.35)
            if self.isSelected():
                colour = QColor(t.accent)
            glow = None
            if d.step == "current":
                halo = QColor(t.step)
                halo.setAlphaF(0.45)
                glow = QPen(halo, width + 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            tip, size = self._tip, 6 + width  # the curve arrives horizontally, left to right
            arrow = QPolygonF([tip, QPointF(tip.x() - size, tip.y() + size * 0.5),
                               QPointF(tip.x() - size, tip.y() - size * 0.5)])
            self._looks = (pen, colour, arrow, glow)
        return self._looks

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._looks = None
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        # Level of detail: with hundreds of edges on screen at a small zoom, smoothing the
        # long curves is most of the cost of a repaint and the labels are too small to read;
        # then they are drawn plain.
        areas = self._areas(painter)
        if areas is not None:
            reach = self._reach()
            areas = [a for a in areas if _meet(a, reach)]
            if not areas:  # inside cards that hide the curve, or away from it
                return
        path = self._shown_path(areas, self.display.width / 2 + 8)
        label = not self._label_rect.isNull() and \
            _meets(areas, self._label_rect.adjusted(-2, -2, 2, 2).getCoords())
        if path.isEmpty() and not label and not _meets(areas, self._arrow_box()):
            return  # a repaint near this curve's box, but not near the curve itself
        scene = self.scene()
        detailed = not getattr(scene, "crowded", False) or \
            option.levelOfDetailFromTransform(painter.worldTransform()) >= DETAIL_ZOOM
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        pen, colour, arrow, glow = self._style()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if glow is not None:
            painter.setPen(glow)
            painter.drawPath(path)
        painter.setPen(pen)
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(arrow)
        if label and (detailed or self.display.step == "current"):
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_label(painter)

    def _arrow_box(self) -> Box:
        size = 16 + self.display.width
        x, y = self._tip.x(), self._tip.y()
        return x - size, y - size, x + 2, y + size

    def _reach(self) -> Box:
        """The item's bounds as (left, top, right, bottom), kept with them."""
        if self._bounds is None:
            self.boundingRect()
        return self._bounds[1]

    def _areas(self, painter: QPainter) -> list[Box] | None:
        """Where this paint can show anything of the curve, in item (= scene) coordinates
        (``None``: unknown, all of it): the rectangles the canvas is repainting outside the
        cards that hide what lies under them (``GraphScene.exposed``, while the view paints),
        else what the painter can paint in."""
        exposed = getattr(self.scene(), "exposed", None)
        if exposed is not None:
            return exposed
        area = self._exposed(painter)
        return None if area is None else [area.getCoords()]

    @staticmethod
    def _exposed(painter: QPainter) -> QRectF | None:
        """The rectangle the painter can paint in, in item coordinates (``None``: unknown,
        all of it): the widget's exposed region (the paint engine's system clip, in its own
        device's coordinates) or else the whole paint device, within the painter's clip."""
        engine = painter.paintEngine()
        exposed = engine.systemClip() if engine is not None else None
        if exposed is not None and not exposed.isEmpty():
            to_device, area = painter.deviceTransform(), QRectF(exposed.boundingRect())
        else:
            device = painter.device()
            if device is None or device.width() <= 0:
                return None
            to_device = painter.combinedTransform()
            area = QRectF(0, 0, device.width(), device.height())
        inverse, invertible = to_device.inverted()
        if not invertible:
            return None
        area = inverse.mapRect(area)
        if painter.hasClipping():
            area = area.intersected(painter.clipBoundingRect())
        return area

    def _shown_path(self, areas: list[Box] | None, margin: float) -> QPainterPath:
        """The part of the curve that shows in ``areas`` widened by ``margin``: Qt's stroker
        works through a whole curve however little of it is painted (see
        :mod:`.curve_pieces`)."""
        if self._pieces is None:
            self._pieces = pieces(*self._ends, lane=self.lane)
            self._boxes = boxes(self._pieces)
        if len(self._pieces) == 1 or areas is None:
            return self._path
        shown = runs(self._boxes, *((left - margin, top - margin, right + margin,
                                     bottom + margin) for left, top, right, bottom in areas))
        if shown != self._shown[0]:
            path = QPainterPath()
            for first, end in shown:
                path.moveTo(QPointF(*self._pieces[first][0]))
                for _, c1, c2, p in self._pieces[first:end]:
                    path.cubicTo(QPointF(*c1), QPointF(*c2), QPointF(*p))
            self._shown = shown, path
        return self._shown[1]

    def _paint_label(self, painter: QPainter) -> None:
        d, t = self.display, self.theme
        rect = self._label_rect
        fill = QColor(t.card)
        fill.setAlphaF(0.92)
        border = t.step if d.step == "current" else t.faint
        painter.setPen(QPen(border, 1.4 if d.step == "current" else 0.8))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 4, 4)
        font, metrics = label_font()
        painter.setFont(font)
        line_h = metrics.height()
        y = rect.top() + 3
        for text, colour in d.lines:
            painter.setPen(colour or t.muted)
            painter.drawText(QRectF(rect.left() + 6, y, rect.width() - 12, line_h),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, LABEL_TEXT))
            y += line_h
