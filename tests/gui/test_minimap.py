"""The minimap never hides a card at a fit (issue 9, seen in the real window: with View ▸ Lab ▸
Partial vs Total open on the ellipsoid, the minimap sat on V's card). Checked here by plain
geometry: each card's and label's rectangle on screen against the minimap's, for every example
at its opening fit and with each lab dock open."""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest

from graphapp.formats import GraphFile
from graphapp.formats.io import load_graph, save_graph
from graphapp.generate import random_scalar_graph
from tests.conftest import EXAMPLES
from tests.gui.conftest import wait_layout

DOCKS = ("lab-nudge", "lab-check", "lab-partial", "lab-trace", "lab-formulas", "lab-plot",
         "lab-quiz")


def _settle(window, qtbot) -> None:
    """Wait until the canvas has its final size and the view has fitted again."""
    view, last = window.view, None
    for _ in range(100):
        qtbot.wait(20)
        size = view.viewport().size()
        if size == last and not view._refit.isActive():
            return
        last = size


def _on_screen(window) -> tuple[QRect | None, dict[str, QRect]]:
    """The minimap's rectangle on the canvas (None when hidden) and each card's and label's."""
    view = window.view
    viewport = view.viewport()
    minimap = None
    if view.minimap.isVisible():
        corner = viewport.mapFromGlobal(view.minimap.mapToGlobal(QPoint(0, 0)))
        minimap = QRect(corner, view.minimap.size())
    shown = {}
    for name, item in window.scene.nodes.items():
        if item.isVisible():
            shown[name] = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    for key, edge in window.scene.edges.items():
        label = edge.label_scene_rect()
        if edge.isVisible() and not label.isEmpty():
            shown[f"label {key}"] = view.mapFromScene(label).boundingRect()
    return minimap, shown


def _check(window, where: str) -> None:
    minimap, shown = _on_screen(window)
    canvas = window.view.viewport().rect()
    cut = [n for n, r in shown.items() if not n.startswith("label") and not canvas.contains(r)]
    if minimap is None:
        assert cut == [], f"{where}: cards off screen and no minimap: {cut}"
        return
    assert cut, f"{where}: the whole graph is in sight, yet the minimap shows"
    assert canvas.contains(minimap), where
    under = [n for n, r in shown.items() if r.intersects(minimap)]
    assert under == [], f"{where}: the minimap covers {under}"


@pytest.mark.parametrize("name", [p.name for p in sorted(EXAMPLES.glob("*.expr"))])
def test_the_minimap_covers_no_card_at_the_opening_fit_with_any_lab_dock(window, qtbot, name):
    path = EXAMPLES / name
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    _settle(window, qtbot)
    _check(window, f"{name} opened")
    for dock_name in DOCKS:
        dock = window.lab_docks[dock_name]
        dock.toggleViewAction().trigger()  # View ▸ Lab ▸ …, as the user opens it
        _settle(window, qtbot)
        _check(window, f"{name} with {dock_name} {'open' if dock.isVisible() else 'closed'}")
        dock.toggleViewAction().trigger()
        _settle(window, qtbot)
        _check(window, f"{name} after {dock_name} toggled back")


def test_opening_a_dock_on_the_ellipsoid_keeps_the_whole_graph_in_sight(window, qtbot):
    """The defect as seen: Partial vs Total took the canvas's bottom and the minimap sat on V.
    Now the view fits again; at 9 px text the graph is a little taller than what is left, so
    the minimap shows, clear of every card, V's included."""
    path = EXAMPLES / "09_ellipsoid.expr"
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    _settle(window, qtbot)
    window.lab_docks["lab-partial"].toggleViewAction().trigger()
    _settle(window, qtbot)
    minimap, shown = _on_screen(window)
    canvas = window.view.viewport().rect()
    assert canvas.contains(shown["V"])  # the output's card whole on screen
    assert minimap is None or not minimap.intersects(shown["V"])
    _check(window, "ellipsoid with Partial vs Total")


