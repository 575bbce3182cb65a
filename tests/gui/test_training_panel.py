"""The training panel driven as a learner drives it: buttons, hovers, clicks on the data plot.

Oracles are independent of the panel and of the engine's reverse mode: step counts from the
data set's size, SGD's update rule, a forward pass written here in numpy, central finite
differences of the loss, the loss of the first weights on the original points, TensorBoard's
smoothing loop written out, He's rule drawn with numpy, and an early stop's epoch derived by
hand.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

from graphapp.gui.training.display import fmt
from graphapp.gui.training.panel import TrainingPanel
from graphapp.gui.training.session import Setup
from graphapp.train import MLP, ModelConfig, TrainConfig, make_dataset

WAIT = 30_000


def small_setup(**training) -> Setup:
    data = make_dataset("gauss", points=60, test_share=0.25, seed=3)
    config = {"optimizer": "sgd", "lr": 0.1, "batch": 10, "seed": 1} | training
    return Setup(data, ModelConfig(hidden=(3, 2)), TrainConfig(**config))


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel(small_setup())
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.snapshot is not None, timeout=WAIT)
    yield p
    p.close()


def wait_snapshot(qtbot, panel, ok) -> None:
    qtbot.waitUntil(lambda: panel.snapshot is not None and ok(panel.snapshot), timeout=WAIT)


def central_difference(shown, param: str, offset: int, eps: float = 1e-6) -> float:
    """dL/d(param's element ``offset``) of the shown sample's loss by central differences."""
    model, flat, x, y = shown
    k = model.layout[param][0].start + offset
    plus, minus = np.array(flat), np.array(flat)
    plus[k] += eps
    minus[k] -= eps
    xs, ys = np.asarray(x).reshape(1, -1), np.asarray([y])
    return (model.evaluate(plus, xs, ys)[0] - model.evaluate(minus, xs, ys)[0]) / (2 * eps)


def test_step_buttons_count_what_they_say(panel, qtbot):
    n_train = len(panel.data.x_train)
    assert n_train == 45
    per_epoch = math.ceil(45 / 10)
    assert panel.batch_button.text() == "Step 1 batch (10 samples)"
    assert panel.epoch_button.text() == f"Step 1 epoch ({per_epoch} batches)"
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 1)
    assert panel.snapshot.epoch == 0
    assert len(panel.snapshot.indices) == 10
    qtbot.mouseClick(panel.epoch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.epoch == 1)
    assert panel.snapshot.steps == per_epoch  # the rest of the first epoch
    assert panel.counter.text() == f"Epoch 1 · step {per_epoch}"
    qtbot.mouseClick(panel.sample_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == per_epoch + 1)
    assert len(panel.snapshot.indices) == 1


def test_play_pause_and_reset(panel, qtbot):
    first = np.array(panel.snapshot.params.flat)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.play_button.text() == "❚❚ Pause"
    wait_snapshot(qtbot, panel, lambda s: s.steps > 20)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: not s.playing)
    paused_at = panel.snapshot.steps
    qtbot.wait(300)
    assert panel.snapshot.steps == paused_at
    assert not np.array_equal(panel.snapshot.params.flat, first)
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 0)
    assert panel.snapshot.epoch == 0
    np.testing.assert_array_equal(panel.snapshot.params.flat, first)


def test_changing_the_learning_rate_does_not_reset(panel, qtbot):
    for _ in range(3):
        qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 3)
    before = np.array(panel.snapshot.params.flat)
    panel.controls.lr.setCurrentText("0.3")
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 4)
    snap = panel.snapshot
    assert snap.lr == 0.3
    # plain SGD: the step moved every parameter by −lr · gradient, from where it was
    np.testing.assert_allclose(snap.params.flat - before, -0.3 * snap.grads.flat, atol=1e-12)


def _forward(model: MLP, flat: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
    """Each layer's output for one point, in plain numpy (tanh hidden layers)."""
    h = x
    outs = [h]
    n_layers = len(model.sizes) - 1
    for layer in range(1, n_layers + 1):
        z = h @ model.view(flat, f"W{layer}") + model.view(flat, f"b{layer}")
        h = np.tanh(z) if layer < n_layers else z
        outs.append(h)
    return outs


def test_step_one_sample_runs_forward_then_backward(panel, qtbot):
    before = np.array(panel.snapshot.params.flat)
    panel.diagram.lit_log.clear()
    qtbot.mouseClick(panel.sample_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.event == "sample")
    qtbot.waitUntil(lambda: not panel.diagram.animating, timeout=WAIT)
    n_layers = len(panel.model.sizes) - 1  # 3 weight layers: 2-3-2-1
    assert panel.diagram.lit_log == [("forward", c) for c in range(n_layers + 1)] + \
        [("backward", layer) for layer in range(n_layers, 0, -1)]
    sample = panel.snapshot.sample
    expected = _forward(panel.model, before, sample.x[None, :])
    for shown, want in zip(sample.values, expected, strict=True):
        np.testing.assert_allclose(shown, want[0], rtol=1e-12)
    # the diagram shows the sample's output value once the forward front has passed
    assert panel.diagram.data.sample is sample.values


def test_the_loss_box_shows_the_first_weights_loss_before_any_step(panel, qtbot):
    # a new run: before its first step the loss box shows the loss of the current weights on
    # every training point, ½·mean((tanh(z) − t)²) with t = ±1, from a forward pass in numpy
    snap = panel.snapshot
    assert snap.steps == 0
    qtbot.waitUntil(lambda: panel.diagram.data is not None, timeout=WAIT)
    d = panel.data
    z = _forward(panel.model, np.array(snap.params.flat), d.x_train)[-1][:, 0]
    want = 0.5 * np.mean((np.tanh(z) - (2 * d.y_train - 1)) ** 2)
    assert panel.diagram.data.loss == pytest.approx(want, rel=1e-12)
    panel.reset()  # a reset too: no "L –" until its first step
    wait_snapshot(qtbot, panel, lambda s: s.steps == 0)
    qtbot.waitUntil(lambda: panel.diagram.data is not None, timeout=WAIT)
    assert panel.diagram.data.loss == pytest.approx(want, rel=1e-12)


def test_hovered_weight_shows_the_engine_gradient(panel, qtbot):
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 1 and s.maps is not None)
    snap = panel.snapshot
    qtbot.waitUntil(lambda: panel.diagram.data is not None and
                    panel.diagram.data.grads is not None, timeout=WAIT)
    text = panel.diagram.hover_at(panel.diagram.weight_position(2, 1, 0))
    assert text.startswith("W2[1, 0] = ")
    w = float(snap.params["W2"][1, 0])
    assert f"= {fmt(w)}" in text
    # dL/dw by central differences of the batch loss at the parameters before the step
    model = panel.model
    flat = np.array(snap.params.flat - snap.update.flat)
    rows = snap.indices
    x, y = panel.data.x_train[rows], panel.data.y_train[rows]
    k = model.layout["W2"][0].start + 1 * 2 + 0
    eps = 1e-6
    plus, minus = flat.copy(), flat.copy()
    plus[k] += eps
    minus[k] -= eps
    numeric = (model.evaluate(plus, x, y)[0] - model.evaluate(minus, x, y)[0]) / (2 * eps)
    shown = float(text.split("dL/dw = ")[1].split()[0].replace("−", "-"))
    assert shown == pytest.approx(numeric, rel=1e-3, abs=1e-9)
    assert f"last update {fmt(float(snap.update['W2'][1, 0]))}" in text
    with qtbot.waitSignal(panel.weight_clicked) as clicked:
        pos = panel.diagram.weight_position(2, 1, 0)
        QTest.mouseClick(panel.diagram, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, QPoint(round(pos.x()),
                                                                round(pos.y())))
    assert clicked.args == ["W2", 1, 0]


