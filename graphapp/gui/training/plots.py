"""The panel's plots (pyqtgraph, imported when the panel opens): the data over the decision
boundary, where clicks add and remove points, and curves with hover read-outs.

Each plot paints what it is given: ``show(...)`` with arrays from a snapshot.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor

from graphapp.gui.training.display import CLASS_COLOURS, NEGATIVE, POSITIVE, fmt

__all__ = ["CurvePlot", "DataPlot"]

# segments, not one path: Qt strokes a long, wide, zigzagging path very slowly
pg.setConfigOptions(antialias=True, background="w", foreground="#374151",
                   segmentedLineMode="on")


def _colour(task: str, label: float, lo: float, hi: float) -> QColor:
    if task == "classes":
        return CLASS_COLOURS[int(label) % len(CLASS_COLOURS)]
    t = 0.5 if hi <= lo else (label - lo) / (hi - lo)
    return POSITIVE if t >= 0.5 else NEGATIVE


class DataPlot(pg.PlotWidget):
    """Training points (filled, white rim) and test points (white, coloured rim) over the
    model's output as a heat map. Left click adds a point of the chosen class, right click
    removes the nearest point (``add_point(x, y)`` / ``remove_point(x, y)``)."""

    add_point = Signal(float, float)
    remove_point = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().setTitle("Data and the network's output")
        self.image = pg.ImageItem()
        self.image.setOpacity(0.7)  # lighter than the points drawn on it
        self.addItem(self.image)
        self.train = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=1.2),
                                        brush=pg.mkBrush("#6b7280"))
        self.test = pg.ScatterPlotItem(size=8, brush=pg.mkBrush("w"),
                                       pen=pg.mkPen("#6b7280", width=2.2))
        self.sample = pg.ScatterPlotItem(size=22, pen=pg.mkPen("#111827", width=3),
                                         brush=pg.mkBrush(None))
        for item in (self.train, self.test, self.sample):
            self.addItem(item)
        self.legend = self.addLegend(offset=(6, 6), labelTextSize="8pt")
        self.legend.addItem(self.train, "training points")
        self.legend.addItem(self.test, "test points")
        self.scene().sigMouseClicked.connect(self._clicked)
        self._extent: tuple[float, float, float, float] | None = None

    def show_points(self, task: str, x_train: np.ndarray, y_train: np.ndarray,
                    x_test: np.ndarray, y_test: np.ndarray,
                    extent: tuple[float, float, float, float]) -> None:
        """The data set's points, and the plane they span."""
        ys = np.concatenate([y_train, y_test])
        lo, hi = (float(ys.min()), float(ys.max())) if len(ys) else (0.0, 1.0)
        self.train.setData(x_train[:, 0], x_train[:, 1],
                           brush=[pg.mkBrush(_colour(task, v, lo, hi)) for v in y_train])
        self.test.setData(x_test[:, 0], x_test[:, 1],
                          pen=[pg.mkPen(_colour(task, v, lo, hi), width=2.2) for v in y_test])
        if extent != self._extent:
            self._extent = extent
            x0, x1, y0, y1 = extent
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def show_map(self, image, extent: tuple[float, float, float, float]) -> None:
        """A QImage of the output over ``extent`` (first row at the bottom)."""
        x0, x1, y0, y1 = extent
        arr = pg.imageToArray(image, copy=True, transpose=True)
        self.image.setImage(arr[:, ::-1], levels=(0, 255))
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def show_sample(self, point: np.ndarray | None) -> None:
        """Ring the sample of the last single-sample step (None: no ring)."""
        if point is None:
            self.sample.setData([], [])
        else:
            self.sample.setData([float(point[0])], [float(point[1])])

    def plane_point(self, pos: QPointF) -> QPointF:
        """Scene position → data coordinates."""
        return self.getPlotItem().vb.mapSceneToView(pos)

    def _clicked(self, event) -> None:
        if not self.getPlotItem().vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = self.plane_point(event.scenePos())
        if event.button() == Qt.MouseButton.LeftButton:
            self.add_point.emit(p.x(), p.y())
        elif event.button() == Qt.MouseButton.RightButton:
            self.remove_point.emit(p.x(), p.y())
        event.accept()


class CurvePlot(pg.PlotWidget):
    """Named curves against one x axis; the mouse shows the nearest values of each curve."""

    def __init__(self, title: str, x_label: str, names: list[str], colours: list[str],
                 log_y: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.hideButtons()
        item = self.getPlotItem()
        item.setTitle(title)
        item.setLabel("bottom", x_label)
        for side in ("bottom", "left"):  # "epoch (x0.001)" confuses: plain numbers
            item.getAxis(side).enableAutoSIPrefix(False)
        item.showGrid(x=True, y=True, alpha=0.25)
        item.setLogMode(y=log_y)
        self.log_y = log_y
        self.legend = self.addLegend(offset=(-6, 6), labelTextSize="8pt")
        self.curves = {}
        for name, colour in zip(names, colours, strict=True):
            self.curves[name] = self.plot([], [], pen=pg.mkPen(colour, width=2), name=name)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#9ca3af", style=Qt.PenStyle.DashLine))
        self.cursor.hide()
        self.addItem(self.cursor, ignoreBounds=True)
        self.readout = pg.TextItem("", color="#111827", anchor=(0, 1), fill=QColor(255, 255,
                                                                                   255, 220))
        self.readout.hide()
        self.addItem(self.readout, ignoreBounds=True)
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.scene().sigMouseMoved.connect(self._moved)

    def set_names(self, names: list[str], colours: list[str]) -> None:
        """Replace the curves (e.g. one per layer)."""
        if list(self.curves) == names:
            return
        for curve in self.curves.values():
            self.removeItem(curve)
        self.legend.clear()
        self.curves = {n: self.plot([], [], pen=pg.mkPen(c, width=2), name=n)
                       for n, c in zip(names, colours, strict=True)}
        self._data = {}

    def set_curve(self, name: str, x: np.ndarray, y: np.ndarray) -> None:
        """Set one curve's points (non-finite values are left out)."""
        ok = np.isfinite(y) & (y > 0 if self.log_y else True)
        self._data[name] = (x[ok], y[ok])
        self.curves[name].setData(x[ok], y[ok])

    def readout_at(self, x: float) -> str:
        """Each curve's value at the point nearest ``x`` (what hovering shows)."""
        lines = []
        for name, (xs, ys) in self._data.items():
            if len(xs):
                k = int(np.argmin(np.abs(xs - x)))
                lines.append(f"{name}: {fmt(float(ys[k]))}")
                x_near = float(xs[k])
        if not lines:
            return ""
        return f"{self.getPlotItem().getAxis('bottom').labelText} {fmt(x_near, 5)}\n" + \
            "\n".join(lines)

    def _moved(self, pos) -> None:
        vb = self.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(pos):
            self.cursor.hide()
            self.readout.hide()
            return
        p = vb.mapSceneToView(pos)
        text = self.readout_at(p.x())
        if not text:
            return
        self.cursor.setPos(p.x())
        self.cursor.show()
        self.readout.setText(text)
        self.readout.setPos(p.x(), p.y())
        self.readout.show()

