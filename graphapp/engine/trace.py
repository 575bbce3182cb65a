"""Backprop and the forward pass as a sequence of steps, for showing them one at a time.

The backward pass visits the nodes that reach the output in reverse topological order. At the
step of node ``n`` its gradient is final (every consumer has already sent its share), and ``n``
sends ``local × upstream = contribution`` back along each of its input edges. Where several
edges leave a node, its gradient is the running sum of what arrived so far; each step records
those sums, so a viewer can show "−2 + 6 = 4" as it builds up.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphapp.engine.plan import Backward, Forward
from graphapp.engine.values import Value

__all__ = ["BackwardStep", "ForwardStep", "Send", "backward_trace", "forward_trace"]


@dataclass(frozen=True)
class Send:
    """What one edge carries back at a step: ``local × upstream = contribution``."""

    src: str
    dst: str
    slot: int
    local: Value | None
    upstream: Value
    contribution: Value
    #: The running gradient of ``src`` after this contribution arrived, and how many of its
    #: out-edges have delivered so far (of ``total_edges``).
    running: Value
    arrived: int
    total_edges: int


@dataclass(frozen=True)
class BackwardStep:
    """Node ``node``'s gradient is final; it sends a share back along each input edge."""

    index: int
    node: str
    grad: Value
    sends: tuple[Send, ...]


@dataclass(frozen=True)
class ForwardStep:
    """Node ``node`` computes its value from its inputs (in slot order)."""

    index: int
    node: str
    inputs: tuple[str, ...]
    value: Value


def backward_trace(back: Backward) -> list[BackwardStep]:
    """The steps of the backward pass, from the output to the inputs.

    Only nodes that reach the output take part; constants receive nothing (they are not
    differentiated), so edges from constants are left out of ``sends``.
    """
    plan = back.plan
    order = plan.order
    reach = back._reach
    out_degree: dict[int, int] = {}
    for i in range(len(order)):
        if reach[i] and not plan.incomplete_mask[i]:
            for j in plan.args[i]:
                out_degree[j] = out_degree.get(j, 0) + 1
    running: dict[int, Value] = {}
    arrived: dict[int, int] = {}
    steps: list[BackwardStep] = []
    for i in reversed(range(len(order))):
        if not reach[i] or plan.incomplete_mask[i] or plan.const_mask[i]:
            continue  # constants are not differentiated: no step of their own
        grad = back.grads[order[i]]
        sends = []
        for slot, j in enumerate(plan.args[i]):
            if plan.const_mask[j]:
                continue
            edge = back.edge(order[j], order[i], slot)
            contribution = edge.accumulated
            total = running.get(j)
            running[j] = contribution if total is None else total + contribution
            arrived[j] = arrived.get(j, 0) + 1
            sends.append(Send(order[j], order[i], slot, edge.local, grad, contribution,
                              running[j], arrived[j], out_degree[j]))
        steps.append(BackwardStep(len(steps), order[i], grad, tuple(sends)))
    return steps


def forward_trace(fwd: Forward) -> list[ForwardStep]:
    """The steps of the forward pass: every computable node in topological order."""
    plan = fwd.plan
    missing = fwd.missing if fwd.missing is not None else plan.incomplete_mask
    steps = []
    for i, node in enumerate(plan.order):
        if missing[i]:
            continue
        inputs = tuple(plan.order[j] for j in plan.args[i])
        steps.append(ForwardStep(len(steps), node, inputs, fwd.values[node]))
    return steps

