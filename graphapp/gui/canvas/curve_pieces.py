"""An edge's curve cut into short pieces, so that a repaint strokes only what it shows.

Qt strokes a whole curve however little of it is on screen, and its antialiased stroker's
cost grows with the curve's length: on a 1,000-node graph, edges run thousands of pixels up
and down between the cards of a column, and stroking ~200 of them took most of a value
edit's repaint. The canvas cuts each long curve into pieces (de Casteljau, equal steps of
the parameter) and strokes only the runs of pieces near the rectangle being painted. Qt-free
arithmetic on plain tuples, like :mod:`.label_places`.

Finding those pieces is itself part of every repaint (Qt asks every curve whose box meets
the repainted area, ~100 of them round one card): the canvas's curves rise or fall
monotonically (their control points' heights are y0, y0, y3, y3, and de Casteljau keeps
that; a route along a lane, :mod:`.routes`, is such cubics end to end), so the pieces at a
rectangle's height are found by bisection, in a few microseconds whatever the curve's length.

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
>>> runs(boxes(parts), (-10.0, -5.0, 10.0, 5.0), (70.0, -5.0, 80.0, 5.0))  # two rectangles
[(0, 1), (2, 4)]
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from graphapp.gui.canvas.routes import Cubic, Lane, Point, Rect, route

__all__ = ["MAX_PIECES", "STEP", "Boxes", "Cubic", "boxes", "pieces", "runs"]

#: A piece's length, at most, in scene pixels (measured along the control polygon).
STEP = 200.0
#: However long the curve, no more pieces than this.
MAX_PIECES = 128


def _split(c: Cubic, t: float) -> tuple[Cubic, Cubic]:
    """The cubic ``c`` cut at parameter ``t`` (de Casteljau)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = c

    def mix(ax: float, ay: float, bx: float, by: float) -> Point:
        return ax + (bx - ax) * t, ay + (by - ay) * t

    a, b, e = mix(x0, y0, x1, y1), mix(x1, y1, x2, y2), mix(x2, y2, x3, y3)
    f, g = mix(*a, *b), mix(*b, *e)
    m = mix(*f, *g)
    return ((x0, y0), a, f, m), (m, g, e, (x3, y3))


def pieces(p0: Point, p3: Point, step: float = STEP, lane: Lane | None = None) -> list[Cubic]:
    """The canvas's edge from ``p0`` to ``p3`` (along ``lane``: :func:`.routes.route`) as
    consecutive pieces, none longer than about ``step`` (one piece for a short curve)."""
    out = []
    for part in route(p0, p3, lane):
        a, c1, c2, b = part
        length = math.dist(a, c1) + math.dist(c1, c2) + math.dist(c2, b)
        n = max(1, min(MAX_PIECES, math.ceil(length / step)))
        rest: Cubic = part
        for i in range(n - 1):
            first, rest = _split(rest, 1.0 / (n - i))
            out.append(first)
        out.append(rest)
    return out


@dataclass(frozen=True)
class Boxes:
    """The pieces' boxes (of their control points, which hold each piece) as columns, with
    their heights in bisectable order: ``low`` and ``high`` are the boxes' tops and bottoms,
    or for a rising curve (drawn upwards) their negatives, both non-decreasing when
    ``monotone``."""

    left: list[float]
    right: list[float]
    low: list[float]
    high: list[float]
    flip: bool
    monotone: bool


def boxes(parts: list[Cubic]) -> Boxes:
    """Each piece's control points' box, ready for :func:`runs`."""
    left = [min(p[0] for p in c) for c in parts]
    right = [max(p[0] for p in c) for c in parts]
    top = [min(p[1] for p in c) for c in parts]
    bottom = [max(p[1] for p in c) for c in parts]
    flip = parts[-1][-1][1] < parts[0][0][1]
    low, high = ([-b for b in bottom], [-t for t in top]) if flip else (top, bottom)
    monotone = all(a <= b for a, b in itertools.pairwise(low)) and \
        all(a <= b for a, b in itertools.pairwise(high))
    return Boxes(left, right, low, high, flip, monotone)


def runs(box: Boxes, *rects: Rect) -> list[tuple[int, int]]:
    """The runs ``(first, end)`` of consecutive pieces whose boxes (:func:`boxes`) meet any
    of ``rects`` (left, top, right, bottom): the part of the curve that can show in them."""
    hits: list[int] = []
    for left, top, right, bottom in rects:
        lo, hi = (-bottom, -top) if box.flip else (top, bottom)
        if box.monotone:  # the pieces at this height, by bisection
            first, end = bisect_left(box.high, lo), bisect_right(box.low, hi)
        else:
            first, end = 0, len(box.left)
        xl, xr, yl, yh = box.left, box.right, box.low, box.high
        hits += [i for i in range(first, end)
                 if xl[i] <= right and xr[i] >= left and yl[i] <= hi and yh[i] >= lo]
    if not hits:
        return []
    if len(rects) > 1:
        hits = sorted(set(hits))
    out: list[tuple[int, int]] = []
    start = prev = hits[0]
    for i in hits[1:]:
        if i != prev + 1:
            out.append((start, prev + 1))
            start = i
        prev = i
    out.append((start, prev + 1))
    return out
