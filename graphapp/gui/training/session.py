"""The worker side of the training panel: a trainer in a background job, and its snapshots.

A :class:`Worker` owns its own model and :class:`~graphapp.train.Trainer` (nothing the GUI
touches). It runs in a :class:`~graphapp.gui.jobs.Job`, takes commands from a queue (play,
pause, step one sample / batch / epoch, a new learning rate, batch size or speed) and hands the
GUI immutable :class:`Snapshot` values through ``ctx.report``: the GUI gets the latest one at
screen rate, however fast the trainer steps. :class:`TrainingSession` is the GUI-side handle.

What a snapshot holds comes from the training layer and the engine: parameters, the last step's
gradients (``dL/dparameter`` from the engine's reverse mode) and update, the curves, and
:class:`Maps` over the input plane. The maps are the expensive part (a forward pass over a
100 × 100 grid for the decision boundary, a forward and backward pass over a smaller grid for
every neuron's output and backward signal), so while playing they are redrawn only as often as
keeps them under a fifth of the worker's time.

Caveats: the backward-signal maps need a target at every grid point; each point takes the label
of its nearest training point (the loss there if a sample with that label sat there). They show
the per-sample gradient dLᵢ/dz (the batch mean's gradient times the number of points).
"""

from __future__ import annotations

import math
import queue
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from graphapp.train import (
    DataSet,
    Diverged,
    Metrics,
    MLP,
    ModelConfig,
    ParamSet,
    StepRecord,
    TrainConfig,
    Trainer,
)

__all__ = [
    "BOUNDARY_GRID",
    "NEURON_GRID",
    "History",
    "Maps",
    "SampleTrace",
    "Setup",
    "Snapshot",
    "TrainingSession",
    "Worker",
    "grid_points",
    "layer_nodes",
]

#: Cells per side of the decision-boundary map and of each neuron's maps.
BOUNDARY_GRID = 100
NEURON_GRID = 24
#: While playing, maps take at most this share of the worker's time.
MAP_SHARE = 0.2
#: How often (seconds) the worker builds a snapshot while playing: the screen's rate.
REPORT_INTERVAL = 1 / 60


@dataclass(frozen=True, eq=False)
class Setup:
    """Everything a session starts from: data, network, training settings, parameters."""

    data: DataSet
    model: ModelConfig
    training: TrainConfig
    params: np.ndarray | None = None  # a loaded model's parameters (None: initialise)
    epoch: int = 0
    steps: int = 0


@dataclass(frozen=True, eq=False)
class Maps:
    """Maps over the input plane (``extent`` = x0, x1, y0, y1), cell [iy, ix].

    ``boundary``: the output's score on a BOUNDARY_GRID² grid (2 classes: tanh of the output,
    its sign the class; k classes: probabilities, shape (g, g, k); regression: the value).
    ``outputs[l]``: layer l's neuron outputs (inputs first), shape (n, g, g) on the NEURON_GRID.
    ``signals[l - 1]``: dL/dz of layer l's pre-activations (n, g, g). ``dead`` and ``saturated``:
    per hidden layer, the units that are (ReLU) zero on every training point, or whose σ′ is
    under a tenth of its largest value on 90 % of them.
    """

    steps: int
    extent: tuple[float, float, float, float]
    boundary: np.ndarray
    outputs: tuple[np.ndarray, ...]
    signals: tuple[np.ndarray, ...]
    dead: tuple[np.ndarray, ...]
    saturated: tuple[np.ndarray, ...]
    seconds: float  # what computing them took


@dataclass(frozen=True, eq=False)
class SampleTrace:
    """One training sample's forward and backward pass (before its update)."""

    row: int
    x: np.ndarray  # the raw point (2,)
    label: float
    values: tuple[np.ndarray, ...]  # each layer's outputs for this sample, inputs first
    loss: float
    grads: ParamSet  # dL/dparameter for this sample alone


