"""Colours and fonts of the canvas, in a light and a dark variant that follow the system.

Gradients read the same everywhere: blue for positive, red for negative, grey for zero; the
category colours match the Graphviz export, so a picture and the window look alike.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette

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
    headers: dict[str, QColor]

    def header(self, op: str, category: str) -> QColor:
        """The header colour of a node card, by op (input, const) or category."""
        return self.headers.get(op) or self.headers.get(category) or self.headers["const"]

    def sign(self, value: float) -> QColor:
        """Blue for positive, red for negative, grey for zero (and nan)."""
        if value > 0:
            return self.positive
        if value < 0:
            return self.negative
        return self.zero


_LIGHT_HEADERS = {"input": "#dbeafe", "const": "#eceff3", "Arithmetic": "#fef3c7",
                  "Functions": "#ede9fe", "Activations": "#dcfce7", "Reductions": "#fce7f3",
                  "Linear algebra": "#e0f2fe", "group": "#e5e7eb"}
_DARK_HEADERS = {"input": "#1e3a5f", "const": "#374151", "Arithmetic": "#5b4a1a",
                 "Functions": "#3f3566", "Activations": "#1f4d33", "Reductions": "#5c2847",
                 "Linear algebra": "#1d4459", "group": "#3b4252"}


def _theme(dark: bool) -> Theme:
    c = QColor
    if dark:
        return Theme(True, c("#1b1e23"), c("#262a31"), c("#262b33"), c("#56606e"), c("#e6e9ef"),
                     c("#a0aab8"), c("#5f6875"), c("#60a5fa"), c("#f87171"), c("#7b8794"),
                     c("#f59e0b"), c("#fbbf24"), c("#ef4444"), c("#3f1d1d"),
                     {k: c(v) for k, v in _DARK_HEADERS.items()})
    return Theme(False, c("#f7f8fa"), c("#e9ecf1"), c("#ffffff"), c("#7b8794"), c("#1f2933"),
                 c("#616e7c"), c("#b8c0cc"), c("#2563eb"), c("#dc2626"), c("#9aa5b1"),
                 c("#d97706"), c("#f59e0b"), c("#dc2626"), c("#fef2f2"),
                 {k: c(v) for k, v in _LIGHT_HEADERS.items()})


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
    small.setPointSizeF(8.0)
    return title, body, small


def pretty(text: str) -> str:
    """Typographic minus signs for display (``-3`` → ``−3``)."""
    return text.replace("-", "−")


@functools.cache
def label_font() -> tuple[QFont, QFontMetricsF]:
    """The font of edge labels and its metrics (made once)."""
    font = QFont()
    font.setPointSizeF(8.5)
    return font, QFontMetricsF(font)


@functools.cache
def card_metrics() -> tuple[QFontMetricsF, QFontMetricsF, QFontMetricsF]:
    """Metrics of :func:`card_fonts` (made once)."""
    return tuple(QFontMetricsF(f) for f in card_fonts())
