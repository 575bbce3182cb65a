"""A value edit redraws only what it changed (issue 13), and what it leaves alone is still right.

After a value edit the canvas builds the displays of just the cards and edges whose numbers
moved (gui/canvas/changes.py) and repaints just the rows of the cards that changed, without
painting the curves under an opaque card's body. These tests check the outcome against
independent oracles: the engine's numbers on a copy of the graph, formatted here by hand; a
second window opened on the same file (which builds every display from scratch); and the
pixels of a full repaint of the canvas.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from graphapp.formats import GraphFile, parse_expr
from graphapp.generate import random_scalar_graph
from graphapp.gui import commands
from graphapp.gui.files import Recovery
from graphapp.gui.main_window import MainWindow
from tests.gui.conftest import wait_layout


def _by_hand(v: float) -> str:
    """A scalar as a card writes it: 5 significant digits, typographic minus, no −0."""
    text = f"{v:.5g}".replace("-", "−")
    return "0" if text == "−0" else text


def _fresh(qtbot, tmp_path, window: MainWindow) -> MainWindow:
    """A second window opened on a copy of ``window``'s graph: every display built anew."""
    settings = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    other = MainWindow(settings, Recovery(tmp_path / "fresh-recovery"), ask=False)
    qtbot.addWidget(other)
    gf = window.doc.to_file()
    other.load(GraphFile(gf.graph.copy(), gf.output), None)
    other.scene.flush()
    return other


def _check(window: MainWindow, fresh: MainWindow) -> None:
    """Every card and edge of ``window`` shows what ``fresh`` shows, and the values and
    gradients of the engine run on a copy of the graph, formatted by hand."""
    window.scene.flush()  # the slices off screen, without a full refresh
    scene, other = window.scene, fresh.scene
    g = window.doc.graph.copy()
    plan = g.plan()
    fwd = plan.forward(g)
    back = plan.backward(fwd, window.doc.output)
    wrong = [n for n, item in scene.nodes.items() if item.display != other.nodes[n].display]
    assert not wrong, [(n, scene.nodes[n].display.rows, other.nodes[n].display.rows)
                       for n in wrong[:3]]
    wrong_edges = [k for k, item in scene.edges.items()
                   if item.display != other.edges[k].display]
    assert not wrong_edges, wrong_edges[:5]
    for node, item in scene.nodes.items():
        rows = item.display.rows
        assert rows[0][1] == _by_hand(fwd.values[node]), node
        if not g.op(node).constant:
            assert rows[-1][1] == _by_hand(back.grads[node]), node


def test_after_value_edits_every_item_shows_what_a_fresh_window_shows(window, qtbot,
                                                                       tmp_path):
    # 200 nodes and ~300 edges: big enough that cards off screen follow in slices
    graph, output, _ = random_scalar_graph(200, seed=0, n_inputs=20)
    window.load(GraphFile(graph, output), None)
    wait_layout(window, qtbot)
    scene, doc = window.scene, window.doc
    scene.flush()
    assert len(scene.nodes) + len(scene.edges) > 300
    back = doc.results.backward
    reaching = [x for x in graph.inputs_nodes() if back.reaches(x)]
    assert len(reaching) >= 3
    for k, node in enumerate(reaching[:3]):  # gradients and edge widths change too
        doc.undo_stack.push(commands.SetValue(doc, node, 0.3 * k - 0.45))
        doc.results  # noqa: B018 (recompute now; the scene redraws what changed)
        qtbot.wait(5)  # the first slices may run, or not
        _check(window, _fresh(qtbot, tmp_path, window))
    # two edits before any slice runs: what the first left waiting is still drawn
    doc.undo_stack.push(commands.SetValue(doc, reaching[0], 0.9))
    doc.results  # noqa: B018
    doc.undo_stack.push(commands.SetValue(doc, reaching[1], -0.7))
    doc.results  # noqa: B018
    _check(window, _fresh(qtbot, tmp_path, window))
    doc.undo_stack.undo()
    doc.results  # noqa: B018
    _check(window, _fresh(qtbot, tmp_path, window))
    # a label is a name change: the card's title changes with no number changing
    graph.update_attrs(reaching[2], label="w")
    qtbot.waitUntil(lambda: scene.nodes[reaching[2]].display.name == "w", timeout=5000)
    doc.undo_stack.push(commands.SetValue(doc, reaching[2], 0.123))
    doc.results  # noqa: B018
    _check(window, _fresh(qtbot, tmp_path, window))


