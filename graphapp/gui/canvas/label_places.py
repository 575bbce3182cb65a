"""Where the edge labels go: a spot on each edge's own curve where the label covers no card
and no other label (issue 9, item 4). Qt-free arithmetic on plain tuples, so it is quick and
tested on its own; the scene runs it when cards move or labels change size, never per paint.

Each label is tried at spots along its curve, nearest the middle first: centred on the curve
(the curve runs under it), then just above or below it, then a label's height further. It
takes the first spot that overlaps no card and no label placed before it. Labels on short
edges go first (they have the fewest spots that can work). A label with no free spot gets
none: the canvas leaves it out (the edge's tooltip and the inspector still say it) rather
than cover a card or another label. A grid of buckets keeps each overlap test local, so a
pass is linear in the number of edges.

An edge that runs back along a lane (:mod:`.routes`) has its label's spots on that run, and
labels keep off the other edges' runs where they can (a line through a label is hard to
read); where nothing else is free, a label may lie over another run.

Caveat: greedy, not optimal; the layout has to leave room between its cards (the gap between
two columns wider than the labels crossing it) for every label to find a spot.

>>> cards = [(0, 0, 100, 60), (200, 0, 300, 60)]
>>> edges = [((100, 30), (200, 30), (60, 30)), ((100, 30), (200, 30), (60, 30))]
>>> place(cards, edges)
[Spot(t=0.5, side=0), Spot(t=0.5, side=-2)]
>>> place(cards, [((100, 30), (200, 30), (150, 30))])  # wider than the gap: no room
[None]
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from graphapp.gui.canvas.routes import Lane, Point, Rect, controls, curve_point

__all__ = ["GAP", "Placement", "Spot", "controls", "curve_point", "label_rect", "place"]

#: Where along the curve a label is tried (the curve's parameter t), nearest the middle first.
ALONG = tuple(round(0.5 + sign * k * 0.04, 2)
              for k in range(10) for sign in ((1,) if k == 0 else (-1, 1)))
#: Room kept between a label and what it must not cover, in scene pixels.
GAP = 2.0
#: Side of a grid bucket, in scene pixels (about a card).
BUCKET = 160.0


@dataclass(frozen=True)
class Spot:
    """A label's place: at parameter ``t`` of its curve, centred on it (``side`` 0), just above
    (-1) or below (+1) it, or a label's height further (-2, +2: clear of a label centred on
    the same spot of a parallel curve)."""

    t: float = 0.5
    side: int = 0


def label_rect(p0: Point, p3: Point, size: tuple[float, float], spot: Spot,
               lane: Lane | None = None) -> Rect:
    """The rectangle a label of ``size`` (width, height) covers at ``spot`` of the edge from
    ``p0`` to ``p3`` (along ``lane``: :func:`.routes.route`)."""
    x, y = curve_point(p0, p3, spot.t, lane)
    w, h = size
    y += spot.side * (h / 2 + 3)
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


class _Grid:
    """Rectangles in square buckets, to find the few near a given one."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[int, int], list[Rect]] = {}

    @staticmethod
    def _cells(r: Rect) -> list[tuple[int, int]]:
        i0, i1 = int(r[0] // BUCKET), int(r[2] // BUCKET)
        j0, j1 = int(r[1] // BUCKET), int(r[3] // BUCKET)
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def add(self, r: Rect) -> None:
        for cell in self._cells(r):
            self.buckets.setdefault(cell, []).append(r)

    def remove(self, r: Rect) -> None:
        for cell in self._cells(r):
            self.buckets[cell].remove(r)

    def hits(self, r: Rect) -> bool:
        """True when a rectangle here comes closer than ``GAP`` to ``r``."""
        left, top, right, bottom = r[0] - GAP, r[1] - GAP, r[2] + GAP, r[3] + GAP
        get = self.buckets.get
        for i in range(int(left // BUCKET), int(right // BUCKET) + 1):
            for j in range(int(top // BUCKET), int(bottom // BUCKET) + 1):
                for o in get((i, j), ()):
                    if o[0] < right and left < o[2] and o[1] < bottom and top < o[3]:
                        return True
        return False


SPOTS = tuple(Spot(t, side) for side in (0, -1, 1, -2, 2) for t in ALONG)

#: An edge as placement sees it: where its curve starts and ends, its label's size and,
#: optionally, the lane it runs back along (:func:`.routes.route`).
Edge = tuple[Point, Point, tuple[float, float]] | \
    tuple[Point, Point, tuple[float, float], Lane | None]


def _lane(edge: Edge) -> Lane | None:
    return edge[3] if len(edge) > 3 else None  # type: ignore[misc]


class Placement:
    """Labels placed among cards. Kept, so that a label that changes size (a value edit) is
    placed again on its own: where it was if that is still free, else at its first free spot,
    at the cost of one label, not of all of them."""

    def __init__(self, cards: Sequence[Rect], edges: Mapping[Hashable, Edge],
                 runs: Mapping[Hashable, Rect] | None = None) -> None:
        """``runs``: the strips edges run along lanes (:func:`.routes.run_box`) by edge; a
        label keeps off the others' where it can (a line through a label is hard to read)."""
        self._grid = _Grid()
        for r in cards:
            self._grid.add(r)
        self._runs = dict(runs or {})
        self._run_grid = _Grid()
        for r in self._runs.values():
            self._run_grid.add(r)
        #: Each label's spot (``None``: no room for it).
        self.spots: dict[Hashable, Spot | None] = {}
        self._rects: dict[Hashable, Rect] = {}
        for key in sorted(edges, key=lambda k: _length(edges[k])):
            self._put(key, edges[key])

    def _put(self, key: Hashable, edge: Edge) -> Spot | None:
        p0, p3, (w, h) = edge[:3]
        lane = _lane(edge)
        points: dict[float, Point] = {}  # made as they are needed: most labels fit at once
        own = self._runs.get(key)
        if own is not None:
            self._run_grid.remove(own)
        try:
            for clear_of_runs in (bool(self._runs), False):
                for spot in SPOTS:
                    x, y = points.get(spot.t) or points.setdefault(
                        spot.t, curve_point(p0, p3, spot.t, lane))
                    y += spot.side * (h / 2 + 3)
                    rect = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
                    if self._grid.hits(rect) or (clear_of_runs and self._run_grid.hits(rect)):
                        continue
                    self._rects[key] = rect
                    self._grid.add(rect)
                    self.spots[key] = spot
                    return spot
                if not self._runs:
                    break
        finally:
            if own is not None:
                self._run_grid.add(own)
        self.spots[key] = None
        return None

    def update(self, key: Hashable, edge: Edge) -> Spot | None:
        """Place the label of ``key`` again, now ``edge`` (its size changed; width 0: gone)."""
        old = self._rects.pop(key, None)
        if old is not None:
            self._grid.remove(old)
        p0, p3, size = edge[:3]
        spot = self.spots.pop(key, None)
        if size[0] <= 0:
            return None
        if spot is not None:
            rect = label_rect(p0, p3, size, spot, _lane(edge))
            if not self._grid.hits(rect):
                self._rects[key] = rect
                self._grid.add(rect)
                self.spots[key] = spot
                return spot
        return self._put(key, edge)


def _length(edge: Edge) -> float:
    (x0, y0), (x3, y3) = edge[:2]
    return abs(x3 - x0) + abs(y3 - y0)


def place(cards: Sequence[Rect], edges: Sequence[Edge]) -> list[Spot | None]:
    """A spot for each edge's label: ``edges`` are (start, end, label size[, lane]); ``cards`` the
    rectangles labels must leave free. One :class:`Spot` per edge, in order, or ``None`` for a
    label that has no free spot on its curve (the canvas then leaves it out: an overlapping
    label is unreadable and hides what it covers)."""
    spots = Placement(cards, dict(enumerate(edges))).spots
    return [spots[i] for i in range(len(edges))]