def _plot_click(panel, x: float, y: float, button) -> None:
    plot = panel.data_plot
    vb = plot.getPlotItem().vb
    scene_pos = vb.mapViewToScene(QPointF(x, y))
    where = plot.mapFromScene(scene_pos)
    QTest.mouseClick(plot.viewport(), button, Qt.KeyboardModifier.NoModifier, where)


def test_clicking_the_data_plot_adds_and_removes_points(panel, qtbot):
    n = len(panel.data.x_train)
    panel.controls.click_class.setCurrentIndex(1)
    _plot_click(panel, 0.5, -0.5, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.data.x_train) == n + 1, timeout=WAIT)
    added = panel.data.x_train[-1]
    assert added == pytest.approx([0.5, -0.5], abs=0.1)
    assert panel.data.y_train[-1] == 1.0
    wait_snapshot(qtbot, panel, lambda s: s.maps is not None)
    _plot_click(panel, 0.52, -0.48, Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: len(panel.data.x_train) == n, timeout=WAIT)
    assert not any(np.allclose(p, added) for p in panel.data.x_train)


def test_a_diverging_learning_rate_stops_with_the_message(qtbot):
    data = make_dataset("plane", points=100, seed=0)
    p = TrainingPanel(Setup(data, ModelConfig(hidden=(4, 2), activation="relu"),
                            TrainConfig(lr=30.0, batch=10)))
    qtbot.addWidget(p)
    p.show()
    qtbot.mouseClick(p.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.banner.isVisible(), timeout=WAIT)
    text = p.banner.text()
    assert "diverged" in text and "smaller learning rate" in text and "e.g. 3" in text
    assert p.snapshot.diverged.parameter in text
    assert not p.play_button.isChecked()
    steps = p.snapshot.steps
    qtbot.wait(200)
    assert p.snapshot.steps == steps
    p.close()


def test_screenshot_is_a_picture_of_the_panel(tmp_path):
    from graphapp.gui.training.window import screenshot

    out = tmp_path / "panel.png"
    assert screenshot(small_setup(), 3, out, (1200, 800)) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    colours = {image.pixel(x, y) for x in range(0, 1200, 7) for y in range(0, 800, 7)}
    assert len(colours) > 200  # maps, curves and text, not a blank window


def test_save_and_open_model(panel, qtbot, tmp_path):
    qtbot.mouseClick(panel.epoch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.epoch == 1)
    saved = np.array(panel.snapshot.params.flat)
    path = tmp_path / "m.json"
    assert panel.save_model(str(path))
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 0)
    assert panel.open_model(str(path))
    wait_snapshot(qtbot, panel, lambda s: s.epoch == 1)
    np.testing.assert_array_equal(panel.snapshot.params.flat, saved)
    assert not panel.open_model(str(tmp_path / "missing.json"))
    assert "missing.json" in panel.banner.text()


def test_export_writes_pictures(panel, qtbot, tmp_path):
    written = panel.export(str(tmp_path / "t.png")) + panel.export(str(tmp_path / "t.svg"))
    names = sorted(p.rsplit("/", 1)[1] for p in written)
    assert names == sorted(f"t-{n}.{ext}" for n in ("diagram", "data", "loss", "accuracy",
                                                    "gradients") for ext in ("png", "svg"))
    assert all((tmp_path / n).stat().st_size > 1000 for n in names)


