"""The document's change events, typed: one frozen dataclass per kind of change.

The engine graph reports changes as ``(name, **details)`` to its listeners (it knows nothing of
the window); :func:`from_graph` turns each into one of these, which the document sends to the
views (``Document.changed``). Views match on the class, so a misspelt event is an error at
import time, not a silently ignored string.

>>> from_graph("node_renamed", {"old": "a", "new": "b"})
NodeRenamed(old='a', new='b')
>>> from_graph("attrs_changed", {"nodes": ("a",), "keys": ("pos",)}).moved
True

This module does not import Qt: the training layer and scripts can build and compare events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "STRUCTURAL",
    "AttrsChanged",
    "EdgeAdded",
    "EdgeRemoved",
    "Event",
    "GroupsChanged",
    "NodeAdded",
    "NodeRemoved",
    "NodeRenamed",
    "OpChanged",
    "ValueChanged",
    "from_graph",
]

Edge = tuple[str, str, int]


@dataclass(frozen=True)
class _OnNode:
    node: str


@dataclass(frozen=True)
class _OnEdge:
    #: ``(src, dst, slot)``
    edge: Edge


class NodeAdded(_OnNode):
    """A node was added."""


class NodeRemoved(_OnNode):
    """A node was removed (its edges were removed first, each with :class:`EdgeRemoved`)."""


class ValueChanged(_OnNode):
    """An input's or constant's value changed."""


class OpChanged(_OnNode):
    """A node computes another op now."""


class EdgeAdded(_OnEdge):
    """An edge was connected."""


class EdgeRemoved(_OnEdge):
    """An edge was disconnected."""


@dataclass(frozen=True)
class NodeRenamed:
    """A node got another id."""

    old: str
    new: str


@dataclass(frozen=True)
class AttrsChanged:
    """Display attributes (position, label, group) of some nodes changed."""

    nodes: tuple[str, ...]
    keys: tuple[str, ...]

    @property
    def moved(self) -> bool:
        """True when positions changed."""
        return "pos" in self.keys

    @property
    def regrouped(self) -> bool:
        """True when group membership changed."""
        return "group" in self.keys


@dataclass(frozen=True)
class GroupsChanged:
    """The document's groups (names, folded or not, folded card positions) changed."""


Event = (NodeAdded | NodeRemoved | EdgeAdded | EdgeRemoved | NodeRenamed | ValueChanged
         | OpChanged | AttrsChanged | GroupsChanged)

#: Changes of the graph's structure (the plan is recompiled; groups are re-synced).
STRUCTURAL = (NodeAdded, NodeRemoved, EdgeAdded, EdgeRemoved, NodeRenamed)

_BY_NAME: dict[str, type] = {
    "node_added": NodeAdded, "node_removed": NodeRemoved, "edge_added": EdgeAdded,
    "edge_removed": EdgeRemoved, "node_renamed": NodeRenamed, "value_changed": ValueChanged,
    "op_changed": OpChanged, "attrs_changed": AttrsChanged,
}


def from_graph(name: str, details: dict[str, Any]) -> Event:
    """The typed event for an engine graph's ``(name, **details)`` notification."""
    kind = _BY_NAME[name]
    if kind is AttrsChanged:
        return AttrsChanged(tuple(details["nodes"]), tuple(details["keys"]))
    return kind(**details)
