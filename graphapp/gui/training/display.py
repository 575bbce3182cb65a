"""Colours of the training panel as Qt colours, and coloured maps wrapped in pictures.

The colour tables and the colouring itself live in :mod:`graphapp.gui.training.palette`
(Qt-free: the training process colours the maps it sends); here the same colours become
``QColor`` values for painting, and finished pixel arrays become ``QImage`` pictures. Weights
use the outputs' sign colours; the backward wave glows violet for |dL/dw|.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from graphapp.gui.training.palette import CLASS_HEX, NEGATIVE_HEX, POSITIVE_HEX

__all__ = [
    "CLASS_COLOURS",
    "GLOW",
    "NEGATIVE",
    "POSITIVE",
    "fmt",
    "pictures",
    "sign_colour",
]

NEGATIVE = QColor(NEGATIVE_HEX)
POSITIVE = QColor(POSITIVE_HEX)
GLOW = QColor("#a21caf")
#: Class k's colour (class 0 orange, class 1 blue, as the outputs' signs).
CLASS_COLOURS = [QColor(c) for c in CLASS_HEX]


def pictures(tiles: np.ndarray) -> list[QImage]:
    """One QImage (owning its pixels) per BGRA tile of ``tiles`` (n, h, w, 4), row 0 at the
    bottom as the maps are (a picture's first row is its top)."""
    n, h, w = tiles.shape[:3]
    flipped = np.ascontiguousarray(tiles[:, ::-1])
    return [QImage(flipped[k].data, w, h, 4 * w, QImage.Format.Format_ARGB32).copy()
            for k in range(n)]


def sign_colour(value: float, strength: float = 1.0) -> QColor:
    """Orange for negative, blue for positive, ``strength`` (0…1) as opacity."""
    c = QColor(POSITIVE if value >= 0 else NEGATIVE)
    c.setAlphaF(max(0.08, min(1.0, strength)))
    return c


def fmt(x: float | None, digits: int = 4) -> str:
    """A number for display: ``digits`` significant digits, a typographic minus."""
    if x is None:
        return "–"
    return f"{x:.{digits}g}".replace("-", "−")
