"""Every kind of edit can be undone and redone, and a drag is one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from graphapp.gui import commands
from graphapp.gui.edits import add_node, apply_statement, copy_nodes, paste_nodes
from tests.gui.conftest import drag, snapshot


def _edits():
    def add(w):
        add_node(w.doc, "tanh", QPointF(0, 400))

    def delete(w):
        w.select(["e", "c"])
        w.scene.delete_selection()

    def connect(w):
        w.doc.undo_stack.push(commands.Disconnect(w.doc, "c", "d", 1))
        w.scene.connect_nodes("a", "d", 1)

    def set_value(w):
        w.doc.undo_stack.push(commands.SetValue(w.doc, "a", 5.0))

    def move(w):
        item = w.scene.nodes["a"]
        drag(w, item.mapToScene(QPointF(40, 10)), item.mapToScene(QPointF(140, 70)))

    def rename(w):
        w.doc.undo_stack.push(commands.Rename(w.doc, "d", "dee"))

    def output(w):
        w.doc.undo_stack.push(commands.SetOutput(w.doc, "e"))

    def group(w):
        w.doc.undo_stack.push(commands.SetGroup(w.doc, ["a", "b", "e"], "prod",
                                                {"collapsed": True}))

    def fold(w):
        group(w)
        w.doc.undo_stack.push(commands.SetGroupInfo(w.doc, "prod", collapsed=False))

    def paste(w):
        paste_nodes(w.doc, copy_nodes(w.doc, ["a", "b", "e"]), QPointF(0, 300))

    def statement(w):
        assert apply_statement(w.doc, "d = e * c + a", QPointF(0, 0)) == ""

    def new_statement(w):
        assert apply_statement(w.doc, "M = L * q + 1", QPointF(0, 0)) == ""

    def set_op(w):
        w.doc.undo_stack.push(commands.SetOp(w.doc, "d", "sub"))

    return [add, delete, connect, set_value, move, rename, output, group, fold, paste,
            statement, new_statement, set_op]


def _grads(window) -> dict[str, str]:
    """Every node's gradient, exactly (repr keeps every digit, nan and array shapes)."""
    return {n: repr(window.doc.results.grad(n)) for n in window.doc.graph}


@pytest.mark.parametrize("edit", _edits(), ids=lambda f: f.__name__)
def test_undo_then_redo(micrograd, edit):
    window = micrograd
    stack = window.doc.undo_stack
    before = snapshot(window)
    start = stack.index()
    edit(window)
    after = snapshot(window)
    assert after != before
    grads_after = _grads(window)
    while stack.index() > start:
        stack.undo()
    assert snapshot(window) == before
    assert float(window.doc.results.grad("a")) == 6.0
    while stack.canRedo():
        stack.redo()
    assert snapshot(window) == after
    assert _grads(window) == grads_after  # the same gradients, not only the same nodes
    # the scene follows the model both ways
    assert set(window.scene.nodes) == set(window.doc.graph)
    assert set(window.scene.edges) == set(window.doc.graph.edges())


def test_a_slider_drag_is_one_undo_step_and_updates_live(micrograd, qtbot):
    window = micrograd
    window.select(["a"])
    slider = window.inspector.slider
    stack = window.doc.undo_stack
    start = stack.index()
    window.inspector._slider_pressed()
    seen = []
    for position in (600, 700, 800):
        slider.setValue(position)
        seen.append(float(window.doc.results.value("L")))
    nudge = window.scene._nudge_item.text()
    window.inspector._slider_released()
    assert stack.index() == start + 1  # merged
    assert len(set(seen)) == 3  # gradients and values followed the drag
    a = window.doc.graph.value("a")
    assert float(a) == pytest.approx(2.0 + 2.0 * 0.6)  # range 0..4 at 1000 steps
    # dL/da = 6 predicts ΔL = 6·Δa; L is linear in a here, so prediction = actual
    assert "predicted ΔL ≈ dL/da · Δa = 7.2" in nudge and "actual ΔL = 7.2" in nudge
    stack.undo()
    assert float(window.doc.graph.value("a")) == 2.0
    assert window.scene._nudge_item is None


def test_dragging_several_nodes_is_one_undo_step(micrograd):
    window = micrograd
    window.select(["a", "b"])
    before = {n: window.scene.nodes[n].pos() for n in ("a", "b")}
    item = window.scene.nodes["a"]
    drag(window, item.mapToScene(QPointF(40, 10)), item.mapToScene(QPointF(100, 60)))
    assert all(window.scene.nodes[n].pos() != before[n] for n in before)
    window.doc.undo_stack.undo()
    assert {n: window.scene.nodes[n].pos() for n in before} == before
