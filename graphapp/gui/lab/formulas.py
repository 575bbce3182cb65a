"""The Formulas dock: the selected card's expression written as a reader writes it
(``3·x² − 4·x + 5``, ``π``), and on each of its edges the op table's local-derivative formula
with the numbers plugged in (``∂(a·b)/∂a = b = −3``). It follows the selection and every value
edit. The text is :func:`graphapp.lab.formulas.node_formulas`; this widget only lays it out,
in a large font so that it reads on a projector. While a quiz asks local derivatives, their
edges read ``∂(a·b)/∂a = ?`` (:mod:`graphapp.lab.withheld`).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QWidget

from graphapp.engine import EvaluationError, GraphError
from graphapp.gui.document import Document
from graphapp.gui.lab.base import LabView
from graphapp.lab.formulas import node_formulas
from graphapp.lab.withheld import NOTE, formula_text

__all__ = ["FormulasView"]

#: The text is this much larger than the window's own font.
SCALE = 1.5


class FormulasView(LabView):
    """The expression and edge formulas of the selected node (the output when none is)."""

    NEEDS_INPUT = False

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        self.node: str | None = None
        super().__init__(doc, parent)
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * SCALE)
        self.text.setFont(font)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.text)
        self.body.addWidget(scroll, 1)
        self.setMinimumHeight(int(self.text.fontMetrics().height() * 9))

    def follow_selection(self, node: str | None) -> None:
        """Show ``node`` (``None``: the output) from now on."""
        self.node = node
        self.refresh_later()

    def render(self, wrt: str | None) -> None:
        """Lay out the formulas of the selected node, or of the output."""
        if not hasattr(self, "text"):
            return
        graph, out = self.doc.graph, self.doc.output
        node = self.node if self.node in graph else (out if out in graph else None)
        if node is None:
            self.text.setText("Select a card to see what it computes and the local derivative "
                              "on each of its edges.")
            return
        results = self.doc.results
        back = results.backward if wrt is not None and not results.stale else None
        try:
            view = node_formulas(graph, node, out if wrt is not None else None, back)
        except (GraphError, EvaluationError, ValueError, TypeError):
            # an empty slot or a failing node upstream: the formulas still read, without numbers
            view = node_formulas(graph, node)
        name = escape(view.name)
        parts = []
        if self.node not in graph:
            parts.append("<p><i>Select a card to see its formulas; this is the output.</i></p>")
        if view.expression:
            line = f"<b>{name}</b> = {escape(view.expression)}"
            if view.expanded:
                line += f" = {escape(view.expanded)}"
            parts.append(f"<p>{line} = <b>{escape(view.value)}</b></p>")
        else:
            parts.append(f"<p><b>{name}</b> is an input: {name} = <b>{escape(view.value)}</b></p>")
        columns = []
        hidden = self.hidden
        for side, head in (("into", f"Local derivatives of {name} (the edges into it)"),
                           ("out", f"Where {name} is used (the edges leaving it)")):
            rows = [e for e in view.edges if e.side == side]
            if rows:
                items = "".join(f"<li>{escape(formula_text(e, hidden))}</li>" for e in rows)
                columns.append(f"<td valign='top'>{head}:<ul>{items}</ul></td>")
        # side by side, so that the dock stays short and the canvas keeps its room
        parts.append("<table cellspacing='0' cellpadding='0'><tr>"
                     + "<td width='40'></td>".join(columns) + "</tr></table>")
        if any(formula_text(e, hidden) != e.text for e in view.edges):
            parts.append(f"<p><i>{escape(NOTE)}</i></p>")
        self.text.setText("".join(parts))
