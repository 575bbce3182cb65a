"""The nudge and slope dock (seed 001, "the derivative as a slope"): move one input by h and
see f(x), f(x + h), the rise over the run, the gradient's prediction and the actual change side
by side. h is typed (any finite non-zero number, 1e-15 too) or dragged on a log scale; the
numbers follow every edit of the graph. The maths is :func:`graphapp.lab.slope`. While a quiz
asks the input's gradient, all but x, h and f(x) read ? (:mod:`graphapp.lab.withheld`).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from graphapp import lab
from graphapp.engine import EvaluationError
from graphapp.gui.document import Document
from graphapp.gui.lab.base import LabView
from graphapp.lab.withheld import HIDDEN, SLOPE_SHOWN, asked, asked_note

__all__ = ["NudgeView"]

#: The slider moves log10(h) in tenths from 1e-15 to 1e-1.
_LOG_MIN, _LOG_MAX = -150, -10

#: (key, label, tip) for each number shown, in order.
ROWS = (
    ("x", "x", "The input's value now"),
    ("h", "h (the run)", "How far the input is nudged"),
    ("f_x", "f(x)", "The output now"),
    ("f_xh", "f(x + h)", "The output after the nudge"),
    ("rise", "rise  f(x+h) − f(x)", "The actual change of the output"),
    ("slope", "rise / run", "The slope of the secant: the forward difference"),
    ("gradient", "gradient (backprop)", "df/dx by the chain rule, as micrograd computes it"),
    ("predicted", "predicted change  gradient·h", "What the gradient says the change is"),
    ("actual", "actual change", "What really happened (the rise)"),
    ("error", "|rise/run − gradient|", "Shrinks with h, until round-off takes over"),
)


def exact(v: float) -> str:
    """Every digit of a float, as Python prints it (the shortest text that reads back as the
    same number: seed 001's ``20.014003000000002``), so that f(x) and f(x + h) differ on
    screen however small h is; typographic minus."""
    text = repr(float(v))
    return (text[:-2] if text.endswith(".0") else text).replace("-", "−")


class NudgeView(LabView):
    """Rise over run against the gradient, for the chosen input and step h."""

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        self.h = lab.DEFAULT_H
        super().__init__(doc, parent)
        self.h_edit = QLineEdit(f"{self.h:g}", self)
        self.h_edit.setToolTip("The step h: any number other than 0, e.g. 0.001 or 1e-15")
        self.h_edit.editingFinished.connect(self._typed_h)
        self.h_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.h_slider.setRange(_LOG_MIN, _LOG_MAX)
        self.h_slider.setToolTip("Drag to change h from 1e-15 to 0.1 (a log scale)")
        self.h_slider.setValue(round(10 * math.log10(self.h)))
        self.h_slider.valueChanged.connect(self._dragged_h)
        grid = QGridLayout()
        grid.addWidget(QLabel("h", self), 0, 0)
        grid.addWidget(self.h_edit, 0, 1)
        grid.addWidget(self.h_slider, 1, 0, 1, 2)
        self.cells: dict[str, QLabel] = {}
        for row, (key, text, tip) in enumerate(ROWS, start=2):
            name = QLabel(text, self)
            name.setToolTip(tip)
            cell = QLabel(self)
            cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            # wide enough for every digit of a float, so no number is cut in a narrow dock
            cell.setMinimumWidth(cell.fontMetrics().horizontalAdvance("−1.2345678901234567e−15"))
            grid.addWidget(name, row, 0)
            grid.addWidget(cell, row, 1)
            self.cells[key] = cell
        grid.setColumnStretch(2, 1)  # numbers stay next to their names
        # in a scroll area: a dock shorter than the twelve rows scrolls instead of drawing
        # the rows over each other (seen with three lab docks open side by side)
        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(grid)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        column.addWidget(self.note)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(content.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width())
        self.body.addWidget(scroll, 1)

    def set_h(self, h: float) -> None:
        """Use step ``h`` (the text box shows it) and refresh."""
        self.h = h
        self.h_edit.setText(f"{h:g}")
        tenths = min(_LOG_MAX, max(_LOG_MIN, round(10 * math.log10(abs(h)))))
        if tenths != self.h_slider.value():
            self.h_slider.blockSignals(True)  # the slider shows a typed h too
            self.h_slider.setValue(tenths)
            self.h_slider.blockSignals(False)
        self.refresh()

    def _typed_h(self) -> None:
        try:
            h = float(self.h_edit.text())
        except ValueError:
            h = math.nan
        if h == 0 or not math.isfinite(h):
            self.note.setText(f"h must be a number other than 0 (e.g. 0.001), not "
                              f"“{self.h_edit.text()}”.")
            return
        self.set_h(h)

    def _dragged_h(self, tenths: int) -> None:
        self.set_h(float(f"{10 ** (tenths / 10):.2g}"))

    def render(self, wrt: str | None) -> None:
        """Show the nudge of ``wrt`` by h."""
        if not hasattr(self, "cells"):
            return  # the first refresh can come before the widgets exist
        if wrt is None:
            self._clear("Choose an output (Graph ▸ Differentiate This) and give the graph a "
                        "scalar input to nudge.")
            return
        try:
            s = lab.slope(self.doc.graph, self.doc.output, wrt, self.h)
        except (EvaluationError, ValueError, TypeError) as exc:  # TypeError: an array output
            self._clear(f"Cannot nudge {wrt}: {exc}")
            return
        if asked(self.hidden, wrt):
            for key, _, _ in ROWS:
                self.cells[key].setText(exact(getattr(s, key)) if key in SLOPE_SHOWN
                                        else HIDDEN)
            self.note.setText(asked_note(s.output, wrt))
            return
        for key, _, _ in ROWS:
            self.cells[key].setText(exact(getattr(s, key)))
        self.note.setText(
            f"Nudging {wrt} by h = {s.h:g} moves {s.output} by {exact(s.rise)}. The gradient, "
            f"which backprop gets from the chain rule, predicts {exact(s.predicted)}. Rise "
            f"over run is {exact(s.slope)} against the gradient's {exact(s.gradient)}: "
            "smaller h brings them closer, until round-off in f(x+h) − f(x) wins (try 1e-12).")

    def _clear(self, why: str) -> None:
        for cell in self.cells.values():
            cell.setText("—")
        self.note.setText(why)
