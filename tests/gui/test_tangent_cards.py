"""Partial vs total on the canvas (issue 12): while the Partial vs Total dock has an input x
picked, every card shows its total derivative d node/dx and the edge that carries the partial
∂V/∂x says so; picking none or closing the dock takes those lines away; a quiz withholds them.

Oracle, the ellipsoid of seed 000 worked by hand: V = 4/3·π·t·x·y with t = x, at x = 2,
y = 3. Holding t fixed, ∂V/∂x = 4/3·π·t·y = 4/3·π·2·3 = 8π ≈ 25.13 (what the edge from x into
the product carries); following x through t too, dV/dx = 4/3·π·(t·y + x·y) = 16π ≈ 50.27;
dt/dx = 1 (t = x), dy/dx = 0, d(4/3·π·t)/dx = 4/3·π ≈ 4.1888.
"""

from __future__ import annotations

import math

from graphapp.engine import backward
from graphapp.formats.io import load_graph
from graphapp.formats.present import edge_look
from graphapp.formats.quiz import Quiz
from graphapp.gui.canvas.display import edge_display, node_display
from graphapp.gui.canvas.node_item import HEADER, ROW
from graphapp.gui.stepper import StepState
from graphapp.gui.theme import current_theme
from tests.conftest import EXAMPLES
from tests.gui.conftest import wait_layout
from tests.gui.test_edge_labels import overlaps

ELLIPSOID = EXAMPLES / "09_ellipsoid.expr"
#: The edge from x into the product 4/3·π·t·x (its id, as the .expr reader names it).
PRODUCT = "mul#3"


def _rows(display) -> dict[str, str]:
    return {key: text for key, text, _ in display.rows}


def test_card_display_data_gives_the_hand_derived_totals_and_the_edge_the_partial():
    doc = load_graph(ELLIPSOID)
    g = doc.graph
    back = backward(g, "V")
    fwd = back.forward
    tans = fwd.plan.tangents(fwd, "x").values
    assert tans["V"] == _approx(16 * math.pi) and tans["t"] == 1.0  # by hand, above
    theme, state = current_theme(), StepState()
    picked = ("x", tans, frozenset())

    def card(node):
        return _rows(node_display(g, node, "V", fwd, back, False, state, theme, (), picked))

    assert card("V")["dV/dx"] == "16π ≈ 50.27"
    assert card("t")["dt/dx"] == "1"
    assert card("y")["dy/dx"] == "0"
    assert card(PRODUCT)["d/dx"] == "16.755"  # 16π/3: 4/3·π·(t + x)
    assert "dV/dx" not in _rows(node_display(g, "V", "V", fwd, back, False, state, theme))
    edge = edge_display(g, ("x", PRODUCT, 1), back, 1.0, state, theme, (), "∂V/∂x")
    assert edge.lines[1][0] == "∂V/∂x 8π ≈ 25.13"
    look = edge_look(g, ("x", PRODUCT, 1), fwd, back, 1.0, partial_key="∂V/∂x")
    assert look.carried == _approx(8 * math.pi)  # the number behind the label, by hand


def _approx(v: float):
    import pytest

    return pytest.approx(v, rel=1e-9)


def _open(window, qtbot):
    window.load(load_graph(ELLIPSOID), ELLIPSOID)
    wait_layout(window, qtbot)
    dock = window.lab_docks["lab-partial"]
    dock.show()
    view = dock.widget()
    qtbot.waitUntil(lambda: view.chooser.count() > 0)  # the dock has read the inputs
    return dock, view


def _card(window, node: str) -> dict[str, str]:
    window.scene.flush()
    return _rows(window.scene.nodes[node].display)


