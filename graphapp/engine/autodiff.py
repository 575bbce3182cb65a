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
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphapp.engine.errors import EvaluationError
from graphapp.engine.lazy_numpy import np
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
    #: The largest |backprop − numeric| that still agrees (tolerances and round-off).
    allowed: float = 0.0
    #: The part of ``allowed`` that is the output's round-off over the step.
    roundoff: float = 0.0

    @property
    def error(self) -> float:
        """Absolute difference between the two."""
        return abs(self.backprop - self.numeric)

    @property
    def resolved(self) -> bool:
        """False when the output's round-off is as large as the gradient itself: the finite
        difference cannot tell this element's gradient from 0, so agreeing says little."""
        return self.roundoff < abs(self.backprop) or self.roundoff == 0.0


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


def _objective(fwd: Forward, output: str) -> tuple[float, float]:
    """The number differentiated (the sum of the output's elements) and its scale (the sum of
    their sizes), which bounds the round-off in it."""
    value = fwd.values[output]
    if value is None:
        node, why = fwd.root_failure(output)
        raise EvaluationError(node, why)
    with np.errstate(all="ignore"):
        return float(np.sum(value)), float(np.sum(np.abs(value)))


#: Round-off allowed in each evaluation of the output, in units of its size: a few ulps per
#: evaluation (float64's unit round-off is 1.1e-16), for the last operations and the sum.
ROUND_OFF = 8 * sys.float_info.epsilon


def _differences(graph: Graph, output: str, eps: float, names: list[str],
                 overrides: Mapping[str, Any]) -> dict[str, tuple[Value, np.ndarray]]:
    """Central differences per input element, each with the most round-off can make it wrong:
    ``ROUND_OFF × |output| / (x₊ − x₋) × 2``. When one element dominates the output (exp of
    a large x³ beside small ones), moving a small element changes the output by less than its
    last digit, and the difference says 0; the allowance says by how much it can be off."""
    plan = graph.plan()
    result: dict[str, tuple[Value, np.ndarray]] = {}
    with np.errstate(all="ignore"):  # inf and nan inputs give nan differences, quietly
        for name in names:
            x0 = as_value(overrides.get(name, graph.value(name)))
            arr = np.array(x0, dtype=np.float64, ndmin=1)
            shape = np.shape(x0)
            grad, noise = np.empty_like(arr), np.empty_like(arr)
            for k in range(arr.size):
                h = eps * max(1.0, abs(float(arr.flat[k])))
                plus, minus = arr.copy(), arr.copy()
                plus.flat[k] += h
                minus.flat[k] -= h
                f_plus, size_plus = _objective(
                    plan.forward(graph, {**overrides, name: plus.reshape(shape)}), output)
                f_minus, size_minus = _objective(
                    plan.forward(graph, {**overrides, name: minus.reshape(shape)}), output)
                step = plus.flat[k] - minus.flat[k]
                grad.flat[k] = (f_plus - f_minus) / step
                noise.flat[k] = 2 * ROUND_OFF * max(size_plus, size_minus) / step
            result[name] = (tidy(grad.reshape(shape)), noise.reshape(shape))
    return result


def finite_differences(graph: Graph, output: str, eps: float = 1e-6,
                       inputs: list[str] | None = None,
                       overrides: Mapping[str, Any] | None = None) -> dict[str, Value]:
    """Central differences (f(x+h) − f(x−h)) / 2h of ``output`` for every input element.

    ``h`` is ``eps`` scaled by the element's size (at least ``eps``).
    """
    names = graph.inputs_nodes() if inputs is None else inputs
    return {name: fd for name, (fd, _) in
            _differences(graph, output, eps, names, dict(overrides or {})).items()}


def gradcheck(graph: Graph, output: str, eps: float = 1e-6, rtol: float = 1e-4,
              atol: float = 1e-6, overrides: Mapping[str, Any] | None = None) -> list[CheckRow]:
    """Compare backprop with central differences for every element of every input.

    An element agrees when ``|bp − fd| ≤ atol + rtol·max(|bp|, |fd|) + round-off``, the last
    being what the output's own round-off can do to the difference (see
    :func:`_differences`): a correct gradient is never called wrong because the output is
    large, while a wrong one still shows wherever the difference can tell.
    """
    back = backward(graph, output, overrides)
    numeric = _differences(graph, output, eps, graph.inputs_nodes(), dict(overrides or {}))
    rows = []
    for name, (fd, noise) in numeric.items():
        bp = np.asarray(back.grads[name], dtype=np.float64)
        fd_arr = np.asarray(fd, dtype=np.float64)
        for idx in np.ndindex(bp.shape):
            b, f, n = float(bp[idx]), float(fd_arr[idx]), float(noise[idx])
            if math.isfinite(b) and math.isfinite(f):
                n = n if math.isfinite(n) else 0.0
                allowed = atol + rtol * max(abs(b), abs(f)) + n
                ok = abs(b - f) <= allowed
            else:  # inf agrees only with the same inf; nan with nothing
                allowed, n, ok = 0.0, 0.0, b == f
            rows.append(CheckRow(name, tuple(int(i) for i in idx), b, f, ok, allowed, n))
    return rows
