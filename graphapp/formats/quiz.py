"""A quiz kept in a graph file: which numbers the learner predicts, and what they answered.

A teacher hands out a graph as an exercise: the window hides the gradients (or the local
derivatives) named here, and the learner types a prediction for each (the checking is
:mod:`graphapp.lab.quiz`). The file keeps the mode, the items hidden, and optionally the
learner's answers, so an exercise can be saved half done and opened again.

In an ``.expr`` script it is one header line::

    # quiz: gradients                  <- every gradient the graph has (but the output's)
    # quiz: gradients a b c=-2         <- only these nodes; c answered -2
    # quiz: locals a->e c->d=1         <- local derivatives on these edges
    # quiz: locals x->y:1              <- slot 1 of y (when x feeds y more than once)

An item is a node (``gradients``) or an edge ``SRC->DST`` (``locals``), ``:SLOT`` added when
``SRC`` feeds several inputs of ``DST``; ``=ANSWER`` is what the learner typed (no spaces). In a
``.graph.json`` it is the field ``"quiz": {"mode": "gradients", "items": [{"node": "a",
"answer": "6"}, ...]}`` (edges as ``{"src", "dst", "slot"}``); no ``"items"`` means all.

>>> from graphapp.formats import parse_expr
>>> g = parse_expr("a = 2.0\\nb = -3.0\\nL = a * b").graph
>>> q = parse_quiz("locals a->L=-3 b->L", g)
>>> q.mode, q.items, q.answers
('locals', (('a', 'L', 0), ('b', 'L', 1)), {('a', 'L', 0): '-3'})
>>> quiz_text(q, g)
'locals a->L=-3 b->L'
>>> parse_quiz("gradients a b=", g).items
('a', 'b')

Caveat: items are checked against the graph's structure here (names exist, edges exist, no
constants); whether a number can be quizzed (a scalar, on a path to the output) is decided
when the quiz starts, and items that cannot are left out then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphapp.engine import Graph

__all__ = ["MODES", "Item", "Quiz", "QuizError", "item_text", "parse_quiz", "quiz_from_json",
           "quiz_problem", "quiz_text", "quiz_to_json", "renamed_item"]

#: What a quiz hides: node gradients, or edge local derivatives.
MODES = ("gradients", "locals")
#: A node id (gradients) or an edge ``(src, dst, slot)`` (locals).
Item = str | tuple[str, str, int]

_EDGE = re.compile(r"^(?P<src>[^\s=]+?)->(?P<dst>[^\s=:]+)(?::(?P<slot>[0-9]+))?$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Quiz:
    """The quiz of one graph: its ``mode``, the ``items`` hidden (``None``: every item the
    graph can quiz) and the learner's ``answers`` (item → the text typed). Answers are kept
    for listed items only (``ValueError`` otherwise), so that a file can say what they
    answer: list the items first (:meth:`with_items`)."""

    mode: str = "gradients"
    items: tuple[Item, ...] | None = None
    answers: Mapping[Item, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.answers and (self.items is None or not set(self.answers) <= set(self.items)):
            raise ValueError("answers are kept for the quiz's listed items only")

    def with_items(self, items: tuple[Item, ...]) -> Quiz:
        """The same quiz over ``items`` (answers to other items dropped)."""
        return replace(self, items=tuple(items),
                       answers={k: v for k, v in self.answers.items() if k in items})

    def with_answer(self, item: Item, text: str) -> Quiz:
        """The same quiz with ``text`` (spaces removed) as the answer to ``item`` (one of
        its items); an empty text removes the answer."""
        answers = dict(self.answers)
        text = clean_answer(text)
        if text:
            answers[item] = text
        else:
            answers.pop(item, None)
        return replace(self, answers=answers)

    def fitted(self, graph: Graph) -> Quiz:
        """The same quiz without the items ``graph`` no longer has (a node deleted, an edge
        disconnected, a node made a constant), so that a saved file can be read back."""
        if self.items is None:
            return self
        keep = tuple(i for i in self.items if quiz_problem(Quiz(self.mode, (i,)), graph) is None)
        return self if keep == self.items else self.with_items(keep)

    def renamed(self, old: str, new: str) -> Quiz:
        """The same quiz after node ``old`` was renamed ``new``."""
        def ren(item: Item) -> Item:
            return renamed_item(item, old, new)

        items = None if self.items is None else tuple(ren(i) for i in self.items)
        return replace(self, items=items,
                       answers={ren(k): v for k, v in self.answers.items()})


def renamed_item(item: Item, old: str, new: str) -> Item:
    """``item`` after node ``old`` was renamed ``new``."""
    if isinstance(item, str):
        return new if item == old else item
    src, dst, slot = item
    return (new if src == old else src, new if dst == old else dst, slot)


class QuizError(ValueError):
    """A quiz that does not fit its graph; ``index`` is the item at fault (``-1``: the
    mode) and ``token`` the text of that item in the file, to point at it."""

    def __init__(self, message: str, index: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


def clean_answer(text: str) -> str:
    """An answer as it is kept: the text typed, without spaces."""
    return _SPACE.sub("", text)


def item_text(item: Item, graph: Graph, name: Callable[[str], str] = str) -> str:
    """An item as the ``.expr`` directive writes it: ``a``, ``a->e``, ``x->y:1``; ``name``
    gives each node's name in the file."""
    if isinstance(item, str):
        return name(item)
    src, dst, slot = item
    text = f"{name(src)}->{name(dst)}"
    feeds = sum(1 for s in graph.inputs(dst) if s == src) if dst in graph else 1
    return f"{text}:{slot}" if feeds > 1 else text


