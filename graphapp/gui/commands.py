"""Undo commands: every edit of the document is one of these, pushed on its QUndoStack.

Commands change the document only through its methods (the engine graph's edits, the
output, the groups); the views follow the document's events. A drag (moving nodes, scrubbing
a value) merges into one command, so one Ctrl+Z undoes the whole gesture.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtGui import QUndoCommand

from graphapp.engine import Edge
from graphapp.gui.document import Document

__all__ = [
    "AddNode",
    "Connect",
    "Disconnect",
    "MoveNodes",
    "RemoveItems",
    "Rename",
    "SetGroup",
    "SetGroupInfo",
    "SetOp",
    "SetOutput",
    "SetQuiz",
    "SetValue",
    "SetValues",
    "new_gesture",
]

_MERGE_VALUE, _MERGE_MOVE, _MERGE_GROUP, _MERGE_VALUES = 1, 2, 3, 4
_gestures = itertools.count(1)


def new_gesture() -> int:
    """A fresh id for one gesture (a drag, a scrub): commands with the same id merge into one
    undo step. One counter for every view, so two views never hand out the same id."""
    return next(_gestures)


class AddNode(QUndoCommand):
    """Add one node."""

    def __init__(self, doc: Document, node: str, op: str, value: Any = None,
                 attrs: dict[str, Any] | None = None) -> None:
        super().__init__(f"Add {op} {node}")
        self.doc, self.node, self.op, self.value = doc, node, op, value
        self.attrs = dict(attrs or {})

    def redo(self) -> None:
        self.doc.graph.add_node(self.node, self.op, self.value, **self.attrs)

    def undo(self) -> None:
        self.doc.graph.remove_node(self.node)


class RemoveItems(QUndoCommand):
    """Delete nodes (with every edge touching them) and edges."""

    def __init__(self, doc: Document, nodes: list[str], edges: list[Edge] = ()) -> None:
        super().__init__("Delete" if len(nodes) + len(edges) > 1 else
                         f"Delete {nodes[0] if nodes else 'edge'}")
        g = doc.graph
        self.doc = doc
        self.rows = [(n, g.op(n).name, g.value(n), g.attrs(n)) for n in nodes]
        doomed = set(nodes)
        touching = {e for e in g.edges() if e[0] in doomed or e[1] in doomed}
        self.edges = sorted(touching | set(edges), key=lambda e: (e[1], e[2]))
        self.was_output = doc.output if doc.output in doomed else None

    def redo(self) -> None:
        g = self.doc.graph
        for edge in self.edges:
            if g.nx.has_edge(*edge):
                g.disconnect(*edge)
        for node, *_ in self.rows:
            g.remove_node(node)

    def undo(self) -> None:
        g = self.doc.graph
        for node, op, value, attrs in self.rows:
            g.add_node(node, op, value, **attrs)
        for edge in self.edges:
            g.connect(*edge)
        if self.was_output is not None:
            self.doc.set_output(self.was_output)


class Connect(QUndoCommand):
    """Feed ``src`` into a slot of ``dst``. Check with ``graph.check_connect`` before pushing."""

    def __init__(self, doc: Document, src: str, dst: str, slot: int) -> None:
        super().__init__(f"Connect {src} → {dst}")
        self.doc, self.edge = doc, (src, dst, slot)

    def redo(self) -> None:
        self.doc.graph.connect(*self.edge)

    def undo(self) -> None:
        self.doc.graph.disconnect(*self.edge)


class Disconnect(Connect):
    """Remove one edge (a Connect played backwards)."""

    def __init__(self, doc: Document, src: str, dst: str, slot: int) -> None:
        super().__init__(doc, src, dst, slot)
        self.setText(f"Disconnect {src} → {dst}")

    redo = Connect.undo
    undo = Connect.redo


class _Gesture(QUndoCommand):
    """A command that merges with the next one of the same gesture (``new_gesture()``) on the
    same ``target``: the merged command keeps the first ``old`` and the last ``new``."""

    merge_id = 0
    target: Any = None
    gesture: int | None = None
    new: Any = None

    def id(self) -> int:
        return self.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (type(other) is not type(self) or other.target != self.target
                or self.gesture is None or other.gesture != self.gesture):
            return False
        self.absorb(other)
        return True

    def absorb(self, other: _Gesture) -> None:
        """Take ``other``'s change into this one."""
        self.new = other.new


class SetValue(_Gesture):
    """Give an input a new value. Values set during one drag (same ``gesture``) merge."""

    merge_id = _MERGE_VALUE

    def __init__(self, doc: Document, node: str, value: Any, gesture: int | None = None) -> None:
        super().__init__(f"Set {node}")
        self.doc, self.node, self.new = doc, node, value
        self.old = doc.graph.value(node)
        self.gesture, self.target = gesture, node

    def redo(self) -> None:
        self.doc.graph.set_value(self.node, self.new)

    def undo(self) -> None:
        self.doc.graph.set_value(self.node, self.old)


