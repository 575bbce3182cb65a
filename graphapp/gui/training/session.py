"""The worker side of the training panel: a trainer in a process of its own, and its snapshots.

A :class:`Worker` owns its own model and :class:`~graphapp.train.Trainer`. It runs in a child
process (:func:`serve`), so training and drawing use both cores and never contend for Python's
interpreter lock: a trainer thread inside the GUI process starved the window (every Qt call
waited for the lock). :class:`TrainingSession` is the GUI-side handle: it starts the process,
sends it commands (a new setup, play, pause, step one sample / batch / epoch, a new learning
rate, batch size or speed) and runs a :class:`~graphapp.gui.jobs.Job` that receives the
worker's snapshots, adds them to the curves so far (:class:`Mirror`) and hands the GUI the
latest one at screen rate through ``ctx.report``.

What a snapshot holds comes from the training layer and the engine: parameters, the last step's
gradients (``dL/dparameter`` from the engine's reverse mode) and update, the curves, and
:class:`Maps` over the input plane. The maps are the expensive part (a forward pass over a
100 × 100 grid for the decision boundary, a forward and backward pass over a smaller grid for
every neuron's output and backward signal), so while playing they are redrawn only as often as
keeps them under a tenth of the worker's time, and at most :data:`MAP_RATE` times a second.
They are computed in slices between training steps (:meth:`Worker.tick`), each under a
millisecond or two, so the stream of snapshots never pauses longer than a frame: computed in
one go, the maps held the snapshots back for 10–25 ms several times a second, and the window's
clock found nothing new to draw at those ticks. The worker also colours them
(:mod:`~graphapp.gui.training.palette`), so the window only wraps finished pixels in
pictures.

Caveats: the backward-signal maps need a target at every grid point; each point takes the label
of its nearest training point (the loss there if a sample with that label sat there). They show
the per-sample gradient dLᵢ/dz (the batch mean's gradient times the number of points). Running
the worker needs the ``spawn`` start method's usual care: a script that opens the panel must
guard its top level with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from graphapp.gui.training import palette
from graphapp.train import (
    MLP,
    DataSet,
    Diverged,
    Metrics,
    ModelConfig,
    ParamSet,
    Patience,
    StepRecord,
    TrainConfig,
    Trainer,
)

__all__ = [
    "BOUNDARY_GRID",
    "NEURON_GRID",
    "Delivered",
    "History",
    "MapPictures",
    "Maps",
    "Mirror",
    "SampleTrace",
    "SessionError",
    "Setup",
    "Snapshot",
    "TrainingSession",
    "Worker",
    "grid_points",
    "layer_nodes",
    "serve",
]

#: Cells per side of the decision-boundary map and of each neuron's maps.
BOUNDARY_GRID = 100
NEURON_GRID = 24
#: While playing, maps take at most this share of the worker's time …
MAP_SHARE = 0.1
#: … and are computed at most this often per second (the window draws each one).
MAP_RATE = 8
#: The boundary's grid is computed in this many slices of rows (one slice, 1,000 points, takes
#: about 0.5 ms here; the whole grid at once, 10,000 points, took 20 ms: its intermediate
#: arrays no longer fit the processor's cache).
BOUNDARY_SLICES = 10
#: How often (seconds) the worker builds a snapshot while playing: faster than the screen's
#: 60 frames a second, so that each frame finds a new one (building and sending one costs
#: the worker about 0.2 ms).
REPORT_INTERVAL = 1 / 100


@dataclass(frozen=True, eq=False)
class Setup:
    """Everything a session starts from: data, network, training settings, parameters."""

    data: DataSet
    model: ModelConfig
    training: TrainConfig
    params: np.ndarray | None = None  # a loaded model's parameters (None: initialise)
    epoch: int = 0
    steps: int = 0
    patience: int = 0  # Play stops after this many epochs without progress (0: never)
    #: The trainer's state to resume from (:meth:`Trainer.state <graphapp.train.Trainer.state>`:
    #: the optimiser's memory, the epoch's shuffle). On changed training points only the
    #: optimiser's memory is kept (None: a fresh optimiser).
    state: dict | None = None


@dataclass(frozen=True, eq=False)
class MapPictures:
    """The maps coloured for the panel (uint8 arrays, row 0 at the bottom, as the maps).

    ``boundary`` and ``boundary_discrete``: RGBA (g, g, 4), the output's score (or
    probabilities) and only the predicted class. ``tiles[c]``: column c's neuron outputs as
    round BGRA tiles (n, h, w, 4); ``signal_tiles[l - 1]``: layer l's backward signals as BGRA
    squares, on one log colour scale from the network's largest |dL/dz|; ``signal_peaks``:
    each neuron's largest |dL/dz| over the plane, per layer.
    """

    boundary: np.ndarray
    boundary_discrete: np.ndarray
    tiles: tuple[np.ndarray, ...]
    signal_tiles: tuple[np.ndarray, ...]
    signal_peaks: tuple[np.ndarray, ...]


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
    seconds: float  # what computing them took (the worker's time in their slices)
    pictures: MapPictures  # the maps coloured, as the window paints them


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
    #: The last step's batch loss (the training objective, penalty included); before the
    #: first step, the same objective for the current parameters on every training point.
    loss: float | None
    metrics: Metrics
    history: History
    maps: Maps | None
    sample: SampleTrace | None
    diverged: Diverged | None
    steps_per_second: float
    stopped: str | None = None  # why Play stopped by itself (early stopping)


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
    """A growing table of float rows (amortised appends, copies for snapshots).

    :meth:`thin` keeps every other row and from then on only every other row that comes
    (every fourth after two thinnings, …), so the rows kept stay evenly spread over the whole
    run: thinning the old rows alone left the start of a long run a few far-apart points,
    drawn as one long straight line."""

    def __init__(self, width: int) -> None:
        self._rows = np.empty((256, width))
        self.n = 0
        self.width = width
        self.stride = 1  # keep one row in this many of those that come
        self._seen = 0  # rows offered to extend() so far
        self._tail: np.ndarray | None = None  # the latest row, when the stride skipped it

    def add(self, *values: float) -> None:
        self.extend(np.array([values], dtype=np.float64))

    def extend(self, rows: np.ndarray) -> None:
        """Append rows (k × width), one in :attr:`stride` of them."""
        if self.stride > 1 and len(rows):
            first = -self._seen % self.stride
            skipped_last = (self._seen + len(rows) - 1) % self.stride != 0
            self._tail = rows[-1].copy() if skipped_last else None
            self._seen += len(rows)
            rows = rows[first::self.stride]
        else:
            self._seen += len(rows)
        while self.n + len(rows) > len(self._rows):
            self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
        self._rows[self.n:self.n + len(rows)] = rows
        self.n += len(rows)

    def thin(self) -> None:
        """Keep every other row, and from now on every other row that comes (long runs keep
        a bounded number of evenly spread points)."""
        latest = self._rows[self.n - 1].copy() if self.n else None
        kept = self._rows[:self.n:2].copy()
        self.n = len(kept)
        self._rows[:self.n] = kept
        self.stride *= 2
        if self._tail is None and latest is not None and (self._seen - 1) % self.stride:
            self._tail = latest  # the latest row stays drawn until a newer one comes

    def view(self) -> np.ndarray:
        """A read-only copy of the rows (and the latest row offered, if the stride skipped
        it: a curve always reaches the current step)."""
        rows = self._rows[:self.n].copy()
        if self._tail is not None:
            rows = np.vstack([rows, self._tail[None, :]])
        rows.flags.writeable = False
        return rows

    def take(self) -> np.ndarray:
        """The rows added since the last call (then forgotten)."""
        rows = self.view()
        self.n = 0
        return rows


#: Curve rows kept for drawing before thinning them to half (a curve of a few hundred pixels
#: shows no more, and drawing thousands of points costs a frame).
MAX_ROWS = 800


class Worker:
    """A trainer driven by commands; builds snapshots (history rows since the last one).
    Runs in one thread only (the training process's)."""

    def __init__(self, setup: Setup) -> None:
        data = setup.data
        self.data = data
        self.model = MLP(setup.model, data.task, data.n_classes)
        self.trainer = Trainer(self.model, data, setup.training, setup.params)
        self.trainer.epoch, self.trainer.steps = setup.epoch, setup.steps
        if setup.state is not None:
            self._resume(setup.state)
        self.playing = False
        self.speed = 0.0  # steps per second while playing; 0: as fast as it goes
        self.patience = Patience(setup.patience)
        self.stopped: str | None = None  # why Play stopped by itself
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
        self._map_job: Iterator[None] | None = None  # maps being computed, slice by slice
        self._map_seconds = 0.0  # … and the time their slices took so far
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
        self._start_loss = self._objective()
        self._rate_steps = 0
        self._rate_start = time.perf_counter()
        self.steps_per_second = 0.0
        self._unreported = True
        self._urgent = False  # a command's result waits to go out
        self._last_report = 0.0
        self._next_step = 0.0
        self._maps_sent: Maps | None = None

    def _resume(self, state: dict) -> None:
        """Go on from a trainer's state: all of it when it fits the training points, else
        (points added or removed) the optimiser's memory alone, if it is the same optimiser."""
        trainer = self.trainer
        try:
            trainer.load_state(state)
        except ValueError:
            if state.get("optimizer") == trainer.optimizer.name:
                with contextlib.suppress(KeyError, TypeError, ValueError):
                    trainer.optimizer.load_state(state["optimizer_state"])

    def _objective(self) -> float | None:
        """The training objective (data loss and penalty) of the current parameters on all
        training points: what the loss box shows before the first step."""
        model, d = self.model, self.data
        if not len(d.x_train):
            return None
        back = model.backward(self.trainer.flat, d.x_train, d.y_train)
        loss = float(np.asarray(back.forward.values[model.loss_node]))
        return loss if math.isfinite(loss) else None

    def state(self) -> tuple[dict, np.ndarray]:
        """The trainer's state (:meth:`Trainer.state`) and its parameters, now."""
        return self.trainer.state(), self.trainer.flat.copy()

    # ----------------------------------------------------------------- commands
    def handle(self, command: tuple[str, Any]) -> None:
        """Apply one command (see :meth:`TrainingSession.send`)."""
        what, arg = command
        if what == "play":
            self.playing = bool(arg) and self._diverged is None
            self._rate_steps, self._rate_start = 0, time.perf_counter()
            self.event = "play"
            if self.playing:  # the patience counts from here
                self.patience = Patience(self.patience.epochs)
                self.stopped = None
            else:  # paused: the maps of the parameters it stopped at
                self.refresh_maps()
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
            self.patience = Patience(self.patience.epochs)
            for _ in range(int(arg)):
                self.step_epoch()
                if self._diverged is not None or self._patience_ran_out():
                    break
            self.event = "diverged" if self._diverged is not None else "train"
            self.refresh_maps()
        elif what == "lr":
            self.trainer.lr = float(arg)
        elif what == "batch":
            self.trainer.config = replace(self.trainer.config, batch=int(arg))
        elif what == "speed":
            self.speed = float(arg)
        elif what == "patience":
            self.patience = Patience(int(arg))

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
        self._rate_steps += 1
        # the metrics (a pass over every point) after each epoch, and after each step when
        # paused or playing slowly (else a slow first epoch would leave the curves empty)
        if self.trainer.epoch != epoch_before or (evaluate and (not self.playing or self.speed)):
            self.metrics = self.trainer.evaluate()
            self._record_metrics()
        if self.trainer.epoch != epoch_before and self.playing and self._patience_ran_out():
            self.playing = False
        return True

    def _patience_ran_out(self) -> bool:
        """Count the epoch just ended for early stopping; True (and why, in ``stopped``) when
        the test loss has not improved for the patience's number of epochs."""
        if not self.patience.update(self.metrics, len(self.data.x_test) > 0):
            return False
        which = "test" if len(self.data.x_test) else "training"
        n = self.patience.epochs
        self.stopped = (f"Stopped at epoch {self.trainer.epoch}: the {which} loss has not "
                        f"improved for {n} epoch{'s' * (n != 1)} (early stopping; set "
                        "'stop after' to 'never' to go on).")
        return True

    def step_batch(self, evaluate: bool = True) -> bool:
        """One optimiser step on the next batch (then the metrics, when paused, playing
        slowly or at the end of an epoch, unless ``evaluate`` is False)."""
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
        """Compute :class:`Maps` for the current parameters, all at once (after a command:
        the snapshot that answers it shows them)."""
        self._map_job = None
        while not self._advance_maps():
            pass

    def _advance_maps(self) -> bool:
        """Compute one slice of the maps (starting them if none are under way); True when
        they are done (then :attr:`Maps.seconds` holds the time their slices took)."""
        if self._map_job is None:
            self._map_job, self._map_seconds = self._map_work(), 0.0
        start = time.perf_counter()
        try:
            next(self._map_job)
        except StopIteration:
            self._map_job = None
            self._maps = replace(self._maps, seconds=self._map_seconds +
                                 time.perf_counter() - start)
            return True
        self._map_seconds += time.perf_counter() - start
        return False

    def _map_work(self) -> Iterator[None]:
        """Compute :class:`Maps` in slices, yielding between them (each slice well under 2 ms
        here: a tenth of the boundary's rows, the small grid's backward pass, the units'
        health, three parts of the colouring). The parameters are copied first, so every
        slice shows the same model even while training goes on between them."""
        model, d = self.model, self.data
        flat, steps = self.trainer.flat.copy(), self.trainer.steps
        g, big = NEURON_GRID, BOUNDARY_GRID
        rows = []
        for chunk in np.array_split(self._big_grid, BOUNDARY_SLICES):
            rows.append(model.scores(flat, chunk))
            yield
        boundary = np.concatenate(rows)
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
        yield
        dead, saturated = self._health(flat)
        yield
        pictures = yield from self._pictures(boundary, outputs, signals)
        self._maps = Maps(steps, d.extent, boundary, tuple(outputs), tuple(signals), dead,
                          saturated, 0.0, pictures)

    def _pictures(self, boundary: np.ndarray, outputs: list[np.ndarray],
                  signals: list[np.ndarray]) -> Generator[None, None, MapPictures]:
        """The maps coloured as the panel shows them, in three slices (a generator that
        returns them): the boundary in the output's colours
        (its range: the scores' for classes, the targets' for regression), each neuron's
        output on its range (inputs and a regression output: their own; σ and ReLU: 0…1;
        else −1…1), the backward signals on one log scale."""
        d, model = self.data, self.model
        if d.task == "classes" and boundary.ndim == 3:
            shown = [palette.class_rgba(boundary, discrete) for discrete in (False, True)]
        elif d.task == "classes":
            shown = [palette.value_rgba(boundary, discrete=discrete) for discrete in
                     (False, True)]
        else:
            ys = np.concatenate([d.y_train, d.y_test])
            lo, hi = float(ys.min()), float(ys.max())
            shown = [palette.value_rgba(boundary, lo, hi, discrete) for discrete in
                     (False, True)]
        yield
        tiles = []
        last = len(outputs) - 1
        for layer, outs in enumerate(outputs):
            if layer == 0 or (layer == last and d.task != "classes"):
                flat = outs.reshape(len(outs), -1)  # inputs, values: each its own range
                lo, hi = flat.min(axis=1), flat.max(axis=1)
            elif layer < last and model.config.activation in ("sigmoid", "relu"):
                lo, hi = np.zeros(len(outs)), np.ones(len(outs))  # σ and ReLU outputs ≥ 0
            else:
                lo, hi = -np.ones(len(outs)), np.ones(len(outs))
            tiles.append(palette.value_tiles(outs, lo, hi))
        yield
        peaks = palette.signal_peaks(tuple(signals))
        top = max((float(peak.max(initial=0.0)) for peak in peaks), default=0.0)
        return MapPictures(shown[0], shown[1], tuple(tiles),
                           tuple(palette.signal_tiles(sig, top) for sig in signals), peaks)

    def _health(self, flat: np.ndarray,
                ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Dead (ReLU zero everywhere) and saturated (σ′ ≈ 0) hidden units of the parameters
        ``flat``, on the training points."""
        model = self.model
        act = model.config.activation
        hidden = self._nodes[:-1]
        if act == "linear" or not hidden:
            empty = tuple(np.zeros(n, dtype=bool) for n in model.sizes[1:-1])
            return empty, empty
        vals = model.backward(flat, self.data.x_train,
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
        m = self._metrics_rows.take()
        gr = self._grad_rows.take()
        history = History(m[:, 0], m[:, 1], m[:, 2], m[:, 3], m[:, 4], gr[:, 0], gr[:, 1:])
        maps = self._maps if self._maps is not self._maps_sent else None
        self._maps_sent = self._maps
        last = self._last
        indices = None if last is None else last.indices
        return Snapshot(self.serial, self.event, t.epoch, t.steps, t.steps_per_epoch,
                        self.playing, t.lr, t.config.batch, t.params(),
                        None if last is None else last.grads,
                        None if last is None else last.update, indices,
                        self._start_loss if last is None else last.loss, self.metrics, history,
                        maps, self._sample, self._diverged, self.steps_per_second,
                        self.stopped)

    # ----------------------------------------------------------------- the loop
    def tick(self, manual: bool) -> bool:
        """Step if playing (at the chosen speed) and, when maps are due or under way, compute
        one slice of them; True when a snapshot should go out now (after a command, or at
        screen rate while playing)."""
        now = time.perf_counter()
        if self.playing:
            if self.speed and now < self._next_step:  # slow play: the maps go on meanwhile
                if self._map_job is None:
                    time.sleep(min(self._next_step - now, 0.01))
                else:
                    self._unreported = self._work_on_maps() or self._unreported
            else:
                self._next_step = now + (1 / self.speed if self.speed else 0.0)
                self.step_batch()
                self._unreported = True
                if self.speed:
                    self.serial += 1  # slow play animates each step's wave
                if not self.playing:  # it stopped by itself: the maps of where it stopped
                    self.refresh_maps()
                else:
                    self._work_on_maps()
        self._unreported = self._unreported or manual
        self._urgent = self._urgent or manual
        now = time.perf_counter()
        return self._unreported and (self._urgent or now - self._last_report >= REPORT_INTERVAL)

    def _work_on_maps(self) -> bool:
        """Start the maps when they are due and compute one slice of them; True when they
        were finished (the next ones are due once they would take over :data:`MAP_SHARE`
        of the time, and not before 1 / :data:`MAP_RATE` s)."""
        if self._map_job is None and time.perf_counter() < self._maps_due:
            return False
        if not self._advance_maps():
            return False
        self._maps_due = time.perf_counter() + max(
            self._maps.seconds * (1 - MAP_SHARE) / MAP_SHARE, 1 / MAP_RATE)
        return True

    def reported(self) -> None:
        """The snapshot that :meth:`tick` asked for went out."""
        self._last_report = time.perf_counter()
        self._unreported = self._urgent = False


def serve(commands: Any, updates: Any) -> None:
    """The training process: read commands, train, send snapshots, until ``("quit", None)``.

    ``("setup", (session, Setup))`` starts a new worker; ``("state", None)`` is answered with
    ``("state", session, (trainer state, parameters))`` (None without a worker); snapshots go
    out as
    ``("snapshot", session, Snapshot)`` whose history holds only the rows since the previous
    one, and whose maps are ``None`` when unchanged (:class:`Mirror` puts them together);
    a setup that cannot train sends ``("error", session, message)``.

    Flow control: at most :data:`CREDITS` snapshots are on their way at once; the window
    answers each with ``("ack", None)``. Without it the trainer would block on a full pipe
    whenever the window reads late (its reading thread waits for Python's interpreter lock
    while the window draws), and build snapshots nobody draws.
    """
    with contextlib.suppress(BrokenPipeError, EOFError):  # the window went away
        _serve(commands, updates)


#: Snapshots sent and not yet acknowledged by the window, at most.
CREDITS = 2


def _serve(commands: Any, updates: Any) -> None:
    worker: Worker | None = None
    session = 0
    credits = CREDITS
    while True:
        manual = False
        timeout = 0.0 if worker is not None and worker.playing else 0.05
        while commands.poll(timeout):
            timeout = 0.0
            what, arg = commands.recv()
            if what == "quit":
                return
            if what == "ack":
                credits = min(CREDITS, credits + 1)
            elif what == "setup":
                session, setup = arg
                try:
                    worker = Worker(setup)
                    worker.refresh_maps()
                except ValueError as exc:
                    worker = None
                    updates.send(("error", session, str(exc)))
                    continue
                manual = True
            elif what == "state":
                updates.send(("state", session, None if worker is None else worker.state()))
            elif worker is not None:
                worker.handle((what, arg))
                manual = True
        if worker is not None and worker.tick(manual) and credits:
            updates.send(("snapshot", session, worker.snapshot()))
            worker.reported()
            credits -= 1


class Mirror:
    """The GUI side's copy of one session's curves: adds each snapshot's new history rows to
    those so far (thinning long runs to at most :data:`MAX_ROWS` rows), and keeps the last
    maps when a snapshot brings none."""

    def __init__(self) -> None:
        self.session = -1
        self.carried: set[int] = set()  # sessions that go on with the curves before them
        self._metrics = _Series(5)
        self._grads: _Series | None = None
        self._maps: Maps | None = None

    def merge(self, session: int, snap: Snapshot) -> Snapshot | None:
        """The snapshot with the whole history and the latest maps (None: a late snapshot
        of a session already replaced)."""
        h = snap.history
        if session < self.session:
            return None
        if session != self.session:
            carry = session in self.carried and self._grads is not None and \
                self._grads.width == 1 + h.grad_norms.shape[1]
            self.session = session
            self._maps = None
            if not carry:
                self._metrics = _Series(5)
                self._grads = _Series(1 + h.grad_norms.shape[1])
        self._metrics.extend(np.column_stack([h.epochs, h.train_loss, h.test_loss,
                                              h.train_accuracy, h.test_accuracy]))
        self._grads.extend(np.column_stack([h.grad_steps, h.grad_norms]))
        for series in (self._metrics, self._grads):
            if series.n > MAX_ROWS:
                series.thin()
        if snap.maps is not None:
            self._maps = snap.maps
        m, g = self._metrics.view(), self._grads.view()
        history = History(m[:, 0], m[:, 1], m[:, 2], m[:, 3], m[:, 4], g[:, 0], g[:, 1:])
        return replace(snap, history=history, maps=self._maps)


@dataclass(frozen=True)
class SessionError:
    """The training process could not start a setup (a one-line reason)."""

    session: int
    message: str


@dataclass(frozen=True)
class Delivered:
    """A snapshot of session ``session``, as the GUI receives it."""

    session: int
    snapshot: Snapshot


class TrainingSession:
    """The GUI's handle on the training process: start setups, send commands, stop.

    ``on_update`` is called on the GUI thread with each :class:`Delivered` snapshot (the latest
    one, at most at screen rate) or :class:`SessionError`; ``on_failure`` with a one-line
    message if the process fails.
    """

    def __init__(self, jobs: Any, on_update: Any, on_failure: Any) -> None:
        import multiprocessing
        import os

        ctx = multiprocessing.get_context("spawn")
        commands_in, self._commands = ctx.Pipe(duplex=False)
        self._updates, updates_out = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=serve, args=(commands_in, updates_out),
                                   name="graphapp-training", daemon=True)
        saved = {k: os.environ.get(k) for k in _ONE_THREAD}
        os.environ.update(dict.fromkeys(_ONE_THREAD, "1"))  # the other core draws
        try:
            self.process.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        commands_in.close()
        updates_out.close()
        self._sending = threading.Lock()
        self.session = 0
        self.setup: Setup | None = None
        self.model: MLP | None = None
        self._mirror = Mirror()
        self._states: queue.Queue = queue.Queue()  # answers to trainer_state()
        self.job = jobs.start("training", self._relay)
        self.job.progress.connect(on_update)
        self.job.failed.connect(on_failure)

    def start(self, setup: Setup, carry_curves: bool = False) -> MLP:
        """Train ``setup`` from now on; returns the GUI's own copy of its model. Raises
        ``ValueError`` (nothing changes) when the network does not fit the data.
        ``carry_curves``: the run goes on from the last one (same network, its parameters
        and counts), so its curves continue those so far."""
        model = MLP(setup.model, setup.data.task, setup.data.n_classes)
        self.session += 1
        if carry_curves:
            self._mirror.carried.add(self.session)
        self.setup, self.model = setup, model
        self._commands.send(("setup", (self.session, setup)))
        return model

    def send(self, what: str, arg: Any = None) -> None:
        """``("play", bool)``, ``("step", "sample" | "batch" | "epoch")``, ``("train", epochs)``
        (at once, no animation), ``("lr", float)``, ``("batch", int)``, ``("speed", steps per
        second, 0 for as fast as it goes)``; the trainer's state: :meth:`trainer_state`."""
        with self._sending:  # the relay thread sends acknowledgements on the same pipe
            self._commands.send((what, arg))

    def trainer_state(self, timeout: float = 5.0) -> tuple[dict, np.ndarray] | None:
        """The running trainer's state and parameters at this moment (asked of the training
        process; waits for its answer), or None if it does not answer in ``timeout``
        seconds."""
        while not self._states.empty():  # answers that came too late for an earlier ask
            self._states.get_nowait()
        self.send("state")
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                session, answer = self._states.get(timeout=left)
            except queue.Empty:
                return None
            if session == self.session:
                return answer
        return None

    def latest(self) -> Delivered | SessionError | None:
        """What the relay received last (the panel's clock asks at each frame, rather than
        wait for the signal that also brings it)."""
        return self.job.ctx.take()

    def stop(self, seconds: float = 5) -> None:
        """End the training process and the relay job."""
        with contextlib.suppress(OSError, ValueError):  # the process may be gone already
            self.send("quit")
        self.job.cancel()
        self.job.wait(seconds)
        self.process.join(seconds)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(seconds)
        self._commands.close()
        self._updates.close()

    def _relay(self, ctx: Any) -> None:
        """The job: receive snapshots, complete them, report the latest."""
        while not ctx.cancelled:
            try:
                if not self._updates.poll(0.05):
                    if not self.process.is_alive():
                        raise RuntimeError(f"the training process ended (exit code "
                                           f"{self.process.exitcode})")
                    continue
                kind, session, payload = self._updates.recv()
                if kind == "state":
                    self._states.put((session, payload))
                    continue
                if kind == "snapshot":
                    self.send("ack")
            except (EOFError, OSError):
                if ctx.cancelled:
                    return
                raise RuntimeError("the training process ended") from None
            if kind == "error":
                ctx.report(SessionError(session, payload))
                continue
            merged = self._mirror.merge(session, payload)
            if merged is not None:
                ctx.report(Delivered(session, merged))


#: Thread counts of the numerical libraries, set to 1 in the training process.
_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
