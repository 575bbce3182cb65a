"""A multilayer perceptron written as one engine graph of matrix ops.

The network is an ordinary :class:`~graphapp.engine.Graph`, the same kind the editor shows:
``mm1 = X @ W1``, ``z1 = mm1 + b1`` (the pre-activation), ``h1 = tanh(z1)``, …, up to the output
layer's ``zL``, then a loss head and, with regularisation, ``loss = data_loss + penalty``.
Training feeds the data (``X``, ``T``) and the parameters into the compiled plan through a
:class:`~graphapp.engine.runner.LeafRunner`: the graph is built and validated once, and its own
leaf values are never touched while it trains, so the editor or a panel can read it freely.

The heads, chosen from the task and the loss (``ModelConfig.loss``):

=================  ========  ====================================================  ==========
loss               classes   per sample                                            targets T
=================  ========  ====================================================  ==========
``squared``        2         ½(tanh(z) − t)² (TensorFlow Playground's)            ±1
``squared``        k > 2     ½ Σₖ (softmax(z)ₖ − tₖ)²                               one-hot
``squared``        regression  ½(z − t)²                                            the value
``bce``            2         −t log σ(z) − (1 − t) log(1 − σ(z)), written stably    0/1
                             as relu(z) + log(1 + e^−|z|) − t·z
``ce``             k ≥ 2     log Σₖ e^zₖ − z_t (softmax cross-entropy, shifted by   one-hot
                             the row's largest z, which changes no gradient)
``hinge``          2         max(0, 1 − t·z) (micrograd's max-margin loss)          ±1
``hinge``          k > 2     Σ_{j≠t} max(0, 1 + z_j − z_t) (Weston–Watkins)         one-hot
=================  ========  ====================================================  ==========

Every loss is the mean over the batch's samples. L2 adds ½·l2·Σw² and L1 adds l1·Σ|w| over the
weights (not the biases). Caveats: at exactly z = 0 the stable cross-entropy's kinks (relu,
abs) take derivative 0, so its gradient there is −t instead of ½ − t (a set of measure zero);
the sigmoid activation is seed 000's logistic φ(s) = 1/(1 + e^(−a·s)) with slope ``a``.

>>> from graphapp.train.datasets import make_dataset
>>> data = make_dataset("xor", points=40, seed=0)
>>> model = MLP(ModelConfig(hidden=(3,)), task="classes", n_classes=2)
>>> model.param_names
('W1', 'b1', 'W2', 'b2')
>>> params = model.init_params(seed=0)
>>> loss, grads = model.loss_and_grads(params, data.x_train, data.y_train)
>>> [g.shape for g in grads]
[(2, 3), (3,), (3, 1), (1,)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphapp.engine import Backward, Graph
from graphapp.engine.runner import LeafRunner

__all__ = [
    "ACTIVATIONS",
    "FEATURES",
    "INITS",
    "LOSSES",
    "MLP",
    "ModelConfig",
    "ParamSet",
    "parse_features",
]

#: Input features as in TensorFlow Playground, by canonical name.
FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda x: x[:, 0],
    "x2": lambda x: x[:, 1],
    "x1^2": lambda x: x[:, 0] * x[:, 0],
    "x2^2": lambda x: x[:, 1] * x[:, 1],
    "x1*x2": lambda x: x[:, 0] * x[:, 1],
    "sin(x1)": lambda x: np.sin(x[:, 0]),
    "sin(x2)": lambda x: np.sin(x[:, 1]),
}
_FEATURE_ALIASES = {"x1²": "x1^2", "x1sq": "x1^2", "x2²": "x2^2", "x2sq": "x2^2",
                    "x1x2": "x1*x2", "x1·x2": "x1*x2", "sinx1": "sin(x1)", "sin x1": "sin(x1)",
                    "sinx2": "sin(x2)", "sin x2": "sin(x2)"}
#: Activation name → the op that applies it (``None``: linear, no node).
ACTIVATIONS: dict[str, str | None] = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu",
                                      "linear": None}
LOSSES = ("squared", "bce", "ce", "hinge")
INITS = ("xavier", "he", "uniform")
MAX_LAYERS = 6
MAX_WIDTH = 64


def parse_features(text: str) -> tuple[str, ...]:
    """``"x1,x2,x1x2"`` → canonical feature names; ``ValueError`` names an unknown one."""
    names = []
    for raw in text.split(","):
        key = raw.strip()
        if not key:
            continue
        key = _FEATURE_ALIASES.get(key, key)
        if key not in FEATURES:
            raise ValueError(f"unknown feature {raw.strip()!r}; known: {', '.join(FEATURES)} "
                             "(also x1sq, x2sq, x1x2, sinx1, sinx2)")
        if key not in names:
            names.append(key)
    if not names:
        raise ValueError("no features given")
    return tuple(names)


@dataclass(frozen=True)
class ModelConfig:
    """The network's shape and loss: everything but its parameter values."""

    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4,)
    activation: str = "tanh"
    slope: float = 1.0  # a in the sigmoid 1/(1 + e^(−a·s))
    loss: str = "squared"
    init: str = "xavier"
    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        for f in self.features:
            if f not in FEATURES:
                raise ValueError(f"unknown feature {f!r}; known: {', '.join(FEATURES)}")
        if not self.features:
            raise ValueError("the network needs at least one input feature")
        if len(self.hidden) > MAX_LAYERS:
            raise ValueError(f"at most {MAX_LAYERS} hidden layers, got {len(self.hidden)}")
        for n in self.hidden:
            if not 1 <= n <= MAX_WIDTH:
                raise ValueError(f"a hidden layer has 1 to {MAX_WIDTH} neurons, got {n}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; known: "
                             f"{', '.join(ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; known: {', '.join(LOSSES)}")
        if self.init not in INITS:
            raise ValueError(f"unknown initialisation {self.init!r}; known: {', '.join(INITS)}")
        for name in ("slope", "l1", "l2"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name} must be a finite number ≥ 0, got {v}")

    def to_json(self) -> dict:
        """The configuration as plain JSON data."""
        return {"features": list(self.features), "hidden": list(self.hidden),
                "activation": self.activation, "slope": self.slope, "loss": self.loss,
                "init": self.init, "l1": self.l1, "l2": self.l2}


