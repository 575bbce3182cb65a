"""The gradient check with its error sweep: backprop against forward and central differences
for h = 1e-1, 1e-2, …, 1e-12, and the h that came closest.

Forward differences (f(x+h) − f(x))/h err by about |f''|·h/2 (truncation, falling with h);
central differences (f(x+h) − f(x−h))/2h by about |f'''|·h²/6. Both also suffer round-off:
f is only known to about 1e-16·|f|, divided by h, so below some h the error rises again. On a
log-log plot of error against h the two meet in a V; the best h sits at its bottom (near
1e-8 for forward, 1e-5 to 1e-6 for central differences on a smooth function).

Every h is divided as written (the textbook formula), not by the step the float sum really
took, so the round-off the plot shows is the one a learner's hand calculation would see.
Where the graph is :func:`~graphapp.lab.grid.vectorisable`, all 24 shifted points of one
input come from one plan run on an array; otherwise from one run each.

>>> from graphapp.engine import Graph
>>> g = Graph()
>>> g.add_node("x", "input", 3.0); g.add_node("f", "mul")
>>> g.connect("x", "f", 0); g.connect("x", "f", 1)
>>> c = h_sweep(g, "f", "x")
>>> c.backprop, c.rows[0].h, round(c.rows[0].forward_error, 9), round(c.rows[0].central_error, 9)
(6.0, 0.1, 0.1, 0.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphapp.engine import Graph
from graphapp.engine.lazy_numpy import np
from graphapp.lab._common import objective, run, scalar_input
from graphapp.lab.grid import evaluate_along, vectorisable

__all__ = ["SWEEP_H", "InputCheck", "SweepRow", "h_sweep", "h_sweep_all"]

#: The steps of the sweep: 1e-1, 1e-2, …, 1e-12 (exactly these decimal literals).
SWEEP_H: tuple[float, ...] = tuple(float(f"1e-{k}") for k in range(1, 13))


@dataclass(frozen=True)
class SweepRow:
    """Both difference quotients at one h, and how far each is from backprop."""

    h: float
    forward: float
    central: float
    forward_error: float
    central_error: float


@dataclass(frozen=True)
class InputCheck:
    """One input's gradient by backprop and the sweep of finite differences over h."""

    name: str
    backprop: float
    rows: tuple[SweepRow, ...]

    def best(self, kind: str = "central") -> SweepRow | None:
        """The row whose ``kind`` ("forward" or "central") error is smallest (None when no
        error is finite)."""
        key = f"{kind}_error"
        finite = [r for r in self.rows if np.isfinite(getattr(r, key))]
        return min(finite, key=lambda r: getattr(r, key)) if finite else None


def _shifted_values(graph: Graph, output: str, name: str, x: float, hs: np.ndarray,
                    values: Mapping[str, Any] | None) -> tuple[float, np.ndarray, np.ndarray]:
    """f(x), f(x + h) and f(x − h) for every h."""
    with np.errstate(all="ignore"):
        points = np.concatenate([[x], x + hs, x - hs])
    if vectorisable(graph, [name], values):
        f, _ = evaluate_along(graph, output, {name: points}, values)
    else:
        f = np.array([float(objective(run(graph, values, {name: p}), output)) for p in points])
    n = len(hs)
    return float(f[0]), f[1:n + 1], f[n + 1:]


def h_sweep(graph: Graph, output: str, wrt: str, hs: Sequence[float] = SWEEP_H,
            values: Mapping[str, Any] | None = None) -> InputCheck:
    """Backprop against forward and central differences of scalar input ``wrt`` at each h."""
    x = scalar_input(graph, wrt, values)
    fwd = run(graph, values, {wrt: x})
    objective(fwd, output)  # fails early (EvaluationError) when the output cannot be computed
    bp = float(graph.plan().backward(fwd, output).grads[wrt])
    h = np.asarray(hs, dtype=np.float64)
    f0, f_plus, f_minus = _shifted_values(graph, output, wrt, x, h, values)
    with np.errstate(all="ignore"):
        forward = (f_plus - f0) / h
        central = (f_plus - f_minus) / (2.0 * h)
        rows = tuple(SweepRow(float(hk), float(fk), float(ck), abs(float(fk) - bp),
                              abs(float(ck) - bp))
                     for hk, fk, ck in zip(h, forward, central, strict=True))
    return InputCheck(wrt, bp, rows)


def h_sweep_all(graph: Graph, output: str, hs: Sequence[float] = SWEEP_H,
                values: Mapping[str, Any] | None = None) -> dict[str, InputCheck]:
    """:func:`h_sweep` for every scalar input, in the graph's order (array inputs are left
    out: the sweep moves one number at a time)."""
    checks = {}
    for name in graph.inputs_nodes():
        if np.ndim((values or {}).get(name, graph.value(name))) == 0:
            checks[name] = h_sweep(graph, output, name, hs, values)
    return checks