def test_picking_x_in_the_dock_puts_d_node_dx_on_every_card(window, qtbot):
    window.load(load_graph(ELLIPSOID), ELLIPSOID)
    wait_layout(window, qtbot)
    window.scene.flush()
    before = {n: i.display.rows for n, i in window.scene.nodes.items()}
    window.scene.graph_rect()  # measured before the cards grow
    dock, view = _open(window, qtbot)
    view.choose("x")
    qtbot.waitUntil(lambda: "dV/dx" in _card(window, "V"))
    assert _card(window, "V")["dV/dx"] == "16π ≈ 50.27"
    assert _card(window, "t")["dt/dx"] == "1"
    assert _card(window, "x")["dx/dx"] == "1"
    assert _card(window, "y")["dy/dx"] == "0"
    for item in window.scene.nodes.values():  # value, gradient, d/dx; a constant's value
        assert len(item.display.rows) == (1 if item.display.constant else 3)
    lines = [text for text, _ in window.scene.edges[("x", PRODUCT, 1)].display.lines]
    assert "∂V/∂x 8π ≈ 25.13" in lines
    assert "∂V/∂x" not in " ".join(t for t, _ in window.scene.edges[("x", "t", 0)].display.lines)
    # the cards grew a row: the labels were placed again, clear of every card and each other
    assert window.scene.nodes["V"].height == HEADER + 3 * ROW + 6
    assert overlaps(window) == []
    bounds = window.scene.graph_rect()  # what Fit Graph fits: the grown cards whole
    assert all(bounds.contains(i.sceneBoundingRect()) for i in window.scene.nodes.values())

    view.chooser.setCurrentText(view.NO_INPUT)  # unpicked
    qtbot.waitUntil(lambda: "dV/dx" not in _card(window, "V"))
    assert {n: i.display.rows for n, i in window.scene.nodes.items()} == before
    assert "∂V/∂x 8π ≈ 25.13" not in [
        t for t, _ in window.scene.edges[("x", PRODUCT, 1)].display.lines]

    view.choose("y")  # dV/dy = 4/3·π·t·x = 16π/3 ≈ 16.755, dt/dy = 0
    qtbot.waitUntil(lambda: "dV/dy" in _card(window, "V"))
    assert _card(window, "V")["dV/dy"] == "16.755"
    assert _card(window, "t")["dt/dy"] == "0"

    qtbot.wait(30)  # no refresh of the dock pending: closing it alone must do it
    dock.close()  # closing the dock takes the lines away too
    qtbot.waitUntil(lambda: "dV/dy" not in _card(window, "V"))


def test_the_cards_follow_a_value_edit(window, qtbot):
    from graphapp.gui import commands

    _, view = _open(window, qtbot)
    view.choose("x")
    window.doc.undo_stack.push(commands.SetValue(window.doc, "y", 1.5))
    # dV/dx = 8/3·π·x·y = 8/3·π·2·1.5 = 8π at y = 1.5 (the lesson's second prompt)
    qtbot.waitUntil(lambda: _card(window, "V").get("dV/dx") == "8π ≈ 25.13")


def test_a_quiz_on_x_gradient_withholds_the_totals(window, qtbot):
    _, view = _open(window, qtbot)
    view.choose("x")
    qtbot.waitUntil(lambda: "dV/dx" in _card(window, "V"))
    window.doc.set_quiz(Quiz("gradients", ("x",)))  # dV/dx is the question
    qtbot.waitUntil(lambda: _card(window, "V")["dV/dx"] == "?")
    assert _card(window, "t")["dt/dx"] == "?"
    window.doc.set_quiz(Quiz("gradients", ("y",)))  # y is not on a path from x
    qtbot.waitUntil(lambda: _card(window, "V")["dV/dx"] == "16π ≈ 50.27")
    # t is on a path from x, but dV/dx is x's own gradient (on x's card): it stays
    window.doc.set_quiz(Quiz("gradients", ("t",)))
    qtbot.waitUntil(lambda: _card(window, "t")["dV/dt"] == "?")
    assert _card(window, "V")["dV/dx"] == "16π ≈ 50.27"
    window.doc.set_quiz(None)
