"""The shape of an edge on the canvas: a smooth left-to-right cubic, or, for an edge that runs
back to the left (from one band of a folded layout into the next), a route along a free lane
between the cards. Qt-free arithmetic on plain tuples, shared by the drawing
(:mod:`.edge_item`), the labels (:mod:`.label_places`) and the repaints (:mod:`.curve_pieces`).

An edge from ``p0`` (an output port) to ``p3`` (an input port) leaves and arrives
horizontally. When ``p3`` lies left of ``p0`` the plain cubic would cut diagonally across the
cards between them (behind them: the cards hide it). :func:`lane` finds the height of a free
horizontal lane between those cards, and :func:`route` then runs the edge out to the right,
down (or up) to the lane, along it to the left, and down into ``p3``, with rounded turns:
cubics end to end, monotone in height like the plain cubic.

Caveats: a lane between the two ports' heights is preferred; where the cards in the way leave
none (a compact layout whose bands interleave), the lane runs above or below them all, the
route then rising and falling rather than falling all the way (the repaint scans its pieces
instead of bisecting). With a card on the vertical runs of every candidate, the edge keeps the
plain cubic, which bends out only :data:`BACK_BEND` instead of looping wide of the graph.
A route's point at parameter ``t`` (where a label goes) is on its run along the lane,
from its right end (0) to its left (1): there the label has the most room, and it stays
within the route's width.

>>> cards = [(0, 0, 100, 60), (0, 100, 100, 160), (300, 0, 400, 60)]  # two bands, one card below
>>> lane((405, 30), (-5, 130), cards)  # from the right card back to the lower left one
(80.0, 0.0)
>>> lane((105, 30), (295, 30), cards) is None  # a forward edge: the plain cubic
True
>>> parts = route((405, 30), (-5, 130), (80.0, 0.0))
>>> parts[0][0], parts[-1][-1]
((405, 30), (-5, 130))
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["BACK_BEND", "CLEAR", "REACH", "SPREAD", "TURN", "Cubic", "Lane", "Point", "Rect",
           "controls", "curve_point", "lane", "route", "run_box"]

Point = tuple[float, float]
#: left, top, right, bottom
Rect = tuple[float, float, float, float]
#: Start, two control points, end.
Cubic = tuple[Point, Point, Point, Point]
#: A route's lane: its height, and how much further out than :data:`TURN` from its ports the
#: route turns (edges into one card's several inputs nest instead of running on top of each
#: other: :data:`SPREAD` per input).
Lane = tuple[float, float]

#: How far an edge that runs back to the left first leaves its port, in scene pixels (the
#: plain cubic's bend when there is no lane; a route's run out to its first turn).
BACK_BEND = 60.0
#: A route's distance from its ports to its vertical runs, and the radius of its turns.
TURN = 18.0
#: Room a lane keeps from the cards it passes, above and below, in scene pixels.
CLEAR = 10.0
#: How far apart the lanes (and last turns) of edges into a card's inputs run, per input.
SPREAD = 9.0
#: How far above or below its ports an edge's lane may run, in scene pixels (the cards beyond
#: are not looked at: a lane is found among a few hundred cards at most, whatever the graph).
REACH = 600.0
#: A cubic's control points at this fraction of the radius draw a quarter circle.
_KAPPA = 0.5523


def controls(p0: Point, p3: Point) -> tuple[Point, Point]:
    """The inner control points of the canvas's left-to-right cubic from ``p0`` to ``p3``
    (it leaves and arrives horizontally). An edge that runs back to the left bends out only a
    little, instead of looping wide of the graph.

    >>> controls((0, 0), (200, 100)), controls((500, 0), (0, 300))
    (((100.0, 0), (100.0, 100)), ((560.0, 0), (-60.0, 300)))
    """
    span = p3[0] - p0[0]
    dx = max(40.0, span * 0.5) if span >= 0 else BACK_BEND
    return (p0[0] + dx, p0[1]), (p3[0] - dx, p3[1])


def _bezier(c: Cubic, t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = c
    u = 1.0 - t
    a, b, d, e = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return a * x0 + b * x1 + d * x2 + e * x3, a * y0 + b * y1 + d * y2 + e * y3


def curve_point(p0: Point, p3: Point, t: float, lane: Lane | None = None) -> Point:
    """The point at parameter ``t`` of the edge from ``p0`` to ``p3`` (along ``lane``).

    >>> curve_point((0, 0), (200, 100), 0.5)
    (100.0, 50.0)
    >>> curve_point((405, 30), (-5, 130), 0.5, (80.0, 0.0))  # the middle of the lane's run
    (200.0, 80.0)
    """
    if lane is None:
        c1, c2 = controls(p0, p3)
        return _bezier((p0, c1, c2, p3), t)
    start, end, height = _run(p0, p3, lane)
    return start + (end - start) * t, height


def _line(a: Point, b: Point) -> Cubic:
    return a, (a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3), \
        (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3), b


def _turn(a: Point, b: Point, first: Point, last: Point, r: float) -> Cubic:
    """A quarter circle of radius ``r`` from ``a`` (heading ``first``) to ``b`` (heading
    ``last``; headings are unit steps along an axis)."""
    k = _KAPPA * r
    return a, (a[0] + k * first[0], a[1] + k * first[1]), \
        (b[0] - k * last[0], b[1] - k * last[1]), b


def _run(p0: Point, p3: Point, lane: Lane) -> tuple[float, float, float]:
    """Where a route's run along its lane starts and ends (right to left), and its height."""
    (x0, y0), (x3, y3) = p0, p3
    height, inset = lane
    r = _radius(y0, height, y3)
    return x0 + TURN + inset - r, x3 - TURN - inset + r, height


