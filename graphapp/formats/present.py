"""What a node's card and an edge show, decided once for the window and the Graphviz picture.

The window's canvas and the exporter both draw a graph with its results: a card per node
(name, op symbol, value, gradient) and a curve per edge (coloured by the sign of the gradient it
carries back, wider the more it carries, labelled with its local derivative and that gradient).
This module decides those texts, numbers, colour *roles* and line widths, without Qt; the
window's theme turns roles into ``QColor`` and the exporter into hex (:data:`LIGHT`).

>>> from graphapp.formats import parse_expr
>>> from graphapp.engine import backward
>>> doc = parse_expr("a = 2\\nb = -3\\nL = a * b")
>>> back = backward(doc.graph, "L")
>>> c = card(doc.graph, "a", "L", back.forward, back)
>>> c.symbol, [(r.key, r.text, r.role) for r in c.rows]
('input', [('value', '2', ''), ('dL/da', '−3', 'negative')])
>>> e = edge_look(doc.graph, ("a", "L", 0), back.forward, back, largest=3.0)
>>> e.role, round(e.width, 3), [(line.key, line.text) for line in e.lines]
('negative', 5.0, [('local', '−3'), ('grad', '−3')])

A quiz hides some numbers (``hide_grad``, ``hide_local``, ``hide_carried``): they read ``?``
and their colour and width give nothing away.

>>> e = edge_look(doc.graph, ("a", "L", 0), back.forward, back, 3.0, hide_carried=True)
>>> e.role, e.width, [(line.key, line.text) for line in e.lines]
('zero', 1.3, [('local', '−3'), ('grad', '?')])

While an input x is picked (the window's Partial vs Total dock), each card adds forward mode's
total derivative d node/dx (:func:`tangent_row`, in the accent colour) and the one edge leaving
x that is not a constraint labels what it carries as the partial ∂V/∂x (``partial_key`` of
:func:`edge_look`); on the ellipsoid V's card reads dV/dx 16π ≈ 50.27 beside that edge's 8π.

>>> tangent_row("V", "x", 16 * math.pi)
Row(key='dV/dx', text='16π ≈ 50.27', role='accent')
>>> tangent_row("4/3·π·t", "x", 0.0), tangent_row("t", "x", 1.0, hidden=True).text
(Row(key='d/dx', text='0', role='muted'), '?')

Caveat: step mode (the window walking through a pass) changes what some cards and edges say;
that belongs to the window (``gui/canvas/display.py``), on top of these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graphapp.engine import Backward, Forward, Graph, NodeError
from graphapp.engine.lazy_numpy import is_array, np
from graphapp.engine.ops import OpSpec
from graphapp.formats.notation import short_name
from graphapp.formats.text import (
    format_local,
    format_shape,
    format_value,
    magnitude,
    sign_of,
)

__all__ = [
    "DARK",
    "LIGHT",
    "ROLES",
    "Card",
    "EdgeLook",
    "Row",
    "card",
    "edge_look",
    "edge_width",
    "header_role",
    "largest",
    "number",
    "pi_text",
    "sign_role",
    "symbol",
    "tangent_row",
]

#: Colours by role: (light theme, dark theme). The exporter's picture uses the light ones.
ROLES = {
    "canvas": ("#f7f8fa", "#1b1e23"), "grid": ("#e9ecf1", "#262a31"),
    "card": ("#ffffff", "#262b33"), "card_border": ("#7b8794", "#56606e"),
    "text": ("#1f2933", "#e6e9ef"), "muted": ("#616e7c", "#a0aab8"),
    "faint": ("#b8c0cc", "#5f6875"), "positive": ("#2563eb", "#60a5fa"),
    "negative": ("#dc2626", "#f87171"), "zero": ("#9aa5b1", "#7b8794"),
    "accent": ("#d97706", "#f59e0b"), "step": ("#f59e0b", "#fbbf24"),
    "error": ("#dc2626", "#ef4444"), "error_fill": ("#fef2f2", "#3f1d1d"),
    "port_fill": ("#f5f7fa", "#2f3540"),
    "header:input": ("#dbeafe", "#1e3a5f"), "header:const": ("#eceff3", "#374151"),
    "header:Arithmetic": ("#fef3c7", "#5b4a1a"), "header:Functions": ("#ede9fe", "#3f3566"),
    "header:Activations": ("#dcfce7", "#1f4d33"), "header:Reductions": ("#fce7f3", "#5c2847"),
    "header:Linear algebra": ("#e0f2fe", "#1d4459"), "header:group": ("#e5e7eb", "#3b4252"),
}
LIGHT = {role: pair[0] for role, pair in ROLES.items()}
DARK = {role: pair[1] for role, pair in ROLES.items()}
#: Edge widths: from a constant (no gradient), and the range for gradient-carrying edges.
CONST_WIDTH, MIN_WIDTH, MAX_WIDTH = 1.2, 1.3, 5.0


@dataclass(frozen=True)
class Row:
    """One line of a card (``key`` left, ``text`` right) or of an edge label (``text``).
    ``role`` names the text's colour; "" is the default ink."""

    key: str
    text: str
    role: str = ""