class ParamSet(Mapping):
    """Parameters (or their gradients) by name, as read-only arrays over one flat vector.

    Immutable: built from a copy, so a worker can hand it to the GUI while it keeps training.
    """

    def __init__(self, flat: np.ndarray, layout: Mapping[str, tuple[slice, tuple[int, ...]]],
                 copy: bool = True) -> None:
        self.flat = flat.copy() if copy else flat
        self.flat.flags.writeable = False
        self._layout = layout

    def __getitem__(self, name: str) -> np.ndarray:
        sl, shape = self._layout[name]
        return self.flat[sl].reshape(shape)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layout)

    def __len__(self) -> int:
        return len(self._layout)

    def __repr__(self) -> str:
        return f"ParamSet({', '.join(f'{k}{v[1]}' for k, v in self._layout.items())})"


@dataclass(frozen=True)
class _Head:
    outputs: int
    # tanh-squared, regression, bce, hinge, softmax-ce, softmax-squared or multi-hinge
    kind: str


def _head(task: str, n_classes: int, loss: str) -> _Head:
    if task == "regression":
        if loss != "squared":
            raise ValueError(f"regression trains with the squared loss, not {loss!r}")
        return _Head(1, "regression")
    if n_classes < 2:
        raise ValueError("classification needs at least 2 classes")
    if loss == "ce":
        return _Head(n_classes, "softmax-ce")
    if n_classes == 2:
        return _Head(1, {"squared": "tanh-squared", "bce": "bce", "hinge": "hinge"}[loss])
    if loss == "bce":
        raise ValueError(f"binary cross-entropy needs 2 classes; for {n_classes} use 'ce'")
    return _Head(n_classes, {"squared": "softmax-squared", "hinge": "multi-hinge"}[loss])


class _Builder:
    """Adds nodes with fresh names and keeps the graph's edges tidy."""

    def __init__(self) -> None:
        self.g = Graph()

    def leaf(self, name: str, op: str, value: Any) -> str:
        self.g.add_node(name, op, value)
        return name

    def op(self, name: str, op: str, *args: str) -> str:
        self.g.add_node(name, op)
        for slot, src in enumerate(args):
            self.g.connect(src, name, slot)
        return name