def quiz_problem(quiz: Quiz, graph: Graph) -> QuizError | None:
    """Why ``quiz`` does not fit ``graph`` (``None`` when it does): an unknown mode, a node
    or edge that is not there, an item twice, or a constant (constants have no gradient)."""
    if quiz.mode not in MODES:
        return QuizError(f"unknown quiz {quiz.mode!r}: write gradients or locals")
    seen: set[Item] = set()
    for k, item in enumerate(quiz.items or ()):
        if item in seen:
            return QuizError(f"{_show(item)} is in the quiz twice", k)
        seen.add(item)
        if quiz.mode == "gradients":
            if not isinstance(item, str):
                return QuizError("a gradients quiz names nodes, not edges", k)
            if item not in graph:
                return QuizError(f"no node {item!r} to quiz", k)
            if graph.op(item).constant:
                return QuizError(f"{item!r} is a constant: constants have no gradient", k)
            continue
        if isinstance(item, str):
            return QuizError(f"a locals quiz names edges such as a->e, not {item!r}", k)
        src, dst, slot = item
        for end in (src, dst):
            if end not in graph:
                return QuizError(f"no node {end!r} to quiz", k)
        inputs = graph.inputs(dst)
        if slot >= len(inputs) or inputs[slot] != src:
            return QuizError(f"no edge {src}->{dst}" + (f" into slot {slot}" if slot else ""), k)
        if graph.op(src).constant:
            return QuizError(f"{src!r} is a constant: edges from constants have no local "
                             "derivative to quiz", k)
    return None


def _show(item: Item) -> str:
    return item if isinstance(item, str) else f"{item[0]}->{item[1]}:{item[2]}"


