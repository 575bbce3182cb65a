"""Edge labels never overlap each other or cards (issue 9, item 4): the placement pass on its
own (plain rectangles), and every example as it opens in the window at the default zoom. The
overlap tests here are rectangle arithmetic written out by hand, not the code's own."""

from __future__ import annotations

import random

import pytest

from graphapp.gui import commands
from graphapp.gui.canvas.label_places import curve_point, label_rect, place
from graphapp.gui.canvas.node_item import PORT_RADIUS
from tests.conftest import EXAMPLES
from tests.gui.test_window_defects import open_example


def apart(a, b) -> bool:
    """True when rectangles (left, top, right, bottom) share no area."""
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


# ----------------------------------------------------------------- the pass on its own
def test_curve_point_is_the_cubic_with_horizontal_ends():
    # by hand: p0 = (0, 0), p3 = (100, 60), controls (50, 0) and (50, 60);
    # at t = 1/4: x = 3·(3/4)²·(1/4)·50 + 3·(3/4)·(1/4)²·50 + (1/4)³·100
    #               = 21.09375 + 7.03125 + 1.5625 = 29.6875
    #             y = 3·(3/4)·(1/4)²·60 + (1/4)³·60 = 9.375
    assert curve_point((0, 0), (100, 60), 0.25) == pytest.approx((29.6875, 9.375))
    assert curve_point((0, 0), (100, 60), 0.0) == (0, 0)
    assert curve_point((0, 0), (100, 60), 1.0) == pytest.approx((100, 60))


def test_parallel_edges_get_labels_that_do_not_stack():
    # the fan-out example: two edges a → b side by side, labels "local 1 / grad 1"
    cards = [(0, 0, 178, 74), (258, 0, 436, 74)]
    edges = [((173, 47), (263, 40), (52, 32)), ((173, 47), (263, 54), (52, 32))]
    spots = place(cards, edges)
    rects = [label_rect(p0, p3, size, s) for (p0, p3, size), s in zip(edges, spots, strict=True)]
    assert apart(*rects)
    assert all(apart(r, c) for r in rects for c in cards)


def test_a_label_that_grows_moves_alone_and_one_that_still_fits_stays():
    from graphapp.gui.canvas.label_places import Placement, Spot

    cards = [(0, 0, 178, 74), (378, 0, 556, 74)]
    edges = {"a": ((173, 30), (383, 30), (60, 32)), "b": ((173, 44), (383, 44), (60, 32))}
    placed = Placement(cards, edges)
    a, b = placed.spots["a"], placed.spots["b"]
    assert a == Spot(0.5, 0) and b is not None and b != a
    # a little wider, still clear where it is: it stays (labels do not jump on value edits)
    assert placed.update("a", ((173, 30), (383, 30), (64, 32))) == a
    # b grows into a: it moves, a does not
    grown = ((173, 44), (383, 44), (150, 32))
    spot = placed.update("b", grown)
    rect_a = label_rect(*edges["a"][:2], (64, 32), a)
    assert spot is not None and apart(label_rect(*grown[:2], grown[2], spot), rect_a)
    assert placed.spots["a"] == a
    # a label that goes (width 0) frees its room
    assert placed.update("a", ((173, 30), (383, 30), (0, 0))) is None and "a" not in placed.spots


def test_a_label_with_no_room_is_left_out_not_stacked():
    cards = [(0, 0, 100, 60), (140, 0, 240, 60)]  # 40 px between the cards
    assert place(cards, [((100, 30), (140, 30), (80, 30))]) == [None]


def test_random_scenes_never_get_overlapping_labels():
    rng = random.Random(7)
    for _ in range(40):
        cards = []
        for col in range(4):
            for row in range(3):
                if rng.random() < 0.7:
                    x, y = col * 300 + rng.uniform(0, 30), row * 130 + rng.uniform(0, 30)
                    cards.append((x, y, x + 168, y + 74))
        edges = []
        for _ in range(12):
            a, b = rng.sample(cards, 2)
            if a[0] > b[0]:
                a, b = b, a
            edges.append(((a[2], (a[1] + a[3]) / 2), (b[0], (b[1] + b[3]) / 2),
                          (rng.uniform(40, 120), 32.0)))
        spots = place(cards, edges)
        rects = [label_rect(p0, p3, size, s) for (p0, p3, size), s in zip(edges, spots, strict=True)
                 if s is not None]
        for i, r in enumerate(rects):
            assert all(apart(r, c) for c in cards)
            assert all(apart(r, o) for o in rects[i + 1:])
        # the label sits on its own curve (centred on it, or just beside it)
        for (p0, p3, size), s in zip(edges, spots, strict=True):
            if s is not None:
                x, y = curve_point(p0, p3, s.t)
                left, top, right, bottom = label_rect(p0, p3, size, s)
                assert left < x < right
                assert top - size[1] - 8 < y < bottom + size[1] + 8


