"""What a graph file holds: the graph, which node is the output, the lesson text, and the
quiz a teacher set on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphapp.engine import Graph
from graphapp.formats.header import Prompt

if TYPE_CHECKING:  # a file without a quiz never imports the quiz module
    from graphapp.formats.quiz import Quiz

__all__ = ["GraphFile"]


@dataclass
class GraphFile:
    """A graph as read from (or about to be written to) a file."""

    graph: Graph
    #: The node differentiated by default (the last statement of an ``.expr``).
    output: str | None = None
    #: The comment header of an ``.expr`` (the lesson an example teaches), without ``#``.
    lesson: str = ""
    #: Named groups of nodes folded into one box on the canvas: ``{name: {"collapsed": bool,
    #: "pos": [x, y]}}``; members carry ``"group": name`` among their attributes.
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The file line each node was read from, so that messages about a node can point at it.
    lines: dict[str, int] = field(default_factory=dict)
    #: The lesson's "try this" prompts (``# try:`` / ``# check:`` / ``# hint:`` lines).
    prompts: tuple[Prompt, ...] = ()
    #: The quiz the file sets (``# quiz:`` in an ``.expr``, ``"quiz"`` in a ``.graph.json``).
    quiz: Quiz | None = None