def test_the_exported_diagram_shows_the_network_without_its_buttons(panel, qtbot, tmp_path):
    # the +/− buttons over the hidden layers are controls: where they sit on screen the
    # exported picture (twice the size) is the diagram's white background
    buttons = [b for b in panel.diagram.findChildren(QToolButton) if b.isVisible()]
    assert len(buttons) == 4  # two hidden layers
    written = panel.export(str(tmp_path / "t.png"))
    image = QImage(next(w for w in written if w.endswith("-diagram.png")))
    assert image.width() == 2 * panel.diagram.width()
    for b in buttons:
        g = b.geometry()
        colours = {image.pixel(x, y) for x in range(2 * g.left(), 2 * g.right() + 1)
                   for y in range(2 * g.top(), 2 * g.bottom() + 1)}
        assert colours == {0xFFFFFFFF}, b.text()


def test_run_menu_opens_the_panel(window, qtbot):
    window.act_training.trigger()
    panel = window.findChild(TrainingPanel)
    assert panel is not None and panel.isVisible()
    qtbot.waitUntil(lambda: panel.snapshot is not None, timeout=WAIT)
    window.close()
    assert panel.session is None


def test_clicking_a_weight_opens_its_path_sum(panel, qtbot):
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 1 and s.maps is not None)
    qtbot.waitUntil(lambda: panel.diagram.data is not None, timeout=WAIT)
    pos = panel.diagram.weight_position(1, 0, 2)
    QTest.mouseClick(panel.diagram, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(pos.x()), round(pos.y())))
    detail = panel.weight_detail
    assert detail is not None and detail.isVisible()
    paths = detail.current()
    assert paths is not None and paths.param == "W1" and paths.index == (0, 2)
    # the path sum is dL/dw of the shown sample's loss: check it by central differences
    numeric = central_difference(detail.shown_sample(), "W1", 0 * 3 + 2)
    assert paths.total == pytest.approx(numeric, rel=1e-4, abs=1e-9)
    # the largest paths light up on the diagram, each through the clicked weight
    assert ("W1", 0, 2) in panel.diagram._highlight
    detail.close()


def test_the_weight_window_follows_training_steps(panel, qtbot):
    # after another step the open window shows dL/dw at the new parameters, for the new
    # step's sample: checked by central differences of the loss, not by the panel's numbers
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 1)
    panel.show_weight("W1", 0, 1)
    detail = panel.weight_detail
    before = np.array(detail.shown_sample()[1])
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 2)
    qtbot.waitUntil(lambda: not np.array_equal(detail.shown_sample()[1], before), timeout=WAIT)
    np.testing.assert_array_equal(detail.shown_sample()[1], np.array(panel.snapshot.params.flat))
    numeric = central_difference(detail.shown_sample(), "W1", 0 * 3 + 1)
    paths = detail.current()
    assert paths.param == "W1" and paths.index == (0, 1)
    assert paths.total == pytest.approx(numeric, rel=1e-4, abs=1e-9)
    detail.close()


def test_added_points_keep_the_curves(panel, qtbot):
    # the curves before the click stay: the first loss is the untrained network's loss on the
    # original points, computed here from the first weights
    first = np.array(panel.snapshot.params.flat)
    x0, y0 = panel.data.x_train.copy(), panel.data.y_train.copy()
    for _ in range(3):
        qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 3)
    qtbot.waitUntil(lambda: len(panel.loss_plot._data["train"][0]) == 4, timeout=WAIT)
    panel.controls.click_class.setCurrentIndex(0)
    _plot_click(panel, -0.5, 0.5, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.data.x_train) == len(x0) + 1, timeout=WAIT)
    wait_snapshot(qtbot, panel, lambda s: len(s.history.epochs) == 5)
    xs, ys = panel.loss_plot._data["train"]
    assert ys[0] == pytest.approx(panel.model.evaluate(first, x0, y0)[0], rel=1e-12)
    assert list(xs[:4]) == pytest.approx([0, 1 / 5, 2 / 5, 3 / 5])  # 45 points: 5 batches
    # then the run goes on from the same weights: the new point's loss on the new data
    now = np.array(panel.snapshot.params.flat)
    assert panel.snapshot.steps == 3
    assert ys[-1] == pytest.approx(panel.model.evaluate(now, panel.data.x_train,
                                                        panel.data.y_train)[0], rel=1e-12)
    # a reset starts the curves again
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 0 and len(s.history.epochs) == 1)


def _tensorboard_smoothing(values, weight):
    """TensorBoard's scalar smoothing, written out as its dashboard does it."""
    last, out = 0.0, []
    for n, v in enumerate(values, start=1):
        last = last * weight + (1 - weight) * v
        out.append(last / (1 - weight ** n))
    return np.array(out)


def test_gradient_curves_are_smoothed_over_the_raw_values(panel, qtbot):
    qtbot.mouseClick(panel.epoch_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.epoch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.epoch == 2)
    qtbot.waitUntil(lambda: len(panel.grad_plot._data["W1"][0]) == 10, timeout=WAIT)
    panel.smoothing.setValue(60)
    steps, raw = panel.grad_plot._data["W2"]
    # the raw values are each step's ‖dL/dW2‖ (the step's gradient, from the snapshots)
    assert raw[-1] == pytest.approx(float(np.linalg.norm(panel.snapshot.grads["W2"])))
    shown = panel.grad_plot.curves["W2"].getData()[1]
    np.testing.assert_allclose(10 ** shown, _tensorboard_smoothing(raw, 0.6), rtol=1e-9)
    np.testing.assert_allclose(10 ** panel.grad_plot.raw["W2"].getData()[1], raw, rtol=1e-9)
    assert "smoothed" in panel.grad_plot.readout_at(float(steps[3]))
    panel.smoothing.setValue(0)  # raw values only
    np.testing.assert_allclose(10 ** panel.grad_plot.curves["W2"].getData()[1], raw, rtol=1e-9)
    assert not panel.grad_plot.raw["W2"].isVisible()


