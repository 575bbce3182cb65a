"""The quiz: the learner predicts gradients (or local derivatives), the app checks them against
the engine's backward pass and explains the first wrong one with its chain-rule step.

A quiz (:class:`graphapp.formats.quiz.Quiz`) names what is hidden: node gradients
(``"gradients"``) or edge local derivatives (``"locals"``). :func:`questions` turns it into
:class:`Question` rows with the right numbers, in the order backprop finds them (from the
output back to the inputs); :func:`mark` reads the learner's answers, decides each
(:class:`Verdict`), counts the score and explains the first wrong answer in that order — the
mistake the others may have inherited. A gradient is explained as micrograd computes it: the
local derivative on each edge leaving the node times the gradient arriving from above, summed
over those edges where paths meet (the multivariable chain rule); a local derivative by the op
table's formula with the numbers plugged in.

Answers are numbers as people write them: ``-3``, ``−3``, ``1/2``, ``0.5``, ``-1.5e-3``
(:func:`read_answer`). One is right within :data:`REL_TOL` of the true value (answers rounded
to three significant figures pass), or within :data:`ABS_TOL` of it near zero (:func:`agrees`).

>>> from graphapp.api import parse
>>> from graphapp.formats.quiz import Quiz
>>> g = parse("a = 2.0\\nb = -3.0\\nc = 10.0\\nf = -2.0\\ne = a*b\\nd = e + c\\nL = d*f").graph
>>> {q.label: q.truth for q in questions(g, "L", Quiz("gradients"))}
... # doctest: +NORMALIZE_WHITESPACE
{'grad(d)': -2.0, 'grad(e)': -2.0, 'grad(f)': 4.0, 'grad(c)': -2.0, 'grad(b)': -4.0,
 'grad(a)': 6.0}
>>> m = mark(g, "L", Quiz("gradients", ("a", "b"), {"a": "5", "b": "-4"}))
>>> m.right, m.total, m.first_wrong.question.label
(1, 2, 'grad(a)')
>>> head, words, step = m.explanation.split("\\n")
>>> head
'grad(a) is 6, not 5.'
>>> words[:59]
'a is used once (by e), so by the chain rule its gradient is'
>>> step
'grad(a) = local(a→e) × grad(e) = b × grad(e) = −3 × −2 = 6'

An explanation cites only numbers the learner may see: those the quiz does not hide, those
answered right (in this check or before) or revealed, and the item explained. A number it builds
on that is still a question reads ``?``, as on the canvas, and a slip that would name it is
not said:

>>> m = mark(g, "L", Quiz("gradients", None))
>>> m.total, m.first_wrong is None
(6, True)
>>> m = mark(g, "L", Quiz("gradients", ("a", "e"), {"a": "5"}))
>>> m.explanation.splitlines()[2]
'grad(a) = local(a→e) × grad(e) = b × grad(e) = −3 × ? = 6'

Caveat: only scalar numbers are quizzed (items whose value or gradient is an array, that do
not reach the output or are not finite are left out).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from graphapp.engine import Backward, EdgeGrad, Graph, NodeError
from graphapp.formats.notation import short_name
from graphapp.formats.present import HIDDEN, number
from graphapp.formats.quiz import Item, Quiz
from graphapp.lab.formulas import edge_formula

__all__ = ["ABS_TOL", "REL_TOL", "Hidden", "Marking", "Question", "Verdict", "agrees",
           "backward_of", "explain", "hidden_numbers", "mark", "questions", "quizzable",
           "read_answer"]

#: An answer within this fraction of the true value is right (three significant figures).
REL_TOL = 5e-3
#: ... or within this of it (a true value of 0).
ABS_TOL = 1e-9

_NUM = r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_ANSWER = re.compile(rf"^([-+]?{_NUM})(?:/([-+]?{_NUM}))?$")
_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "\u2009": None, " ": None})
#: How :meth:`Verdict.status` reads.
STATUSES = ("empty", "unreadable", "right", "wrong")


@dataclass(frozen=True)
class Question:
    """One hidden number: ``item`` (a node, or an edge ``(src, dst, slot)``), how it is
    called (``grad(a)``, ``local(a→e)``) and its true value."""

    item: Item
    label: str
    truth: float


@dataclass(frozen=True)
class Verdict:
    """The learner's answer to one question: ``status`` is ``"empty"``, ``"unreadable"``,
    ``"right"`` or ``"wrong"``; ``value`` the number read (``None`` unless right or wrong)."""

    question: Question
    text: str
    status: str
    value: float | None = None


@dataclass(frozen=True)
class Marking:
    """Every verdict (in backprop's order), the score, and the first wrong answer explained."""

    verdicts: tuple[Verdict, ...]
    right: int
    total: int
    first_wrong: Verdict | None
    #: Why the first wrong (or unreadable) answer is wrong, with its chain-rule step; "" when
    #: none is.
    explanation: str


@dataclass(frozen=True)
class Hidden:
    """What the canvas must not show while a quiz runs: node gradients (``grads``), edge
    local derivatives (``locals``) and the gradients edges carry back (``carried``)."""

    grads: frozenset[str] = frozenset()
    locals: frozenset[tuple[str, str, int]] = frozenset()
    carried: frozenset[tuple[str, str, int]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.grads or self.locals)


def hidden_numbers(graph: Graph, output: str, quiz: Quiz, shown: frozenset = frozenset(),
                   back: Backward | None = None) -> Hidden:
    """The numbers to hide for ``quiz`` when the items in ``shown`` (answered right, or
    revealed) may be seen. Beyond the items themselves, numbers that would give them away
    are hidden: an edge carries local × the gradient of its end back to its start, so its
    carried gradient is hidden when either end's gradient or its local derivative is; in a
    locals quiz the gradient of an edge's start (the sum of what its edges carry) too.

    >>> from graphapp.api import parse
    >>> g = parse("a = 2.0\\nb = -3.0\\nL = a * b").graph
    >>> h = hidden_numbers(g, "L", Quiz("gradients"), shown=frozenset({"b"}))
    >>> sorted(h.grads), sorted(h.locals), sorted(h.carried)
    (['a'], [], [('a', 'L', 0)])
    """
    items = {q.item for q in questions(graph, output, quiz, back)} - set(shown)
    grads = {i for i in items if isinstance(i, str)}
    edges = {i for i in items if not isinstance(i, str)}
    grads |= {src for src, _, _ in edges}
    carried = set(edges)
    for node in grads:
        carried.update((node, dst, slot) for dst, slot in graph.consumers(node))
        carried.update((src, node, slot) for slot, src in enumerate(graph.inputs(node))
                       if src is not None)
    return Hidden(frozenset(grads), frozenset(edges), frozenset(carried))


def read_answer(text: str) -> float:
    """The number an answer spells: ``-3``, ``−3``, ``+2``, ``1/2``, ``-1/3``, ``0.5``,
    ``.5``, ``-1.5e-3`` (spaces ignored); ``ValueError`` for anything else.

    >>> [read_answer(t) for t in ("-3", "−3", "1/2", " 0.5 ", "-1.5e-3", "3/-4")]
    [-3.0, -3.0, 0.5, 0.5, -0.0015, -0.75]
    >>> read_answer("six")
    Traceback (most recent call last):
    ...
    ValueError: cannot read 'six' as a number: write it as -3, 1/2, 0.5 or -1.5e-3
    """
    m = _ANSWER.match(text.translate(_MINUS))
    value = math.nan
    if m is not None:
        top = float(m[1])
        bottom = float(m[2]) if m[2] is not None else 1.0
        value = top / bottom if bottom != 0 else math.nan
    if not math.isfinite(value):
        raise ValueError(f"cannot read {text.strip()!r} as a number: write it as -3, 1/2, 0.5 "
                         "or -1.5e-3")
    return value


def agrees(answer: float, truth: float) -> bool:
    """True when ``answer`` is ``truth`` to within :data:`REL_TOL` (or :data:`ABS_TOL`).

    >>> agrees(0.333, 1 / 3), agrees(0.33, 1 / 3), agrees(6.0, 6.0), agrees(-6.0, 6.0)
    (True, False, True, False)
    """
    return abs(answer - truth) <= max(ABS_TOL, REL_TOL * abs(truth))


def backward_of(graph: Graph, output: str) -> Backward:
    """The engine's backward pass from ``output`` on the graph's current values."""
    plan = graph.plan()
    return plan.backward(plan.forward(graph), output)


def _scalar(v: object) -> bool:
    return v is not None and np.ndim(v) == 0 and math.isfinite(float(v))


def _reaches(back: Backward, node: str) -> bool:
    """True when ``node`` is in the pass and leads to its output (False for a node added
    since: the window asks while an edit's events arrive, before the results follow)."""
    return node in back.plan.index and back.reaches(node)


def _edge(back: Backward, src: str, dst: str, slot: int) -> EdgeGrad:
    """What the pass says about one edge; nothing for an edge it does not have (yet)."""
    try:
        return back.edge(src, dst, slot)
    except NodeError:
        return EdgeGrad(None, None)


def quizzable(graph: Graph, output: str, mode: str, back: Backward | None = None) -> list[Item]:
    """Every item a ``mode`` quiz can hide, in backprop's order: gradients of the nodes on a
    path to the output (constants and the output itself left out: its gradient is 1 by
    definition), or the local derivatives of the edges on such paths (not from constants).
    Only scalar, finite numbers, between nodes that hold scalars (an array's gradient
    arrives through Jacobians, beyond a typed number)."""
    back = back if back is not None else backward_of(graph, output)
    plan = back.plan
    items: list[Item] = []
    values = back.forward.values

    def scalar_node(node: str) -> bool:
        return _scalar(values[node])

    for node in reversed(plan.order):
        if node not in graph or not back.reaches(node) or not scalar_node(node):
            continue
        if mode == "gradients":
            users = [dst for dst, _ in graph.consumers(node) if _reaches(back, dst)]
            if node != output and _scalar(back.grads[node]) and all(map(scalar_node, users)):
                items.append(node)
            continue
        for slot, src in enumerate(graph.inputs(node)):
            if src is not None and src in plan.index and not graph.op(src).constant and \
                    scalar_node(src) and _scalar(_edge(back, src, node, slot).local):
                items.append((src, node, slot))
    return items


def _label(graph: Graph, item: Item) -> str:
    if isinstance(item, str):
        return f"grad({short_name(graph, item)})"
    src, dst, slot = item
    text = f"local({short_name(graph, src)}→{short_name(graph, dst)})"
    if sum(1 for s in graph.inputs(dst) if s == src) > 1:
        text = text[:-1] + f", input {slot + 1})"
    return text


def _truth(back: Backward, item: Item) -> float | None:
    if isinstance(item, str):
        v = back.grads[item] if item in back.plan.index else None
    else:
        src, dst, slot = item
        v = _edge(back, src, dst, slot).local
    return float(v) if _scalar(v) else None


def questions(graph: Graph, output: str, quiz: Quiz,
              back: Backward | None = None) -> list[Question]:
    """The quiz's questions in backprop's order, each with its true value (items that cannot
    be quizzed now are left out, see :func:`quizzable`)."""
    back = back if back is not None else backward_of(graph, output)
    every = quizzable(graph, output, quiz.mode, back)
    if quiz.items is None:
        chosen = every
    else:
        wanted = set(quiz.items)
        chosen = [i for i in every if i in wanted]
        if output in wanted and quiz.mode == "gradients":
            chosen.insert(0, output)  # a teacher may ask for the seed of backprop
    out = []
    for item in chosen:
        truth = _truth(back, item)
        if truth is not None:
            out.append(Question(item, _label(graph, item), truth))
    return out


def mark(graph: Graph, output: str, quiz: Quiz, back: Backward | None = None,
         shown: frozenset = frozenset()) -> Marking:
    """Check every answer of ``quiz``; explain the first that is wrong (or unreadable),
    citing only numbers that may be seen: not hidden by the quiz, in ``shown`` (answered
    right before, or revealed), answered right now, or the one explained."""
    back = back if back is not None else backward_of(graph, output)
    verdicts = []
    for q in questions(graph, output, quiz, back):
        text = quiz.answers.get(q.item, "").strip()
        if not text:
            verdicts.append(Verdict(q, text, "empty"))
            continue
        try:
            value = read_answer(text)
        except ValueError:
            verdicts.append(Verdict(q, text, "unreadable"))
            continue
        verdicts.append(Verdict(q, text, "right" if agrees(value, q.truth) else "wrong", value))
    first = next((v for v in verdicts if v.status in ("wrong", "unreadable")), None)
    explanation = ""
    if first is not None and first.status == "unreadable":
        try:
            read_answer(first.text)
        except ValueError as exc:
            explanation = f"{first.question.label}: {exc}."
    elif first is not None:
        item = first.question.item
        seen = frozenset(shown) | {v.question.item for v in verdicts if v.status == "right"}
        explanation = explain(graph, output, item, back, first.value,
                              hidden_numbers(graph, output, quiz, seen | {item}, back))
    return Marking(tuple(verdicts), sum(v.status == "right" for v in verdicts), len(verdicts),
                   first, explanation)


def _n(v: object) -> str:
    return number(v, digits=6)


def explain(graph: Graph, output: str, item: Item, back: Backward | None = None,
            answer: float | None = None, hidden: Hidden | None = None) -> str:
    """Why ``item`` has the value it has, in words and numbers: for a gradient the chain-rule
    step that makes it (local × upstream gradient, summed over the edges leaving the node),
    for a local derivative the op table's formula. With the learner's ``answer``, the first
    line names it, and the second says what it looks like when it is a common slip (the
    wrong sign, one path of several, the local derivative without the gradient from above,
    an input's value instead of a slope). Numbers in ``hidden`` (still questions of the
    quiz) read ``?`` and no slip names them."""
    back = back if back is not None else backward_of(graph, output)
    hidden = hidden if hidden is not None else Hidden()
    label = _label(graph, item)
    truth = _truth(back, item)
    head = f"{label} is {_n(truth)}" + (f", not {_n(answer)}." if answer is not None else ".")
    if not isinstance(item, str):
        slip = _local_slip(graph, back, item, truth, answer, hidden)
        body = _explain_local(graph, back, item)
    else:
        terms = _terms(graph, back, item, hidden)
        slip = _gradient_slip(graph, item, terms, truth, answer)
        body = _explain_gradient(graph, output, item, terms, truth)
    return "\n".join(part for part in (head, slip, body) if part)


@dataclass(frozen=True)
class _Term:
    """One edge leaving a node, in its gradient's sum: local × the gradient from above; the
    ``hide_*`` flags: that number is still a question of the quiz (it reads ?)."""

    label: str  # local(a→e)
    symbolic: str  # b
    local: float
    dst: str  # e
    upstream: float
    hide_local: bool = False
    hide_upstream: bool = False
    hide_carried: bool = False

    @property
    def carried(self) -> float:
        return float(self.local) * float(self.upstream)


def _terms(graph: Graph, back: Backward, node: str, hidden: Hidden) -> list[_Term]:
    terms = []
    for dst, slot in graph.consumers(node):
        if not _reaches(back, dst):
            continue  # a path that does not reach the output adds nothing
        edge = _edge(back, node, dst, slot)
        if edge.accumulated is None:
            continue
        f = edge_formula(graph, node, dst, slot, back)
        key = (node, dst, slot)
        terms.append(_Term(_label(graph, key), f.formula.rsplit(" = ", 1)[-1].strip(),
                           float(edge.local), short_name(graph, dst), float(back.grads[dst]),
                           key in hidden.locals, dst in hidden.grads, key in hidden.carried))
    return terms


def _slip(answer: float | None, truth: float | None, candidate: float) -> bool:
    """The answer is ``candidate`` and that is not the right value."""
    return answer is not None and truth is not None and agrees(answer, candidate) and \
        not agrees(candidate, truth)


def _gradient_slip(graph: Graph, node: str, terms: list[_Term], truth: float | None,
                   answer: float | None) -> str:
    name = short_name(graph, node)
    if truth and _slip(answer, truth, -truth):
        return "That is the right size with the wrong sign."
    if len(terms) > 1:
        for t in terms:
            if not t.hide_carried and _slip(answer, truth, t.carried):
                other = "the other edge carries" if len(terms) == 2 else \
                    "the other edges carry"
                return (f"That is only what the edge to {t.dst} carries back: {name} feeds "
                        f"{len(terms)} nodes, so add what {other} too.")
    for t in terms:
        if not t.hide_local and _slip(answer, truth, t.local):
            return (f"That is the local derivative on the edge to {t.dst} alone: multiply it "
                    f"by grad({t.dst}), the gradient arriving from above.")
        if not t.hide_upstream and _slip(answer, truth, t.upstream):
            return (f"That is grad({t.dst}), the gradient arriving from above: multiply it by "
                    f"the local derivative on the edge from {name} to {t.dst}.")
    return ""


def _local_slip(graph: Graph, back: Backward, item: tuple[str, str, int],
                truth: float | None, answer: float | None, hidden: Hidden) -> str:
    src, dst, slot = item
    src_name, dst_name = short_name(graph, src), short_name(graph, dst)
    if truth and _slip(answer, truth, -truth):
        return "That is the right size with the wrong sign."
    value = back.forward.values[src]
    if _scalar(value) and _slip(answer, truth, float(value)):
        return (f"That is the value of {src_name}; the local derivative is how fast "
                f"{dst_name} changes as {src_name} moves.")
    carried = _edge(back, src, dst, slot).accumulated
    if item not in hidden.carried and _scalar(carried) and _slip(answer, truth, float(carried)):
        return (f"That is the gradient the edge carries back, local × grad({dst_name}); the "
                f"local derivative is the factor before grad({dst_name}).")
    return ""


def _explain_local(graph: Graph, back: Backward, item: tuple[str, str, int]) -> str:
    src, dst, slot = item
    f = edge_formula(graph, src, dst, slot, back)
    dst_name, src_name = short_name(graph, dst), short_name(graph, src)
    others = [s for k, s in enumerate(graph.inputs(dst)) if k != slot and s is not None]
    held = (" holding its other input" + ("s" if len(others) > 1 else "") + " fixed"
            if others else "")
    return (f"The local derivative on the edge {src_name}→{dst_name} is how {dst_name} "
            f"changes with {src_name} alone,{held} (a partial derivative); the rule for "
            f"{graph.op(dst).name} gives:\n{f.text}")


def _explain_gradient(graph: Graph, output: str, node: str, terms: list[_Term],
                      truth: float | None) -> str:
    name, out_name = short_name(graph, node), short_name(graph, output)
    if node == output:
        return (f"Backprop starts at the output: d{out_name}/d{out_name} = 1, the seed from "
                "which every other gradient follows.")
    if len(terms) == 1:
        dst = terms[0].dst
        words = (f"{name} is used once (by {dst}), so by the chain rule its gradient is "
                 f"the local derivative on that edge times the gradient of {dst}:")
    else:
        users = [t.dst for t in terms]
        users_text = ", ".join(users[:-1]) + " and " + users[-1]
        words = (f"{name} is used {len(terms)} times (by {users_text}): paths meet at {name}, "
                 "so its gradient is the sum over the edges leaving it of local derivative × the "
                 "gradient arriving from above (the multivariable chain rule):")
    lines = [f"grad({name}) = " + " + ".join(f"{t.label} × grad({t.dst})" for t in terms)]
    symbolic = " + ".join(f"{_wrap(t.symbolic)} × grad({t.dst})" for t in terms)
    if not any(t.hide_local for t in terms) and \
            symbolic != " + ".join(f"{_n(t.local)} × grad({t.dst})" for t in terms):
        lines.append(symbolic)  # (a hidden local's rule would answer it in letters)
    lines.append(" + ".join(f"{_cite(t.local, t.hide_local)} × "
                            f"{_cite(t.upstream, t.hide_upstream)}" for t in terms))
    if len(terms) > 1:
        lines.append(" + ".join(_cite(t.carried, t.hide_carried) for t in terms))
    lines.append(_n(truth))
    text = words + "\n" + " = ".join(lines)
    if any(t.hide_local or t.hide_upstream for t in terms):
        text += ("\n(? is still a question of the quiz: answer it right, or Reveal, to see its "
                 "number here.)")
    return text


def _cite(v: float, hide: bool) -> str:
    """A number an explanation builds on, or ``?`` while it is still a question."""
    return HIDDEN if hide else _n(v)


def _wrap(symbolic: str) -> str:
    """A local-derivative formula as a factor: bracketed when it is a sum or difference."""
    inner = symbolic.strip()
    return f"({inner})" if (" + " in inner or " − " in inner) else inner
