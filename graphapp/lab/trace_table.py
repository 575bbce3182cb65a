"""The computational trace as a table: the forward pass (every node computed from its inputs,
in topological order), then the reverse pass (every node's final gradient and the local
derivative on each of its input edges), one row per step, as Markdown or CSV to copy.

Columns: ``phase, step, node, op, inputs, value, local derivatives, gradient``. Nodes are
called as their cards on the canvas call them: by name, or for a generated sub-expression by
the formula it computes (``3·x²``, a constant by its value), never by internal ids. Forward rows
leave the last two empty; reverse rows give ``∂node/∂input = number`` per input edge (edges
from constants are left out: constants are not differentiated) and the node's gradient
d output / d node. Numbers are shown with 6 significant digits; arrays by their shape and first
few elements (the table is for reading; the JSON of ``graphapp grad`` has every digit).

>>> from graphapp.api import parse
>>> doc = parse("a = 2.0\\nb = -3.0\\nL = a * b")
>>> print(to_markdown(trace_rows(doc.graph, "L")))
| phase | step | node | op | inputs | value | local derivatives | gradient |
| --- | --- | --- | --- | --- | --- | --- | --- |
| forward | 0 | a | input |  | 2 |  |  |
| forward | 1 | b | input |  | -3 |  |  |
| forward | 2 | L | mul | a, b | -6 |  |  |
| backward | 0 | L | mul | a, b | -6 | ∂L/∂a = -3; ∂L/∂b = 2 | 1 |
| backward | 1 | b | input |  | -3 |  | 2 |
| backward | 2 | a | input |  | 2 |  | -3 |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphapp.engine import Graph, Value
from graphapp.engine.lazy_numpy import np
from graphapp.engine.trace import backward_trace, forward_trace
from graphapp.formats.notation import operand, short_name
from graphapp.lab._common import objective, run

__all__ = ["COLUMNS", "TraceRow", "cells", "number", "to_csv", "to_markdown", "trace_rows"]

COLUMNS = ("phase", "step", "node", "op", "inputs", "value", "local derivatives", "gradient")


@dataclass(frozen=True)
class TraceRow:
    """One step of the forward or the reverse pass."""

    phase: str  # "forward" or "backward"
    step: int
    node: str
    op: str
    inputs: tuple[str, ...]
    value: Value | None
    #: Reverse rows: ``(input node, slot, ∂node/∂input)`` per input edge from a non-constant.
    locals: tuple[tuple[str, int, Value | None], ...] = ()
    gradient: Value | None = None
    #: The node and its inputs as the canvas titles them (``3·x²``); the ids when empty.
    label: str = ""
    input_labels: tuple[str, ...] = ()
    #: Reverse rows: ``∂node/∂input`` per entry of :attr:`locals`, written with those titles.
    local_labels: tuple[str, ...] = ()


def trace_rows(graph: Graph, output: str,
               values: Mapping[str, Any] | None = None) -> list[TraceRow]:
    """The forward steps (every computable node) then the reverse steps (the nodes that reach
    ``output``), as rows."""
    plan = graph.plan()
    fwd = run(graph, values, {})
    objective(fwd, output)
    back = plan.backward(fwd, output)
    titles: dict[str, str] = {}

    def title(node: str) -> str:
        if node not in titles:
            titles[node] = short_name(graph, node)
        return titles[node]

    rows = []
    for s in forward_trace(fwd):
        rows.append(TraceRow("forward", s.index, s.node, plan.specs[plan.index[s.node]].name,
                             s.inputs, s.value, label=title(s.node),
                             input_labels=tuple(title(n) for n in s.inputs)))
    for b in backward_trace(back):
        i = plan.index[b.node]
        inputs = tuple(plan.order[j] for j in plan.args[i])
        locs = tuple((send.src, send.slot, send.local) for send in b.sends)
        partials = tuple(f"∂{operand(graph, b.node)}/∂{operand(graph, send.src)}"
                         for send in b.sends)
        rows.append(TraceRow("backward", b.index, b.node, plan.specs[i].name, inputs,
                             fwd.values[b.node], locs, b.grad, title(b.node),
                             tuple(title(n) for n in inputs), partials))
    return rows


def number(v: Any) -> str:
    """A value for the table: 6 significant digits; an array as its shape and first items."""
    if v is None:
        return ""
    if np.ndim(v) == 0:
        return f"{float(v):.6g}"
    a = np.asarray(v)
    head = ", ".join(f"{float(x):.4g}" for x in a.ravel()[:4])
    more = ", …" if a.size > 4 else ""
    return f"({'×'.join(map(str, a.shape))}) [{head}{more}]"


def cells(row: TraceRow, hide_grad: bool = False,
          hide_locals: Collection[int] = ()) -> list[str]:
    """One row as the table's text cells, in :data:`COLUMNS` order; ``hide_grad`` and
    ``hide_locals`` (slots): numbers a quiz asks, written ``?``."""
    partials = row.local_labels or tuple(f"∂{row.node}/∂{src}" for src, _, _ in row.locals)
    local_text = "; ".join(f"{d} = " + ("?" if slot in hide_locals else number(v) or "—")
                           for d, (_, slot, v) in zip(partials, row.locals, strict=True))
    return [row.phase, str(row.step), row.label or row.node, row.op,
            ", ".join(row.input_labels or row.inputs), number(row.value), local_text,
            "?" if hide_grad else number(row.gradient)]


def to_markdown(rows: Sequence[TraceRow] | Sequence[Sequence[str]]) -> str:
    """The rows (or their text cells) as a Markdown table (pipes in names escaped)."""
    def line(items: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in items) + " |"

    return "\n".join([line(COLUMNS), line(["---"] * len(COLUMNS)),
                      *(line(_texts(r)) for r in rows)])


def to_csv(rows: Sequence[TraceRow] | Sequence[Sequence[str]]) -> str:
    """The rows (or their text cells) as CSV text (a header line, then one line per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_texts(r) for r in rows)
    return buffer.getvalue()


def _texts(row: TraceRow | Sequence[str]) -> Sequence[str]:
    return cells(row) if isinstance(row, TraceRow) else row
