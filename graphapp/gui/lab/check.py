"""The gradient check dock: for each input, backprop's gradient against forward and central
differences, and a log-log plot of the error against h from 1e-1 to 1e-12 with the best h
marked (the V that truncation and round-off make). The maths is :func:`graphapp.lab.h_sweep`;
pyqtgraph is imported only when the plot is first opened (start-up cost). While a quiz asks an
input's gradient, its row reads ? and its sweep is not plotted (:mod:`graphapp.lab.withheld`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from graphapp import lab
from graphapp.engine import EvaluationError
from graphapp.gui.document import Document
from graphapp.gui.explain import num
from graphapp.gui.lab.base import LabView
from graphapp.lab.withheld import HIDDEN, NOTE, asked

__all__ = ["CheckView"]

COLUMNS = ("input", "backprop", "central diff.", "at h", "error", "forward diff.", "at h",
           "error")


class CheckView(LabView):
    """Every input's gradient check, and the error sweep of the chosen one."""

    CHOOSER_TEXT = "plot for"

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        self.checks: dict[str, lab.InputCheck] = {}
        self.plot = None  # a pyqtgraph PlotWidget once opened
        super().__init__(doc, parent)
        self.plot_button = QPushButton("Plot error against h", self)
        self.plot_button.setToolTip("A log-log plot of |difference − backprop| for h = 0.1 … "
                                    "1e-12 (uses pyqtgraph)")
        self.plot_button.clicked.connect(self.open_plot)
        self.top.addWidget(self.plot_button)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # table and plot side by side: the dock stays short and nothing overlaps the note
        self.row = QHBoxLayout()
        self.row.addWidget(self.table, 1)
        self.body.addLayout(self.row, 1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.body.addWidget(self.note)

    def run_now(self) -> None:
        """Show this dock and check the current graph now, with its plot of the error against
        h (the Run menu's Gradient Check over h)."""
        dock = self.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()
        self.refresh()
        self.open_plot()

    def render(self, wrt: str | None) -> None:
        """Check every input; plot ``wrt``'s sweep when the plot is open."""
        if not hasattr(self, "table"):
            return
        self.checks = {}
        if wrt is None:
            self.table.setRowCount(0)
            self.note.setText("Choose an output (Graph ▸ Differentiate This) to check its "
                              "gradients.")
            self._draw(None)
            return
        try:
            self.checks = lab.h_sweep_all(self.doc.graph, self.doc.output)
        except (EvaluationError, ValueError, TypeError) as exc:  # TypeError: an array output
            self.table.setRowCount(0)
            self.note.setText(f"Cannot check {self.doc.output}: {exc}")
            self._draw(None)
            return
        hidden = self.hidden
        self.table.setRowCount(len(self.checks))
        for row, check in enumerate(self.checks.values()):
            if asked(hidden, check.name):  # every number here is (close to) the answer
                texts = [check.name] + [HIDDEN] * (len(COLUMNS) - 1)
                for col, text in enumerate(texts):
                    self.table.setItem(row, col, QTableWidgetItem(text))
                continue
            texts = [check.name, num(check.backprop, 10)]
            for kind in ("central", "forward"):
                best = check.best(kind)
                texts += ([num(getattr(best, kind), 10), f"{best.h:g}",
                           f"{getattr(best, kind + '_error'):.1e}"] if best else ["—"] * 3)
            for col, text in enumerate(texts):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.note.setText(
            "Backprop uses the chain rule (as micrograd does); the differences only evaluate f. "
            "The forward difference (f(x+h) − f(x))/h errs by about h·|f″|/2, the central one "
            "(f(x+h) − f(x−h))/2h by about h²·|f‴|/6, and below some h round-off grows again: "
            "the plot shows the V and marks the best h.")
        if any(asked(hidden, name) for name in self.checks):
            self.note.setText(f"{self.note.text()} {NOTE}")
        self._draw(None if asked(hidden, wrt) else self.checks.get(wrt))

    def open_plot(self) -> None:
        """Open the log-log plot of error against h (imports pyqtgraph the first time)."""
        if self.plot is None:
            import pyqtgraph as pg

            self.plot = pg.PlotWidget(self)
            self.plot.setBackground("w")
            self.plot.setLogMode(x=True, y=True)
            self.plot.showGrid(x=True, y=True, alpha=0.3)
            self.plot.setLabel("bottom", "step h (shrinking →)")
            self.plot.getViewBox().invertX(True)  # as in taking the limit h → 0
            self.plot.setLabel("left", "|difference − backprop|")
            for side in ("bottom", "left"):
                self.plot.getAxis(side).enableAutoSIPrefix(False)  # h, not "h (x0.001)"
            self.plot.addLegend(offset=(-10, -10))  # bottom right: empty where round-off rules
            self.plot.setMinimumHeight(160)
            self.row.addWidget(self.plot, 2)
        self.plot.show()
        self._draw(None if asked(self.hidden, self.wrt) else self.checks.get(self.wrt or ""))

    def _draw(self, check: lab.InputCheck | None) -> None:
        if self.plot is None:
            return
        import pyqtgraph as pg

        self.plot.clear()
        if check is None:
            self.plot.setTitle("")  # the last one's title named its backprop gradient
            self.plot.setTitle(None)
            return
        h = np.array([r.h for r in check.rows])
        for kind, colour in (("forward", "#d9480f"), ("central", "#1c7ed6")):
            err = np.array([getattr(r, kind + "_error") for r in check.rows])
            keep = np.isfinite(err) & (err > 0)  # a log axis cannot show 0
            self.plot.plot(h[keep], err[keep], pen=pg.mkPen(colour, width=2), symbol="o",
                           symbolSize=6, symbolBrush=colour, name=f"{kind} difference")
            best = check.best(kind)
            if best is not None and getattr(best, kind + "_error") > 0:
                self.plot.plot([best.h], [getattr(best, kind + "_error")], pen=None,
                               symbol="star", symbolSize=16, symbolBrush=colour,
                               name=f"best h for {kind}: {best.h:g}")
        errors = [e for r in check.rows for e in (r.forward_error, r.central_error)]
        why = ""
        if all(e == 0 for e in errors):
            why = (" — both differences equal it exactly at every h (an error of 0 has no "
                   "place on a log axis)")
        elif not any(np.isfinite(e) and e > 0 for e in errors):
            why = " — no error to draw: f or its gradient is not finite here"
        self.plot.setTitle(f"Gradient check of {check.name}: backprop {num(check.backprop, 8)}"
                           + why)
