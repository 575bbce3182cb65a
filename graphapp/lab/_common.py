"""What the lab's views share: reading one scalar input, running the cached plan with some
inputs replaced, and the output as one number (the sum of its elements, as gradients are)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphapp.engine import EvaluationError, Forward, Graph, NodeError, Plan
from graphapp.engine.lazy_numpy import np

__all__ = ["objective", "run", "scalar_input"]


def scalar_input(graph: Graph, name: str, values: Mapping[str, Any] | None = None) -> float:
    """The value of input ``name`` (``values`` first) as a float; ``ValueError`` when it is
    not an input or holds an array (the lab's views move one number at a time)."""
    if name not in graph:
        raise NodeError(f"no node {name!r}", (name,))
    if not graph.op(name).is_input:
        raise ValueError(f"{name!r} is not an input (it is a {graph.op(name).name} node)")
    value = (values or {}).get(name, graph.value(name))
    if np.ndim(value) != 0:
        raise ValueError(f"{name!r} holds an array of shape {np.shape(value)}; pick a scalar "
                         "input")
    return float(value)


def run(graph: Graph, values: Mapping[str, Any] | None, extra: Mapping[str, Any]) -> Forward:
    """One forward pass of the cached plan with ``values`` and then ``extra`` replacing
    inputs."""
    plan: Plan = graph.plan()
    return plan.forward(graph, {**(values or {}), **extra})


def objective(fwd: Forward, output: str, summed: bool = True) -> Any:
    """The output's value (summed when it is an array, unless ``summed`` is false); raises
    :class:`~graphapp.engine.errors.EvaluationError` when it cannot be computed."""
    value = fwd.values[output]
    if value is None:
        node, why = fwd.root_failure(output)
        raise EvaluationError(node, why)
    with np.errstate(all="ignore"):
        return np.sum(value) if summed and np.ndim(value) else value
