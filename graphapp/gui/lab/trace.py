"""The trace table dock: the forward pass (every node from its inputs, in order) and then the
reverse pass (each node's gradient and the local derivatives on its input edges), one row per
step, the way micrograd's backward() walks the graph; copied as Markdown or CSV for notes. The
rows are :func:`graphapp.lab.trace_rows`, the text :func:`graphapp.lab.to_markdown` / ``to_csv``.
While a quiz runs, the numbers it asks read ? (:mod:`graphapp.lab.withheld`), copies too.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QTableWidgetItem, QWidget

from graphapp import lab
from graphapp.engine import EvaluationError
from graphapp.gui.document import Document
from graphapp.gui.lab.base import LabView
from graphapp.lab.withheld import HIDDEN, NOTE, trace_cells

__all__ = ["TraceView"]


class TraceView(LabView):
    """The computational trace of the current graph as a table."""

    NEEDS_INPUT = False

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        self.rows: list[lab.TraceRow] = []
        #: The table's text, as shown (a quiz's hidden numbers read ?) and as copied.
        self.texts: list[list[str]] = []
        super().__init__(doc, parent)
        self.note = QLabel(self)
        self.note.setWordWrap(True)  # unwrapped, it made the window wider than the screen
        self.top.insertWidget(0, self.note, 1)
        for text, fmt in (("Copy as Markdown", "markdown"), ("Copy as CSV", "csv")):
            button = QPushButton(text, self)
            button.setToolTip(f"Put the whole table on the clipboard as {text[8:]}")
            button.clicked.connect(lambda _=False, f=fmt: self.copy(f))
            self.top.addWidget(button)
        self.table = QTableWidget(0, len(lab.TRACE_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(lab.TRACE_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # room for the header and six steps: a docked table two rows high reads as nothing
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + 6 * rows
                                    + self.table.horizontalScrollBar().sizeHint().height() + 4)
        self.body.addWidget(self.table, 1)

    def render(self, wrt: str | None) -> None:
        """Fill the table with the forward then the reverse trace."""
        if not hasattr(self, "table"):
            return
        self.rows = []
        out = self.doc.output
        if wrt is None:
            self.note.setText("Choose an output (Graph ▸ Differentiate This) to trace.")
        else:
            try:
                self.rows = lab.trace_rows(self.doc.graph, out)
                self.note.setText(f"Forward pass: values in order. Reverse pass: from {out} "
                                  "back, each gradient the sum over its consumers of gradient "
                                  "× local derivative (the chain rule).")
            except (EvaluationError, ValueError, TypeError) as exc:  # TypeError: an array output
                self.note.setText(f"Cannot trace {out}: {exc}")
        hidden = self.hidden
        self.texts = [trace_cells(row, hidden) for row in self.rows]
        if hidden and any(HIDDEN in row for row in self.texts):
            self.note.setText(f"{self.note.text()} {NOTE}")
        self.table.setRowCount(len(self.rows))
        for r, texts in enumerate(self.texts):
            for c, text in enumerate(texts):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def copy(self, fmt: str) -> str:
        """Copy the table as ``"markdown"`` or ``"csv"`` to the clipboard (as shown: a quiz's
        hidden numbers read ?); returns the text."""
        text = lab.to_markdown(self.texts) if fmt == "markdown" else lab.to_csv(self.texts)
        QGuiApplication.clipboard().setText(text)
        return text