def run_box(p0: Point, p3: Point, lane: Lane) -> Rect:
    """The strip a route's run along its lane covers, as (left, top, right, bottom): labels
    keep off it (they sit beside their own run, and never over another edge's).

    >>> run_box((405, 30), (-5, 130), (80.0, 0.0))
    (-5.0, 79.0, 405.0, 81.0)
    """
    start, end, height = _run(p0, p3, lane)
    return end, height - 1.0, start, height + 1.0


def _radius(y0: float, height: float, y3: float) -> float:
    return max(0.0, min(TURN, abs(height - y0) / 2, abs(y3 - height) / 2))


def route(p0: Point, p3: Point, lane: Lane | None = None) -> list[Cubic]:
    """The edge from ``p0`` to ``p3`` as cubics end to end: the plain cubic, or with ``lane``
    out to the right, to the lane, along it to the left and into ``p3``."""
    if lane is None:
        c1, c2 = controls(p0, p3)
        return [(p0, c1, c2, p3)]
    (x0, y0), (x3, y3) = p0, p3
    height, inset = lane
    s1 = 1.0 if height >= y0 else -1.0  # down to the lane (or up to it)
    s2 = 1.0 if y3 >= height else -1.0  # and on down into the end port (or up)
    r = _radius(y0, height, y3)
    right, left = x0 + TURN + inset, x3 - TURN - inset
    out, into, leftward, rightward = (0.0, s1), (0.0, s2), (-1.0, 0.0), (1.0, 0.0)
    corners = [
        _turn((right - r, y0), (right, y0 + s1 * r), rightward, out, r),
        _turn((right, height - s1 * r), (right - r, height), out, leftward, r),
        _turn((left + r, height), (left, height + s2 * r), leftward, into, r),
        _turn((left, y3 - s2 * r), (left + r, y3), into, rightward, r),
    ]
    parts: list[Cubic] = []
    at = p0
    for corner in corners:
        if math.dist(corner[0], at) > 1e-9:
            parts.append(_line(at, corner[0]))
            at = corner[0]
        parts.append((at, *corner[1:]))
        at = corner[3]
    if math.dist(at, p3) > 1e-9:
        parts.append(_line(at, p3))
    else:  # the ports exactly, as the plain cubic has them
        parts[-1] = (*parts[-1][:3], p3)
    return parts


