"""The one place that reads and fills networkx's adjacency dicts directly.

A ``MultiDiGraph`` keeps ``_node`` (``{node: attrs}``), ``_succ`` and ``_pred`` (``{u: {v:
{key: attrs}}}``, each key dict shared by both). Going through them instead of networkx's views
is several times faster on 100k-node graphs, which is what the editor and ``graphapp grad`` run
on. A graph read from a file makes these dicts before networkx is imported (:func:`links`): the
window's first frame reads edges, inputs and depth columns from them, and the networkx graph
built later adopts them (:func:`fill`). Everything else in graphapp uses networkx's public API;
if networkx ever changes these internals, this module is what to fix.

Caveats: :func:`fill` writes the dicts without checks (the caller has checked the rows), and
only for a graph made with networkx's default dict factories.

>>> succ, pred = links(["x", "y"], [("x", "y", 0), ("x", "y", 1)])
>>> edge_list(succ), topological_order(succ, pred), generations(succ, pred)
([('x', 'y', 0), ('x', 'y', 1)], ['x', 'y'], [['x'], ['y']])
>>> slot_sources(pred, ["x", "y"], {"x": 0, "y": 1}, [0, 2])
[(), (0, 0)]
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> fill(g, {"x": {"op": "input"}, "y": {"op": "mul"}}, succ, pred)
>>> sorted(g.edges(keys=True)) == edge_list(succ)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graphapp.engine import rules

if TYPE_CHECKING:  # imported when a graph is first built (start-up time)
    import networkx as nx

#: ``{u: {v: {slot: {}}}}``: edges out of (``succ``) or into (``pred``) each node.
Links = dict[str, dict[str, dict[int, dict]]]

__all__ = ["Links", "edge_list", "fill", "generations", "graph_links", "links", "node_table",
           "slot_sources", "topological_order"]


def node_table(g: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """``{node: attrs}`` itself (no view, no copy)."""
    return g._node


def graph_links(g: nx.MultiDiGraph) -> tuple[Links, Links]:
    """``(succ, pred)`` of a networkx graph itself (no views, no copies)."""
    return g._succ, g._pred


def links(nodes: Iterable[str], edges: Iterable[tuple[str, str, int]]) -> tuple[Links, Links]:
    """``(succ, pred)`` for checked ``nodes`` and edges ``(src, dst, slot)``, as
    ``MultiDiGraph.add_edge`` would leave them (same order, one key dict shared by both)."""
    succ: Links = {node: {} for node in nodes}
    pred: Links = {node: {} for node in succ}
    for src, dst, slot in edges:
        out = succ[src]
        if dst in out:
            out[dst][slot] = {}
        else:
            out[dst] = pred[dst][src] = {slot: {}}
    return succ, pred


def fill(g: nx.MultiDiGraph, nodes: Mapping[str, dict[str, Any]], succ: Links,
         pred: Links) -> None:
    """Make an empty graph hold ``nodes`` (``{id: attrs}``) and the edges of :func:`links`
    (the very dicts, not copies), about ten times faster than ``add_edges_from``."""
    import networkx as nx

    g._node.update(nodes)
    g._succ.update(succ)
    g._pred.update(pred)
    nx._clear_cache(g)


def edge_list(succ: Links) -> list[tuple[str, str, int]]:
    """Every edge ``(src, dst, slot)``, in networkx's ``edges(keys=True)`` order."""
    return [(u, v, k) for u, out in succ.items() for v, keys in out.items() for k in keys]


def topological_order(succ: Links, pred: Links) -> list[str]:
    """The nodes so that every edge points forward (Kahn's algorithm, iterative).

    networkx's ``topological_sort`` does the same through its graph views, several times slower
    on 100k-node graphs; its ``find_cycle`` names the cycle when there is one.
    """
    indegree = {node: len(p) for node, p in pred.items()}
    order = [node for node, d in indegree.items() if d == 0]
    for node in order:  # the list grows while we walk it
        for dst in succ[node]:
            indegree[dst] -= 1
            if indegree[dst] == 0:
                order.append(dst)
    if len(order) < len(indegree):
        import networkx as nx

        raise rules.cycle_error([u for u, _ in nx.find_cycle(nx.DiGraph(succ))])
    return order


def generations(succ: Links, pred: Links) -> list[list[str]]:
    """The nodes in columns by depth: those with no inputs, then those fed only by them, and
    so on (networkx's ``topological_generations``, on these dicts; the graph has no cycle)."""
    indegree = {node: len(p) for node, p in pred.items()}
    column = [node for node, d in indegree.items() if d == 0]
    columns = []
    while column:
        columns.append(column)
        following = []
        for node in column:
            for dst in succ[node]:
                indegree[dst] -= 1
                if indegree[dst] == 0:
                    following.append(dst)
        column = following
    return columns


def slot_sources(pred: Links, order: Sequence[str], index: Mapping[str, int],
                 arities: Sequence[int]) -> list[tuple[int, ...]]:
    """For each node of ``order``, the index (in ``index``) of the node feeding each of its
    ``arities[i]`` input slots, -1 where a slot is empty."""
    args: list[tuple[int, ...]] = []
    for node, arity in zip(order, arities, strict=True):
        slots = [-1] * arity
        for src, keys in pred[node].items():
            for slot in keys:
                slots[slot] = index[src]
        args.append(tuple(slots))
    return args
