"""The training loop: a :class:`Trainer` that owns a model's parameters and optimiser state,
and :func:`train`, a generator of immutable records, one per step and one per epoch.

A worker thread (the training panel's) or the command line drives a trainer and hands each
record on; records hold read-only copies (:class:`~graphapp.train.model.ParamSet`), so whoever
reads them never races the trainer. The parameters live in one flat vector outside the graph
and are fed to the compiled plan on every step (see :mod:`graphapp.train.model`).

Divergence: a step whose loss or gradients are nan or inf is not applied, and neither is an update
that makes a parameter non-finite. The trainer keeps the last finite parameters and returns a
:class:`Diverged` record naming the first parameter and op that went non-finite, with a
smaller learning rate to try.

>>> from graphapp.train.datasets import make_dataset
>>> from graphapp.train.model import MLP, ModelConfig
>>> data = make_dataset("gauss", points=100, seed=0)
>>> trainer = Trainer(MLP(ModelConfig(hidden=(2,))), data, TrainConfig(lr=0.1, batch=10))
>>> records = list(train(trainer, epochs=5))
>>> type(records[0]).__name__, type(records[-1]).__name__, records[-1].reason
('StepRecord', 'Finished', 'epochs')
>>> trainer.epoch, trainer.steps
(5, 40)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from graphapp.engine import Backward
from graphapp.train.datasets import DataSet
from graphapp.train.model import MLP, ParamSet
from graphapp.train.optim import OPTIMIZERS, Optimizer, make_optimizer

__all__ = [
    "Diverged",
    "EpochRecord",
    "Finished",
    "Metrics",
    "Patience",
    "StepRecord",
    "TrainConfig",
    "Trainer",
    "train",
]


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimiser, learning rate, batch size, initialisation seed."""

    optimizer: str = "sgd"
    lr: float = 0.03
    batch: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; known: "
                             f"{', '.join(OPTIMIZERS)}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a number > 0, got {self.lr}")
        if self.batch < 1:
            raise ValueError(f"the batch size must be at least 1, got {self.batch}")

    def to_json(self) -> dict:
        """The configuration as plain JSON data."""
        return {"optimizer": self.optimizer, "lr": self.lr, "batch": self.batch,
                "seed": self.seed}


@dataclass(frozen=True, eq=False)
class StepRecord:
    """One optimiser step: the batch, its loss, the gradients used and the parameters after.

    ``loss`` is the batch's loss (with any L1/L2 penalty) before the update; ``grads`` are
    dL/dparameter for that batch, from the engine's backward pass; ``update`` is what the step
    added to each parameter (``params`` minus the parameters before the step).
    """

    epoch: int  # 1-based: the epoch this step belongs to
    step: int  # 1-based count of steps since training began
    indices: np.ndarray  # training-set rows of the batch (read-only)
    loss: float
    params: ParamSet
    grads: ParamSet
    update: ParamSet
    #: With ``step(..., with_backward=True)``: the engine's full backward result for the batch
    #: before the update (every node's value and gradient, every edge's local derivative and
    #: carried gradient), for animating the backward pass; else ``None``.
    backward: Backward | None = None


@dataclass(frozen=True)
class Metrics:
    """Data loss (without the penalty) and accuracy on the training and test points."""

    train_loss: float
    test_loss: float
    train_accuracy: float | None  # None for regression
    test_accuracy: float | None


@dataclass(frozen=True, eq=False)
class EpochRecord:
    """The end of an epoch: its metrics and a snapshot of the parameters."""

    epoch: int
    steps: int
    metrics: Metrics
    params: ParamSet


@dataclass(frozen=True, eq=False)
class Diverged:
    """Training stopped because a number went nan or inf; ``params`` are the last finite ones."""

    epoch: int
    step: int
    parameter: str  # e.g. "W2[3, 0]": the value or gradient that went bad first
    node: str  # the first node that went non-finite ("" if none did)
    op: str
    message: str
    params: ParamSet


@dataclass(frozen=True)
class Finished:
    """The last record of :func:`train`: why it stopped (``"epochs"``, ``"patience"`` or
    ``"diverged"``) and where."""

    reason: str
    epochs: int
    steps: int
    metrics: Metrics | None


