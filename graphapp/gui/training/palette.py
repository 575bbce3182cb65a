"""The training panel's colours as numbers, and maps over the input plane coloured with them.

Qt-free (numpy only), so the training process can colour the maps it computes and the window
only wraps the finished pixels in pictures: turning a 100 × 100 boundary and a few dozen
neuron maps into colours took the window about 4.5 ms a few times a second, frames it could
not spare at 60 a second. Colouring is display, not maths: a value scaled into a colour table.

The palette is TensorFlow Playground's, so a learner who knows it reads the panel at once:
orange for negative outputs and class 0, blue for positive outputs and class 1 (more classes
get green, purple, …), near-white for zero. Gradients (the backward-signal maps) are drawn in
the editor's gradient colours: blue for positive, red for negative.

Arrays are RGBA or BGRA (the byte order of Qt's ARGB32 pictures) uint8, row 0 at the bottom
(the plane's lowest y), as the maps are.

>>> value_rgba(np.array([[-1.0, 1.0]]))[0, :, :3].tolist()  # #f59322 and #0877bd
[[245, 147, 34], [8, 119, 189]]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CLASS_HEX",
    "GRAD_NEGATIVE_HEX",
    "GRAD_POSITIVE_HEX",
    "NEGATIVE_HEX",
    "POSITIVE_HEX",
    "SIGNAL_DECADES",
    "ZERO_HEX",
    "class_rgba",
    "signal_peaks",
    "signal_shade",
    "signal_tiles",
    "value_rgba",
    "value_tiles",
]

NEGATIVE_HEX = "#f59322"
POSITIVE_HEX = "#0877bd"
ZERO_HEX = "#f4f5f6"
GRAD_POSITIVE_HEX = "#2563eb"
GRAD_NEGATIVE_HEX = "#dc2626"
#: Class k's colour (class 0 orange, class 1 blue, as the outputs' signs).
CLASS_HEX = (NEGATIVE_HEX, POSITIVE_HEX, "#16a34a", "#9333ea", "#e11d48", "#0d9488", "#ca8a04",
             "#4b5563", "#db2777", "#65a30d")
#: Decades of |dL/dz| the backward-signal squares span below the network's largest.
SIGNAL_DECADES = 3.0


def rgb(hex_colour: str) -> np.ndarray:
    """``"#rrggbb"`` as three floats 0…255."""
    return np.array([int(hex_colour[k:k + 2], 16) for k in (1, 3, 5)], dtype=np.float64)


def _diverging(neg: str, zero: str, pos: str, shades: int = 256) -> np.ndarray:
    """A table of ``shades`` BGRA rows from ``neg`` through ``zero`` to ``pos``."""
    t = np.linspace(-1.0, 1.0, shades)[:, None]
    n, z, p = rgb(neg), rgb(zero), rgb(pos)
    colours = np.where(t < 0, z + (n - z) * -t, z + (p - z) * t)
    out = np.empty((shades, 4), dtype=np.uint8)
    out[:, 0], out[:, 1], out[:, 2] = colours[:, 2], colours[:, 1], colours[:, 0]
    out[:, 3] = 255
    return out


_OUTPUT_LUT = _diverging(NEGATIVE_HEX, ZERO_HEX, POSITIVE_HEX)
_OUTPUT_RGBA = np.ascontiguousarray(_OUTPUT_LUT[:, [2, 1, 0, 3]])
_SIGNAL_LUT = _diverging(GRAD_NEGATIVE_HEX, "#ffffff", GRAD_POSITIVE_HEX)


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
    index = (t * (len(lut) - 1)).astype(np.intp)
    # each row's four bytes taken as one 32-bit word: one take per cell, not a row gather
    return np.ascontiguousarray(lut).view(np.uint32).ravel()[index][..., None].view(np.uint8)


def value_rgba(values: np.ndarray, lo: float = -1.0, hi: float = 1.0,
               discrete: bool = False) -> np.ndarray:
    """A map of values in [lo, hi] as an (h, w, 4) RGBA array: orange at lo, white in the
    middle, blue at hi. ``discrete``: only the two sides (the predicted class)."""
    if discrete:
        mid = (lo + hi) / 2
        values = np.where(values >= mid, hi, lo) * 0.75 + mid * 0.25
    return _lookup(values, lo, hi, _OUTPUT_RGBA)


def value_tiles(stack: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Round BGRA tiles (n, h, w, 4) of the maps ``stack`` (n, h, w), map k scaled from
    [lo[k], hi[k]], transparent outside its disc (a neuron's circle)."""
    n, h, w = stack.shape
    bgra = _lookup(stack, np.reshape(lo, (n, 1, 1)), np.reshape(hi, (n, 1, 1)), _OUTPUT_LUT)
    bgra[:, _disc(h, w)] = 0
    return bgra


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


def signal_tiles(stack: np.ndarray, top: float | None = None) -> np.ndarray:
    """BGRA tiles (n, h, w, 4) of the backward-signal maps ``stack`` (n, h, w): red negative,
    blue positive, shaded by :func:`signal_shade` against ``top`` (give every layer the
    network's largest |value|; None: the stack's own largest)."""
    if top is None:
        top = float(np.max(np.abs(np.nan_to_num(stack)), initial=0.0))
    top = top if top > 0 else 1.0
    return _lookup(signal_shade(stack, top), -1.0, 1.0, _SIGNAL_LUT)


def signal_peaks(signals: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Each neuron's largest |backward signal| over the plane, per layer ((n, h, w) stacks
    → (n,) arrays)."""
    return tuple(np.max(np.abs(np.nan_to_num(s)).reshape(len(s), -1), axis=1, initial=0.0)
                 for s in signals)


def class_rgba(probs: np.ndarray, discrete: bool = False) -> np.ndarray:
    """A k-class map (g, g, k) of probabilities as an RGBA array: each cell the classes'
    colours mixed by probability and faded towards white where the model is unsure."""
    k = probs.shape[2]
    colours = np.array([rgb(CLASS_HEX[i % len(CLASS_HEX)]) for i in range(k)])
    if discrete:
        probs = np.eye(k)[np.argmax(probs, axis=2)] * 0.75
    mixed = probs @ colours
    sure = probs.max(axis=2, keepdims=True)
    white = rgb(ZERO_HEX)
    colour = white + (mixed / np.maximum(probs.sum(axis=2, keepdims=True), 1e-12) - white) * \
        np.clip((sure - 1 / k) / (1 - 1 / k), 0, 1)
    out = np.empty((*probs.shape[:2], 4), dtype=np.uint8)
    out[..., :3] = colour
    out[..., 3] = 255
    return out
