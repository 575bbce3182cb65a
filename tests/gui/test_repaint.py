"""A value edit repaints what it changed and nothing else (issue 13): the canvas repaints the
cards whose numbers changed and the labels whose text changed, not every item crossing the
box of a curve whose label changed, and never the cards the edit left as they were."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QRegion

from graphapp.formats import parse_expr
from graphapp.gui import commands
from graphapp.gui.canvas.edge_item import EdgeItem
from graphapp.gui.canvas.node_item import NodeItem
from tests.gui.conftest import settle, wait_layout


class _Regions(QObject):
    """Records the regions of the viewport's paint events."""

    def __init__(self) -> None:
        super().__init__()
        self.regions: list = []

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.regions.append(event.region())
        return False


def test_a_value_edit_repaints_only_what_it_changed(window, qtbot, monkeypatch):
    painted: list = []
    for cls in (NodeItem, EdgeItem):  # before the items exist: Qt calls the patched paint
        def paint(self, painter, option, widget=None, _original=cls.paint):
            painted.append(self)
            _original(self, painter, option, widget)
        monkeypatch.setattr(cls, "paint", paint)
    # out = sin(x) + cos(y). Moving x from 0.5 to 0.52 changes the numbers on x, s and out
    # and the label of x → s (local derivative and gradient cos x: 0.8776 → 0.8678), but
    # not its width (1.3 + 3.7·|cos x| / 1 stays in the 4.5 step) nor anything of y and c.
    window.load(parse_expr("x = 0.5\ny = 0.25\ns = sin(x)\nc = cos(y)\nout = s + c\n"), None)
    wait_layout(window, qtbot)
    window.view.fit()
    settle(window)
    scene, view = window.scene, window.view
    qtbot.wait(50)
    regions = _Regions()
    view.viewport().installEventFilter(regions)
    painted.clear()

    window.doc.undo_stack.push(commands.SetValue(window.doc, "x", 0.52))
    qtbot.waitUntil(lambda: bool(regions.regions), timeout=5000)
    qtbot.wait(50)
    view.viewport().removeEventFilter(regions)

    label = scene.edges[("x", "s", 0)].display.lines
    assert f"{math.cos(0.52):.4f}" in " ".join(text for text, _ in label)  # it did change
    changed_cards = [scene.nodes[n] for n in ("x", "s", "out")]
    assert all(card in painted for card in changed_cards)
    assert scene.nodes["y"] not in painted and scene.nodes["c"] not in painted
    # what was repainted: the changed cards and the changed label, not the curve's box
    allowed = QRegion()
    for rect in [c.sceneBoundingRect() for c in changed_cards] + \
            [scene.edges[("x", "s", 0)].label_scene_rect()]:
        allowed = allowed.united(view.mapFromScene(rect).boundingRect().adjusted(-3, -3, 3, 3))
    for region in regions.regions:
        assert region.subtracted(allowed).isEmpty(), (region, allowed)


def test_curve_pieces_follow_the_curve_and_runs_pick_what_shows():
    import doctest

    from graphapp.gui.canvas import curve_pieces
    from graphapp.gui.canvas.label_places import curve_point

    assert doctest.testmod(curve_pieces).failed == 0
    p0, p3 = (10.0, 20.0), (400.0, 3000.0)  # a long curve down a column
    parts = curve_pieces.pieces(p0, p3)
    n = len(parts)
    assert 10 < n <= curve_pieces.MAX_PIECES
    assert parts[0][0] == p0 and parts[-1][-1] == p3
    assert all(a[-1] == b[0] for a, b in itertools.pairwise(parts))
    # piece i at its own parameter s is the whole curve at t = (i + s) / n (de Casteljau
    # against the cubic's Bernstein form)
    for i in (0, n // 3, n - 1):
        for s in (0.25, 0.5, 0.9):
            (a, b, c, d), u = parts[i], 1 - s
            got = [u**3 * a[k] + 3 * u * u * s * b[k] + 3 * u * s * s * c[k] + s**3 * d[k]
                   for k in (0, 1)]
            want = curve_point(p0, p3, (i + s) / n)
            assert math.dist(got, want) < 1e-6
    # a window half-way down: one run, around t = 1/2, leaving out both ends
    mid = curve_point(p0, p3, 0.5)
    (first, end), = curve_pieces.runs(curve_pieces.boxes(parts),
                                      (mid[0] - 50, mid[1] - 50, mid[0] + 50, mid[1] + 50))
    assert 0 < first <= n // 2 < end < n


@settings(max_examples=200, deadline=None)
@given(st.tuples(st.floats(-3000, 3000), st.floats(-5000, 5000)),
       st.tuples(st.floats(-3000, 3000), st.floats(-5000, 5000)),
       st.lists(st.tuples(st.floats(-3500, 3500), st.floats(-5500, 5500),
                          st.floats(0, 800), st.floats(0, 800)), min_size=1, max_size=3))
def test_runs_by_bisection_pick_the_pieces_a_plain_scan_picks(p0, p3, rects):
    from graphapp.gui.canvas import curve_pieces

    parts = curve_pieces.pieces(p0, p3)
    box = curve_pieces.boxes(parts)
    assert box.monotone  # the canvas's curves rise or fall: bisection applies
    rects = [(x, y, x + w, y + h) for x, y, w, h in rects]
    # the oracle: every piece's control points' box tested against every rectangle
    hits = [any(min(p[0] for p in c) <= r and max(p[0] for p in c) >= left
                and min(p[1] for p in c) <= b and max(p[1] for p in c) >= t
                for left, t, r, b in rects) for c in parts]
    want = [i for i, hit in enumerate(hits) if hit]
    got = [i for first, end in curve_pieces.runs(box, *rects) for i in range(first, end)]
    assert got == want
