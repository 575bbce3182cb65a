"""dL/dw as the chain rule builds it: the sum over every path from the loss down to one weight.

In an MLP the loss reaches a weight ``W_l[i, j]`` (from neuron ``i`` of layer ``l − 1`` to neuron
``j`` of layer ``l``) along many paths: through neuron ``j``, then any neuron of each later
layer, up to an output neuron and the loss. The chain rule says dL/dw is the sum, over those
paths, of the product of the local derivatives met on the way, read from the loss down::

    ∂L/∂ŷ · tanh′(z2[0]) · W2[1,0] · tanh′(z1[1]) · x1        (one path of a 2-3-1 network)

This module writes every path out (:func:`weight_paths`), ranks them by size and keeps the
largest, and checks their sum three ways: against the engine's reverse-mode gradient of the
same loss (:meth:`MLP.backward <graphapp.train.model.MLP.backward>`), and against a central
finite difference of the loss, which :func:`loss_along` evaluates on the compiled plan together
with the loss along that weight (``w + t``) and its tangent line.

For a batch the loss is the mean of the samples' losses, so each path's contribution is the
mean over the samples of its product (not the product of the mean factors), and dL/dw is the
sum of those means; a penalty (L2 ``½·l2·Σw²``, L1 ``l1·Σ|w|``) adds one more, direct path.

Caveats:

* A wide, deep network has too many paths to write out (a 2-16-16-16-1 network has 256 paths
  to each first-layer weight, a 2-64-64-64-64-1 one 262,144). Up to :data:`EXPLICIT_LIMIT`
  path-sample products, every path is multiplied out and added. Beyond it the total is still
  exact, summed layer by layer (the same sum, factored as the backward pass factors it), and
  the largest paths are found by a k-best search over the layers: exact for one sample; for a
  batch they are the largest among each sample's largest (:attr:`PathSum.ranked_exactly`).
* The output layer's neurons are joined to the loss by the loss head. Where the loss couples
  the outputs (softmax with the squared error), a path also picks which probability ``p[m]``
  it goes through; where the head is a known closed form (softmax cross-entropy ``p − t``,
  the binary cross-entropy ``σ(z) − t``, hinge losses) it is one factor.
* At a kink (ReLU at 0, a hinge exactly at its margin, ``|z|`` at 0) the derivative is taken as
  the engine takes it (0 for ReLU and the hinge); the binary cross-entropy's engine form takes
  ``−t`` at exactly z = 0 where this module says ``½ − t`` (a set of measure zero). A finite
  difference across a kink disagrees; :attr:`LossSlice.fd_step` says how far it looked.

>>> import numpy as np
>>> from graphapp.train.model import MLP, ModelConfig
>>> model = MLP(ModelConfig(hidden=(3,)), task="classes", n_classes=2)
>>> flat = model.init_params(seed=1)
>>> ps = weight_paths(model, flat, np.array([[0.5, -1.0]]), np.array([1]), "W1", (0, 2))
>>> ps.n_paths, len(ps.paths)
(1, 1)
>>> [f.symbol for f in ps.paths[0].factors]
['∂L/∂ŷ', 'tanh′(z2[0])', 'W2[2,0]', 'tanh′(z1[2])', 'x1']
>>> bool(abs(ps.total - ps.engine) < 1e-12)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from graphapp.engine.runner import LeafRunner
from graphapp.train.model import MLP

__all__ = [
    "EXPLICIT_LIMIT",
    "SEARCH_SAMPLES",
    "Factor",
    "LossSlice",
    "Path",
    "PathSum",
    "finite_difference",
    "loss_along",
    "param_index",
    "weight_paths",
]

#: Paths × samples multiplied out one by one; beyond this the sum is factored layer by layer.
EXPLICIT_LIMIT = 250_000
#: Beyond :data:`EXPLICIT_LIMIT`, the samples of a batch whose largest paths are candidates.
SEARCH_SAMPLES = 16
_FEATURE_SYMBOL = {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2"}


@dataclass(frozen=True)
class Factor:
    """One local derivative on a path: its symbol, what it means, and its number (for a batch,
    the mean over the samples)."""

    symbol: str
    meaning: str
    value: float


@dataclass(frozen=True)
class Path:
    """One path from the loss down to the weight.

    ``neurons`` are ``(layer, neuron)`` pairs from the weight's source (layer 0 are the input
    features) up to the output neuron; ``edges`` the weights it crosses as ``(name, row, col)``,
    the clicked weight first. A penalty path (``kind == "penalty"``) has neither.
    """

    kind: str
    neurons: tuple[tuple[int, int], ...]
    edges: tuple[tuple[str, int, int], ...]
    factors: tuple[Factor, ...]
    #: The product of the factors (for a batch, the mean over its samples of that product).
    product: float


@dataclass(frozen=True)
class PathSum:
    """dL/d(one parameter) as a sum over paths, beside the engine's number for it."""

    param: str
    index: tuple[int, ...]
    value: float  # the parameter's current value
    samples: int
    loss: float
    #: The largest paths by |product|, largest first.
    paths: tuple[Path, ...]
    #: How many paths lead from the loss to this parameter (the penalty's included).
    n_paths: int
    #: True when every path was multiplied out and added one by one.
    explicit: bool
    #: True when ``paths`` are certainly the largest (see the module's caveats).
    ranked_exactly: bool
    #: The sum over every path: dL/dparameter by the chain rule.
    total: float
    #: The sum of the paths kept in :attr:`paths`.
    kept_total: float
    #: The engine's reverse-mode gradient of the same loss.
    engine: float


