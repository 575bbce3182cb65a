"""A lab dock that builds its view the first time it is shown or asked for, so opening the
window does not import or build the lab (see :data:`graphapp.gui.lab.DOCKS`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDockWidget, QWidget

__all__ = ["LabDock"]


class LabDock(QDockWidget):
    """A dock whose widget is made by ``make`` on first :meth:`showEvent` or :meth:`widget`."""

    def __init__(self, title: str, make: Callable[[], QWidget], parent: QWidget) -> None:
        super().__init__(title, parent)
        self._make: Callable[[], QWidget] | None = make

    def widget(self) -> QWidget:
        """The view, built now if it was not yet."""
        if self._make is not None:
            make, self._make = self._make, None
            self.setWidget(make())
        return super().widget()

    def showEvent(self, event: QShowEvent) -> None:
        self.widget()
        super().showEvent(event)