def test_a_view_the_user_zoomed_stays_put_when_a_dock_opens(window, qtbot):
    path = EXAMPLES / "09_ellipsoid.expr"
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    _settle(window, qtbot)
    window.act_zoom_in.trigger()
    zoom = window.view.zoom
    corner = window.view.mapToScene(QPoint(0, 0))
    window.lab_docks["lab-partial"].toggleViewAction().trigger()
    _settle(window, qtbot)
    assert window.view.zoom == zoom
    assert window.view.mapToScene(QPoint(0, 0)) == corner
    window.act_fit.trigger()  # Fit Graph: fitted again, and so through the next resize
    dock_zoom = window.view.zoom
    window.lab_docks["lab-partial"].toggleViewAction().trigger()
    _settle(window, qtbot)
    assert window.view.zoom >= dock_zoom  # more room: the same zoom or closer
    _check(window, "ellipsoid after Fit Graph and closing the dock")


def test_on_a_big_graph_the_minimap_shows_and_moves_the_view(window, qtbot, tmp_path):
    graph, out, _ = random_scalar_graph(400, seed=3)
    path = tmp_path / "big.graph.json"
    save_graph(GraphFile(graph, out, ""), path)
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    _settle(window, qtbot)
    view = window.view
    minimap = view.minimap
    assert minimap.isVisible()  # most of the graph is off screen
    # the minimap shows the graph (with a 40-unit margin) letterboxed: its centre is the
    # graph's centre; a click there centres the view on it
    QTest.mouseClick(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     minimap.rect().center())
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    middle = window.scene.graph_rect().center()
    scale = min(minimap.width() / (window.scene.graph_rect().width() + 80),
                minimap.height() / (window.scene.graph_rect().height() + 80))
    tolerance = 2 / scale  # two minimap pixels
    assert abs(visible.center().x() - middle.x()) < tolerance
    assert abs(visible.center().y() - middle.y()) < tolerance
    # the user moved the view: a resize keeps it there rather than fit again
    corner = view.mapToScene(QPoint(0, 0))
    window.resize(1300, 850)
    _settle(window, qtbot)
    assert view.mapToScene(QPoint(0, 0)) == corner
    assert minimap.isVisible()


def test_the_placement_doctests_run():
    """The window's modules are left out of the architecture test's doctest run (Qt)."""
    result = doctest.testmod(importlib.import_module("graphapp.gui.canvas.minimap_place"))
    assert result.attempted >= 8 and result.failed == 0


_RECTS = st.lists(st.tuples(st.floats(-500, 500), st.floats(-500, 500), st.floats(5, 200),
                            st.floats(5, 120)).map(lambda r: (r[0], r[1], r[0] + r[2],
                                                               r[1] + r[3])), max_size=90)


@settings(max_examples=200, deadline=None)
@given(_RECTS, _RECTS, st.floats(0.2, 2.0), st.tuples(st.floats(-300, 300),
                                                      st.floats(-300, 300)))
def test_the_minimap_finds_the_same_place_with_python_lists_and_with_numpy(cards, labels, zoom,
                                                                           centre):
    """A small graph's placement is searched on Python lists (no numpy for the first frame),
    a big one's with numpy: both must choose the same place, and it covers no card when it
    says it does not."""
    place = importlib.import_module("graphapp.gui.canvas.minimap_place")
    xs = [c[0] for c in cards] + [c[2] for c in cards] or [0.0]
    ys = [c[1] for c in cards] + [c[3] for c in cards] or [0.0]
    bounds = (min(xs), min(ys), max(xs), max(ys))
    args = (bounds, cards, labels, (900.0, 600.0), zoom, (200.0, 140.0), centre)
    small, big = place.SMALL, place.SMALL
    try:
        place.SMALL = 10**9  # every search on Python lists
        small = place.place(*args)
        place.SMALL = -1  # every search with numpy
        big = place.place(*args)
    finally:
        place.SMALL = 64
    assert small == big
    box = place._scene_box(small, (900.0, 600.0), zoom, (200.0, 140.0))
    clear = not any(c[0] < box[2] and c[2] > box[0] and c[1] < box[3] and c[3] > box[1]
                    for c in cards)
    shows_all = cards and all(
        small.centre[0] - 450 / zoom <= c[0] and c[2] <= small.centre[0] + 450 / zoom
        and small.centre[1] - 300 / zoom <= c[1] and c[3] <= small.centre[1] + 300 / zoom
        for c in cards)
    fallback = small == place.Placement(small.centre, place.CORNERS[0])
    assert clear or shows_all or fallback
