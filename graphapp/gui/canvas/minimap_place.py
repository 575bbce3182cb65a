"""Where the minimap goes when Fit cannot show the whole graph (issue 9): a corner of the view
and a view position where the minimap covers no card, and if it can no edge label.

The minimap is shown only while part of the graph is off screen (an overview of a graph that
is whole in sight is pointless). Fit shows the whole graph when it can at a readable zoom, so
the minimap is hidden then. When it cannot (a big graph, or a dock that took the canvas's
bottom), Fit stays at the readable zoom and looks for a place near the one it prefers (the
output end): it tries view positions stepping away from it, along the directions the view can
move while it keeps the graph whole across where the graph is narrower than the view, and
stays on it where it is wider (or goes past its end by the minimap's size: Fit then leaves
the minimap's strip empty rather than a card under it), and each corner of the view for the
minimap. It takes the placement with no card
under the minimap that moves the view least, counting a corner other than the usual bottom
right as :data:`CORNER_PRICE` pixels of movement. Labels count first, then cards alone.

Caveat: a dense graph much bigger than the view may leave no corner free anywhere; the
preferred position and the bottom right are kept then (the minimap is what finds the rest).
Qt-free arithmetic on plain tuples (scene units, viewport pixels), so it is tested on its own.

>>> cards = [(0, 0, 100, 60), (300, 200, 400, 260)]
>>> p = place((-40, -40, 440, 300), cards, [], view=(300, 200), zoom=1.0, size=(100, 60),
...           preferred=(200, 130))
>>> p.corner, p.centre  # the view slides up 30 pixels: the bottom right corner is empty
('bottom-right', (200, 100.0))
>>> covers(p, (300, 200), 1.0, (100, 60), cards[1])
False
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graphapp.engine.lazy_numpy import np

__all__ = ["CORNERS", "CORNER_PRICE", "MARGIN", "Placement", "box", "covers", "place", "size_for"]

Point = tuple[float, float]
#: left, top, right, bottom
Rect = tuple[float, float, float, float]

#: The view's corners, the usual one first.
CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")
#: Pixels between the minimap and the view's edges.
MARGIN = 12
#: A corner other than the usual one costs as much as moving the view this many pixels.
CORNER_PRICE = 120.0
#: Pixels of room kept between the minimap and what it must not cover.
GAP = 4.0
#: View positions tried on each side of the preferred one, along each axis.
STEPS = 8
#: The minimap's largest size in pixels, and the most of the view's width and height it takes.
LARGEST = (200, 140)
SHARE = (0.25, 0.3)
#: Its smallest side in pixels (still a target for the mouse).
SMALLEST = 48


@dataclass(frozen=True)
class Placement:
    """Where the view is centred (scene units) and the corner the minimap takes."""

    centre: Point
    corner: str


def size_for(graph: tuple[float, float], view: tuple[float, float]) -> tuple[int, int]:
    """The minimap's size in pixels: the graph's shape (``graph``: width, height), as large as
    fits in :data:`LARGEST` and in :data:`SHARE` of the view (``view``: width, height in
    pixels), so that it covers no more of the canvas than it needs.

    >>> size_for((1000, 700), (1200, 900))  # as wide as allowed
    (200, 140)
    >>> size_for((1000, 250), (1200, 900))  # a wide graph: a low strip
    (200, 50)
    >>> size_for((800, 800), (850, 330))  # a low view: a third of its height
    (99, 99)
    """
    gw, gh = max(graph[0], 1.0), max(graph[1], 1.0)
    most_w = min(LARGEST[0], SHARE[0] * view[0])
    most_h = min(LARGEST[1], SHARE[1] * view[1])
    scale = min(most_w / gw, most_h / gh)
    return max(SMALLEST, int(gw * scale)), max(SMALLEST, int(gh * scale))


def box(corner: str, view: tuple[float, float], size: tuple[float, float]) -> Rect:
    """The minimap's rectangle in viewport pixels, in ``corner`` of a view of size ``view``.

    >>> box("bottom-right", (800, 600), (200, 140))
    (588, 448, 788, 588)
    >>> box("top-left", (800, 600), (200, 140))
    (12, 12, 212, 152)
    """
    vw, vh = view
    w, h = size
    left = MARGIN if corner.endswith("left") else vw - w - MARGIN
    top = MARGIN if corner.startswith("top") else vh - h - MARGIN
    return left, top, left + w, top + h


def _scene_box(placement: Placement, view: tuple[float, float], zoom: float,
               size: tuple[float, float]) -> Rect:
    """The minimap's rectangle in scene units, with :data:`GAP` around it."""
    left, top, right, bottom = box(placement.corner, view, size)
    x0 = placement.centre[0] - view[0] / 2 / zoom
    y0 = placement.centre[1] - view[1] / 2 / zoom
    gap = GAP / zoom
    return (x0 + left / zoom - gap, y0 + top / zoom - gap,
            x0 + right / zoom + gap, y0 + bottom / zoom + gap)


