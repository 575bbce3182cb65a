"""The toolbar's and menus' icons, drawn in the palette's text colour at any size.

Drawn rather than taken from the style: asking the style for its standard icons makes PySide6
build the Python types of ``QStyle`` and its eleven enums, about 6 ms of the window's start
(measured), and the style's pictures keep their own colours in a dark palette. Each icon is a
few strokes and fills on a 24 × 24 grid (:data:`DRAWINGS`), scaled to the size asked for at
the screen's pixel ratio.

Caveats: a disabled icon takes the palette's disabled text colour, and one in a selected row
of a list its highlighted text colour; but a highlighted menu row keeps the text colour, as
the style's coloured pictures did (Fusion asks for a hovered menu row's icon in the same mode
as a hovered toolbar button's, whose background stays light). Colours come from the
application's palette, not from the palette of the widget showing the icon.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)

__all__ = ["DRAWINGS", "icon"]

#: The grid every drawing is made on (scaled to the icon's size).
GRID = 24.0


def _pen(painter: QPainter, ink: QColor, width: float = 1.75) -> None:
    pen = QPen(ink, width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _fill(painter: QPainter, ink: QColor, points: list[tuple[float, float]]) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in points]))


def _stroke(painter: QPainter, ink: QColor, outline: list[tuple[float, float]],
            *lines: list[tuple[float, float]]) -> None:
    """Stroke a closed ``outline`` and open ``lines``, each a list of points on the grid."""
    _pen(painter, ink)
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in outline]))
    path.closeSubpath()
    for line in lines:
        path.moveTo(*line[0])
        for x, y in line[1:]:
            path.lineTo(x, y)
    painter.drawPath(path)


def _page(painter: QPainter, ink: QColor) -> None:
    """A sheet with its top right corner folded: a new, empty graph."""
    _stroke(painter, ink, [(5.5, 3.5), (14.5, 3.5), (19.5, 8.5), (19.5, 20.5), (5.5, 20.5)],
            [(14.5, 3.5), (14.5, 8.5), (19.5, 8.5)])


def _folder(painter: QPainter, ink: QColor) -> None:
    """A folder with a tab: open a file."""
    _stroke(painter, ink,
            [(3.5, 6.5), (9.0, 6.5), (11.0, 8.5), (20.5, 8.5), (20.5, 18.5), (3.5, 18.5)],
            [(3.5, 11.0), (20.5, 11.0)])


def _disk(painter: QPainter, ink: QColor) -> None:
    """A floppy disk: save."""
    _stroke(painter, ink, [(4.5, 4.5), (16.5, 4.5), (19.5, 7.5), (19.5, 19.5), (4.5, 19.5)])
    painter.drawRect(QRectF(8.0, 4.5, 7.0, 4.5))  # the shutter
    painter.drawRect(QRectF(7.5, 13.0, 9.0, 6.5))  # the label


def _turn(painter: QPainter, ink: QColor, back: bool) -> None:
    """A curved arrow turning back (undo) or on (redo)."""
    _pen(painter, ink)
    painter.save()
    if not back:  # redo is undo mirrored
        painter.translate(GRID, 0.0)
        painter.scale(-1.0, 1.0)
    path = QPainterPath(QPointF(5.5, 10.0))
    path.lineTo(14.0, 10.0)
    path.cubicTo(17.5, 10.0, 19.5, 12.5, 19.5, 14.75)
    path.cubicTo(19.5, 17.0, 17.5, 19.5, 14.0, 19.5)
    path.lineTo(10.0, 19.5)
    path.moveTo(9.5, 6.0)
    path.lineTo(5.5, 10.0)
    path.lineTo(9.5, 14.0)
    painter.drawPath(path)
    painter.restore()


def _play(painter: QPainter, ink: QColor) -> None:
    _fill(painter, ink, [(7.0, 4.5), (19.0, 12.0), (7.0, 19.5)])


def _seek(painter: QPainter, ink: QColor, forward: bool) -> None:
    """Two arrowheads: one step on or back."""
    for x in (3.0, 12.0):
        tip, base = (x + 9.0, x) if forward else (x, x + 9.0)
        _fill(painter, ink, [(base, 6.0), (tip, 12.0), (base, 18.0)])


def _skip_backward(painter: QPainter, ink: QColor) -> None:
    """A bar and two arrowheads: back to the first step."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawRect(QRectF(3.5, 6.0, 2.25, 12.0))
    for x in (6.5, 14.0):
        _fill(painter, ink, [(x + 7.5, 6.0), (x, 12.0), (x + 7.5, 18.0)])


#: Each icon's drawing by name, on the :data:`GRID`.
DRAWINGS: dict[str, Callable[[QPainter, QColor], None]] = {
    "page": _page,
    "folder": _folder,
    "disk": _disk,
    "undo": lambda painter, ink: _turn(painter, ink, back=True),
    "redo": lambda painter, ink: _turn(painter, ink, back=False),
    "play": _play,
    "seek_forward": lambda painter, ink: _seek(painter, ink, forward=True),
    "seek_backward": lambda painter, ink: _seek(painter, ink, forward=False),
    "skip_backward": _skip_backward,
}


def _ink(mode: QIcon.Mode) -> QColor:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.WindowText)


#: Engines Qt cloned (see ``_Drawn.clone``).
_CLONES: list[QIconEngine] = []


class _Drawn(QIconEngine):
    """Paints one of :data:`DRAWINGS`; Qt asks for it at each size and mode it shows."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        side = min(rect.width(), rect.height())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.x() + (rect.width() - side) / 2,
                          rect.y() + (rect.height() - side) / 2)
        painter.scale(side / GRID, side / GRID)
        DRAWINGS[self._name](painter, _ink(mode))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """The drawing on a transparent pixmap (Qt's default leaves the pixels unset)."""
        if size.isEmpty():
            return QPixmap()
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        # Qt takes the copy, but PySide6 leaves it owned by Python: kept here, it outlives
        # this call (Qt clones an icon only when one shared copy is changed, e.g. addPixmap);
        # those Qt has deleted since are let go
        twin = _Drawn(self._name)
        _CLONES[:] = [*filter(shiboken6.isValid, _CLONES), twin]
        return twin

    def key(self) -> str:
        return f"graphapp-{self._name}"


def icon(name: str) -> QIcon:
    """The icon drawn by ``DRAWINGS[name]`` (``KeyError`` for an unknown name)."""
    if name not in DRAWINGS:  # here, not at the first paint
        raise KeyError(name)
    return QIcon(_Drawn(name))
