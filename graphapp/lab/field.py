"""What the function plot draws of a :class:`~graphapp.lab.grid.Surface`, worked out here so
that the window only paints: the gradient field as arrows on a coarse subgrid, and the range
of f for the colour scale.

The arrows are drawn as the gradient looks **on screen**: each points straight uphill across
the contour lines as they appear on the plot, whatever the scales of the two axes. The plot box
is ``aspect`` times as wide as it is high (pixels) and shows the x span across its width and
the y span up its height, so one pixel along x is worth ``span_x / width`` units of x and one
along y ``span_y / height`` of y. In pixel units f changes by (∂f/∂x·span_x/width,
∂f/∂y·span_y/height) per pixel: that vector is perpendicular to the contours on screen, and is
what the arrows follow. When both axes have the same scale it is the gradient (∂f/∂x, ∂f/∂y)
itself; when they differ (x over 0…2 beside y over 0…8), drawing (∂f/∂x, ∂f/∂y) in data units
would squash the arrows across the contours. The numbers of the gradient are in the plot's
title; the arrows show its direction across the contours and, by their length, where f is
steeper (the longest fills most of a subgrid cell).

The arrows are line segments in data coordinates, ready for one ``connect="pairs"`` line item:
per arrow a shaft centred on its grid point, pointing uphill, and two strokes of the head (the
head's angles are measured on screen too, so heads look alike in every direction). A plane
(seed 002's f = 3x + y) shows the same arrow everywhere and −0.5x + 0.25y² shows arrows that
grow with |y|.

>>> import numpy as np
>>> from graphapp.lab.grid import Surface
>>> xs = ys = np.linspace(-1.0, 1.0, 5)
>>> s = Surface("f", ("x", "y"), xs, ys, np.zeros((5, 5)), np.ones((5, 5)), np.zeros((5, 5)),
...             0.0, 0.0, 0.0, 1.0, 0.0, True)
>>> seg = arrow_segments(s, 1)          # one arrow across the centre, pointing along +x
>>> seg.shape, seg[0].round(3).tolist(), seg[1].round(3).tolist()
((6, 2), [-0.9, 0.0], [0.9, 0.0])
>>> snap(2.718281, 0.0, 6.0), snap(-0.123456, -1.0, 1.0)
(2.718, -0.123)
>>> levels(np.array([[1.0, np.nan], [np.inf, -2.0]]))
(-2.0, 1.0)
"""

from __future__ import annotations

import numpy as np

from graphapp.lab.grid import Surface

__all__ = ["HEAD_ANGLE", "arrow_counts", "arrow_segments", "levels", "screen_gradient", "snap",
           "subgrid"]

#: Half the opening of an arrow head, in degrees, and its length as a share of the arrow's.
HEAD_ANGLE, HEAD_SHARE = 28.0, 0.3
#: The longest arrow spans this share of a subgrid cell.
_FILL = 0.9


def subgrid(n: int, count: int) -> np.ndarray:
    """``count`` indices into a grid of ``n`` points, at the centres of ``count`` equal cells
    (so no arrow starts on the border)."""
    count = max(1, min(count, n))
    return ((np.arange(count) + 0.5) * n / count).astype(int)


def arrow_counts(count: int, aspect: float) -> tuple[int, int]:
    """Arrows across and up a box ``aspect`` times as wide as high: about ``count`` × ``count``
    in all, in cells about as wide as high (a wide, short plot gets fewer, longer arrows up
    its height rather than ``count`` squeezed ones)."""
    root = float(np.sqrt(aspect))
    return max(1, round(count * root)), max(1, round(count / root))


def screen_gradient(s: Surface, count: int = 15, aspect: float = 1.0) -> tuple[np.ndarray, ...]:
    """The gradient field on a subgrid of :func:`arrow_counts` points as it looks in a plot
    box ``aspect`` times as wide as high: ``(px, py, u, v)``, the grid points in data units
    and the change of f per box height moved right (``u``) and up (``v``). ``(u, v)`` is
    perpendicular to the contour lines as drawn, pointing uphill."""
    n_x, n_y = arrow_counts(count, aspect)
    ix, iy = subgrid(len(s.x), n_x), subgrid(len(s.y), n_y)
    px, py = np.meshgrid(s.x[ix], s.y[iy], indexing="ij")
    gx, gy = s.dfdx[np.ix_(ix, iy)], s.dfdy[np.ix_(ix, iy)]
    # the box is `aspect` wide and 1 high: one box unit is span_x / aspect of x, span_y of y
    unit_x, unit_y = (s.x[-1] - s.x[0]) / aspect, s.y[-1] - s.y[0]
    with np.errstate(all="ignore"):
        return px, py, gx * unit_x, gy * unit_y


def arrow_segments(s: Surface, count: int = 15, aspect: float = 1.0) -> np.ndarray:
    """The gradient field of ``s`` on a subgrid of :func:`arrow_counts` points (``count`` ×
    ``count`` in a square box) as an (arrows·6, 2)
    array of segment end points in data units (shaft, then the two head strokes), drawn as
    :func:`screen_gradient` sees it in a box ``aspect`` (width / height) wide. Points where
    the gradient is zero or not finite get no arrow."""
    px, py, u, v = screen_gradient(s, count, aspect)
    unit_x, unit_y = (s.x[-1] - s.x[0]) / aspect, s.y[-1] - s.y[0]
    with np.errstate(all="ignore"):
        norm = np.hypot(u, v)
    keep = np.isfinite(norm) & (norm > 0)
    if not keep.any():
        return np.empty((0, 2))
    px, py, u, v, norm = px[keep], py[keep], u[keep], v[keep], norm[keep]
    n_x, n_y = (min(n, len(axis)) for n, axis in zip(arrow_counts(count, aspect), (s.x, s.y),
                                                        strict=True))
    cell = min(aspect / n_x, 1.0 / n_y)  # a subgrid cell's short side
    scale = _FILL * cell / norm.max()
    u, v = u * scale, v * scale  # the arrows in box units (as on screen)
    # centred on their grid points, so that no arrow leaves the plot
    tips = np.stack([px + u * unit_x / 2, py + v * unit_y / 2], axis=1)
    parts = [np.stack([px - u * unit_x / 2, py - v * unit_y / 2], axis=1), tips]
    for angle in (HEAD_ANGLE, -HEAD_ANGLE):
        a = np.radians(180.0 - angle)
        hu = (u * np.cos(a) - v * np.sin(a)) * HEAD_SHARE
        hv = (u * np.sin(a) + v * np.cos(a)) * HEAD_SHARE
        parts += [tips, tips + np.stack([hu * unit_x, hv * unit_y], axis=1)]
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
