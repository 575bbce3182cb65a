"""Batched mode (the mode wide scalar graphs run in by default): hand-derived gradients on wide
fan-out graphs through the default ``backward``, and a property test whose graphs always have
nodes of one level batch sharing a source, checked three ways: batched, node by node, and
micrograd (node by node both on floats and on numpy values)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from graphapp.engine import Graph, backward
from graphapp.engine.plan import MIN_BATCH
from tests.helpers import expr_graph


def _add_tree(leaves: list[str], prefix: str = "s") -> tuple[list[str], str]:
    """.expr lines summing ``leaves`` pairwise, level by level; returns (lines, root)."""
    lines, level, k = [], list(leaves), 0
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            name = f"{prefix}{k}"
            k += 1
            lines.append(f"{name} = {level[i]} + {level[i + 1]}")
            nxt.append(name)
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return lines, level[0]


def _wide(body: list[str], leaves: list[str], head: list[str]) -> tuple[Graph, str]:
    tree, root = _add_tree(leaves)
    g = expr_graph("\n".join([*head, *body, *tree]))
    return g, root


def test_thirty_two_products_of_x_with_itself_add_up():
    """m_i = x·x for 32 nodes in one batch: every one of them sends 2x back to x."""
    names = [f"m{i}" for i in range(32)]
    g, root = _wide([f"{m} = x * x" for m in names], names, ["x = 1.5"])
    back = backward(g, root)
    assert back.forward.batched  # the default chose batched mode
    assert float(back.forward.values[root]) == 32 * 1.5 ** 2
    assert float(back.grads["x"]) == 32 * 2 * 1.5  # 96, not the 2·1.5 of one product
    for m in names:
        assert float(back.grads[m]) == 1.0
        for slot in (0, 1):
            edge = back.edge("x", m, slot)
            assert (float(edge.local), float(edge.accumulated)) == (1.5, 1.5)


def test_fan_out_from_distinct_weights_sums_every_weight():
    """m_i = x·w_i: dL/dx = Σ w_i and dL/dw_i = x, for 32 products in one batch."""
    names = [f"m{i}" for i in range(32)]
    head = ["x = 1.5"] + [f"w{i} = {i + 1}.0" for i in range(32)]
    g, root = _wide([f"m{i} = x * w{i}" for i in range(32)], names, head)
    back = backward(g, root)
    assert back.forward.batched
    assert float(back.grads["x"]) == sum(range(1, 33)) == 528.0
    assert all(float(back.grads[f"w{i}"]) == 1.5 for i in range(32))
    grads = dict(zip(back.plan.order, back.grad_list(), strict=True))
    assert grads["x"] == 528.0 and grads["w7"] == 1.5


def _quotients_and_differences() -> tuple[Graph, str]:
    """16 nodes x/y and 16 nodes y−x (two batches sharing both sources), summed.

    L = 16·x/y + 16·(y − x), so dL/dx = 16/y − 16 and dL/dy = −16x/y² + 16.
    """
    p = [f"p{i}" for i in range(16)]
    q = [f"q{i}" for i in range(16)]
    body = [f"{n} = x / y" for n in p] + [f"{n} = y - x" for n in q]
    leaves = [n for pair in zip(p, q, strict=True) for n in pair]
    return _wide(body, leaves, ["x = 2.0", "y = 0.5", "z = 0.0", "off = 1 / z"])


def test_sub_and_div_in_batches_keep_their_operands_apart():
    g, root = _quotients_and_differences()
    back = backward(g, root)
    assert back.forward.batched
    x, y = 2.0, 0.5
    assert float(back.forward.values[root]) == 16 * x / y + 16 * (y - x) == 40.0
    assert float(back.grads["x"]) == 16 / y - 16 == 16.0
    assert float(back.grads["y"]) == -16 * x / y**2 + 16 == -112.0
    # What each edge carries, read as columns (the fast path a large graph is shown with).
    cols = back.edge_columns()
    edges = {(s, d, k): (loc, acc) for s, d, k, loc, acc in
             zip(cols["src"], cols["dst"], cols["slot"], cols["local"], cols["accumulated"],
                 strict=True)}
    assert edges["x", "p3", 0] == (1 / y, 1 / y)  # ∂(x/y)/∂x = 1/y = 2
    assert edges["y", "p3", 1] == (-x / y**2, -x / y**2)  # −x/y² = −8
    assert edges["y", "q3", 0] == (1.0, 1.0)
    assert edges["x", "q3", 1] == (-1.0, -1.0)
    assert back.largest_carried() == 8.0


def test_a_node_that_does_not_reach_the_output_gets_zero_not_nan():
    """Backward from one node of a batch: its siblings and the 1/0 node send nothing."""
    g, _ = _quotients_and_differences()
    back = backward(g, "p5")
    assert back.forward.batched
    assert math.isinf(float(back.forward.values["off"]))
    assert float(back.grads["x"]) == 2.0 and float(back.grads["y"]) == -8.0
    assert float(back.grads["z"]) == 0.0  # 0 × inf would be nan without the mask
    assert float(back.grads["p4"]) == 0.0 and float(back.grads["q5"]) == 0.0
    assert back.reaches("x") and not back.reaches("p4") and not back.reaches("z")
    assert float(back.edge("x", "q5", 1).accumulated) == 0.0
    assert float(back.edge("x", "p5", 0).accumulated) == 2.0
    assert back.largest_carried() == 8.0


def test_tanh_and_products_sharing_x_across_two_batches():
    """x feeds 24 tanh nodes (one batch) and 24 products t_i·x (the next batch): the kind of
    graph where a plain indexed += instead of a scatter-add kept one contribution of many."""
    t = [f"t{i} = tanh(x)" for i in range(24)]
    m = [f"m{i} = t{i} * x" for i in range(24)]
    g, root = _wide([*t, *m], [f"m{i}" for i in range(24)], ["x = 0.5"])
    plan = g.plan()
    assert len(plan.steps) >= MIN_BATCH * len(plan.batches())
    back = backward(g, root)
    assert back.forward.batched
    x = 0.5
    expected = 24 * (math.tanh(x) + x * (1 - math.tanh(x) ** 2))  # d/dx 24·x·tanh x
    assert float(back.grads["x"]) == pytest.approx(expected, rel=1e-14)
    assert float(back.grads["t3"]) == x


# --------------------------------------------------------------------- property test
_OPS = {"add": 2, "sub": 2, "mul": 2, "neg": 1, "relu": 1}


@st.composite
def layered_graphs(draw):
    """Wide levels of same-op nodes whose sources come from a small pool of the level below,
    so that several nodes of one batch always share a source (the first two share slot 0)."""
    n_inputs = draw(st.integers(1, 3))
    nodes = [(f"x{i}", "input", draw(st.floats(-2, 2, allow_nan=False, width=32)), {})
             for i in range(n_inputs)]
    edges = []
    below = [n for n, *_ in nodes]
    for layer in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(sorted(_OPS)))
        pool = draw(st.lists(st.sampled_from(below), min_size=1, max_size=3))
        width = draw(st.integers(MIN_BATCH, 3 * MIN_BATCH))
        level = []
        for k in range(width):
            name = f"L{layer}_{k}"
            for slot in range(_OPS[op]):
                src = pool[0] if k < 2 and slot == 0 else draw(st.sampled_from(pool))
                edges.append((src, name, slot))
            nodes.append((name, op, None, {}))
            level.append(name)
        below = level
    # Sum the top level pairwise, so that the output depends on all of it.
    k = 0
    while len(below) > 1:
        nxt = []
        for i in range(0, len(below) - 1, 2):
            name = f"S{k}"
            k += 1
            edges += [(below[i], name, 0), (below[i + 1], name, 1)]
            nodes.append((name, "add", None, {}))
            nxt.append(name)
        below = nxt + below[len(below) - len(below) % 2:]
    return Graph.from_parts(nodes, edges), below[0]


def _micrograd(g: Graph, out: str) -> dict[str, float]:
    """Every gradient micrograd finds for ``out`` (its value under "__value__")."""
    from micrograd.engine import Value  # in the test extras

    vals: dict[str, Value] = {}
    for node in g.plan().order:
        op, ins = g.op(node).name, [vals[i] for i in g.inputs(node)]
        if op == "input":
            vals[node] = Value(float(g.value(node)))
        elif op == "add":
            vals[node] = ins[0] + ins[1]
        elif op == "sub":
            vals[node] = ins[0] - ins[1]
        elif op == "mul":
            vals[node] = ins[0] * ins[1]
        elif op == "neg":
            vals[node] = -ins[0]
        else:
            vals[node] = ins[0].relu()
    vals[out].backward()
    return {n: float(v.grad) for n, v in vals.items()} | {"__value__": vals[out].data}


def _same_source_in_one_batch(g: Graph) -> bool:
    for b in g.plan().batches():
        for col in b.args:
            if len(np.unique(col)) < len(col):
                return True
    return False


@given(layered_graphs())
def test_batched_node_by_node_and_micrograd_agree_on_shared_sources(case):
    g, out = case
    plan = g.plan()
    assert _same_source_in_one_batch(g)  # the generator's promise, checked
    default = backward(g, out)
    note(f"default mode batched: {default.forward.batched}, "
         f"{len(plan.steps)} steps in {len(plan.batches())} batches")
    fast = plan.backward(plan.forward(g, batched=True), out)
    slow = plan.backward(plan.forward(g, batched=False), out)  # on floats, node by node
    on_numpy = plan.backward(plan.forward(g, mode="nodes"), out)
    assert slow.forward.mode == "scalar"
    mg = _micrograd(g, out)
    assert float(fast.forward.values[out]) == pytest.approx(mg["__value__"], rel=1e-12,
                                                            abs=1e-12)
    for node in g:
        expected = mg.get(node, 0.0)  # micrograd knows only the nodes that reach out
        tol = 1e-10 * max(1.0, abs(expected))
        for back in (fast, slow, on_numpy, default):
            assert float(back.grads[node]) == pytest.approx(expected, abs=tol), node
    for src, dst, slot, e in slow.edges():
        f = fast.edge(src, dst, slot)
        assert float(f.accumulated) == pytest.approx(float(e.accumulated), rel=1e-12,
                                                     abs=1e-12)
        assert float(f.local) == pytest.approx(float(e.local), rel=1e-12, abs=1e-12)
