"""Whether a lesson's "try this" prompts hold for what the window shows now.

A prompt's ``# check:`` condition (read by :mod:`graphapp.formats.conditions`) names readings:
``value(x)`` and ``grad(x)`` are a node's value and d output / dx from the engine's last
forward and backward pass, ``local(a, b)`` is ∂b/∂a on the edge a → b (parallel edges, as in
``a * a``, added), and the flags ``backward_step(x)``, ``forward_step(x)`` and ``selected(x)``
read where step mode stands and what is selected. :class:`Situation` holds those;
:func:`check` answers with an :class:`Outcome`: met or not, and why it cannot be checked
(a node that was deleted, an array named without an element, no gradients yet).

``==`` and ``!=`` use the check's ``within`` tolerance, or a relative 1e-9 without one. A
comparison with nan is false, as in IEEE arithmetic.

>>> from graphapp.api import parse
>>> from graphapp.formats.conditions import parse_condition
>>> doc = parse("x = 3.0\\nf = 3*x**2 - 4*x + 5")
>>> fwd = doc.graph.plan().forward(doc.graph)
>>> now = Situation(fwd, doc.graph.plan().backward(fwd, "f"))
>>> check(parse_condition("grad(x) == 14 and value(f) > 19.5"), now)
Outcome(met=True, problem='')
>>> check(parse_condition("grad(x) == 0 within 1e-3"), now).met
False
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphapp.engine import Backward, Forward
from graphapp.engine.lazy_numpy import is_array, np
from graphapp.formats.conditions import Clause, Condition, Operand

__all__ = ["RELATIVE", "Outcome", "Situation", "check", "check_all"]

#: The tolerance of ``==`` without ``within``, relative to the larger side (at least 1).
RELATIVE = 1e-9


@dataclass(frozen=True)
class Situation:
    """What the window shows: the last passes, step mode's position, the selection."""

    forward: Forward | None = None
    backward: Backward | None = None
    #: ``("backward" | "forward", node)`` while step mode stands at a node, else ``None``.
    step: tuple[str, str] | None = None
    selected: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Outcome:
    """``met`` when the condition holds; ``problem`` says why it could not be checked."""

    met: bool
    problem: str = ""


class _Unreadable(Exception):
    """A reading has no number now (the message says why)."""


def check(condition: Condition, now: Situation) -> Outcome:
    """Does ``condition`` hold in ``now``? Any of its ``or`` groups with every clause true."""
    problem = ""
    for group in condition.groups:
        try:
            if all(_clause(clause, now) for clause in group):
                return Outcome(True)
        except _Unreadable as why:
            problem = problem or str(why)
    return Outcome(False, problem)


def _clause(clause: Clause, now: Situation) -> bool:
    left = clause.left
    if not clause.op:
        name = left.names[0]
        if left.func == "selected":
            return name in now.selected
        mode = left.func.removesuffix("_step")
        return now.step == (mode, name)
    a, b = _number(left, now), _number(clause.right, now)
    op = clause.op
    if op in ("==", "!="):
        tol = clause.within
        if tol is None:
            tol = RELATIVE * max(1.0, abs(a), abs(b)) if math.isfinite(a + b) else 0.0
        close = a == b or abs(a - b) <= tol
        return close if op == "==" else not close and not (math.isnan(a) or math.isnan(b))
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _number(operand: Operand, now: Situation) -> float:
    if not operand.func:
        return float(operand.number)
    names = operand.names
    if operand.func == "value":
        if now.forward is None or names[0] not in now.forward.plan.index:
            raise _Unreadable(f"there is no node {names[0]}")
        raw = now.forward.plain[names[0]]
        if raw is None:
            raise _Unreadable(f"{names[0]} has no value now")
    else:
        if now.backward is None:
            raise _Unreadable("there are no gradients now")
        for name in names:
            if name not in now.backward.plan.index:
                raise _Unreadable(f"there is no node {name}")
        if operand.func == "grad":
            raw = now.backward.plain_grads[names[0]]
            if raw is None:
                raise _Unreadable(f"{names[0]} has no gradient now")
        else:
            raw = _local(now.backward, *names)
    return _one(raw, names[0], operand)


def _local(back: Backward, src: str, dst: str) -> object:
    plan = back.plan
    s, d = plan.index[src], plan.index[dst]
    slots = [k for k, j in enumerate(plan.args[d]) if j == s]
    if not slots:
        raise _Unreadable(f"{src} is not an input of {dst}")
    parts = [back.edge(src, dst, k, plain=True).local for k in slots]
    if any(p is None for p in parts):
        raise _Unreadable(f"the edge {src} → {dst} has no local derivative now")
    return sum(parts[1:], parts[0])


def _one(raw: object, name: str, operand: Operand) -> float:
    """The reading as one float: the element asked for, or the value when it is one number."""
    if not is_array(raw):  # one number (no numpy needed to read it)
        if operand.index is None:
            return float(raw)
        element = ", ".join(map(str, operand.index))
        raise _Unreadable(f"{name} holds one number: there is no element [{element}]")
    arr = np.asarray(raw, dtype=float)
    if operand.index is not None:
        try:
            return float(arr[operand.index])
        except IndexError:
            shape = "one number" if arr.ndim == 0 else f"shape {arr.shape}"
            element = ", ".join(map(str, operand.index))
            raise _Unreadable(f"{name} holds {shape}: there is no element [{element}]") from None
    if arr.size != 1:
        raise _Unreadable(f"{name} holds {arr.size} numbers: the check must name one, such as "
                          f"{operand.func}({name}[{', '.join('0' * arr.ndim)}])")
    return float(arr.reshape(()))


def check_all(conditions: Iterable[Condition], now: Situation) -> list[Outcome]:
    """:func:`check` for each condition."""
    return [check(c, now) for c in conditions]
