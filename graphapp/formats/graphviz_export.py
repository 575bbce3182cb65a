"""Graphviz pictures of a graph, with values and gradients on nodes and, on every edge, the
local derivative ∂dst/∂src and the gradient the edge carries back.

The picture follows the canvas's conventions: one card per node (name, op symbol, value,
gradient), input ports per slot for two-input ops, edges coloured by the sign of the gradient
they carry (blue positive, red negative, grey zero) and drawn wider the more they carry, nodes
that do not reach the output dimmed, and the first non-finite node outlined in red.
``.dot`` is written without Graphviz; SVG, PNG and PDF need its ``dot`` program.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from graphapp.engine import Backward, Forward
from graphapp.engine.ops import OPS
from graphapp.formats.atomic import write_bytes_atomic, write_text_atomic
from graphapp.formats.document import GraphFile
from graphapp.formats.text import (
    display_name,
    format_local,
    format_shape,
    format_value,
    magnitude,
    sign_of,
)

__all__ = ["EXPORT_FORMATS", "DotMissing", "export_graph", "render_dot", "to_dot"]

#: Formats :func:`export_graph` writes, by file extension.
EXPORT_FORMATS = ("svg", "png", "pdf", "dot")

INSTALL_HINT = ("Graphviz's dot program is not installed; install it with "
                "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
                "(macOS) or from https://graphviz.org/download/")

_FONT = "Helvetica,Arial,sans-serif"
_INK, _MUTED, _FAINT = "#1f2933", "#616e7c", "#9aa5b1"
_POSITIVE, _NEGATIVE, _ZERO = "#2563eb", "#dc2626", "#9aa5b1"
_HEADER = {
    "input": "#dbeafe", "const": "#eceff3", "Arithmetic": "#fef3c7", "Functions": "#ede9fe",
    "Activations": "#dcfce7", "Reductions": "#fce7f3", "Linear algebra": "#e0f2fe",
}


#: Runs a program: ``run(args, input, timeout) -> stdout`` (see :func:`render_dot`).
Runner = Callable[[list[str], str, float | None], bytes]


class DotMissing(RuntimeError):
    """Graphviz's ``dot`` is not installed; the message says how to install it."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def _sign_colour(v: Any) -> str:
    sign = sign_of(v)
    return _POSITIVE if sign > 0 else _NEGATIVE if sign < 0 else _ZERO


def _value_text(v: Any) -> str:
    text = format_value(v, digits=5, max_items=4)
    if isinstance(v, np.ndarray):
        text = f"{format_shape(v.shape)} {text}"
    return escape(text)


def _node_label(node: str, doc: GraphFile, fwd: Forward, back: Backward | None,
                show_grads: bool) -> str:
    g = doc.graph
    spec = g.op(node)
    name = display_name(node, g.attrs(node))
    value = fwd.values[node]
    reached = back.reaches(node) if back is not None else True
    ink = _INK if reached else _FAINT
    header_bg = _HEADER.get(spec.name, _HEADER.get(spec.category, "#eceff3"))
    if spec.constant:
        return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
                f'STYLE="rounded" COLOR="{_FAINT}" BGCOLOR="{header_bg}"><TR><TD>'
                f'<FONT COLOR="{ink}">{_value_text(value)}</FONT></TD></TR></TABLE>>')
    title = f'<FONT COLOR="{ink}"><B>{escape(name)}</B></FONT>  ' if name else ""
    symbol = escape("input" if spec.is_input else spec.symbol)
    rows = [f'<TR><TD COLSPAN="2" BGCOLOR="{header_bg}" ALIGN="LEFT">'
            f'{title}<FONT COLOR="{_MUTED}">{symbol}</FONT></TD></TR>',
            _row("value", _value_text(value), ink)]
    if show_grads and back is not None:
        grad = back.grads[node]
        colour = _sign_colour(grad) if reached else _FAINT
        rows.append(_row("grad", _value_text(grad), colour))
    body = "".join(rows)
    if spec.arity == 2:
        ports = "".join(f'<TR><TD PORT="s{s}" HEIGHT="18"><FONT POINT-SIZE="9" '
                        f'COLOR="{_MUTED}">{spec.slot_names[s]}</FONT></TD></TR>'
                        for s in range(2))
        body = (f'<TR><TD ROWSPAN="{len(rows)}" BGCOLOR="#f5f7fa"><TABLE BORDER="0" '
                f'CELLBORDER="0" CELLSPACING="0">{ports}</TABLE></TD>'
                + body[len("<TR>"):])
    border = "2" if node == doc.output else "1"
    frame = _INK if node == doc.output else (_FAINT if not reached else "#7b8794")
    bg = "#ffffff"
    if fwd.nonfinite is not None and fwd.nonfinite.node == node:
        frame, bg = _NEGATIVE, "#fef2f2"
    return (f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
            f'STYLE="rounded" COLOR="{frame}" BGCOLOR="{bg}">{body}</TABLE>>')


