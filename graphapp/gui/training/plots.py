"""The panel's plots (pyqtgraph, imported when the panel opens): the data over the decision
boundary, where clicks add and remove points, and curves with hover read-outs.

Each plot paints what it is given: ``show(...)`` with arrays from a snapshot.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from graphapp.gui.training.display import CLASS_COLOURS, NEGATIVE, POSITIVE, fmt
from graphapp.train.smoothing import ema

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
        self.image = pg.ImageItem(axisOrder="row-major")
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

    def show_map(self, rgba: np.ndarray, extent: tuple[float, float, float, float]) -> None:
        """An (h, w, 4) RGBA array of the output over ``extent``, row 0 at the bottom."""
        x0, x1, y0, y1 = extent
        self.image.setImage(rgba, levels=(0, 255))
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


#: Where a 0 goes on a log axis (far below any axis range the curves choose).
ZERO_ON_LOG = 1e-300


def _nice(v: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at least ``v`` (> 0)."""
    k = math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0 ** k >= v * (1 - 1e-9):
            return m * 10.0 ** k
    return 10.0 ** (k + 1)


def _grown(current: tuple[float, float] | None, lo: float, hi: float,
           log: bool = False) -> tuple[float, float]:
    """An axis range holding [lo, hi] (log: log10 units, whole decades), kept while the data
    stays inside and fills more than a quarter of it, else rounded out to 1-2-5 steps: the
    axes (costly to redraw) change a few times in a run, not at every frame."""
    if current is not None and current[0] <= lo and hi <= current[1] and \
            hi - lo > 0.25 * (current[1] - current[0]):
        return current
    if log:  # at least three decades: fewer make pyqtgraph label every minor tick, overlapping
        top = max(math.ceil(hi), math.floor(lo) + 1)
        return float(min(math.floor(lo), top - 3)), float(top)
    step = _nice(max(hi - lo, abs(hi), 1e-12) / 4)
    return math.floor(lo / step) * step, max(math.ceil(hi / step), math.floor(lo / step) + 1) \
        * step


def _grown_x(current: tuple[float, float] | None, lo: float, hi: float,
             least: float) -> tuple[float, float]:
    """A range for a growing x (epochs, steps): [lo, the 1-2-5 value above 1.5 · hi], at
    least ``least`` wide, kept until the data passes it (so the axis changes about three
    times a decade)."""
    if current is not None and current[0] <= lo and hi <= current[1] and \
            (hi - lo > 0.2 * (current[1] - current[0]) or current[1] - current[0] <= least):
        return current
    return lo, lo + _nice(max(1.5 * (hi - lo), least))


