"""Training on the engine: a small MLP, written as an engine graph, learns a 2-D data set.

Qt-free (it imports the engine and numpy only). The pieces, and how a training panel or a script
uses them::

    from graphapp.train import (make_dataset, MLP, ModelConfig, Trainer, TrainConfig, train,
                                StepRecord, EpochRecord, Diverged, Finished)

    data = make_dataset("moons", points=200, noise=0.1, test_share=0.2, seed=0)
    model = MLP(ModelConfig(features=("x1", "x2"), hidden=(16, 16), activation="tanh",
                            loss="squared", init="xavier", l2=0.0),
                task=data.task, n_classes=data.n_classes)
    trainer = Trainer(model, data, TrainConfig(optimizer="sgd", lr=0.03, batch=10, seed=0))
    for record in train(trainer, epochs=100, patience=0):   # a generator: stop any time
        ...                                                # isinstance(record, StepRecord) …

* :mod:`~graphapp.train.datasets`: :func:`make_dataset` (``DATASETS``: moons, circles, xor,
  gauss, spiral, spiral3, linear, sine, plane), :func:`read_csv` (``CsvError`` is
  ``FILE:LINE: message``), :class:`DataSet` (``x_train`` N×2, ``y_train`` N, ``x_test``,
  ``y_test``, ``task`` "classes"/"regression", ``n_classes``, ``extent`` for maps, ``recipe``).
* :mod:`~graphapp.train.model`: :class:`ModelConfig` (features, hidden, activation, slope,
  loss, init, l1, l2) and :class:`MLP`: ``model.graph`` is the engine graph (nodes ``X``,
  ``T``, ``W1``, ``b1``, ``mm1 = X@W1``, ``z1 = mm1 + b1``, ``h1 = act(z1)``, …, ``zL``, the
  loss head, ``loss``); ``param_names``, ``shapes``, ``sizes`` (neurons per layer, inputs
  first); ``init_params(seed)`` → flat vector; ``view(flat, "W1")``; ``scores(flat, points)``
  (what to paint as the output map), ``predict``, ``evaluate``; ``backward(flat, x, y)`` → the
  engine's full :class:`~graphapp.engine.Backward` for those points (every node's gradient, e.g.
  dL/dz1 per point, and every edge's local and carried gradient: what the editor shows);
  ``graph_with(flat)`` → a copy of the graph holding those parameters (to open or export);
  ``layer_outputs(flat, points)`` → each layer's output (N × width per layer, for the
  per-neuron maps; ``layer_nodes`` names their nodes).
* :mod:`~graphapp.train.loop`: :class:`Trainer` (``step(rows=None, with_backward=False)``
  one batch or the rows given, e.g. one sample, with the engine's full Backward of it on
  request; ``run_epoch()``; ``evaluate()`` → :class:`Metrics`; ``params()``; ``lr`` may be
  changed between steps; ``epoch`` and ``steps`` count what is done; ``state()`` /
  ``load_state()`` for resuming) and
  :func:`train`. Records are immutable snapshots, safe to hand from a worker to the GUI:
  :class:`StepRecord` (epoch, step, indices, loss, ``params``, ``grads`` = dL/dparameter from
  the engine's backward pass, ``update``; each a :class:`ParamSet`, a read-only mapping
  name → array; ``backward`` when asked for), :class:`EpochRecord` (epoch, steps, metrics,
  params), :class:`Diverged` (parameter, node, op, message; params = the last finite ones),
  :class:`Finished` (reason).
* :mod:`~graphapp.train.optim`: ``sgd``, ``momentum``, ``adam`` on one flat vector.
* :mod:`~graphapp.train.io`: ``save_model(path, SavedModel(model, flat, training, recipe,
  epochs, steps))`` (atomic JSON) and ``load_model(path)`` (``ModelFileError``: one line).
* :mod:`~graphapp.train.stepgraph`: ``step_graph(model, flat, point, label)`` → one sample's
  forward pass and loss as a scalar graph file (every weight an input; at most 100
  parameters), what "open in the editor" shows; ``step_graph_text`` is its ``.expr`` text.
* :mod:`~graphapp.train.defaults` (settings per data set), :mod:`~graphapp.train.command`
  (``graphapp train``), :mod:`~graphapp.train.bench` (its figures in ``graphapp bench``).

Gradients come from the engine's reverse mode on the compiled plan of ``model.graph`` (through
:class:`graphapp.engine.runner.LeafRunner`); the parameters live outside the graph, in the
trainer's flat vector, so a step never rebuilds or re-validates the graph.
"""

from graphapp.train.datasets import DATASETS, CsvError, DataSet, Recipe, make_dataset, read_csv
from graphapp.train.loop import (
    Diverged,
    EpochRecord,
    Finished,
    Metrics,
    Patience,
    StepRecord,
    TrainConfig,
    Trainer,
    train,
)
from graphapp.train.model import FEATURES, MLP, ModelConfig, ParamSet, parse_features
from graphapp.train.optim import OPTIMIZERS, make_optimizer

__all__ = [
    "DATASETS",
    "FEATURES",
    "MLP",
    "OPTIMIZERS",
    "CsvError",
    "DataSet",
    "Diverged",
    "EpochRecord",
    "Finished",
    "Metrics",
    "ModelConfig",
    "ParamSet",
    "Patience",
    "Recipe",
    "StepRecord",
    "TrainConfig",
    "Trainer",
    "make_dataset",
    "make_optimizer",
    "parse_features",
    "read_csv",
    "train",
]