# ----------------------------------------------------------------- in the window
def card_rects(window):
    """Each visible card's body with its ports (a circle sticking out left and right)."""
    return {n: (i.pos().x() - PORT_RADIUS, i.pos().y(), i.pos().x() + i.width + PORT_RADIUS,
                i.pos().y() + i.height)
            for n, i in window.scene.nodes.items() if i.isVisible()}


def label_rects(window):
    """Each drawn label's rectangle in the scene."""
    found = {}
    for key, edge in window.scene.edges.items():
        rect = edge.label_scene_rect()
        if edge.isVisible() and not rect.isNull():
            found[key] = rect.getCoords()
    return found


def overlaps(window) -> list:
    cards, labels = card_rects(window), label_rects(window)
    keys = list(labels)
    bad = [(k, n) for k in keys for n, c in cards.items() if not apart(labels[k], c)]
    bad += [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]
            if not apart(labels[a], labels[b])]
    return bad


def labelled_edges(window) -> list:
    """Edges that have something to say (a local derivative and gradient)."""
    return [k for k, e in window.scene.edges.items() if e.isVisible() and e.display.lines]


@pytest.mark.parametrize("name", [p.name for p in sorted(EXAMPLES.glob("*.expr"))])
def test_every_example_opens_with_labels_clear_of_cards_and_each_other(window, qtbot, name):
    open_example(window, qtbot, name)
    qtbot.wait(20)
    window.scene.flush()
    assert overlaps(window) == []
    # ... and every label is shown (none left out for want of room)
    assert sorted(label_rects(window)) == sorted(labelled_edges(window))


def test_product_rule_labels_a_to_a_c2_apart_from_b(window, qtbot):
    """The defect as reported: a → a·c²'s label sat under b's."""
    open_example(window, qtbot, "03_two_products.expr")
    qtbot.wait(20)
    window.scene.flush()
    g = window.doc.graph
    fed_by_c2 = {dst for src, dst, _ in g.edges() if g.op(src).name == "pow"}
    a_c2 = next(k for k in g.edges() if k[0] == "a" and k[1] in fed_by_c2)
    b_ab = next(k for k in g.edges() if k[0] == "b")
    rects = label_rects(window)
    assert apart(rects[a_c2], rects[b_ab])


def test_labels_are_placed_again_after_a_card_moves(window, qtbot):
    open_example(window, qtbot, "08_fan_out.expr")
    qtbot.wait(20)
    window.scene.flush()
    g = window.doc.graph
    x, y = g.attrs("b")["pos"]
    window.doc.undo_stack.push(commands.MoveNodes(window.doc, {"b": ([x, y], [x - 40, y])}))
    qtbot.wait(20)
    window.scene.flush()
    assert overlaps(window) == []


def test_a_value_edit_that_keeps_label_sizes_does_not_place_labels_again(window, qtbot,
                                                                         monkeypatch):
    """Placement runs when cards move or labels change size, not on every value edit (a
    1,000-node graph edits its values often)."""
    open_example(window, qtbot, "03_two_products.expr")
    qtbot.wait(20)
    window.scene.flush()
    calls = []
    real = window.scene.place_labels.__func__
    monkeypatch.setattr(type(window.scene), "place_labels",
                        lambda self: (calls.append(1), real(self)))
    a_ab = window.scene.edges[next(k for k in window.doc.graph.edges()
                                   if k[0] == "a" and k[1] == "mul#1")]
    assert [t for t, _ in a_ab.display.lines] == ["local −3", "grad −3"]
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", -4.0))
    window.doc.results  # noqa: B018
    qtbot.wait(20)
    assert [t for t, _ in a_ab.display.lines] == ["local −4", "grad −4"]  # same width
    assert calls == []
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", -40000.0))  # wider
    window.doc.results  # noqa: B018
    qtbot.wait(20)
    assert calls
    assert overlaps(window) == []


@pytest.mark.parametrize("module", ["graphapp.gui.canvas.label_places", "graphapp.gui.layout"])
def test_the_placement_and_layout_doctests_run(module):
    """The window's modules are left out of the architecture test's doctest run (Qt)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize("name", [p.name for p in sorted(EXAMPLES.glob("*.expr"))])
def test_every_examples_edges_stay_in_the_opening_view(window, qtbot, name):
    """Seen in the real window: in a layout folded into bands, an edge from the end of one
    band to the start of the next looped wide of the graph, out of the view."""
    from tests.gui.test_window_defects import visible_rect

    open_example(window, qtbot, name)
    qtbot.wait(50)
    left, top, right, bottom = visible_rect(window).getCoords()
    outside = []
    for key, edge in window.scene.edges.items():
        x0, y0, x1, y1 = edge.mapRectToScene(edge.path_rect()).getCoords()
        if edge.isVisible() and not (left <= x0 and x1 <= right and top <= y0 and y1 <= bottom):
            outside.append(key)
    assert outside == []