def test_patience_stops_play_and_says_why(qtbot):
    # a learning rate so small that no epoch improves the test loss by 1e-4: the first epoch
    # sets the best loss, the next two do not improve it, so Play stops at epoch 3
    p = TrainingPanel(replace(small_setup(lr=1e-5, batch=45), patience=2))
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.snapshot is not None, timeout=WAIT)
    assert p.controls.patience.value() == 2
    qtbot.mouseClick(p.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.banner.isVisible(), timeout=WAIT)
    assert p.snapshot.epoch == 3 and not p.snapshot.playing
    assert not p.play_button.isChecked()
    assert "not improved for 2 epochs" in p.banner.text()
    qtbot.wait(200)
    assert p.snapshot.epoch == 3
    p.close()


def test_first_weights_rule_and_slope_survive_a_reset(qtbot):
    setup = small_setup()
    config = ModelConfig(hidden=(3, 2), activation="sigmoid", slope=2.5, init="he")
    p = TrainingPanel(replace(setup, model=config))
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.snapshot is not None, timeout=WAIT)
    qtbot.mouseClick(p.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 1)
    qtbot.mouseClick(p.reset_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 0)
    assert p.setup.model.init == "he" and p.setup.model.slope == 2.5
    # He's rule: weights N(0, 2/fan_in) from the seed, biases 0 (drawn here with numpy)
    rng = np.random.default_rng(setup.training.seed)
    flat = np.array(p.snapshot.params.flat)
    for layer, (n_in, n_out) in enumerate([(2, 3), (3, 2), (2, 1)], start=1):
        w = p.model.view(flat, f"W{layer}")
        np.testing.assert_allclose(w, rng.normal(0.0, np.sqrt(2 / n_in), (n_in, n_out)))
    p.close()


def test_train_gui_passes_the_patience_to_the_panel(monkeypatch):
    from graphapp import cli
    from graphapp.gui.training import window

    opened = []
    monkeypatch.setattr(window, "run_window", lambda setup, epochs=0: opened.append(
        (setup, epochs)) or 0)
    assert cli.main(["train", "--gui", "--dataset", "xor", "--patience", "7", "--init", "he",
                     "--epochs", "3"]) == 0
    setup, epochs = opened[0]
    assert setup.patience == 7 and setup.model.init == "he" and epochs == 3


def test_slow_play_draws_the_loss_after_every_step(panel, qtbot):
    # at 10 steps/s an epoch of 5 batches takes half a second: the curves must not wait for it
    panel.speed.setCurrentText("10 steps/s")
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps >= 3)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: not s.playing)
    snap = panel.snapshot
    qtbot.waitUntil(lambda: len(panel.loss_plot._data["train"][0]) == snap.steps + 1,
                    timeout=WAIT)
    xs, ys = panel.loss_plot._data["train"]
    assert list(xs) == pytest.approx([k / 5 for k in range(snap.steps + 1)])  # 45 points
    flat = np.array(snap.params.flat)
    assert ys[-1] == pytest.approx(panel.model.evaluate(flat, panel.data.x_train,
                                                        panel.data.y_train)[0], rel=1e-12)


def _batch_gradient(model: MLP, flat: np.ndarray, x: np.ndarray, y: np.ndarray,
                    eps: float = 1e-6) -> np.ndarray:
    """dL/dparameters of a batch's loss by central differences (no penalty in these setups)."""
    grad = np.empty_like(flat)
    for k in range(len(flat)):
        plus, minus = flat.copy(), flat.copy()
        plus[k] += eps
        minus[k] -= eps
        grad[k] = (model.evaluate(plus, x, y)[0] - model.evaluate(minus, x, y)[0]) / (2 * eps)
    return grad


def test_added_points_keep_the_optimisers_memory(qtbot):
    # momentum: v ← 0.9·v + g, p ← p − lr·v. The velocity before the click is −update/lr of
    # the last step; the first step after it must still carry 0.9 of it (a fresh optimiser
    # would move by −lr·g alone)
    lr = 0.1
    p = TrainingPanel(small_setup(optimizer="momentum", lr=lr))
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitUntil(lambda: p.snapshot is not None, timeout=WAIT)
    for _ in range(3):
        qtbot.mouseClick(p.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 3)
    velocity = -np.array(p.snapshot.update.flat) / lr
    n = len(p.data.x_train)
    p.controls.click_class.setCurrentIndex(1)
    _plot_click(p, 0.5, -0.5, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(p.data.x_train) == n + 1, timeout=WAIT)
    wait_snapshot(qtbot, p, lambda s: s.steps == 3)
    before = np.array(p.snapshot.params.flat)
    qtbot.mouseClick(p.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 4)
    snap = p.snapshot
    rows = snap.indices
    g = _batch_gradient(p.model, before, p.data.x_train[rows], p.data.y_train[rows])
    np.testing.assert_allclose(snap.update.flat, -lr * (0.9 * velocity + g), rtol=1e-5,
                               atol=1e-9)
    p.close()


