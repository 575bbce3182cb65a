"""Partial versus total derivative (seed 000): what an input changes directly, and everything
it changes once the nodes that depend on it are allowed to follow.

The **total** dV/dx is forward mode from x: d node/dx on every node, every path from x counted.
The **partial** ∂V/∂x holds some nodes fixed: by default the constraints x feeds directly, i.e.
``identity`` nodes such as ``t = x`` (the ellipsoid V = 4/3·π·t·x·y under t = x). It is
computed honestly, by forward mode on a copy of the graph where each held node is an input
frozen at its current value. Per edge leaving x, :attr:`PartialTotal.shares` gives the part of
dV/dx that flows through that edge alone; :attr:`PartialTotal.paths` lists every path from x to
V with the product of the local derivatives along it (the multivariable chain rule: the total
is their sum).

On the window's canvas (while the dock has x picked) every card shows d node/dx and the one
edge that carries the partial is labelled with it: :func:`partial_edge`; a running quiz
withholds the d node/dx that would answer its questions (:func:`withheld_tangents`).

Caveats: paths are listed up to ``max_paths`` (their number can grow exponentially with the
graph); ``paths_truncated`` says when some were left out. Scalar inputs and outputs only (for
an array output the numbers are those of its sum).

>>> from graphapp.api import parse
>>> doc = parse("x = 2.0\\ny = 3.0\\nt = x\\nV = 4/3*pi*t*x*y")
>>> pt = partial_vs_total(doc.graph, "V", "x")
>>> round(pt.partial / math.pi, 9), round(pt.total / math.pi, 9), pt.held
(8.0, 16.0, ('t',))
>>> [(s.dst, s.via, round(s.share / math.pi, 9)) for s in pt.shares]
[('t', 't', 8.0), ('mul#3', None, 8.0)]
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphapp.engine import Graph, Value
from graphapp.lab._common import objective, run, scalar_input

__all__ = ["EdgeShare", "PartialTotal", "PathTerm", "default_held", "partial_edge",
           "partial_vs_total", "withheld_tangents"]

#: At most this many paths are listed by default.
MAX_PATHS = 64


@dataclass(frozen=True)
class EdgeShare:
    """One edge leaving the input: its local derivative ∂dst/∂src and the part of the total
    derivative of the output that flows through it alone."""

    src: str
    dst: str
    slot: int
    local: float
    share: float
    #: The held node this edge enters (a constraint like t = x), or None for an edge that is
    #: part of the partial derivative.
    via: str | None


@dataclass(frozen=True)
class PathTerm:
    """One path from the input to the output: nodes, the slot each edge enters, the local
    derivative on each edge, and their product (this path's term of the chain rule)."""

    nodes: tuple[str, ...]
    slots: tuple[int, ...]
    factors: tuple[float, ...]
    product: float
    #: The held nodes the path passes through (empty: the path is part of the partial).
    through: tuple[str, ...]


@dataclass(frozen=True)
class PartialTotal:
    """The partial and the total derivative of ``output`` with respect to ``wrt``."""

    output: str
    wrt: str
    #: The nodes held fixed for the partial.
    held: tuple[str, ...]
    #: ∂output/∂wrt with the held nodes fixed.
    partial: float
    #: doutput/dwrt, every path counted.
    total: float
    #: d node / d wrt for every node (forward mode; totals).
    totals: Mapping[str, Value | None]
    #: ∂dst/∂src on every edge ``(src, dst, slot)`` (None where the source is a constant).
    edge_locals: dict[tuple[str, str, int], Value | None]
    shares: tuple[EdgeShare, ...]
    paths: tuple[PathTerm, ...]
    paths_truncated: bool


def default_held(graph: Graph, wrt: str) -> tuple[str, ...]:
    """The constraints ``wrt`` feeds directly: the ``identity`` nodes (``t = x``) it enters."""
    return tuple(dict.fromkeys(dst for dst, _ in graph.consumers(wrt)
                               if graph.op(dst).name == "identity"))


def partial_edge(graph: Graph, wrt: str) -> tuple[str, str, int] | None:
    """The edge leaving ``wrt`` whose carried gradient is the whole partial ∂V/∂x: the only
    one not entering a constraint (:func:`default_held`); ``None`` when there are several
    (each carries a part of it) or none.

    >>> from graphapp.api import parse
    >>> g = parse("x = 2.0\\ny = 3.0\\nt = x\\nV = 4/3*pi*t*x*y").graph
    >>> partial_edge(g, "x"), partial_edge(parse("x = 2.0\\nV = x*x").graph, "x")
    (('x', 'mul#3', 1), None)
    """
    held = set(default_held(graph, wrt))
    edges = [(wrt, dst, slot) for dst, slot in graph.consumers(wrt) if dst not in held]
    return edges[0] if len(edges) == 1 else None


def withheld_tangents(graph: Graph, output: str | None, wrt: str,
                      hidden: Any) -> frozenset[str]:
    """The nodes whose d node/d ``wrt`` would give a quiz's hidden numbers away
    (:class:`graphapp.lab.quiz.Hidden`; false: none). When ``wrt``'s gradient is asked,
    every node (d output/dx is the answer, and the others lead to it). Otherwise every node
    downstream of a hidden local derivative (d node/dx multiplies the locals on the way),
    and the output when a hidden gradient lies on a path from ``wrt`` (d output/dx divided
    by d node/dx would give it).

    >>> from graphapp.api import parse
    >>> from graphapp.formats.quiz import Quiz
    >>> from graphapp.lab.quiz import hidden_numbers
    >>> g = parse("x = 2.0\\ny = 3.0\\nq = x * y\\nL = q + y").graph
    >>> sorted(withheld_tangents(g, "L", "x", hidden_numbers(g, "L", Quiz("gradients", ("q",)))))
    ['L']
    >>> len(withheld_tangents(g, "L", "x", hidden_numbers(g, "L", Quiz("gradients", ("x",)))))
    4
    """
    if not hidden:
        return frozenset()
    if wrt in hidden.grads:
        return frozenset(graph)
    withheld: set[str] = set()
    stack = [dst for _, dst, _ in hidden.locals]
    while stack:  # everything a hidden local's end feeds, iteratively
        node = stack.pop()
        if node not in withheld:
            withheld.add(node)
            stack.extend(dst for dst, _ in graph.consumers(node))
    below: set[str] = set()
    stack = [wrt]
    while stack:
        node = stack.pop()
        if node not in below:
            below.add(node)
            stack.extend(dst for dst, _ in graph.consumers(node))
    if output is not None and hidden.grads & (below - {wrt}):
        withheld.add(output)
    return frozenset(withheld)


def _frozen_copy(graph: Graph, held: Collection[str], values: Mapping[str, Value]) -> Graph:
    """A copy of ``graph`` where every held node is an input fixed at ``values[node]``."""
    copy = graph.copy()
    for node in held:
        for slot, src in enumerate(copy.inputs(node)):
            if src is not None:
                copy.disconnect(src, node, slot)
        copy.set_op(node, "input", values[node])
    return copy


def _paths(graph: Graph, wrt: str, output: str, locals_: Mapping[tuple[str, str, int], Any],
           reaches: Collection[str], held: Collection[str],
           limit: int) -> tuple[list[PathTerm], bool]:
    """Every path from ``wrt`` to ``output`` (depth first, iteratively), up to ``limit``."""
    found: list[PathTerm] = []
    stack: list[tuple[str, tuple[str, ...], tuple[int, ...]]] = [(wrt, (wrt,), ())]
    while stack:
        node, nodes, slots = stack.pop()
        if node == output:
            if len(found) == limit:
                return found, True
            factors = tuple(float(locals_[(nodes[k], nodes[k + 1], slots[k])])
                            for k in range(len(slots)))
            product = math.prod(factors) if factors else 1.0
            through = tuple(n for n in nodes[1:-1] if n in held)
            found.append(PathTerm(nodes, slots, factors, product, through))
            continue
        for dst, slot in reversed(sorted(graph.consumers(node), key=lambda e: (e[0], e[1]))):
            if dst in reaches:
                stack.append((dst, (*nodes, dst), (*slots, slot)))
    return found, False


def partial_vs_total(graph: Graph, output: str, wrt: str, held: Collection[str] | None = None,
                     values: Mapping[str, Any] | None = None,
                     max_paths: int = MAX_PATHS) -> PartialTotal:
    """The partial (``held`` nodes fixed; by default :func:`default_held`) and the total
    derivative of ``output`` with respect to scalar input ``wrt``, with each edge's share and
    the paths that make up the total."""
    x = scalar_input(graph, wrt, values)
    held = default_held(graph, wrt) if held is None else tuple(held)
    plan = graph.plan()
    fwd = run(graph, values, {wrt: x})
    objective(fwd, output)  # fails early when the output cannot be computed
    back = plan.backward(fwd, output)
    totals = plan.tangents(fwd, wrt).values
    total = float(np.sum(totals[output]))
    frozen = _frozen_copy(graph, held, fwd.values)
    f_plan = frozen.plan()
    partial = float(np.sum(f_plan.tangents(f_plan.forward(frozen, {**(values or {}), wrt: x}),
                                           wrt).values[output]))
    edge_locals = {(s, d, k): e.local for s, d, k, e in back.edges()}
    shares = []
    for dst, slot in graph.consumers(wrt):
        part = plan.tangents(fwd, wrt, only_edge=(wrt, dst, slot)).values[output]
        shares.append(EdgeShare(wrt, dst, slot, float(edge_locals[(wrt, dst, slot)]),
                                float(np.sum(part)), dst if dst in held else None))
    reaches = {n for n in plan.order if back.reaches(n)}
    paths, truncated = _paths(graph, wrt, output, edge_locals, reaches, set(held), max_paths)
    return PartialTotal(output, wrt, held, partial, total, totals, edge_locals, tuple(shares),
                        tuple(paths), truncated)