@dataclass(frozen=True)
class Card:
    """Everything a node's card shows."""

    name: str = ""
    symbol: str = ""
    op: str = ""
    category: str = ""
    header: str = "header:const"
    rows: tuple[Row, ...] = ()
    slot_names: tuple[str, ...] = ()
    #: The node does not reach the output (drawn faded).
    dimmed: bool = False
    #: Why the node has no finite value ("" when it has one).
    error: str = ""
    is_output: bool = False
    #: Arrays get a wider card.
    wide: bool = False
    constant: bool = False


@dataclass(frozen=True)
class EdgeLook:
    """What an edge shows: colour role, width, label lines; ``carried`` is its gradient."""

    role: str = "zero"
    width: float = CONST_WIDTH
    lines: tuple[Row, ...] = ()
    #: The edge ends at a node that does not reach the output.
    dimmed: bool = False
    carried: Any = None


def number(v: Any, typographic: bool = True, digits: int = 5, max_items: int = 3) -> str:
    """A value as a card shows it; ``typographic`` writes minus signs as ``−``."""
    text = format_value(v, digits=digits, max_items=max_items)
    return text.replace("-", "−") if typographic else text


def sign_role(v: Any) -> str:
    """"positive", "negative" or "zero" (nan counts as negative, like an error)."""
    s = sign_of(v)
    return "positive" if s > 0 else "negative" if s < 0 else "zero"


def header_role(spec: OpSpec) -> str:
    """The card header's colour role: by op for inputs and constants, else by category."""
    key = f"header:{spec.name}" if spec.name in ("input", "const") else f"header:{spec.category}"
    return key if key in LIGHT else "header:const"


def symbol(spec: OpSpec) -> str:
    """The op as a card's header writes it: "input", "const", or the op's symbol with its
    name ("× mul"; a lone "×" in a card's corner reads as a close button)."""
    if spec.is_leaf:
        return "input" if spec.is_input else "const"
    return spec.name if spec.symbol == spec.name else f"{spec.symbol} {spec.name}"


def largest(back: Backward | None) -> float:
    """The largest gradient any edge carries (1 when none does): edge widths are relative to
    it. Norms of huge arrays that overflow count as not finite, without a warning."""
    if back is None:
        return 1.0
    return back.largest_carried() or 1.0


def edge_width(carried: Any, largest: float) -> float:
    """Line width of an edge carrying ``carried`` back, when the largest carries ``largest``."""
    if carried is None:
        return CONST_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * magnitude(carried) / (largest or 1.0)


def node_name(graph: Graph, node: str) -> str:
    """The card's title: the node's label or id; for a generated sub-expression (ids like
    ``mul#2``) what it computes (``3·x²``), for a constant its value (``π``)."""
    return short_name(graph, node)


def grad_key(output: str | None, name: str) -> str:
    """``dL/da`` for a short name, else ``grad`` (never ``dV/d4/3·π``)."""
    out = output or "output"
    short = name and name.isidentifier() and len(out) + len(name) <= 6
    return f"d{out}/d{name}" if short else "grad"


#: What a number hidden by a quiz reads.
HIDDEN = "?"


def card(graph: Graph, node: str, output: str | None, fwd: Forward | None,
         back: Backward | None, stale: bool = False, grads: bool = True,
         typographic: bool = True, hide_grad: bool = False) -> Card:
    """What ``node``'s card shows, given the results (``None`` when not computed);
    ``hide_grad``: the gradient is a quiz question (it reads ``?``)."""
    spec = graph.op(node)
    value = fwd.plain[node] if fwd is not None and node in fwd.plan.index else None
    in_back = back is not None and node in back.plan.index
    grad = back.plain_grads[node] if in_back else None
    name = node_name(graph, node)
    wide = is_array(value)
    rows = [Row("shape", format_shape(value.shape))] if wide else []
    rows.append(Row("value", number(value, typographic)))
    if grads and not spec.constant:
        key = grad_key(output, name)
        if back is None:
            rows.append(Row(key, "—", "faint"))
        elif hide_grad:
            rows.append(Row(key, HIDDEN, "faint"))
        elif stale:
            rows.append(Row(key, number(grad, typographic) + " (stale)", "faint"))
        else:
            rows.append(Row(key, number(grad, typographic), sign_role(grad)))
    return Card(name=name, symbol=symbol(spec), op=spec.name, category=spec.category,
                header=header_role(spec), rows=tuple(rows), slot_names=spec.slot_names,
                dimmed=in_back and not back.reaches(node), error=_error(node, value, fwd),
                is_output=node == output, wide=wide, constant=spec.constant)


