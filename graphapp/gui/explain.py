"""Words for the inspector: what a node computes, what each edge's local derivative is (with
the op table's formula and the numbers), and what the current step of a pass does.

Everything here is text: the numbers come from the engine's results and traces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphapp.engine import Backward, Graph
from graphapp.formats.notation import formula_names, operand, short_name
from graphapp.formats.text import display_name, format_local, format_value
from graphapp.gui.theme import pretty

if TYPE_CHECKING:
    from graphapp.engine.trace import BackwardStep, ForwardStep

__all__ = ["backward_step_html", "chain_rule_html", "escape", "formula_names",
           "forward_step_html", "missing_reason", "with_value"]


def escape(text: str) -> str:
    """``text`` for rich text: ``&``, ``<``, ``>`` and quotes as entities.

    :func:`html.escape`, imported on first use: the html package reads its 2,000 named
    entities when imported (~2 ms of the window's start, where nothing is explained yet)."""
    from html import escape as html_escape

    return html_escape(text)


def num(v: Any, digits: int = 8) -> str:
    """A value for reading: up to ``digits`` significant digits, typographic minus."""
    return pretty(format_value(v, digits=digits, max_items=6))


def _html_name(graph: Graph, node: str) -> str:
    return escape(short_name(graph, node))


def _d_name(graph: Graph, node: str) -> str:
    """A node's name after a "d" or "∂": bracketed when compound (``d(3·x² − 4·x)``)."""
    return escape(operand(graph, node))


def missing_reason(graph: Graph, node: str) -> str:
    """Why ``node`` has no value when a slot is empty: its own empty slots by name ("input b
    is empty"), or the first node upstream with one."""
    seen, stack = set(), [node]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        inputs = graph.inputs(current)
        names = graph.op(current).slot_names
        empty = [names[k] for k, src in enumerate(inputs) if src is None]
        if empty:
            slots = " and ".join(empty)
            verb = "is" if len(empty) == 1 else "are"
            if current == node:
                return f"input {slots} {verb} empty: drag an output onto it"
            return f"{short_name(graph, current)} upstream has an empty input {slots}"
        stack.extend(src for src in inputs if src is not None)
    return ""


def with_value(formula: str, value: str) -> str:
    """``formula = value``, unless the formula already ends in that value (``… = 1``): a
    formula never repeats itself."""
    last = formula.rsplit(" = ", 1)[-1].strip()
    return formula if last == value.strip() else f"{formula} = {value}"


def _direct(graph: Graph, start: str, output: str) -> bool:
    """True when every path from ``start`` to ``output`` runs through generated nodes only,
    so that what it carries is part of the partial derivative of the output's own formula
    (named nodes on the way, like ``t = x``, are variables held fixed)."""
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == output or node in seen:
            continue
        seen.add(node)
        if display_name(node, graph.attrs(node)):
            return False
        stack.extend(dst for dst, _ in graph.consumers(node))
    return True


def _local_text(back: Backward, src: str, dst: str, slot: int) -> str:
    fwd = back.forward
    edge = back.edge(src, dst, slot)
    return pretty(format_local(edge.local, fwd.values[src], fwd.values[dst], digits=8))


def chain_rule_html(graph: Graph, back: Backward, node: str, output: str) -> str:
    """How ``node``'s gradient comes about: what each input edge carries back, and the sum over
    the edges leaving it (the multivariable chain rule)."""
    parts = []
    out = escape(output)
    me = _html_name(graph, node)
    dme = _d_name(graph, node)
    consumers = graph.consumers(node)
    if node == output:
        parts.append(f"<p>d{out}/d{out} = 1: the pass starts here.</p>")
    elif not back.reaches(node):
        parts.append(f"<p>{me} does not reach {out}: d{out}/d{dme} = 0.</p>")
    elif consumers and not graph.op(node).constant:
        terms = []
        reaching = [(d, k) for d, k in consumers if back.reaches(d)]
        direct = [_direct(graph, d, output) for d, _ in reaching]
        partial = len(reaching) > 1 and any(direct) and not all(direct)
        for (dst, slot), is_direct in zip(reaching, direct, strict=True):
            carried = back.edge(node, dst, slot).accumulated
            note = f" (the partial ∂{out}/∂{dme}, other variables held fixed)" \
                if partial and is_direct else ""
            terms.append((_html_name(graph, dst), num(carried), note))
        total = num(back.grads[node])
        listing = "".join(f"<li>via {d}: {c}{note}</li>" for d, c, note in terms)
        if len(terms) > 1:
            name = f"the total d{out}/d{dme}" if partial else f"d{out}/d{dme}"
            parts.append(f"<p><b>{len(terms)} paths meet</b>: {name} is their sum"
                         f"<ul>{listing}</ul>= {' + '.join(c for _, c, _ in terms)} = "
                         f"<b>{total}</b></p>")
        else:
            parts.append(f"<p>d{out}/d{dme} = what its one edge carries back = <b>{total}</b>"
                         f"</p>")
    spec = graph.op(node)
    if spec.arity and node in back.plan.index and not back.plan.incomplete_mask[
            back.plan.index[node]]:
        names = formula_names(graph, node)
        rows = []
        upstream = num(back.grads[node])
        for slot, src in enumerate(graph.inputs(node)):
            if src is None:
                continue
            formula = escape(spec.render_formula(slot, names))
            edge = back.edge(src, node, slot)
            if edge.accumulated is None:
                rows.append(f"<li>{_html_name(graph, src)} is a constant: "
                            f"{formula}, not differentiated</li>")
                continue
            rows.append(f"<li>{with_value(formula, _local_text(back, src, node, slot))}<br>"
                        f"carries back {_local_text(back, src, node, slot)} × {upstream} = "
                        f"<b>{num(edge.accumulated)}</b> to {_html_name(graph, src)}</li>")
        parts.append(f"<p>Local derivatives (∂{me}/∂input) times the gradient arriving at "
                     f"{me} ({upstream}):<ul>{''.join(rows)}</ul></p>")
    return "".join(parts)


def backward_step_html(graph: Graph, back: Backward, step: BackwardStep, total: int,
                       output: str) -> str:
    """The current backward step in words."""
    out = escape(output)
    me = _html_name(graph, step.node)
    head = f"<p><b>Backward, step {step.index + 1} of {total}.</b> "
    if step.node == output:
        head += f"Start at the output: d{out}/d{out} = 1.</p>"
    else:
        head += f"d{out}/d{_d_name(graph, step.node)} = <b>{num(step.grad)}</b> is final: " \
                f"every edge leaving {me} has delivered.</p>"
    if not step.sends:
        return head + f"<p>{me} is an input: nothing further to send.</p>"
    spec = graph.op(step.node)
    names = formula_names(graph, step.node)
    items = []
    for send in step.sends:
        src = _html_name(graph, send.src)
        formula = escape(spec.render_formula(send.slot, names))
        local = _local_text(back, send.src, send.dst, send.slot)
        running = ""
        if send.total_edges > 1:
            running = (f" — running sum at {src}: {num(send.running)} "
                       f"({send.arrived} of {send.total_edges} paths)")
        items.append(f"<li>to {src}: {with_value(formula, local)}, so "
                     f"d{out}/d{_d_name(graph, send.src)} += "
                     f"{local} × {num(send.upstream)} = <b>{num(send.contribution)}</b>"
                     f"{running}</li>")
    return head + f"<p>{me} sends back:<ul>{''.join(items)}</ul></p>"


def forward_step_html(graph: Graph, step: ForwardStep, total: int, values: Any) -> str:
    """The current forward step in words."""
    me = _html_name(graph, step.node)
    spec = graph.op(step.node)
    head = f"<p><b>Forward, step {step.index + 1} of {total}.</b> "
    if spec.is_leaf:
        return head + f"{me} is {'a constant' if spec.constant else 'an input'}: " \
                      f"{num(step.value)}.</p>"
    args = ", ".join(f"{_html_name(graph, s)} = {num(values[s])}" for s in step.inputs)
    return head + f"{me} = {escape(spec.name)}({args}) = <b>{num(step.value)}</b></p>"