def test_a_saved_model_resumes_exactly_where_it_stopped(qtbot, tmp_path):
    # Adam's running means and the epoch's shuffle are saved with the model: the step after
    # opening the file is the very step the run would have taken without saving
    p = TrainingPanel(small_setup(optimizer="adam", lr=0.05))
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.snapshot is not None, timeout=WAIT)
    for _ in range(3):  # mid-epoch: 45 points make 5 batches
        qtbot.mouseClick(p.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 3)
    path = tmp_path / "m.json"
    assert p.save_model(str(path))
    qtbot.mouseClick(p.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 4)
    going_on = np.array(p.snapshot.params.flat), np.array(p.snapshot.indices)
    qtbot.mouseClick(p.reset_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 0)
    assert p.open_model(str(path))
    wait_snapshot(qtbot, p, lambda s: s.steps == 3)
    qtbot.mouseClick(p.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.steps == 4)
    np.testing.assert_array_equal(p.snapshot.indices, going_on[1])
    np.testing.assert_array_equal(p.snapshot.params.flat, going_on[0])
    p.close()


def _deep_sigmoid_panel(qtbot, width: int = 1400) -> TrainingPanel:
    data = make_dataset("circles", points=120, test_share=0.25, seed=3)
    p = TrainingPanel(Setup(data, ModelConfig(hidden=(6, 6, 6, 6, 6), activation="sigmoid"),
                            TrainConfig(lr=0.03, batch=10, seed=0)))
    qtbot.addWidget(p)
    p.resize(width, 900)
    p.show()
    qtbot.waitExposed(p)
    wait_snapshot(qtbot, p, lambda s: s.maps is not None)
    qtbot.waitUntil(lambda: p.diagram.data is not None and
                    p.diagram.data.signal_tiles is not None, timeout=WAIT)
    return p


def test_backward_signal_squares_share_one_colour_scale(qtbot):
    # a deep sigmoid network: σ′ ≤ ¼ at every layer, so the signal reaching layer 1 is a small
    # fraction of the output's. On one colour scale its square must be that faint: the
    # colour at a layer-1 square's strongest cell is white moved towards the gradient colour
    # by 1 + log10(|signal| / the network's largest) / 3 (three decades; 0 below them),
    # derived here from the maps' numbers
    p = _deep_sigmoid_panel(qtbot)
    signals = p.snapshot.maps.signals
    top = max(float(np.abs(s).max()) for s in signals)
    assert float(np.abs(signals[0]).max()) < 0.1 * top
    levels = []
    for layer, sig in enumerate(signals):  # each layer's strongest cell
        j, iy, ix = np.unravel_index(np.argmax(np.abs(sig)), sig.shape)
        v = float(sig[j, iy, ix])
        tile = p.diagram.data.signal_tiles[layer][j]
        g = sig.shape[1]
        colour = tile.pixelColor(int(ix), g - 1 - int(iy))  # the picture's first row: the top
        target = (0x25, 0x63, 0xEB) if v > 0 else (0xDC, 0x26, 0x26)
        t = max(0.0, 1 + math.log10(abs(v) / top) / 3)
        levels.append(t)
        want = [255 + (c - 255) * t for c in target]
        got = [colour.red(), colour.green(), colour.blue()]
        assert got == pytest.approx(want, abs=2.5), layer
    assert levels[-1] == 1.0 and levels[0] < 0.7  # the output's square full, layer 1's faint
    assert "one log colour scale" in p.diagram.describe(("neuron", 1, 0))
    p.close()


def test_layer_headings_fit_between_columns(qtbot):
    from PySide6.QtGui import QFontMetricsF

    p = _deep_sigmoid_panel(qtbot, width=1100)
    heads = p.diagram.headings()
    assert len(heads) == 7
    metrics = QFontMetricsF(p.diagram._heading_font())
    for (a, _), (b, _) in itertools.pairwise(heads):
        assert a.right() <= b.left()
    for rect, title in heads:
        assert metrics.horizontalAdvance(title) <= rect.width()
    p.close()


def test_gradient_legend_stays_inside_the_plot_with_many_layers(qtbot):
    p = _deep_sigmoid_panel(qtbot)
    plot = p.grad_plot
    qtbot.waitUntil(lambda: len(plot.legend.items) == 6, timeout=WAIT)
    qtbot.wait(50)
    view = plot.getPlotItem().vb.sceneBoundingRect()
    legend = plot.legend.sceneBoundingRect()
    assert view.contains(legend), (view, legend)
    p.close()


def test_deep_networks_leave_room_for_their_weights(qtbot):
    # five hidden layers in the default window: between a neuron's signal square and the
    # next column's circle at least 30 px of edges stay visible (and clickable)
    p = _deep_sigmoid_panel(qtbot)
    d = p.diagram
    r = d._radius()
    assert r >= 3
    for c in range(1, len(d.data.sizes) - 1):
        assert d.neuron_position(c + 1, 0).x() - r - d._out_x(c) >= 30 - 1e-9
    pos = d.weight_position(3, 2, 4)
    assert d.hover_at(pos).startswith("W3[2, 4] = ")
    p.close()


def test_a_long_hover_line_does_not_squeeze_the_plots(panel, qtbot):
    # the read-out under the diagram is one line; a long one (a neuron's) must not widen the
    # diagram's column and push the data plot narrower (seen under Xvfb)
    qtbot.wait(50)
    width = panel.data_plot.width()
    text = panel.diagram.describe(("neuron", 1, 0)) + " " + "x" * 200
    panel.diagram.hovered.emit(text)
    qtbot.wait(100)
    assert panel.hover_line.text() == text
    assert panel.data_plot.width() == width


def test_a_huge_loss_fits_its_box(panel, qtbot):
    # a run about to diverge shows losses such as 1.27e+304: the number stays inside the box
    from PySide6.QtGui import QFontMetricsF

    d = panel.diagram
    for loss in (0.25, 1.27e304, -3.3e-300):
        text = fmt(loss, 3)
        width = QFontMetricsF(d.loss_font(text)).horizontalAdvance(text)
        assert width <= d._loss_rect().width() - 6


