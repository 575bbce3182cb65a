"""Colours of the training panel, and arrays of a snapshot turned into pictures.

The palette is TensorFlow Playground's, so a learner who knows it reads the panel at once:
orange for negative outputs and class 0, blue for positive outputs and class 1 (more classes
get green, purple, …), near-white for zero. Weights use the same sign colours. Gradients (the
backward wave, the backward-signal maps) are drawn in the editor's gradient colours: blue for
positive, red for negative, with a violet glow for |dL/dw|.

Only conversion happens here (a value to a colour through a lookup table); the numbers come
from the snapshot as the training layer computed them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

__all__ = [
    "CLASS_COLOURS",
    "GLOW",
    "NEGATIVE",
    "POSITIVE",
    "ZERO",
    "class_image",
    "fmt",
    "sign_colour",
    "signal_image",
    "value_image",
]

NEGATIVE = QColor("#f59322")
POSITIVE = QColor("#0877bd")
ZERO = QColor("#f4f5f6")
GLOW = QColor("#a21caf")
GRAD_POSITIVE = QColor("#2563eb")
GRAD_NEGATIVE = QColor("#dc2626")
#: Class k's colour (class 0 orange, class 1 blue, as the outputs' signs).
CLASS_COLOURS = [NEGATIVE, POSITIVE, QColor("#16a34a"), QColor("#9333ea"), QColor("#e11d48"),
                 QColor("#0d9488"), QColor("#ca8a04"), QColor("#4b5563"), QColor("#db2777"),
                 QColor("#65a30d")]


def _rgb(c: QColor) -> np.ndarray:
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float64)


def _diverging(neg: QColor, zero: QColor, pos: QColor, shades: int = 256) -> np.ndarray:
    """A table of ``shades`` BGRA rows from ``neg`` through ``zero`` to ``pos``."""
    t = np.linspace(-1.0, 1.0, shades)[:, None]
    rgb = np.where(t < 0, _rgb(zero) + (_rgb(neg) - _rgb(zero)) * -t,
                   _rgb(zero) + (_rgb(pos) - _rgb(zero)) * t)
    out = np.empty((shades, 4), dtype=np.uint8)
    out[:, 0], out[:, 1], out[:, 2] = rgb[:, 2], rgb[:, 1], rgb[:, 0]
    out[:, 3] = 255
    return out


_OUTPUT_LUT = _diverging(NEGATIVE, ZERO, POSITIVE)
_SIGNAL_LUT = _diverging(GRAD_NEGATIVE, QColor("#ffffff"), GRAD_POSITIVE)


def _image(bgra: np.ndarray, round_: bool = False) -> QImage:
    """A QImage owning a copy of an (h, w, 4) BGRA array, first row at the bottom;
    ``round_``: transparent outside the inscribed circle (a neuron's disc)."""
    data = np.ascontiguousarray(bgra[::-1])
    if round_:
        h, w = data.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w]
        outside = ((yy + 0.5 - h / 2) / (h / 2)) ** 2 + ((xx + 0.5 - w / 2) / (w / 2)) ** 2 > 1
        data[outside] = 0
    h, w = data.shape[:2]
    return QImage(data.data, w, h, 4 * w, QImage.Format.Format_ARGB32).copy()


def _lookup(values: np.ndarray, lo: float, hi: float, lut: np.ndarray,
            shades: int | None = None) -> np.ndarray:
    span = hi - lo if hi > lo else 1.0
    t = np.clip((np.nan_to_num(values) - lo) / span, 0.0, 1.0)
    if shades:
        t = np.round(t * (shades - 1)) / (shades - 1)
    return lut[(t * (len(lut) - 1)).astype(np.intp)]


def value_image(values: np.ndarray, lo: float = -1.0, hi: float = 1.0,
                discrete: bool = False, round_: bool = False) -> QImage:
    """A map of values in [lo, hi]: orange at lo, white in the middle, blue at hi.
    ``discrete``: only the two sides (the predicted class); ``round_``: a disc."""
    if discrete:
        mid = (lo + hi) / 2
        values = np.where(values >= mid, hi, lo) * 0.75 + mid * 0.25
    return _image(_lookup(values, lo, hi, _OUTPUT_LUT), round_)


def signal_image(values: np.ndarray) -> QImage:
    """A backward-signal map, scaled by its own largest |value|: red negative, blue positive."""
    top = float(np.max(np.abs(np.nan_to_num(values)))) or 1.0
    return _image(_lookup(values, -top, top, _SIGNAL_LUT))


def class_image(probs: np.ndarray, discrete: bool = False) -> QImage:
    """A k-class map (g, g, k) of probabilities: each cell the classes' colours mixed by
    probability and faded towards white where the model is unsure."""
    k = probs.shape[2]
    colours = np.array([_rgb(CLASS_COLOURS[i % len(CLASS_COLOURS)]) for i in range(k)])
    if discrete:
        probs = np.eye(k)[np.argmax(probs, axis=2)] * 0.75
    mixed = probs @ colours
    sure = probs.max(axis=2, keepdims=True)
    white = _rgb(ZERO)
    rgb = white + (mixed / np.maximum(probs.sum(axis=2, keepdims=True), 1e-12) - white) * \
        np.clip((sure - 1 / k) / (1 - 1 / k), 0, 1)
    out = np.empty((*probs.shape[:2], 4), dtype=np.uint8)
    out[..., 0], out[..., 1], out[..., 2] = rgb[..., 2], rgb[..., 1], rgb[..., 0]
    out[..., 3] = 255
    return _image(out)


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
