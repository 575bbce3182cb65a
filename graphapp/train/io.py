"""Model files: a trained network with its settings and the recipe of its data, as JSON.

::

    {"format": "graphapp-model", "version": 1,
     "model": {"features": ["x1", "x2"], "hidden": [16, 16], "activation": "tanh", ...},
     "task": "classes", "n_classes": 2,
     "training": {"optimizer": "adam", "lr": 0.01, "batch": 10, "seed": 0},
     "data": {"name": "moons", "points": 300, "noise": 0.1, "test_share": 0.2, "seed": 0,
              "csv": null},
     "epochs": 60, "steps": 1440,
     "params": {"W1": [[...], ...], "b1": [...], ...},
     "metrics": {"train_loss": ..., ...},
     "state": {"epoch": 60, "steps": 1440, "cursor": 240, "order": [...], "rng": {...},
               "optimizer": "adam", "optimizer_state": {"m": [...], "v": [...], "t": 1440}}}

Writes are atomic (a temporary file renamed over the target), so an interrupted save never
leaves half a model. Reading checks every field and raises :class:`ModelFileError` with one
line naming the file (and the line and column of a JSON syntax error). Nothing in the file is
executed.

>>> import tempfile, os
>>> from graphapp.train.model import MLP, ModelConfig
>>> model = MLP(ModelConfig(hidden=(3,)))
>>> path = os.path.join(tempfile.mkdtemp(), "m.json")
>>> save_model(path, SavedModel(model, model.init_params(1)))
>>> load_model(path).model.sizes
(2, 3, 1)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graphapp.formats.atomic import write_text_atomic
from graphapp.train.datasets import DATASETS, Recipe
from graphapp.train.loop import TrainConfig
from graphapp.train.model import MLP, ModelConfig

__all__ = ["FORMAT", "ModelFileError", "SavedModel", "load_model", "save_model"]

FORMAT = "graphapp-model"
VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be read, in one line that names the file."""


@dataclass(frozen=True, eq=False)
class SavedModel:
    """What a model file holds."""

    model: MLP
    flat: np.ndarray
    training: TrainConfig = field(default_factory=TrainConfig)
    recipe: Recipe | None = None
    epochs: int = 0
    steps: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    #: :meth:`Trainer.state`, to resume training exactly (``None``: start afresh).
    state: dict[str, Any] | None = None


def _finite(x: Any) -> Any:
    """JSON has no nan/inf: write them as null."""
    return None if isinstance(x, float) and not math.isfinite(x) else x


def to_json(saved: SavedModel) -> dict[str, Any]:
    """The model file's content as JSON data."""
    model = saved.model
    return {
        "format": FORMAT, "version": VERSION,
        "model": model.config.to_json(), "task": model.task, "n_classes": model.n_classes,
        "training": saved.training.to_json(),
        "data": saved.recipe.to_json() if saved.recipe else None,
        "epochs": saved.epochs, "steps": saved.steps,
        "params": {name: model.view(saved.flat, name).tolist() for name in model.param_names},
        "metrics": {k: _finite(v) for k, v in saved.metrics.items()},
        "state": saved.state,
    }


def save_model(path: str | Path, saved: SavedModel) -> None:
    """Write ``saved`` to ``path`` atomically (``OSError`` if it cannot be written)."""
    if not np.isfinite(saved.flat).all():
        raise ValueError("the parameters are not all finite; nothing was saved")
    write_text_atomic(path, json.dumps(to_json(saved), indent=1) + "\n")


def _need(data: dict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise ValueError(f"{where}: missing {key!r}")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def from_json(data: Any) -> SavedModel:
    """Check and rebuild a model from JSON data; ``ValueError`` says what is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a graphapp model file (no \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ValueError(f"model file version {data.get('version')!r}; this graphapp reads "
                         f"version {VERSION}")
    m = _need(data, "model", dict, "the file")
    config = ModelConfig(
        features=tuple(_need(m, "features", list, "model")),
        hidden=tuple(int(n) for n in _need(m, "hidden", list, "model")),
        activation=_need(m, "activation", str, "model"),
        slope=float(_need(m, "slope", (int, float), "model")),
        loss=_need(m, "loss", str, "model"), init=_need(m, "init", str, "model"),
        l1=float(_need(m, "l1", (int, float), "model")),
        l2=float(_need(m, "l2", (int, float), "model")))
    task = _need(data, "task", str, "the file")
    if task not in ("classes", "regression"):
        raise ValueError(f"task must be 'classes' or 'regression', not {task!r}")
    model = MLP(config, task, int(_need(data, "n_classes", int, "the file")))
    t = _need(data, "training", dict, "the file")
    training = TrainConfig(optimizer=_need(t, "optimizer", str, "training"),
                           lr=float(_need(t, "lr", (int, float), "training")),
                           batch=int(_need(t, "batch", int, "training")),
                           seed=int(_need(t, "seed", int, "training")))
    recipe = None
    if data.get("data") is not None:
        d = _need(data, "data", dict, "the file")
        recipe = Recipe(name=_need(d, "name", str, "data"),
                        points=int(_need(d, "points", int, "data")),
                        noise=None if d.get("noise") is None else float(d["noise"]),
                        test_share=float(_need(d, "test_share", (int, float), "data")),
                        seed=int(_need(d, "seed", int, "data")),
                        csv=d.get("csv") if isinstance(d.get("csv"), str) else None)
        if recipe.csv is None and recipe.name not in DATASETS:
            raise ValueError(f"data: unknown data set {recipe.name!r}")
    params = _need(data, "params", dict, "the file")
    flat = np.empty(model.n_params)
    for name in model.param_names:
        if name not in params:
            raise ValueError(f"params: missing {name!r}")
        try:
            value = np.array(params[name], dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"params: {name} is not a list of numbers") from None
        if value.shape != model.shapes[name]:
            raise ValueError(f"params: {name} has shape {value.shape}, the network needs "
                             f"{model.shapes[name]}")
        if not np.isfinite(value).all():
            raise ValueError(f"params: {name} holds a value that is not a finite number")
        model.view(flat, name)[...] = value
    extra = sorted(set(params) - set(model.param_names))
    if extra:
        raise ValueError(f"params: {extra[0]!r} is not a parameter of this network")
    return SavedModel(model, flat, training, recipe,
                      int(data.get("epochs", 0)), int(data.get("steps", 0)),
                      dict(data.get("metrics") or {}),
                      data["state"] if isinstance(data.get("state"), dict) else None)


def load_model(path: str | Path) -> SavedModel:
    """Read a model file; :class:`ModelFileError` (one line) if it cannot be used."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelFileError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ModelFileError(f"{name}: not a text file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{name}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    try:
        return from_json(data)
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"{name}: {exc}") from None
