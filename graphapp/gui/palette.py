"""The node palette: every op of the op table by category, with a search box. Click an op to
add it in the middle of the view, or drag it onto the canvas."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graphapp.engine.ops import CATEGORIES, iter_ops
from graphapp.gui.canvas.view import OP_MIME

__all__ = ["Palette", "op_matches"]


def op_matches(spec, text: str) -> bool:
    """True when ``text`` appears in the op's name, symbol, aliases or description."""
    text = text.strip().lower()
    if not text:
        return True
    haystack = " ".join([spec.name, spec.symbol, *spec.aliases, spec.description]).lower()
    return all(word in haystack for word in text.split())


class _OpTree(QTreeWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)

    def startDrag(self, actions) -> None:
        item = self.currentItem()
        op = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        if not op:
            return
        mime = QMimeData()
        mime.setData(OP_MIME, op.encode())
        mime.setText(op)
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    """Ops to add, grouped as in :data:`graphapp.engine.ops.CATEGORIES`."""

    #: The user clicked (or pressed Enter on) an op.
    op_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search ops…  (e.g. sig, ×, matrix)")
        self.search.setClearButtonEnabled(True)
        self.tree = _OpTree(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._items: list[tuple[QTreeWidgetItem, object]] = []
        for category in CATEGORIES:
            head = QTreeWidgetItem(self.tree, [category])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            for spec in iter_ops(category):
                label = spec.name if spec.symbol == spec.name else f"{spec.symbol}   {spec.name}"
                item = QTreeWidgetItem(head, [label])
                item.setData(0, Qt.ItemDataRole.UserRole, spec.name)
                formulas = "<br>".join(spec.render_formula(s) for s in range(spec.arity))
                item.setToolTip(0, f"<b>{spec.name}</b>: {spec.description}"
                                   + (f"<br>{formulas}" if formulas else ""))
                self._items.append((item, spec))
            head.setExpanded(True)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._choose_first)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)

    def _filter(self, text: str) -> None:
        for item, spec in self._items:
            item.setHidden(not op_matches(spec, text))
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            head.setHidden(all(head.child(k).isHidden() for k in range(head.childCount())))

    def visible_ops(self) -> list[str]:
        """The ops the search leaves visible, in order."""
        return [spec.name for item, spec in self._items if not item.isHidden()]

    def _choose_first(self) -> None:
        ops = self.visible_ops()
        if ops:
            self.op_chosen.emit(ops[0])

    def _clicked(self, item: QTreeWidgetItem) -> None:
        op = item.data(0, Qt.ItemDataRole.UserRole)
        if op:
            self.op_chosen.emit(op)
