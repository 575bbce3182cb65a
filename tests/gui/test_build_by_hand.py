"""Build the micrograd L-graph the way a learner does: palette clicks, port drags, typing
values; then check every gradient the cards show."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from tests.gui.conftest import drag, shown_grad


def palette_click(window, qtbot, op: str) -> str:
    tree = window.palette.tree
    item = next(i for i, spec in window.palette._items if spec.name == op)
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    before = set(window.doc.graph)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    added = set(window.doc.graph) - before
    assert len(added) == 1, f"clicking {op} added {added}"
    return added.pop()


def place(window, node: str, x: float, y: float) -> None:
    item = window.scene.nodes[node]
    drag(window, item.mapToScene(QPointF(40, 10)), QPointF(x + 40, y + 10))
    assert item.pos() == QPointF(x, y)


def connect(window, src: str, dst: str, slot: int) -> None:
    a = window.scene.nodes[src].output_pos()
    b = window.scene.nodes[dst].input_pos(slot)
    drag(window, a, b)
    assert (src, dst, slot) in window.doc.graph.edges(), f"{src} → {dst}[{slot}] not made"


def set_value(window, qtbot, node: str, text: str) -> None:
    window.select([node])
    edit = window.inspector.value_edit
    edit.clear()
    qtbot.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert float(window.doc.graph.value(node)) == float(text)


def rename(window, qtbot, node: str, new: str) -> None:
    window.select([node])
    edit = window.inspector.name_edit
    edit.selectAll()
    qtbot.keyClicks(edit, new)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert new in window.doc.graph


def test_build_micrograd_l_graph_by_hand(window, qtbot):
    layout = {"a": (0, 0), "b": (0, 130), "c": (260, 170), "f": (520, 200), "e": (260, 40),
              "d": (520, 60), "L": (780, 100)}
    ops = {"a": "input", "b": "input", "c": "input", "f": "input", "e": "mul", "d": "add",
           "L": "mul"}
    values = {"a": "2", "b": "-3", "c": "10", "f": "-2"}
    for name in ["a", "b", "c", "f", "e", "d", "L"]:
        node = palette_click(window, qtbot, ops[name])
        place(window, node, *layout[name])
        if node != name:
            rename(window, qtbot, node, name)
    window.view.fit()
    for name, text in values.items():
        set_value(window, qtbot, name, text)
    connect(window, "a", "e", 0)
    connect(window, "b", "e", 1)
    connect(window, "e", "d", 0)
    connect(window, "c", "d", 1)
    connect(window, "d", "L", 0)
    connect(window, "f", "L", 1)
    window.select(["L"])
    qtbot.mouseClick(window.inspector.output_button, Qt.MouseButton.LeftButton)
    assert window.doc.output == "L"
    qtbot.wait(20)
    expected = {"a": "6", "b": "−4", "c": "−2", "f": "4", "e": "−2", "d": "−2", "L": "1"}
    assert {n: shown_grad(window, n) for n in expected} == expected
    label = window.scene.edges[("a", "e", 0)].display.lines
    assert [text for text, _ in label] == ["local −3", "grad 6"]
    assert window.isWindowModified() and window.windowTitle().startswith("Untitled[*]")


def test_a_drop_that_would_make_a_cycle_is_refused(micrograd, qtbot):
    window = micrograd
    before = sorted(window.doc.graph.edges())
    drag(window, window.scene.nodes["L"].output_pos(), window.scene.nodes["a"].input_pos(0)
         if window.scene.nodes["a"].inputs else window.scene.nodes["e"].input_pos(0))
    assert sorted(window.doc.graph.edges()) == before
    assert "Cannot connect" in window.statusBar().currentMessage()


def test_dropping_on_a_filled_slot_is_refused_and_dragging_a_fed_input_moves_its_edge(
        micrograd, qtbot):
    window = micrograd
    g = window.doc.graph
    drag(window, window.scene.nodes["c"].output_pos(), window.scene.nodes["e"].input_pos(0))
    # dragging from e's filled input a picks up a → e; dropping it on L's slot b refuses
    # (filled) and leaves everything as it was
    assert ("a", "e", 0) in g.edges()
    drag(window, window.scene.nodes["e"].input_pos(0), QPointF(-400, -400))
    assert ("a", "e", 0) not in g.edges()  # dropped on empty canvas: cut
    window.doc.undo_stack.undo()
    assert ("a", "e", 0) in g.edges()
