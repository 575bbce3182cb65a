"""What the function plot draws of a :class:`~graphapp.lab.grid.Surface`, worked out here so
that the window only paints: the gradient field as arrows on a coarse subgrid, and the range
of f for the colour scale.

The arrows are line segments in data coordinates, ready for one ``connect="pairs"`` line item:
per arrow a shaft from the grid point along ∇f = (df/dx, df/dy) and two strokes of the head.
Arrow length is proportional to |∇f|, the longest filling most of a subgrid cell, so a plane
(seed 002's f = 3x + y) shows the same arrow everywhere and −0.5x + 0.25y² shows arrows that
grow with |y|. Lengths and heads are measured with each axis divided by its span (the plot
fills its box whatever the units), so the heads look alike on both axes.

>>> import numpy as np
>>> from graphapp.lab.grid import Surface
>>> xs = ys = np.linspace(-1.0, 1.0, 5)
>>> s = Surface("f", ("x", "y"), xs, ys, np.zeros((5, 5)), np.ones((5, 5)), np.zeros((5, 5)),
...             0.0, 0.0, 0.0, 1.0, 0.0, True)
>>> seg = arrow_segments(s, 1)          # one arrow at the centre, pointing along +x
>>> seg.shape, seg[0].tolist(), seg[1].round(3).tolist()
((6, 2), [0.0, 0.0], [1.8, 0.0])
>>> snap(2.718281, 0.0, 6.0), snap(-0.123456, -1.0, 1.0)
(2.718, -0.123)
>>> levels(np.array([[1.0, np.nan], [np.inf, -2.0]]))
(-2.0, 1.0)
"""

from __future__ import annotations

import numpy as np

from graphapp.lab.grid import Surface

__all__ = ["HEAD_ANGLE", "arrow_segments", "levels", "snap", "subgrid"]

#: Half the opening of an arrow head, in degrees, and its length as a share of the arrow's.
HEAD_ANGLE, HEAD_SHARE = 28.0, 0.3
#: The longest arrow spans this share of a subgrid cell.
_FILL = 0.9


def subgrid(n: int, count: int) -> np.ndarray:
    """``count`` indices into a grid of ``n`` points, at the centres of ``count`` equal cells
    (so no arrow starts on the border)."""
    count = max(1, min(count, n))
    return ((np.arange(count) + 0.5) * n / count).astype(int)


def arrow_segments(s: Surface, count: int = 15) -> np.ndarray:
    """The gradient field of ``s`` on a ``count`` × ``count`` subgrid as an (arrows·6, 2)
    array of segment end points (shaft, then the two head strokes). Points where ∇f is zero
    or not finite get no arrow."""
    ix, iy = subgrid(len(s.x), count), subgrid(len(s.y), count)
    px, py = np.meshgrid(s.x[ix], s.y[iy], indexing="ij")
    gx, gy = s.dfdx[np.ix_(ix, iy)], s.dfdy[np.ix_(ix, iy)]
    span_x, span_y = s.x[-1] - s.x[0], s.y[-1] - s.y[0]
    with np.errstate(all="ignore"):
        ux, uy = gx / span_x, gy / span_y           # the gradient in units of the box
        norm = np.hypot(ux, uy)
    keep = np.isfinite(norm) & (norm > 0)
    if not keep.any():
        return np.empty((0, 2))
    px, py, ux, uy, norm = px[keep], py[keep], ux[keep], uy[keep], norm[keep]
    scale = _FILL / max(len(ix), len(iy)) / norm.max()
    ux, uy = ux * scale, uy * scale
    tips = np.stack([px + ux * span_x, py + uy * span_y], axis=1)
    parts = [np.stack([px, py], axis=1), tips]
    for angle in (HEAD_ANGLE, -HEAD_ANGLE):
        a = np.radians(180.0 - angle)
        hx = (ux * np.cos(a) - uy * np.sin(a)) * HEAD_SHARE
        hy = (ux * np.sin(a) + uy * np.cos(a)) * HEAD_SHARE
        parts += [tips, tips + np.stack([hx * span_x, hy * span_y], axis=1)]
    return np.stack(parts, axis=1).reshape(-1, 2)


def levels(a: np.ndarray) -> tuple[float, float]:
    """The smallest and largest finite value of ``a`` (for the colour scale); ``(0, 1)`` when
    none is finite, and a range of width 1 around a constant."""
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


def snap(value: float, lo: float, hi: float) -> float:
    """A dragged value rounded to the decimal digit that resolves a thousandth of the range
    ``lo``–``hi`` (the cards then show 2.718, not 2.7182817413)."""
    digits = max(0, 3 - int(np.floor(np.log10(hi - lo))))
    return float(round(value, digits))
