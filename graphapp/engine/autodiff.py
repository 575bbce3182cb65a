"""Automatic differentiation on a :class:`~graphapp.engine.graph.Graph`: the functions a
caller reaches for (forward values, reverse-mode gradients with per-edge local derivatives,
forward-mode tangents) and the numeric check against finite differences.

They run the graph's cached :class:`~graphapp.engine.plan.Plan`; see :mod:`graphapp.engine.plan`
for the caveats (nothing recurses, maths never raises, constants get no gradient, array outputs
are summed).

Examples
--------
>>> from graphapp.engine import Graph
>>> g = Graph()
>>> g.add_node("x", "input", 3.0)
>>> g.add_node("y", "mul"); g.connect("x", "y", 0); g.connect("x", "y", 1)
>>> back = backward(g, "y")
>>> float(back.grads["x"]), float(back.edge("x", "y", 1).accumulated)
(6.0, 3.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from graphapp.engine.errors import EvaluationError
from graphapp.engine.plan import (
    JACOBIAN_LIMIT,
    Backward,
    EdgeGrad,
    Forward,
    NonFinite,
    Plan,
    Tangents,
)
from graphapp.engine.values import Value, as_value, tidy

if TYPE_CHECKING:
    from graphapp.engine.graph import Graph

__all__ = [
    "JACOBIAN_LIMIT",
    "Backward",
    "CheckRow",
    "EdgeGrad",
    "Forward",
    "NonFinite",
    "Plan",
    "Tangents",
    "backward",
    "finite_differences",
    "forward",
    "gradcheck",
    "tangents",
]


@dataclass(frozen=True)
class CheckRow:
    """Backprop against central differences for one element of one input."""

    node: str
    index: tuple[int, ...]
    backprop: float
    numeric: float
    ok: bool

    @property
    def error(self) -> float:
        """Absolute difference between the two."""
        return abs(self.backprop - self.numeric)


# --------------------------------------------------------------------- convenience functions
def forward(graph: Graph, overrides: Mapping[str, Any] | None = None) -> Forward:
    """Run the graph's cached plan forward."""
    return graph.plan().forward(graph, overrides)


def backward(graph: Graph, output: str, overrides: Mapping[str, Any] | None = None,
             fwd: Forward | None = None) -> Backward:
    """Forward (unless ``fwd`` is given), then reverse mode from ``output``."""
    plan = graph.plan()
    if fwd is None or fwd.plan is not plan:
        fwd = plan.forward(graph, overrides)
    return plan.backward(fwd, output)


def tangents(graph: Graph, wrt: str, direction: Any = None,
             only_edge: tuple[str, str, int] | None = None,
             overrides: Mapping[str, Any] | None = None) -> Tangents:
    """Forward mode: the total derivative of every node with respect to ``wrt``."""
    plan = graph.plan()
    return plan.tangents(plan.forward(graph, overrides), wrt, direction, only_edge)


def _objective(fwd: Forward, output: str) -> float:
    value = fwd.values[output]
    if value is None:
        node, why = fwd.root_failure(output)
        raise EvaluationError(node, why)
    with np.errstate(all="ignore"):
        return float(np.sum(value))


def finite_differences(graph: Graph, output: str, eps: float = 1e-6,
                       inputs: list[str] | None = None,
                       overrides: Mapping[str, Any] | None = None) -> dict[str, Value]:
    """Central differences (f(x+h) − f(x−h)) / 2h of ``output`` for every input element.

    ``h`` is ``eps`` scaled by the element's size (at least ``eps``).
    """
    plan = graph.plan()
    base = dict(overrides or {})
    names = graph.inputs_nodes() if inputs is None else inputs
    result: dict[str, Value] = {}
    with np.errstate(all="ignore"):  # inf and nan inputs give nan differences, quietly
        for name in names:
            x0 = as_value(base.get(name, graph.value(name)))
            arr = np.array(x0, dtype=np.float64, ndmin=1)
            grad = np.empty_like(arr)
            for k in range(arr.size):
                h = eps * max(1.0, abs(float(arr.flat[k])))
                plus, minus = arr.copy(), arr.copy()
                plus.flat[k] += h
                minus.flat[k] -= h
                shape = np.shape(x0)
                f_plus = _objective(plan.forward(graph, {**base, name: plus.reshape(shape)}),
                                    output)
                f_minus = _objective(plan.forward(graph, {**base, name: minus.reshape(shape)}),
                                     output)
                grad.flat[k] = (f_plus - f_minus) / (plus.flat[k] - minus.flat[k])
            result[name] = tidy(grad.reshape(np.shape(x0)))
    return result


def gradcheck(graph: Graph, output: str, eps: float = 1e-6, rtol: float = 1e-4,
              atol: float = 1e-6, overrides: Mapping[str, Any] | None = None) -> list[CheckRow]:
    """Compare backprop with central differences for every element of every input.

    An element agrees when ``|bp − fd| ≤ atol + rtol·max(|bp|, |fd|)``.
    """
    back = backward(graph, output, overrides)
    numeric = finite_differences(graph, output, eps, overrides=overrides)
    rows = []
    for name, fd in numeric.items():
        bp = np.asarray(back.grads[name], dtype=np.float64)
        fd_arr = np.asarray(fd, dtype=np.float64)
        for idx in np.ndindex(bp.shape):
            b, f = float(bp[idx]), float(fd_arr[idx])
            if math.isfinite(b) and math.isfinite(f):
                ok = abs(b - f) <= atol + rtol * max(abs(b), abs(f))
            else:  # inf agrees only with the same inf; nan with nothing
                ok = b == f
            rows.append(CheckRow(name, tuple(int(i) for i in idx), b, f, ok))
    return rows

