"""Graphs made by recipe, for the benchmark, tests and demos: random scalar DAGs and chains.

Each generator is deterministic for a given ``seed`` and builds its graph in one
:meth:`Graph.from_parts <graphapp.engine.graph.Graph.from_parts>` call, with rows already in
topological order (so no sort is needed).

>>> g, out = chain_graph(4)
>>> g.nodes(), out
(['x', 'n1', 'n2', 'n3'], 'n3')
>>> g, out, recipe = random_scalar_graph(60, seed=1)
>>> len(g), len(recipe), out
(60, 10, 'n59')
>>> print(deep_chain_script(2), end="")
w = 0.9
b = 0.1
c = 0.05
h0 = 0.5
h1 = tanh(h0 * w + b) + h0 * c
h2 = tanh(h1 * w + b) + h1 * c
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphapp.engine import Graph

__all__ = ["chain_graph", "deep_chain_script", "random_scalar_graph"]


def random_scalar_graph(n: int, seed: int = 0, n_inputs: int = 50,
                        ops: tuple[str, ...] = ("add", "sub", "mul", "tanh", "sin"),
                        ) -> tuple[Graph, str, list[tuple[str, int, int]]]:
    """A random DAG of ``n`` scalar nodes: each computed node takes its inputs uniformly from
    the nodes before it (``mul`` takes one factor from the inputs, so values stay finite).

    Returns the graph, its output (the last node) and the recipe ``(op, i, j)`` per node.
    """
    rng = np.random.default_rng(seed)
    values = rng.uniform(-1, 1, n_inputs)
    nodes: list[tuple[str, str, Any, dict]] = [(f"x{i}", "input", float(values[i]), {})
                                               for i in range(n_inputs)]
    edges = []
    recipe: list[tuple[str, int, int]] = []
    op_choice = rng.integers(0, len(ops), n)
    for k in range(n_inputs, n):
        op = ops[op_choice[k]]
        i = int(rng.integers(0, k))
        j = int(rng.integers(0, n_inputs)) if op == "mul" else int(rng.integers(0, k))
        name = f"n{k}"
        nodes.append((name, op, None, {}))
        edges.append((nodes[i][0], name, 0))
        if op in ("add", "sub", "mul"):
            edges.append((nodes[j][0], name, 1))
        recipe.append((op, i, j))
    # The output sums the last nodes, so that most of the graph reaches it.
    return Graph.from_parts(nodes, edges), nodes[-1][0], recipe


def chain_graph(n: int) -> tuple[Graph, str]:
    """x → tanh → tanh → … (``n`` nodes): the deepest graph, one node per level."""
    nodes = [("x", "input", 0.5, {})] + [(f"n{i}", "tanh", None, {}) for i in range(1, n)]
    edges = [("x" if i == 1 else f"n{i - 1}", f"n{i}", 0) for i in range(1, n)]
    return Graph.from_parts(nodes, edges), f"n{n - 1}"


def deep_chain_script(statements: int) -> str:
    """``.expr`` text of a deep chain: ``statements`` lines, each depending on the one before
    (five nodes a line: a tanh layer with a skip connection), so that no two nodes share a
    level and nothing can be batched."""
    lines = ["w = 0.9", "b = 0.1", "c = 0.05", "h0 = 0.5"]
    lines += [f"h{k} = tanh(h{k - 1} * w + b) + h{k - 1} * c" for k in range(1, statements + 1)]
    return "\n".join(lines) + "\n"
