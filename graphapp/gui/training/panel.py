"""The training panel: controls, the network diagram, the data over the decision boundary and
the curves, driven by snapshots from a training worker.

The panel never trains or computes on the GUI thread: it sends commands to its
:class:`~graphapp.gui.training.session.TrainingSession` and, at each tick of one 60 Hz clock,
paints the latest :class:`~graphapp.gui.training.session.Snapshot` it received (older ones are
never drawn). Changing the data or the network starts a new session; changing the learning
rate, the batch size or the patience is applied to the running one; points added or removed by
hand start a session that goes on from the current weights and optimiser memory (momentum,
Adam's running means), curves included. A saved model holds the trainer's state, so opening it
resumes training exactly where it stopped.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from graphapp.gui.jobs import MAX_FPS, Jobs
from graphapp.gui.training.controls import Choices, Controls
from graphapp.gui.training.diagram import DiagramData, NetworkDiagram
from graphapp.gui.training.display import fmt, pictures
from graphapp.gui.training.plots import CurvePlot, DataPlot
from graphapp.gui.training.session import (
    Delivered,
    SessionError,
    Setup,
    Snapshot,
    TrainingSession,
)
from graphapp.train import (
    CsvError,
    DataSet,
    ModelConfig,
    TrainConfig,
    make_dataset,
    read_csv,
)

__all__ = ["SPEEDS", "TrainingPanel", "choices_of", "setup_of"]

#: Play speeds: label → steps per second (0: as fast as the machine goes).
SPEEDS = {"1 step/s": 1.0, "3 steps/s": 3.0, "10 steps/s": 10.0, "30 steps/s": 30.0,
          "fastest": 0.0}
#: While playing, an open weight window follows the steps at most this often per second.
WEIGHT_RATE = 4
#: How long (seconds) saving or editing the points waits for the training process to send its
#: state (it answers within a step; while it trains many epochs at once it cannot, and the
#: panel goes on without the optimiser's memory rather than freeze).
STATE_WAIT = 1.0
PROBLEM_STYLE = ("QLabel { background: #fef2f2; color: #991b1b; border: 1px solid #fca5a5; "
                 "border-radius: 4px; padding: 6px; }")
NOTE_STYLE = ("QLabel { background: #eff6ff; color: #1e3a8a; border: 1px solid #93c5fd; "
              "border-radius: 4px; padding: 6px; }")
LAYER_COLOURS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0d9488", "#4b5563"]


def choices_of(setup: Setup) -> Choices:
    """The controls' view of a setup."""
    m, t, r = setup.model, setup.training, setup.data.recipe
    reg, rate = ("L1", m.l1) if m.l1 else ("L2", m.l2) if m.l2 else ("none", 0.0)
    return Choices(r.name, r.points, r.noise or 0.0, r.test_share, m.features, m.hidden,
                   m.activation, m.loss, t.optimizer, t.lr, t.batch, reg, rate, t.seed, r.seed,
                   m.init, m.slope, setup.patience)


def setup_of(c: Choices, data: DataSet) -> Setup:
    """A setup from the controls, for ``data`` (the loss adapted to the task if it must be)."""
    loss = c.loss
    if data.task == "regression":
        loss = "squared"
    elif data.n_classes > 2 and loss == "bce":
        loss = "ce"
    model = ModelConfig(features=c.features if data.dims == 2 else ("x1",), hidden=c.hidden,
                        activation=c.activation, slope=c.slope, loss=loss, init=c.init,
                        l1=c.rate if c.regularisation == "L1" else 0.0,
                        l2=c.rate if c.regularisation == "L2" else 0.0)
    return Setup(data, model, TrainConfig(optimizer=c.optimizer, lr=c.lr, batch=c.batch,
                                          seed=c.seed), patience=c.patience)


