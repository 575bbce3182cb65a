"""Run one compiled plan many times with new leaf values: the training loop's fast path.

:meth:`Plan.forward` / :meth:`Plan.backward` serve the editor: they look leaves up by name, turn
every override into a value, record every edge's local derivative and check every node for nan.
A training step needs none of that, only the output and the gradients of a few leaves, thousands
of times a second. A :class:`LeafRunner` is built once per plan; it fixes which leaves are fed
(by position), which node is the output and which leaves want gradients, and precomputes the
forward and backward call lists (skipping the VJPs of slots that lead to no wanted leaf, such as
the data input). Each run is then a tight loop of op-table calls with no per-node bookkeeping.

Caveats:

* The values given are used as they are (float64 numpy arrays or ``np.float64``): no
  ``as_value`` copy, so the caller must not change them during the run.
* Maths never raises (IEEE semantics, as everywhere in the engine), and a run does not look for
  nan: the caller checks what it needs and asks :meth:`Plan.forward` for the full diagnosis
  (:attr:`Forward.nonfinite`) when a number went bad.
* Gradients are those of the sum of the output's elements, as in :meth:`Plan.backward`, and are
  numerically identical to it (same rules, same order of accumulation).

>>> from graphapp.engine import Graph
>>> g = Graph()
>>> g.add_node("x", "input", 3.0); g.add_node("w", "input", 2.0)
>>> g.add_node("y", "mul"); g.connect("x", "y", 0); g.connect("w", "y", 1)
>>> run = LeafRunner(g, feed=["x"], output="y", wrt=["w"])
>>> value, grads = run.gradients([np.float64(5.0)])
>>> float(value), float(grads[0])
(10.0, 5.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphapp.engine.errors import EvaluationError, GraphError, NodeError
from graphapp.engine.values import Value, unbroadcast

if TYPE_CHECKING:
    from graphapp.engine.graph import Graph

__all__ = ["LeafRunner"]


class LeafRunner:
    """A plan fixed to one output, some fed leaves and some gradient leaves.

    ``feed`` names the leaves whose values each run supplies (in that order); every other leaf
    keeps the value it had in ``graph`` when the runner was built. ``wrt`` names the leaves
    whose gradients :meth:`gradients` returns (in that order); they must be among ``feed``
    or fixed inputs.
    """

    def __init__(self, graph: Graph, feed: Sequence[str], output: str,
                 wrt: Sequence[str] = ()) -> None:
        plan = graph.plan()
        self.plan = plan
        index = plan.index
        for name in (*feed, output, *wrt):
            if name not in index:
                raise NodeError(f"no node {name!r}", (name,))
        for name in (*feed, *wrt):
            if plan.specs[index[name]].arity:
                raise NodeError(f"{name!r} is computed; only inputs and constants can be fed",
                                (name,))
        o = index[output]
        if plan.incomplete_mask[o]:
            raise GraphError(f"{output!r} cannot be computed: an input slot upstream is empty",
                             (output,))
        self.output = output
        self._o = o
        self._feed = [index[name] for name in feed]
        self._wrt = [index[name] for name in wrt]
        reach = plan.reaches(output)
        self._base: list[Any] = [None] * len(plan.order)
        leaf_values = graph.values_of([plan.order[i] for i in plan.leaves])
        for i, v in zip(plan.leaves, leaf_values, strict=True):  # numpy's IEEE maths for all
            self._base[i] = np.float64(v) if type(v) is float else v  # (as_leaf keeps floats)
        # Which nodes depend on a gradient leaf: only their VJPs are needed.
        wants = np.zeros(len(plan.order), dtype=bool)
        wants[self._wrt] = True
        for i, _, args in plan.steps:
            if any(wants[j] for j in args):
                wants[i] = True
        self._forward = [(i, spec.forward, args) for i, spec, args in plan.steps if reach[i]]
        self._backward = []
        for i, spec, args in reversed(plan.steps):
            if not (reach[i] and wants[i]):
                continue
            rules = tuple((rule, s, j) for s, (rule, j) in enumerate(zip(spec.vjp, args,
                                                                         strict=True))
                          if wants[j])
            self._backward.append((i, rules, args))

    def values(self, fed: Sequence[Value]) -> list[Any]:
        """Run forward with the fed leaf values; every node's value in plan order (nodes that
        do not lead to the output are ``None``)."""
        with np.errstate(all="ignore"):
            return self._values(fed)

    def _values(self, fed: Sequence[Value]) -> list[Any]:
        vals = self._base.copy()
        for i, v in zip(self._feed, fed, strict=True):
            vals[i] = v
        for i, fn, args in self._forward:
            try:
                vals[i] = fn(*[vals[j] for j in args])
            except (ValueError, TypeError) as exc:
                shapes = ", ".join(str(np.shape(vals[j])) for j in args)
                raise EvaluationError(self.plan.order[i], f"cannot combine shapes {shapes}: "
                                                          f"{exc}") from None
        return vals

    def value_of(self, vals: list[Any], node: str) -> Any:
        """One node's entry in a list :meth:`values` returned."""
        return vals[self.plan.index[node]]

    def gradients(self, fed: Sequence[Value]) -> tuple[Value, list[Value]]:
        """Forward, then reverse mode: the output's value and the gradient of each ``wrt``
        leaf (of the sum of the output's elements)."""
        with np.errstate(all="ignore"):
            vals = self._values(fed)
            return vals[self._o], self._backward_pass(vals)

    def _backward_pass(self, vals: list[Any]) -> list[Value]:
        grads: list[Any] = [None] * len(vals)
        out = vals[self._o]
        grads[self._o] = np.ones_like(out) if type(out) is np.ndarray else np.float64(1.0)
        ndarray = np.ndarray
        for i, rules, args in self._backward:
            g = grads[i]
            if g is None:
                continue
            out = vals[i]
            ins = [vals[j] for j in args]
            for rule, s, j in rules:
                c = rule(g, out, *ins)
                x = ins[s]
                x_shape = x.shape if type(x) is ndarray else ()
                c_shape = c.shape if type(c) is ndarray else ()
                if c_shape != x_shape:
                    if c_shape[1:] == x_shape:  # a bias added to every row: sum the rows
                        c = np.add.reduce(c, axis=0)
                    else:
                        c = unbroadcast(c, x_shape)
                prev = grads[j]
                grads[j] = c if prev is None else prev + c
        result = []
        for j in self._wrt:
            g = grads[j]
            if g is None:  # does not reach the output
                v = vals[j]
                g = np.zeros_like(v) if type(v) is np.ndarray else np.float64(0.0)
            result.append(g)
        return result
