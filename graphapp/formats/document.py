"""What a graph file holds: the graph, which node is the output, and the lesson text."""

from __future__ import annotations

from dataclasses import dataclass

from graphapp.engine import Graph

__all__ = ["GraphFile"]


@dataclass
class GraphFile:
    """A graph as read from (or about to be written to) a file."""

    graph: Graph
    #: The node differentiated by default (the last statement of an ``.expr``).
    output: str | None = None
    #: The comment header of an ``.expr`` (the lesson an example teaches), without ``#``.
    lesson: str = ""
