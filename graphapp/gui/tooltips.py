"""Tooltips that name their keys: a toolbar button's tooltip says what it does and which
shortcut does the same ("Next step (Ctrl+Right)"), so the keys can be learned by hovering."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

__all__ = ["show_shortcuts", "with_shortcut"]


def with_shortcut(action: QAction) -> str:
    """The action's tooltip text followed by its first shortcut, as the platform writes it."""
    tip = action.statusTip() or action.text().replace("&", "")
    key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{tip} ({key})" if key else tip


def show_shortcuts(actions: list[QAction]) -> None:
    """Give each action a tooltip naming its shortcut, kept up to date when the text changes
    (Undo and Redo rename themselves after every edit: "Undo Move a")."""
    for action in actions:
        action.setToolTip(with_shortcut(action))
        keeper = _TipKeeper(action)
        action.changed.connect(keeper.refresh)


class _TipKeeper(QObject):
    """Lives as long as its action (its child), so Qt drops the connection with both."""

    def refresh(self) -> None:
        action = self.parent()
        tip = with_shortcut(action)
        if action.toolTip() != tip:
            action.setToolTip(tip)