def test_a_gradient_that_vanishes_plunges_instead_of_stopping(panel, qtbot):
    # every ReLU off: ‖dL/dW‖ is exactly 0 from step 3 on. The curve must go on to the last
    # step (below the log axis), and hovering there must read 0
    plot = panel.grad_plot
    steps = np.arange(1.0, 7.0)
    norms = np.array([2.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    plot.set_curves(steps, {"W1": norms, "W2": norms * 3})
    bottom = plot.getPlotItem().vb.viewRange()[1][0]
    for curve in (plot.raw["W1"], plot.curves["W1"]):  # the raw trace, the smoothed one
        xs, ys = curve.getData()
        assert list(xs) == list(steps)
    xs, ys = plot.raw["W1"].getData()
    assert ys[0] == pytest.approx(np.log10(2.0))
    assert all(y < bottom for y in ys[2:])
    assert "W1: 0" in plot.readout_at(6.0)
    panel.smoothing.setValue(0)
    xs, ys = plot.curves["W1"].getData()
    assert list(xs) == list(steps) and all(y < bottom for y in ys[2:])


def test_svg_export_draws_the_data_points_as_vectors(panel, qtbot, tmp_path):
    # each point a vector symbol (an SVG path or ellipse), not a clipped copy of a cached
    # picture: count the drawing's elements against the data set's points
    import xml.etree.ElementTree as ET

    written = panel.export(str(tmp_path / "t.svg"))
    data_svg = next(w for w in written if w.endswith("t-data.svg"))
    tags = [e.tag.rsplit("}", 1)[-1] for e in ET.parse(data_svg).iter()]
    points = len(panel.data.x_train) + len(panel.data.x_test)
    assert tags.count("image") <= 2  # the decision boundary's map, at most
    assert tags.count("path") + tags.count("ellipse") >= points


def _param_count(sizes) -> int:
    """Weights and biases of a dense network with these layer sizes, by hand."""
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


def test_plus_and_minus_change_a_layer_and_the_network(panel, qtbot):
    assert panel.model.sizes == (2, 3, 2, 1)
    layer, minus, plus = panel.diagram._buttons[0]  # over hidden layer 1
    assert layer == 1
    qtbot.mouseClick(plus, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: len(s.params.flat) == _param_count((2, 4, 2, 1)))
    assert panel.model.sizes == (2, 4, 2, 1)
    qtbot.mouseClick(panel.more_layers, Qt.MouseButton.LeftButton)  # a copy of the last
    wait_snapshot(qtbot, panel, lambda s: len(s.params.flat) == _param_count((2, 4, 2, 2, 1)))
    assert panel.layers_text.text().startswith("3 hidden layers")
    assert f"{_param_count((2, 4, 2, 2, 1))} parameters" in panel.layers_text.text()
    layer, minus, plus = panel.diagram._buttons[1]
    qtbot.mouseClick(minus, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: len(s.params.flat) == _param_count((2, 4, 1, 2, 1)))
    qtbot.mouseClick(panel.fewer_layers, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: len(s.params.flat) == _param_count((2, 4, 1, 1)))
    assert panel.model.sizes == (2, 4, 1, 1)


def test_the_batch_path_sum_matches_a_finite_difference(panel, qtbot):
    # averaged over the batch: the path sum is dL/dw of the batch's mean loss
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 1)
    panel.show_weight("W2", 2, 1)
    detail = panel.weight_detail
    detail.batch_button.setChecked(True)
    paths = detail.current()
    rows = panel.snapshot.indices
    assert paths.samples == len(rows) == 10
    model, flat = panel.model, np.array(panel.snapshot.params.flat)
    g = _batch_gradient(model, flat, panel.data.x_train[rows], panel.data.y_train[rows])
    k = model.layout["W2"][0].start + 2 * 2 + 1
    assert paths.total == pytest.approx(g[k], rel=1e-5, abs=1e-10)
    assert sum(p.product for p in paths.paths) == pytest.approx(g[k], rel=1e-5, abs=1e-10)
    detail.close()


def test_a_loaded_csv_is_named_in_the_controls_and_regenerate_resplits_it(panel, qtbot,
                                                                          tmp_path):
    rows = [(x, y, int(x * y > 0)) for x in (-2.0, -1.0, 1.0, 2.0) for y in (-1.5, 0.5, 1.5)]
    rows += [(0.25, 0.25, 1), (-0.25, 0.25, 0), (0.3, -0.3, 0), (-0.4, -0.4, 1),
             (3.0, 3.0, 1), (-3.0, 3.0, 0), (3.0, -3.0, 0), (-3.0, -3.0, 1)]
    path = tmp_path / "mine.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    assert panel.load_csv(str(path))
    assert panel.controls.dataset.currentText() == "mine.csv (your file)"
    assert panel.controls.points.value() == 20
    assert len(panel.data.x_train) + len(panel.data.x_test) == 20
    before = {tuple(p) for p in panel.data.x_test}
    qtbot.mouseClick(panel.controls.regen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: {tuple(p) for p in panel.data.x_test} != before, timeout=WAIT)
    # the same 20 points of the file, split anew (the fixture's test share 0.25: 5)
    points = np.vstack([panel.data.x_train, panel.data.x_test])
    assert sorted(map(tuple, points)) == sorted((float(a), float(b)) for a, b, _ in rows)
    assert len(panel.data.x_test) == 5
    assert panel.controls.dataset.currentText() == "mine.csv (your file)"
    assert not panel.banner.isVisible()


def test_hovering_a_dead_or_saturated_unit_says_why_it_matters(qtbot):
    from graphapp.gui.training.diagram import DiagramData, NetworkDiagram

    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    sizes = (2, 3, 1)
    weights = (np.ones((2, 3)), np.ones((3, 1)))
    biases = (np.zeros(3), np.zeros(1))
    diagram.set_data(DiagramData(sizes, ("x1", "x2"), weights, biases,
                                 dead=(np.array([False, True, False]),),
                                 saturated=(np.array([False, False, True]),)))
    assert "is dead" in diagram.describe(("neuron", 1, 1))
    assert "no gradient passes" in diagram.describe(("neuron", 1, 1))
    assert "is saturated" in diagram.describe(("neuron", 1, 2))
    plain = diagram.describe(("neuron", 1, 0))
    assert "dead" not in plain and "saturated" not in plain


def test_changing_the_batch_size_does_not_reset(panel, qtbot):
    for _ in range(3):
        qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 3)
    before = np.array(panel.snapshot.params.flat)
    panel.controls.batch.setValue(5)
    assert panel.batch_button.text() == "Step 1 batch (5 samples)"
    assert panel.epoch_button.text() == "Step 1 epoch (9 batches)"  # 45 points / 5
    qtbot.mouseClick(panel.batch_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, panel, lambda s: s.steps == 4)
    snap = panel.snapshot
    rows = snap.indices
    assert len(rows) == 5 and snap.batch == 5
    # plain SGD from where it was: −lr · (the 5 rows' gradient by central differences)
    g = _batch_gradient(panel.model, before, panel.data.x_train[rows], panel.data.y_train[rows])
    np.testing.assert_allclose(snap.params.flat - before, -0.1 * g, rtol=1e-5, atol=1e-10)


