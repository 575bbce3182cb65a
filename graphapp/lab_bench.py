"""``graphapp bench``'s figure for the derivative lab: a 200 × 200 function-plot grid (f,
df/dx, df/dy at 40,000 points) on a random 100-node scalar graph, computed in one plan run on
arrays (:mod:`graphapp.lab.grid`), against the same graph evaluated point by point (one forward
and one backward pass per point, timed on 400 points and quoted per point)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphapp.generate import random_scalar_graph
from graphapp.lab import surface

__all__ = ["format_grid", "grid_figures"]


#: How a figure is timed: ``median_ms(fn, repeat)``, the benchmark's own timer.
Timer = Callable[[Callable[[], Any], int], float]


def grid_figures(median_ms: Timer, repeat: int, nodes: int = 100,
                 points: int = 200) -> dict[str, Any]:
    """Median milliseconds of one ``points`` × ``points`` surface on a ``nodes``-node graph,
    and of one grid point evaluated on its own (timed with ``median_ms``)."""
    g, out, _ = random_scalar_graph(nodes, seed=3, n_inputs=10)
    plan = g.plan()
    back = plan.backward(plan.forward(g), out)
    wrt = [n for n in g.inputs_nodes() if back.reaches(n)][:2]
    result: dict[str, Any] = {"nodes": nodes, "points": points, "wrt": wrt}
    result["grid_ms"] = median_ms(lambda: surface(g, out, (wrt[0], wrt[1]), points=points),
                                   repeat)
    result["vectorised"] = surface(g, out, (wrt[0], wrt[1]), points=2).vectorised

    def per_point() -> None:
        for k in range(400):
            fwd = plan.forward(g, {wrt[0]: 0.01 * k, wrt[1]: -0.01 * k})
            plan.backward(fwd, out)

    result["point_ms"] = median_ms(per_point, max(1, repeat // 2)) / 400
    result["point_by_point_over_grid"] = result["point_ms"] * points * points / result["grid_ms"]
    return result


def format_grid(r: dict[str, Any]) -> list[str]:
    """The figure as report lines."""
    mode = "one plan run on arrays" if r["vectorised"] else "point by point"
    return [f"function plot, {r['points']} × {r['points']} grid on a random {r['nodes']}-node "
            f"graph (f, df/d{r['wrt'][0]}, df/d{r['wrt'][1]}):",
            f"  whole grid ({mode}):  {r['grid_ms']:7.1f} ms",
            f"  one point on its own (forward + backward): {r['point_ms'] * 1e3:6.0f} µs → "
            f"point by point would be {r['point_by_point_over_grid']:.0f}× slower"]
