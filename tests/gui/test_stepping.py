"""Step mode: the backward pass one node at a time, with the edges of the current node
highlighted and labelled local × upstream = contribution; the forward pass likewise."""

from __future__ import annotations

from tests.gui.conftest import shown, shown_grad


def current_edges(window):
    return sorted(k for k, e in window.scene.edges.items() if e.display.step == "current")


def test_backward_steps_highlight_the_current_node_and_its_edges(micrograd, qtbot):
    window = micrograd
    window.pass_choice.setCurrentText("backward")
    window.act_step_mode.trigger()
    state = window.stepper.state
    assert state.active and state.index == 0 and state.total == 7  # constants get no step
    assert shown_grad(window, "a") == "?"  # nothing has arrived yet
    window.act_step.trigger()  # L: dL/dL = 1, sends to d and f
    assert window.scene.nodes["L"].display.step == "current"
    assert current_edges(window) == [("d", "L", 0), ("f", "L", 1)]
    lines = window.scene.edges[("d", "L", 0)].display.lines
    assert lines[0][0] == "−2 × 1 = −2"
    assert "d = what its one edge" not in window.inspector.step_text.toPlainText()
    assert "Backward, step 1 of 7" in window.inspector.step_text.toPlainText()
    window.act_step.trigger()  # d
    window.act_step.trigger()  # e: sends 6 to a and -4 to b
    assert current_edges(window) == [("a", "e", 0), ("b", "e", 1)]
    assert [t for t, _ in window.scene.edges[("a", "e", 0)].display.lines] == ["−3 × −2 = 6"]
    text = window.inspector.step_text.toPlainText()
    assert "∂(a·b)/∂a = b = −3, so dL/da += −3 × −2 = 6" in text
    assert window.scene.edges[("d", "L", 0)].display.step == "done"
    assert shown_grad(window, "a") == "6 (1/1)"  # arrived, not yet a's own step
    window.act_step_back.trigger()
    assert current_edges(window) == [("c", "d", 1), ("e", "d", 0)]
    window.act_restart.trigger()
    assert window.stepper.state.index == 0 and current_edges(window) == []
    window.act_step_mode.trigger()  # leave
    assert not window.stepper.state.active and shown_grad(window, "a") == "6"


def test_where_paths_meet_the_running_sum_is_shown(window, qtbot):
    window.expression_bar.edit.setText("y = x + x**2")
    assert window.expression_bar.apply()
    window.select(["x"])
    window.inspector.value_edit.setText("3")
    window.inspector._typed_value()
    window.pass_choice.setCurrentText("backward")
    window.act_step_mode.trigger()
    window.act_step.trigger()  # y sends 1 to x and 1 to pow
    partial = shown_grad(window, "x")
    assert partial == "1 (1/2)"
    window.act_step.trigger()  # pow sends 6 to x
    assert shown_grad(window, "x") == "7 (2/2)"
    text = window.inspector.step_text.toPlainText()
    assert "running sum at x: 7 (2 of 2 paths)" in text
    window.act_step_mode.trigger()
    window.select(["x"])
    details = window.inspector.details.toPlainText()
    assert "2 paths meet" in details and "= 6 + 1 = 7" in details


def test_forward_steps_reveal_values_in_order(micrograd, qtbot):
    window = micrograd
    window.pass_choice.setCurrentText("forward")
    window.act_step_mode.trigger()
    assert shown(window, "e")["value"] == "?"
    for _ in range(5):  # a, b, c, f, then e
        window.act_step.trigger()
    assert window.stepper.state.current.node == "e"
    assert shown(window, "e")["value"] == "−6"
    assert shown(window, "L")["value"] == "?"
    assert "e = mul(a = 2, b = −3) = −6" in window.inspector.step_text.toPlainText()


def test_play_runs_to_the_end_and_stops(micrograd, qtbot):
    window = micrograd
    window.act_step_mode.trigger()
    window.stepper.set_speed(50)
    window.act_play.trigger()
    assert window.stepper.playing
    qtbot.waitUntil(lambda: not window.stepper.playing, timeout=5000)
    assert window.stepper.state.index == window.stepper.state.total == 7


def test_constants_have_no_backward_step(window, qtbot):
    window.expression_bar.edit.setText("y = x + x**2")
    assert window.expression_bar.apply()
    window.act_step_mode.trigger()
    nodes = [step.node for step in window.stepper.steps()]
    assert nodes == ["y", nodes[1], "x"] and nodes[1].startswith("pow#")
