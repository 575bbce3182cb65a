"""Graphviz pictures of a graph, with values and gradients on nodes and, on every edge, the
local derivative ∂dst/∂src and the gradient the edge carries back.

The picture says what the window's canvas says, decided in one place
(:mod:`graphapp.formats.present`: texts, numbers, colour roles, line widths): one card per
node (name, op symbol, value, gradient), input ports per slot for two-input ops, edges
coloured by the sign of the gradient they carry (blue positive, red negative, grey zero) and
drawn wider the more they carry, nodes that do not reach the output dimmed, and nodes without
a finite value outlined in red.
``.dot`` is written without Graphviz; SVG, PNG and PDF need its ``dot`` program.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from graphapp.engine import Backward, Forward
from graphapp.formats.atomic import write_bytes_atomic, write_text_atomic
from graphapp.formats.document import GraphFile
from graphapp.formats.present import LIGHT, card, edge_look, largest

__all__ = ["DOT_TIME_LIMIT", "EXPORT_FORMATS", "DotFailed", "DotMissing", "export_graph",
           "render_dot", "to_dot"]

#: Formats :func:`export_graph` writes, by file extension.
EXPORT_FORMATS = ("svg", "png", "pdf", "dot")

INSTALL_HINT = ("Graphviz's dot program is not installed; install it with "
                "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
                "(macOS) or from https://graphviz.org/download/")

_FONT = "Helvetica,Arial,sans-serif"
#: The presenter's colour roles in the light theme, as the picture's hex colours.
_INK, _MUTED, _FAINT = LIGHT["text"], LIGHT["muted"], LIGHT["faint"]
_POSITIVE, _NEGATIVE, _ZERO = LIGHT["positive"], LIGHT["negative"], LIGHT["zero"]


#: Opacity (hex) of edges into nodes that do not reach the output, as on the canvas (35 %).
_DIM_ALPHA = "59"
#: Runs a program: ``run(args, input, timeout) -> stdout`` (see :func:`render_dot`).
Runner = Callable[[list[str], str, float | None], bytes]


def _hex(role: str, default: str = _INK) -> str:
    return LIGHT[role] if role else default


class DotFailed(ChildProcessError):
    """Graphviz's ``dot`` failed or ran out of time; the message says which, in one line.
    (An ``OSError``, so callers that report failed writes report this too.)"""


class DotMissing(RuntimeError):
    """Graphviz's ``dot`` is not installed; the message says how to install it."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def _node_label(node: str, doc: GraphFile, fwd: Forward, back: Backward | None,
                show_grads: bool, hidden: Any = None) -> str:
    c = card(doc.graph, node, doc.output, fwd, back, grads=show_grads and back is not None,
             typographic=False, hide_grad=bool(hidden) and node in hidden.grads)
    reached = not c.dimmed
    ink = _INK if reached else _FAINT
    header_bg = _hex(c.header)
    if c.constant:
        return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
                f'STYLE="rounded" COLOR="{_FAINT}" BGCOLOR="{header_bg}"><TR><TD>'
                f'<FONT COLOR="{ink}">{escape(c.rows[-1].text)}</FONT></TD></TR></TABLE>>')
    title = f'<FONT COLOR="{ink}"><B>{escape(c.name)}</B></FONT>  ' if c.name else ""
    rows = [f'<TR><TD COLSPAN="2" BGCOLOR="{header_bg}" ALIGN="LEFT">'
            f'{title}<FONT COLOR="{_MUTED}">{escape(c.symbol)}</FONT></TD></TR>']
    rows += [_row(r.key, escape(r.text), _hex(r.role, ink) if reached else _FAINT)
             for r in c.rows]
    body = "".join(rows)
    if len(c.slot_names) == 2:
        ports = "".join(f'<TR><TD PORT="s{s}" HEIGHT="18"><FONT POINT-SIZE="9" '
                        f'COLOR="{_MUTED}">{escape(name)}</FONT></TD></TR>'
                        for s, name in enumerate(c.slot_names))
        body = (f'<TR><TD ROWSPAN="{len(rows)}" BGCOLOR="{LIGHT["port_fill"]}"><TABLE '
                f'BORDER="0" CELLBORDER="0" CELLSPACING="0">{ports}</TABLE></TD>'
                + body[len("<TR>"):])
    border = "2" if c.is_output else "1"
    frame = _INK if c.is_output else (_FAINT if not reached else LIGHT["card_border"])
    bg = LIGHT["card"]
    if c.error:
        frame, bg = LIGHT["error"], LIGHT["error_fill"]
    return (f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
            f'STYLE="rounded" COLOR="{frame}" BGCOLOR="{bg}">{body}</TABLE>>')


def _row(key: str, text: str, colour: str) -> str:
    return (f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{_MUTED}">{escape(key)}</FONT>'
            f'</TD><TD ALIGN="RIGHT"><FONT COLOR="{colour}">{text}</FONT></TD></TR>')


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: A node feeding this many others is drawn next to all of them (see :func:`_loose_edges`).
FAN_OUT = 8
#: Above this many dummy nodes (edge segments that cross a rank), dot's network simplex is
#: limited to a few passes per node: it is what makes dot run for minutes.
_DUMMY_BUDGET = 400
#: Seconds dot may take before an export gives up (with a one-line error).
DOT_TIME_LIMIT = 120.0


def _loose_edges(g: Any) -> set[tuple[str, str, int]]:
    """Edges that should not decide ranks: a node used by many others (``x`` in ``x + x +
    … + x``) sits next to its consumers, so the chain linking those consumers runs down a
    column instead of stretching every edge from ``x`` across the picture (dot's work grows
    with the square of the sum's length otherwise). Only edges from a node with no other use
    are loosened."""
    nxg = g.nx
    loose = set()
    for u in nxg:
        if nxg.out_degree(u) < FAN_OUT:
            continue
        for v in set(nxg.successors(u)):
            for w, _, slot in nxg.in_edges(v, keys=True):
                if w != u and nxg.out_degree(w) == 1 and not g.op(w).is_leaf:
                    loose.add((w, v, slot))
    return loose


