"""One weight's gradient, opened down to its paths: what a click on a weight in the diagram shows.

The chain rule says dL/dw is a sum over every path from the loss down to the weight, each path
the product of the local derivatives met on the way. :class:`WeightDetail` shows that sum as a
table (one row per path, one cell per factor with its number, the product at the end), the sum
beside the engine's reverse-mode gradient and a finite difference of the loss, for the current
sample or averaged over the batch, and a plot of the loss along that weight with its tangent
line, whose slope is that very number. The maths is in :mod:`graphapp.train.paths`; this
widget only lays the numbers out.

Signals: :attr:`WeightDetail.highlight` carries the paths to light on the diagram (largest
first, or the one selected in the table), each as a list of ``(layer, neuron)`` pairs (layer 0:
the inputs); :attr:`WeightDetail.highlight_edges` the same paths as the weights they cross,
``(name, row, col)``. :attr:`WeightDetail.open_requested` asks for the sample's scalar graph in
the editor (:func:`graphapp.gui.training.step_editor.open_in_editor`).

pyqtgraph is imported when the first weight is shown, not when this module is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graphapp.formats.present import sign_role
from graphapp.gui.explain import num
from graphapp.gui.theme import current_theme
from graphapp.gui.training.step_editor import EDITOR_LIMIT
from graphapp.train.model import MLP
from graphapp.train.paths import (
    SEARCH_SAMPLES,
    LossSlice,
    PathSum,
    loss_along,
    param_index,
    weight_paths,
)

__all__ = ["WeightDetail"]


@dataclass(frozen=True)
class _Shown:
    """What is on screen: the weight and the data it was computed for."""

    model: MLP
    flat: np.ndarray
    name: str
    index: tuple[int, ...]
    sample: tuple[np.ndarray, np.ndarray]
    batch: tuple[np.ndarray, np.ndarray] | None


def _agreement(a: float, b: float) -> str:
    """How closely two numbers agree, in words."""
    diff = abs(a - b)
    scale = max(abs(a), abs(b), 1e-300)
    if diff == 0:
        return "equal to the last digit"
    if diff / scale < 1e-6:
        return f"agree to {diff:.1e}"
    return f"differ by {diff:.2e}"


class WeightDetail(QWidget):
    """dL/dw for one weight: its paths, their sum, two checks and the loss along the weight."""

    #: The paths to light on the diagram: a list of paths, each a list of (layer, neuron).
    highlight = Signal(list)
    #: The same paths as the weights they cross: lists of (name, row, col).
    highlight_edges = Signal(list)
    #: The learner asked to open the current sample's forward and backward pass in the editor.
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None, keep: int = 12) -> None:
        super().__init__(parent)
        self.keep = keep
        self._shown: _Shown | None = None
        self.sums: dict[str, PathSum] = {}  # "sample" / "batch" → what was computed
        self.slice: LossSlice | None = None
        self._plot: Any = None

        self.title = QLabel("Click a weight in the network to see its gradient built by the "
                            "chain rule.")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)

        self.sample_button = QRadioButton("This sample")
        self.batch_button = QRadioButton("Averaged over the batch")
        self.sample_button.setChecked(True)
        self._mode = QButtonGroup(self)
        self._mode.addButton(self.sample_button)
        self._mode.addButton(self.batch_button)
        self._mode.buttonToggled.connect(self._mode_changed)
        self.open_button = QPushButton("Open this sample in the editor")
        self.open_button.setToolTip("The sample's forward and backward pass as a graph of "
                                    "single numbers, to step through edge by edge")
        self.open_button.clicked.connect(self.open_requested)
        modes = QHBoxLayout()
        modes.addWidget(self.sample_button)
        modes.addWidget(self.batch_button)
        modes.addStretch(1)
        modes.addWidget(self.open_button)

        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.plot_caption = QLabel()
        self.plot_caption.setWordWrap(True)
        self._plot_box = QVBoxLayout()

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(modes)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.legend)
        layout.addWidget(self.summary)
        layout.addLayout(self._plot_box, 2)
        layout.addWidget(self.plot_caption)
        self._set_enabled(False)

    # ----------------------------------------------------------------- public
    def show_weight(self, model: MLP, flat: np.ndarray, name: str, row: int, col: int,
                    x_sample: np.ndarray, y_sample: Any, x_batch: np.ndarray | None = None,
                    y_batch: np.ndarray | None = None) -> None:
        """Show ``name[row, col]`` (for a bias: row 0, col = the neuron) of ``model`` with
        parameters ``flat``, for the sample ``x_sample`` (one raw point) with label
        ``y_sample``, and averaged over the batch ``x_batch`` / ``y_batch`` if given."""
        index = param_index(model, name, row, col)
        sample = (np.asarray(x_sample, dtype=np.float64).reshape(1, -1),
                  np.asarray(y_sample, dtype=np.float64).reshape(1))
        batch = None
        if x_batch is not None and y_batch is not None and len(x_batch):
            batch = (np.asarray(x_batch, dtype=np.float64), np.asarray(y_batch,
                                                                       dtype=np.float64))
        self._shown = _Shown(model, np.array(flat, dtype=np.float64), name, index, sample,
                             batch)
        self.sums = {}
        self.batch_button.setEnabled(batch is not None)
        self.batch_button.setText("Averaged over the batch" if batch is None else
                                  f"Averaged over the batch ({len(batch[0])} sample"
                                  f"{'s' * (len(batch[0]) != 1)})")
        if batch is None and self.batch_button.isChecked():
            self.sample_button.setChecked(True)
        small = model.n_params <= EDITOR_LIMIT
        self.open_button.setEnabled(small)
        self.open_button.setToolTip(
            "The sample's forward and backward pass as a graph of single numbers, to step "
            "through edge by edge" if small else
            f"For networks up to {EDITOR_LIMIT} parameters; this one has {model.n_params}")
        self._set_enabled(True)
        self._render()

    def update_params(self, flat: np.ndarray) -> None:
        """The same weight and data with new parameter values (after a training step)."""
        s = self._shown
        if s is None:
            return
        self.show_weight(s.model, flat, s.name, *self._row_col(s), s.sample[0], s.sample[1],
                         *(s.batch or (None, None)))

    @property
    def mode(self) -> str:
        """``"sample"`` or ``"batch"``: which loss the table shows."""
        return "batch" if self.batch_button.isChecked() else "sample"

    def current(self) -> PathSum | None:
        """The path sum on screen."""
        return self.sums.get(self.mode)

    def shown_sample(self) -> tuple[MLP, np.ndarray, np.ndarray, float] | None:
        """The model, parameters, point and label on screen (for the editor)."""
        s = self._shown
        if s is None:
            return None
        return s.model, s.flat, s.sample[0][0], float(s.sample[1][0])

    # ----------------------------------------------------------------- building the view
    @staticmethod
    def _row_col(s: _Shown) -> tuple[int, int]:
        return (s.index[0], s.index[1]) if len(s.index) == 2 else (0, s.index[0])

    def _set_enabled(self, on: bool) -> None:
        for w in (self.sample_button, self.batch_button, self.open_button, self.table):
            w.setVisible(on)

    def _mode_changed(self, _button: QRadioButton, checked: bool) -> None:
        if checked and self._shown is not None:
            self._render()

    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        s = self._shown
        assert s is not None
        return s.batch if self.mode == "batch" and s.batch is not None else s.sample

    def _render(self) -> None:
        s = self._shown
        assert s is not None
        x, y = self._data()
        mode = self.mode
        if mode not in self.sums:
            self.sums[mode] = weight_paths(s.model, s.flat, x, y, s.name, s.index, self.keep)
        ps = self.sums[mode]
        label = f"{s.name}[{','.join(map(str, s.index))}]"
        self.title.setText(f"∂L/∂{label} = {num(ps.total, 6)}: the chain rule, path by path")
        self.intro.setText(self._intro_html(ps, label))
        self._fill_table(ps)
        self.slice = loss_along(s.model, s.flat, x, y, s.name, s.index, ps.total,
                                span=max(1.0, 1.5 * abs(ps.value)))
        self.summary.setText(self._summary_html(ps))
        self._draw_plot(ps, label)
        self._emit_highlight(ps.paths)

    def _intro_html(self, ps: PathSum, label: str) -> str:
        many = "one path" if ps.n_paths == 1 else f"{ps.n_paths:,} paths"
        where = ("This sample's loss" if ps.samples == 1 else
                 f"The batch's loss (the mean over its {ps.samples} samples)")
        batch = ("" if ps.samples == 1 else
                 " For a batch each path's product is averaged over the samples (the factors "
                 "shown are the samples' means).")
        return (f"{where} reaches {label} along {many}: from the loss to an output "
                "neuron, down through one neuron of each layer, to this weight. Along a path, "
                "multiply the local derivatives met on the way (each row below, read from the "
                "loss down); add the paths: by the chain rule the sum is ∂L/∂w. The largest "
                f"paths are lit on the network diagram; pick a row to light only that one.{batch}")

    def _fill_table(self, ps: PathSum) -> None:
        width = max((len(p.factors) for p in ps.paths), default=0)
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(width + 2)
        self.table.setRowCount(len(ps.paths))
        headers = ["path"] + [f"factor {k + 1}" for k in range(width)] + ["product"]
        chain = [p for p in ps.paths if p.kind == "chain"]
        if chain:
            headers[1:1 + len(chain[0].factors)] = [_generic(f.symbol) for f in
                                                    chain[0].factors]
        self.table.setHorizontalHeaderLabels(headers)
        theme = current_theme()
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, path in enumerate(ps.paths):
            route = (" → ".join(_neuron_name(self._shown.model, n) for n in path.neurons)
                     if path.kind == "chain" else "the penalty (regularisation)")
            via = re.match(r"∂L/∂(p\d+)$", path.factors[0].symbol) if path.factors else None
            if via:  # through the softmax: which probability the path goes through
                route += f" → {via.group(1)}"
            self.table.setItem(r, 0, QTableWidgetItem(route))
            for c, f in enumerate(path.factors):
                item = QTableWidgetItem(f"{f.symbol}\n{num(f.value, 4)}")
                item.setToolTip(f"{f.symbol} = {num(f.value, 10)}: {f.meaning}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c + 1, item)
            prod = QTableWidgetItem(num(path.product, 6))
            prod.setFont(bold)
            prod.setForeground(theme.role(sign_role(path.product)))
            prod.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            prod.setToolTip("the product of this row's factors" if ps.samples == 1 else
                            "the mean over the batch of this path's product")
            self.table.setItem(r, width + 1, prod)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(min(len(ps.paths), 8)))
        self.table.setMaximumHeight(rows + head.height() + 2 * self.table.frameWidth() + 24)
        self.table.blockSignals(False)
        self.legend.setText(_legend_html(ps))

    def _summary_html(self, ps: PathSum) -> str:
        sl = self.slice
        assert sl is not None
        if ps.explicit:
            summed = (f"Sum of all {ps.n_paths:,} paths" if ps.n_paths > 1 else
                      "The one path's product")
            shown = ("" if len(ps.paths) == ps.n_paths else
                     f" (the table shows the {len(ps.paths)} largest; they add to "
                     f"{num(ps.kept_total, 6)})")
        else:
            summed = f"Sum of all {ps.n_paths:,} paths"
            shown = (f" (too many to list: the table shows the {len(ps.paths)} largest, "
                     f"adding to {num(ps.kept_total, 6)}; the sum of all of them is exact, "
                     "added layer by layer as the backward pass does"
                     + ("" if ps.ranked_exactly else
                        ", and the largest were looked for among the samples' own largest "
                        f"(of up to {SEARCH_SAMPLES} samples)")
                     + ")")
        fd = sl.finite_difference
        return (f"<b>{summed}: {num(ps.total, 10)}</b>{shown}<br>"
                f"The engine's backward pass (reverse mode, the same loss): {num(ps.engine, 10)}"
                f" — {_agreement(ps.total, ps.engine)}<br>"
                f"Finite difference (L(w + h) − L(w − h)) / 2h with h = {sl.fd_step:.0e}: "
                f"{num(fd, 10)} — {_agreement(ps.total, fd)}")

    def _draw_plot(self, ps: PathSum, label: str) -> None:
        import pyqtgraph as pg  # only when a weight is first shown

        sl = self.slice
        assert sl is not None
        theme = current_theme()
        if self._plot is None:
            self._plot = pg.PlotWidget(background=theme.canvas)
            for side in ("left", "bottom"):
                axis = self._plot.getAxis(side)
                axis.setPen(theme.muted)
                axis.setTextPen(theme.text)
                axis.enableAutoSIPrefix(False)
            self._plot.setMinimumHeight(160)
            self._plot.setMouseEnabled(x=False, y=False)
            self._plot.setMenuEnabled(False)
            self._plot.showGrid(x=True, y=True, alpha=0.25)
            self._plot_box.addWidget(self._plot)
        p = self._plot
        p.clear()
        w = sl.offsets + ps.value
        p.setLabel("bottom", label)
        p.setLabel("left", "loss")
        p.plot(w, sl.losses, pen=pg.mkPen(theme.text, width=2))
        tangent = sl.tangent()
        lo, hi = float(np.min(sl.losses)), float(np.max(sl.losses))
        pad = 0.15 * (hi - lo or 1.0)
        keep = (tangent >= lo - pad) & (tangent <= hi + pad)
        p.plot(w[keep], tangent[keep],
               pen=pg.mkPen(theme.accent, width=2, style=Qt.PenStyle.DashLine))
        p.plot([ps.value], [sl.loss], pen=None, symbol="o", symbolSize=9,
               symbolBrush=theme.accent)
        p.setYRange(lo - pad, hi + pad, padding=0)
        self.plot_caption.setText(
            f"The loss as {label} alone moves from {num(w[0], 3)} to {num(w[-1], 3)} (every "
            f"other parameter held), and its tangent line at {label} = {num(ps.value, 4)}: "
            f"the tangent's slope is the sum above, {num(ps.total, 6)}.")

    # ----------------------------------------------------------------- the diagram
    def _emit_highlight(self, paths: Any) -> None:
        chain = [p for p in paths if p.kind == "chain"]
        self.highlight.emit([list(p.neurons) for p in chain])
        self.highlight_edges.emit([list(p.edges) for p in chain])

    def _row_selected(self) -> None:
        ps = self.current()
        rows = {i.row() for i in self.table.selectedItems()}
        if ps is None:
            return
        self._emit_highlight([ps.paths[r] for r in sorted(rows)] if rows else ps.paths)


def _legend_html(ps: PathSum) -> str:
    """What each kind of factor is, once per column heading."""
    seen: dict[str, str] = {}
    for path in ps.paths:
        for f in path.factors:
            seen.setdefault(_generic(f.symbol), f.meaning)
    return "; ".join(f"<b>{html.escape(k)}</b>: {html.escape(v)}" for k, v in seen.items())


def _generic(symbol: str) -> str:
    """A factor's symbol without its neuron and class indices, for a column heading:
    W2[1,0] → W2, ∂p1/∂z2[0] → ∂p/∂z2."""
    return re.sub(r"(?<=p)\d+", "", re.sub(r"\[[^\]]*\]", "", symbol))


def _neuron_name(model: MLP | None, neuron: tuple[int, int]) -> str:
    layer, n = neuron
    if model is None:
        return f"{layer}:{n}"
    if layer == 0:
        return model.config.features[n]
    if layer == len(model.sizes) - 1:
        return f"out[{n}]" if model.sizes[-1] > 1 else "out"
    return f"h{layer}[{n}]"
