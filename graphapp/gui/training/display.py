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
    "SIGNAL_DECADES",
    "ZERO",
    "class_rgba",
    "fmt",
    "sign_colour",
    "signal_peaks",
    "signal_shade",
    "signal_tiles",
    "value_rgba",
    "value_tiles",
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


def _qimage(bgra: np.ndarray) -> QImage:
    """A QImage owning a copy of an (h, w, 4) BGRA array, first row at the bottom."""
    data = np.ascontiguousarray(bgra[::-1])
    h, w = data.shape[:2]
    return QImage(data.data, w, h, 4 * w, QImage.Format.Format_ARGB32).copy()


def _disc(h: int, w: int) -> np.ndarray:
    """True outside the disc inscribed in an h × w grid."""
    yy, xx = np.mgrid[0:h, 0:w]
    return ((yy + 0.5 - h / 2) / (h / 2)) ** 2 + ((xx + 0.5 - w / 2) / (w / 2)) ** 2 > 1


def _lookup(values: np.ndarray, lo: np.ndarray | float, hi: np.ndarray | float,
            lut: np.ndarray) -> np.ndarray:
    """Rows of ``lut`` for ``values`` scaled from [lo, hi] to the table (one vectorised
    look-up; ``lo`` and ``hi`` broadcast against ``values``)."""
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    span = np.where(hi > lo, hi - lo, 1.0)
    t = np.clip((np.nan_to_num(values) - lo) / span, 0.0, 1.0)
    return lut[(t * (len(lut) - 1)).astype(np.intp)]


def value_rgba(values: np.ndarray, lo: float = -1.0, hi: float = 1.0,
               discrete: bool = False) -> np.ndarray:
    """A map of values in [lo, hi] as an (h, w, 4) RGBA array, row 0 at the bottom: orange at
    lo, white in the middle, blue at hi. ``discrete``: only the two sides (the predicted
    class)."""
    if discrete:
        mid = (lo + hi) / 2
        values = np.where(values >= mid, hi, lo) * 0.75 + mid * 0.25
    return _lookup(values, lo, hi, _OUTPUT_LUT)[..., [2, 1, 0, 3]]


def value_tiles(stack: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> list[QImage]:
    """One round QImage per map of ``stack`` (n, h, w), map k scaled from [lo[k], hi[k]],
    transparent outside its disc (a neuron's circle): one look-up for the whole stack."""
    n, h, w = stack.shape
    bgra = _lookup(stack, np.reshape(lo, (n, 1, 1)), np.reshape(hi, (n, 1, 1)), _OUTPUT_LUT)
    bgra[:, _disc(h, w)] = 0
    return [_qimage(tile) for tile in bgra]


#: Decades of |dL/dz| the backward-signal squares span below the network's largest.
SIGNAL_DECADES = 3.0


def signal_shade(values: np.ndarray, top: float) -> np.ndarray:
    """Where each signal value falls on the squares' colour scale, in [−1, 1]: its sign times
    how many of :data:`SIGNAL_DECADES` decades below ``top`` it is from the bottom (``top``:
    1, a thousandth of it or less: 0). A log scale, so a neuron pushed ten times less than the
    strongest still shows where; one shared ``top``, so a layer the signal hardly reaches
    fades to white."""
    mag = np.abs(np.nan_to_num(values)) / top
    with np.errstate(divide="ignore"):
        level = np.clip(1.0 + np.log10(mag) / SIGNAL_DECADES, 0.0, 1.0)
    return np.sign(values) * level


def signal_tiles(stack: np.ndarray, top: float | None = None) -> list[QImage]:
    """One QImage per backward-signal map of ``stack`` (n, h, w): red negative, blue
    positive, shaded by :func:`signal_shade` against ``top`` (give every layer the network's
    largest |value|; None: the stack's own largest)."""
    if top is None:
        top = float(np.max(np.abs(np.nan_to_num(stack)), initial=0.0))
    top = top if top > 0 else 1.0
    return [_qimage(tile) for tile in _lookup(signal_shade(stack, top), -1.0, 1.0,
                                              _SIGNAL_LUT)]


def signal_peaks(signals: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Each neuron's largest |backward signal| over the plane, per layer ((n, h, w) stacks
    → (n,) arrays)."""
    return tuple(np.max(np.abs(np.nan_to_num(s)).reshape(len(s), -1), axis=1, initial=0.0)
                 for s in signals)


def class_rgba(probs: np.ndarray, discrete: bool = False) -> np.ndarray:
    """A k-class map (g, g, k) of probabilities as an RGBA array (row 0 at the bottom): each
    cell the classes' colours mixed by probability and faded towards white where the model
    is unsure."""
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
    out[..., :3] = rgb
    out[..., 3] = 255
    return out


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