def covers(placement: Placement, view: tuple[float, float], zoom: float,
           size: tuple[float, float], rect: Rect) -> bool:
    """Whether the minimap, so placed, covers any of ``rect`` (scene units)."""
    x0, y0, x1, y1 = _scene_box(placement, view, zoom, size)
    return rect[0] < x1 and rect[2] > x0 and rect[1] < y1 and rect[3] > y0


def _positions(low: float, high: float, span: float, preferred: float, step: float,
               beyond: float) -> list[float]:
    """Centres along one axis where a view ``span`` wide keeps the graph (``low`` to ``high``)
    whole when it is narrower than the view, or else stays on it, or goes up to ``beyond``
    past its ends (room for the minimap); nearest ``preferred`` first."""
    a, b = low + span / 2, high - span / 2
    lo, hi = (b, a) if a > b else (a - beyond, b + beyond)
    start = min(hi, max(lo, preferred))
    found = {start, lo, hi}
    for k in range(1, STEPS + 1):
        found.update(c for c in (start - k * step, start + k * step) if lo <= c <= hi)
    return sorted(found, key=lambda c: abs(c - start))


def place(graph: Rect, cards: Sequence[Rect], labels: Sequence[Rect], view: tuple[float, float],
          zoom: float, size: tuple[float, float], preferred: Point) -> Placement:
    """The placement nearest ``preferred`` (a view centre, scene units) where the minimap
    (``size`` pixels) in a view of ``view`` pixels at ``zoom`` covers no card and, if one
    exists, no label. ``graph`` bounds what the view may show."""
    span_x, span_y = view[0] / zoom, view[1] / zoom
    room = MARGIN + GAP
    xs = _positions(graph[0], graph[2], span_x, preferred[0], size[0] / 2 / zoom,
                    (size[0] + room) / zoom)
    ys = _positions(graph[1], graph[3], span_y, preferred[1], size[1] / 2 / zoom,
                    (size[1] + room) / zoom)
    tries = sorted(((abs(x - xs[0]) + abs(y - ys[0])) * zoom + CORNER_PRICE * rank, x, y, corner)
                   for x in xs for y in ys for rank, corner in enumerate(CORNERS))
    if cards:
        left, top = min(c[0] for c in cards), min(c[1] for c in cards)
        right, bottom = max(c[2] for c in cards), max(c[3] for c in cards)
    for overlaps in (_overlap_test([*cards, *labels]), _overlap_test(cards)):
        for _, x, y, corner in tries:
            candidate = Placement((x, y), corner)
            if cards and (x - span_x / 2 <= left and right <= x + span_x / 2
                          and y - span_y / 2 <= top and bottom <= y + span_y / 2):
                return candidate  # every card in sight: no minimap at all
            if not overlaps(_scene_box(candidate, view, zoom, size)):
                return candidate
    return Placement((xs[0], ys[0]), CORNERS[0])


#: Up to this many rectangles, whether a box overlaps one is asked of a Python list (a small
#: graph's first frame needs no numpy); beyond, numpy asks all of them at once.
SMALL = 64


def _overlap_test(rects: Sequence[Rect]) -> Callable[[Rect], bool]:
    """A test: does a box overlap any of ``rects`` (edges touching do not count)?

    >>> test = _overlap_test([(0, 0, 10, 10)])
    >>> test((5, 5, 20, 20)), test((10, 0, 20, 10))
    (True, False)
    """
    if len(rects) <= SMALL:
        return lambda b: any(r[0] < b[2] and r[2] > b[0] and r[1] < b[3] and r[3] > b[1]
                             for r in rects)
    a = np.array(rects, float).reshape(-1, 4)
    return lambda b: bool(np.any((a[:, 0] < b[2]) & (a[:, 2] > b[0])
                                 & (a[:, 1] < b[3]) & (a[:, 3] > b[1])))
