"""Typed errors of the engine.

Maths never raises (nan and inf follow IEEE, like numpy); these are for structure (a cycle, a
missing or doubled input slot, an unknown op or node) and for evaluation failures that are not
maths, such as adding arrays whose shapes cannot broadcast.
"""

from __future__ import annotations

__all__ = [
    "ArityError",
    "CycleError",
    "EvaluationError",
    "GraphError",
    "NodeError",
    "OpError",
    "SlotError",
]


class GraphError(Exception):
    """The graph's structure is not a valid expression graph."""

    def __init__(self, message: str, nodes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        #: The nodes the error is about, so a caller can point at them.
        self.nodes = nodes


class CycleError(GraphError):
    """An edge would close a cycle, or the graph already has one."""


class ArityError(GraphError):
    """A node has more or fewer inputs than its op takes."""


class SlotError(GraphError):
    """An input slot is missing, out of range, or filled twice."""


class NodeError(GraphError):
    """A node id is unknown, already taken, or the node cannot hold what was asked."""


class OpError(GraphError):
    """An op name is not in the op table."""


class EvaluationError(Exception):
    """A node could not be computed for a reason other than maths (e.g. shapes that do not fit)."""

    def __init__(self, node: str, message: str) -> None:
        super().__init__(f"{node}: {message}")
        self.node = node
        self.message = message
