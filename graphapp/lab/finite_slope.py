"""The derivative as a slope (seed 001): nudge one input by h and compare the rise over the
run with what the gradient predicts.

``f(x)`` and ``f(x + h)`` come from two forward passes of the cached plan, the gradient from one
backward pass at ``x``. The rise over the run ``(f(x+h) − f(x)) / h`` is the forward difference;
it tends to the gradient as h shrinks, until round-off takes over (h below about 1e-8: see
:mod:`graphapp.lab.hsweep`). Any finite, non-zero h is accepted, down to 1e-15 and below.

>>> from graphapp.engine import Graph
>>> g = Graph()
>>> g.add_node("x", "input", 3.0); g.add_node("f", "mul")
>>> g.connect("x", "f", 0); g.connect("x", "f", 1)
>>> s = slope(g, "f", "x", 0.001)
>>> float(s.f_x), round(float(s.slope), 6), float(s.gradient), round(float(s.predicted), 9)
(9.0, 6.001, 6.0, 0.006)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphapp.engine import Graph
from graphapp.engine.lazy_numpy import np
from graphapp.lab._common import objective, run, scalar_input

__all__ = ["DEFAULT_H", "Slope", "slope"]

#: The step the nudge view starts with (seed 001's h = 0.001).
DEFAULT_H = 1e-3


@dataclass(frozen=True)
class Slope:
    """One nudge of ``wrt`` by ``h``: the values, the rise over the run, and the prediction."""

    output: str
    wrt: str
    x: float
    h: float
    f_x: float
    f_xh: float
    #: d output / d wrt at x, by backprop.
    gradient: float

    @property
    def rise(self) -> float:
        """f(x + h) − f(x): the change that really happened."""
        with np.errstate(all="ignore"):
            return float(np.float64(self.f_xh) - np.float64(self.f_x))

    @property
    def actual(self) -> float:
        """The actual change of the output (the rise)."""
        return self.rise

    @property
    def run(self) -> float:
        """The run: h."""
        return self.h

    @property
    def slope(self) -> float:
        """Rise over run, (f(x+h) − f(x)) / h: the forward difference."""
        with np.errstate(all="ignore"):
            return float(np.float64(self.rise) / np.float64(self.h))

    @property
    def predicted(self) -> float:
        """What the gradient predicts the change to be: gradient × h."""
        with np.errstate(all="ignore"):
            return float(np.float64(self.gradient) * np.float64(self.h))

    @property
    def error(self) -> float:
        """|slope − gradient|: the forward difference's error (about |f''(x)|·h/2 while
        truncation dominates)."""
        return abs(self.slope - self.gradient)


def slope(graph: Graph, output: str, wrt: str, h: float = DEFAULT_H,
          values: Mapping[str, Any] | None = None) -> Slope:
    """Nudge scalar input ``wrt`` by ``h`` (``values`` replace inputs for this run only).

    ``ValueError`` for h that is zero or not finite, or for an input that is not a scalar.
    """
    h = float(h)
    if h == 0.0 or not math.isfinite(h):
        raise ValueError(f"the step h must be a finite number other than 0, not {h}")
    x = scalar_input(graph, wrt, values)
    fwd = run(graph, values, {wrt: x})
    f_x = float(objective(fwd, output))
    with np.errstate(all="ignore"):
        f_xh = float(objective(run(graph, values, {wrt: np.float64(x) + h}), output))
    grad = graph.plan().backward(fwd, output).grads[wrt]
    return Slope(output, wrt, x, h, f_x, f_xh, float(grad))