class SetValues(_Gesture):
    """Give several inputs new values at once (dragging a point over two inputs in the function
    plot). Values set during one drag (same ``gesture``) on the same inputs merge."""

    merge_id = _MERGE_VALUES

    def __init__(self, doc: Document, values: dict[str, Any],
                 gesture: int | None = None) -> None:
        super().__init__("Set " + ", ".join(values))
        self.doc, self.new = doc, dict(values)
        self.old = {node: doc.graph.value(node) for node in values}
        self.gesture, self.target = gesture, tuple(values)

    def redo(self) -> None:
        for node, value in self.new.items():
            self.doc.graph.set_value(node, value)

    def undo(self) -> None:
        for node, value in self.old.items():
            self.doc.graph.set_value(node, value)


class MoveNodes(_Gesture):
    """Move nodes to new canvas positions; one drag is one command."""

    merge_id = _MERGE_MOVE

    def __init__(self, doc: Document, moves: dict[str, tuple[Any, Any]],
                 gesture: int | None = None) -> None:
        super().__init__("Move" if len(moves) > 1 else f"Move {next(iter(moves))}")
        self.doc, self.moves, self.gesture = doc, dict(moves), gesture

    def absorb(self, other: _Gesture) -> None:
        for node, (_, new) in other.moves.items():
            old = self.moves.get(node, other.moves[node])[0]
            self.moves[node] = (old, new)

    def redo(self) -> None:
        g = self.doc.graph
        g.update_many_attrs({n: {"pos": list(new)} for n, (_, new) in self.moves.items()
                             if n in g})

    def undo(self) -> None:
        g = self.doc.graph
        g.update_many_attrs({n: {"pos": None if old is None else list(old)}
                             for n, (old, _) in self.moves.items() if n in g})


class Rename(QUndoCommand):
    """Give a node another id."""

    def __init__(self, doc: Document, old: str, new: str) -> None:
        super().__init__(f"Rename {old} → {new}")
        self.doc, self.old, self.new = doc, old, new

    def redo(self) -> None:
        self.doc.graph.rename(self.old, self.new)

    def undo(self) -> None:
        self.doc.graph.rename(self.new, self.old)


class SetOp(QUndoCommand):
    """Change what a node computes (and, for leaves, its value)."""

    def __init__(self, doc: Document, node: str, op: str, value: Any = None) -> None:
        super().__init__(f"Make {node} a {op}")
        g = doc.graph
        self.doc, self.node, self.op, self.value = doc, node, op, value
        self.old_op, self.old_value = g.op(node).name, g.value(node)

    def redo(self) -> None:
        self.doc.graph.set_op(self.node, self.op, self.value)

    def undo(self) -> None:
        self.doc.graph.set_op(self.node, self.old_op, self.old_value)


class SetOutput(QUndoCommand):
    """Differentiate another node. ``by_hand``: the user chose it (Differentiate This), so
    statements typed later do not move the output; the expression bar's own choice is not."""

    def __init__(self, doc: Document, node: str | None, by_hand: bool = True) -> None:
        super().__init__(f"Differentiate {node}")
        self.doc, self.new, self.old = doc, node, doc.output
        self.pinned, self.old_pinned = by_hand, doc.output_pinned

    def redo(self) -> None:
        self.doc.set_output(self.new, self.pinned)

    def undo(self) -> None:
        self.doc.set_output(self.old, self.old_pinned)


class SetGroup(QUndoCommand):
    """Put nodes into a named group (or take them out, ``name=None``)."""

    def __init__(self, doc: Document, nodes: list[str], name: str | None,
                 info: dict[str, Any] | None = None, text: str = "") -> None:
        super().__init__(text or (f"Group as {name}" if name else "Ungroup"))
        g = doc.graph
        self.doc, self.nodes, self.name = doc, list(nodes), name
        self.old_member = {n: g.attrs(n).get("group") for n in nodes}
        self.old_groups = {k: dict(v) for k, v in doc.groups.items()}
        self.info = info

    def redo(self) -> None:
        groups = {k: dict(v) for k, v in self.doc.groups.items()}
        if self.name is not None:
            groups[self.name] = dict(self.info or {"collapsed": True})
        self.doc.set_groups(groups, dict.fromkeys(self.nodes, self.name))

    def undo(self) -> None:
        self.doc.set_groups(self.old_groups, self.old_member)


class SetGroupInfo(_Gesture):
    """Fold or unfold a group, or move its folded card."""

    merge_id = _MERGE_GROUP

    def __init__(self, doc: Document, name: str, gesture: int | None = None,
                 **changes: Any) -> None:
        folded = changes.get("collapsed")
        super().__init__(f"{'Fold' if folded else 'Unfold'} {name}" if folded is not None
                         else f"Move {name}")
        self.doc, self.name, self.gesture, self.target = doc, name, gesture, name
        self.old = dict(doc.groups.get(name, {}))
        self.new = {**self.old, **changes}

    def redo(self) -> None:
        self.doc.set_group_info(self.name, self.new)

    def undo(self) -> None:
        self.doc.set_group_info(self.name, self.old)


class SetQuiz(QUndoCommand):
    """Start, change (an answer typed, items chosen) or end the quiz (``None``)."""

    def __init__(self, doc: Document, quiz: Any, text: str) -> None:
        super().__init__(text)
        self.doc, self.new, self.old = doc, quiz, doc.quiz

    def redo(self) -> None:
        self.doc.set_quiz(self.new)

    def undo(self) -> None:
        self.doc.set_quiz(self.old)