@dataclass(frozen=True)
class LossSlice:
    """The loss along one parameter, ``L(w + t)``, with the tangent line at ``t = 0``."""

    offsets: np.ndarray  # t
    losses: np.ndarray  # L(w + t), evaluated on the compiled plan
    loss: float  # L(w)
    slope: float  # the gradient given: the tangent is loss + slope · t
    finite_difference: float  # (L(w + h) − L(w − h)) / 2h
    fd_step: float  # h

    def tangent(self) -> np.ndarray:
        """The tangent line's values at :attr:`offsets`."""
        return self.loss + self.slope * self.offsets


# ----------------------------------------------------------------- naming
def param_index(model: MLP, name: str, row: int, col: int) -> tuple[int, ...]:
    """The index into parameter ``name`` that a click on ``(name, row, col)`` means: ``(row,
    col)`` for a weight matrix, ``(col,)`` for a bias (a bias is a row vector: row 0); a
    ``ValueError`` names what does not exist."""
    if name not in model.shapes:
        raise ValueError(f"no parameter {name!r}; the network has {', '.join(model.param_names)}")
    shape = model.shapes[name]
    index = (row, col) if len(shape) == 2 else (col,)
    if len(shape) == 1 and row != 0:
        raise ValueError(f"{name} is a bias: one row (row 0), got row {row}")
    if any(not 0 <= k < n for k, n in zip(index, shape, strict=True)):
        raise ValueError(f"{name} has shape {shape}; there is no entry {index}")
    return index


def _neuron_symbol(model: MLP, layer: int, n: int) -> str:
    if layer == 0:
        f = model.config.features[n]
        return _FEATURE_SYMBOL.get(f, f)
    return f"h{layer}[{n}]" if model.config.activation != "linear" else f"z{layer}[{n}]"


# ----------------------------------------------------------------- the pieces of a path
@dataclass(frozen=True)
class _Local:
    """Every per-sample number a path needs, from one forward and backward pass."""

    n_layers: int
    inputs: list[np.ndarray]  # inputs[k]: what layer k + 1 reads (N × size_k); 0: features
    dact: list[np.ndarray | None]  # dact[k]: σ′(z_k) (N × size_k) for hidden k, None otherwise
    weights: list[np.ndarray | None]  # weights[k] = W_k (size_{k-1} × size_k); index 0 unused
    head: np.ndarray  # N × outputs × routes: each route's product of head factors
    head_factors: list[list[list[tuple[str, str, np.ndarray]]]]  # [output][route] → factors
    engine: np.ndarray  # the engine's gradient of the parameter
    loss: float