@dataclass(frozen=True, eq=False)
class History:
    """Curves: metrics at fractional epochs, and each layer's ‖dL/dW‖ per step."""

    epochs: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray  # nan for regression
    test_accuracy: np.ndarray
    grad_steps: np.ndarray
    grad_norms: np.ndarray  # steps × layers


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state of a training session at one moment, read-only (safe across threads).

    ``event`` says what produced it: ``"start"``, ``"sample"``, ``"batch"``, ``"epoch"``,
    ``"play"`` (steps while playing), ``"maps"`` or ``"diverged"``; ``serial`` grows by one
    with each manual step, so the panel animates each once.
    """

    serial: int
    event: str
    epoch: int
    steps: int
    steps_per_epoch: int
    playing: bool
    lr: float
    batch: int
    params: ParamSet
    grads: ParamSet | None
    update: ParamSet | None
    indices: np.ndarray | None  # the last step's training rows
    loss: float | None  # the last step's batch loss
    metrics: Metrics
    history: History
    maps: Maps | None
    sample: SampleTrace | None
    diverged: Diverged | None
    steps_per_second: float


def layer_nodes(model: MLP) -> list[str]:
    """The graph node holding each layer's outputs after the inputs (``h1``, …, ``zL``)."""
    n_layers = len(model.sizes) - 1
    linear = model.config.activation == "linear"
    hidden = [f"z{layer}" if linear else f"h{layer}" for layer in range(1, n_layers)]
    return [*hidden, model.output_node]


def grid_points(extent: tuple[float, float, float, float], cells: int) -> np.ndarray:
    """Cell centres of a cells × cells grid over ``extent``, row by row (y, then x)."""
    x0, x1, y0, y1 = extent
    xs = x0 + (np.arange(cells) + 0.5) * (x1 - x0) / cells
    ys = y0 + (np.arange(cells) + 0.5) * (y1 - y0) / cells
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


class _Series:
    """A growing table of float rows (amortised appends, copies for snapshots)."""

    def __init__(self, width: int) -> None:
        self._rows = np.empty((256, width))
        self.n = 0

    def add(self, *values: float) -> None:
        if self.n == len(self._rows):
            self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
        self._rows[self.n] = values
        self.n += 1

    def thin(self) -> None:
        """Keep every other row (long runs keep a bounded number of points)."""
        kept = self._rows[:self.n:2].copy()
        self.n = len(kept)
        self._rows[:self.n] = kept

    def view(self) -> np.ndarray:
        rows = self._rows[:self.n].copy()
        rows.flags.writeable = False
        return rows


#: Grad-norm rows kept before thinning them to half.
MAX_GRAD_ROWS = 20_000


