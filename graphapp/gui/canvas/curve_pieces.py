"""An edge's curve cut into short pieces, so that a repaint strokes only what it shows.

Qt strokes a whole curve however little of it is on screen, and its antialiased stroker's
cost grows with the curve's length: on a 1,000-node graph, edges run thousands of pixels up
and down between the cards of a column, and stroking ~200 of them took most of a value
edit's repaint. The canvas cuts each long curve into pieces (de Casteljau, equal steps of
the parameter) and strokes only the runs of pieces near the rectangle being painted. Qt-free
arithmetic on plain tuples, like :mod:`.label_places`.

Caveat: a piece is kept when the box of its four control points (which holds the piece)
meets the rectangle, so a little more than the visible part is stroked; a run starts and
ends beyond the rectangle's margin, where its caps do not show.

>>> parts = pieces((0.0, 0.0), (100.0, 0.0), step=30.0)
>>> len(parts), parts[0][0], parts[-1][-1]
(4, (0.0, 0.0), (100.0, 0.0))
>>> runs(boxes(parts), (30.0, -5.0, 60.0, 5.0))  # the middle two pieces, one run
[(1, 3)]
>>> runs(boxes(parts), (-10.0, -5.0, 10.0, 5.0)), runs(boxes(parts), (200.0, 0.0, 300.0, 10.0))
([(0, 1)], [])
"""

from __future__ import annotations

import math

import numpy as np

from graphapp.gui.canvas.label_places import Point, Rect, controls

__all__ = ["MAX_PIECES", "STEP", "Cubic", "boxes", "pieces", "runs"]

#: A piece's length, at most, in scene pixels (measured along the control polygon).
STEP = 200.0
#: However long the curve, no more pieces than this.
MAX_PIECES = 128

#: Start, two control points, end.
Cubic = tuple[Point, Point, Point, Point]


def _split(c: Cubic, t: float) -> tuple[Cubic, Cubic]:
    """The cubic ``c`` cut at parameter ``t`` (de Casteljau)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = c

    def mix(ax: float, ay: float, bx: float, by: float) -> Point:
        return ax + (bx - ax) * t, ay + (by - ay) * t

    a, b, e = mix(x0, y0, x1, y1), mix(x1, y1, x2, y2), mix(x2, y2, x3, y3)
    f, g = mix(*a, *b), mix(*b, *e)
    m = mix(*f, *g)
    return ((x0, y0), a, f, m), (m, g, e, (x3, y3))


def pieces(p0: Point, p3: Point, step: float = STEP) -> list[Cubic]:
    """The canvas's cubic from ``p0`` to ``p3`` (:func:`.label_places.controls`) as
    consecutive pieces, none longer than about ``step`` (one piece for a short curve)."""
    c1, c2 = controls(p0, p3)
    length = math.dist(p0, c1) + math.dist(c1, c2) + math.dist(c2, p3)
    n = max(1, min(MAX_PIECES, math.ceil(length / step)))
    rest: Cubic = (p0, c1, c2, p3)
    out = []
    for i in range(n - 1):
        first, rest = _split(rest, 1.0 / (n - i))
        out.append(first)
    out.append(rest)
    return out


def boxes(parts: list[Cubic]) -> np.ndarray:
    """Each piece's control points' box (which holds the piece): rows of left, top, right,
    bottom."""
    points = np.asarray(parts, dtype=float)  # pieces × 4 points × (x, y)
    return np.concatenate([points.min(axis=1), points.max(axis=1)], axis=1)


def runs(box: np.ndarray, rect: Rect) -> list[tuple[int, int]]:
    """The runs ``(first, end)`` of consecutive pieces whose boxes (:func:`boxes`) meet
    ``rect`` (left, top, right, bottom): the part of the curve that can show in it."""
    left, top, right, bottom = rect
    meets = ((box[:, 0] <= right) & (box[:, 2] >= left)
             & (box[:, 1] <= bottom) & (box[:, 3] >= top))
    if not meets.any():  # most curves whose box meets a small repaint
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([False], meets, [False])).astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
