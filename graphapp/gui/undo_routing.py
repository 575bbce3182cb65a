"""Ctrl+Z in a text field: the text's own undo only while it holds typing not yet applied;
otherwise the graph's undo.

A ``QLineEdit`` claims Ctrl+Z (and redo) for itself whenever it has the focus, so after typing
a value and pressing Enter, Ctrl+Z would undo the text in the box, not the edit just made to
the graph. :func:`route_undo` watches the fields that commit edits to the graph and lets the
shortcut through to the window's Undo/Redo unless the field has unsaved typing
(``isModified()``; a field clears it with ``setModified(False)`` when it commits). Likewise,
in an empty field, step mode's Ctrl+→ / Ctrl+← / Ctrl+Home / Ctrl+Space reach the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit

__all__ = ["route_undo"]

_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)
#: Step mode's keys (Step, Step back, Restart, Play), which a line edit takes for itself.
_STEP_KEYS = {QKeySequence(k)[0].toCombined()
              for k in ("Ctrl+Right", "Ctrl+Left", "Ctrl+Home", "Ctrl+Space")}


class _Router(QObject):
    """The event filter behind :func:`route_undo`."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(watched, QLineEdit) \
                or not isinstance(event, QKeyEvent):
            return False
        undo = not watched.isModified() and (any(event.matches(k) for k in _KEYS)
                                             or _is_ctrl_shift_z(event))
        # in an empty field Ctrl+→ has no word to jump over: it is the window's Step
        stepping = not watched.text() and event.keyCombination().toCombined() in _STEP_KEYS
        if undo or stepping:
            event.ignore()  # not the field's: the window's shortcut takes it
            return True
        return False


def _is_ctrl_shift_z(event: QKeyEvent) -> bool:
    return event.keyCombination().toCombined() == QKeySequence("Ctrl+Shift+Z")[0].toCombined()


def route_undo(parent: QObject, *fields: QLineEdit) -> None:
    """Send Ctrl+Z / redo in ``fields`` to the graph unless the field has unsaved typing."""
    router = _Router(parent)
    for field in fields:
        field.installEventFilter(router)
