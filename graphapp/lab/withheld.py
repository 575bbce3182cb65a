"""What the lab's views withhold while a quiz runs, so that a learner cannot read the answers
off another dock of the same window.

Every view reads one source: the document's quiz hidden set (:class:`graphapp.lab.quiz.Hidden`,
the same one the canvas uses): node gradients (``grads``), edge local derivatives (``locals``)
and the gradients edges carry back (``carried``). A withheld number reads :data:`HIDDEN` (``?``,
as on the canvas) and the view adds :data:`NOTE` (or :func:`asked_note`). Per view:

* Trace table: a gradient in ``grads``, a local derivative in ``locals`` (:func:`trace_cells`).
* Formulas: an edge in ``locals`` keeps its left side only, ``∂(a·b)/∂a = ?``: the rule on the
  right is the answer in letters (:func:`formula_text`).
* Views about one input x (Nudge and Slope, Gradient Check, Function Plot, Partial vs Total):
  when x's gradient is asked (:func:`asked`), every number that gives d output/dx away, a
  difference quotient too, reads ``?``; the plot of the output against x is not drawn (its
  slope is the answer). Partial vs Total also withholds, for an x that may be seen, what
  would give other answers away (:func:`partial_withheld`).

>>> from graphapp.api import parse
>>> from graphapp.formats.quiz import Quiz
>>> from graphapp.lab.quiz import hidden_numbers
>>> from graphapp.lab.trace_table import trace_rows
>>> g = parse("a = 2.0\\nb = -3.0\\nL = a * b").graph
>>> h = hidden_numbers(g, "L", Quiz("gradients", ("a",)))
>>> asked(h, "a"), asked(h, "b"), asked((), "a")
(True, False, False)
>>> [trace_cells(r, h)[-1] for r in trace_rows(g, "L") if r.phase == "backward"]
['1', '2', '?']

* Lesson: a lesson's text, or a prompt's hint, that writes one of the answers still asked as a
  number (micrograd's "dL/da = -2 × b = 6") is not shown until the quiz ends
  (:func:`gives_away`).

>>> gives_away("Then e = a·b sends dL/da = -2 × b = 6", [6.0]), gives_away("b = −3", [3.0])
(True, False)

Caveat: a lesson is checked for the answers' numbers, not their meaning: one that names an
answer in words still shows, and one that holds an answer's number for another reason is
hidden too (while the quiz runs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphapp.engine import Graph
from graphapp.formats.present import HIDDEN
from graphapp.lab.formulas import EdgeFormula
from graphapp.lab.partial import PartialTotal, fed_by
from graphapp.lab.trace_table import TraceRow, cells

__all__ = [
    "HIDDEN",
    "HINT_WITHHELD",
    "LESSON_WITHHELD",
    "NOTE",
    "SLOPE_SHOWN",
    "PartialWithheld",
    "asked",
    "asked_note",
    "formula_text",
    "gives_away",
    "partial_withheld",
    "trace_cells",
    "withheld_tangents",
]

#: A number as a lesson writes it (-2, −2, 0.5, 1e-3).
_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
#: What the Lesson dock says instead of a text that gives answers away.
LESSON_WITHHELD = ("The lesson's text works out numbers the quiz asks, so it is hidden while "
                   "the quiz runs: Reveal or End Quiz in the Quiz dock to read it.")
#: What a prompt's hint says instead, for the same reason.
HINT_WITHHELD = ("This hint works out a number the quiz asks: Reveal or End Quiz in the Quiz "
                 "dock to read it.")
#: The line a view adds when it withholds numbers.
NOTE = "? = hidden while the quiz runs: Reveal or End Quiz in the Quiz dock to see them."
#: The nudge numbers that may be seen while the input's gradient is asked: f(x + h) beside
#: f(x) would give the rise over the run, close to the gradient.
SLOPE_SHOWN = frozenset({"x", "h", "f_x"})


def gives_away(text: str, answers: Iterable[float]) -> bool:
    """True when ``text`` writes one of ``answers`` as a number (to three significant
    figures, the quiz's own tolerance: :func:`graphapp.lab.quiz.agrees`)."""
    from graphapp.lab.quiz import agrees  # the quiz's module: only while a quiz runs

    wanted = list(answers)
    for token in _NUMBER.findall(text):
        value = float(token.replace("−", "-"))
        if any(agrees(value, a) for a in wanted):
            return True
    return False


def asked(hidden: Any, wrt: str | None) -> bool:
    """True when the gradient of the output with respect to input ``wrt`` is hidden by the
    quiz (asked, or it would give an asked number away)."""
    return bool(hidden) and wrt is not None and wrt in hidden.grads


def asked_note(output: str, wrt: str,
               withheld: str = "the numbers that would give it away read ?") -> str:
    """What a view about input ``wrt`` says when its gradient is asked (``withheld``: what
    the view leaves out)."""
    return (f"d{output}/d{wrt} is a question of the quiz running, so {withheld}: Reveal or "
            "End Quiz in the Quiz dock to see it.")


def trace_cells(row: TraceRow, hidden: Any) -> list[str]:
    """One trace row as text cells (:func:`graphapp.lab.trace_table.cells`), with the
    gradient and the local derivatives the quiz hides as ``?``."""
    if not hidden or row.phase != "backward":
        return cells(row)
    return cells(row, hide_grad=row.node in hidden.grads,
                 hide_locals=frozenset(slot for src, slot, _ in row.locals
                                       if (src, row.node, slot) in hidden.locals))


def formula_text(edge: EdgeFormula, hidden: Any) -> str:
    """An edge's line in the Formulas view; ``∂(a·b)/∂a = ?`` when the quiz hides its local
    derivative (the rule would answer it)."""
    if hidden and (edge.src, edge.dst, edge.slot) in hidden.locals:
        return f"{edge.formula.split(' = ', 1)[0]} = {HIDDEN}"
    return edge.text


@dataclass(frozen=True)
class PartialWithheld:
    """What Partial vs Total withholds: the headline's partial and total, the shares (by
    index in ``shares``), the path products and local factors (``(path, factor)`` indices),
    the totals d node/dx (by node) and the edge locals (by edge)."""

    partial: bool = False
    total: bool = False
    shares: frozenset[int] = frozenset()
    products: frozenset[int] = frozenset()
    factors: frozenset[tuple[int, int]] = frozenset()
    totals: frozenset[str] = frozenset()
    locals: frozenset[tuple[str, str, int]] = frozenset()

    def __bool__(self) -> bool:
        return any((self.partial, self.total, self.shares, self.products, self.factors,
                    self.totals, self.locals))


def partial_withheld(pt: PartialTotal, hidden: Any) -> PartialWithheld:
    """What :func:`graphapp.lab.partial_vs_total`'s numbers give away of the quiz's hidden
    set. When the input's gradient is asked: every number made from it (partial, total,
    shares, path products, totals). Otherwise: a share when its edge's carried gradient is
    hidden; a path's product when a gradient on the path is (the rest of the path is that
    gradient's part); a local in ``locals``; a total d node/dx
    downstream of a hidden local (d node/dx is the locals along the way multiplied)."""
    if not hidden:
        return PartialWithheld()
    locals_ = frozenset(e for e in pt.edge_locals if e in hidden.locals)
    factors = frozenset((p, k) for p, path in enumerate(pt.paths)
                        for k in range(len(path.slots))
                        if (path.nodes[k], path.nodes[k + 1], path.slots[k]) in hidden.locals)
    if asked(hidden, pt.wrt):
        return PartialWithheld(True, True, frozenset(range(len(pt.shares))),
                               frozenset(range(len(pt.paths))), factors,
                               frozenset(pt.totals), locals_)
    shares = frozenset(k for k, s in enumerate(pt.shares)
                       if (s.src, s.dst, s.slot) in hidden.carried)
    # (a hidden local's start is on the path too: its gradient is hidden with it)
    products = frozenset(p for p, path in enumerate(pt.paths)
                         if any(n in hidden.grads for n in path.nodes[1:-1]))
    users: dict[str, list[str]] = {}
    for src, dst, _ in pt.edge_locals:
        users.setdefault(src, []).append(dst)
    downstream: set[str] = set()
    todo = [dst for _, dst, _ in locals_]
    while todo:  # every node from a hidden local's end on
        node = todo.pop()
        if node not in downstream:
            downstream.add(node)
            todo.extend(users.get(node, ()))
    totals = frozenset(n for n in pt.totals if n in downstream)
    return PartialWithheld(pt.output in totals, pt.output in totals, shares, products,
                           factors, totals, locals_)


def withheld_tangents(graph: Graph, output: str | None, wrt: str,
                      hidden: Any) -> frozenset[str]:
    """The nodes whose d node/d ``wrt`` would give a quiz's hidden numbers away
    (:class:`graphapp.lab.quiz.Hidden`; false: none). When ``wrt``'s gradient is asked,
    every node (d output/dx is the answer, and the others lead to it). Otherwise every node
    downstream of a hidden local derivative (d node/dx multiplies the locals on the way).
    The output's d output/dx stays when only a gradient on a path from ``wrt`` is asked: it is
    ``wrt``'s own gradient, on its card already (the rule the Partial vs Total dock follows:
    :func:`partial_withheld`).

    >>> from graphapp.api import parse
    >>> from graphapp.formats.quiz import Quiz
    >>> from graphapp.lab.quiz import hidden_numbers
    >>> g = parse("x = 2.0\\ny = 3.0\\nq = x * y\\nL = q + y").graph
    >>> sorted(withheld_tangents(g, "L", "x", hidden_numbers(g, "L", Quiz("gradients", ("q",)))))
    []
    >>> local = hidden_numbers(g, "L", Quiz("locals", (("y", "q", 1),)))
    >>> sorted(withheld_tangents(g, "L", "x", local))
    ['L', 'q']
    >>> len(withheld_tangents(g, "L", "x", hidden_numbers(g, "L", Quiz("gradients", ("x",)))))
    4
    """
    if not hidden:
        return frozenset()
    if wrt in hidden.grads:
        return frozenset(graph)
    return frozenset(fed_by(graph, [dst for _, dst, _ in hidden.locals]))
