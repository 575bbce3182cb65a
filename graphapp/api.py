"""graphapp from Python: load or parse a graph, set values, run it forward, back-propagate, and
write it out, with the same functions the ``graphapp`` command uses.

Every function takes a *document* (a :class:`~graphapp.formats.document.GraphFile`, what
:func:`load` and :func:`parse` return: the graph, its output node and its lesson) or a bare
:class:`~graphapp.engine.graph.Graph`. ``values={name: value}`` replaces leaf values for one run
only; :func:`set_values` changes them in the graph. Results are the engine's own objects:
:class:`~graphapp.engine.plan.Forward` (``.values``), :class:`~graphapp.engine.plan.Backward`
(``.grads``, and per edge ``.edge(src, dst, slot)`` with ``.local`` = ∂dst/∂src and
``.accumulated`` = the gradient it carries back) and :class:`~graphapp.engine.plan.Tangents`.

Caveats: errors are typed, never printed: :class:`~graphapp.formats.errors.FormatError` for a
file or text that cannot be read (``FILE:LINE:COL: message``), :class:`~graphapp.engine.errors.
GraphError` for structure, :class:`~graphapp.engine.errors.EvaluationError` for shapes that do
not fit. Maths never raises: ``log(-1)`` is nan, and ``Forward.nonfinite`` says where it began.

>>> doc = parse("a = 2.0\\nb = -3.0\\nL = a * b + a")
>>> float(forward(doc).values["L"])
-4.0
>>> back = backward(doc)                     # d L / d every node (L is the last statement)
>>> float(back.grads["a"]), float(back.grads["b"])
(-2.0, 2.0)
>>> e = back.edge("a", "mul#1", 0)           # generated nodes are named op#N
>>> float(e.local), float(e.accumulated)     # ∂(a·b)/∂a = b, and what flows back to a
(-3.0, -3.0)
>>> float(backward(doc, values={"b": 1.0}).grads["a"])   # one run with b = 1
2.0
>>> float(tangents(doc, "a").values["L"])    # forward mode: dL/da again
-2.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from graphapp.engine import Backward, Forward, Graph, NodeError, Tangents
from graphapp.formats.document import GraphFile

__all__ = ["Document", "backward", "export", "forward", "load", "parse", "save", "set_values",
           "tangents"]

#: What the functions here accept: a document read from a file or text, or a bare graph.
Document = GraphFile | Graph


def load(path: str | Path) -> GraphFile:
    """Read an ``.expr`` or ``.graph.json`` file (chosen by its name, else by its text)."""
    from graphapp.formats.io import load_graph

    return load_graph(path)


def parse(text: str, kind: str = "expr", name: str = "<text>") -> GraphFile:
    """Read graph text: ``kind="expr"`` (``L = (a*b + c) * f``) or ``"json"`` (.graph.json).

    ``name`` is what error messages call the text (``<text>:2:5: ...``).

    >>> parse("x = 3.0\\ny = x * x").output
    'y'
    """
    if kind == "expr":
        from graphapp.formats.expr import parse_expr

        return parse_expr(text, name)
    if kind == "json":
        from graphapp.formats.jsongraph import loads_graph

        return loads_graph(text, name)
    raise ValueError(f"kind must be 'expr' or 'json', not {kind!r}")


def save(doc: Document, path: str | Path) -> None:
    """Write ``doc`` as ``.expr`` or ``.graph.json`` (by the extension), atomically."""
    from graphapp.formats.io import save_graph

    save_graph(_file(doc), path)


def set_values(doc: Document, values: Mapping[str, Any] | None = None, **named: Any) -> None:
    """Give leaves new values, for good (``values`` and keywords may be mixed).

    >>> doc = parse("x = 3.0\\ny = x * x")
    >>> set_values(doc, x=4.0)
    >>> float(forward(doc).values["y"])
    16.0
    """
    graph = _graph(doc)
    for node, value in {**(values or {}), **named}.items():
        graph.set_value(node, value)


def forward(doc: Document, values: Mapping[str, Any] | None = None) -> Forward:
    """Every node's value (``.values[node]``); ``values`` replaces leaves for this run."""
    graph = _graph(doc)
    return graph.plan().forward(graph, values)


def backward(doc: Document, output: str | None = None, values: Mapping[str, Any] | None = None,
             fwd: Forward | None = None) -> Backward:
    """Reverse mode from ``output`` (default: the document's output): ``.grads[node]`` and,
    per edge, ``.edge(src, dst, slot).local`` and ``.accumulated``.

    ``fwd`` reuses a forward pass of the same graph instead of running one.
    """
    graph = _graph(doc)
    plan = graph.plan()
    if fwd is None or fwd.plan is not plan:
        fwd = plan.forward(graph, values)
    return plan.backward(fwd, _output(doc, output))


def tangents(doc: Document, wrt: str, direction: Any = None,
             values: Mapping[str, Any] | None = None,
             only_edge: tuple[str, str, int] | None = None,
             fwd: Forward | None = None) -> Tangents:
    """Forward mode: d node / d ``wrt`` for every node (``.values[node]``).

    An array ``wrt`` needs a ``direction`` of its shape. With ``only_edge=(wrt, dst, slot)``
    the change passes through that one edge: the partial derivative along it.
    """
    graph = _graph(doc)
    plan = graph.plan()
    if fwd is None or fwd.plan is not plan:
        fwd = plan.forward(graph, values)
    return plan.tangents(fwd, wrt, direction, only_edge)


def export(doc: Document, path: str | Path, output: str | None = None,
           values: Mapping[str, Any] | None = None, grads: bool = True,
           rankdir: str = "LR", fwd: Forward | None = None,
           back: Backward | None = None, time_limit: float | None = 120.0,
           hidden: Any = None) -> None:
    """Draw the graph with Graphviz to ``path`` (.svg, .png, .pdf or .dot), atomically: values
    on every card and, with ``grads``, gradients and each edge's local derivative (those of
    ``hidden``, a quiz's :class:`~graphapp.lab.quiz.Hidden`, as ``?``).

    Needs Graphviz's ``dot`` for pictures (:class:`~graphapp.formats.graphviz_export.
    DotMissing` otherwise); ``.dot`` text needs nothing. dot is stopped after ``time_limit``
    seconds (:class:`~graphapp.formats.graphviz_export.DotFailed`).
    """
    from graphapp.formats.graphviz_export import export_graph

    graph = _graph(doc)
    if fwd is None or fwd.plan is not graph.plan():
        fwd = forward(graph, values)
    shown = _output(doc, output) if grads else output or getattr(doc, "output", None)
    if grads and back is None:
        back = backward(graph, shown, fwd=fwd)
    export_graph(replace(_file(doc), output=shown), path, fwd, back if grads else None,
                 rankdir=rankdir, show_grads=grads, time_limit=time_limit, hidden=hidden)


def _graph(doc: Document) -> Graph:
    return doc if isinstance(doc, Graph) else doc.graph


def _file(doc: Document) -> GraphFile:
    return GraphFile(doc) if isinstance(doc, Graph) else doc


def _output(doc: Document, output: str | None) -> str:
    """The node to differentiate: ``output``, else the document's; an error when neither."""
    name = output if output is not None else getattr(doc, "output", None)
    if name is None:
        raise NodeError("no output to differentiate: pass output=NAME")
    return name
