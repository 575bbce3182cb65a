"""The small language of a lesson's ``# check:`` lines: what must hold for a "try this" prompt.

::

    grad(x) == 0 within 1e-3            d output / dx is 0, give or take 0.001
    value(L) > 0 and grad(a) < 0        both at once (``or`` too; ``and`` binds tighter)
    local(x, y) == 1                    the local derivative ∂y/∂x on the edge x → y
    value(z[0]) > 0                     one element of an array (``W1[0, 1]`` for a matrix)
    grad(a) == value(b)                 two readings compared
    backward_step(x)                    step mode's backward pass stands at x
    forward_step(y)   selected(x)       the forward pass stands at y; x's card is selected

A condition is a list of clauses joined by ``and`` / ``or``; a clause is a comparison of two
operands (a number, or a reading such as ``grad(x)``) or a bare flag such as
``backward_step(x)``. ``==`` and ``!=`` take a tolerance with ``within TOL``; without one they
allow a relative 1e-9 (typed decimals are rarely exact). The text is read by a hand-written
tokenizer and parser: it is data, nothing in it is ever evaluated as Python.

This module only reads the text (:func:`parse_condition`); what a reading means for a graph is
decided by whoever evaluates it (:mod:`graphapp.lab.lesson`), which also says when a name is
not in the graph.

>>> c = parse_condition("grad(x) == 0 within 1e-3 and value(f) > 2")
>>> [(k.left.func, k.left.names, k.op, k.right.number, k.within) for k in c.groups[0]]
[('grad', ('x',), '==', 0.0, 0.001), ('value', ('f',), '>', 2.0, None)]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from graphapp.formats.errors import FormatError

__all__ = ["FLAGS", "READINGS", "Clause", "Condition", "Operand", "parse_condition"]

#: Readings that give a number: name → (how many node names it takes, what it means).
READINGS: dict[str, tuple[int, str]] = {
    "value": (1, "the value on NAME's card"),
    "grad": (1, "the gradient on NAME's card: d output / d NAME"),
    "local": (2, "the local derivative ∂B/∂A on the edge from A into B (parallel edges "
                 "added)"),
}
#: Readings that are true or false by themselves: name → (arity, meaning).
FLAGS: dict[str, tuple[int, str]] = {
    "backward_step": (1, "step mode's backward pass stands at NAME"),
    "forward_step": (1, "step mode's forward pass stands at NAME"),
    "selected": (1, "NAME's card is selected on the canvas"),
}
_COMPARE = ("==", "!=", "<=", ">=", "<", ">")
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|"
                    r"(?P<name>[A-Za-z_]\w*)|(?P<op>==|!=|<=|>=|<|>)|(?P<punct>[-(),\[\]]))")
_WORDS = ("and", "or", "within")


@dataclass(frozen=True)
class Operand:
    """A number, or a reading such as ``grad(x)`` / ``value(z[0])`` / ``local(a, b)``."""

    #: The reading's name (a key of :data:`READINGS` or :data:`FLAGS`), "" for a number.
    func: str = ""
    names: tuple[str, ...] = ()
    #: The element of an array node (``z[0]`` → ``(0,)``), ``None`` for the whole value.
    index: tuple[int, ...] | None = None
    number: float | None = None
    #: Column of the operand in the line (1-based), for messages.
    col: int = 1


@dataclass(frozen=True)
class Clause:
    """``left op right`` (``within`` a tolerance), or a bare flag (``op`` empty)."""

    left: Operand
    op: str = ""
    right: Operand | None = None
    within: float | None = None


@dataclass(frozen=True)
class Condition:
    """Clauses as an ``or`` of ``and`` groups; ``text`` is what the file said."""

    text: str
    groups: tuple[tuple[Clause, ...], ...]
    #: The file line it was read from (for messages about its names).
    line: int = 0

    def operands(self) -> list[Operand]:
        """Every reading the condition makes (numbers left out)."""
        out = []
        for group in self.groups:
            for clause in group:
                for operand in (clause.left, clause.right):
                    if operand is not None and operand.func:
                        out.append(operand)
        return out


class _Reader:
    """Tokens of one condition with their columns, and the error for a bad one."""

    def __init__(self, text: str, path: str, line: int, col: int) -> None:
        self.text, self.path, self.line, self.col = text, path, line, col
        self.tokens: list[tuple[str, str, int]] = []  # (kind, text, column)
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                start = pos + len(text[pos:]) - len(text[pos:].lstrip())
                self.fail(f"unexpected {text[start]!r}; a check reads like "
                          "grad(x) == 0 within 1e-3", start)
            kind = m.lastgroup
            token, start = m.group(kind), m.start(kind)
            if kind == "name" and token in _WORDS:
                kind = token
            self.tokens.append((kind, token, start))
            pos = m.end()
        self.i = 0

    def fail(self, message: str, offset: int | None = None) -> None:
        if offset is None:
            offset = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
        raise FormatError(message, self.path, self.line, self.col + offset)

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str, text: str | None = None, what: str = "") -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None or tok[0] != kind or (text is not None and tok[1] != text):
            found = "the end of the line" if tok is None else repr(tok[1])
            self.fail(f"expected {what or repr(text or kind)}, found {found}")
        self.i += 1
        return tok


def parse_condition(text: str, path: str = "<text>", line: int = 1,
                    col: int = 1) -> Condition:
    """Read a ``# check:`` condition; ``line`` and ``col`` place ``text`` in its file, so an
    error reads ``FILE:LINE:COL: message`` at the token at fault."""
    r = _Reader(text, path, line, col)
    if not r.tokens:
        r.fail("the check is empty; write a condition such as grad(x) == 0 within 1e-3", 0)
    groups: list[tuple[Clause, ...]] = []
    group: list[Clause] = [_clause(r)]
    while r.peek() is not None:
        kind = r.peek()[0]
        if kind not in ("and", "or"):
            r.fail(f"expected 'and', 'or' or the end of the check, found {r.peek()[1]!r}")
        r.i += 1
        if kind == "or":
            groups.append(tuple(group))
            group = []
        group.append(_clause(r))
    groups.append(tuple(group))
    return Condition(text.strip(), tuple(groups), line)


def _clause(r: _Reader) -> Clause:
    left = _operand(r)
    tok = r.peek()
    if tok is None or tok[0] != "op":
        if left.func in FLAGS:
            return Clause(left)
        what = "a number" if not left.func else f"{left.func}(…)"
        r.fail(f"compare {what} with something, e.g. {_example(left)} > 0")
    op = tok[1]
    r.i += 1
    right = _operand(r)
    within = None
    if r.peek() is not None and r.peek()[0] == "within":
        if op not in ("==", "!="):
            r.fail("'within' goes with == or != only")
        r.i += 1
        _, number, at = r.take("num", what="a tolerance ≥ 0 such as 1e-3")
        within = float(number)
        if not math.isfinite(within):
            r.fail("the tolerance must be a finite number ≥ 0", at)
    for side in (left, right):
        if side.func in FLAGS:
            r.fail(f"{side.func}(…) is true or false by itself; it cannot be compared",
                   side.col - r.col)
    if not left.func and not right.func:
        r.fail("compare a reading such as grad(x) or value(x), not two numbers", left.col - r.col)
    return Clause(left, op, right, within)


def _example(operand: Operand) -> str:
    return f"{operand.func}({', '.join(operand.names)})" if operand.func else "grad(x)"


def _operand(r: _Reader) -> Operand:
    tok = r.peek()
    if tok is None:
        r.fail("expected a number or a reading such as grad(x)")
    kind, text, at = tok
    col = r.col + at
    if kind == "num" or text == "-":
        sign = 1.0
        if text == "-":
            r.i += 1
            sign = -1.0
        _, number, num_at = r.take("num", what="a number")
        value = sign * float(number)
        if not math.isfinite(value):
            r.fail("the number is too large", num_at)
        return Operand(number=value, col=col)
    if kind != "name":
        r.fail(f"expected a number or a reading such as grad(x), found {text!r}")
    if text not in READINGS and text not in FLAGS:
        known = ", ".join(f"{k}()" for k in (*READINGS, *FLAGS))
        r.fail(f"unknown reading {text!r}; a check can use {known}")
    arity = (READINGS.get(text) or FLAGS[text])[0]
    r.i += 1
    r.take("punct", "(")
    names: list[str] = []
    index: tuple[int, ...] | None = None
    for k in range(arity):
        if k:
            r.take("punct", ",", what=f"',' ({text}() takes {arity} node names)")
        _, name, _ = r.take("name", what="a node name")
        names.append(name)
        if r.peek() is not None and r.peek()[1] == "[":
            if arity != 1:
                r.fail(f"{text}() reads whole edges; it takes no [index]")
            index = _index(r)
    nxt = r.peek()
    if nxt is not None and nxt[1] == ",":
        r.fail(f"{text}() takes {arity} node name{'s' if arity > 1 else ''}")
    r.take("punct", ")")
    return Operand(text, tuple(names), index, None, col)


def _index(r: _Reader) -> tuple[int, ...]:
    r.take("punct", "[")
    out = []
    while True:
        _, number, at = r.take("num", what="an element number such as 0")
        if not number.isdigit():
            r.fail("an element number is a whole number ≥ 0, such as 0", at)
        out.append(int(number))
        if r.peek() is not None and r.peek()[1] == ",":
            r.i += 1
            continue
        r.take("punct", "]")
        return tuple(out)
