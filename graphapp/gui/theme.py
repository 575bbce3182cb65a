"""Colours and fonts of the canvas, in a light and a dark variant that follow the system.

Gradients read the same everywhere: blue for positive, red for negative, grey for zero. The
colours are the presenter's roles (:data:`graphapp.formats.present.LIGHT` and ``DARK``) as
``QColor``; the Graphviz export uses the same roles, so a picture and the window look alike.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette

from graphapp.formats.present import DARK, LIGHT

__all__ = ["Theme", "current_theme", "pretty"]


@dataclass(frozen=True)
class Theme:
    """Every colour the canvas paints with."""

    dark: bool
    canvas: QColor
    grid: QColor
    card: QColor
    card_border: QColor
    text: QColor
    muted: QColor
    faint: QColor
    positive: QColor
    negative: QColor
    zero: QColor
    accent: QColor
    step: QColor
    error: QColor
    error_fill: QColor
    #: Every colour by role name (the roles of :mod:`graphapp.formats.present`).
    roles: dict[str, QColor]

    def role(self, name: str) -> QColor | None:
        """The colour of a presenter role; ``None`` for "" (the default ink)."""
        return self.roles[name] if name else None


def _theme(dark: bool) -> Theme:
    roles = DARK if dark else LIGHT
    c = {role: QColor(hex_) for role, hex_ in roles.items()}
    return Theme(dark, c["canvas"], c["grid"], c["card"], c["card_border"], c["text"],
                 c["muted"], c["faint"], c["positive"], c["negative"], c["zero"], c["accent"],
                 c["step"], c["error"], c["error_fill"], c)


def current_theme() -> Theme:
    """The theme matching the application palette (light or dark)."""
    app = QGuiApplication.instance()
    dark = False
    if app is not None:
        window = app.palette().color(QPalette.ColorRole.Window)
        dark = window.lightness() < 128
    return _theme(dark)


@functools.cache
def card_fonts() -> tuple[QFont, QFont, QFont]:
    """Fonts for a node card: title (bold), body, and small labels (made once)."""
    title = QFont()
    title.setPointSizeF(10.5)
    title.setBold(True)
    body = QFont()
    body.setPointSizeF(10.0)
    small = QFont()
    small.setPointSizeF(SMALLEST_POINTS)
    return title, body, small


#: The smallest text on the canvas (card row keys, edge labels), in points.
SMALLEST_POINTS = 8.5
#: Text is readable from this many screen pixels up (the opening zoom and Fit never go lower).
READABLE_PX = 9.0


def readable_zoom(dpi: float = 96.0) -> float:
    """The smallest zoom at which the canvas's smallest text is still ``READABLE_PX`` pixels
    high on a screen of ``dpi`` dots per inch."""
    return READABLE_PX / (SMALLEST_POINTS * dpi / 72)


def pretty(text: str) -> str:
    """Typographic minus signs for display (``-3`` → ``−3``)."""
    return text.replace("-", "−")


@functools.cache
def label_font() -> tuple[QFont, QFontMetricsF]:
    """The font of edge labels and its metrics (made once)."""
    font = QFont()
    font.setPointSizeF(SMALLEST_POINTS)
    return font, QFontMetricsF(font)


@functools.cache
def card_metrics() -> tuple[QFontMetricsF, QFontMetricsF, QFontMetricsF]:
    """Metrics of :func:`card_fonts` (made once)."""
    return tuple(QFontMetricsF(f) for f in card_fonts())