class TrainingPanel(QWidget):
    """The whole panel. ``weight_clicked(name, row, col)`` is the diagram's."""

    weight_clicked = Signal(str, int, int)
    #: Emitted with each snapshot the panel has drawn (tests, benchmarks).
    drawn = Signal(object)

    def __init__(self, setup: Setup | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = Jobs(self)
        self.snapshot: Snapshot | None = None
        self._maps_shown = None
        self._serial = 0
        self._discrete = False
        self._edited_data: DataSet | None = None  # the data as last changed by hand
        self._latest: Snapshot | None = None  # delivered, not drawn yet
        self._last_update = None
        self._stop_shown = False  # the last early stop is in the banner
        self._frame_cpu = 0.0  # the GUI thread's processor time when the last frame began
        self._idle_ticks = 0  # ticks in a row with nothing to draw
        self._buttons_for: tuple[int, int] | None = None  # what the step buttons say
        self.weight_detail = None  # made on the first click on a weight
        self._weight_shown: tuple[str, int, int] | None = None  # kept up to date after steps
        self._weight_at = 0.0
        self._editor = None  # an editor window for "Open in the editor", if none holds us
        self._csv = None  # the recipe of the last CSV file loaded (its data set's name)
        #: What drawing the last frames took (seconds, from the tick to the event loop idle).
        self.frame_times: deque[float] = deque(maxlen=1000)
        if setup is None:
            c = Choices()
            setup = setup_of(c, make_dataset(c.dataset, c.points, c.noise, c.test_share,
                                             c.data_seed))
        self.data = setup.data

        self.controls = Controls(choices_of(setup), self)
        self.diagram = NetworkDiagram(self, driven=True)
        self._clock = QTimer(self)
        self._clock.setTimerType(Qt.TimerType.PreciseTimer)
        self._clock.setInterval(1000 // MAX_FPS)
        self._clock.timeout.connect(self._frame)

        self.data_plot = DataPlot(self)
        self.loss_plot = CurvePlot("Loss", "epoch", ["train", "test"], ["#111827", "#d97706"])
        self.accuracy_plot = CurvePlot("Accuracy", "epoch", ["train", "test"],
                                       ["#111827", "#d97706"], y_range=(0.0, 1.0))
        self.grad_plot = CurvePlot("Gradient size ‖dL/dW‖ per layer (log scale)", "step", ["W1"],
                                   [LAYER_COLOURS[0]], log_y=True, smoothing=True,
                                   x_least=10.0)
        for plot in (self.loss_plot, self.accuracy_plot, self.grad_plot):
            plot.setMinimumHeight(140)

        self._build_layout()
        self._connect()
        self.session: TrainingSession | None = TrainingSession(self.jobs, self._on_update,
                                                               self._on_failure)
        if not self.start(setup):
            raise ValueError(self.banner.text())

    # ----------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        big = QFont(self.font())
        big.setPointSizeF(13)
        big.setBold(True)
        self.reset_button = QPushButton("⟲ Reset", self)
        self.reset_button.setToolTip("back to epoch 0: the same first weights (the seed "
                                     "decides them)")
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.setCheckable(True)
        self.sample_button = QPushButton("Step 1 sample", self)
        self.sample_button.setToolTip("one training point: its forward pass, then its "
                                      "backward pass, animated; then one update")
        self.batch_button = QPushButton(self)
        self.epoch_button = QPushButton(self)
        self.speed = QComboBox(self)
        self.speed.addItems(list(SPEEDS))
        self.speed.setCurrentText("fastest")
        self.speed.setToolTip("how fast Play steps (slow speeds animate every step's wave)")
        self.counter = QLabel(self)
        self.counter.setFont(big)
        self.metrics_label = QLabel(self)
        for label in (self.counter, self.metrics_label):  # long texts never widen the panel
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setMinimumWidth(220)
        readout = QVBoxLayout()
        readout.setSpacing(0)
        readout.addWidget(self.counter)
        readout.addWidget(self.metrics_label)
        bar = QHBoxLayout()
        for w in (self.reset_button, self.play_button, self.sample_button, self.batch_button,
                  self.epoch_button):
            w.setMinimumHeight(34)
            bar.addWidget(w)
        bar.addWidget(QLabel("speed", self))
        bar.addWidget(self.speed)
        bar.addSpacing(12)
        bar.addLayout(readout, 1)
        self.open_button = QPushButton("Open model…", self)
        self.save_button = QPushButton("Save model…", self)
        self.export_button = QPushButton("Export pictures…", self)
        files = QGroupBox("Files", self.controls)
        grid = QGridLayout(files)
        grid.addWidget(self.open_button, 0, 0)
        grid.addWidget(self.save_button, 0, 1)
        grid.addWidget(self.export_button, 1, 0, 1, 2)
        self.controls.add_group(files)

        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(PROBLEM_STYLE)
        self.banner.hide()
        self.hover_line = QLabel(" ", self)
        self.hover_line.setStyleSheet("QLabel { color: #374151; }")
        # a long read-out is cut at the edge, never widens the diagram's column
        self.hover_line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        layers = QHBoxLayout()
        self.fewer_layers = QPushButton("− layer", self)
        self.more_layers = QPushButton("+ layer", self)
        self.layers_text = QLabel(self)
        layers.addWidget(self.fewer_layers)
        layers.addWidget(self.more_layers)
        layers.addWidget(self.layers_text)
        layers.addStretch(1)
        self.discrete_box = QPushButton("Discretise output", self)
        self.discrete_box.setCheckable(True)
        self.discrete_box.setToolTip("show only the predicted class, not how sure")

        centre = QWidget(self)
        cc = QVBoxLayout(centre)
        cc.setContentsMargins(0, 0, 0, 0)
        cc.addLayout(layers)
        cc.addWidget(self.diagram, 3)
        cc.addWidget(self.hover_line)
        smoothing = QHBoxLayout()
        smoothing.addStretch(1)
        self.smoothing_label = QLabel(self)
        smoothing.addWidget(self.smoothing_label)
        self.smoothing = QSlider(Qt.Orientation.Horizontal, self)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(round(100 * self.grad_plot.weight))
        self.smoothing.setFixedWidth(160)
        self.smoothing.setToolTip("the gradient curves' running mean, drawn over the raw "
                                  "values (faint), as in TensorBoard: 0 shows the raw values "
                                  "only")
        smoothing.addWidget(self.smoothing)
        self._smoothing_changed(self.smoothing.value())
        cc.addLayout(smoothing)
        cc.addWidget(self.grad_plot, 1)

        right = QWidget(self)
        rc = QVBoxLayout(right)
        rc.setContentsMargins(0, 0, 0, 0)
        rc.addWidget(self.data_plot, 2)
        row = QHBoxLayout()
        row.addWidget(self.discrete_box)
        self.data_help = QLabel("left click: add a point · right click: remove", self)
        self.data_help.setWordWrap(True)
        row.addWidget(self.data_help, 1)
        rc.addLayout(row)
        rc.addWidget(self.loss_plot, 1)
        rc.addWidget(self.accuracy_plot, 1)

        scroll = QScrollArea(self)
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.controls.sizeHint().width() + 18)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(scroll)
        split.addWidget(centre)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        split.setSizes([240, 720, 440])

        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.addLayout(bar)
        column.addWidget(self.banner)
        column.addWidget(split, 1)

    def sizeHint(self) -> QSize:
        return QSize(1400, 900)

    def _connect(self) -> None:
        self.play_button.toggled.connect(self.set_playing)
        self.reset_button.clicked.connect(self.reset)
        self.sample_button.clicked.connect(lambda: self.step("sample"))
        self.batch_button.clicked.connect(lambda: self.step("batch"))
        self.epoch_button.clicked.connect(lambda: self.step("epoch"))
        self.speed.currentTextChanged.connect(self._speed_changed)
        self.controls.changed.connect(self._controls_changed)
        self.controls.load_csv.connect(self.load_csv_dialog)
        self.diagram.weight_clicked.connect(self.weight_clicked)
        self.diagram.weight_clicked.connect(self.show_weight)
        self.diagram.hovered.connect(lambda text: self.hover_line.setText(text or " "))
        self.diagram.resize_layer.connect(self.controls.change_width)
        self.fewer_layers.clicked.connect(lambda: self.controls.change_layers(-1))
        self.more_layers.clicked.connect(lambda: self.controls.change_layers(1))
        self.discrete_box.toggled.connect(self._set_discrete)
        self.smoothing.valueChanged.connect(self._smoothing_changed)
        self.data_plot.add_point.connect(self.add_point)
        self.data_plot.remove_point.connect(self.remove_point)
        self.open_button.clicked.connect(self.open_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        self.export_button.clicked.connect(self.export_dialog)

    # ----------------------------------------------------------------- sessions
    def start(self, setup: Setup, carry_curves: bool = False) -> bool:
        """Begin a new run from ``setup`` (the old run stops); False (and the reason in the
        banner) if the network does not fit the data. ``carry_curves``: the run goes on
        from the current one (see :meth:`TrainingSession.start`)."""
        if self.session is None:
            return False
        try:
            self.model = self.session.start(setup, carry_curves)
        except ValueError as exc:
            self.show_problem(str(exc))
            return False
        self._hand_edited = setup.data is self._edited_data
        self.data = setup.data
        self.setup = setup
        self.snapshot = None
        self._serial = 0
        self.banner.hide()
        self.play_button.setChecked(False)
        self._maps_shown = None
        self.session.send("speed", SPEEDS[self.speed.currentText()])
        self.controls.set_classes(setup.data.n_classes)
        self.data_plot.show_points(self.data.task, self.data.x_train, self.data.y_train,
                                   self.data.x_test, self.data.y_test, self.data.extent)
        self.data_plot.show_sample(None)
        n_layers = len(self.model.sizes) - 1
        self.grad_plot.set_names([f"W{k}" for k in range(1, n_layers + 1)],
                                 [LAYER_COLOURS[(k - 1) % len(LAYER_COLOURS)]
                                  for k in range(1, n_layers + 1)])
        classes = setup.data.task == "classes"
        self.accuracy_plot.setVisible(classes)
        self.discrete_box.setEnabled(True)
        self.data_help.setText("left click: add a point of the chosen class · right click: "
                               "remove the nearest" if classes else "")
        hidden = setup.model.hidden
        self.layers_text.setText(f"{len(hidden)} hidden layer{'s' * (len(hidden) != 1)}"
                                 f" · {setup.model.activation} · {self.model.n_params} "
                                 "parameters")
        self._update_buttons(None)
        return True

    def stop(self) -> None:
        """End the running session, if any."""
        if self.session is not None:
            self.session.stop()
            self.session = None

    def set_playing(self, on: bool) -> None:
        """Play (train continuously) or pause."""
        if self.play_button.isChecked() != on:
            self.play_button.setChecked(on)
            return
        self.play_button.setText("❚❚ Pause" if on else "▶ Play")
        if self.session is not None:
            self.session.send("play", on)

    def step(self, what: str) -> None:
        """Step one ``"sample"``, ``"batch"`` or ``"epoch"`` (pauses first)."""
        self.set_playing(False)
        if self.session is not None:
            self.session.send("step", what)

    def reset(self) -> None:
        """Start again from fresh weights with the same settings and data."""
        self.start(setup_of(self.controls.choices(), self.data))

    def _speed_changed(self, text: str) -> None:
        if self.session is not None:
            self.session.send("speed", SPEEDS[text])

    def _controls_changed(self, kind: str) -> None:
        c = self.controls.choices()
        if kind == "lr" and self.session is not None:
            self.session.send("lr", c.lr)
            return
        if kind == "batch" and self.session is not None:
            self.session.send("batch", c.batch)
            self._update_buttons(self.snapshot)
            return
        if kind == "patience" and self.session is not None:
            self.session.send("patience", c.patience)
            return
        try:
            if kind == "data" and self._csv is not None and c.dataset == self._csv.name:
                data = read_csv(self._csv.csv, c.test_share, c.data_seed)  # a new split
            elif kind == "data":
                data = make_dataset(c.dataset, c.points, c.noise, c.test_share, c.data_seed)
            else:
                data = self.data
            self.start(setup_of(c, data))
        except OSError as exc:
            self.show_problem(f"{self._csv.csv}: cannot read: {exc.strerror or exc}")
        except ValueError as exc:  # CsvError included: FILE:LINE: what is wrong
            self.show_problem(str(exc))

    def show_problem(self, text: str) -> None:
        """Say what is wrong in the red banner."""
        self.banner.setStyleSheet(PROBLEM_STYLE)
        self.banner.setText(text)
        self.banner.show()

    def show_note(self, text: str) -> None:
        """Say something that is not a problem (why training stopped) in the banner."""
        self.banner.setStyleSheet(NOTE_STYLE)
        self.banner.setText(text)
        self.banner.show()

    def _on_failure(self, message: str) -> None:
        self.set_playing(False)
        self.show_problem(f"Training stopped: {message}")

    # ----------------------------------------------------------------- snapshots
    def _on_update(self, update: Delivered | SessionError) -> None:
        if update is self._last_update:
            return  # already taken by a tick
        self._last_update = update
        if self.session is None or update.session != self.session.session:
            return  # a late delivery from a setup already replaced
        if isinstance(update, SessionError):
            self.show_problem(update.message)
            return
        self._latest = update.snapshot
        self._idle_ticks = 0
        if not self._clock.isActive():
            self._clock.start()

    # One clock drives the panel: at each tick (60 a second) it draws the latest snapshot, if
    # one came, and moves the diagram's wave. A frame that takes longer delays the next tick
    # (timers never queue up), so input is always handled in between; the clock stops after a
    # quarter of a second with nothing to draw.
    #
    # A frame's time (the benchmark's figure) is the GUI thread's processor time from its
    # tick to the next one: the tick's work and the repaints it causes (Qt paints changed
    # widgets a few milliseconds after the tick, sometimes in more than one pass).
    def _frame(self) -> None:
        now = time.perf_counter()
        if self._frame_cpu:
            self.frame_times.append(time.thread_time() - self._frame_cpu)
            self._frame_cpu = 0.0
        if self.session is not None:  # what the training process sent last, even if its
            latest = self.session.latest()  # signal has not arrived yet
            if latest is not None:
                self._on_update(latest)
        snap, self._latest = self._latest, None
        if snap is None and not self.diagram.animating:
            self._idle_ticks += 1
            if self._idle_ticks > MAX_FPS // 4:
                self._clock.stop()
            return
        self._idle_ticks = 0
        self._frame_cpu = time.thread_time()
        if snap is not None:
            self._on_snapshot(snap, now)
        if self.diagram.animating:
            self.diagram.advance()

    def _on_snapshot(self, snap: Snapshot, now: float) -> None:
        self.snapshot = snap
        self._update_buttons(snap)
        if snap.maps is not None and snap.maps is not self._maps_shown:
            self._show_maps(snap.maps)  # new a few times a second (the training process
            # computes them at most session.MAP_RATE times a second)
        self.diagram.set_data(self._diagram_data(snap))
        self._show_curves(snap)
        if snap.serial != self._serial:
            self._serial = snap.serial
            self._animate(snap)
            self._refresh_weight(snap, now)
        if snap.diverged is not None:
            self.set_playing(False)
            self.show_problem(f"⚠ {snap.diverged.message[0].upper()}"
                              f"{snap.diverged.message[1:]}")
        elif snap.stopped and not snap.playing and not self._stop_shown:
            self._stop_shown = True
            self.set_playing(False)
            self.show_note(snap.stopped)
        if snap.playing:
            self._stop_shown = False
        self.drawn.emit(snap)

    def _update_buttons(self, snap: Snapshot | None) -> None:
        batch = self.controls.choices().batch  # the running one (a change applies at once)
        per_epoch = -(-len(self.data.x_train) // batch)
        if self._buttons_for != (batch, per_epoch):  # not at every frame: they seldom change
            self._buttons_for = (batch, per_epoch)
            self.batch_button.setText(f"Step 1 batch ({batch} samples)")
            self.batch_button.setToolTip(f"one update from the next {batch} training points")
            self.epoch_button.setText(f"Step 1 epoch ({per_epoch} batches)")
            self.epoch_button.setToolTip("the batches left in this pass over the training "
                                         f"points ({per_epoch} from its start)")
        if snap is None:
            self.counter.setText("Epoch 0 · step 0")
            self.metrics_label.setText("")
            return
        rate = f" · {snap.steps_per_second:,.0f} steps/s" if snap.playing else ""
        self.counter.setText(f"Epoch {snap.epoch} · step {snap.steps}{rate}")
        m = snap.metrics
        text = f"loss: train {fmt(m.train_loss)}  test {fmt(m.test_loss)}"
        if m.train_accuracy is not None:
            text += (f"   accuracy: train {100 * m.train_accuracy:.1f} %  "
                     f"test {100 * (m.test_accuracy or 0):.1f} %")
        self.metrics_label.setText(text)

    def _show_maps(self, maps) -> None:
        """The boundary under the data points and every neuron's two tiles, from ``maps``
        (coloured by the training process: here they only become pictures)."""
        self._maps_shown = maps
        shown = maps.pictures
        self.data_plot.show_map(shown.boundary_discrete if self._discrete else shown.boundary,
                                maps.extent)
        self._tiles = tuple(tuple(pictures(stack)) for stack in shown.tiles)
        self._signal_peaks = shown.signal_peaks
        self._signal_tiles = tuple(tuple(pictures(stack)) for stack in shown.signal_tiles)

    def _diagram_data(self, snap: Snapshot) -> DiagramData:
        model = self.model
        n_layers = len(model.sizes) - 1
        p, g, u = snap.params, snap.grads, snap.update
        if snap.sample is not None and snap.event == "sample":
            g = snap.sample.grads

        def layers(ps, prefix: str):
            return None if ps is None else tuple(np.asarray(ps[f"{prefix}{k}"])
                                                 for k in range(1, n_layers + 1))

        maps = self._maps_shown
        fast = snap.playing and SPEEDS[self.speed.currentText()] == 0
        return DiagramData(
            model.sizes, model.config.features, layers(p, "W"), layers(p, "b"),
            layers(g, "W"), layers(g, "b"), layers(u, "W"), layers(u, "b"),
            self._tiles if maps is not None else None,
            self._signal_tiles if maps is not None else None,
            maps.dead if maps is not None else (), maps.saturated if maps is not None else (),
            snap.sample.values if snap.sample is not None and snap.event == "sample" else None,
            snap.sample.loss if snap.event == "sample" and snap.sample else snap.loss,
            model.config.activation, glow=not fast, fast=fast,
            signal_peaks=self._signal_peaks if maps is not None else None)

    def _animate(self, snap: Snapshot) -> None:
        speed = SPEEDS[self.speed.currentText()]
        columns = len(self.model.sizes) + 1
        rate = max(3.0, speed * columns * 1.5) if snap.event == "play" else 3.5
        if snap.event == "sample":
            self.data_plot.show_sample(snap.sample.x)
            self.diagram.play_wave(forward=True, columns_per_second=rate)
        elif snap.event in ("batch", "epoch", "play"):
            self.data_plot.show_sample(None)
            self.diagram.play_wave(forward=False, columns_per_second=rate)

    def _show_curves(self, snap: Snapshot) -> None:
        h = snap.history
        self.loss_plot.set_curves(h.epochs, {"train": h.train_loss, "test": h.test_loss})
        if self.data.task == "classes":
            self.accuracy_plot.set_curves(h.epochs, {"train": h.train_accuracy,
                                                     "test": h.test_accuracy})
        self.grad_plot.set_curves(h.grad_steps, {name: h.grad_norms[:, k] for k, name in
                                                 enumerate(self.grad_plot.curves)
                                                 if k < h.grad_norms.shape[1]})

    def _smoothing_changed(self, value: int) -> None:
        self.smoothing_label.setText(f"smoothing {value / 100:.2f}")
        self.grad_plot.set_smoothing(value / 100)

    def _set_discrete(self, on: bool) -> None:
        self._discrete = on
        if self._maps_shown is not None:
            self._show_maps(self._maps_shown)

    # ----------------------------------------------------------------- one weight, opened
    def show_weight(self, name: str, row: int, col: int, raise_window: bool = True) -> None:
        """Open the clicked weight's gradient as a sum over paths (a window beside the
        panel), for the last step's sample (or the batch's first) and averaged over its
        batch; its largest paths light up on the diagram."""
        from graphapp.gui.training.weight_detail import WeightDetail

        snap = self.snapshot
        if snap is None:
            return
        if self.weight_detail is None:
            self.weight_detail = WeightDetail(self)
            self.weight_detail.setWindowFlag(Qt.WindowType.Window)
            self.weight_detail.setWindowTitle("dL/dw: the chain rule, path by path")
            self.weight_detail.resize(900, 640)
            self.weight_detail.highlight_edges.connect(self.diagram.set_highlight)
            self.weight_detail.open_requested.connect(self.open_in_editor)
        d = self.data
        rows = snap.indices if snap.indices is not None and len(snap.indices) else np.array([0])
        if snap.sample is not None and snap.event == "sample":
            x, y = snap.sample.x, snap.sample.label
        else:
            x, y = d.x_train[rows[0]], float(d.y_train[rows[0]])
        self.weight_detail.show_weight(self.model, np.array(snap.params.flat), name, row, col,
                                       x, y, d.x_train[rows], d.y_train[rows])
        self._weight_shown = (name, row, col)
        if raise_window:
            self.weight_detail.show()
            self.weight_detail.raise_()

    def _refresh_weight(self, snap: Snapshot, now: float) -> None:
        """Keep an open weight window on the current model and the step's sample and batch
        (a few times a second while playing: its paths and loss curve cost a frame each)."""
        detail = self.weight_detail
        if self._weight_shown is None or detail is None or not detail.isVisible():
            return
        if snap.playing and now - self._weight_at < 1 / WEIGHT_RATE:
            return
        self._weight_at = now
        self.show_weight(*self._weight_shown, raise_window=False)

    def open_in_editor(self) -> None:
        """The shown sample's forward and backward pass as a scalar graph in the editor
        (the window holding this panel, or a new editor window)."""
        from graphapp.gui.main_window import MainWindow
        from graphapp.gui.training.step_editor import open_in_editor

        shown = self.weight_detail.shown_sample() if self.weight_detail else None
        if shown is None:
            return
        window = self.window()
        if not isinstance(window, MainWindow):
            if self._editor is None:
                self._editor = MainWindow()
            window = self._editor
            window.show()
        model, flat, x, y = shown
        open_in_editor(window, model, flat, x, y)

    # ----------------------------------------------------------------- your own data
    def add_point(self, x: float, y: float) -> None:
        """Add a training point of the chosen class at (x, y); training goes on from the
        current weights."""
        if self.data.task != "classes":
            return
        label = float(self.controls.click_class.currentData() or 0)
        d = self.data
        self._replace_data(replace(d, x_train=np.vstack([d.x_train, [[x, y]]]),
                                   y_train=np.append(d.y_train, label)))

    def remove_point(self, x: float, y: float) -> None:
        """Remove the point nearest (x, y), if one is close (a 25th of the plane's width)."""
        d = self.data
        x0, x1 = d.extent[:2]
        reach = (x1 - x0) / 25
        best = None
        for which, pts in (("train", d.x_train), ("test", d.x_test)):
            if len(pts):
                dist = np.hypot(pts[:, 0] - x, pts[:, 1] - y)
                k = int(np.argmin(dist))
                if dist[k] <= reach and (best is None or dist[k] < best[2]):
                    best = (which, k, dist[k])
        if best is None or (best[0] == "train" and len(d.x_train) <= 2):
            return
        which, k, _ = best
        if which == "train":
            data = replace(d, x_train=np.delete(d.x_train, k, axis=0),
                           y_train=np.delete(d.y_train, k))
        else:
            data = replace(d, x_test=np.delete(d.x_test, k, axis=0),
                           y_test=np.delete(d.y_test, k))
        self._replace_data(data)

    def _replace_data(self, data: DataSet) -> None:
        """Go on training the current weights on changed data."""
        snap = self.snapshot
        setup = setup_of(self.controls.choices(), data)
        goes_on = snap is not None and setup.model == self.setup.model
        if goes_on:
            now = self.session.trainer_state(STATE_WAIT) if self.session is not None else None
            if now is None:  # the training process did not answer: the last weights drawn
                setup = replace(setup, params=np.array(snap.params.flat), epoch=snap.epoch,
                                steps=snap.steps)
            else:  # the weights and the optimiser's memory (momentum, Adam's means) go on
                state, flat = now
                setup = replace(setup, params=flat, epoch=state["epoch"],
                                steps=state["steps"], state=state)
        playing = self.play_button.isChecked()
        self._edited_data = data
        self.start(setup, carry_curves=goes_on)
        self.set_playing(playing)

    def load_csv(self, path: str) -> bool:
        """Train on the points of a CSV file (x1,x2,label); False (and the reason in the
        banner) if it cannot be read."""
        c = self.controls.choices()
        try:
            data = read_csv(path, c.test_share, c.data_seed)
            if not self.start(setup_of(c, data)):
                return False
            self._csv = data.recipe
            self.controls.set_choices(choices_of(self.setup))  # the file's name and size
        except CsvError as exc:
            self.show_problem(str(exc))
            return False
        except OSError as exc:
            self.show_problem(f"{path}: cannot read: {exc.strerror or exc}")
            return False
        except ValueError as exc:
            self.show_problem(f"{path}: {exc}")
            return False
        return True

    def load_csv_dialog(self) -> None:
        """Ask for a CSV file and train on it."""
        path, _ = QFileDialog.getOpenFileName(self, "Load points", "", "CSV files (*.csv)")
        if path:
            self.load_csv(path)

    # ----------------------------------------------------------------- files
    def save_dialog(self) -> None:
        """Ask for a file name and save the model (see :meth:`save_model`)."""
        path, _ = QFileDialog.getSaveFileName(self, "Save model", "model.json",
                                              "Models (*.json)")
        if path:
            self.save_model(path)

    def open_dialog(self) -> None:
        """Ask for a model file and go on from it (see :meth:`open_model`)."""
        path, _ = QFileDialog.getOpenFileName(self, "Open model", "", "Models (*.json)")
        if path:
            self.open_model(path)

    def save_model(self, path: str) -> bool:
        """Write the current network, parameters, settings, data recipe and trainer state
        (optimiser memory, the epoch's shuffle) as a model file (the same JSON as ``graphapp
        train --save``). Points added by hand are not in the recipe (the banner says so) and
        then the state is left out."""
        from graphapp.train import io

        snap = self.snapshot
        if snap is None:
            return False
        m = snap.metrics
        metrics = {"train_loss": m.train_loss, "test_loss": m.test_loss,
                   "train_accuracy": m.train_accuracy, "test_accuracy": m.test_accuracy}
        training = replace(self.setup.training, lr=snap.lr, batch=snap.batch)
        flat, epoch, steps, state = np.array(snap.params.flat), snap.epoch, snap.steps, None
        now = self.session.trainer_state(STATE_WAIT) if self.session is not None else None
        if now is not None:
            state, flat = now
            epoch, steps = state["epoch"], state["steps"]
            if self._hand_edited:  # its shuffle is of points the file does not hold
                state = None
        saved = io.SavedModel(self.model, flat, training, self.data.recipe, epoch, steps,
                              metrics, state)
        try:
            io.save_model(path, saved)
        except OSError as exc:
            self.show_problem(f"{path}: cannot write: {exc.strerror or exc}")
            return False
        except ValueError as exc:
            self.show_problem(f"{path}: {exc}")
            return False
        if self._hand_edited:
            self.show_problem(f"Saved {path}. The points you added or removed by hand are not "
                              "in it: the file keeps the recipe of the data set.")
        return True

    def open_model(self, path: str) -> bool:
        """Go on from a model file: its network, parameters, settings and data."""
        from graphapp.train import datasets, io

        try:
            saved = io.load_model(path)
            if saved.recipe is None:
                raise ValueError(f"{path}: the model file has no data recipe to train on")
            data = datasets.from_recipe(saved.recipe)
            if saved.recipe.csv is not None:
                self._csv = saved.recipe
            setup = Setup(data, saved.model.config, saved.training, saved.flat, saved.epochs,
                          saved.steps, patience=self.controls.choices().patience,
                          state=saved.state)
            self.controls.set_choices(choices_of(setup))
            self.start(setup)
        except (OSError, ValueError) as exc:
            text = str(exc) if isinstance(exc, ValueError) else \
                f"{path}: cannot read: {exc.strerror or exc}"
            self.show_problem(text)
            return False
        return True

    def export_dialog(self) -> None:
        """Ask for a file name and export the diagram and the plots."""
        path, _ = QFileDialog.getSaveFileName(self, "Export pictures", "training.png",
                                              "PNG pictures (*.png);;SVG drawings (*.svg)")
        if path:
            self.export(path)

    def export(self, path: str) -> list[str]:
        """Write the diagram and each plot as ``STEM-diagram.png`` (or .svg), ``STEM-data``,
        ``STEM-loss``, ``STEM-accuracy``, ``STEM-gradients``; returns the files written."""
        from graphapp.gui.training.export import export_widgets

        widgets = {"diagram": self.diagram, "data": self.data_plot, "loss": self.loss_plot,
                   "gradients": self.grad_plot}
        if self.accuracy_plot.isVisible():
            widgets["accuracy"] = self.accuracy_plot
        try:
            return export_widgets(Path(path), widgets)
        except OSError as exc:
            self.show_problem(f"{path}: cannot write: {exc.strerror or exc}")
            return []

    def closeEvent(self, event) -> None:
        self._clock.stop()
        self.stop()
        self.jobs.shutdown()
        super().closeEvent(event)
