"""The quick-add popup (Tab, or double-click on empty canvas): type to filter the ops,
Enter adds the first match where the popup opened."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from graphapp.engine.ops import iter_ops
from graphapp.gui.palette import op_matches

__all__ = ["OpPopup"]


class OpPopup(QFrame):
    """A search field over the op table, shown at the cursor."""

    chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add node…")
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(240, 300)
        self._specs = list(iter_ops())
        for spec in self._specs:
            item = QListWidgetItem(f"{spec.symbol:>5}   {spec.name}")
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            item.setToolTip(spec.description)
            self.list.addItem(item)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._accept)
        self.list.itemActivated.connect(self._accept)
        self.list.itemClicked.connect(self._accept)
        self.search.installEventFilter(self)

    def open_at(self, global_pos: QPoint) -> None:
        """Show at ``global_pos`` with an empty search."""
        self.search.clear()
        self._filter("")
        self.move(global_pos)
        self.show()
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        first = None
        for row, spec in enumerate(self._specs):
            item = self.list.item(row)
            hidden = not op_matches(spec, text)
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        if first is not None:
            self.list.setCurrentItem(first)

    def _accept(self, item: QListWidgetItem | None = None) -> None:
        item = item if isinstance(item, QListWidgetItem) else self.list.currentItem()
        if item is None or item.isHidden():
            return
        self.hide()
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, obj, event) -> bool:
        if obj is self.search and isinstance(event, QKeyEvent) and \
                event.type() == QKeyEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            row = self.list.currentRow()
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            while 0 <= row + step < self.list.count():
                row += step
                if not self.list.item(row).isHidden():
                    self.list.setCurrentRow(row)
                    break
            return True
        return super().eventFilter(obj, event)
