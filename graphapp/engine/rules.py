"""The structural rules of an expression graph, each checked in one place with one message.

An edge may only enter a computed node (leaves take no inputs), on one of its op's slots, and
only where that slot is still free; edges may not close a cycle; a graph that is run needs
every slot fed; the output must be a node. The editor's connect check
(:meth:`Graph.check_connect <graphapp.engine.graph.Graph.check_connect>`), the bulk builder
behind both file readers (:meth:`Graph.from_parts <graphapp.engine.graph.Graph.from_parts>`)
and the ``.graph.json`` reader's per-edge checks all ask these functions, so a rule reads the
same wherever it is broken. Readers add where (``FILE:LINE:COL``, ``edge 3:``) in front.

Each function returns the typed error (the caller raises it) or ``None`` when the rule holds.

>>> from graphapp.engine.ops import OPS
>>> edge_error("y", OPS["mul"], 2, None).message
"mul node 'y' has slots 0..1, not 2"
>>> edge_error("x", OPS["input"], 0, None).message
"'x' is an input node: it takes no inputs"
>>> edge_error("y", OPS["mul"], 1, None) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

from graphapp.engine.errors import ArityError, CycleError, GraphError, NodeError, SlotError
from graphapp.engine.ops import OpSpec

__all__ = ["cycle_error", "edge_error", "empty_slot_error", "output_error", "unknown_node_error",
           "would_cycle_error"]


def edge_error(dst: str, spec: OpSpec, slot: object, fed_by: str | None) -> GraphError | None:
    """Why an edge into ``slot`` of ``dst`` (whose op is ``spec``) breaks a rule, if it does.

    ``fed_by`` is the node already on that slot (``None`` when the slot is free).
    """
    if spec.is_leaf:
        return ArityError(f"{dst!r} is an {spec.name} node: it takes no inputs", (dst,))
    if type(slot) is not int or not 0 <= slot < spec.arity:
        return SlotError(f"{spec.name} node {dst!r} has slots 0..{spec.arity - 1}, not {slot!r}",
                         (dst,))
    if fed_by is not None:
        return SlotError(f"slot {slot} of {dst!r} is already fed by {fed_by!r} (a slot cannot "
                         "be fed twice)", (dst, fed_by))
    return None


def would_cycle_error(src: str, dst: str) -> CycleError:
    """An edge ``src → dst`` where ``dst`` already reaches ``src`` (or ``src == dst``)."""
    return CycleError(f"connecting {src!r} → {dst!r} would make a cycle", (src, dst))


def cycle_error(cycle: Sequence[str]) -> CycleError:
    """A graph that has a cycle through ``cycle`` (its nodes in order).

    >>> cycle_error(["a", "b"]).message
    'the graph has a cycle: a → b → a'
    """
    return CycleError(f"the graph has a cycle: {' → '.join([*cycle, cycle[0]])}", tuple(cycle))


def empty_slot_error(node: str, spec: OpSpec, slot: int, others: int = 0) -> SlotError:
    """A computed node with nothing on input ``slot`` (and ``others`` more empty slots)."""
    more = f" (and {others} more)" if others else ""
    return SlotError(f"{spec.name} node {node!r} has nothing on input slot {slot}{more}", (node,))


def unknown_node_error(node: object) -> NodeError:
    """An edge end that names no node."""
    return NodeError(f"{node!r} is not a node", (str(node),))


def output_error(output: object) -> NodeError:
    """An output that names no node."""
    return NodeError(f"output {output!r} is not a node", (str(output),))
