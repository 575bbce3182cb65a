"""The output as a function of one or two inputs, on a grid, for plotting: f and its
derivatives at every grid point, from ONE run of the compiled plan on arrays.

How: the chosen input is set to the whole grid (``x`` as a vector, or for two inputs ``x`` as a
column and ``y`` as a row), the plan runs forward once, and forward mode (seeded with ones)
gives df/dx (and a second forward-mode pass df/dy) at every point at once. That is exact when
every node that depends on the chosen inputs is element-wise and every value in the graph is
a scalar: then each grid point is computed independently and numpy broadcasting does the rest.

Caveats, up front:

* Graphs where a reduction (``sum``, ``mean``) or ``matmul`` depends on the chosen inputs, or
  that hold array values, would mix grid points (a ``sum`` would add them up). Those are
  evaluated point by point instead: one forward and one backward pass per grid point, slower
  but right. :attr:`Curve.vectorised` / :attr:`Surface.vectorised` say which way was used, and
  :func:`vectorisable` says it beforehand. For an array output, f is the sum of its elements
  (what gradients are of).
* At a kink (relu, abs, max, min) the derivative is the engine's own convention (see the op
  table): relu'(0) = 0, |x|'(0) = 0, ½ to each side of a tie in max and min.
* Maths never raises: points where f is undefined hold nan (or ±inf), like the engine.

>>> from graphapp.engine import Graph
>>> g = Graph()
>>> g.add_node("x", "input", 1.0); g.add_node("f", "mul")
>>> g.connect("x", "f", 0); g.connect("x", "f", 1)
>>> c = curve(g, "f", "x", -1.0, 1.0, 5)
>>> c.x.tolist(), c.f.tolist(), c.dfdx.tolist(), c.vectorised
([-1.0, -0.5, 0.0, 0.5, 1.0], [1.0, 0.25, 0.0, 0.25, 1.0], [-2.0, -1.0, 0.0, 1.0, 2.0], True)
>>> default_range(3.0), default_range(0.25)
((0.0, 6.0), (-0.75, 1.25))

While only the plotted inputs move (the point is dragged), the grid stays the same: a view
keeps it while :func:`grid_key` is unchanged and re-reads only the point with :func:`moved`.

>>> key = grid_key(g, ["x"]); g.set_value("x", 0.5); grid_key(g, ["x"]) == key
True
>>> moved(c, g).x0, moved(c, g).f0, moved(c, g).slope0, moved(c, g).f is c.f
(0.5, 0.25, 1.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from graphapp.engine import Graph, Plan
from graphapp.engine.lazy_numpy import np
from graphapp.lab._common import objective, run, scalar_input

__all__ = ["Curve", "Surface", "curve", "default_range", "evaluate_along", "grid_key", "moved",
           "surface", "vectorisable"]


@dataclass(frozen=True)
class Curve:
    """``f`` and ``df/dx`` over ``x`` (numpy's ``linspace(lo, hi, points)``), the other inputs
    fixed, and the current point ``(x0, f0)`` with its slope."""

    output: str
    wrt: str
    x: np.ndarray
    f: np.ndarray
    dfdx: np.ndarray
    x0: float
    f0: float
    slope0: float
    #: True when the whole grid came from one plan run on arrays (see the module caveats).
    vectorised: bool

    def tangent(self, xs: np.ndarray | None = None) -> np.ndarray:
        """The tangent line at the current point, f0 + slope0·(x − x0), over ``xs`` (the grid
        by default)."""
        xs = self.x if xs is None else np.asarray(xs, dtype=np.float64)
        with np.errstate(all="ignore"):
            return self.f0 + self.slope0 * (xs - self.x0)


@dataclass(frozen=True)
class Surface:
    """``f``, ``df/dx`` and ``df/dy`` on the grid ``x`` × ``y``: ``f[i, j]`` is at
    ``(x[i], y[j])``. The current point is ``(x0, y0)`` with value ``f0`` and gradient
    ``(dfdx0, dfdy0)``."""

    output: str
    wrt: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    f: np.ndarray
    dfdx: np.ndarray
    dfdy: np.ndarray
    x0: float
    y0: float
    f0: float
    dfdx0: float
    dfdy0: float
    vectorised: bool


def default_range(value: float) -> tuple[float, float]:
    """The input's value ± max(1, |value|): the range a plot shows unless told otherwise."""
    half = max(1.0, abs(value))
    return value - half, value + half


def vectorisable(graph: Graph, wrt: Sequence[str],
                 values: Mapping[str, Any] | None = None) -> bool:
    """Can a grid over ``wrt`` be computed in one plan run? Yes when every value in the graph
    is a scalar and every node that depends on ``wrt`` is element-wise. Every op gives a
    scalar from scalars, so the leaves' values (inputs and constants) decide the first part
    without running the graph."""
    plan = graph.plan()
    given = values or {}
    for name in plan.order:
        if graph.op(name).arity == 0 and np.ndim(given.get(name, graph.value(name))):
            return False
    depends = np.zeros(len(plan.order), dtype=bool)
    for name in wrt:
        depends[plan.index[name]] = True
    for i, spec, args in plan.steps:
        if any(depends[j] for j in args):
            if not spec.elementwise:
                return False
            depends[i] = True
    return True


def _check_range(lo: float, hi: float, points: int) -> None:
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise ValueError(f"the range must be two finite numbers LO < HI, not {lo}:{hi}")
    if points < 2:
        raise ValueError(f"a plot needs at least 2 points, not {points}")


def _grid(graph: Graph, name: str, lo: float | None, hi: float | None, points: int,
          values: Mapping[str, Any] | None) -> tuple[float, np.ndarray]:
    x0 = scalar_input(graph, name, values)
    d_lo, d_hi = default_range(x0)
    lo = d_lo if lo is None else float(lo)
    hi = d_hi if hi is None else float(hi)
    _check_range(lo, hi, points)
    return x0, np.linspace(lo, hi, points)


def _full(v: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A result as a float array of the grid's shape (an output that does not depend on an
    input comes back smaller, and is spread over the grid)."""
    return np.broadcast_to(np.asarray(v, dtype=np.float64), shape).copy()


def evaluate_along(graph: Graph, output: str, assign: Mapping[str, np.ndarray],
                   values: Mapping[str, Any] | None = None,
                   wrt: Sequence[str] = ()) -> tuple[np.ndarray, list[np.ndarray]]:
    """The output at every point of a grid given by ``assign`` ({input: array}, arrays that
    broadcast together), in one forward pass, and its derivative with respect to each input in
    ``wrt`` by one forward-mode pass each. Only for :func:`vectorisable` graphs."""
    plan: Plan = graph.plan()
    fwd = run(graph, values, assign)
    f = objective(fwd, output, summed=False)
    shape = np.broadcast_shapes(*(np.shape(a) for a in assign.values()))
    derivs = []
    for name in wrt:
        seed = np.ones(np.shape(assign[name]))
        derivs.append(_full(plan.tangents(fwd, name, seed).values[output], shape))
    return _full(f, shape), derivs


def _point(graph: Graph, output: str, values: Mapping[str, Any] | None,
           assign: Mapping[str, float], wrt: Sequence[str]) -> tuple[float, list[float]]:
    """f and its gradient with respect to ``wrt`` at one point (one forward, one backward)."""
    fwd = run(graph, values, assign)
    f = float(objective(fwd, output))
    grads = graph.plan().backward(fwd, output).grads
    return f, [float(grads[name]) for name in wrt]


def curve(graph: Graph, output: str, wrt: str, lo: float | None = None,
          hi: float | None = None, points: int = 200,
          values: Mapping[str, Any] | None = None) -> Curve:
    """f and df/dx over ``linspace(lo, hi, points)`` of input ``wrt``, others fixed (``values``
    replace inputs for this run only). The range defaults to :func:`default_range`."""
    x0, xs = _grid(graph, wrt, lo, hi, points, values)
    f0, (g0,) = _point(graph, output, values, {wrt: x0}, [wrt])
    if vectorisable(graph, [wrt], values):
        f, (dfdx,) = evaluate_along(graph, output, {wrt: xs}, values, [wrt])
        return Curve(output, wrt, xs, f, dfdx, x0, f0, g0, True)
    f = np.empty(points)
    dfdx = np.empty(points)
    for k, x in enumerate(xs):
        f[k], (dfdx[k],) = _point(graph, output, values, {wrt: x}, [wrt])
    return Curve(output, wrt, xs, f, dfdx, x0, f0, g0, False)


def surface(graph: Graph, output: str, wrt: tuple[str, str],
            x_range: tuple[float, float] | None = None,
            y_range: tuple[float, float] | None = None, points: int = 60,
            values: Mapping[str, Any] | None = None) -> Surface:
    """f, df/dx and df/dy on a ``points`` × ``points`` grid of inputs ``wrt = (x, y)``; each
    range defaults to :func:`default_range` of that input's value."""
    xn, yn = wrt
    if xn == yn:
        raise ValueError(f"two different inputs are needed, not {xn!r} twice")
    x0, xs = _grid(graph, xn, *(x_range or (None, None)), points, values)
    y0, ys = _grid(graph, yn, *(y_range or (None, None)), points, values)
    f0, (gx0, gy0) = _point(graph, output, values, {xn: x0, yn: y0}, [xn, yn])
    if vectorisable(graph, [xn, yn], values):
        f, (dfdx, dfdy) = evaluate_along(graph, output, {xn: xs[:, None], yn: ys[None, :]},
                                         values, [xn, yn])
        return Surface(output, (xn, yn), xs, ys, f, dfdx, dfdy, x0, y0, f0, gx0, gy0, True)
    f, dfdx, dfdy = (np.empty((points, points)) for _ in range(3))
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            f[i, j], (dfdx[i, j], dfdy[i, j]) = _point(graph, output, values, {xn: x, yn: y},
                                                      [xn, yn])
    return Surface(output, (xn, yn), xs, ys, f, dfdx, dfdy, x0, y0, f0, gx0, gy0, False)


def grid_key(graph: Graph, wrt: Sequence[str]) -> tuple:
    """What a grid over inputs ``wrt`` depends on apart from their own values: the graph's
    structure and the value of every other input. For the same output, ranges and number of
    points, equal keys give equal grids."""
    others = []
    for name in graph.inputs_nodes():
        if name in wrt:
            continue
        v = graph.value(name)
        others.append((name, v if np.ndim(v) == 0 else (np.shape(v), np.asarray(v).tobytes())))
    return graph.structure_version, tuple(others)


def moved(plot: Curve | Surface, graph: Graph,
          values: Mapping[str, Any] | None = None) -> Curve | Surface:
    """``plot`` with its current point read again from the plotted inputs' values (one forward
    and one backward pass): the grid itself is kept, as :func:`grid_key` says it is unchanged."""
    if isinstance(plot, Curve):
        x0 = scalar_input(graph, plot.wrt, values)
        f0, (g0,) = _point(graph, plot.output, values, {plot.wrt: x0}, [plot.wrt])
        return replace(plot, x0=x0, f0=f0, slope0=g0)
    xn, yn = plot.wrt
    x0, y0 = scalar_input(graph, xn, values), scalar_input(graph, yn, values)
    f0, (gx0, gy0) = _point(graph, plot.output, values, {xn: x0, yn: y0}, [xn, yn])
    return replace(plot, x0=x0, y0=y0, f0=f0, dfdx0=gx0, dfdy0=gy0)
