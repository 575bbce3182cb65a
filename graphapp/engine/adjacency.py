"""The one place that reads and fills networkx's adjacency dicts directly.

A ``MultiDiGraph`` keeps ``_node`` (``{node: attrs}``), ``_succ`` and ``_pred`` (``{u: {v:
{key: attrs}}}``). Going through them instead of networkx's views is several times faster on
100k-node graphs, which is what the editor and ``graphapp grad`` run on. Everything else in
graphapp uses networkx's public API; if networkx ever changes these internals, this module is
what to fix.

Caveats: :func:`fill` writes the dicts without checks (the caller has checked the rows), and
only for a graph made with networkx's default dict factories.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> fill(g, {"x": {"op": "input"}, "y": {"op": "neg"}}, [("x", "y", 0)])
>>> topological_order(g), slot_sources(g, ["x", "y"], {"x": 0, "y": 1}, [0, 1])
(['x', 'y'], [(), (0,)])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graphapp.engine import rules

if TYPE_CHECKING:  # imported when a graph is first built (start-up time)
    import networkx as nx

__all__ = ["fill", "node_data", "node_table", "slot_sources", "topological_order"]


def node_data(g: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """The attribute dict of ``node`` itself (no view, no copy); ``KeyError`` if absent."""
    return g._node[node]


def node_table(g: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """``{node: attrs}`` itself (no view, no copy)."""
    return g._node


def fill(g: nx.MultiDiGraph, nodes: Mapping[str, dict[str, Any]],
         edges: Iterable[tuple[str, str, int]]) -> None:
    """Add checked nodes (``{id: attrs}``) and edges ``(src, dst, slot)`` to an empty graph,
    the way ``MultiDiGraph.add_edge`` does, about ten times faster than ``add_edges_from``."""
    import networkx as nx

    node_dict, succ, pred = g._node, g._succ, g._pred
    for node, data in nodes.items():
        node_dict[node] = data
        succ[node] = {}
        pred[node] = {}
    for src, dst, slot in edges:
        out = succ[src]
        if dst in out:
            out[dst][slot] = {}
        else:
            out[dst] = pred[dst][src] = {slot: {}}
    nx._clear_cache(g)


def topological_order(g: nx.MultiDiGraph) -> list[str]:
    """The nodes so that every edge points forward (Kahn's algorithm, iterative).

    networkx's ``topological_sort`` does the same through its graph views, several times slower
    on 100k-node graphs; its ``find_cycle`` names the cycle when there is one.
    """
    succ = g._succ
    indegree = {node: len(p) for node, p in g._pred.items()}
    order = [node for node, d in indegree.items() if d == 0]
    for node in order:  # the list grows while we walk it
        for dst in succ[node]:
            indegree[dst] -= 1
            if indegree[dst] == 0:
                order.append(dst)
    if len(order) < len(indegree):
        import networkx as nx

        raise rules.cycle_error([u for u, _, _ in nx.find_cycle(g)])
    return order


def slot_sources(g: nx.MultiDiGraph, order: Sequence[str], index: Mapping[str, int],
                 arities: Sequence[int]) -> list[tuple[int, ...]]:
    """For each node of ``order``, the index (in ``index``) of the node feeding each of its
    ``arities[i]`` input slots, -1 where a slot is empty."""
    pred = g._pred
    args: list[tuple[int, ...]] = []
    for node, arity in zip(order, arities, strict=True):
        slots = [-1] * arity
        for src, keys in pred[node].items():
            for slot in keys:
                slots[slot] = index[src]
        args.append(tuple(slots))
    return args
