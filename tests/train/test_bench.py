"""The benchmark compares like with like: the hand-written numpy loop takes the very steps the
engine takes (the same parameters after each step), so its speed is a fair yardstick."""

from __future__ import annotations

import numpy as np
import pytest

from graphapp.train import MLP, ModelConfig, TrainConfig, Trainer, make_dataset
from graphapp.train.bench import format_training, numpy_steps


def test_numpy_loop_and_engine_take_the_same_steps():
    data = make_dataset("moons", points=50, test_share=0.0, seed=1)
    model = MLP(ModelConfig(hidden=(16, 16), activation="tanh", loss="squared"))
    trainer = Trainer(model, data, TrainConfig(optimizer="sgd", lr=0.05, batch=50))
    params = [v.copy() for v in model.views(trainer.flat)]
    hand = numpy_steps(model.features(data.x_train), model.targets(data.y_train), params, 0.05)
    rows = np.arange(50)
    for _ in range(3):
        loss = trainer.step(rows).loss
        assert hand(1) == pytest.approx(loss, rel=1e-12)
    for name, p in zip(model.param_names, params, strict=True):
        np.testing.assert_allclose(model.view(trainer.flat, name), p, rtol=1e-10, atol=1e-13)


def test_report_lines_quote_the_ratio_and_targets():
    speed = {"network": "n", "rounds": 3, "engine_steps_per_s": 500.0,
             "numpy_steps_per_s": 1000.0, "ratio": 0.5}
    acc = [{"dataset": "moons", "test_accuracy": 0.98, "test_loss": 0.01, "process_s": 3.0,
            "train_seconds": 1.0, "epochs": 60, "target": (0.97, 10.0), "met": True}]
    text = "\n".join(format_training(speed, acc))
    assert "0.50 of numpy's speed (2.0× slower)" in text and "met" in text and "98.0 %" in text
