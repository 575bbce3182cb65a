"""What every lab dock shares: the document it watches, a chooser of the scalar input it is
about, and one refresh after each burst of changes (typed events from the document, a new
graph, a new output, a quiz started, answered or ended). Subclasses only render what
:mod:`graphapp.lab` returns.

Caveat: the refresh runs on the GUI thread; the lab's numbers for one input are a few forward
and backward passes, cheap next to a repaint on the graphs the window is built for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from graphapp.gui import events
from graphapp.gui.document import Document

__all__ = ["LabView", "scalar_inputs"]


def scalar_inputs(doc: Document) -> list[str]:
    """The inputs of the document's graph that hold one number (the lab moves those)."""
    graph = doc.graph
    return [n for n in graph.inputs_nodes()
            if graph.value(n) is not None and np.ndim(graph.value(n)) == 0]


class LabView(QWidget):
    """A dock's widget: ``self.top`` holds the input chooser, ``self.body`` the rest.

    Subclasses implement :meth:`render` (called with the chosen input, or ``None`` when the
    graph has no output or no scalar input) and may call :meth:`refresh_later`.
    """

    #: Text before the input chooser.
    CHOOSER_TEXT = "input"
    #: False for a dock about the whole graph (no chooser; render gets "" when ready).
    NEEDS_INPUT = True
    #: The chooser's last entry, which picks no input (render gets ``None``); "" for none.
    NO_INPUT = ""

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.chooser = QComboBox(self)
        self.chooser.setToolTip("Which input to move; the others keep their values")
        self.chooser.currentTextChanged.connect(lambda _: self.refresh_later())
        outer = QVBoxLayout(self)
        self.top = QHBoxLayout()
        if self.NEEDS_INPUT:
            self.top.addWidget(QLabel(self.CHOOSER_TEXT, self))
            self.top.addWidget(self.chooser, 1)
        else:
            self.chooser.hide()
            self.top.addStretch(1)
        outer.addLayout(self.top)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        doc.changed.connect(self._on_change)
        doc.reset.connect(self.refresh_later)
        doc.output_changed.connect(self.refresh_later)
        doc.quiz_changed.connect(self.refresh_later)  # what a quiz lets the views show
        self.refresh_later()

    def _on_change(self, event: events.Event) -> None:
        if not isinstance(event, (events.AttrsChanged, events.GroupsChanged)):
            self.refresh_later()

    def refresh_later(self) -> None:
        """Refresh once, after the current burst of changes."""
        self._timer.start()

    @property
    def hidden(self) -> Any:
        """What a running quiz hides (the document's one hidden set; false when none):
        :mod:`graphapp.lab.withheld` says what each view withholds of it."""
        return self.doc.quiz_hidden() if self.doc.quiz is not None else ()

    @property
    def wrt(self) -> str | None:
        """The chosen input, or ``None``."""
        text = self.chooser.currentText()
        return None if not text or text == self.NO_INPUT else text

    def choose(self, name: str) -> None:
        """Choose input ``name`` and refresh now."""
        self.chooser.setCurrentText(name)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the inputs and render (now)."""
        names = scalar_inputs(self.doc)
        items = [*names, self.NO_INPUT] if self.NO_INPUT and names else names
        current = self.chooser.currentText()
        if [self.chooser.itemText(i) for i in range(self.chooser.count())] != items:
            self.chooser.blockSignals(True)
            self.chooser.clear()
            self.chooser.addItems(items)
            if current in items:
                self.chooser.setCurrentText(current)
            self.chooser.blockSignals(False)
        ready = self.doc.output is not None and self.doc.output in self.doc.graph
        if not self.NEEDS_INPUT:
            self.render("" if ready else None)
            return
        self.render(self.wrt if ready and names else None)

    def render(self, wrt: str | None) -> None:  # pragma: no cover - every dock overrides
        """Show the numbers for input ``wrt`` (``None``: nothing to show)."""
        raise NotImplementedError