def parse_quiz(text: str, graph: Graph) -> Quiz:
    """The quiz an ``.expr`` directive spells (the text after ``# quiz:``); ``QuizError``
    (with ``index`` the token at fault, ``-1`` the mode) when it does not fit ``graph``."""
    tokens = text.split()
    if not tokens:
        raise QuizError("say what to quiz: # quiz: gradients, or # quiz: locals")
    mode, rest = tokens[0], tokens[1:]
    if mode not in MODES:
        raise QuizError(f"unknown quiz {mode!r}: write gradients or locals")
    if not rest:
        return Quiz(mode)
    items: list[Item] = []
    answers: dict[Item, str] = {}
    for k, token in enumerate(rest):
        what, _, answer = token.partition("=")
        if not what:
            raise QuizError(f"{token!r}: write NAME=ANSWER", k)
        item: Item = what
        if mode == "locals":
            m = _EDGE.match(what)
            if m is None:
                raise QuizError(f"{what!r} is not an edge: write SRC->DST (or SRC->DST:SLOT)", k)
            src, dst = m["src"], m["dst"]
            if m["slot"] is not None:
                item = (src, dst, int(m["slot"]))
            else:
                slots = [s for s, x in enumerate(graph.inputs(dst)) if x == src] \
                    if dst in graph else [0]
                if len(slots) > 1:
                    choices = " or ".join(f"{src}->{dst}:{s}" for s in slots)
                    raise QuizError(f"{src} feeds {dst} {len(slots)} times: write {choices}", k)
                item = (src, dst, slots[0] if slots else 0)
        items.append(item)
        if answer:
            answers[item] = answer
    quiz = Quiz(mode, tuple(items), answers)
    problem = quiz_problem(quiz, graph)
    if problem is not None:
        raise problem
    return quiz


def quiz_text(quiz: Quiz, graph: Graph, name: Callable[[str], str] = str) -> str:
    """The text of an ``.expr`` directive for ``quiz`` (after ``# quiz:``); ``name`` gives
    each node's name in the file."""
    parts = [quiz.mode]
    for item in quiz.items or ():
        answer = quiz.answers.get(item, "")
        parts.append(item_text(item, graph, name) + (f"={answer}" if answer else ""))
    return " ".join(parts)


def quiz_to_json(quiz: Quiz) -> dict[str, Any]:
    """The ``"quiz"`` field of a ``.graph.json``."""
    data: dict[str, Any] = {"mode": quiz.mode}
    if quiz.items is not None:
        rows = []
        for item in quiz.items:
            row: dict[str, Any] = ({"node": item} if isinstance(item, str) else
                                   {"src": item[0], "dst": item[1], "slot": item[2]})
            if item in quiz.answers:
                row["answer"] = quiz.answers[item]
            rows.append(row)
        data["items"] = rows
    return data


def quiz_from_json(data: Any, graph: Graph) -> Quiz:
    """Read the ``"quiz"`` field of a ``.graph.json``; ``QuizError`` when it is malformed or
    does not fit ``graph``."""
    if not isinstance(data, dict):
        raise QuizError('"quiz" must be an object such as {"mode": "gradients"}')
    mode = data.get("mode")
    if mode not in MODES:
        raise QuizError(f'"quiz": unknown mode {mode!r}: write "gradients" or "locals"')
    if "items" not in data:
        return Quiz(mode)
    rows = data["items"]
    if not isinstance(rows, list):
        raise QuizError('"quiz": "items" must be a list')
    items: list[Item] = []
    answers: dict[Item, str] = {}
    for k, row in enumerate(rows):
        if not isinstance(row, dict):
            raise QuizError(f'"quiz": item {k} must be an object', k)
        if mode == "gradients":
            item: Item = row.get("node")
            if not isinstance(item, str):
                raise QuizError(f'"quiz": item {k} needs a "node" (a node id)', k)
        else:
            src, dst, slot = row.get("src"), row.get("dst"), row.get("slot", 0)
            if not (isinstance(src, str) and isinstance(dst, str) and isinstance(slot, int)
                    and not isinstance(slot, bool) and slot >= 0):
                raise QuizError(f'"quiz": item {k} needs "src" and "dst" (node ids) and a '
                                '"slot" (a whole number)', k)
            item = (src, dst, slot)
        answer = row.get("answer", "")
        if not isinstance(answer, str):
            raise QuizError(f'"quiz": the answer of item {k} must be a string', k)
        items.append(item)
        if clean_answer(answer):
            answers[item] = clean_answer(answer)
    quiz = Quiz(mode, tuple(items), answers)
    problem = quiz_problem(quiz, graph)
    if problem is not None:
        raise QuizError(f'"quiz": {problem.message}', problem.index)
    return quiz