def test_editing_a_constant_renames_the_cards_that_show_it(window, qtbot):
    # the unnamed product is titled by what it computes, with the constant's value in it;
    # x = 0 keeps its numbers (value 0, gradient 1) as they were: only its title changes
    window.load(parse_expr("x = 0\nout = 3 * x + 1\n"), None)
    wait_layout(window, qtbot)
    scene, doc = window.scene, window.doc
    scene.flush()
    assert scene.nodes["mul#1"].display.name == "3·x"
    doc.undo_stack.push(commands.SetValue(doc, "const#1", 4.0))
    doc.results  # noqa: B018
    scene.flush()
    assert scene.nodes["mul#1"].display.name == "4·x"
    assert [r[1] for r in scene.nodes["mul#1"].display.rows] == ["0", "1"]
    assert scene.nodes["x"].display.rows[-1][1] == "4"  # dout/dx = c


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    bits = np.frombuffer(image.constBits(), dtype=np.uint8)
    return bits.reshape(image.height(), image.bytesPerLine())[:, :image.width() * 4] \
        .reshape(image.height(), image.width(), 4).astype(int)


@pytest.mark.parametrize("edited", ["d", "e"])
def test_a_value_edit_repaints_the_same_pixels_as_a_full_repaint(window, qtbot, edited):
    # a long curve a → c runs under two cards: d's (faded: d does not reach the output, the
    # curve shows through it) and e's (opaque, hiding it). Editing either repaints a row of
    # its card; what is on screen must then be what a full repaint draws.
    doc = parse_expr("a = 0.5\nb = 1.5\nd = 0.25\ne = 0.75\nc = sin(a)\nf = tanh(d)\n"
                     "out = c + b * e\n")
    places = {"a": (0, 0), "b": (0, 900), "c": (700, 820), "d": (270, 380), "e": (330, 470),
              "f": (600, 300)}
    for node in doc.graph:
        doc.graph.update_attrs(node, pos=list(places.get(node, (900, 600))))
    window.load(doc, None)
    wait_layout(window, qtbot)
    scene, view = window.scene, window.view
    view.resetTransform()
    view.centerOn(scene.nodes[edited])
    scene.flush()
    assert scene.nodes["d"].display.dimmed and not scene.nodes["e"].display.dimmed
    curve = scene.edges[("a", "c", 0)]
    assert scene.nodes[edited].sceneBoundingRect().intersects(curve.path_rect())
    viewport = view.viewport()
    corner = viewport.mapTo(window, viewport.rect().topLeft())

    def on_screen() -> np.ndarray:  # the window's backing store: what the repaints left
        return _pixels(QApplication.primaryScreen().grabWindow(
            window.winId(), corner.x(), corner.y(), viewport.width(), viewport.height())
            .toImage())

    qtbot.wait(50)
    painted = []
    view.repainted.connect(lambda: painted.append(1))

    window.doc.undo_stack.push(commands.SetValue(window.doc, edited, 0.6))
    window.doc.results  # noqa: B018
    qtbot.waitUntil(lambda: bool(painted), timeout=5000)
    after_edit = on_screen()
    viewport.repaint()
    full = on_screen()

    assert scene.nodes[edited].display.rows[0][1] == "0.6"
    # antialiased edges of a partly repainted area may differ by a level or two, no more
    assert after_edit.shape == full.shape == (viewport.height(), viewport.width(), 4)
    assert np.abs(after_edit - full).max() <= 8