class MLP:
    """An MLP for one task: its engine graph, its parameter layout and how to run it."""

    def __init__(self, config: ModelConfig, task: str = "classes", n_classes: int = 2) -> None:
        self.config = config
        self.task = task
        self.n_classes = n_classes if task == "classes" else 0
        self.head = _head(task, self.n_classes, config.loss)
        self.sizes = (len(config.features), *config.hidden, self.head.outputs)
        self.param_names: tuple[str, ...] = tuple(
            name for layer in range(1, len(self.sizes)) for name in (f"W{layer}", f"b{layer}"))
        shapes: list[tuple[int, ...]] = []
        for fan_in, fan_out in zip(self.sizes, self.sizes[1:], strict=False):
            shapes += [(fan_in, fan_out), (fan_out,)]
        self.shapes: dict[str, tuple[int, ...]] = dict(zip(self.param_names, shapes,
                                                           strict=True))
        self.layout: dict[str, tuple[slice, tuple[int, ...]]] = {}
        offset = 0
        for name, shape in self.shapes.items():
            size = math.prod(shape)
            self.layout[name] = (slice(offset, offset + size), shape)
            offset += size
        self.n_params = offset
        self.graph, self.output_node, self.data_loss_node, self.loss_node = self._build()
        #: The node holding each layer's output (``h1``…, or ``z1``… when linear, then zL).
        hidden_nodes = [f"z{layer}" if ACTIVATIONS[config.activation] is None else f"h{layer}"
                        for layer in range(1, len(self.sizes) - 1)]
        self.layer_nodes: tuple[str, ...] = (*hidden_nodes, self.output_node)
        feed = ["X", "T", *self.param_names]
        self._train = LeafRunner(self.graph, feed, self.loss_node, self.param_names)
        self._out = LeafRunner(self.graph, ["X", *self.param_names], self.output_node)
        self._eval = LeafRunner(self.graph, feed, self.data_loss_node)

    # ----------------------------------------------------------------- the graph
    def _build(self) -> tuple[Graph, str, str, str]:
        cfg = self.config
        b = _Builder()
        n_out = self.head.outputs
        h = b.leaf("X", "input", np.zeros((1, self.sizes[0])))
        b.leaf("T", "input", np.zeros((1, n_out)))
        flat = self.init_params(0)
        act = ACTIVATIONS[cfg.activation]
        if cfg.activation == "sigmoid" and cfg.slope != 1.0:
            b.leaf("a", "const", float(cfg.slope))
        n_layers = len(self.sizes) - 1
        for layer in range(1, n_layers + 1):
            w = b.leaf(f"W{layer}", "input", self.view(flat, f"W{layer}").copy())
            bias = b.leaf(f"b{layer}", "input", self.view(flat, f"b{layer}").copy())
            z = b.op(f"z{layer}", "add", b.op(f"mm{layer}", "matmul", h, w), bias)
            if layer == n_layers or act is None:
                h = z
                continue
            if act == "sigmoid" and cfg.slope != 1.0:
                z = b.op(f"az{layer}", "mul", "a", z)
            h = b.op(f"h{layer}", act, z)
        out = h
        data_loss = self._build_head(b, out)
        loss = self._build_penalty(b, data_loss)
        return b.g, out, data_loss, loss

    def _build_head(self, b: _Builder, z: str) -> str:
        kind, k = self.head.kind, self.head.outputs
        name = "loss" if not (self.config.l1 or self.config.l2) else "data_loss"
        if kind in ("tanh-squared", "regression", "softmax-squared"):
            if kind == "tanh-squared":
                pred = b.op("pred", "tanh", z)
            elif kind == "softmax-squared":
                pred = self._softmax(b, z, k)
            else:
                pred = z
            err = b.op("err", "sub", pred, "T")
            mse = b.op("mse", "mean", b.op("sq", "mul", err, err))
            return b.op(name, "mul", mse, b.leaf("half_k", "const", 0.5 * k))
        if kind == "bce":
            # relu(z) + log(1 + e^(−|z|)) − t·z: the logistic loss without overflow
            soft = b.op("softplus", "add", b.op("relu_z", "relu", z),
                        b.op("log1pe", "log", b.op("one_pe", "add", b.leaf("one", "const", 1.0),
                             b.op("e_neg", "exp", b.op("neg_abs", "neg",
                                                       b.op("abs_z", "abs", z))))))
            per = b.op("per_sample", "sub", soft, b.op("tz", "mul", "T", z))
            return b.op(name, "mean", per)
        if kind == "hinge":
            margin = b.op("margin", "sub", b.leaf("one", "const", 1.0), b.op("tz", "mul", "T", z))
            return b.op(name, "mean", b.op("hinge", "relu", margin))
        ones = b.leaf("ones_k", "const", np.ones((k, 1)))
        if kind == "softmax-ce":
            shifted = self._shift(b, z, k)
            lse = b.op("lse", "log", b.op("sum_exp", "matmul", b.op("exp_s", "exp", shifted),
                                          ones))
            picked = b.op("s_t", "matmul", b.op("sT", "mul", shifted, "T"), ones)
            return b.op(name, "mean", b.op("per_sample", "sub", lse, picked))
        # multi-hinge: Σ_{j≠t} relu(1 + z_j − z_t), a mean over samples
        z_t = b.op("z_t", "matmul", b.op("zT", "mul", z, "T"), ones)
        viol = b.op("viol", "relu", b.op("margins", "add", b.op("z_minus", "sub", z, z_t),
                                         b.leaf("one", "const", 1.0)))
        others = b.op("not_t", "sub", b.leaf("one_b", "const", 1.0), "T")
        per = b.op("per_class", "mul", viol, others)
        return b.op(name, "mul", b.op("mean_pc", "mean", per), b.leaf("k", "const", float(k)))

    @staticmethod
    def _shift(b: _Builder, z: str, k: int) -> str:
        """z minus each row's largest entry (columns picked by matmul with unit columns)."""
        cols = []
        for j in range(k):
            e = np.zeros((k, 1))
            e[j, 0] = 1.0
            cols.append(b.op(f"col{j}", "matmul", z, b.leaf(f"e{j}", "const", e)))
        top = cols[0]
        for j in range(1, k):
            top = b.op(f"max{j}", "max", top, cols[j])
        return b.op("shifted", "sub", z, top)

    def _softmax(self, b: _Builder, z: str, k: int) -> str:
        ex = b.op("exp_s", "exp", self._shift(b, z, k))
        total = b.op("sum_exp", "matmul", ex, b.leaf("ones_k", "const", np.ones((k, 1))))
        return b.op("prob", "div", ex, total)

    def _build_penalty(self, b: _Builder, data_loss: str) -> str:
        cfg = self.config
        if not (cfg.l1 or cfg.l2):
            return data_loss
        terms = []
        weights = [p for p in self.param_names if p.startswith("W")]
        if cfg.l2:
            sums = [b.op(f"ssq_{w}", "sum", b.op(f"sq_{w}", "mul", w, w)) for w in weights]
            terms.append(b.op("l2_term", "mul", self._chain_sum(b, sums, "l2_sum"),
                              b.leaf("l2_half", "const", 0.5 * cfg.l2)))
        if cfg.l1:
            sums = [b.op(f"sabs_{w}", "sum", b.op(f"abs_{w}", "abs", w)) for w in weights]
            terms.append(b.op("l1_term", "mul", self._chain_sum(b, sums, "l1_sum"),
                              b.leaf("l1_coef", "const", cfg.l1)))
        penalty = terms[0] if len(terms) == 1 else b.op("penalty", "add", *terms)
        return b.op("loss", "add", data_loss, penalty)

    @staticmethod
    def _chain_sum(b: _Builder, terms: list[str], name: str) -> str:
        total = terms[0]
        for i, t in enumerate(terms[1:], start=1):
            total = b.op(f"{name}{i}", "add", total, t)
        return total

    # ----------------------------------------------------------------- parameters
    def view(self, flat: np.ndarray, name: str) -> np.ndarray:
        """Parameter ``name`` as a view into the flat vector ``flat``."""
        sl, shape = self.layout[name]
        return flat[sl].reshape(shape)

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Every parameter as a view into ``flat``, in :attr:`param_names` order."""
        return [self.view(flat, name) for name in self.param_names]

    def init_params(self, seed: int = 0) -> np.ndarray:
        """Fresh parameters as one flat vector: weights by the configured rule (Xavier:
        U(±√(6/(fan_in + fan_out))); He: N(0, 2/fan_in); uniform: U(−0.5, 0.5), as TensorFlow
        Playground), biases 0."""
        rng = np.random.default_rng(seed)
        flat = np.zeros(self.n_params)
        for name in self.param_names:
            if not name.startswith("W"):
                continue
            fan_in, fan_out = self.shapes[name]
            view = self.view(flat, name)
            if self.config.init == "xavier":
                lim = math.sqrt(6.0 / (fan_in + fan_out))
                view[...] = rng.uniform(-lim, lim, size=view.shape)
            elif self.config.init == "he":
                view[...] = rng.normal(scale=math.sqrt(2.0 / fan_in), size=view.shape)
            else:
                view[...] = rng.uniform(-0.5, 0.5, size=view.shape)
        return flat

    def params(self, flat: np.ndarray) -> ParamSet:
        """An immutable snapshot of the flat vector, by parameter name."""
        return ParamSet(flat, self.layout)

    # ----------------------------------------------------------------- data
    def features(self, x: np.ndarray) -> np.ndarray:
        """Raw points (N × 2) → the network's input matrix (N × features)."""
        return np.column_stack([FEATURES[f](x) for f in self.config.features])

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Labels (N) → the target matrix T the loss head expects (N × outputs)."""
        kind = self.head.kind
        y = np.asarray(y, dtype=np.float64)
        if kind == "regression":
            return y[:, None].copy()
        if kind in ("tanh-squared", "hinge"):
            return (2.0 * y - 1.0)[:, None]
        if kind == "bce":
            return y[:, None].copy()
        return np.eye(self.head.outputs)[y.astype(int)]

    # ----------------------------------------------------------------- running
    def loss_and_grads(self, flat: np.ndarray, x: np.ndarray, y: np.ndarray,
                       ) -> tuple[float, list[np.ndarray]]:
        """The loss on raw points ``x`` with labels ``y`` and the gradient of every parameter
        (in :attr:`param_names` order), by the engine's reverse mode. For repeated steps use
        :meth:`step_gradients` with prepared matrices."""
        return self.step_gradients(self.views(flat), self.features(x), self.targets(y))

    def step_gradients(self, views: Sequence[np.ndarray], xf: np.ndarray, t: np.ndarray,
                       ) -> tuple[float, list[np.ndarray]]:
        """Loss and parameter gradients for feature matrix ``xf`` and targets ``t``."""
        loss, grads = self._train.gradients([xf, t, *views])
        return float(loss), grads

    def evaluate(self, flat: np.ndarray, x: np.ndarray, y: np.ndarray,
                 ) -> tuple[float, float | None]:
        """Data loss (without the penalty) and accuracy (``None`` for regression) on raw points."""
        if len(x) == 0:
            return math.nan, None
        views = self.views(flat)
        xf = self.features(x)
        vals = self._eval.values([xf, self.targets(y), *views])
        loss = float(self._eval.value_of(vals, self.data_loss_node))
        if self.task == "regression":
            return loss, None
        out = self._eval.value_of(vals, self.output_node)
        return loss, float(np.mean(self._classes(out) == y))

    def raw_output(self, flat: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The output layer's values ``zL`` (N × outputs) for raw points ``x``."""
        vals = self._out.values([self.features(x), *self.views(flat)])
        return self._out.value_of(vals, self.output_node)

    def layer_outputs(self, flat: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for raw points ``x`` (one N × width array per hidden layer,
        after its activation, then the output layer's ``zL``): what each neuron's small map
        paints. One forward pass for all of them."""
        vals = self._out.values([self.features(x), *self.views(flat)])
        return [self._out.value_of(vals, node) for node in self.layer_nodes]

    def _classes(self, out: np.ndarray) -> np.ndarray:
        if self.head.outputs == 1:
            return (out[:, 0] > 0).astype(np.float64)
        return np.argmax(out, axis=1).astype(np.float64)

    def predict(self, flat: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Predicted class numbers (as floats) or regression values, one per point."""
        out = self.raw_output(flat, x)
        if self.task == "regression":
            return out[:, 0]
        return self._classes(out)

    def scores(self, flat: np.ndarray, x: np.ndarray) -> np.ndarray:
        """What to paint as the output map: for two classes a number in [−1, 1] whose sign is
        the predicted class (tanh of the output); for k classes the probabilities (N × k);
        for regression the predicted value."""
        out = self.raw_output(flat, x)
        if self.task == "regression":
            return out[:, 0]
        if self.head.outputs == 1:
            return np.tanh(out[:, 0])
        e = np.exp(out - out.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def backward(self, flat: np.ndarray, x: np.ndarray, y: np.ndarray) -> Backward:
        """The engine's full backward result for points ``x``: every node's value and gradient
        and what every edge carries (what the editor shows), e.g. ``back.grads["z1"]`` is
        dL/d(pre-activation of layer 1) per point of the batch."""
        overrides: dict[str, Any] = dict(zip(self.param_names, self.views(flat), strict=True))
        overrides["X"] = self.features(x)
        overrides["T"] = self.targets(y)
        plan = self.graph.plan()
        return plan.backward(plan.forward(self.graph, overrides), self.loss_node)

    def graph_with(self, flat: np.ndarray) -> Graph:
        """A copy of the network's graph holding these parameter values (to show or export)."""
        g = self.graph.copy()
        for name, value in zip(self.param_names, self.views(flat), strict=True):
            g.set_value(name, value.copy())
        return g
