"""The network diagram: neurons as circles showing their output over the input plane, weights
as edges coloured by sign and sized by magnitude, biases as dots, the backward wave, hovers.

:class:`NetworkDiagram` paints only the :class:`DiagramData` it is given (the panel builds one
per snapshot). Beside each neuron's output map sits a small square: its backward signal
dL/dz over the plane, on one logarithmic colour scale for the whole network (three decades
down from its largest signal, so a layer the signal hardly reaches is faint, as its edges are
dim). After a step the panel starts a wave: for one sample,
a forward front lights the neurons from the inputs to the output, then a backward front runs
from the loss to the inputs and lights each layer's edges by |dL/dw| (violet, brightest for the
largest gradient in the whole network, so gradients that vanish in early layers show as dim
edges).

Hover a weight for its value, gradient and last update; hover a neuron for its maps, large.
Clicking a weight emits ``weight_clicked("W2", row, col)``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QToolButton, QWidget

from graphapp.gui.training.display import GLOW, fmt, sign_colour

__all__ = ["DiagramData", "NetworkDiagram"]

TOP, BOTTOM, LEFT, RIGHT = 58.0, 44.0, 70.0, 130.0
#: Edges are drawn in this many strengths (widths and opacities).
SHADES = 12
#: … and this many while playing at full speed (fewer shades change less often, so the edge
#: picture is redrawn in fewer frames).
FAST_SHADES = 6


def _on_white(colour: QColor, alpha: float) -> QColor:
    """``colour`` at opacity ``alpha`` over white, as an opaque colour."""
    a = max(0.0, min(1.0, alpha))
    return QColor(*(round(255 + (v - 255) * a) for v in (colour.red(), colour.green(),
                                                           colour.blue())))


def _shades(arrays, signed: bool, shades: int = SHADES) -> list[np.ndarray]:
    """Each array's entries as shades 0…shades − 1 of their magnitude over the largest in all
    of them; ``signed``: shade + 1 with the entry's sign (+ for 0)."""
    if arrays is None:
        return []
    top = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0) or 1.0
    out = []
    for a in arrays:
        level = np.rint(np.minimum(np.abs(np.nan_to_num(a)) / top, 1.0) * (shades - 1))
        out.append((np.where(a < 0, -1, 1) * (level + 1) if signed else level).astype(np.int8))
    return out


def bias_levels(biases, shades: int = SHADES) -> list[np.ndarray]:
    """Each bias as its sign times (shade + 1), the shade 0…shades − 1 of min(1, |b|): the
    + 1 keeps the sign of a bias too small for a shade of its own (a nan counts as large)."""
    return [(np.where(b < 0, -1, 1) * (np.rint(np.minimum(np.abs(np.nan_to_num(
        b, nan=np.inf)), 1.0) * (shades - 1)) + 1)).astype(np.int8) for b in biases]


@dataclass(frozen=True, eq=False)
class DiagramData:
    """What the diagram shows. Layers are columns: 0 the inputs, then hidden layers, then the
    output; ``weights[l - 1]`` connects column l − 1 to column l."""

    sizes: tuple[int, ...]
    inputs: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    grads: tuple[np.ndarray, ...] | None = None  # dL/dW of the last step (or sample)
    bias_grads: tuple[np.ndarray, ...] | None = None
    updates: tuple[np.ndarray, ...] | None = None
    bias_updates: tuple[np.ndarray, ...] | None = None
    tiles: tuple[tuple, ...] | None = None  # per column: one QImage per neuron
    signal_tiles: tuple[tuple, ...] | None = None  # per column after the inputs
    dead: tuple[np.ndarray, ...] = ()  # per hidden layer
    saturated: tuple[np.ndarray, ...] = ()
    sample: tuple[np.ndarray, ...] | None = None  # a sample's outputs per column
    loss: float | None = None
    activation: str = "tanh"
    editable: bool = True  # +/− buttons over the hidden layers
    glow: bool = True  # light edges by |dL/dw| (off while playing at full speed)
    fast: bool = False  # edges without antialiasing (playing at full speed)
    #: Per column after the inputs: each neuron's largest |dL/dz| over the plane (the signal
    #: squares share one colour scale, the network's largest).
    signal_peaks: tuple[np.ndarray, ...] | None = None