def _work_bounds(g: Any, loose: set[tuple[str, str, int]]) -> str:
    """Graph attributes that bound dot's work on graphs that would give it many dummy
    nodes: ``nslimit``/``nslimit1`` cap network simplex at a few iterations per node."""
    import networkx as nx  # on first export, not at start-up (~0.14 s)

    rank: dict[str, int] = {}
    dummies = 0
    for node in nx.topological_sort(g.nx):
        ins = [(src, slot) for src, _, slot in g.nx.in_edges(node, keys=True)]
        rank[node] = 1 + max((rank.get(s, 0) for s, k in ins if (s, node, k) not in loose),
                             default=-1)
    for src, dst, _ in g.nx.edges(keys=True):
        dummies += max(0, abs(rank[dst] - rank.get(src, 0)) - 1)
    return ", nslimit=2, nslimit1=2" if 2 * dummies > _DUMMY_BUDGET else ""


def to_dot(doc: GraphFile, fwd: Forward, back: Backward | None = None,
           rankdir: str = "LR", show_grads: bool = True, hidden: Any = None) -> str:
    """The Graphviz source of the picture. ``hidden`` (a quiz's hidden numbers: sets
    ``grads``, ``locals`` and ``carried``, :class:`graphapp.lab.quiz.Hidden`) are drawn as
    ``?``, as the window's canvas draws them: an exercise sheet."""
    g = doc.graph
    loose = _loose_edges(g)
    lines = [
        "digraph graphapp {",
        f'  graph [rankdir={rankdir}, bgcolor="white", pad=0.3, nodesep=0.35, ranksep=0.55, '
        f'fontname="{_FONT}", splines=true{_work_bounds(g, loose)}];',
        f'  node [shape=plain, fontname="{_FONT}", fontsize=12];',
        f'  edge [fontname="{_FONT}", fontsize=9, arrowsize=0.7, color="{_FAINT}"];',
    ]
    for node in g:
        label = _node_label(node, doc, fwd, back, show_grads, hidden)
        lines.append(f"  {_quote(node)} [label={label}];")
    widest = largest(back)
    head_side = "w" if rankdir in ("LR", "RL") else "n"
    for key in g.edges():
        src, dst, slot = key
        attrs = []
        if g.op(dst).arity == 2:
            attrs.append(f'headport="s{slot}:{head_side}"')
        if key in loose:
            attrs.append("constraint=false")
        look = edge_look(g, key, fwd, back, widest, typographic=False,
                         hide_local=bool(hidden) and key in hidden.locals,
                         hide_carried=bool(hidden) and key in hidden.carried)
        if show_grads and look.lines:
            # faded like the canvas's edges into nodes that do not reach the output
            colour = LIGHT[look.role] + (_DIM_ALPHA if look.dimmed else "")
            local, grad = (escape(r.text) for r in look.lines)
            attrs += [f'color="{colour}"', f"penwidth={look.width:.2f}",
                      f'label=<<FONT COLOR="{_MUTED}">local </FONT>{local}<BR/>'
                      f'<FONT COLOR="{_MUTED}">grad </FONT>'
                      f'<FONT COLOR="{colour}">{grad}</FONT>>']
        lines.append(f"  {_quote(src)} -> {_quote(dst)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_dot(source: str, fmt: str, run: Runner | None = None,
               time_limit: float | None = DOT_TIME_LIMIT) -> bytes:
    """Run Graphviz's ``dot`` on ``source``; :class:`DotMissing` if it is not installed,
    :class:`DotFailed` if it fails or takes longer than ``time_limit`` seconds (it is then
    stopped). ``run(args, input, timeout)`` starts ``dot`` when given (the window passes its
    background job's, so that cancelling the export kills ``dot``; there the user decides
    how long to wait, so no time limit is passed)."""
    dot = shutil.which("dot")
    if dot is None:
        raise DotMissing()
    if run is not None:
        return run(["dot", f"-T{fmt}"], source, None)
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=time_limit, check=False)
    except subprocess.TimeoutExpired:
        raise DotFailed(f"Graphviz's dot took more than {time_limit:g} s to lay the graph out "
                        "and was stopped; export as .dot, or allow more with --time-limit"
                        ) from None
    except OSError as exc:
        raise DotFailed(f"Graphviz's dot could not run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        why = next((line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines()
                    if line.strip() and not line.startswith("Warning")), "")
        raise DotFailed(f"Graphviz's dot failed (exit {done.returncode})"
                        + (f": {why}" if why else ""))
    return done.stdout


def export_graph(doc: GraphFile, path: str | Path, fwd: Forward, back: Backward | None = None,
                 rankdir: str = "LR", show_grads: bool = True, run: Runner | None = None,
                 time_limit: float | None = DOT_TIME_LIMIT, hidden: Any = None) -> None:
    """Write the picture to ``path`` (.svg, .png, .pdf or .dot), atomically; ``hidden``:
    numbers a quiz hides (see :func:`to_dot`)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"cannot export {fmt or 'files without an extension'}; "
                         f"use one of: {', '.join('.' + f for f in EXPORT_FORMATS)}")
    source = to_dot(doc, fwd, back, rankdir, show_grads, hidden)
    if fmt == "dot":
        write_text_atomic(path, source)
    else:
        write_bytes_atomic(path, render_dot(source, fmt, run, time_limit))