class Trainer:
    """One model learning one data set: parameters, optimiser state, shuffling, counters.

    Not thread-safe: one thread drives it; the records it returns may go anywhere.
    """

    def __init__(self, model: MLP, data: DataSet, config: TrainConfig,
                 params: np.ndarray | None = None) -> None:
        if data.task != model.task or (model.task == "classes"
                                       and data.n_classes != model.n_classes):
            raise ValueError(f"the model is for {model.task} ({model.n_classes} classes), the "
                             f"data set {data.name} for {data.task} ({data.n_classes} classes)")
        self.model = model
        self.data = data
        self.config = config
        flat = model.init_params(config.seed) if params is None else np.array(params,
                                                                             dtype=np.float64)
        if flat.shape != (model.n_params,):
            raise ValueError(f"expected {model.n_params} parameters, got {flat.size}")
        self.flat = flat
        self._views = model.views(self.flat)  # fed to the plan; updated in place
        self._grad = np.empty(model.n_params)  # the gradients of a step that diverged
        self.optimizer: Optimizer = make_optimizer(config.optimizer, model.n_params)
        self.lr = config.lr
        self._xf = model.features(data.x_train)
        self._t = model.targets(data.y_train)
        self._rng = np.random.default_rng(config.seed + 1)
        self._order = np.arange(len(self._xf))
        self._cursor = len(self._xf)  # start of the next batch; at the end: reshuffle
        #: Completed epochs and steps.
        self.epoch = 0
        self.steps = 0

    @property
    def steps_per_epoch(self) -> int:
        """Batches in one pass over the training points."""
        return math.ceil(len(self._xf) / self.config.batch)

    def state(self) -> dict:
        """Everything besides the parameters that the next steps depend on (counters, the
        shuffle, the optimiser's memory), as JSON data: saved with a model so that training
        resumes exactly where it stopped."""
        return {"epoch": self.epoch, "steps": self.steps, "cursor": self._cursor,
                "order": self._order.tolist(), "rng": self._rng.bit_generator.state,
                "optimizer": self.optimizer.name, "optimizer_state": self.optimizer.state()}

    def load_state(self, state: dict) -> None:
        """Resume from :meth:`state`; ``ValueError`` if it does not fit this trainer (then
        nothing is changed)."""
        n = len(self._xf)
        try:
            order = np.array(state["order"], dtype=np.intp)
            cursor, epoch, steps = int(state["cursor"]), int(state["epoch"]), int(state["steps"])
            rng = np.random.default_rng()
            rng.bit_generator.state = state["rng"]
            optimizer = make_optimizer(self.config.optimizer, self.model.n_params)
            if state["optimizer"] == optimizer.name:
                optimizer.load_state(state["optimizer_state"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"the training state does not fit ({exc})") from None
        if sorted(order.tolist()) != list(range(n)) or not 0 <= cursor <= n:
            raise ValueError(f"the training state is for another data set ({len(order)} "
                             f"training points, not {n})")
        self._order, self._cursor, self._rng = order, cursor, rng
        self.epoch, self.steps, self.optimizer = epoch, steps, optimizer

    def params(self) -> ParamSet:
        """A snapshot of the current parameters."""
        return self.model.params(self.flat)

    def next_batch(self) -> np.ndarray:
        """Training-set rows of the next batch (a fresh shuffle starts each epoch)."""
        n = len(self._xf)
        if self._cursor >= n:
            self._order = self._rng.permutation(n)
            self._cursor = 0
        end = min(self._cursor + self.config.batch, n)
        rows = self._order[self._cursor:end]
        self._cursor = end
        return rows

    def step(self, rows: np.ndarray | None = None,
             with_backward: bool = False) -> StepRecord | Diverged:
        """One optimiser step on ``rows`` of the training set (default: the next batch);
        ``with_backward`` also records the engine's full :class:`Backward` of the batch."""
        from_batches = rows is None
        if rows is None:
            rows = self.next_batch()
        rows = np.array(rows, dtype=np.intp)
        rows.flags.writeable = False
        model = self.model
        loss, grads = model.step_gradients(self._views, self._xf[rows], self._t[rows])
        g = np.concatenate([grad.reshape(-1) for grad in grads])  # the record's own copy
        epoch = self.epoch + 1
        if not (math.isfinite(loss) and _all_finite(g)):
            np.copyto(self._grad, g)
            return self._diverged(rows, epoch, loss, None)
        before = self.flat.copy()
        back = None
        if with_backward:
            back = model.backward(before, self.data.x_train[rows], self.data.y_train[rows])
        self.optimizer.step(self.flat, g, self.lr)
        if not _all_finite(self.flat):
            bad_update = self.flat.copy()
            np.copyto(self.flat, before)
            np.copyto(self._grad, g)
            return self._diverged(rows, epoch, loss, bad_update)
        self.steps += 1
        if from_batches and self._cursor >= len(self._xf):
            self.epoch += 1
        layout = model.layout
        params = ParamSet(self.flat, layout)
        return StepRecord(epoch, self.steps, rows, loss, params, ParamSet(g, layout, copy=False),
                          ParamSet(params.flat - before, layout, copy=False), back)

    def evaluate(self) -> Metrics:
        """Loss and accuracy on the whole training and test sets with the current parameters."""
        d = self.data
        train_loss, train_acc = self.model.evaluate(self.flat, d.x_train, d.y_train)
        test_loss, test_acc = self.model.evaluate(self.flat, d.x_test, d.y_test)
        return Metrics(train_loss, test_loss, train_acc, test_acc)

    def run_epoch(self) -> Iterator[StepRecord | Diverged | EpochRecord]:
        """The steps left in the current epoch, then its :class:`EpochRecord` (not after a
        divergence, which ends the iteration)."""
        target = self.epoch + 1
        while self.epoch < target:
            record = self.step()
            yield record
            if isinstance(record, Diverged):
                return
        yield EpochRecord(self.epoch, self.steps, self.evaluate(), self.params())

    # ----------------------------------------------------------------- divergence
    def _diverged(self, rows: np.ndarray, epoch: int, loss: float,
                  bad_update: np.ndarray | None) -> Diverged:
        model = self.model
        names = model.param_names
        node = op = ""
        if bad_update is None:
            back = model.backward(self.flat, self.data.x_train[rows], self.data.y_train[rows])
            nf = back.forward.nonfinite
            if nf is not None:
                node, op = nf.node, nf.op
                what = f"the first node to go non-finite was {nf.message}"
            else:
                what = "no node's value went non-finite, but a gradient did"
            # the backward pass reaches the last layer first: name the first one it spoiled
            bad = [n for n in reversed(names) if not np.isfinite(model.view(self._grad, n)).all()]
            if bad:
                parameter = _first_bad(bad[0], model.view(self._grad, bad[0]))
                culprit = (f"the first parameter to get a non-finite gradient in the backward "
                           f"pass was {parameter}")
            else:
                parameter = max(names, key=lambda n: float(np.abs(model.view(self.flat, n)).max()))
                size = float(np.abs(model.view(self.flat, parameter)).max())
                culprit = f"the largest parameter is {parameter} (up to {size:.3g})"
            head = (f"the loss became {loss}" if not math.isfinite(loss)
                    else "a gradient became non-finite")
            message = (f"training diverged at epoch {epoch}, step {self.steps + 1}: {head}; "
                       f"{what}; {culprit}")
        else:
            name = next(n for n in names if not np.isfinite(model.view(bad_update, n)).all())
            vals = model.view(bad_update, name)
            idx = tuple(int(i) for i in np.argwhere(~np.isfinite(vals))[0])
            parameter = _first_bad(name, vals)
            g = float(model.view(self._grad, name)[idx])
            node, op = name, self.optimizer.name
            message = (f"training diverged at epoch {epoch}, step {self.steps + 1}: the "
                       f"{self.optimizer.name} update made {parameter} = {vals[idx]} "
                       f"(its gradient was {g:.3g})")
        smaller = _smaller_lr(self.lr)
        message += (f". The last finite parameters are kept. Try a smaller learning rate, "
                    f"e.g. {smaller:g} (it is {self.lr:g}).")
        return Diverged(epoch, self.steps + 1, parameter, node, op, message, self.params())


def _all_finite(x: np.ndarray) -> bool:
    """No nan or inf in ``x``: one sum in the usual case, an element check if it overflows."""
    return math.isfinite(float(np.add.reduce(x))) or bool(np.isfinite(x).all())


def _first_bad(name: str, values: np.ndarray) -> str:
    """``W2[3, 0]``: the parameter's first element that is nan or inf."""
    idx = np.argwhere(~np.isfinite(values))[0]
    return f"{name}[{', '.join(str(int(i)) for i in idx)}]"


def _smaller_lr(lr: float) -> float:
    """A tenth of ``lr``, rounded to one significant digit."""
    target = lr / 10.0
    exponent = math.floor(math.log10(target))
    return round(target, -exponent)


class Patience:
    """Early stopping: ``update(metrics)`` at the end of each epoch is True once the test loss
    (the training loss when there are no test points) has not improved by more than
    ``min_delta`` (relative) for ``epochs`` epochs in a row; ``epochs`` 0 never stops.

    >>> p = Patience(2)
    >>> [p.update(Metrics(1.0, v, None, None), has_test=True) for v in (0.5, 0.4, 0.4, 0.4)]
    [False, False, False, True]
    """

    def __init__(self, epochs: int, min_delta: float = 1e-4) -> None:
        self.epochs = epochs
        self.min_delta = min_delta
        self.best = math.inf
        self.waited = 0

    def update(self, metrics: Metrics, has_test: bool) -> bool:
        """Count one epoch ending with ``metrics``; True when training should stop."""
        if not self.epochs:
            return False
        watched = metrics.test_loss if has_test else metrics.train_loss
        if watched < self.best * (1.0 - self.min_delta):
            self.best, self.waited = watched, 0
        else:
            self.waited += 1
        return self.waited >= self.epochs


def train(trainer: Trainer, epochs: int, patience: int = 0,
          min_delta: float = 1e-4) -> Iterator[StepRecord | EpochRecord | Diverged | Finished]:
    """Train for ``epochs`` more epochs, yielding every step and epoch record, then a
    :class:`Finished`.

    With ``patience`` > 0 it also stops when the test loss (the training loss if there are no
    test points) has not improved by more than ``min_delta`` (relative) for that many epochs
    (:class:`Patience`).
    """
    stop = Patience(patience, min_delta)
    metrics: Metrics | None = None
    for _ in range(epochs):
        for record in trainer.run_epoch():
            yield record
            if isinstance(record, Diverged):
                yield Finished("diverged", trainer.epoch, trainer.steps, metrics)
                return
            if isinstance(record, EpochRecord):
                metrics = record.metrics
        if metrics is not None and stop.update(metrics, len(trainer.data.x_test) > 0):
            yield Finished("patience", trainer.epoch, trainer.steps, metrics)
            return
    yield Finished("epochs", trainer.epoch, trainer.steps, metrics)
