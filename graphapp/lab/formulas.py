"""The Formulas view: what the selected node computes, written as a reader writes it, and the
op table's local-derivative formula on each of its edges with the numbers plugged in.

The expression is given twice when the node is built from named parts: in terms of those parts
(``L = d·f``) and written out down to the inputs (``L = (a·b + c)·f``). Each edge reads
``∂(a·b)/∂a = b = −3``: the formula of the op at the edge's end (:meth:`OpSpec.render_formula`,
the same table the inspector and ``graphapp ops`` read), then its value in this graph.

>>> from graphapp.api import parse
>>> g = parse("a = 2.0\\nb = -3.0\\nc = 10.0\\nf = -2.0\\ne = a*b\\nd = e + c\\nL = d*f").graph
>>> view = node_formulas(g, "e", "L")
>>> view.expression, view.value
('a·b', '−6')
>>> [edge.text for edge in view.edges]
['∂(a·b)/∂a = b = −3', '∂(a·b)/∂b = a = 2', '∂(e + c)/∂e = 1']
>>> node_formulas(g, "L", "L").expanded
'(a·b + c)·f'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphapp.engine import Backward, Graph
from graphapp.formats.notation import formula, formula_names, op_text, short_name
from graphapp.formats.text import format_local, format_value

__all__ = ["EdgeFormula", "NodeFormulas", "edge_formula", "node_formulas"]

#: An expression written out to the inputs that grows longer than this is not shown (shared
#: sub-expressions are repeated when written out, so it can grow fast).
EXPANDED_LIMIT = 160


@dataclass(frozen=True)
class EdgeFormula:
    """One edge ``src → dst`` (input ``slot`` of ``dst``) and its local derivative."""

    src: str
    dst: str
    slot: int
    #: "into" (an input edge of the selected node) or "out" (an edge to one of its consumers).
    side: str
    #: The op table's formula with the graph's names filled in, e.g. ``∂(a·b)/∂a = b``.
    formula: str
    #: The local derivative's value as text (``−3``), or ``""`` when it is not differentiated.
    value: str
    #: ``formula = value``, or the formula alone when it already ends in the value.
    text: str


@dataclass(frozen=True)
class NodeFormulas:
    """What the Formulas view shows for one node."""

    node: str
    #: The node's name on its card.
    name: str
    #: What the node computes in terms of its named parts (``d·f``); ``""`` for an input.
    expression: str
    #: The same written out to the inputs, when that differs (``(a·b + c)·f``), else ``""``.
    expanded: str
    #: The node's value as text.
    value: str
    edges: tuple[EdgeFormula, ...]


def _pretty(text: str) -> str:
    return text.replace("-", "−")


def _unbracket(rule: str, names: Iterable[str]) -> str:
    """The table's right side without brackets it does not need: a bracketed name standing
    alone (``= 4/3·π·t``, not ``= (4/3·π·t)``) or as a function's argument (``σ(u)``, not
    ``σ((u))``)."""
    head, sep, right = rule.partition(" = ")
    for name in names:
        if name.startswith("(") and name.endswith(")"):
            right = right.replace(f"({name})", name)
            if right == name:
                right = name[1:-1]
    return head + sep + right


def _edge(graph: Graph, back: Backward | None, src: str, dst: str, slot: int,
          side: str) -> EdgeFormula:
    spec = graph.op(dst)
    names = formula_names(graph, dst)
    rule = spec.render_formula(slot, names)
    # the table's left side brackets every operand (``∂((3·x² − 4·x)+5)/∂…``): write the
    # function in standard notation instead, keep the table's right side
    marker = "/∂" + names[spec.slot_names[slot]]
    cut = rule.find(marker)
    if cut >= 0 and op_text(graph, dst) != names[spec.slot_names[slot]]:
        # (a constraint t = x is the function of its own name: ∂t/∂x, not ∂x/∂x)
        function = op_text(graph, dst)
        if not function.replace("_", "").replace(".", "").isalnum() and not (
                function.endswith(")") and "(" not in function[:-1].split("(", 1)[0]
                and function[0].isalpha()):
            function = f"({function})"
        rule = f"∂{function}{marker}{rule[cut + len(marker):]}"
    rule = _unbracket(rule, names.values())
    value = ""
    if back is not None and not graph.op(src).constant:
        edge = back.edge(src, dst, slot)
        fwd = back.forward
        if fwd.values[src] is not None and fwd.values[dst] is not None:
            value = _pretty(format_local(edge.local, fwd.values[src], fwd.values[dst],
                                         digits=6))
    last = rule.rsplit(" = ", 1)[-1].strip()
    text = rule if not value or last == value else f"{rule} = {value}"
    return EdgeFormula(src, dst, slot, side, rule, value, text)


def edge_formula(graph: Graph, src: str, dst: str, slot: int,
                 back: Backward | None = None) -> EdgeFormula:
    """The local derivative of one edge ``src → dst`` (input ``slot`` of ``dst``): the op
    table's formula with the graph's names, and its value from ``back`` (none without)."""
    return _edge(graph, back, src, dst, slot, "into")


def node_formulas(graph: Graph, node: str, output: str | None = None,
                  back: Backward | None = None) -> NodeFormulas:
    """The Formulas view of ``node``: its expression and its edges' local derivatives,
    evaluated with ``back`` (a backward pass from ``output``; computed here when not given).
    Edges into ``node`` come first, in slot order (those from constants are left out: they
    are not differentiated), then the edges to its consumers."""
    if back is None and output is not None and output in graph:
        plan = graph.plan()
        back = plan.backward(plan.forward(graph), output)
    spec = graph.op(node)
    expression = expanded = ""
    if not spec.is_leaf:
        expression = formula(graph, node, expand_named=True)
        written_out = formula(graph, node, depth=12, expand_named=True, inputs_only=True)
        if written_out != expression and len(written_out) <= EXPANDED_LIMIT:
            expanded = written_out
    value = back.forward.values[node] if back is not None else graph.value(node)
    value_text = "" if value is None else _pretty(format_value(value, digits=6, max_items=6))
    edges = [_edge(graph, back, src, node, slot, "into")
             for slot, src in enumerate(graph.inputs(node))
             if src is not None and not graph.op(src).constant]  # constants: not differentiated
    edges += [_edge(graph, back, node, dst, slot, "out")
              for dst, slot in graph.consumers(node)]
    return NodeFormulas(node, short_name(graph, node), expression, expanded, value_text,
                        tuple(edges))
