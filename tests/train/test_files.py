"""Model files (save → load → the same predictions; bad files are one-line errors) and the step
graph (``graphapp grad`` on it gives the trainer's per-sample gradients)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import numpy as np
import pytest

from graphapp.cli import main
from graphapp.train import MLP, ModelConfig, TrainConfig, Trainer, make_dataset, train
from graphapp.train.io import ModelFileError, SavedModel, load_model, save_model
from graphapp.train.stepgraph import MAX_PARAMS, step_graph_text


def _trained(dataset: str = "spiral3", **cfg) -> Trainer:
    data = make_dataset(dataset, points=60, seed=2)
    model = MLP(ModelConfig(**cfg), data.task, data.n_classes)
    trainer = Trainer(model, data, TrainConfig(optimizer="adam", lr=0.02, batch=8, seed=4))
    for _ in train(trainer, epochs=3):
        pass
    return trainer


def test_save_load_gives_the_same_predictions(tmp_path):
    trainer = _trained(hidden=(5, 4), activation="relu", loss="ce", l2=0.01,
                       features=("x1", "x2", "sin(x1)"))
    path = tmp_path / "model.json"
    save_model(path, SavedModel(trainer.model, trainer.flat, trainer.config,
                                trainer.data.recipe, trainer.epoch, trainer.steps))
    loaded = load_model(path)
    grid = np.random.default_rng(0).uniform(-1, 1, size=(50, 2))
    np.testing.assert_array_equal(loaded.model.scores(loaded.flat, grid),
                                  trainer.model.scores(trainer.flat, grid))
    assert loaded.model.config == trainer.model.config and loaded.epochs == 3
    assert loaded.recipe == trainer.data.recipe and loaded.training == trainer.config


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", ":1:2: "),
    ('{"format": "other"}', "not a graphapp model file"),
    ("[1, 2]", "not a graphapp model file"),
])
def test_bad_model_files_are_one_line_errors(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert str(info.value).startswith(str(path)) and words in str(info.value)
    assert "\n" not in str(info.value)


def test_a_wrong_parameter_shape_or_value_is_refused(tmp_path):
    trainer = _trained("moons", hidden=(3,))
    path = tmp_path / "m.json"
    save_model(path, SavedModel(trainer.model, trainer.flat, recipe=trainer.data.recipe))
    data = json.loads(path.read_text())
    data["params"]["W1"] = [[1.0, 2.0]]
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=r"W1 has shape \(1, 2\), the network needs \(2, 3\)"):
        load_model(path)
    data["params"]["W1"] = [[1.0, None, 1.0], [1.0, 1.0, 1.0]]
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="W1 holds a value that is not a finite number"):
        load_model(path)
    data["model"]["activation"] = "swish"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="unknown activation 'swish'"):
        load_model(path)


def test_a_failed_save_leaves_the_old_file(tmp_path):
    trainer = _trained("moons", hidden=(3,))
    path = tmp_path / "m.json"
    save_model(path, SavedModel(trainer.model, trainer.flat))
    before = path.read_text()
    bad = trainer.flat.copy()
    bad[0] = np.nan
    with pytest.raises(ValueError, match="not all finite"):
        save_model(path, SavedModel(trainer.model, bad))
    assert path.read_text() == before


# ----------------------------------------------------------------- the step graph
STEP_CASES = [dict(hidden=(3, 3), activation="tanh"),
              dict(hidden=(3, 3), activation="sigmoid", slope=2.5, loss="bce", l2=0.1),
              dict(hidden=(3,), activation="relu", loss="hinge", l1=0.05,
                   features=("x1", "x2", "x1^2", "x1*x2", "sin(x2)")),
              dict(hidden=(3,), activation="linear", loss="ce", dataset="spiral3"),
              dict(hidden=(2, 2), activation="tanh", loss="squared", dataset="spiral3"),
              dict(hidden=(3,), activation="tanh", loss="hinge", dataset="spiral3"),
              dict(hidden=(4,), activation="tanh", dataset="sine", features=("x1",))]


@pytest.mark.parametrize("case", STEP_CASES)
def test_grad_on_the_step_graph_gives_the_trainers_per_sample_gradients(tmp_path, case):
    case = dict(case)
    trainer = _trained(case.pop("dataset", "moons"), **case)
    model, i = trainer.model, 5
    x, y = trainer.data.x_train[i:i + 1], trainer.data.y_train[i:i + 1]
    loss, grads = model.loss_and_grads(trainer.flat, x, y)
    path = tmp_path / "step.expr"
    path.write_text(step_graph_text(model, trainer.flat, x[0], float(y[0])))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["grad", str(path), "--json"]) == 0
    nodes = json.loads(out.getvalue())["nodes"]
    assert nodes["loss"]["value"] == pytest.approx(loss, rel=1e-12, abs=1e-15)
    for name, g in zip(model.param_names, grads, strict=True):
        for idx in np.ndindex(g.shape):
            key = f"{name}_{'_'.join(map(str, idx))}" if len(idx) == 2 else f"{name}_{idx[0]}"
            assert nodes[key]["grad"] == pytest.approx(float(g[idx]), rel=1e-12, abs=1e-15), key


def test_big_networks_get_no_step_graph():
    model = MLP(ModelConfig(hidden=(16, 16)))
    assert model.n_params > MAX_PARAMS
    with pytest.raises(ValueError, match="small networks"):
        step_graph_text(model, model.init_params(), (0.0, 0.0), 1.0)


def test_the_step_graph_as_a_graph_file():
    from graphapp.train.stepgraph import step_graph

    trainer = _trained("moons", hidden=(2,))
    doc = step_graph(trainer.model, trainer.flat, (0.1, 0.2), 1.0)
    assert doc.output == "loss" and doc.graph.op("W1_0_0").is_input
    assert float(doc.graph.value("W2_1_0")) == float(trainer.model.view(trainer.flat, "W2")[1, 0])
