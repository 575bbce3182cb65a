"""The panel's settings: data set, features, network, loss, optimiser, learning rate, batch
size, regularisation and seed, as in TensorFlow Playground.

:class:`Controls` shows a :class:`Choices` and emits ``changed(kind)`` when the learner edits
one: ``"data"`` (a new data set: the run restarts), ``"model"`` (a new network: restarts),
``"lr"``, ``"batch"`` and ``"patience"`` (applied to the running trainer: nothing
restarts).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from graphapp.train import DATASETS, FEATURES, OPTIMIZERS

__all__ = ["LEARNING_RATES", "Choices", "Controls"]

#: TensorFlow Playground's learning rates (any other can be typed).
LEARNING_RATES = ("0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3",
                  "10")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
LOSSES = {"squared": "squared error", "bce": "binary cross-entropy",
          "ce": "cross-entropy (softmax)", "hinge": "hinge (max-margin)"}


@dataclass(frozen=True)
class Choices:
    """Everything the controls hold."""

    dataset: str = "moons"
    points: int = 300
    noise: float = 0.1
    test_share: float = 0.2
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    loss: str = "squared"
    optimizer: str = "sgd"
    lr: float = 0.03
    batch: int = 10
    regularisation: str = "none"  # none, L1, L2
    rate: float = 0.0
    seed: int = 0  # the first weights and the shuffling
    data_seed: int = 0  # the points (Regenerate draws the next)
    init: str = "xavier"  # how the first weights are drawn
    slope: float = 1.0  # a in the sigmoid 1/(1 + e^(−a·s))
    patience: int = 0  # Play stops after this many epochs without progress (0: never)


class Controls(QWidget):
    """The settings column. ``changed(kind)``: see the module docstring."""

    changed = Signal(str)
    regenerate = Signal()
    load_csv = Signal()

    def __init__(self, choices: Choices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False
        self._data_seed = choices.data_seed
        self.hidden = choices.hidden
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)

        data = QGroupBox("Data", self)
        form = QFormLayout(data)
        self.dataset = QComboBox(data)
        for name, kind in DATASETS.items():
            self.dataset.addItem(name, name)
            self.dataset.setItemData(self.dataset.count() - 1, kind.describe,
                                     Qt.ItemDataRole.ToolTipRole)
        self.noise = _spin(data, 0.0, 5.0, 0.05, 2, "noise (the data set's own scale)")
        self.points = QSpinBox(data)
        self.points.setRange(10, 5000)
        self.points.setSingleStep(50)
        self.test_share = _spin(data, 0.0, 0.9, 0.05, 2, "share of the points kept for testing")
        self.seed = QSpinBox(data)
        self.seed.setRange(0, 10_000)
        self.seed.setToolTip("seed of the first weights and of the shuffling (Reset starts "
                             "from the same weights)")
        form.addRow("data set", self.dataset)
        form.addRow("noise", self.noise)
        form.addRow("points", self.points)
        form.addRow("test share", self.test_share)
        buttons = QHBoxLayout()
        self.regen_button = QPushButton("Regenerate", data)
        self.regen_button.setToolTip("new points of the same kind")
        self.csv_button = QPushButton("Load CSV…", data)
        self.csv_button.setToolTip("your own points: columns x1,x2,label")
        buttons.addWidget(self.regen_button)
        buttons.addWidget(self.csv_button)
        form.addRow(buttons)
        self.click_class = QComboBox(data)
        self.click_class.setToolTip("the class a left click on the data plot adds "
                                    "(a right click removes the nearest point)")
        form.addRow("click adds", self.click_class)
        column.addWidget(data)

        features = QGroupBox("Features", self)
        grid = QGridLayout(features)
        self.feature_boxes: dict[str, QCheckBox] = {}
        for k, name in enumerate(FEATURES):
            box = QCheckBox(name, features)
            self.feature_boxes[name] = box
            grid.addWidget(box, k // 2, k % 2)
        column.addWidget(features)

        net = QGroupBox("Network", self)
        form = QFormLayout(net)
        layers = QHBoxLayout()
        self.fewer_layers = QPushButton("−", net)
        self.more_layers = QPushButton("+", net)
        for b, tip in ((self.fewer_layers, "one hidden layer fewer"),
                       (self.more_layers, "one hidden layer more")):
            b.setFixedWidth(30)
            b.setToolTip(tip)
        self.layers_label = QLabel(net)
        self.layers_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layers.addWidget(self.fewer_layers)
        layers.addWidget(self.layers_label, 1)
        layers.addWidget(self.more_layers)
        form.addRow("hidden layers", layers)
        self.activation = _combo(net, {a: a for a in ACTIVATIONS})
        self.loss = _combo(net, LOSSES)
        self.slope = _spin(net, 0.1, 10.0, 0.5, 2, "a in the sigmoid 1/(1 + e^(−a·s)): "
                           "steeper (larger a) saturates sooner")
        self.init = _combo(net, {"xavier": "Xavier (Glorot)", "he": "He", "uniform":
                                 "uniform ±0.5"})
        self.init.setToolTip("how the first weights are drawn (the seed picks them)")
        form.addRow("activation", self.activation)
        form.addRow("sigmoid slope", self.slope)
        form.addRow("loss", self.loss)
        form.addRow("first weights", self.init)
        column.addWidget(net)

        tr = QGroupBox("Training", self)
        form = QFormLayout(tr)
        self.optimizer = _combo(tr, {o: o for o in OPTIMIZERS})
        self.lr = QComboBox(tr)
        self.lr.setEditable(True)
        self.lr.addItems(LEARNING_RATES)
        self.lr.setToolTip("changing it keeps training where it is")
        self.batch = QSpinBox(tr)
        self.batch.setRange(1, 10_000)
        self.batch.setToolTip("samples per step (changing it keeps training where it is)")
        self.regularisation = _combo(tr, {"none": "none", "L1": "L1", "L2": "L2"})
        self.rate = QComboBox(tr)
        self.rate.setEditable(True)
        self.rate.addItems(["0", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1"])
        form.addRow("optimiser", self.optimizer)
        form.addRow("learning rate", self.lr)
        form.addRow("batch size", self.batch)
        form.addRow("regularisation", self.regularisation)
        form.addRow("its rate", self.rate)
        form.addRow("seed", self.seed)
        self.patience = QSpinBox(tr)
        self.patience.setRange(0, 100_000)
        self.patience.setSpecialValueText("never")
        self.patience.setSuffix(" epochs")
        self.patience.setToolTip("Play stops when the test loss has not improved for this many "
                                 "epochs (early stopping)")
        form.addRow("stop after", self.patience)
        column.addWidget(tr)
        column.addStretch(1)
        self._column = column

        self.set_choices(choices)
        for w in (self.dataset, self.activation, self.loss, self.optimizer, self.regularisation,
                  self.init):
            w.currentIndexChanged.connect(self._edited)
        for w in (self.noise, self.points, self.test_share, self.seed, self.slope):
            w.editingFinished.connect(self._edited)
        self.activation.currentIndexChanged.connect(self._slope_shown)
        self.patience.valueChanged.connect(lambda _: self._emit("patience"))
        for box in self.feature_boxes.values():
            box.toggled.connect(self._edited)
        self.rate.currentTextChanged.connect(self._edited)
        self.lr.currentTextChanged.connect(lambda _: self._emit("lr"))
        self.batch.valueChanged.connect(lambda _: self._emit("batch"))
        self.regen_button.clicked.connect(self._regenerate)
        self.csv_button.clicked.connect(self.load_csv)
        self.fewer_layers.clicked.connect(lambda: self.change_layers(-1))
        self.more_layers.clicked.connect(lambda: self.change_layers(1))
        self._last = self.choices()

    def add_group(self, group: QGroupBox) -> None:
        """Add a box of the panel's own below the settings."""
        self._column.insertWidget(self._column.count() - 1, group)

    # ----------------------------------------------------------------- reading and writing
    def set_choices(self, c: Choices) -> None:
        """Show ``c`` without emitting ``changed``."""
        self._quiet = True
        try:
            if self.dataset.findData(c.dataset) < 0:  # points from a file: name it
                self.dataset.addItem(f"{c.dataset} (your file)", c.dataset)
                self.dataset.setItemData(self.dataset.count() - 1, "the points of a CSV file "
                                         "(Regenerate draws a new train/test split)",
                                         Qt.ItemDataRole.ToolTipRole)
            self.dataset.setCurrentIndex(self.dataset.findData(c.dataset))
            self.noise.setValue(c.noise)
            self.points.setValue(c.points)
            self.test_share.setValue(c.test_share)
            self.seed.setValue(c.seed)
            self._data_seed = c.data_seed
            for name, box in self.feature_boxes.items():
                box.setChecked(name in c.features)
            self.hidden = c.hidden
            self._show_layers()
            self.activation.setCurrentIndex(self.activation.findData(c.activation))
            self.loss.setCurrentIndex(self.loss.findData(c.loss))
            self.optimizer.setCurrentIndex(self.optimizer.findData(c.optimizer))
            self.lr.setCurrentText(f"{c.lr:g}")
            self.batch.setValue(c.batch)
            self.regularisation.setCurrentIndex(self.regularisation.findData(c.regularisation))
            self.rate.setCurrentText(f"{c.rate:g}")
            self.init.setCurrentIndex(self.init.findData(c.init))
            self.slope.setValue(c.slope)
            self.patience.setValue(c.patience)
        finally:
            self._quiet = False
        self._slope_shown()
        self._last = self.choices()

    def _slope_shown(self) -> None:
        self.slope.setEnabled(self.activation.currentData() == "sigmoid")

    def choices(self) -> Choices:
        """What the controls hold now (an unreadable rate keeps the last good one)."""
        last = getattr(self, "_last", Choices())
        features = tuple(n for n, b in self.feature_boxes.items() if b.isChecked()) or \
            last.features
        return Choices(self.dataset.currentData() or last.dataset, self.points.value(),
                       self.noise.value(), self.test_share.value(), features, self.hidden,
                       self.activation.currentData(), self.loss.currentData(),
                       self.optimizer.currentData(), _number(self.lr.currentText(), last.lr,
                                                             positive=True),
                       self.batch.value(), self.regularisation.currentData(),
                       _number(self.rate.currentText(), last.rate), self.seed.value(),
                       self._data_seed, self.init.currentData(), self.slope.value(),
                       self.patience.value())

    def set_classes(self, n_classes: int) -> None:
        """Offer classes 0…k−1 for clicks (none for regression)."""
        self.click_class.clear()
        for k in range(n_classes):
            self.click_class.addItem(f"class {k}", k)
        self.click_class.setEnabled(n_classes > 0)

    # ----------------------------------------------------------------- layers
    def change_layers(self, delta: int) -> None:
        """One hidden layer more (a copy of the last one's width) or fewer."""
        hidden = list(self.hidden)
        if delta > 0 and len(hidden) < 6:
            hidden.append(hidden[-1] if hidden else 4)
        elif delta < 0 and hidden:
            hidden.pop()
        else:
            return
        self.set_hidden(tuple(hidden))

    def change_width(self, layer: int, delta: int) -> None:
        """Layer ``layer`` (from 1) one neuron wider or narrower (1 to 16)."""
        hidden = list(self.hidden)
        width = hidden[layer - 1] + delta
        if not 1 <= width <= 16:
            return
        hidden[layer - 1] = width
        self.set_hidden(tuple(hidden))

    def set_hidden(self, hidden: tuple[int, ...]) -> None:
        """New hidden layer sizes (restarts the run)."""
        self.hidden = hidden
        self._show_layers()
        self._emit("model")

    def _show_layers(self) -> None:
        n = len(self.hidden)
        self.layers_label.setText(f"{n} ({'-'.join(map(str, self.hidden)) or 'none'})")
        self.fewer_layers.setEnabled(n > 0)
        self.more_layers.setEnabled(n < 6)

    # ----------------------------------------------------------------- signals
    def _regenerate(self) -> None:
        self._data_seed += 1
        self._emit("data")

    def _edited(self, *_args) -> None:
        now = self.choices()
        last = self._last
        data_fields = ("dataset", "points", "noise", "test_share", "data_seed")
        if any(getattr(now, f) != getattr(last, f) for f in data_fields):
            self._emit("data")
        elif replace(now, lr=last.lr, batch=last.batch, patience=last.patience) != last:
            self._emit("model")

    def _emit(self, kind: str) -> None:
        if self._quiet:
            return
        self._last = self.choices()
        self.changed.emit(kind)


def _spin(parent: QWidget, lo: float, hi: float, step: float, decimals: int,
          tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setToolTip(tip)
    return box


def _combo(parent: QWidget, items: dict[str, str]) -> QComboBox:
    box = QComboBox(parent)
    for key, text in items.items():
        box.addItem(text, key)
    return box


def _number(text: str, fallback: float, positive: bool = False) -> float:
    try:
        v = float(text)
    except ValueError:
        return fallback
    if v != v or v in (float("inf"), float("-inf")) or v < 0 or (positive and v == 0):
        return fallback
    return v