def test_train_gui_load_resumes_the_saved_trainer(monkeypatch, tmp_path):
    # a model saved mid-training by the command line carries its optimiser's memory and the
    # epoch's shuffle; `train --load M --gui` hands them to the panel (not a fresh optimiser)
    import json

    from graphapp import cli
    from graphapp.gui.training import window

    path = tmp_path / "m.json"
    assert cli.main(["train", "--dataset", "xor", "--points", "60", "--optimizer", "adam",
                     "--epochs", "2", "--save", str(path)]) == 0
    state = json.loads(path.read_text())["state"]
    assert state["optimizer"] == "adam" and state["optimizer_state"]["t"] > 0
    opened = []
    monkeypatch.setattr(window, "run_window", lambda setup, epochs=0: opened.append(setup) or 0)
    assert cli.main(["train", "--gui", "--load", str(path)]) == 0
    assert opened[0].state == state


def test_long_runs_keep_their_curve_points_evenly_spread():
    # 20,000 steps arrive in snapshots of 37 rows; the curves keep at most MAX_ROWS points
    # and those must stay evenly spread over the run (thinning only the old ones left the
    # first thousands of steps as one straight line: seen under Xvfb)
    from graphapp.gui.training.session import MAX_ROWS, History, Mirror, Snapshot

    mirror = Mirror()
    last = None
    for start in range(1, 20_001, 37):
        steps = np.arange(start, min(start + 37, 20_001), dtype=float)
        k = len(steps)
        history = History(steps / 100, np.ones(k), np.ones(k), np.ones(k), np.ones(k), steps,
                          np.ones((k, 2)))
        snap = Snapshot(0, "play", 0, int(steps[-1]), 100, True, 0.1, 10, None, None, None,
                        None, None, None, history, None, None, None, 0.0)
        last = mirror.merge(1, snap)
    xs = last.history.grad_steps
    assert len(xs) <= MAX_ROWS + 1
    assert xs[0] == 1 and xs[-1] == 20_000  # from the first step to the current one
    gaps = np.diff(xs[:-1])
    assert gaps.max() == gaps.min()  # one stride everywhere (the current step added)
    assert 0 < xs[-1] - xs[-2] <= gaps[0]
    epochs = last.history.epochs
    assert np.ptp(np.diff(epochs[:-1])) < 1e-9 and epochs[-1] == 200.0


def test_sample_values_stay_clear_of_the_neurons_at_16_a_layer(qtbot):
    # "Step 1 sample" writes each neuron's value; at 16 neurons a layer the rows are too close
    # for a line of text above each circle. No value may cover a circle, a backward-signal
    # square or another value
    data = make_dataset("moons", points=60, test_share=0.25, seed=3)
    p = TrainingPanel(Setup(data, ModelConfig(hidden=(16, 16)), TrainConfig(batch=10, seed=0)))
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    wait_snapshot(qtbot, p, lambda s: s.maps is not None)
    qtbot.mouseClick(p.sample_button, Qt.MouseButton.LeftButton)
    wait_snapshot(qtbot, p, lambda s: s.event == "sample")
    d = p.diagram
    qtbot.waitUntil(lambda: d.data is not None and d.data.sample is not None, timeout=WAIT)
    r, t = d._radius(), d._tile_size()
    shapes = []  # every circle's and signal square's bounding box
    for c, n in enumerate(d.data.sizes):
        for j in range(n):
            o = d.neuron_position(c, j)
            shapes.append(QRectF(o.x() - r, o.y() - r, 2 * r, 2 * r))
            if c > 0:
                shapes.append(QRectF(o.x() + r + 3, o.y() - t / 2, t, t))
    boxes = [d.sample_value_box(c, j, fmt(float(d.data.sample[c][j]), 3))[0]
             for c, n in enumerate(d.data.sizes) for j in range(n)]
    assert len(boxes) == 2 + 16 + 16 + 1
    for box in boxes:
        assert box.height() >= 8  # a readable line
        assert not any(box.intersects(shape) for shape in shapes), box
        assert sum(box.intersects(other) for other in boxes) == 1, box  # itself only
    p.close()


