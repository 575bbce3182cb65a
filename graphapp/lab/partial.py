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
withholds the d node/dx that would answer its questions
(:func:`graphapp.lab.withheld.withheld_tangents`).

Caveats: paths are listed up to ``max_paths`` (their number can grow exponentially with the
graph); ``paths_truncated`` says when some were left out. Scalar inputs and outputs only (for
an array output the numbers are those of its sum). A path through an array node (a scalar bias
broadcast over samples, say) multiplies Jacobians, not numbers: such graphs list no paths, and
``array_nodes`` names the array nodes between the input and the output instead.

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

from graphapp.engine import Graph, Value
from graphapp.engine.lazy_numpy import np
from graphapp.lab._common import objective, run, scalar_input

__all__ = ["EdgeShare", "PartialTotal", "PathTerm", "default_held", "partial_edge",
           "partial_vs_total"]

#: At most this many paths are listed by default.
MAX_PATHS = 64


@dataclass(frozen=True)
class EdgeShare:
    """One edge leaving the input: its local derivative ∂dst/∂src and the part of the total
    derivative of the output that flows through it alone."""

    src: str
    dst: str
    slot: int
    #: A number, or an array where the edge enters an array node (elementwise ∂dst/∂src).
    local: Value
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
    #: Array nodes between the input and the output; when any, ``paths`` is empty.
    array_nodes: tuple[str, ...] = ()


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


def _frozen_copy(graph: Graph, held: Collection[str], values: Mapping[str, Value]) -> Graph:
    """A copy of ``graph`` where every held node is an input fixed at ``values[node]``."""
    copy = graph.copy()
    for node in held:
        for slot, src in enumerate(copy.inputs(node)):
            if src is not None:
                copy.disconnect(src, node, slot)
        copy.set_op(node, "input", values[node])
    return copy


def fed_by(graph: Graph, starts: Collection[str]) -> set[str]:
    """``starts`` and every node they feed, directly or not (iteratively).

    >>> from graphapp.api import parse
    >>> sorted(fed_by(parse("x = 2.0\\ny = 3.0\\nq = x * y\\nL = q + y").graph, ["q"]))
    ['L', 'q']
    """
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(dst for dst, _ in graph.consumers(n))
    return seen


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
        local = edge_locals[(wrt, dst, slot)]
        shares.append(EdgeShare(wrt, dst, slot, float(local) if np.size(local) == 1 else local,
                                float(np.sum(part)), dst if dst in held else None))
    reaches = {n for n in plan.order if back.reaches(n)}
    after = fed_by(graph, [wrt]) - {wrt}
    arrays = tuple(n for n in plan.order if n in reaches and n in after
                   and totals.get(n) is not None and np.size(totals[n]) != 1)
    if arrays:
        return PartialTotal(output, wrt, held, partial, total, totals, edge_locals,
                            tuple(shares), (), False, arrays)
    paths, truncated = _paths(graph, wrt, output, edge_locals, reaches, set(held), max_paths)
    return PartialTotal(output, wrt, held, partial, total, totals, edge_locals, tuple(shares),
                        tuple(paths), truncated)