def _row(key: str, text: str, colour: str) -> str:
    return (f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{_MUTED}">{key}</FONT></TD>'
            f'<TD ALIGN="RIGHT"><FONT COLOR="{colour}">{text}</FONT></TD></TR>')


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(doc: GraphFile, fwd: Forward, back: Backward | None = None,
           rankdir: str = "LR", show_grads: bool = True) -> str:
    """The Graphviz source of the picture."""
    g = doc.graph
    lines = [
        "digraph graphapp {",
        f'  graph [rankdir={rankdir}, bgcolor="white", pad=0.3, nodesep=0.35, ranksep=0.55, '
        f'fontname="{_FONT}", splines=true];',
        f'  node [shape=plain, fontname="{_FONT}", fontsize=12];',
        f'  edge [fontname="{_FONT}", fontsize=9, arrowsize=0.7, color="{_FAINT}"];',
    ]
    for node in g:
        lines.append(f"  {_quote(node)} [label={_node_label(node, doc, fwd, back, show_grads)}];")
    carried = []
    if back is not None and show_grads:
        carried = [magnitude(e.accumulated) for _, _, _, e in back.edges()]
    biggest = max(carried, default=0.0) or 1.0
    head_side = "w" if rankdir in ("LR", "RL") else "n"
    for src, dst, slot in g.edges():
        attrs = []
        if OPS[g.nx.nodes[dst]["op"]].arity == 2:
            attrs.append(f'headport="s{slot}:{head_side}"')
        if back is not None and show_grads:
            edge = back.edge(src, dst, slot)
            if edge.accumulated is not None:
                width = 1.0 + 3.0 * magnitude(edge.accumulated) / biggest
                colour = _sign_colour(edge.accumulated) if back.reaches(dst) else _FAINT
                local = escape(format_local(edge.local, fwd.values[src], fwd.values[dst]))
                attrs += [f'color="{colour}"', f"penwidth={width:.2f}",
                          f'label=<<FONT COLOR="{_MUTED}">local </FONT>{local}<BR/>'
                          f'<FONT COLOR="{_MUTED}">grad </FONT>'
                          f'<FONT COLOR="{colour}">{_value_text(edge.accumulated)}</FONT>>']
        lines.append(f"  {_quote(src)} -> {_quote(dst)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_dot(source: str, fmt: str, run: Runner | None = None) -> bytes:
    """Run Graphviz's ``dot`` on ``source``; :class:`DotMissing` if it is not installed.
    ``run(args, input, timeout)`` starts ``dot`` when given (the window passes its background
    job's, so that cancelling the export kills ``dot``)."""
    import graphviz  # imported here: only image export needs it

    if shutil.which("dot") is None:
        raise DotMissing()
    if run is not None:
        return run(["dot", f"-T{fmt}"], source, None)
    try:
        return graphviz.Source(source).pipe(format=fmt, engine="dot", quiet=True)
    except graphviz.ExecutableNotFound:
        raise DotMissing() from None


def export_graph(doc: GraphFile, path: str | Path, fwd: Forward, back: Backward | None = None,
                 rankdir: str = "LR", show_grads: bool = True, run: Runner | None = None) -> None:
    """Write the picture to ``path`` (.svg, .png, .pdf or .dot), atomically."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"cannot export {fmt or 'files without an extension'}; "
                         f"use one of: {', '.join('.' + f for f in EXPORT_FORMATS)}")
    source = to_dot(doc, fwd, back, rankdir, show_grads)
    if fmt == "dot":
        write_text_atomic(path, source)
    else:
        write_bytes_atomic(path, render_dot(source, fmt, run))
