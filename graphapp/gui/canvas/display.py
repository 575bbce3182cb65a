"""What the canvas shows: the presenter's cards and edges (:mod:`graphapp.formats.present`),
changed where step mode says otherwise, with colour roles turned into the theme's colours.

This is the deciding half of the canvas; the items (:mod:`.node_item`, :mod:`.edge_item`) only
paint what they are given, and the scene (:mod:`.scene`) decides when to ask. A running quiz
hides numbers (``hidden``, :class:`graphapp.lab.quiz.Hidden`): they read ``?``, in step mode
too. While an input x is picked (``tangents``, :meth:`graphapp.gui.document.Document.card_tangents`)
each card adds its d node/dx, and the edge carrying the partial ∂V/∂x is labelled so.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphapp.engine import Backward, Forward, Graph
from graphapp.engine.lazy_numpy import is_array
from graphapp.formats.present import (
    HIDDEN,
    Card,
    EdgeLook,
    Row,
    card,
    edge_look,
    grad_key,
    node_name,
    number,
    sign_role,
    tangent_row,
)
from graphapp.gui.canvas.edge_item import EdgeDisplay
from graphapp.gui.canvas.node_item import NodeDisplay
from graphapp.gui.stepper import StepState
from graphapp.gui.theme import Theme

__all__ = ["edge_display", "group_display", "node_display"]


def node_display(graph: Graph, node: str, output: str | None, fwd: Forward | None,
                 back: Backward | None, stale: bool, state: StepState,
                 theme: Theme, hidden: Any = (), tangents: Any = None) -> NodeDisplay:
    """A card as the canvas shows it (step mode hides what the pass has not reached yet, a
    quiz what it asks); ``tangents``: ``(x, d node/dx by node, withheld nodes)`` adds the
    card's d node/dx (not on constants: they do not move with x)."""
    hide = bool(hidden) and node in hidden.grads
    c = card(graph, node, output, fwd, back, stale, hide_grad=hide)
    step = state.nodes.get(node, "") if state.active else ""
    rows = list(c.rows)
    if state.mode == "forward" and step == "pending":
        rows = [dataclasses.replace(r, text="?") if r.key == "value" else r for r in rows]
    if not c.constant and back is not None and not stale:
        grad = _stepped_grad(node, grad_key(output, node_name(graph, node)), state, step)
        if grad is not None and not hide:
            rows[-1] = grad
    if tangents is not None and not c.constant and node in tangents[1]:
        wrt, values, withheld = tangents
        pending = state.mode == "forward" and step == "pending"
        rows.append(tangent_row(c.name, wrt, values[node], node in withheld or pending,
                                stale))
    return _to_display(c, rows, step, theme)


def _stepped_grad(node: str, key: str, state: StepState, step: str) -> Row | None:
    """The gradient row while stepping (``None``: the finished gradient, as usual)."""
    if state.mode == "backward" and node in state.nodes and step == "pending":
        partial = state.partial.get(node)
        if partial is None:
            return Row(key, "?", "faint")
        return Row(key, f"{number(partial.running)} ({partial.arrived}/{partial.total_edges})",
                   "muted")
    if state.mode == "forward" and step != "":
        return Row(key, "?", "faint")
    return None


def _to_display(c: Card, rows: list[Row], step: str, theme: Theme) -> NodeDisplay:
    # an array's shape goes in the header beside the op ("input (3×2)"): a row less on the
    # wide cards, so that graphs of arrays fit the window at a readable zoom
    symbol = c.symbol
    shape = next((r.text for r in rows if r.key == "shape"), None)
    if shape is not None:
        rows = [r for r in rows if r.key != "shape"]
        symbol = f"{symbol} {shape}"
    return NodeDisplay(**{**vars(c), "symbol": symbol,
                          "rows": tuple((r.key, r.text, theme.role(r.role)) for r in rows),
                          "step": step})


def edge_display(graph: Graph, key: tuple[str, str, int], back: Backward | None,
                 largest: float, state: StepState, theme: Theme,
                 hidden: Any = (), partial_key: str = "") -> EdgeDisplay:
    """An edge as the canvas shows it (step mode: what it carries at this step; a quiz
    hides what it asks and what would give it away); ``partial_key`` (``∂V/∂x``) labels what
    it carries as that partial derivative."""
    hide_carried = bool(hidden) and key in hidden.carried
    look: EdgeLook = edge_look(graph, key, back.forward if back else None, back, largest,
                               hide_local=bool(hidden) and key in hidden.locals,
                               hide_carried=hide_carried, partial_key=partial_key)
    d = EdgeDisplay(colour=theme.role(look.role) if look.role != "zero" or look.lines else None,
                    width=look.width, dimmed=look.dimmed)
    if not look.lines:
        return d
    status = state.edges.get(key, "") if state.active else ""
    d.step = status
    local = look.lines[0].text
    if state.mode == "backward" and status in ("current", "done"):
        send = state.sends.get(key)
        upstream = HIDDEN if hide_carried and key[1] in hidden.grads else None
        carried = HIDDEN if hide_carried else None
        if send is not None and status == "current":
            d.lines = [(f"{local} × {upstream or number(send.upstream)} = "
                        f"{carried or number(send.contribution)}", d.colour)]
        elif send is not None:
            d.lines = [(f"carried {carried or number(send.contribution)}", d.colour)]
    elif not ((state.mode == "backward" and status == "pending") or state.mode == "forward"):
        d.lines = [(f"{r.key} {r.text}", theme.role(r.role)) for r in look.lines]
    return d


def group_display(graph: Graph, name: str, members: list[str], entries: list[Any],
                  output: str | None, fwd: Forward | None, back: Backward | None,
                  theme: Theme, hidden: Any = ()) -> NodeDisplay:
    """A folded group's card: one row per member seen from outside (value and gradient; a
    gradient a quiz asks reads ?)."""
    inside = set(members)
    exits = [n for n in members if n == output
             or any(dst not in inside for dst, _ in graph.consumers(n))]
    labels = tuple(node_name(graph, src) or graph.op(src).symbol for src, _, _ in entries)
    rows, wide = [], False
    for node in exits:
        value = fwd.plain[node] if fwd is not None and node in fwd.plan.index else None
        grad = back.plain_grads[node] if back is not None and node in back.plan.index else None
        if grad is not None and hidden and node in hidden.grads:
            text, colour = f"{number(value)}   ∇ {HIDDEN}", theme.role("faint")
        else:
            text = number(value) + (f"   ∇ {number(grad)}" if grad is not None else "")
            colour = theme.role(sign_role(grad)) if grad is not None else None
        rows.append((node_name(graph, node) or graph.op(node).symbol, text, colour))
        wide = wide or is_array(value)
    return NodeDisplay(name=name, symbol=f"group of {len(members)}", op="group",
                       category="group", header="header:group", slot_names=labels,
                       rows=tuple(rows),
                       is_output=output in inside, wide=wide)