class CurvePlot(pg.PlotWidget):
    """Named curves against one x axis; the mouse shows the nearest values of each curve.

    ``smoothing``: each curve is drawn raw (faint) with its running mean over it (the
    weight set by :meth:`set_smoothing`, TensorBoard's smoothing). ``y_range``: a fixed y
    range (accuracy: 0 to 1); ``x_least``: the x axis's smallest span. Drawing stays cheap
    at 60 frames a second: thin lines (Qt draws wider antialiased lines several times
    slower), ranges that grow in steps, axes cached as pictures, bare curve items.
    """

    def __init__(self, title: str, x_label: str, names: list[str], colours: list[str],
                 log_y: bool = False, y_range: tuple[float, float] | None = None,
                 smoothing: bool = False, x_least: float = 1.0, parent=None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.hideButtons()
        item = self.getPlotItem()
        item.setTitle(title)
        item.setLabel("bottom", x_label)
        for side in ("bottom", "left"):  # "epoch (x0.001)" confuses: plain numbers
            axis = item.getAxis(side)
            axis.enableAutoSIPrefix(False)
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        item.showGrid(x=True, y=True, alpha=0.25)
        item.setLogMode(y=log_y)
        item.vb.disableAutoRange()
        self.log_y = log_y
        self.y_range = y_range
        self.x_least = x_least  # the x axis spans at least this much
        self.smoothing = smoothing
        self.weight = 0.9 if smoothing else 0.0
        self._ranges: tuple[tuple[float, float] | None, tuple[float, float] | None] = \
            (None, None)
        # before any point: the first epochs (steps), losses to 1 (gradients 0.001 to 10)
        item.vb.setRange(xRange=(0, x_least), yRange=y_range or ((-3, 1) if log_y else (0, 1)),
                         padding=0.02)
        self.legend = self.addLegend(offset=(-6, 6), labelTextSize="8pt")
        self.curves: dict[str, pg.PlotCurveItem] = {}
        self.raw: dict[str, pg.PlotCurveItem] = {}
        self._make_curves(names, colours)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#9ca3af", style=Qt.PenStyle.DashLine))
        self.cursor.hide()
        self.addItem(self.cursor, ignoreBounds=True)
        self.readout = pg.TextItem("", color="#111827", anchor=(0, 1), fill=QColor(255, 255,
                                                                                   255, 220))
        self.readout.hide()
        self.addItem(self.readout, ignoreBounds=True)
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._smoothed: dict[str, np.ndarray] = {}
        self._shown: tuple = ()
        self.scene().sigMouseMoved.connect(self._moved)

    def _make_curves(self, names: list[str], colours: list[str]) -> None:
        for name, colour in zip(names, colours, strict=True):
            if self.smoothing:  # the raw trace faint: opaque, mixed with the white
                c = QColor(colour)  # background (translucent lines draw far slower)
                faint = QColor(*(round(255 - 0.3 * (255 - v)) for v in (c.red(), c.green(),
                                                                         c.blue())))
                self.raw[name] = self._curve(faint, None)
            self.curves[name] = self._curve(QColor(colour), name)

    def _curve(self, colour: QColor, name: str | None) -> pg.PlotCurveItem:
        """A bare curve item: pyqtgraph's PlotDataItem costs four times as much per update
        (its log axis, downsampling and clipping are not needed for ≤ MAX_ROWS points)."""
        curve = pg.PlotCurveItem(pen=pg.mkPen(colour, width=1), name=name)
        self.addItem(curve)
        return curve

    def set_names(self, names: list[str], colours: list[str]) -> None:
        """Replace the curves (e.g. one per layer)."""
        if list(self.curves) == names:
            return
        for curve in (*self.curves.values(), *self.raw.values()):
            self.removeItem(curve)
        self.legend.clear()
        self.curves, self.raw = {}, {}
        self._make_curves(names, colours)
        self.legend.setColumnCount(1 if len(names) <= 4 else 2)  # many layers: no overflow
        self._data, self._smoothed, self._shown = {}, {}, ()

    def set_smoothing(self, weight: float) -> None:
        """The running mean's weight (0: raw curves only); redraws the curves."""
        self.weight = weight
        data, self._shown = self._data, ()
        if data:
            first = next(iter(data.values()))[0]
            self.set_curves(first, {n: y for n, (_, y) in data.items()}, force=True)

    def set_curve(self, name: str, x: np.ndarray, y: np.ndarray) -> None:
        """Set one curve's points (see :meth:`set_curves`)."""
        self.set_curves(x, {name: y})

    def set_curves(self, x: np.ndarray, ys: dict[str, np.ndarray], force: bool = False) -> None:
        """Set curves' points over the same x (non-finite values, and values < 0 on a log
        axis, are left out; a 0 on a log axis drops below its bottom, so that a gradient
        that vanished, every ReLU off, shows as a plunge rather than a curve that stops);
        nothing is redrawn when the points are those shown."""
        key = tuple((n, len(y), float(x[-1]) if len(x) else None,
                     float(y[-1]) if len(y) else None) for n, y in ys.items())
        if key == self._shown and not force:
            return
        self._shown = key
        if self.log_y:  # a log axis plots log10 of the values (0: far below the axis)
            def axis(v: np.ndarray) -> np.ndarray:
                return np.log10(np.maximum(v, ZERO_ON_LOG))
        else:
            axis = np.asarray
        for name, y in ys.items():
            ok = np.isfinite(y) & (y >= 0 if self.log_y else True)
            xs, values = x[ok], y[ok]
            self._data[name] = (xs, values)
            if self.smoothing and self.weight > 0:
                smooth = ema(values, self.weight)
                self._smoothed[name] = smooth
                self.raw[name].setData(xs, axis(values))
                self.raw[name].show()
                self.curves[name].setData(xs, axis(smooth))
            else:
                self._smoothed.pop(name, None)
                if name in self.raw:
                    self.raw[name].hide()
                self.curves[name].setData(xs, axis(values))
        self._fit()

    def _fit(self) -> None:
        """Grow (or shrink) the axes' ranges to the data, in steps."""
        shown = [d for d in self._data.values() if len(d[0])]
        if not shown:
            return
        xs = np.concatenate([d[0] for d in shown])
        ys = np.concatenate([d[1] for d in shown])
        x_range = _grown_x(self._ranges[0], min(0.0, float(xs.min())), float(xs.max()),
                           self.x_least)
        if self.y_range is not None:
            y_range = self.y_range
        elif self.log_y:  # the lowest 2 % (a step where every ReLU was off: 1e-15 or 0)
            top = float(ys.max())  # and anything a millionth of the largest below the axis
            if top <= 0:
                return
            low = max(float(np.percentile(ys, 2)), top * 1e-6)
            y_range = _grown(self._ranges[1], math.log10(low), math.log10(top), log=True)
        else:
            y_range = _grown(self._ranges[1], min(0.0, float(ys.min())), float(ys.max()))
        if (x_range, y_range) != self._ranges:
            self._ranges = (x_range, y_range)
            vb = self.getPlotItem().vb
            vb.setRange(xRange=x_range, yRange=y_range, padding=0.02)

    def readout_at(self, x: float) -> str:
        """Each curve's value at the point nearest ``x`` (what hovering shows)."""
        lines = []
        for name, (xs, ys) in self._data.items():
            if len(xs):
                k = int(np.argmin(np.abs(xs - x)))
                line = f"{name}: {fmt(float(ys[k]))}"
                if name in self._smoothed:
                    line += f" (smoothed {fmt(float(self._smoothed[name][k]))})"
                lines.append(line)
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