class Worker:
    """A trainer driven by commands; builds snapshots. Runs in one thread only."""

    def __init__(self, setup: Setup) -> None:
        data = setup.data
        self.data = data
        self.model = MLP(setup.model, data.task, data.n_classes)
        self.trainer = Trainer(self.model, data, setup.training, setup.params)
        self.trainer.epoch, self.trainer.steps = setup.epoch, setup.steps
        self.commands: queue.SimpleQueue = queue.SimpleQueue()
        self.playing = False
        self.speed = 0.0  # steps per second while playing; 0: as fast as it goes
        self.serial = 0
        self.event = "start"
        self._nodes = layer_nodes(self.model)
        self._n_layers = len(self.model.sizes) - 1
        self._metrics_rows = _Series(5)
        self._grad_rows = _Series(1 + self._n_layers)
        self._last: StepRecord | None = None
        self._sample: SampleTrace | None = None
        self._diverged: Diverged | None = None
        self._maps: Maps | None = None
        self._maps_due = 0.0
        rng = np.random.default_rng(setup.training.seed + 2)
        self._sample_order = rng.permutation(len(data.x_train))
        self._sample_cursor = 0
        self._small_grid = grid_points(data.extent, NEURON_GRID)
        self._big_grid = grid_points(data.extent, BOUNDARY_GRID)
        nearest = np.argmin(((self._small_grid[:, None, :] - data.x_train[None, :, :]) ** 2)
                            .sum(axis=2), axis=1)
        self._small_labels = data.y_train[nearest]
        self.metrics = self.trainer.evaluate()
        self._record_metrics()
        self._rate_steps = 0
        self._rate_start = time.perf_counter()
        self.steps_per_second = 0.0
        self._unreported = False

    # ----------------------------------------------------------------- commands
    def handle(self, command: tuple[str, Any]) -> None:
        """Apply one command (see :meth:`TrainingSession.send`)."""
        what, arg = command
        if what == "play":
            self.playing = bool(arg) and self._diverged is None
            self._rate_steps, self._rate_start = 0, time.perf_counter()
            self.event = "play"
        elif what == "step":
            self.playing = False
            if self._diverged is None:
                {"sample": self.step_sample, "batch": self.step_batch,
                 "epoch": self.step_epoch}[arg]()
                self.serial += 1
                self.event = arg if self._diverged is None else "diverged"
            self.refresh_maps()
        elif what == "train":
            self.playing = False
            for _ in range(int(arg)):
                self.step_epoch()
                if self._diverged is not None:
                    break
            self.event = "diverged" if self._diverged is not None else "train"
            self.refresh_maps()
        elif what == "lr":
            self.trainer.lr = float(arg)
        elif what == "batch":
            self.trainer.config = replace(self.trainer.config, batch=int(arg))
        elif what == "speed":
            self.speed = float(arg)

    # ----------------------------------------------------------------- steps
    def _after(self, record: StepRecord | Diverged, epoch_before: int,
               evaluate: bool = True) -> bool:
        """Book-keeping after a step; False if training diverged."""
        if isinstance(record, Diverged):
            self._diverged = record
            self.playing = False
            self.event = "diverged"
            return False
        self._last = record
        norms = [float(np.linalg.norm(record.grads[f"W{layer}"]))
                 for layer in range(1, self._n_layers + 1)]
        self._grad_rows.add(record.step, *norms)
        if self._grad_rows.n >= MAX_GRAD_ROWS:
            self._grad_rows.thin()
        self._rate_steps += 1
        if self.trainer.epoch != epoch_before or (evaluate and not self.playing):
            self.metrics = self.trainer.evaluate()
            self._record_metrics()
        return True

    def step_batch(self, evaluate: bool = True) -> bool:
        """One optimiser step on the next batch (then the metrics, when paused or at the end
        of an epoch, unless ``evaluate`` is False)."""
        before = self.trainer.epoch
        return self._after(self.trainer.step(), before, evaluate)

    def step_epoch(self) -> None:
        """The steps left in the current epoch."""
        target = self.trainer.epoch + 1
        while self.trainer.epoch < target:
            if not self.step_batch(evaluate=False):
                return

    def step_sample(self) -> None:
        """One step on one training sample, keeping its forward and backward pass."""
        if self._sample_cursor >= len(self._sample_order):
            self._sample_cursor = 0
        row = int(self._sample_order[self._sample_cursor])
        self._sample_cursor += 1
        d, model = self.data, self.model
        x, y = d.x_train[row:row + 1], d.y_train[row:row + 1]
        back = model.backward(self.trainer.flat, x, y)
        values = back.forward.values
        layers = (model.features(x)[0], *(np.asarray(values[n])[0] for n in self._nodes))
        before = self.trainer.epoch
        record = self.trainer.step(np.array([row]))
        if self._after(record, before) and isinstance(record, StepRecord):
            self._sample = SampleTrace(row, d.x_train[row].copy(), float(d.y_train[row]),
                                       tuple(np.array(v) for v in layers), record.loss,
                                       record.grads)

    def _record_metrics(self) -> None:
        m = self.metrics
        nan = math.nan
        self._metrics_rows.add(self.trainer.steps / self.trainer.steps_per_epoch, m.train_loss,
                               m.test_loss, nan if m.train_accuracy is None else m.train_accuracy,
                               nan if m.test_accuracy is None else m.test_accuracy)

    # ----------------------------------------------------------------- maps
    def refresh_maps(self) -> None:
        """Compute :class:`Maps` for the current parameters."""
        start = time.perf_counter()
        model, flat, d = self.model, self.trainer.flat, self.data
        g = NEURON_GRID
        boundary = model.scores(flat, self._big_grid)
        big = BOUNDARY_GRID
        boundary = boundary.reshape(big, big, -1) if boundary.ndim == 2 else \
            boundary.reshape(big, big)
        back = model.backward(flat, self._small_grid, self._small_labels)
        vals, grads = back.forward.values, back.grads
        per_point = len(self._small_grid)
        outputs = [model.features(self._small_grid).T.reshape(-1, g, g)]
        signals = []
        for layer, node in enumerate(self._nodes, start=1):
            out = model.scores(flat, self._small_grid) if node == model.output_node \
                else np.asarray(vals[node])
            out = out.reshape(per_point, -1)
            outputs.append(out.T.reshape(-1, g, g))
            dz = np.asarray(grads[f"z{layer}"]).reshape(per_point, -1) * per_point
            signals.append(dz.T.reshape(-1, g, g))
        dead, saturated = self._health()
        self._maps = Maps(self.trainer.steps, d.extent, boundary, tuple(outputs), tuple(signals),
                          dead, saturated, time.perf_counter() - start)

    def _health(self) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Dead (ReLU zero everywhere) and saturated (σ′ ≈ 0) hidden units, on the training
        points."""
        model = self.model
        act = model.config.activation
        hidden = self._nodes[:-1]
        if act == "linear" or not hidden:
            empty = tuple(np.zeros(n, dtype=bool) for n in model.sizes[1:-1])
            return empty, empty
        vals = model.backward(self.trainer.flat, self.data.x_train,
                              self.data.y_train).forward.values
        dead, saturated = [], []
        for node in hidden:
            h = np.asarray(vals[node])
            if act == "relu":
                dead.append(np.all(h <= 0, axis=0))
                saturated.append(np.zeros(h.shape[1], dtype=bool))
                continue
            slope = 1 - h * h if act == "tanh" else 4 * h * (1 - h)  # σ′ over its largest
            saturated.append(np.mean(slope < 0.1, axis=0) >= 0.9)
            dead.append(np.zeros(h.shape[1], dtype=bool))
        return tuple(dead), tuple(saturated)

    # ----------------------------------------------------------------- snapshots
    def snapshot(self) -> Snapshot:
        """The current state, as immutable values."""
        t = self.trainer
        now = time.perf_counter()
        if self.playing and now - self._rate_start > 0.25:
            self.steps_per_second = self._rate_steps / (now - self._rate_start)
        m = self._metrics_rows.view()
        gr = self._grad_rows.view()
        history = History(m[:, 0], m[:, 1], m[:, 2], m[:, 3], m[:, 4], gr[:, 0], gr[:, 1:])
        last = self._last
        indices = None if last is None else last.indices
        return Snapshot(self.serial, self.event, t.epoch, t.steps, t.steps_per_epoch,
                        self.playing, t.lr, t.config.batch, t.params(),
                        None if last is None else last.grads,
                        None if last is None else last.update, indices,
                        None if last is None else last.loss, self.metrics, history,
                        self._maps, self._sample, self._diverged, self.steps_per_second)

    # ----------------------------------------------------------------- the job
    def run(self, ctx: Any) -> Snapshot:
        """The worker loop: commands, steps, maps and snapshots until cancelled."""
        self.refresh_maps()
        ctx.report(self.snapshot())
        last_report = time.perf_counter()
        next_step = 0.0
        while not ctx.cancelled:
            dirty = manual = False
            try:
                command = self.commands.get(timeout=0 if self.playing else 0.05)
                while True:
                    self.handle(command)
                    dirty = True
                    manual = manual or command[0] in ("step", "play", "train")
                    command = self.commands.get_nowait()
            except queue.Empty:
                pass
            now = time.perf_counter()
            if self.playing:
                if self.speed and now < next_step:
                    time.sleep(min(next_step - now, 0.01))
                else:
                    next_step = now + (1 / self.speed if self.speed else 0.0)
                    self.step_batch()
                    self._unreported = True
                    if self.speed:
                        self.serial += 1  # slow play animates each step's wave
                    if time.perf_counter() >= self._maps_due or not self.playing:
                        self.refresh_maps()
                        self._maps_due = time.perf_counter() + \
                            self._maps.seconds * (1 - MAP_SHARE) / MAP_SHARE
            self._unreported = self._unreported or dirty
            now = time.perf_counter()
            if self._unreported and (manual or now - last_report >= REPORT_INTERVAL):
                ctx.report(self.snapshot())
                last_report = now
                self._unreported = False
        return self.snapshot()



class TrainingSession:
    """The GUI's handle on one worker: start it, send it commands, stop it.

    ``on_snapshot`` is called on the GUI thread with each delivered :class:`Snapshot`,
    ``on_failure`` with a one-line message if the worker fails.
    """

    def __init__(self, jobs: Any, setup: Setup, on_snapshot: Any, on_failure: Any) -> None:
        self.setup = setup
        self.worker = Worker(setup)
        self.model = MLP(setup.model, setup.data.task, setup.data.n_classes)  # the GUI's copy
        self.job = jobs.start("training", self.worker.run)
        self.job.progress.connect(on_snapshot)
        self.job.failed.connect(on_failure)

    def send(self, what: str, arg: Any = None) -> None:
        """``("play", bool)``, ``("step", "sample" | "batch" | "epoch")``, ``("train", epochs)``
        (at once, no animation), ``("lr", float)``,
        ``("batch", int)``, ``("speed", steps per second, 0 for as fast as it goes)``."""
        self.worker.commands.put((what, arg))

    def stop(self, seconds: float = 5) -> None:
        """Cancel the worker and wait for its thread."""
        self.job.cancel()
        self.job.wait(seconds)
