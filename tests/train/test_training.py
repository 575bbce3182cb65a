"""The loop: every loss and optimiser lowers the loss; records are snapshots; divergence stops
with the last finite parameters; early stopping; the runner gives the engine's own gradients."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from graphapp.train import (
    MLP,
    Diverged,
    EpochRecord,
    Finished,
    ModelConfig,
    StepRecord,
    TrainConfig,
    Trainer,
    make_dataset,
    train,
)

LOSSES = [("squared", "moons"), ("bce", "moons"), ("ce", "spiral3"), ("hinge", "moons"),
          ("hinge", "spiral3"), ("squared", "sine")]
OPTIMISERS = [("sgd", 1, 0.05), ("sgd", 16, 0.2), ("momentum", 16, 0.05), ("adam", 16, 0.01)]


def _trainer(dataset: str, loss: str = "squared", optimizer: str = "sgd", batch: int = 10,
             lr: float = 0.1, **cfg) -> Trainer:
    data = make_dataset(dataset, points=96, seed=0)
    model = MLP(ModelConfig(hidden=cfg.pop("hidden", (6,)), loss=loss, **cfg), task=data.task,
                n_classes=data.n_classes)
    return Trainer(model, data, TrainConfig(optimizer=optimizer, lr=lr, batch=batch))


@pytest.mark.parametrize("loss_data", LOSSES)
@pytest.mark.parametrize("opt", OPTIMISERS)
def test_a_few_epochs_lower_the_loss(loss_data, opt):
    loss, dataset = loss_data
    optimizer, batch, lr = opt
    trainer = _trainer(dataset, loss, optimizer, batch, lr)
    before = trainer.evaluate().train_loss
    records = list(train(trainer, epochs=4))
    after = trainer.evaluate().train_loss
    assert isinstance(records[-1], Finished) and records[-1].reason == "epochs"
    assert after < 0.9 * before


def test_records_are_snapshots_and_steps_follow_the_gradient():
    trainer = _trainer("xor", batch=8, lr=0.1)
    first = trainer.step()
    second = trainer.step()
    assert isinstance(first, StepRecord) and (first.step, second.step) == (1, 2)
    assert first.epoch == 1 and len(first.indices) == 8
    with pytest.raises(ValueError):
        first.params["W1"][0, 0] = 1.0  # read-only
    # plain SGD: the update is −lr × the gradient, and the records did not move afterwards
    for name in first.params:
        np.testing.assert_allclose(first.update[name], -0.1 * first.grads[name], atol=1e-15)
        np.testing.assert_allclose(second.params[name] - first.params[name],
                                   second.update[name], atol=1e-14)


def test_an_epoch_covers_every_point_once():
    trainer = _trainer("moons", batch=10)
    records = list(trainer.run_epoch())
    steps = [r for r in records if isinstance(r, StepRecord)]
    assert isinstance(records[-1], EpochRecord) and records[-1].epoch == 1
    rows = np.concatenate([r.indices for r in steps])
    assert sorted(rows.tolist()) == list(range(len(trainer.data.x_train)))
    assert len(steps) == trainer.steps_per_epoch == 8  # 77 points, batches of 10
    one = trainer.step(rows=[3])  # one sample, outside the epoch's batches
    assert one.indices.tolist() == [3] and trainer.epoch == 1


def test_step_gradients_are_the_engines_backward():
    trainer = _trainer("moons", hidden=(4, 3), l2=0.01)
    rows = np.arange(12)
    record = trainer.step(rows=rows, with_backward=True)
    before = np.asarray(record.params.flat - record.update.flat)
    back = trainer.model.backward(before, trainer.data.x_train[rows], trainer.data.y_train[rows])
    for name in trainer.model.param_names:
        np.testing.assert_array_equal(record.grads[name], back.grads[name])
        np.testing.assert_array_equal(record.backward.grads[name], back.grads[name])
    assert record.backward.grads["z1"].shape == (12, 4)  # dL/d pre-activation, per sample
    assert float(record.backward.forward.values["loss"]) == record.loss
    assert trainer.step(rows=rows).backward is None


def test_divergence_stops_and_keeps_the_last_finite_parameters():
    trainer = _trainer("plane", hidden=(8, 8), activation="relu", lr=1e3, batch=96)
    before = trainer.flat.copy()
    records = list(train(trainer, epochs=50))
    diverged = [r for r in records if isinstance(r, Diverged)]
    assert len(diverged) == 1 and records[-1].reason == "diverged"
    d = diverged[0]
    assert np.all(np.isfinite(d.params.flat)) and np.array_equal(d.params.flat, trainer.flat)
    assert d.parameter and d.parameter.split("[")[0].split(" ")[0] in trainer.model.param_names
    assert d.op and "smaller learning rate, e.g. 100 (it is 1000)" in d.message
    assert not np.array_equal(before, trainer.flat) or d.step == 1


def test_a_nan_loss_names_the_first_node_and_keeps_parameters():
    trainer = _trainer("moons", loss="bce", activation="linear")
    w1 = trainer.model.view(trainer.flat, "W1")
    w1[:, 0] = 1e308  # finite, but x1·w + x2·w overflows where x1 + x2 > 1.8
    kept = trainer.flat.copy()
    rows = np.flatnonzero(trainer.data.x_train.sum(axis=1) > 1.9)
    assert rows.size
    record = trainer.step(rows=rows)
    assert isinstance(record, Diverged)
    assert record.node == "mm1" and record.op == "matmul"
    assert "mm1 = matmul(X, W1)" in record.message and np.array_equal(trainer.flat, kept)


def test_patience_stops_when_the_test_loss_stops_improving():
    trainer = _trainer("gauss", optimizer="adam", lr=0.05)
    records = list(train(trainer, epochs=500, patience=3, min_delta=0.05))
    assert records[-1].reason == "patience" and trainer.epoch < 500


def test_the_layer_imports_no_qt():
    code = ("import sys, graphapp.train, graphapp.train.io, graphapp.train.command, "
            "graphapp.train.stepgraph, graphapp.train.bench\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_layer_outputs_are_each_layers_activation():
    trainer = _trainer("moons", hidden=(4, 3))
    model, x = trainer.model, trainer.data.x_test[:5]
    h1, h2, out = model.layer_outputs(trainer.flat, x)
    w = {n: model.view(trainer.flat, n) for n in model.param_names}
    np.testing.assert_allclose(h1, np.tanh(x @ w["W1"] + w["b1"]), rtol=1e-12)
    np.testing.assert_allclose(h2, np.tanh(h1 @ w["W2"] + w["b2"]), rtol=1e-12)
    np.testing.assert_allclose(out, h2 @ w["W3"] + w["b3"], rtol=1e-12)
