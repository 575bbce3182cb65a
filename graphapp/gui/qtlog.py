"""Qt's own messages. A few are noise on the offscreen platform only (screenshots, tests): it
cannot raise windows, grab the keyboard or propagate size hints, as there is no window system.
Everything else Qt says goes to stderr as usual, since a Qt warning is a bug to fix."""

from __future__ import annotations

import sys

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

__all__ = ["OFFSCREEN_NOISE", "install_message_filter"]

#: What the offscreen platform plugin prints about window-system features it lacks.
OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()",
                   "This plugin does not support raise()",
                   "This plugin does not support grabbing the keyboard")


def _handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message in OFFSCREEN_NOISE:
        return
    print(f"Qt: {message}", file=sys.stderr)


def install_message_filter() -> None:
    """Drop the offscreen platform's noise; print every other Qt message."""
    qInstallMessageHandler(_handler)
