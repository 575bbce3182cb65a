"""The partial versus total dock (seed 000): pick x and see ∂V/∂x, which holds the nodes x
feeds through a constraint (t = x) fixed, beside dV/dx, which follows x along every path. Per
node, forward mode's total d node/dx beside the partials on the edges into it; the edges leaving
x with the share each carries; the paths whose products add up to dV/dx (the multivariable
<<<<<<< HEAD
chain rule). The maths is :func:`graphapp.lab.partial_vs_total`. While a quiz runs, what would
give its hidden numbers away reads ? (:func:`graphapp.lab.withheld.partial_withheld`).
=======
chain rule). The maths is :func:`graphapp.lab.partial_vs_total`. While the dock is shown
with an input picked, every card on the canvas shows its d node/dx too
(:meth:`graphapp.gui.document.Document.set_tangent_wrt`); picking "none" or closing the dock
takes those lines away.
>>>>>>> main
"""

from __future__ import annotations

import math

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableView, QWidget

from graphapp import lab
from graphapp.engine import EvaluationError
from graphapp.formats.notation import short_name
from graphapp.gui.document import Document
from graphapp.gui.explain import num
from graphapp.gui.lab.base import LabView
from graphapp.lab.withheld import HIDDEN, NOTE, asked, asked_note, partial_withheld

__all__ = ["PartialView", "with_pi"]


def with_pi(v: float) -> str:
    """``v`` for reading, and as a multiple of π when it is a short one (8π, 16π, 2.5π)."""
    text = num(v, 8)
    k = v / math.pi
    if math.isfinite(k) and k != 0 and abs(k - round(k, 2)) < 1e-9 * max(1.0, abs(k)):
        return f"{num(round(k, 2), 6)}π ≈ {text}"
    return text


def _num6(v: float) -> str:
    return num(v, 6)


def _num8(v: float) -> str:
    return num(v, 8)


Index = QModelIndex | QPersistentModelIndex


class _Rows(QAbstractTableModel):
    """Rows of text for a read-only table: no item objects whose lifetime Qt and Python
    share (replacing and clearing QTableWidgetItems crashed the tests now and then)."""

    def __init__(self, headers: tuple[str, ...], parent: QWidget) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[list[str]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        row = self.rows[index.row()]
        return row[index.column()] if index.column() < len(row) else ""

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def set_rows(self, rows: list[list[str]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


def _table(parent: QWidget, headers: tuple[str, ...]) -> QTableView:
    table = QTableView(parent)
    table.setModel(_Rows(headers, table))
    table.verticalHeader().hide()
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    # room for the header and four rows: the ellipsoid's two edges and two paths at a glance
    rows = table.verticalHeader().defaultSectionSize()
    table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + 4 * rows
                           + table.horizontalScrollBar().sizeHint().height() + 4)
    return table


def _fill(table: QTableView, rows: list[list[str]]) -> None:
    table.model().set_rows(rows)
    table.resizeColumnsToContents()


class PartialView(LabView):
    """∂V/∂x against dV/dx for the chosen input, edge by edge and path by path."""

    NO_INPUT = "none (no d/dx on the cards)"

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        self.result: lab.PartialTotal | None = None
        super().__init__(doc, parent)
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        self.body.addWidget(self.headline)
        self.edges = _table(self, ("edge leaving the input", "local ∂dst/∂src", "carries",
                                   "part of"))
        self.paths = _table(self, ("path to the output", "local factors", "product"))
        self.nodes = _table(self, ("node", "total d node/dx (forward mode)",
                                   "partials on its input edges"))
        row = QHBoxLayout()  # side by side: the dock stays short, the canvas keeps its room
        for table in (self.edges, self.paths, self.nodes):
            row.addWidget(table, 1)
        self.body.addLayout(row, 1)

    def render(self, wrt: str | None) -> None:
        """Show partial and total of the output with respect to ``wrt``."""
        if not hasattr(self, "nodes"):
            return
        self.result = None
        self.doc.set_tangent_wrt(wrt if self.isVisible() else None)
        if wrt is None and self.chooser.currentText() == self.NO_INPUT:
            self._clear("No input picked: choose one above to see ∂/∂x beside d/dx here and "
                        "each node's d/dx on its card.")
            return
        if wrt is None:
            self._clear("Choose an output (Graph ▸ Differentiate This) and an input.")
            return
        graph, out = self.doc.graph, self.doc.output
        try:
            pt = self.result = lab.partial_vs_total(graph, out, wrt)
        except (EvaluationError, ValueError, TypeError) as exc:  # TypeError: an array output
            self._clear(f"Cannot differentiate {out} by {wrt}: {exc}")
            return
        held = ", ".join(pt.held) or "nothing"
        w = partial_withheld(pt, self.hidden)

        def shown(v: float, hide: bool, text=with_pi) -> str:
            return HIDDEN if hide else text(v)

        self.headline.setText(
            f"<b>∂{out}/∂{wrt} = {shown(pt.partial, w.partial)}</b> (partial: holding {held} "
            f"fixed) &nbsp; vs &nbsp; <b>d{out}/d{wrt} = {shown(pt.total, w.total)}</b> (total: "
            f"every path from {wrt}, forward mode). The chain rule adds one product per path; "
            "the partial keeps only the paths that avoid the held nodes."
            + (f"<br><i>{asked_note(out, wrt) if asked(self.hidden, wrt) else NOTE}</i>"
               if w else ""))
        _fill(self.edges, [[f"{s.src} → {short_name(graph, s.dst)}",
                            shown(s.local, (s.src, s.dst, s.slot) in w.locals, _num8),
                            shown(s.share, k in w.shares),
                            f"the total, through {s.via}" if s.via else f"∂{out}/∂{wrt}"]
                           for k, s in enumerate(pt.shares)])
        path_rows = [[" → ".join(short_name(graph, n) for n in p.nodes),
                      " × ".join(shown(f, (i, k) in w.factors, _num6)
                                 for k, f in enumerate(p.factors)),
                      shown(p.product, i in w.products)]
                     for i, p in enumerate(pt.paths)]
        if pt.paths_truncated:
            path_rows.append(["… more paths than are listed", "", ""])
        if pt.array_nodes:
            names = ", ".join(short_name(graph, n) for n in pt.array_nodes[:3])
            path_rows.append([f"Arrays on the way ({names}): paths multiply Jacobians, not "
                              "numbers; see each node's d/dx →", "", ""])
        _fill(self.paths, path_rows)
        node_rows = []

        def label(n: str) -> str:
            return short_name(graph, n)

        for node in graph.plan().order:
            if graph.op(node).name == "const":
                continue  # constants do not move with x
            into = [f"∂{label(node)}/∂{label(src)} = "
                    f"{shown(v, (src, dst, slot) in w.locals, _num6)}"
                    for (src, dst, slot), v in pt.edge_locals.items()
                    if dst == node and v is not None]
            total = pt.totals.get(node)
            node_rows.append([short_name(graph, node),
                              "—" if total is None else shown(total, node in w.totals, _num8),
                              "; ".join(into)])
        _fill(self.nodes, node_rows)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_later()  # the cards show d node/dx again

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if not event.spontaneous():  # closed, not the window minimised
            self.doc.set_tangent_wrt(None)

    def _clear(self, why: str) -> None:
        self.headline.setText(why)
        for table in (self.edges, self.paths, self.nodes):
            table.model().set_rows([])