def _act_derivative(model: MLP, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """σ′(z) of the hidden activation, from its input z and output h."""
    act = model.config.activation
    if act == "tanh":
        return 1.0 - h * h
    if act == "sigmoid":
        return model.config.slope * h * (1.0 - h)
    return (z > 0).astype(np.float64)


def _act_words(model: MLP) -> tuple[str, str]:
    """The hidden activation's derivative: its symbol and what it is."""
    act = model.config.activation
    if act == "tanh":
        return "tanh′", "1 − h², the slope of tanh at this neuron"
    if act == "sigmoid":
        a = model.config.slope
        return "σ′", ("h(1 − h), the slope of the sigmoid" if a == 1.0 else
                      f"{a:g}·h(1 − h), the slope of the sigmoid σ({a:g}·z)")
    return "relu′", "1 where z > 0, else 0 (ReLU's slope)"


def _head(model: MLP, z: np.ndarray, t: np.ndarray,
          ) -> tuple[np.ndarray, list[list[list[tuple[str, str, np.ndarray]]]]]:
    """Per sample, the routes from the loss to each output neuron's z and their factors."""
    kind = model.head.kind
    n, k = z.shape
    out_layer = len(model.sizes) - 1
    if kind == "tanh-squared":
        pred = np.tanh(z[:, 0])
        factors = [[[("∂L/∂ŷ", "ŷ − t: the prediction ŷ = tanh(z) minus the target",
                      pred - t[:, 0]),
                     (f"tanh′(z{out_layer}[0])", "1 − ŷ², the slope of the output's tanh",
                      1.0 - pred * pred)]]]
    elif kind == "regression":
        factors = [[[("∂L/∂ŷ", "ŷ − t: the prediction minus the target", z[:, 0] - t[:, 0])]]]
    elif kind == "bce":
        sig = 0.5 * (1.0 + np.tanh(0.5 * z[:, 0]))
        factors = [[[("∂L/∂z", "σ(z) − t: binary cross-entropy through the sigmoid",
                      sig - t[:, 0])]]]
    elif kind == "hinge":
        active = (1.0 - t[:, 0] * z[:, 0] > 0).astype(np.float64)
        factors = [[[("∂L/∂z", "−t where the margin t·z < 1, else 0 (the hinge)",
                      -t[:, 0] * active)]]]
    elif kind in ("softmax-ce", "softmax-squared"):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        if kind == "softmax-ce":
            factors = [[[(f"∂L/∂z{out_layer}[{j}]", "p − t: the softmax probability minus "
                          "the target (cross-entropy)", p[:, j] - t[:, j])]] for j in range(k)]
        else:
            factors = [[[(f"∂L/∂p{m}", "p − t: a probability minus its target",
                          p[:, m] - t[:, m]),
                         (f"∂p{m}/∂z{out_layer}[{j}]",
                          "pₘ(δ − pⱼ): how the softmax moves a probability pₘ as zⱼ grows",
                          p[:, m] * (float(m == j) - p[:, j]))] for m in range(k)]
                       for j in range(k)]
    else:  # multi-class hinge: Σ_{j≠y} relu(1 + z_j − z_y)
        y = np.argmax(t, axis=1)
        zy = z[np.arange(n), y]
        viol = ((1.0 + z - zy[:, None]) > 0).astype(np.float64)
        viol[np.arange(n), y] = 0.0
        grad = viol.copy()
        grad[np.arange(n), y] = -viol.sum(axis=1)
        factors = [[[(f"∂L/∂z{out_layer}[{j}]", "1 if this class breaks its margin, "
                      "−(how many do) for the true class", grad[:, j])]] for j in range(k)]
    routes = max(len(r) for r in factors)
    head = np.zeros((n, k, routes))
    for j, rs in enumerate(factors):
        for r, fs in enumerate(rs):
            head[:, j, r] = np.prod([v for _, _, v in fs], axis=0)
    return head, factors


def _local(model: MLP, flat: np.ndarray, x: np.ndarray, y: np.ndarray, name: str) -> _Local:
    back = model.backward(flat, x, y)
    vals = back.forward.values
    n_layers = len(model.sizes) - 1
    inputs: list[np.ndarray] = [np.asarray(vals["X"], dtype=np.float64)]
    dact: list[np.ndarray | None] = [None]
    weights: list[np.ndarray | None] = [None]
    for k in range(1, n_layers + 1):
        weights.append(model.view(flat, f"W{k}"))
        if k == n_layers or model.config.activation == "linear":
            dact.append(None)
            inputs.append(np.asarray(vals[f"z{k}"]))
            continue
        z, h = np.asarray(vals[f"z{k}"]), np.asarray(vals[f"h{k}"])
        dact.append(_act_derivative(model, z, h))
        inputs.append(h)
    head, head_factors = _head(model, inputs[n_layers], model.targets(y))
    return _Local(n_layers, inputs, dact, weights, head, head_factors,
                  np.asarray(back.grads[name]), float(vals[model.loss_node]))


def _rows(local: _Local, rows: np.ndarray) -> _Local:
    """The same numbers for some of the samples only."""
    return replace(local, inputs=[v[rows] for v in local.inputs],
                   dact=[None if d is None else d[rows] for d in local.dact],
                   head=local.head[rows])


def _edge_factor(local: _Local, k: int, rows: np.ndarray) -> np.ndarray:
    """∂z_k/∂z_{k−1}-ish factors from neurons ``rows`` of layer k − 1 to every neuron of
    layer k, per sample: W_k[rows, :] times σ′(z_k) when layer k is hidden (N × rows × size_k)."""
    w = local.weights[k][rows, :][None, :, :]
    d = local.dact[k]
    return w if d is None else w * d[:, None, :]


# ----------------------------------------------------------------- the sum
def weight_paths(model: MLP, flat: np.ndarray, x: np.ndarray, y: np.ndarray, name: str,
                 index: Sequence[int], keep: int = 12) -> PathSum:
    """dL/d``name[index]`` for the points ``x`` (raw, N × 2) with labels ``y`` as a sum over
    paths, the ``keep`` largest kept, beside the engine's gradient of the same loss."""
    index = tuple(int(k) for k in index)
    row, col = index if len(index) == 2 else (0, index[-1])
    if param_index(model, name, row, col) != index:
        raise ValueError(f"{name} has shape {model.shapes[name]}; there is no entry {index}")
    local = _local(model, flat, x, y, name)
    layer = int(name[1:])
    is_weight = name.startswith("W")
    j = index[-1]
    n = len(x)
    base = local.inputs[layer - 1][:, index[0]] if is_weight else np.ones(n)
    if local.dact[layer] is not None:
        base = base * local.dact[layer][:, j]
    sizes = model.sizes
    routes = local.head.shape[2]
    n_chain = math.prod(sizes[layer + 1:]) * routes
    penalties = _penalty_paths(model, flat, name, index) if is_weight else []
    explicit = n_chain * n <= EXPLICIT_LIMIT
    if explicit:
        found, products = _all_paths(local, layer, j, base)
        total_chain = float(products.sum(axis=0).mean()) if len(products) else 0.0
        ranked = True
    else:
        # the candidates come from a few samples spread over the batch (the search costs
        # samples × width² × keep per layer), their batch means are then exact
        some = np.unique(np.linspace(0, n - 1, min(n, SEARCH_SAMPLES)).round().astype(int))
        found = _largest_paths(_rows(local, some), layer, j, base[some], keep)
        products = _route_products(local, layer, found, base)
        total_chain = float(_layerwise_total(local, layer, j, base).mean())
        ranked = n == 1
    means = products.mean(axis=1)
    order = np.argsort(-np.abs(means), kind="stable")[:keep]
    kept = [_describe(model, local, layer, index, found[r], float(means[r]), is_weight)
            for r in order]
    total = total_chain + sum(p.product for p in penalties)
    kept_all = sorted(kept + penalties, key=lambda p: -abs(p.product))[:keep]
    return PathSum(param=name, index=index, value=float(model.view(flat, name)[index]),
                   samples=n, loss=local.loss, paths=tuple(kept_all),
                   n_paths=n_chain + len(penalties), explicit=explicit, ranked_exactly=ranked,
                   total=total, kept_total=float(sum(p.product for p in kept_all)),
                   engine=float(local.engine[index]))


def _all_paths(local: _Local, layer: int, j: int, base: np.ndarray,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Every path, multiplied out layer by layer (iteratively, no recursion): routes (P ×
    hops: the neuron in each layer from ``layer`` up, then the head route) and their
    per-sample products (P × N)."""
    routes = np.array([[j]], dtype=np.int64)
    prods = base[None, :]
    for k in range(layer + 1, local.n_layers + 1):
        edge = _edge_factor(local, k, routes[:, -1])  # N × P × size_k
        width = edge.shape[2]
        prods = (prods[:, None, :] * np.transpose(edge, (1, 2, 0))).reshape(-1, prods.shape[1])
        routes = np.column_stack([np.repeat(routes, width, axis=0),
                                  np.tile(np.arange(width), len(routes))])
    head = local.head[:, routes[:, -1], :]  # N × P × routes
    n_routes = head.shape[2]
    prods = (prods[:, None, :] * np.transpose(head, (1, 2, 0))).reshape(-1, prods.shape[1])
    routes = np.column_stack([np.repeat(routes, n_routes, axis=0),
                              np.tile(np.arange(n_routes), len(routes))])
    return routes, prods


def _largest_paths(local: _Local, layer: int, j: int, base: np.ndarray, keep: int,
                   ) -> np.ndarray:
    """The ``keep`` largest paths of each sample by a k-best search over the layers (the
    log of |product| adds along a path, so the k best up to each neuron extend to the k best
    beyond it); for several samples, the union of their routes."""
    n = len(base)
    best = base[:, None, None]  # N × neurons × k
    routes = np.full((n, 1, 1, 1), j, dtype=np.int64)  # N × neurons × k × hops
    prev = np.array([j])
    for k in range(layer + 1, local.n_layers + 2):
        if k <= local.n_layers:
            edge = _edge_factor(local, k, prev)  # N × prev × width
            prev = np.arange(edge.shape[2])
        else:
            edge = local.head[:, prev, :]  # N × outputs × routes: the head as a last layer
        cand = best[:, :, None, :] * edge[:, :, :, None]  # N × prev × width × k
        width = edge.shape[2]
        cand = np.transpose(cand, (0, 2, 1, 3)).reshape(n, width, -1)  # N × width × (prev·k)
        pick = _top(cand, keep)
        best = np.take_along_axis(cand, pick, axis=2)
        src_neuron, src_rank = np.divmod(pick, routes.shape[2])
        old = routes[np.arange(n)[:, None, None], src_neuron, src_rank]  # N × width × kk × hops
        new = np.broadcast_to(np.arange(width)[None, :, None, None], (*old.shape[:3], 1))
        routes = np.concatenate([old, new], axis=3)
    # the last "layer" was the head's routes: flatten outputs × k and keep the best overall
    flat_routes = routes.reshape(n, -1, routes.shape[3])
    flat_best = best.reshape(n, -1)
    top = _top(flat_best, keep)
    chosen = np.take_along_axis(flat_routes, top[:, :, None], axis=1).reshape(-1,
                                                                              routes.shape[3])
    return np.unique(chosen, axis=0)


def _top(values: np.ndarray, keep: int) -> np.ndarray:
    """Indices of the ``keep`` largest |values| along the last axis, largest first."""
    mags = -np.abs(values)
    if values.shape[-1] > keep:
        part = np.argpartition(mags, keep - 1, axis=-1)[..., :keep]
    else:
        part = np.broadcast_to(np.arange(values.shape[-1]), values.shape).copy()
    order = np.argsort(np.take_along_axis(mags, part, axis=-1), axis=-1, kind="stable")
    return np.take_along_axis(part, order, axis=-1)


def _route_products(local: _Local, layer: int, routes: np.ndarray, base: np.ndarray,
                    ) -> np.ndarray:
    """Per-sample products (P × N) of the given routes."""
    prods = np.repeat(base[None, :], len(routes), axis=0)
    for hop, k in enumerate(range(layer + 1, local.n_layers + 1)):
        w = local.weights[k][routes[:, hop], routes[:, hop + 1]]  # P
        prods = prods * w[:, None]
        d = local.dact[k]
        if d is not None:
            prods = prods * d[:, routes[:, hop + 1]].T
    last = routes.shape[1] - 2
    return prods * local.head[:, routes[:, last], routes[:, last + 1]].T


def _layerwise_total(local: _Local, layer: int, j: int, base: np.ndarray) -> np.ndarray:
    """Every path's product summed per sample, layer by layer from the loss down (backprop):
    δ_L = the head's routes summed, δ_{k−1} = (δ_k W_kᵀ) σ′(z_{k−1})."""
    delta = local.head.sum(axis=2)  # N × outputs
    for k in range(local.n_layers, layer, -1):
        delta = delta @ local.weights[k].T
        d = local.dact[k - 1]
        if d is not None and k - 1 > layer:
            delta = delta * d
    return delta[:, j] * base  # base holds σ′(z_layer[j]) and the input


def _penalty_paths(model: MLP, flat: np.ndarray, name: str, index: tuple[int, ...],
                   ) -> list[Path]:
    w = float(model.view(flat, name)[index])
    cfg = model.config
    out = []
    if cfg.l2:
        out.append(Path("penalty", (), (), (Factor("l2", "the L2 strength", cfg.l2),
                                            Factor("w", "this weight: ∂(½·l2·w²)/∂w = l2·w", w)),
                        cfg.l2 * w))
    if cfg.l1:
        s = float(np.sign(w))
        out.append(Path("penalty", (), (), (Factor("l1", "the L1 strength", cfg.l1),
                                            Factor("sign(w)", "∂|w|/∂w", s)), cfg.l1 * s))
    return out


def _describe(model: MLP, local: _Local, layer: int, index: tuple[int, ...], route: np.ndarray,
              product: float, is_weight: bool) -> Path:
    """One route's factors from the loss down, with their numbers (batch: means)."""
    n_layers = local.n_layers
    hops = [int(v) for v in route[:-1]]  # neuron in layer, layer + 1, …, n_layers
    head_route = int(route[-1])
    factors = [Factor(s, m, float(np.mean(v)))
               for s, m, v in local.head_factors[hops[-1]][head_route]]
    symbol = _act_words(model)
    for k in range(n_layers, layer, -1):
        a, b = hops[k - 1 - layer], hops[k - layer]
        factors.append(Factor(f"W{k}[{a},{b}]", "a weight the path crosses: how much the next "
                              "layer's z moves per unit of the neuron below",
                              float(local.weights[k][a, b])))
        d = local.dact[k - 1]
        if d is not None:
            factors.append(Factor(f"{symbol[0]}(z{k - 1}[{a}])", symbol[1],
                                  float(np.mean(d[:, a]))))
    if is_weight:
        i = index[0]
        src = _neuron_symbol(model, layer - 1, i)
        factors.append(Factor(src, "the value flowing in along the clicked weight (∂z/∂w, "
                              "as z = … + w·x + …)",
                              float(np.mean(local.inputs[layer - 1][:, i]))))
        neurons = ((layer - 1, i), *((layer + h, v) for h, v in enumerate(hops)))
        edges = ((f"W{layer}", i, hops[0]),)
    else:
        factors.append(Factor("1", "∂z/∂b = 1: a bias adds to its neuron's z", 1.0))
        neurons = tuple((layer + h, v) for h, v in enumerate(hops))
        edges = ()
    edges = edges + tuple((f"W{k}", hops[k - 1 - layer], hops[k - layer])
                          for k in range(layer + 1, n_layers + 1))
    return Path("chain", neurons, edges, tuple(factors), product)


# ----------------------------------------------------------------- the loss along a weight
def _loss_function(model: MLP, x: np.ndarray, y: np.ndarray):
    runner = LeafRunner(model.graph, ["X", "T", *model.param_names], model.loss_node)
    xf, t = model.features(x), model.targets(y)

    def loss(flat: np.ndarray) -> float:
        vals = runner.values([xf, t, *model.views(flat)])
        return float(runner.value_of(vals, model.loss_node))

    return loss


def finite_difference(model: MLP, flat: np.ndarray, x: np.ndarray, y: np.ndarray, name: str,
                      index: Sequence[int], step: float | None = None) -> tuple[float, float]:
    """The central difference ``(L(w + h) − L(w − h)) / 2h`` of the loss on the compiled plan,
    and ``h`` (default ``1e-5·max(1, |w|)``)."""
    loss = _loss_function(model, x, y)
    return _central(loss, model, flat, name, tuple(index), step)


def _central(loss, model: MLP, flat: np.ndarray, name: str, index: tuple[int, ...],
             step: float | None) -> tuple[float, float]:
    offset = _offset(model, name, index)
    h = step if step is not None else 1e-5 * max(1.0, abs(float(flat[offset])))
    plus, minus = flat.copy(), flat.copy()
    plus[offset] += h
    minus[offset] -= h
    return (loss(plus) - loss(minus)) / (plus[offset] - minus[offset]), h


def _offset(model: MLP, name: str, index: tuple[int, ...]) -> int:
    sl, shape = model.layout[name]
    return sl.start + int(np.ravel_multi_index(index, shape))


def loss_along(model: MLP, flat: np.ndarray, x: np.ndarray, y: np.ndarray, name: str,
               index: Sequence[int], slope: float, span: float = 1.0,
               points: int = 41) -> LossSlice:
    """The loss with parameter ``name[index]`` moved by ``t`` in ``[−span, span]`` and every
    other parameter fixed, the tangent line of slope ``slope`` (give the path sum) and a
    finite difference of the same slope."""
    index = tuple(index)
    loss = _loss_function(model, x, y)
    offset = _offset(model, name, index)
    ts = np.linspace(-span, span, points)
    moved = flat.copy()
    losses = np.empty(points)
    for k, t in enumerate(ts):
        moved[offset] = flat[offset] + t
        losses[k] = loss(moved)
    fd, h = _central(loss, model, flat, name, index, None)
    return LossSlice(ts, losses, loss(flat), float(slope), float(fd), float(h))
