"""The function plot dock (seeds 001 and 002): the output as a function of one input, the others
fixed — f and df/dx over a range, the current point and its tangent line — or of two inputs: a
heat map of f with the gradient field as arrows and the current point, which can be dragged to
move both inputs (one undo step per drag; the cards and the inspector follow live).

The numbers are :func:`graphapp.lab.curve` / :func:`graphapp.lab.surface` (the whole grid in one
run of the compiled plan on arrays) and the arrows :func:`graphapp.lab.field.arrow_segments`;
this module only paints them, with pyqtgraph, imported when the dock is first shown. Items are
made once and given new data on every redraw (an image with a colour table, one line item for
all arrows), so a drag redraws a 200 × 200 map in a few milliseconds (``graphapp bench --gui``).
While a quiz asks the gradient of a plotted input, nothing is drawn: the slope of the curve and
the arrows are the answer (:mod:`graphapp.lab.withheld`).
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QWidget,
)

from graphapp import lab
from graphapp.engine import EvaluationError
from graphapp.gui import commands
from graphapp.gui.document import Document
from graphapp.gui.explain import num
from graphapp.gui.lab.base import LabView, scalar_inputs
from graphapp.lab.field import arrow_segments, levels, snap
from graphapp.lab.withheld import asked, asked_note

__all__ = ["PlotView"]

#: The second chooser's entry for "plot against one input only".
ONE_INPUT = "— (a curve)"
#: Arrows per side of the gradient field, and the default number of grid points per side.
ARROWS, POINTS = 15, 200
F_COLOUR, D_COLOUR, TANGENT_COLOUR, POINT_COLOUR = "#1c7ed6", "#2f9e44", "#d9480f", "#e8590c"
#: Big enough to read on a projector.
_FONT_PT, _LABEL_STYLE = 11, {"font-size": "12pt"}


class PlotView(LabView):
    """f against one or two inputs, following the document; the point can be dragged."""

    CHOOSER_TEXT = "plot against"

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        import pyqtgraph as pg

        self.pg = pg
        self.ranges: dict[str, tuple[float, float]] = {}
        self.curve: lab.Curve | None = None
        self.surface: lab.Surface | None = None
        self._gesture: int | None = None
        self._placing = False  # True while the view itself moves the point
        self._second_chosen = False  # until the learner picks, two inputs make a map
        #: What the grid on show was computed for (:func:`graphapp.lab.grid_key` and more),
        #: and the axes' ranges and labels: a move of the point redraws only what changed.
        self._grid_key: tuple | None = None
        self._axes: tuple | None = None
        self._levels: tuple | None = None
        super().__init__(doc, parent)
        self.second = QComboBox(self)
        self.second.setToolTip("A second input for a map of f over both (the others stay fixed)")
        self.second.addItem(ONE_INPUT)
        self.second.currentTextChanged.connect(lambda _: self.refresh_later())
        self.second.activated.connect(self._picked_second)
        self.top.addWidget(QLabel("and", self))
        self.top.addWidget(self.second, 1)
        self.range_edits: list[tuple[QLabel, QLineEdit, QLabel, QLineEdit]] = []
        for axis in range(2):
            name, lo, hi = QLabel(self), QLineEdit(self), QLineEdit(self)
            for edit, end in ((lo, "lowest"), (hi, "highest")):
                edit.setMaximumWidth(80)
                edit.setToolTip(f"The {end} value of the input on this axis")
                edit.editingFinished.connect(lambda axis=axis: self._typed_range(axis))
            to = QLabel("to", self)
            for w in (name, lo, to, hi):
                self.top.addWidget(w)
            self.range_edits.append((name, lo, to, hi))
        self.points_spin = QSpinBox(self)
        self.points_spin.setRange(2, 500)
        self.points_spin.setValue(POINTS)
        self.points_spin.setToolTip("Grid points (per side for a map); all are computed in one "
                                    "run of the graph on arrays")
        self.points_spin.valueChanged.connect(lambda _: self.refresh_later())
        self.top.addWidget(QLabel("points", self))
        self.top.addWidget(self.points_spin)
        reset = QPushButton("Reset range", self)
        reset.setToolTip("Each input's value ± max(1, |value|)")
        reset.clicked.connect(self.reset_ranges)
        self.top.addWidget(reset)
        self.stack = QStackedWidget(self)
        self._build_line()
        self._build_map()
        self.body.addWidget(self.stack, 1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.note)
        self.setMinimumHeight(420)

    # ----------------------------------------------------------------- building
    def _plot_item(self, widget: Any, row: int, left: str) -> Any:
        pg = self.pg
        item = widget.addPlot(row=row, col=0)
        item.setMouseEnabled(x=False, y=False)  # the range is typed; a drag moves the point
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.25)
        font = QFont()
        font.setPointSize(_FONT_PT)
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            # painted once into a pixmap, redrawn only when its range changes: with the grid
            # on, an axis spans the whole plot, and replaying its ticks' text on every move of
            # the point took most of a redraw
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            axis.setTickFont(font)
            axis.enableAutoSIPrefix(False)
            axis.setTextPen(pg.mkPen("#212529"))
            axis.setPen(pg.mkPen("#495057"))
        item.setLabel("left", left, **_LABEL_STYLE)
        return item

    def _target(self, plot: Any, size: int) -> Any:
        pg = self.pg
        target = pg.TargetItem(movable=True, size=size, symbol="o",
                               pen=pg.mkPen("#212529", width=2), brush=pg.mkBrush(POINT_COLOUR),
                               hoverBrush=pg.mkBrush("#ffa94d"))
        target.setToolTip("Drag to move the input(s); the whole window follows")
        target.setZValue(10)
        target.sigPositionChanged.connect(self._dragged)
        target.sigPositionChangeFinished.connect(self._drag_finished)
        plot.addItem(target)
        return target

    def _build_line(self) -> None:
        pg = self.pg
        self.line_widget = pg.GraphicsLayoutWidget(self)
        self.line_widget.setBackground("w")
        self.f_plot = self._plot_item(self.line_widget, 0, "f")
        self.d_plot = self._plot_item(self.line_widget, 1, "df/dx")
        self.d_plot.setXLink(self.f_plot)
        self.line_widget.ci.layout.setRowStretchFactor(0, 3)
        self.line_widget.ci.layout.setRowStretchFactor(1, 2)
        self.f_plot.addLegend(offset=(10, 10), labelTextSize="11pt", labelTextColor="#212529",
                              brush=pg.mkBrush(255, 255, 255, 220))
        self.f_item = self.f_plot.plot(pen=pg.mkPen(F_COLOUR, width=3), name="f")
        self.tangent_item = pg.PlotDataItem(pen=pg.mkPen(TANGENT_COLOUR, width=2.5,
                                                         style=Qt.PenStyle.DashLine),
                                            name="tangent at the point")
        self.f_plot.addItem(self.tangent_item, ignoreBounds=True)  # f sets the range
        self.f_point = self._target(self.f_plot, 16)
        self.d_plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#868e96", width=1)))
        self.d_item = self.d_plot.plot(pen=pg.mkPen(D_COLOUR, width=3))
        self.d_point = pg.ScatterPlotItem(size=13, pen=pg.mkPen("#212529", width=2),
                                          brush=pg.mkBrush(POINT_COLOUR))
        self.d_plot.addItem(self.d_point)
        self.x_lines = [pg.InfiniteLine(angle=90, pen=pg.mkPen(POINT_COLOUR, width=1,
                                                               style=Qt.PenStyle.DotLine))
                        for _ in range(2)]
        self.f_plot.addItem(self.x_lines[0], ignoreBounds=True)
        self.d_plot.addItem(self.x_lines[1], ignoreBounds=True)
        self.stack.addWidget(self.line_widget)

    def _build_map(self) -> None:
        pg = self.pg
        self.map_widget = pg.GraphicsLayoutWidget(self)
        self.map_widget.setBackground("w")
        self.map_plot = self._plot_item(self.map_widget, 0, "y")
        self.image = pg.ImageItem(axisOrder="col-major")  # image[i, j] at (x[i], y[j])
        self.map_plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"),
                                          interactive=False, width=18)
        self.colour_bar.setImageItem(self.image, insert_in=self.map_plot)
        font = QFont()
        font.setPointSize(_FONT_PT)
        self.colour_bar.axis.setTickFont(font)
        self.colour_bar.axis.setTextPen(pg.mkPen("#212529"))
        # pyqtgraph's 45 px put the output's name over ticks such as 400 at this font size
        self.colour_bar.axis.setWidth(QFontMetrics(font).horizontalAdvance("−0.0000") + 30)
        self.colour_bar.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # white arrows on a dark halo: readable on both ends of the colour scale
        self.arrow_halo = pg.PlotCurveItem(pen=pg.mkPen("#212529", width=4), connect="pairs")
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen("w", width=2), connect="pairs")
        self.map_plot.addItem(self.arrow_halo)
        self.map_plot.addItem(self.arrows)
        # the arrows are drawn as on screen (square to the contours): redraw them when the
        # plot's box changes shape
        self.map_plot.getViewBox().sigResized.connect(lambda _vb: self._draw_arrows())
        self.map_point = self._target(self.map_plot, 18)
        self.stack.addWidget(self.map_widget)

    # ----------------------------------------------------------------- state
    @property
    def other(self) -> str | None:
        """The second input of a map, or ``None`` for a curve."""
        text = self.second.currentText()
        return None if text in ("", ONE_INPUT) else text

    def _picked_second(self, _index: int) -> None:
        self._second_chosen = True

    def choose_pair(self, x: str, y: str | None) -> None:
        """Plot against ``x`` (and ``y`` for a map) and refresh now."""
        self._second_chosen = True
        self.chooser.setCurrentText(x)
        self.refresh()
        self.second.setCurrentText(y or ONE_INPUT)
        self.refresh()

    def set_range(self, name: str, lo: float, hi: float) -> None:
        """Plot input ``name`` from ``lo`` to ``hi`` and refresh."""
        self.ranges[name] = (lo, hi)
        self.refresh()

    def reset_ranges(self) -> None:
        """Back to each input's value ± max(1, |value|)."""
        self.ranges.clear()
        self.refresh()

    def _range(self, name: str) -> tuple[float, float]:
        if name not in self.ranges:
            self.ranges[name] = lab.default_range(float(self.doc.graph.value(name)))
        return self.ranges[name]

    def _typed_range(self, axis: int) -> None:
        names = [self.wrt, self.other]
        name = names[axis]
        if name is None:
            return
        _, lo_edit, _, hi_edit = self.range_edits[axis]
        try:
            lo, hi = float(lo_edit.text().replace("−", "-")), float(hi_edit.text().replace("−",
                                                                                          "-"))
        except ValueError:
            lo = hi = math.nan
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            self.note.setText(f"The range of {name} must be two numbers, the first smaller, "
                              f"not “{lo_edit.text()}” to “{hi_edit.text()}”.")
            return
        if (lo, hi) != self.ranges.get(name):
            self.set_range(name, lo, hi)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_later()  # edits made while hidden were not drawn

    # ----------------------------------------------------------------- drawing
    def render(self, wrt: str | None) -> None:
        """Draw f against ``wrt`` (and the second input, if one is chosen)."""
        if not hasattr(self, "note") or not self.isVisible():
            return
        self._update_second(wrt)
        other = self.other
        names = [n for n in (wrt, other) if n is not None]
        for axis, (label, lo, to, hi) in enumerate(self.range_edits):
            shown = axis < len(names)
            for w in (label, lo, to, hi):
                w.setVisible(shown)
            if shown:
                label.setText(f"{names[axis]} from")
                rlo, rhi = self._range(names[axis])
                lo.setText(f"{rlo:g}")
                hi.setText(f"{rhi:g}")
        if wrt is None:
            self._show_nothing("Choose an output (Graph ▸ Differentiate This) and give the graph "
                               "a scalar input to plot against.")
            return
        graph, out = self.doc.graph, self.doc.output
        asked_now = [n for n in names if asked(self.hidden, n)]
        if asked_now:  # the curve's slope, the arrows: the answer drawn
            self._show_nothing(asked_note(out, asked_now[0], "the plot (its slope) is not "
                                                             "drawn"))
            return
        points = self.points_spin.value()
        key = (out, wrt, other, points, *(self._range(n) for n in names),
               lab.grid_key(graph, names))
        previous = self.curve if other is None else self.surface
        same_grid = key == self._grid_key and previous is not None
        try:
            if same_grid:  # only the plotted inputs moved: the grid is unchanged
                plot = lab.moved(previous, graph)
            elif other is None:
                plot = lab.curve(graph, out, wrt, *self._range(wrt), points)
            else:
                plot = lab.surface(graph, out, (wrt, other), self._range(wrt),
                                   self._range(other), points)
        except (EvaluationError, ValueError, TypeError) as exc:  # TypeError: an array output
            self._show_nothing(f"Cannot plot {out}: {exc}")
            return
        self._grid_key = key
        if other is None:
            self.curve, self.surface = plot, None
            self._draw_curve(plot, same_grid)
        else:
            self.curve, self.surface = None, plot
            self._draw_map(plot, same_grid)

    def _update_second(self, wrt: str | None) -> None:
        names = [ONE_INPUT] + [n for n in scalar_inputs(self.doc) if n != wrt]
        if [self.second.itemText(i) for i in range(self.second.count())] == names:
            return
        current = self.second.currentText()
        if not self._second_chosen:  # a graph of two inputs opens as a map of both
            current = names[1] if len(names) == 2 else ONE_INPUT
        self.second.blockSignals(True)
        self.second.clear()
        self.second.addItems(names)
        self.second.setCurrentText(current if current in names else ONE_INPUT)
        self.second.blockSignals(False)

    def _show_nothing(self, why: str) -> None:
        self.curve = self.surface = None
        self._grid_key = self._axes = None
        for item in (self.f_item, self.tangent_item, self.d_item):
            item.setData([], [])
        self.d_point.setData([], [])
        self.image.clear()
        self.arrows.setData([], [])
        self.arrow_halo.setData([], [])
        for plot in (self.f_plot, self.map_plot):  # their titles named slope and gradient
            plot.setTitle("")
            plot.setTitle(None)
        self.note.setText(why)

    def _place(self, target: Any, x: float, y: float) -> None:
        self._placing = True
        try:
            target.setPos(x, y)
        finally:
            self._placing = False
        if self._gesture is None and not target.isUnderMouse():
            # moved away from the pointer by an edit elsewhere (Ctrl+Z, the inspector):
            # pyqtgraph would keep drawing it in its hover colour
            target.setMouseHover(False)

    def _axes_changed(self, state: tuple) -> bool:
        """True (and remembered) when the axes' ranges or labels differ from those on show:
        setting them anew makes pyqtgraph lay out and paint every axis again."""
        if state == self._axes:
            return False
        self._axes = state
        return True

    def _draw_curve(self, c: lab.Curve, same_grid: bool = False) -> None:
        self.stack.setCurrentWidget(self.line_widget)
        out, x = c.output, c.wrt
        if not same_grid:
            self.f_item.setData(c.x, c.f, connect="finite")
            self.d_item.setData(c.x, c.dfdx, connect="finite")
        self.tangent_item.setData(c.x, c.tangent(), connect="finite")
        self.d_point.setData([c.x0], [c.slope0])
        self._place(self.f_point, c.x0, c.f0)
        for line in self.x_lines:
            line.setValue(c.x0)
        if self._axes_changed(("curve", out, x, c.x[0], c.x[-1])):
            self.f_plot.setXRange(c.x[0], c.x[-1], padding=0.02)
            self.f_plot.setLabel("left", out, **_LABEL_STYLE)
            self.f_plot.legend.getLabel(self.f_item).setText(out)  # the output's own name
            self.d_plot.setLabel("left", f"d{out}/d{x}", **_LABEL_STYLE)
            self.d_plot.setLabel("bottom", x, **_LABEL_STYLE)
        self.f_plot.setTitle(f"{out} against {x}: at {x} = {num(c.x0, 6)}, {out} = "
                             f"{num(c.f0, 6)} and the tangent's slope is {num(c.slope0, 6)}",
                             size="12pt", color="#212529")
        self.note.setText(
            f"The dashed line is the tangent at the point: its slope d{out}/d{x} = "
            f"{num(c.slope0, 8)} is what backprop puts on {x}'s card. The lower plot is "
            f"d{out}/d{x} at every {x}: where it crosses 0, {out} is flat. Drag the point to "
            f"move {x}; the other inputs keep their values." + self._how(c.vectorised))

    def _draw_map(self, s: lab.Surface, same_grid: bool = False) -> None:
        self.stack.setCurrentWidget(self.map_widget)
        out, (x, y) = s.output, s.wrt
        if not same_grid:
            dx = (s.x[-1] - s.x[0]) / max(1, len(s.x) - 1)
            dy = (s.y[-1] - s.y[0]) / max(1, len(s.y) - 1)
            self.image.setImage(s.f, autoLevels=False)
            new_levels = levels(s.f)
            if new_levels != self._levels:  # a new colour scale lays its axis out again
                self._levels = new_levels
                self.colour_bar.setLevels(new_levels)
            else:
                self.image.setLevels(new_levels)
            self.image.setRect(QRectF(s.x[0] - dx / 2, s.y[0] - dy / 2,
                                      s.x[-1] - s.x[0] + dx, s.y[-1] - s.y[0] + dy))
            self._draw_arrows()
        self._place(self.map_point, s.x0, s.y0)
        if self._axes_changed(("map", out, x, y, s.x[0], s.x[-1], s.y[0], s.y[-1])):
            self.map_plot.setRange(xRange=(s.x[0], s.x[-1]), yRange=(s.y[0], s.y[-1]),
                                   padding=0)
            self.map_plot.setLabel("left", y, **_LABEL_STYLE)
            self.map_plot.setLabel("bottom", x, **_LABEL_STYLE)
            self.colour_bar.axis.setLabel(out, **_LABEL_STYLE)
        self.map_plot.setTitle(
            f"{out} over ({x}, {y}): at ({num(s.x0, 5)}, {num(s.y0, 5)}), {out} = "
            f"{num(s.f0, 6)} and ∇{out} = ({num(s.dfdx0, 5)}, {num(s.dfdy0, 5)})",
            size="12pt", color="#212529")
        self.note.setText(
            f"Colour is {out}; each arrow shows the gradient there as it looks on these axes: "
            f"it points uphill, square to the lines where {out} is constant, and is longer where "
            f"{out} is steeper (the title gives (∂{out}/∂{x}, ∂{out}/∂{y}) at the point). Drag the "
            f"point to move {x} and {y} together (one Ctrl+Z undoes the drag); the cards and "
            "the inspector follow." + self._how(s.vectorised))

    def aspect(self) -> float:
        """The map's plot box on screen: its width over its height (1 before it is laid
        out)."""
        box = self.map_plot.getViewBox()
        width, height = box.width(), box.height()
        return width / height if width > 0 and height > 0 else 1.0

    def _draw_arrows(self) -> None:
        """The gradient field of the map on show, square to its contours on screen."""
        if self.surface is None:
            return
        seg = arrow_segments(self.surface, ARROWS, self.aspect())
        for item in (self.arrow_halo, self.arrows):
            item.setData(seg[:, 0], seg[:, 1], connect="pairs")

    @staticmethod
    def _how(vectorised: bool) -> str:
        return ("" if vectorised else " (This graph mixes values through a sum, mean or @, so "
                                      "the points were computed one by one.)")

    # ----------------------------------------------------------------- dragging
    def _dragged(self, target: Any) -> None:
        if self._placing or (self.curve is None and self.surface is None):
            return
        pos = target.pos()
        self.drag_to(pos.x(), pos.y())

    def drag_to(self, x: float, y: float | None = None) -> None:
        """Move the point to ``x`` (and ``y`` on a map) as part of the current drag: an undo
        command that merges with the rest of the drag."""
        if self._gesture is None:
            self._gesture = commands.new_gesture()
        names = [self.wrt] if self.surface is None else [self.wrt, self.other]
        wanted = [x] if self.surface is None else [x, y]
        values = {}
        for name, v in zip(names, wanted, strict=True):
            if v is not None and math.isfinite(v):
                values[name] = snap(v, *self._range(name))
        if not values:
            return
        stack = self.doc.undo_stack
        if len(values) == 1:
            (name, v), = values.items()
            stack.push(commands.SetValue(self.doc, name, v, self._gesture))
        else:
            stack.push(commands.SetValues(self.doc, values, self._gesture))

    def _drag_finished(self, _target: Any) -> None:
        self.end_drag()

    def end_drag(self) -> None:
        """The drag is over: the next one is a new undo step."""
        self._gesture = None
