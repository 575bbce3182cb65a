"""Click a weight: the weight panel shows dL/dw as a sum over paths, equal to the engine's
gradient, for the sample and the batch, lights the largest paths, plots the loss along the
weight; open in the editor: the sample's scalar graph there has the trainer's per-sample
gradients, and step mode walks to the same numbers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from graphapp.gui.training.step_editor import EDITOR_LIMIT, open_in_editor, scalar_name
from graphapp.gui.training.weight_detail import WeightDetail
from graphapp.train import MLP, ModelConfig, TrainConfig, Trainer, make_dataset
from tests.gui.conftest import shown_grad


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


@pytest.fixture
def setup():
    data = make_dataset("xor", points=60, seed=0)
    model = MLP(ModelConfig(hidden=(3, 3), activation="tanh"), task=data.task,
                n_classes=data.n_classes)
    trainer = Trainer(model, data, TrainConfig(lr=0.1, batch=10, seed=0))
    for _ in range(5):  # parameters away from their initial values
        trainer.step()
    return model, data, trainer


@pytest.fixture
def detail(qtbot):
    widget = WeightDetail()
    qtbot.addWidget(widget)
    widget.resize(900, 800)
    widget.show()
    return widget


def _engine(model, flat, x, y, name, index) -> float:
    return float(np.asarray(model.backward(flat, x, y).grads[name])[index])


def test_clicking_a_weight_shows_a_path_sum_equal_to_the_engine_gradient(setup, detail):
    model, data, trainer = setup
    flat = trainer.flat.copy()
    x, y = data.x_train[:10], data.y_train[:10]
    lit = []
    detail.highlight.connect(lit.append)
    detail.show_weight(model, flat, "W1", 1, 2, x[3], y[3], x, y)
    engine = _engine(model, flat, x[3:4], y[3:4], "W1", (1, 2))
    table = detail.table
    assert table.rowCount() == 3  # 2-3-3-1: one path through each neuron of layer 2
    products = [_number(table.item(r, table.columnCount() - 1).text()) for r in range(3)]
    assert sum(products) == pytest.approx(engine, rel=1e-5, abs=1e-9)
    summary = detail.summary.text()
    assert "Sum of all 3 paths" in summary and "backward pass" in summary
    assert f"{engine:.6g}".replace("-", "−")[:7] in summary
    assert detail.current().total == pytest.approx(engine, rel=1e-10)
    # the factors of the first row multiply to its product; read from the loss down to x2
    first = [table.item(0, c).text().split("\n") for c in range(1, table.columnCount() - 1)]
    assert first[0][0] == "∂L/∂ŷ" and first[-1][0] == "x2"
    assert np.prod([_number(v) for _, v in first]) == pytest.approx(products[0], rel=1e-3)
    # every path is lit on the diagram, the largest first, as (layer, neuron) from x2 up to
    # the output through one neuron of layer 2
    largest = int(np.argmax(np.abs(products)))
    routes = [table.item(r, 0).text() for r in range(3)]
    assert routes[largest] == f"x2 → h1[2] → h2[{lit[-1][0][2][1]}] → out"
    assert lit[-1][0] == [(0, 1), (1, 2), (2, lit[-1][0][2][1]), (3, 0)]
    assert sorted(p[2][1] for p in lit[-1]) == [0, 1, 2]

    detail.batch_button.setChecked(True)  # averaged over the batch
    batch = _engine(model, flat, x, y, "W1", (1, 2))
    assert detail.current().samples == 10
    assert detail.current().total == pytest.approx(batch, rel=1e-10)
    products = [_number(table.item(r, table.columnCount() - 1).text()) for r in range(3)]
    assert sum(products) == pytest.approx(batch, rel=1e-5, abs=1e-9)
    assert "10 samples" in detail.batch_button.text()


def test_a_row_lights_its_path_and_the_plot_has_the_loss_and_its_tangent(setup, detail):
    model, data, trainer = setup
    flat = trainer.flat.copy()
    edges = []
    detail.highlight_edges.connect(edges.append)
    detail.show_weight(model, flat, "W1", 1, 0, data.x_train[0], data.y_train[0])
    assert not detail.batch_button.isEnabled()
    assert len(edges[-1]) == 3
    detail.table.selectRow(1)
    assert edges[-1] == [list(detail.current().paths[1].edges)]
    assert edges[-1][0][0] == ("W1", 1, 0) and len(edges[-1][0]) == 3
    sl = detail.slice
    # the plot's curve is the loss along W1[1,0], its tangent has the path sum as its slope
    curves = detail._plot.getPlotItem().listDataItems()
    xs, ys = curves[0].getData()
    w = float(model.view(flat, "W1")[1, 0])
    np.testing.assert_allclose(xs, sl.offsets + w)
    moved = flat.copy()
    at = model.layout["W1"][0].start + 3  # row 1 of a 2 × 3 matrix
    moved[at] = xs[3]
    assert ys[3] == pytest.approx(model.loss_and_grads(moved, data.x_train[:1],
                                                       data.y_train[:1])[0], rel=1e-12)
    tx, ty = curves[1].getData()
    slope = np.polyfit(tx, ty, 1)[0]
    assert slope == pytest.approx(detail.current().total, rel=1e-9)
    assert sl.finite_difference == pytest.approx(detail.current().total, rel=1e-5)


def test_a_bias_has_one_factor_one(setup, detail):
    model, data, trainer = setup
    detail.show_weight(model, trainer.flat, "b1", 0, 2, data.x_train[1], data.y_train[1])
    ps = detail.current()
    assert ps.total == pytest.approx(_engine(model, trainer.flat, data.x_train[1:2],
                                             data.y_train[1:2], "b1", (2,)), rel=1e-10)
    assert ps.paths[0].factors[-1].value == 1.0


def test_pyqtgraph_waits_until_a_weight_is_shown():
    code = ("import sys, graphapp.gui.training.weight_detail; "
            "print('pyqtgraph' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_open_in_editor_gives_the_trainers_per_sample_gradients(setup, window, qtbot):
    model, data, trainer = setup
    assert model.n_params <= EDITOR_LIMIT
    i = 7
    before = trainer.flat.copy()
    record = trainer.step(rows=np.array([i]))  # one sample: its gradients, then an update
    assert open_in_editor(window, model, before, data.x_train[i], data.y_train[i])
    results = window.doc.results
    assert window.doc.output == "loss"
    assert results.value("loss") == pytest.approx(record.loss, rel=1e-12)
    for name in model.param_names:
        for index in np.ndindex(model.shapes[name]):
            node = scalar_name(name, index)
            assert results.grad(node) == pytest.approx(record.grads[name][index], rel=1e-9,
                                                       abs=1e-15), node
    # the weight panel's path sum is the number the editor shows for that weight
    detail = WeightDetail()
    qtbot.addWidget(detail)
    detail.show_weight(model, before, "W1", 0, 1, data.x_train[i], data.y_train[i])
    assert _number(shown_grad(window, "W1_0_1")) == pytest.approx(detail.current().total,
                                                                  rel=1e-4)
    # step mode walks the backward pass edge by edge to the same numbers
    window.pass_choice.setCurrentText("backward")
    window.act_step_mode.trigger()
    total = window.stepper.state.total
    assert total > 20
    for _ in range(total):
        window.act_step.trigger()
    steps = {s.node: s.grad for s in results.backward_steps()}
    assert float(steps["W2_1_0"]) == pytest.approx(record.grads["W2"][1, 0], rel=1e-9)
    assert _number(shown_grad(window, "W3_2_0").split(" ")[0]) == pytest.approx(
        record.grads["W3"][2, 0], rel=1e-4)
    window.act_step_mode.trigger()


def test_a_large_network_stays_out_of_the_editor(window, detail):
    data = make_dataset("xor", points=20, seed=0)
    model = MLP(ModelConfig(hidden=(8, 8)), task=data.task, n_classes=data.n_classes)
    flat = model.init_params(0)
    before = window.doc.graph
    assert not open_in_editor(window, model, flat, data.x_train[0], data.y_train[0])
    assert window.doc.graph is before
    assert "up to 60 parameters" in window.statusBar().currentMessage()
    detail.show_weight(model, flat, "W1", 0, 0, data.x_train[0], data.y_train[0])
    assert not detail.open_button.isEnabled()


def test_too_many_paths_to_list_still_sum_to_the_engine_gradient(setup, detail, monkeypatch):
    from graphapp.train import paths

    model, data, trainer = setup
    monkeypatch.setattr(paths, "EXPLICIT_LIMIT", 0)  # as for a wide, deep network
    detail.keep = 2
    x, y = data.x_train[:10], data.y_train[:10]
    detail.show_weight(model, trainer.flat, "W1", 0, 0, x[0], y[0], x, y)
    assert detail.table.rowCount() == 2
    assert "too many to list" in detail.summary.text()
    assert detail.current().total == pytest.approx(
        _engine(model, trainer.flat, x[:1], y[:1], "W1", (0, 0)), rel=1e-10)
    detail.batch_button.setChecked(True)
    assert "looked for among the samples' own largest" in detail.summary.text()
    assert detail.current().total == pytest.approx(
        _engine(model, trainer.flat, x, y, "W1", (0, 0)), rel=1e-10)