class NetworkDiagram(QWidget):
    """Paints a :class:`DiagramData`; animates the wave; reports hovers and weight clicks."""

    weight_clicked = Signal(str, int, int)
    #: One line about what is under the mouse ("" when nothing is).
    hovered = Signal(str)
    #: A hidden layer's +/− button: (layer index from 1, +1 or −1).
    resize_layer = Signal(int, int)

    def __init__(self, parent: QWidget | None = None, driven: bool = False) -> None:
        """``driven``: the owner calls :meth:`advance` once a frame while :attr:`animating`
        (one clock for a whole panel); otherwise the diagram runs its own 60 Hz timer."""
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(420, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.data: DiagramData | None = None
        self._hover: tuple | None = None
        self._mouse = QPointF()
        #: The wave: phase ("forward", "backward" or "") and the front's column position.
        self.phase = ""
        self.front = 0.0
        #: What the waves lit, in order: ("forward", column) and ("backward", weight layer).
        self.lit_log: list[tuple[str, int]] = []
        self._queue: list[str] = []
        self._rate = 4.0  # columns per second
        self._driven = driven
        self._ticked = 0.0  # when the wave last moved
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self.advance)
        self._buttons: list[tuple[int, QToolButton, QToolButton]] = []
        self.paint_count = 0
        self._edges = QPixmap()
        self._edges_key: tuple = ()
        self._edge_shades: list[np.ndarray] = []  # the signed shades the edges are drawn in
        self._neurons = QPixmap()
        self._biases = QPixmap()
        self._biases_key: tuple = ()
        self._lines: list[list[QLineF]] = []
        self._lines_key: tuple = ()
        self._neurons_key: tuple = ()
        self._neurons_refs: tuple = (None, None, None, None)
        self._highlight: list[tuple[str, int, int]] = []

    # ----------------------------------------------------------------- data
    def set_data(self, data: DiagramData) -> None:
        """Show ``data`` (repainted on the next frame)."""
        old = self.data
        self.data = data
        if old is None or old.sizes != data.sizes or old.editable != data.editable:
            self._make_buttons()
        self.update()

    def set_highlight(self, paths: list) -> None:
        """Outline these weights' edges (paths as lists of ``(name, row, col)``, e.g. the
        largest terms of a gradient's path sum); ``[]`` clears."""
        self._highlight = [tuple(e) for path in paths for e in path]
        self.update()

    def _make_buttons(self) -> None:
        for _, minus, plus in self._buttons:
            minus.deleteLater()
            plus.deleteLater()
        self._buttons = []
        if self.data is None or not self.data.editable:
            return
        for layer in range(1, len(self.data.sizes) - 1):
            pair = []
            for text, delta, tip in (("−", -1, "one neuron fewer"), ("+", 1, "one neuron more")):
                b = QToolButton(self)
                b.setText(text)
                b.setToolTip(f"Layer {layer}: {tip}")
                b.setFixedSize(22, 20)
                b.clicked.connect(lambda _=False, la=layer, d=delta: self.resize_layer.emit(la, d))
                b.show()
                pair.append(b)
            self._buttons.append((layer, pair[0], pair[1]))
        self._place_buttons()

    def _place_buttons(self) -> None:
        for layer, minus, plus in self._buttons:
            x = self._column_x(layer)
            minus.move(int(x - 24), 30)
            plus.move(int(x + 2), 30)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_buttons()

    # ----------------------------------------------------------------- the wave
    def play_wave(self, forward: bool, columns_per_second: float = 4.0) -> None:
        """Run a forward front (if ``forward``) then a backward front across the diagram."""
        if self.data is None:
            return
        self._queue = (["forward"] if forward else []) + ["backward"]
        self._rate = columns_per_second
        self._ticked = time.perf_counter()
        self._next_phase()
        if not self._driven and self.phase:
            self._timer.start()

    @property
    def animating(self) -> bool:
        """True while a wave runs."""
        return bool(self.phase)

    def finish_wave(self) -> None:
        """Jump to the end of the running wave (logging what it lights)."""
        while self.phase:
            self._step_front(math.inf)

    def _n_columns(self) -> int:
        return len(self.data.sizes) if self.data else 0

    def _next_phase(self) -> None:
        if not self._queue:
            self.phase = ""
            self._timer.stop()
            return
        self.phase = self._queue.pop(0)
        last = self._n_columns()  # the loss node's column
        self.front = -0.001 if self.phase == "forward" else last + 0.001
        self._step_front(0.0)

    def advance(self) -> None:
        """Move the wave by the time since it last moved (at most a tenth of a second: after
        a stall it goes on where it was rather than jumping to the end)."""
        now = time.perf_counter()
        elapsed, self._ticked = min(now - self._ticked, 0.1), now
        self._step_front(self._rate * elapsed)
        self.update()

    def _step_front(self, distance: float) -> None:
        last = self._n_columns()
        if self.phase == "forward":
            new = min(self.front + distance, last)
            for c in range(math.floor(self.front) + 1, math.floor(new) + 1):
                if c < last:
                    self.lit_log.append(("forward", c))
            self.front = new
            if new >= last:
                self._next_phase()
        elif self.phase == "backward":
            new = max(self.front - distance, 0.0)
            for layer in range(math.ceil(self.front) - 1, math.ceil(new) - 1, -1):
                if 1 <= layer < last:
                    self.lit_log.append(("backward", layer))
            self.front = new
            if new <= 0.0:
                self._next_phase()

    def _lit_forward(self, column: int) -> bool:
        return (self.phase == "forward" and column <= self.front) or self.phase == "backward"

    def _lit_backward(self, layer: int) -> bool:
        return (self.phase == "backward" and layer >= self.front) or \
            (self.phase == "" and self.data is not None and self.data.grads is not None)

    # ----------------------------------------------------------------- geometry
    def _column_x(self, column: int) -> float:
        n = self._n_columns()
        width = self.width() - LEFT - RIGHT
        return LEFT + width * column / max(1, n - 1)

    def _spacing(self) -> float:
        most = max(self.data.sizes) if self.data else 1
        return min((self.height() - TOP - BOTTOM) / most, 76.0)

    def _radius(self) -> float:
        """A neuron's radius: what the rows allow, and small enough that a circle, its
        signal square and the next column's circle leave the weights 30 px between columns
        (deep networks)."""
        gap = self._column_x(1) - self._column_x(0) if self._n_columns() > 1 else 200.0
        return max(3.0, min(24.0, self._spacing() * 0.36, (gap - 33.0) / 4.1))

    def _neuron(self, column: int, index: int) -> QPointF:
        n = self.data.sizes[column]
        s = self._spacing()
        mid = TOP + (self.height() - TOP - BOTTOM) / 2
        return QPointF(self._column_x(column), mid + (index - (n - 1) / 2) * s)

    def _tile_size(self) -> float:
        return self._radius() * 1.1

    def _out_x(self, column: int) -> float:
        """Where a column's outgoing edges start (after its backward-signal tile)."""
        extra = 0.0 if column == 0 else self._tile_size() + 3
        return self._column_x(column) + self._radius() + extra

    def _loss_rect(self) -> QRectF:
        x = self.width() - 68  # clear of the output's signal square (RIGHT leaves room)
        mid = TOP + (self.height() - TOP - BOTTOM) / 2
        return QRectF(x, mid - 20, 62, 40)

    # ----------------------------------------------------------------- painting
    def paintEvent(self, event) -> None:
        self.paint_count += 1
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        d = self.data
        if d is None:
            return
        self._paint_headers(p)
        self._paint_edges(p)
        self._paint_highlight(p)
        self._paint_loss(p)
        self._paint_neuron_layer(p)
        self._paint_front(p)
        self._paint_legend(p)
        self._paint_hover(p)
        p.end()

    def _heading_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(10.5)
        font.setBold(True)
        return font

    def headings(self) -> list[tuple[QRectF, str]]:
        """Each column's heading and the box it is centred in (boxes no wider than the gap
        between columns; a heading that does not fit is shortened: ``L1: 6``, ``In``, ``Out``)."""
        d = self.data
        metrics = QFontMetricsF(self._heading_font())
        last = len(d.sizes) - 1
        room = 140.0 if last < 1 else min(140.0, self._column_x(1) - self._column_x(0) - 6)
        out = []
        for c, n in enumerate(d.sizes):
            if c == 0:
                title, short = "Inputs", "In"
            elif c == last:
                title = "Output" if n == 1 else f"Output ({n})"
                short = "Out" if n == 1 else f"Out ({n})"
            else:
                title, short = f"Layer {c}: {n}", f"L{c}: {n}"
            if metrics.horizontalAdvance(title) > room:  # columns too close for it
                title = short
            out.append((QRectF(self._column_x(c) - room / 2, 6, room, 20), title))
        return out

    def _paint_headers(self, p: QPainter) -> None:
        p.setFont(self._heading_font())
        p.setPen(QColor("#374151"))
        for rect, title in self.headings():
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, title)
        p.drawText(QRectF(self._loss_rect().x() - 10, 6, 86, 20), Qt.AlignmentFlag.AlignCenter,
                   "Loss")

    def _paint_edges(self, p: QPainter) -> None:
        """The edges, from a picture kept while no edge changes shade (:data:`SHADES` widths
        and opacities) and the wave lights the same layers: while training, the weights
        change at every step but their edges' shades seldom do."""
        d = self.data
        lit = tuple(d.grads is not None and d.glow and self._lit_backward(layer)
                    for layer in range(1, len(d.sizes)))
        n = FAST_SHADES if d.fast else SHADES
        weights = _shades(d.weights, True, n)
        drawn = self._edge_shades
        if d.fast and len(drawn) == len(weights) and all(
                a.shape == b.shape for a, b in zip(drawn, weights, strict=True)):
            # playing at full speed, an edge keeps its shade while the new one is next to it
            # (weights near a shade's edge made the picture be redrawn at every other frame)
            weights = [np.where((np.abs(w - o) <= 1) & ((w > 0) == (o > 0)), o, w)
                       for w, o in zip(weights, drawn, strict=True)]
        self._edge_shades = weights
        glows = _shades(d.grads, False, n) if any(lit) else ()
        key = (d.sizes, tuple(w.tobytes() for w in weights), tuple(g.tobytes() for g in glows),
               lit, bool(self.phase), d.fast, self.width(), self.height())
        if self._edges_key != key:
            pixmap, painter = self._layer(antialiased=not d.fast)
            self._draw_edges(painter, weights, glows, lit, n)
            painter.end()
            self._edges, self._edges_key = pixmap, key
        p.drawPixmap(0, 0, self._edges)

    def _edge_lines(self, layer: int) -> np.ndarray:
        """Layer ``layer``'s edges as rows x0, y0, x1, y1, in the weights' (i, j) order."""
        n_in, n_out = self.data.sizes[layer - 1], self.data.sizes[layer]
        y0 = np.array([self._neuron(layer - 1, i).y() for i in range(n_in)])
        y1 = np.array([self._neuron(layer, j).y() for j in range(n_out)])
        lines = np.empty((n_in, n_out, 4))
        lines[..., 0] = self._out_x(layer - 1)
        lines[..., 1] = y0[:, None]
        lines[..., 2] = self._column_x(layer) - self._radius()
        lines[..., 3] = y1[None, :]
        return lines.reshape(-1, 4)

    def _draw_edges(self, p: QPainter, weights: list[np.ndarray], glows: list[np.ndarray],
                    lit: tuple[bool, ...], shades: int) -> None:
        """Glows first (violet, width and strength by |dL/dw|), then the weights over them
        (blue +, orange −, width and strength by |w|): one batch of lines per shade, in
        opaque colours (mixed with the white background: Qt draws translucent lines ten
        times slower)."""
        geometry = (self.data.sizes, self.width(), self.height())
        if self._lines_key != geometry:
            self._lines = [[QLineF(*row) for row in self._edge_lines(layer).tolist()]
                           for layer in range(1, len(self.data.sizes))]
            self._lines_key = geometry
        lines = self._lines
        top = shades - 1
        for layer, level in enumerate(glows):
            if not lit[layer]:
                continue
            flat = level.ravel()
            for k in np.flatnonzero(np.bincount(flat, minlength=shades)):
                s = k / top
                glow = _on_white(GLOW, (0.1 + 0.6 * s) * (1.0 if self.phase else 0.5))
                p.setPen(QPen(glow, 1.5 + 10.0 * s))
                p.drawLines([lines[layer][i] for i in np.flatnonzero(flat == k)])
        every = np.concatenate([w.ravel() for w in weights])
        edges = [line for layer in lines for line in layer]
        codes = every + shades  # −shades…−1, 1…shades → 0…2·shades
        present = np.flatnonzero(np.bincount(codes, minlength=2 * shades + 1))
        for code in sorted(present, key=lambda c: abs(int(c) - shades)):  # strongest last
            shade = int(code) - shades
            m = (abs(shade) - 1) / top
            p.setPen(QPen(_on_white(sign_colour(shade), 0.25 + 0.75 * m), 0.6 + 5.0 * m))
            p.drawLines([edges[i] for i in np.flatnonzero(codes == code)])

    def _paint_highlight(self, p: QPainter) -> None:
        d = self.data
        p.setPen(QPen(QColor(17, 24, 39, 190), 3.5))
        for name, i, j in self._highlight:
            layer = int(name[1:])
            if name[0] != "W" or layer > len(d.weights):
                continue
            w = d.weights[layer - 1]
            if i < w.shape[0] and j < w.shape[1]:
                b = self._neuron(layer, j)
                p.drawLine(QPointF(self._out_x(layer - 1), self._neuron(layer - 1, i).y()),
                           QPointF(b.x() - self._radius(), b.y()))

    def _paint_loss(self, p: QPainter) -> None:
        d = self.data
        box = self._loss_rect()
        last = len(d.sizes) - 1
        p.setPen(QPen(QColor("#9ca3af"), 1.2))
        for j in range(d.sizes[last]):
            a = self._neuron(last, j)
            p.drawLine(QPointF(self._out_x(last), a.y()), QPointF(box.left(), box.center().y()))
        lit = self.phase == "backward" and self.front >= last
        p.setBrush(QColor("#f3e8ff") if lit else QColor("#f9fafb"))
        p.setPen(QPen(GLOW if lit else QColor("#9ca3af"), 1.5))
        p.drawRoundedRect(box, 6, 6)
        p.setPen(QColor("#111827"))
        text = fmt(d.loss, 3)
        p.setFont(self.loss_font(text))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, f"L\n{text}")

    def loss_font(self, text: str) -> QFont:
        """The loss box's font: 9.5 pt, smaller for a number that would not fit (a loss
        of 1.27e+304 before training diverges)."""
        font = QFont(self.font())
        font.setPointSizeF(9.5)
        room = self._loss_rect().width() - 6
        wide = QFontMetricsF(font).horizontalAdvance(text)
        if wide > room:
            font.setPointSizeF(9.5 * room / wide)
        return font

    def _paint_neuron_layer(self, p: QPainter) -> None:
        """The neurons, from a picture kept while their maps (new a few times a second), their
        dead or saturated marks and the forward wave's lit columns stay the same; then the
        biases (which change at every step) over it."""
        d = self.data
        lit = tuple(d.sample is not None and self._lit_forward(c) for c in range(len(d.sizes)))
        refs = (d.tiles, d.signal_tiles, d.sample, d.inputs)
        key = (d.sizes, tuple(np.asarray(a, dtype=bool).tobytes()
                              for a in (*d.dead, *d.saturated)),
               lit, self.width(), self.height())
        if self._neurons_key != key or any(a is not b for a, b in zip(refs, self._neurons_refs,
                                                                      strict=True)):
            pixmap, painter = self._layer(antialiased=True)
            self._paint_neurons(painter)
            painter.end()
            self._neurons, self._neurons_key, self._neurons_refs = pixmap, key, refs
        p.drawPixmap(0, 0, self._neurons)
        self._paint_biases(p)

    def _layer(self, antialiased: bool) -> tuple[QPixmap, QPainter]:
        """A transparent picture the size of the diagram (at the screen's pixel ratio) and a
        painter on it, for a layer kept between frames (end the painter when done)."""
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialiased)
        return pixmap, painter

    def _paint_biases(self, p: QPainter) -> None:
        """The biases, from a picture kept while none changes shade (:data:`SHADES` sizes
        and opacities, as the edges): they change at every step, their shades seldom."""
        d = self.data
        n = FAST_SHADES if d.fast else SHADES
        levels = bias_levels(d.biases, n)
        key = (d.sizes, tuple(level.tobytes() for level in levels), n, self.width(),
               self.height())
        if self._biases_key != key:
            pixmap, painter = self._layer(antialiased=True)
            r = self._radius()
            for c in range(1, len(d.sizes)):
                for j, level in enumerate(levels[c - 1]):
                    self._paint_bias(painter, int(level), (abs(int(level)) - 1) / (n - 1),
                                     self._neuron(c, j), r)
            painter.end()
            self._biases, self._biases_key = pixmap, key
        p.drawPixmap(0, 0, self._biases)

    def _paint_neurons(self, p: QPainter) -> None:
        d = self.data
        r = self._radius()
        t = self._tile_size()
        small = self.sample_font()
        last = len(d.sizes) - 1
        for c, n in enumerate(d.sizes):
            for j in range(n):
                centre = self._neuron(c, j)
                circle = QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r)
                tile = d.tiles[c][j] if d.tiles is not None else None
                if tile is not None:
                    p.drawImage(circle, tile)  # round already: clear outside its circle
                p.setBrush(Qt.BrushStyle.NoBrush)
                pen = QPen(QColor("#4b5563"), 1.2)
                mark = ""
                if 0 < c < last and c - 1 < len(d.dead) and d.dead[c - 1][j]:
                    pen = QPen(QColor("#111827"), 2.5, Qt.PenStyle.DotLine)
                    mark = "dead"
                elif 0 < c < last and c - 1 < len(d.saturated) and d.saturated[c - 1][j]:
                    pen = QPen(QColor("#b45309"), 3.0)
                    mark = "sat."
                if d.sample is not None and self._lit_forward(c):
                    pen = QPen(QColor("#111827"), 2.5)
                p.setPen(pen)
                p.drawEllipse(circle)
                if c > 0 and d.signal_tiles is not None:
                    sq = QRectF(centre.x() + r + 3, centre.y() - t / 2, t, t)
                    p.drawImage(sq, d.signal_tiles[c - 1][j])
                    p.setPen(QPen(QColor("#9ca3af"), 0.8))
                    p.drawRect(sq)
                p.setFont(small)
                if c == 0:
                    p.setPen(QColor("#111827"))
                    p.drawText(QRectF(centre.x() - r - 66, centre.y() - 9, 60, 18),
                               Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                               d.inputs[j])
                box = self.mark_box(c, j, mark, small) if mark else None
                if box is not None:
                    p.setPen(pen.color())
                    p.drawText(box, Qt.AlignmentFlag.AlignCenter, mark)
                if d.sample is not None and self._lit_forward(c):
                    text = fmt(float(d.sample[c][j]), 3)
                    box, beside = self.sample_value_box(c, j, text, small)
                    if beside:  # over the edges: on a white box
                        p.setPen(Qt.PenStyle.NoPen)
                        p.setBrush(QColor(255, 255, 255, 230))
                        p.drawRoundedRect(box, 3, 3)
                        p.setBrush(Qt.BrushStyle.NoBrush)
                    p.setPen(QColor("#111827"))
                    p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def sample_font(self) -> QFont:
        """The font of the neurons' small texts (a sample's values, dead or saturated)."""
        small = QFont(self.font())
        small.setPointSizeF(8.5 if self._radius() > 12 else 7.0)
        return small

    def sample_value_box(self, column: int, j: int, text: str,
                         font: QFont | None = None) -> tuple[QRectF, bool]:
        """Where a sample's value ``text`` is written for neuron ``j`` of ``column``, and
        whether that is beside the neuron: above its circle when the rows leave room for a
        line of text, else (many neurons a layer) beside it, vertically centred: inputs on
        the right (their names are on the left), other neurons on the left (their
        backward-signal squares are on the right)."""
        metrics = QFontMetricsF(font or self.sample_font())
        r = self._radius()
        centre = self._neuron(column, j)
        width = metrics.horizontalAdvance(text) + 6
        height = metrics.height() + 1
        if self._spacing() - 2 * r >= height + 2:
            return QRectF(centre.x() - width / 2, centre.y() - r - height - 1, width,
                          height), False
        x = centre.x() + r + 2 if column == 0 else centre.x() - r - 2 - width
        return QRectF(x, centre.y() - height / 2, width, height), True

    def mark_box(self, column: int, j: int, text: str,
                 font: QFont | None = None) -> QRectF | None:
        """Where a dead or saturated neuron's word (``text``) is written: below its circle
        when the rows leave room for a line of text, else nowhere (many neurons a layer: the
        ring's style says it, and the legend explains the rings)."""
        metrics = QFontMetricsF(font or self.sample_font())
        r = self._radius()
        height = metrics.height() + 1
        if self._spacing() - 2 * r < height + 2:
            return None
        centre = self._neuron(column, j)
        width = metrics.horizontalAdvance(text) + 6
        return QRectF(centre.x() - width / 2, centre.y() + r + 1, width, height)

    def _paint_bias(self, p: QPainter, b: float, m: float, centre: QPointF, r: float) -> None:
        """A bias as a dot below its neuron: the sign of ``b``'s colour, size and opacity by
        ``m`` (min(1, |b|), in shades)."""
        size = 3.0 + 4.0 * m
        p.setPen(QPen(QColor("#374151"), 0.8))
        p.setBrush(sign_colour(b, 0.4 + 0.6 * m))
        p.drawEllipse(QPointF(centre.x() - r * 0.8, centre.y() + r * 0.8), size, size)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_front(self, p: QPainter) -> None:
        if not self.phase:
            return
        n = self._n_columns()
        if self.front >= n - 1:
            x = self._column_x(n - 1) + (self._loss_rect().center().x() - self._column_x(n - 1)) \
                * (self.front - (n - 1))
        else:
            lo = math.floor(self.front)
            x = self._column_x(lo) + (self._column_x(lo + 1) - self._column_x(lo)) * \
                (self.front - lo)
        band = QColor(GLOW if self.phase == "backward" else QColor("#0877bd"))
        band.setAlphaF(0.10)
        p.fillRect(QRectF(x - 10, TOP - 6, 20, self.height() - TOP - BOTTOM + 12), band)
        p.setPen(QColor("#374151"))
        p.drawText(QRectF(x - 80, self.height() - BOTTOM + 2, 160, 14),
                   Qt.AlignmentFlag.AlignCenter,
                   "forward pass →" if self.phase == "forward" else "← backward pass")

    def _paint_legend(self, p: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        p.setFont(font)
        p.setPen(QColor("#4b5563"))
        d = self.data
        rings = ""
        if d is not None and any(a.any() for a in d.dead):
            rings += " · dotted ring: dead (ReLU 0 everywhere)"
        if d is not None and any(a.any() for a in d.saturated):
            rings += " · amber ring: saturated (σ′ ≈ 0)"
        lines = ("lines: weights (blue +, orange −, width |w|) · violet glow: |dL/dw|" + rings,
                 "circles: output over the plane · squares: backward signal dL/dz "
                 "(one log scale for all: 3 decades)")
        for k, text in enumerate(lines):
            p.drawText(QRectF(8, self.height() - 30 + 14 * k, self.width() - 16, 14),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    # ----------------------------------------------------------------- hovering
    def _hit(self, pos: QPointF) -> tuple | None:
        """("neuron", column, j), ("bias", column, j), ("weight", layer, i, j) or None."""
        d = self.data
        if d is None:
            return None
        r = self._radius()
        for c, n in enumerate(d.sizes):
            for j in range(n):
                centre = self._neuron(c, j)
                if c > 0:
                    bias = QPointF(centre.x() - r * 0.8, centre.y() + r * 0.8)
                    if (pos - bias).manhattanLength() < 8:
                        return ("bias", c, j)
                if (pos - centre).manhattanLength() < r * 1.3 or (
                        c > 0 and 0 < pos.x() - centre.x() - r < self._tile_size() + 4
                        and abs(pos.y() - centre.y()) < self._tile_size() / 2):
                    return ("neuron", c, j)
        best, best_d = None, 5.0
        for layer, w in enumerate(d.weights, start=1):
            x0, x1 = self._out_x(layer - 1), self._column_x(layer) - r
            if not x0 <= pos.x() <= x1:
                continue
            t = (pos.x() - x0) / (x1 - x0)
            ys0 = np.array([self._neuron(layer - 1, i).y() for i in range(w.shape[0])])
            ys1 = np.array([self._neuron(layer, j).y() for j in range(w.shape[1])])
            y = ys0[:, None] * (1 - t) + ys1[None, :] * t
            slope = (ys1[None, :] - ys0[:, None]) / (x1 - x0)
            dist = np.abs(y - pos.y()) / np.sqrt(1 + slope * slope)
            i, j = np.unravel_index(int(np.argmin(dist)), dist.shape)
            if dist[i, j] < best_d:
                best, best_d = ("weight", layer, int(i), int(j)), float(dist[i, j])
        return best

    def describe(self, hit: tuple | None) -> str:
        """The read-out for a hover target (what the status line shows)."""
        d = self.data
        if hit is None or d is None:
            return ""
        kind = hit[0]
        if kind == "weight":
            _, layer, i, j = hit
            text = f"W{layer}[{i}, {j}] = {fmt(float(d.weights[layer - 1][i, j]))}"
            if d.grads is not None:
                text += f"   dL/dw = {fmt(float(d.grads[layer - 1][i, j]))}"
            if d.updates is not None:
                text += f"   last update {fmt(float(d.updates[layer - 1][i, j]))}"
            return text + "   (click: the chain rule behind dL/dw)"
        if kind == "bias":
            _, c, j = hit
            text = f"b{c}[{j}] = {fmt(float(d.biases[c - 1][j]))}"
            if d.bias_grads is not None:
                text += f"   dL/db = {fmt(float(d.bias_grads[c - 1][j]))}"
            if d.bias_updates is not None:
                text += f"   last update {fmt(float(d.bias_updates[c - 1][j]))}"
            return text
        _, c, j = hit
        if c == 0:
            return f"input {d.inputs[j]}: its value over the plane"
        name = "output" if c == len(d.sizes) - 1 else f"layer {c}, neuron {j}"
        text = f"{name}: output over the plane; dL/dz{c}[{j}]: where the loss pushes it"
        hidden = 0 < c < len(d.sizes) - 1
        if hidden and c - 1 < len(d.dead) and d.dead[c - 1][j]:
            text = (f"{name} is dead: its ReLU is 0 on every training point, so its slope is "
                    "0 there and no gradient passes through it to the weights below")
        elif hidden and c - 1 < len(d.saturated) and d.saturated[c - 1][j]:
            text = (f"{name} is saturated (sat.): its slope σ′ is under a tenth of its largest "
                    "on 90 % of the training points, so the gradient through it nearly "
                    "vanishes; " + text)
        if d.signal_peaks is not None and c - 1 < len(d.signal_peaks):
            top = max(float(peak.max(initial=0.0)) for peak in d.signal_peaks)
            text += (f" (largest |dL/dz| {fmt(float(d.signal_peaks[c - 1][j]), 2)}; one log "
                     f"colour scale down from the network's {fmt(top, 2)})")
        return text

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._mouse = event.position()
        hit = self._hit(self._mouse)
        if hit != self._hover:
            self._hover = hit
            self.hovered.emit(self.describe(hit))
            self.setCursor(Qt.CursorShape.PointingHandCursor if hit and hit[0] == "weight"
                           else Qt.CursorShape.ArrowCursor)
        self.update()

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.hovered.emit("")
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self._hit(event.position())
        if hit and hit[0] == "weight" and event.button() == Qt.MouseButton.LeftButton:
            self.weight_clicked.emit(f"W{hit[1]}", hit[2], hit[3])

    def hover_at(self, pos: QPointF) -> str:
        """Hover ``pos`` as the mouse would (tests); the read-out."""
        self._mouse = pos
        self._hover = self._hit(pos)
        self.update()
        return self.describe(self._hover)

    def weight_position(self, layer: int, i: int, j: int) -> QPointF:
        """A whole-pixel point on weight ``W{layer}[i, j]``'s edge where a click picks that
        weight (edges cross: the first such point of a few along it, from a third of the way,
        where edges cross less than at their middles; tests and tours)."""
        a = QPointF(self._out_x(layer - 1), self._neuron(layer - 1, i).y())
        b = self._neuron(layer, j)
        b = QPointF(b.x() - self._radius(), b.y())
        points = [a + (b - a) * t for t in (1 / 3, 1 / 4, 2 / 5, 1 / 5, 1 / 2, 3 / 5)]
        points = [QPointF(round(q.x()), round(q.y())) for q in points]
        return next((q for q in points if self._hit(q) == ("weight", layer, i, j)), points[0])

    def neuron_position(self, column: int, j: int) -> QPointF:
        """The centre of a neuron (tests and tours)."""
        return self._neuron(column, j)

    def _paint_hover(self, p: QPainter) -> None:
        hit, d = self._hover, self.data
        if hit is None:
            return
        if hit[0] == "weight":
            _, layer, i, j = hit
            a = QPointF(self._out_x(layer - 1), self._neuron(layer - 1, i).y())
            b = self._neuron(layer, j)
            p.setPen(QPen(QColor("#111827"), 2.0, Qt.PenStyle.DashLine))
            p.drawLine(a, QPointF(b.x() - self._radius(), b.y()))
        if hit[0] == "neuron" and d.tiles is not None:
            _, c, j = hit
            size = min(170.0, self.height() / 3)
            pics = [(d.tiles[c][j], "output")]
            if c > 0 and d.signal_tiles is not None:
                pics.append((d.signal_tiles[c - 1][j], f"dL/dz{c}[{j}]"))
            width = len(pics) * (size + 8) + 8
            x = min(self._mouse.x() + 16, self.width() - width - 4)
            y = min(max(self._mouse.y() - size / 2, 4), self.height() - size - 30)
            p.setPen(QPen(QColor("#6b7280"), 1))
            p.setBrush(QColor(255, 255, 255, 240))
            p.drawRoundedRect(QRectF(x, y, width, size + 30), 6, 6)
            for k, (img, caption) in enumerate(pics):
                rect = QRectF(x + 8 + k * (size + 8), y + 8, size, size)
                p.drawImage(rect, img)
                p.setPen(QColor("#111827"))
                p.drawText(QRectF(rect.x(), rect.bottom() + 2, size, 18),
                           Qt.AlignmentFlag.AlignCenter, caption)
