"""Qt's own messages. One is noise on the offscreen platform only (screenshots, tests): it
cannot propagate size hints to a window system that does not exist. Everything else Qt says
goes to stderr as usual, since a Qt warning is a bug to fix."""

from __future__ import annotations

import sys

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

__all__ = ["OFFSCREEN_NOISE", "install_message_filter"]

#: What the offscreen platform plugin prints for docked windows, and nothing else does.
OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()",)


def _handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message in OFFSCREEN_NOISE:
        return
    print(f"Qt: {message}", file=sys.stderr)


def install_message_filter() -> None:
    """Drop the offscreen platform's noise; print every other Qt message."""
    qInstallMessageHandler(_handler)