def lane(p0: Point, p3: Point, cards: Sequence[Rect], slot: int = 0) -> Lane | None:
    """A free lane for the edge from ``p0`` back to ``p3`` on its left (into input ``slot`` of
    its card), among the cards in its way (those the lane's run would pass): the middle of the
    tallest gap between the ports' heights, else the free gap needing the least climb, above
    or below those cards if need be, within :data:`REACH` of the ports. Routes into one card
    nest: down into it, a later input's lane runs :data:`SPREAD` higher and its turns as much
    further out; up into it, the first input's. ``None``: a forward edge, or no candidate
    whose lane, vertical runs (out beside the start port, down beside the end port) and
    nesting keep clear of every card but the two the edge joins, each on its own side."""
    (x0, y0), (x3, y3) = p0, p3
    if x3 >= x0:
        return None
    top, bottom = min(y0, y3) - REACH, max(y0, y3) + REACH
    most = TURN + 3 * SPREAD + CLEAR  # how far out a route's vertical runs may go
    near = [c for c in cards if c[1] < bottom and c[3] > top and c[0] < x0 + most
            and c[2] > x3 - most]
    blocked = sorted((t - CLEAR, b + CLEAR) for x_lo, t, x_hi, b in near
                     if x_lo < x0 + most - CLEAR and x_hi > x3 - most + CLEAR)
    gaps, y = [], -math.inf
    for t, b in blocked:
        if t > y:
            gaps.append((y, t))
        y = max(y, b)
    gaps.append((y, math.inf))

    def middle(gap: tuple[float, float]) -> float:
        a, b = gap
        return b - CLEAR if a == -math.inf else a + CLEAR if b == math.inf else (a + b) / 2

    def cost(gap: tuple[float, float]) -> tuple[float, float]:
        at = middle(gap)
        return abs(at - y0) + abs(y3 - at), gap[0] - gap[1]  # the least climb, the tallest

    # the cards beside the vertical runs (at most 3 * SPREAD further out than TURN): the
    # start port's card is left of the run out of it, the end port's right of the run into it
    out, back = x0 + TURN, x3 - TURN
    start = [c for c in near if c[0] - CLEAR < out + 3 * SPREAD and c[2] + CLEAR > out
             and not _holds(c, p0)]
    end = [c for c in near if c[0] - CLEAR < back and c[2] + CLEAR > back - 3 * SPREAD
           and not _holds(c, p3)]
    for _, gap in sorted((cost(g), g) for g in gaps if g[1] - g[0] >= 2 * CLEAR):
        at = middle(gap)
        down = at < y3
        inset = (min(slot, 3) if down else max(0, 1 - slot)) * SPREAD
        at = at - inset if down else at + inset
        if not (gap[0] <= at <= gap[1] and top < at < bottom):
            continue
        right, left = x0 + TURN + inset, x3 - TURN - inset
        if not (_crosses(start, right, y0, at) or _crosses(end, left, at, y3)):
            return at, inset
    return None


def _crosses(cards: list[Rect], x: float, y_a: float, y_b: float) -> bool:
    """Whether a vertical run at ``x`` from ``y_a`` to ``y_b`` comes within ``CLEAR`` of a card."""
    lo, hi = min(y_a, y_b), max(y_a, y_b)
    return any(x_lo - CLEAR < x < x_hi + CLEAR and t < hi and b > lo
               for x_lo, t, x_hi, b in cards)


def _holds(card: Rect, p: Point) -> bool:
    x_lo, t, x_hi, b = card
    return x_lo - CLEAR <= p[0] <= x_hi + CLEAR and t <= p[1] <= b