def _error(node: str, value: Any, fwd: Forward | None) -> str:
    if fwd is None:
        return ""
    if node in fwd.failures:
        return f"{node} cannot be computed: {fwd.failures[node]}"
    finite = value is None or (math.isfinite(value) if not is_array(value)
                               else bool(np.isfinite(value).all()))
    if finite:
        return ""
    first = fwd.nonfinite.node if fwd.nonfinite is not None else node
    cause = fwd.nonfinite.message if fwd.nonfinite is not None else "a non-finite value"
    text = f"{node} is {number(value)}"
    return text + (f": {cause}" if first == node else f", because upstream {cause}")


def pi_text(v: Any) -> str:
    """A number as a card shows it, as a short multiple of π when it is one (``16π ≈ 50.27``:
    the ellipsoid's derivatives are multiples of π)."""
    if is_array(v) or v is None:
        return number(v)
    k = float(v) / math.pi
    if math.isfinite(k) and k != 0 and abs(k - round(k, 2)) < 1e-9 * max(1.0, abs(k)):
        return f"{number(round(k, 2), digits=4)}π ≈ {number(v, digits=4)}"
    return number(v)


def tangent_row(name: str, wrt: str, value: Any, hidden: bool = False,
                stale: bool = False) -> Row:
    """A card's line for forward mode's total derivative d node / d ``wrt`` (``dV/dx``, or
    ``d/dx`` for a long name), in the accent colour (grey when it is 0: ``wrt`` does not reach
    the node); ``?`` when a quiz withholds it, marked ``(stale)`` like the gradient."""
    short = name.isidentifier() and len(name) + len(wrt) <= 6
    key = f"d{name}/d{wrt}" if short else f"d/d{wrt}"
    if hidden:
        return Row(key, HIDDEN, "faint")
    if stale:
        return Row(key, pi_text(value) + " (stale)", "faint")
    zero = value is not None and not np.any(value)
    return Row(key, pi_text(value), "muted" if zero else "accent")


def edge_look(graph: Graph, key: tuple[str, str, int], fwd: Forward | None,
              back: Backward | None, largest: float, typographic: bool = True,
              hide_local: bool = False, hide_carried: bool = False,
              partial_key: str = "") -> EdgeLook:
    """What the edge ``key`` shows; ``largest`` is the largest gradient any edge carries.
    ``hide_local`` / ``hide_carried``: a quiz hides the local derivative / the gradient the
    edge carries (it reads ``?``, drawn thin and grey so that neither sign nor size shows).
    ``partial_key`` (``∂V/∂x``): what it carries is that partial derivative, labelled so."""
    src, dst, slot = key
    if back is None or dst not in back.plan.index or src not in back.plan.index:
        return EdgeLook()
    try:
        e = back.edge(src, dst, slot, plain=True)
    except NodeError:  # results from before a structural edit
        return EdgeLook()
    carried = e.accumulated
    if carried is None:  # from a constant: not differentiated
        return EdgeLook(role="faint")
    role = sign_role(carried)
    fwd = back.forward
    local = format_local(e.local, fwd.plain[src], fwd.plain[dst], digits=4)
    if typographic:
        local = local.replace("-", "−")
    if hide_local:
        local = HIDDEN
    if hide_carried:
        lines = (Row("local", local, "muted"), Row("grad", HIDDEN, "faint"))
        return EdgeLook(role="zero", width=MIN_WIDTH, lines=lines,
                        dimmed=not back.reaches(dst), carried=None)
    grad = (Row(partial_key, pi_text(carried), role) if partial_key
            else Row("grad", number(carried, typographic), role))
    lines = (Row("local", local, "muted"), grad)
    return EdgeLook(role=role, width=edge_width(carried, largest), lines=lines,
                    dimmed=not back.reaches(dst), carried=carried)