def test_maps_computed_in_slices_show_one_set_of_weights():
    # while playing, the training process computes the maps a slice at a time between steps
    # (so its snapshots never pause for them); every slice must use the weights the maps
    # started from, though training moves them in between. Oracle: the boundary and a hidden
    # unit's map from the forward pass written here in numpy, at the starting weights
    from graphapp.gui.training.session import (
        BOUNDARY_GRID,
        NEURON_GRID,
        Worker,
        grid_points,
    )

    setup = small_setup()
    worker = Worker(setup)
    start = worker.trainer.flat.copy()
    slices = 0
    while True:
        slices += 1
        done = worker._advance_maps()
        worker.step_batch()  # the weights move between slices
        if done:
            break
    assert slices > 10 and worker.trainer.steps == slices
    assert not np.allclose(worker.trainer.flat, start)
    maps = worker._maps
    assert maps.steps == 0
    d = setup.data
    big = grid_points(d.extent, BOUNDARY_GRID)
    out = _forward(worker.model, start, big)[-1][:, 0]
    np.testing.assert_allclose(maps.boundary.ravel(), np.tanh(out), rtol=1e-9, atol=1e-12)
    small = grid_points(d.extent, NEURON_GRID)
    h1 = _forward(worker.model, start, small)[1]  # layer 1's outputs (tanh)
    np.testing.assert_allclose(maps.outputs[1], h1.T.reshape(-1, NEURON_GRID, NEURON_GRID),
                               rtol=1e-9, atol=1e-12)
    # and coloured: the boundary's cells from orange (−1) to blue (+1) as the scores say
    rgba = maps.pictures.boundary.reshape(-1, 4)
    most, least = int(np.argmax(out)), int(np.argmin(out))
    assert rgba[most, 2] > rgba[most, 0] and rgba[least, 0] > rgba[least, 2]


def test_dead_marks_stay_clear_of_the_neurons(qtbot):
    # a dead or saturated neuron's word goes below its circle only where the rows leave room
    # for it; at 16 neurons a layer (rows too close) the ring alone marks it. No word may
    # cover a circle or another word
    from dataclasses import replace as swap

    data = make_dataset("moons", points=60, test_share=0.25, seed=3)
    for hidden, room in (((16, 16), False), ((3, 2), True)):
        p = TrainingPanel(Setup(data, ModelConfig(hidden=hidden, activation="relu"),
                                TrainConfig(batch=10, seed=0)))
        qtbot.addWidget(p)
        p.resize(1400, 900)
        p.show()
        qtbot.waitExposed(p)
        wait_snapshot(qtbot, p, lambda s: s.maps is not None)
        d = p.diagram
        d.set_data(swap(d.data, dead=tuple(np.ones(n, bool) for n in hidden)))
        r = d._radius()
        circles = [QRectF(o.x() - r, o.y() - r, 2 * r, 2 * r)
                   for c, n in enumerate(d.data.sizes) for j in range(n)
                   for o in [d.neuron_position(c, j)]]
        boxes = [d.mark_box(c, j, "dead") for c in range(1, len(hidden) + 1)
                 for j in range(hidden[c - 1])]
        if room:
            assert all(b is not None and b.height() >= 8 for b in boxes)
            for box in boxes:
                assert not any(box.intersects(circle) for circle in circles), box
                assert sum(box.intersects(other) for other in boxes) == 1, box
        else:
            assert boxes == [None] * sum(hidden)
        p.close()


def test_loss_box_clear_of_the_output_square(qtbot):
    # the output neuron's backward-signal square sits right of its circle; the loss box must
    # not touch it, at the largest neurons (few a layer) in a narrow or a wide window
    data = make_dataset("moons", points=60, test_share=0.25, seed=3)
    p = TrainingPanel(Setup(data, ModelConfig(hidden=(3, 2)), TrainConfig(batch=10, seed=0)))
    qtbot.addWidget(p)
    p.show()
    qtbot.waitExposed(p)
    wait_snapshot(qtbot, p, lambda s: s.maps is not None)
    d = p.diagram
    widths, radii = set(), set()
    for width in (1000, 1400, 1900):
        p.resize(width, 900)
        qtbot.wait(50)
        widths.add(d.width())
        r, t = d._radius(), d._tile_size()
        out = d.neuron_position(len(d.data.sizes) - 1, 0)
        square = QRectF(out.x() + r + 3, out.y() - t / 2, t, t)
        radii.add(r)
        assert square.right() + 4 <= d._loss_rect().left(), (width, square, d._loss_rect())
    assert len(widths) == 3 and max(radii) >= 20  # big circles: the hardest case
    p.close()


def test_bias_shades_keep_the_sign_of_small_biases():
    # a bias is drawn orange when negative, blue when positive, sized by min(1, |b|) in
    # shades; one too small for a shade of its own must keep its colour (sign)
    from graphapp.gui.training.diagram import bias_levels

    b = np.array([-0.03, 0.03, -1.7, 0.5, 0.0])
    (levels,) = bias_levels([b], 12)
    assert list(np.sign(levels)) == [-1, 1, -1, 1, 1]
    strength = (np.abs(levels) - 1) / 11  # by hand: rint(min(1, |b|) * 11) / 11
    np.testing.assert_allclose(strength, [0, 0, 1, 6 / 11, 0])
