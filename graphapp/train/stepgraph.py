"""One training sample's forward pass and loss as a scalar ``.expr`` graph, micrograd-style.

Every weight and bias is an input node holding its current value, so ``graphapp grad`` (or the
editor) on the text shows, edge by edge, the very per-sample gradients the trainer computed with
matrices: the sample's point (``x1``, ``x2``) and target (``t``) are inputs too, and each neuron
is a line ``z1_0 = x1*W1_0_0 + x2*W1_1_0 + b1_0``. Only small networks make a readable graph:
:data:`MAX_PARAMS` at most.

Caveats: the cross-entropy of k classes is written without the largest-logit shift the trainer
uses (the same number, up to rounding); sums run left to right, where numpy's matrix product
may add in another order, so the last digit of a gradient can differ.

>>> from graphapp.train.model import MLP, ModelConfig
>>> model = MLP(ModelConfig(hidden=(2,)))
>>> text = step_graph_text(model, model.init_params(0), (0.5, -1.0), 1.0)
>>> print(text.splitlines()[-1])
loss = e * e * 0.5
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graphapp.formats.document import GraphFile
from graphapp.formats.expr import parse_expr
from graphapp.train.model import MLP

__all__ = ["MAX_PARAMS", "step_graph", "step_graph_text"]

#: The largest network (in parameters) written as a scalar graph.
MAX_PARAMS = 100

_FEATURE_EXPR = {"x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2",
                 "x1*x2": "x1 * x2", "sin(x1)": "sin(x1)", "sin(x2)": "sin(x2)"}
_FEATURE_NAME = {"x1^2": "x1sq", "x2^2": "x2sq", "x1*x2": "x1x2", "sin(x1)": "sinx1",
                 "sin(x2)": "sinx2"}


def _num(x: float) -> str:
    """A float as .expr text that reads back to the same double."""
    text = repr(float(x))
    return text if "e" in text or "." in text or "n" in text else text + ".0"


def _sum(terms: Sequence[str]) -> str:
    return " + ".join(terms)


def step_graph_text(model: MLP, flat: np.ndarray, point: Sequence[float], label: float,
                    title: str = "") -> str:
    """The ``.expr`` text of ``model`` (parameters ``flat``) on one sample ``point`` with
    ``label``; ``ValueError`` if the network has more than :data:`MAX_PARAMS` parameters."""
    if model.n_params > MAX_PARAMS:
        raise ValueError(f"the step graph is for small networks (at most {MAX_PARAMS} "
                         f"parameters); this one has {model.n_params}")
    cfg = model.config
    head = model.head
    sizes = model.sizes
    lines = [f"# {title or 'One training sample through the network, and its loss.'}",
             f"# Network {'-'.join(map(str, sizes))}, {cfg.activation} hidden units, "
             f"{cfg.loss} loss. Every weight and bias is an input, so its gradient is",
             "# dloss/dparameter for this sample: the chain rule summed over every path from",
             "# the loss down to it.", ""]
    lines += [f"x1 = {_num(point[0])}", f"x2 = {_num(point[1])}"]
    targets = model.targets(np.array([label]))[0]
    if head.outputs == 1:
        lines.append(f"t = {_num(targets[0])}")
    inputs = []
    for f in cfg.features:
        if f in _FEATURE_NAME:
            lines.append(f"{_FEATURE_NAME[f]} = {_FEATURE_EXPR[f]}")
            inputs.append(_FEATURE_NAME[f])
        else:
            inputs.append(f)
    for layer in range(1, len(sizes)):
        w, b = model.view(flat, f"W{layer}"), model.view(flat, f"b{layer}")
        lines.append("")
        lines += [f"W{layer}_{i}_{j} = {_num(w[i, j])}" for i in range(w.shape[0])
                  for j in range(w.shape[1])]
        lines += [f"b{layer}_{j} = {_num(b[j])}" for j in range(len(b))]
        outs = []
        last = layer == len(sizes) - 1
        for j in range(w.shape[1]):
            terms = [f"{src} * W{layer}_{i}_{j}" for i, src in enumerate(inputs)]
            lines.append(f"z{layer}_{j} = {_sum([*terms, f'b{layer}_{j}'])}")
            if last or cfg.activation == "linear":
                outs.append(f"z{layer}_{j}")
                continue
            arg = f"z{layer}_{j}" if cfg.slope == 1.0 or cfg.activation != "sigmoid" else \
                f"{_num(cfg.slope)} * z{layer}_{j}"
            lines.append(f"h{layer}_{j} = {cfg.activation}({arg})")
            outs.append(f"h{layer}_{j}")
        inputs = outs
    lines.append("")
    lines += _head_lines(model, inputs, targets)
    lines += _penalty_lines(model)
    return "\n".join(lines) + "\n"


def _head_lines(model: MLP, z: list[str], targets: np.ndarray) -> list[str]:
    kind = model.head.kind
    penalised = bool(model.config.l1 or model.config.l2)
    name = "data_loss" if penalised else "loss"
    if kind in ("tanh-squared", "regression"):
        pred = z[0]
        out = []
        if kind == "tanh-squared":
            out.append(f"pred = tanh({z[0]})")
            pred = "pred"
        return [*out, f"e = {pred} - t", f"{name} = e * e * 0.5"]
    if kind == "bce":
        return [f"{name} = relu({z[0]}) + log(1.0 + exp(-abs({z[0]}))) - t * {z[0]}"]
    if kind == "hinge":
        return [f"{name} = relu(1.0 - t * {z[0]})"]
    k = len(z)
    y = int(np.argmax(targets))
    if kind == "softmax-ce":
        return [f"{name} = log({_sum([f'exp({zj})' for zj in z])}) - {z[y]}"]
    if kind == "softmax-squared":
        out = [f"total = {_sum([f'exp({zj})' for zj in z])}"]
        for j, zj in enumerate(z):
            out.append(f"p{j} = exp({zj}) / total")
            out.append(f"d{j} = p{j} - {_num(targets[j])}")
        return [*out, f"{name} = ({_sum([f'd{j} * d{j}' for j in range(k)])}) * 0.5"]
    # multi-class hinge
    return [f"{name} = {_sum([f'relu(1.0 + {z[j]} - {z[y]})' for j in range(k) if j != y])}"]


def _penalty_lines(model: MLP) -> list[str]:
    cfg = model.config
    if not (cfg.l1 or cfg.l2):
        return []
    weights = [f"W{layer}_{i}_{j}" for layer in range(1, len(model.sizes))
               for i in range(model.sizes[layer - 1]) for j in range(model.sizes[layer])]
    terms = []
    if cfg.l2:
        terms.append(f"({_sum([f'{w} * {w}' for w in weights])}) * {_num(0.5 * cfg.l2)}")
    if cfg.l1:
        terms.append(f"({_sum([f'abs({w})' for w in weights])}) * {_num(cfg.l1)}")
    return [f"loss = data_loss + {_sum(terms)}"]


def step_graph(model: MLP, flat: np.ndarray, point: Sequence[float], label: float,
               title: str = "") -> GraphFile:
    """:func:`step_graph_text`, read back as a graph file (what the editor opens)."""
    return parse_expr(step_graph_text(model, flat, point, label, title))
