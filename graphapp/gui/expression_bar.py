"""The expression bar: type ``L = (a*b + c) * f`` and press Enter to add or update those
nodes (the same parser as ``.expr`` files). Errors show under the bar; the graph is untouched."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from graphapp.gui.document import Document
from graphapp.gui.edits import apply_statement
from graphapp.gui.undo_routing import route_undo

__all__ = ["ExpressionBar"]


class ExpressionBar(QWidget):
    """A line edit for statements, with the last error under it."""

    #: A statement was applied (the window may select or fit the new nodes).
    applied = Signal(str)

    def __init__(self, doc: Document, anchor, parent: QWidget | None = None) -> None:
        """``anchor()`` gives the scene point where unconnected new nodes go."""
        super().__init__(parent)
        self.doc = doc
        self._anchor = anchor
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Type a statement and press Enter, e.g.  "
                                     "L = (a*b + c) * f    or    a = 2.5")
        self.edit.setClearButtonEnabled(True)
        self.button = QPushButton("Apply", self)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #dc2626;")
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(QLabel("ƒ", self))
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        route_undo(self, self.edit)  # an applied (cleared) bar: Ctrl+Z undoes the statement
        self.edit.returnPressed.connect(self.apply)
        self.button.clicked.connect(self.apply)
        self.edit.textEdited.connect(lambda _: self.error.hide())

    def apply(self) -> bool:
        """Apply the typed statement; True on success."""
        text = self.edit.text().strip()
        if not text:
            return False
        anchor: QPointF = self._anchor()
        problem = apply_statement(self.doc, text, anchor)
        if problem:
            self.error.setText(problem)
            self.error.show()
            return False
        self.error.hide()
        self.applied.emit(text.split("=", 1)[0].strip())
        self.edit.clear()
        return True
