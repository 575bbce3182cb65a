"""Ctrl+Z in a text field: the text's own undo only while it holds typing not yet applied;
otherwise the graph's undo.

A ``QLineEdit`` claims Ctrl+Z (and redo) for itself whenever it has the focus, so after typing
a value and pressing Enter, Ctrl+Z would undo the text in the box, not the edit just made to
the graph. :func:`route_undo` watches the fields that commit edits to the graph and lets the
shortcut through to the window's Undo/Redo unless the field has unsaved typing
(``isModified()``; a field clears it with ``setModified(False)`` when it commits). Likewise,
in an empty field the window's Ctrl shortcuts win (step mode's Ctrl+→, Export's Ctrl+E, Edge
Labels' Ctrl+L, …): on X11 a line edit claims Ctrl+E, Ctrl+A, Ctrl+K, … as editing keys, which
have nothing to act on in an empty field. Paste stays the field's.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit

__all__ = ["route_undo", "window_takes"]

_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


def window_takes(field: QLineEdit, event: QKeyEvent) -> bool:
    """True when the key ``event`` in ``field`` is the window's shortcut, not the field's:
    undo/redo unless the field holds typing not yet applied; in an empty field, any Ctrl key
    but paste (there is no text to move over, select or cut)."""
    if not field.isModified() and (any(event.matches(k) for k in _KEYS)
                                   or _is_ctrl_shift_z(event)):
        return True
    ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
    return ctrl and not field.text() and not event.matches(QKeySequence.StandardKey.Paste)


class _Router(QObject):
    """The event filter behind :func:`route_undo`."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(watched, QLineEdit) \
                or not isinstance(event, QKeyEvent):
            return False
        if window_takes(watched, event):
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
