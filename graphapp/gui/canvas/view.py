"""The canvas view: zoom (wheel, Ctrl +/-), pan (middle drag or Space + drag), fit (F),
rubber-band selection, drops from the palette, and an overview minimap for big graphs.

A fitted view stays fitted: when the canvas changes size (a dock opens or closes, the window is
resized) it fits again, until the user zooms or pans. The minimap shows only while part of the
graph is off screen, in a corner Fit keeps clear of cards (:mod:`.minimap_place`)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QRegion,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from graphapp.gui.canvas import minimap_place
from graphapp.gui.canvas.scene import GraphScene
from graphapp.gui.theme import readable_zoom

__all__ = ["OP_MIME", "GraphView", "Minimap"]

#: Mime type of an op dragged from the palette (the op name as UTF-8).
OP_MIME = "application/x-graphapp-op"


class Minimap(QWidget):
    """A small overview of the whole graph with the visible area outlined; click or drag in it
    to move the view there."""

    def __init__(self, view: GraphView) -> None:
        super().__init__(view)
        self.view = view
        self.setFixedSize(*minimap_place.LARGEST)
        # it paints every pixel: redrawing it (as the scene changes) need not repaint the
        # canvas under it, with every curve crossing that corner
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._pixmap = QPixmap()
        self._source = QRectF()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._render)

    def schedule(self) -> None:
        """Redraw the overview soon (throttled: big graphs are expensive to render)."""
        self._timer.start()

    def render_now(self) -> None:
        """Redraw the overview at once."""
        self._timer.stop()
        self._render()

    def _render(self) -> None:
        scene = self.view.scene()
        if scene is None:
            return
        # A sketch, not scene.render(): painting a thousand full cards takes most of a second,
        # a thousand rectangles and lines a few milliseconds.
        self._source = scene.graph_rect().adjusted(-40, -40, 40, 40)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        theme = scene.theme
        pixmap.fill(QColor(theme.canvas))
        s, ox, oy = self._scale()
        left, top = self._source.left(), self._source.top()

        def at(p: QPointF) -> QPointF:
            return QPointF(ox + (p.x() - left) * s, oy + (p.y() - top) * s)

        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.faint, 1))
        for edge in scene.edges.values():
            if edge.isVisible():
                painter.drawLine(at(edge.draw_src.output_pos()),
                                 at(edge.draw_dst.input_pos(edge.draw_slot)))
        painter.setPen(QPen(theme.card_border, 0.8))
        for item in [*scene.nodes.values(), *scene.groups.values()]:
            if item.isVisible():
                r = item.sceneBoundingRect()
                painter.setBrush(theme.roles[item.display.header])
                painter.drawRect(QRectF(at(r.topLeft()), at(r.bottomRight())))
        painter.end()
        self._pixmap = pixmap
        self.update()

    def _scale(self) -> tuple[float, float, float]:
        if self._source.isEmpty():
            return 1.0, 0.0, 0.0
        s = min(self.width() / self._source.width(), self.height() / self._source.height())
        ox = (self.width() - self._source.width() * s) / 2
        oy = (self.height() - self._source.height() * s) / 2
        return s, ox, oy

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        theme = self.view.scene().theme
        painter.fillRect(self.rect(), theme.canvas)
        painter.drawPixmap(0, 0, self._pixmap)
        s, ox, oy = self._scale()
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        frame = QRectF(ox + (visible.left() - self._source.left()) * s,
                       oy + (visible.top() - self._source.top()) * s,
                       visible.width() * s, visible.height() * s)
        painter.setPen(QPen(theme.accent, 1.5))
        painter.drawRect(frame.intersected(QRectF(self.rect()).adjusted(0, 0, -1, -1)))
        painter.setPen(QPen(theme.card_border, 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))

    def _centre_on(self, point: QPointF) -> None:
        s, ox, oy = self._scale()
        self.view.leave_fit()
        self.view.centerOn(QPointF(self._source.left() + (point.x() - ox) / s,
                                   self._source.top() + (point.y() - oy) / s))
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._centre_on(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._centre_on(event.position())


class GraphView(QGraphicsView):
    """Shows a :class:`GraphScene`."""

    #: Right click: (node id or "" for the canvas, scene position, global position).
    context_menu = Signal(str, QPointF, QPoint)
    #: Tab: open the op search popup at the cursor.
    search_requested = Signal(QPointF)
    #: An op was dropped from the palette at a scene position.
    op_dropped = Signal(str, QPointF)
    zoom_changed = Signal(float)
    #: The canvas finished a repaint (the benchmark times a value edit up to it).
    repainted = Signal()

    def __init__(self, scene: GraphScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)  # the grid, drawn once
        # every item sets the pen, brush and font it paints with: no need to save and restore
        # the painter around each of a thousand items
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan_from: QPoint | None = None
        self._space = False
        self.minimap = Minimap(self)
        self.minimap.hide()
        self.minimap_corner = minimap_place.CORNERS[0]
        # fitted until the user zooms or pans: a resize (a dock opening) fits again, once the
        # dock layout has settled (a timer of the view's own)
        self._fitted = False
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_again)
        # bound methods (not lambdas), so Qt disconnects them when the view is destroyed
        scene.shown.connect(self._scene_changed)
        # after an undo or redo (of Auto Layout, say) the graph may lie where the view is
        # not: look once the scene has the new positions (a timer of the view's own, so
        # nothing fires after the view is gone)
        self._sight = QTimer(self)
        self._sight.setSingleShot(True)
        self._sight.setInterval(0)
        self._sight.timeout.connect(self.keep_in_sight)
        scene.doc.undo_stack.indexChanged.connect(self._undo_step)
        self.horizontalScrollBar().valueChanged.connect(self._view_moved)
        self.verticalScrollBar().valueChanged.connect(self._view_moved)
        # scroll bar clicks and drags, arrow keys (not the view's own moves)
        self.horizontalScrollBar().actionTriggered.connect(self.leave_fit)
        self.verticalScrollBar().actionTriggered.connect(self.leave_fit)

    # ----------------------------------------------------------------- zoom and fit
    @property
    def zoom(self) -> float:
        """The current scale factor."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (> 1) or out, within 5 % … 400 %."""
        target = min(4.0, max(0.05, self.zoom * factor))
        factor = target / self.zoom
        self.leave_fit()
        self.scale(factor, factor)
        self._view_moved()
        self.zoom_changed.emit(self.zoom)

    @property
    def min_fit_zoom(self) -> float:
        """Fit never zooms out further than this: the smallest text stays readable."""
        return readable_zoom(self.logicalDpiY())

    def fit(self) -> None:
        """Show the whole graph (never zooming in past 100 %, nor out past readable). The
        view stays fitted through resizes until the user zooms or pans."""
        scene = self.scene()
        rect = scene.graph_rect().adjusted(-40, -40, 40, 40)
        if rect.isEmpty():
            return
        self.grow_scene_rect()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        centre = rect.center()
        self.minimap_corner = minimap_place.CORNERS[0]
        least = self.min_fit_zoom
        if self.zoom > 1.0:
            self.resetTransform()
        elif self.zoom < least:
            # too big to read whole: stay readable, show the output end (the minimap shows
            # where the rest is), with no card under the minimap
            self.resetTransform()
            self.scale(least, least)
            output = self.scene().nodes.get(self.scene().doc.output or "")
            visible = self.viewport().width() / least
            if output is not None and output.isVisible() and rect.width() > 1.25 * visible:
                centre = QPointF(output.sceneBoundingRect().right() + 40 - visible / 2,
                                 output.sceneBoundingRect().center().y())
            centre = self._clear_of_minimap(rect, centre)
        self.centerOn(centre)
        self._fitted = True
        self._place_minimap()
        self._view_moved()
        self.zoom_changed.emit(self.zoom)

    def _clear_of_minimap(self, rect: QRectF, preferred: QPointF) -> QPointF:
        """A view centre near ``preferred`` where the minimap covers no card (and no edge
        label if it can), setting the minimap's corner."""
        scene = self.scene()
        self._size_minimap()
        cards = [r.getCoords() for item in [*scene.nodes.values(), *scene.groups.values()]
                 if item.isVisible() for r in (item.sceneBoundingRect(),)]
        labels = [r.getCoords() for edge in scene.edges.values()
                  if edge.isVisible() for r in (edge.label_scene_rect(),) if not r.isEmpty()]
        size = self.viewport().size()
        placement = minimap_place.place(
            rect.getCoords(), cards, labels, (size.width(), size.height()), self.zoom,
            (self.minimap.width(), self.minimap.height()), (preferred.x(), preferred.y()))
        self.minimap_corner = placement.corner
        return QPointF(*placement.centre)

    def leave_fit(self) -> None:
        """The user moved the view: resizes keep where it is rather than fit again."""
        self._fitted = False
        self._refit.stop()

    def _fit_again(self) -> None:
        if self._fitted:
            self.fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        scene = self.scene()
        if scene is not None:
            scene.exposed = self._curves_exposed(event.region())
        try:
            super().paintEvent(event)
        finally:
            if scene is not None:
                scene.exposed = None
        self.repainted.emit()
        if scene is not None:
            scene.painted()

    def _curves_exposed(self, region: QRegion) -> list[tuple[float, float, float, float]]:
        """The parts of ``region`` (viewport pixels) where curves can show, in scene
        coordinates (left, top, right, bottom): all of it but the opaque bodies of the cards
        redrawn since the last repaint (the scene's ``covers``), which are painted over the
        curves. A value edit repaints just the rows of the cards it changed, inside their
        bodies, so the long curves passing under a card need not be painted again."""
        scene = self.scene()
        covers, scene.covers = scene.covers, set()
        to_view = self.viewportTransform()
        if covers and not to_view.isRotating():
            for card in covers:
                if card.scene() is not scene:
                    continue
                body = card.opaque_rect()
                if body.isEmpty():
                    continue
                r = to_view.mapRect(card.mapRectToScene(body))
                # whole pixels, one in from each side: antialiased edges are not opaque
                left, top = math.ceil(r.left()) + 1, math.ceil(r.top()) + 1
                right, bottom = math.floor(r.right()) - 1, math.floor(r.bottom()) - 1
                if right > left and bottom > top:
                    region = region.subtracted(QRegion(left, top, right - left, bottom - top))
        return [self.mapToScene(rect).boundingRect().getCoords() for rect in region]

    def _undo_step(self, _index: int) -> None:
        self._sight.start()

    def keep_in_sight(self) -> None:
        """Fit the graph when none of it is on screen."""
        scene = self.scene()
        if scene is None or not scene.nodes:
            return
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if not visible.intersects(scene.graph_rect()):
            self.fit()

    def grow_scene_rect(self) -> None:
        """Keep the scrollable area a generous margin around the graph."""
        rect = self.scene().graph_rect()
        margin = max(rect.width(), rect.height(), 2000)
        self.setSceneRect(rect.adjusted(-margin, -margin, margin, margin))

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(1.15 ** steps)
        event.accept()

    # ----------------------------------------------------------------- keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.scene().delete_selection()
            return
        if key == Qt.Key.Key_F and not event.modifiers():
            self.fit()
            return
        if key == Qt.Key.Key_Tab:
            cursor = self.mapFromGlobal(self.cursor().pos())
            if not self.viewport().rect().contains(cursor):
                cursor = self.viewport().rect().center()
            self.search_requested.emit(self.mapToScene(cursor))
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.unsetCursor()
            return
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:
        return False  # Tab opens the op search instead of moving focus

    # ----------------------------------------------------------------- panning
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
                self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position().toPoint()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self.leave_fit()
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space:
                self.setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event) -> None:
        pos = self.mapToScene(event.pos())
        item = self.scene()._node_at(pos)
        self.context_menu.emit(item.node_id if item else "", pos, event.globalPos())

    # ----------------------------------------------------------------- drops
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()  # files go to the main window

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        if event.mimeData().hasFormat(OP_MIME):
            op = bytes(event.mimeData().data(OP_MIME)).decode()
            self.op_dropped.emit(op, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            event.ignore()

    # ----------------------------------------------------------------- minimap
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_minimap()
        self._view_moved()
        if self._fitted:
            self._refit.start()

    def _size_minimap(self) -> None:
        """The minimap takes the graph's shape, small enough for the view."""
        source = self.scene().graph_rect().adjusted(-40, -40, 40, 40)
        vp = self.viewport()
        size = minimap_place.size_for((source.width(), source.height()),
                                      (vp.width(), vp.height()))
        if size != (self.minimap.width(), self.minimap.height()):
            self.minimap.setFixedSize(*size)
            if self.minimap.isVisible():
                self.minimap.schedule()

    def _place_minimap(self) -> None:
        self._size_minimap()
        vp = self.viewport().geometry()
        left, top, _, _ = minimap_place.box(self.minimap_corner, (vp.width(), vp.height()),
                                            (self.minimap.width(), self.minimap.height()))
        self.minimap.move(vp.left() + int(left), vp.top() + int(top))

    def _scene_changed(self) -> None:
        if not self.sceneRect().contains(self.scene().graph_rect()):
            self.grow_scene_rect()
        if self.minimap.isVisible():
            self._place_minimap()
            self.minimap.schedule()
        self._view_moved()

    def _view_moved(self, _value: object = None) -> None:
        scene = self.scene()
        if scene is None:
            return
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        needed = bool(scene.nodes) and not visible.contains(scene.graph_rect())
        if needed and not self.minimap.isVisible():
            self._place_minimap()
            self.minimap.show()
            self.minimap.render_now()
        elif not needed and self.minimap.isVisible():
            self.minimap.hide()
        elif needed:
            self.minimap.update()
