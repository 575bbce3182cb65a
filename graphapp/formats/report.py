"""Results as text tables and JSON documents, for the command line.

The JSON of ``graphapp grad --json`` is::

    {"output": "L",
     "nodes": {"a": {"op": "input", "value": 2.0, "grad": 6.0}, ...},
     "edges": [{"src": "a", "dst": "e", "slot": 0, "local": -3.0, "accumulated": 6.0}, ...],
     "nonfinite": null}

Arrays are nested lists (finite ones are handed over as numpy arrays: serialize with orjson's
``OPT_SERIALIZE_NUMPY``); ``local`` is null on tensor edges whose Jacobian is large; constants
have ``grad`` null (they are not differentiated); nan and ±inf are the strings "nan", "inf",
"-inf".
"""

from __future__ import annotations

import math
import operator
import re
from typing import Any

import orjson

from graphapp.engine import Backward, CheckRow, Forward
from graphapp.engine.lazy_numpy import is_array, np
from graphapp.formats.document import GraphFile
from graphapp.formats.text import format_local, format_shape, format_value, to_json_value

__all__ = ["check_table", "eval_json", "eval_table", "grad_json", "grad_table",
           "tangents_json", "tangents_table"]


def _nonfinite_json(fwd: Forward) -> dict[str, Any] | None:
    nf = fwd.nonfinite
    if nf is None:
        return None
    return {"node": nf.node, "op": nf.op, "value": to_json_value(nf.value), "message": nf.message}


def _node_order(doc: GraphFile, fwd: Forward) -> list[str]:
    return [n for n in doc.graph if n in fwd.plan.index]


def _json_list(values: list[Any], scalars: bool = False) -> list[Any]:
    """A list of values as JSON values; a list of finite floats is returned as it is.
    ``scalars``: the caller knows that no value is an array."""
    if scalars:
        try:  # floats only: a nan or inf anywhere makes the sum one (None raises)
            if math.isfinite(sum(values)):
                return values
        except TypeError:
            pass
        return [to_json_value(v) for v in values]  # floats and None: no numpy needed
    if all(type(v) is not np.ndarray for v in values):
        try:
            array = np.array(values, dtype=np.float64)
        except (TypeError, ValueError):  # None among them
            array = None
        if array is not None and array.ndim == 1 and np.isfinite(array).all():
            return array.tolist()
    return [_json_ready(v) for v in values]


def _json_ready(v: Any) -> Any:
    """One value for orjson: a finite array stays a numpy array, which orjson writes without
    a Python float per element (a 10-million-number value would need gigabytes as lists);
    anything else as :func:`to_json_value` writes it."""
    if type(v) is np.ndarray and v.ndim and np.isfinite(v).all():
        return np.ascontiguousarray(v, dtype=np.float64)
    return to_json_value(v)


def _ordered(doc: GraphFile, fwd: Forward, *columns: list[Any]) -> tuple[list[Any], ...]:
    """Plan-ordered columns re-ordered to the file's node order (usually the same)."""
    plan = fwd.plan
    names = plan.order
    if names == list(doc.graph):
        return (names, *columns)
    index = plan.index
    names = _node_order(doc, fwd)
    return (names, *([col[index[n]] for n in names] for col in columns))


def eval_json(doc: GraphFile, fwd: Forward) -> dict[str, Any]:
    """Forward values as a JSON-ready dict."""
    names, ops, values = _ordered(doc, fwd, [s.name for s in fwd.plan.specs],
                                  _json_list(fwd.value_list(), fwd.mode != "nodes"))
    nodes = {n: {"op": op, "value": v} for n, op, v in zip(names, ops, values, strict=True)}
    return {"output": doc.output, "nodes": nodes, "nonfinite": _nonfinite_json(fwd)}


def grad_json(doc: GraphFile, back: Backward) -> dict[str, Any]:
    """Values, gradients and per-edge derivatives as a JSON-ready dict (for orjson: a graph of
    scalars has its nodes and edges as ready-made :class:`orjson.Fragment` text)."""
    fwd = back.forward
    scalars = fwd.mode != "nodes"  # batched and scalar runs hold no arrays

    def as_json(values: list[Any]) -> list[Any]:
        return _json_list(values, scalars)

    if scalars and fwd.plan.order == list(doc.graph):
        fragments = _scalar_fragments(back, as_json)
        if fragments is not None:
            return {"output": back.output, "nodes": fragments[0], "edges": fragments[1],
                    "nonfinite": _nonfinite_json(fwd)}
    names, ops, values, grads = _ordered(doc, fwd, [s.name for s in fwd.plan.specs],
                                         as_json(fwd.value_list()), as_json(back.grad_list()))
    nodes = {n: {"op": op, "value": v, "grad": g}
             for n, op, v, g in zip(names, ops, values, grads, strict=True)}
    rows = _edge_rows(doc, back, as_json)
    edges = [{"src": s, "dst": d, "slot": k, "local": local, "accumulated": acc}
             for s, d, k, local, acc in rows]
    return {"output": back.output, "nodes": nodes, "edges": edges,
            "nonfinite": _nonfinite_json(fwd)}


_NAME = operator.attrgetter("name")
#: Characters JSON escapes in a string: a name without them is written as it is, in quotes.
_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _scalar_fragments(back: Backward, as_json: Any) -> tuple[orjson.Fragment,
                                                             orjson.Fragment] | None:
    """The ``nodes`` object and the ``edges`` list of a scalar run (nodes in plan order, which
    is the file's) as JSON text, byte for byte what orjson writes for the dicts
    :func:`grad_json` makes otherwise, without a dict per node and per edge: the text is
    joined from whole columns (a third of ``graphapp grad --json`` on a 100k-node file went
    to those dicts), each op's and each slot's text between the numbers made once. ``None``
    when a node's name needs escaping in JSON: then the dicts are made."""
    plan, fwd = back.plan, back.forward
    names = plan.order
    if _ESCAPED.search("".join(names)):
        return None
    ops = list(map(_NAME, plan.specs))
    op_text = {op: f'":{{"op":"{op}","value":' for op in dict.fromkeys(ops)}
    nodes = _joined_rows('{"', '},"', "}}",
                         [names, list(map(op_text.__getitem__, ops)),
                          _number_texts(as_json(fwd.value_list())), ',"grad":',
                          _number_texts(as_json(back.grad_list()))])
    c = back.edge_columns()
    slot_text = [f'","slot":{k},"local":' for k in range(max(c["slot"], default=-1) + 1)]
    edges = _joined_rows('[{"src":"', '},{"src":"', "}]",
                         [c["src"], '","dst":"', c["dst"],
                          list(map(slot_text.__getitem__, c["slot"])),
                          _number_texts(as_json(c["local"])), ',"accumulated":',
                          _number_texts(as_json(c["accumulated"]))])
    return orjson.Fragment(nodes or "{}"), orjson.Fragment(edges or "[]")


def _joined_rows(first: str, between: str, last: str, columns: list[list[str] | str]) -> str:
    """``first``, the rows (each the concatenation of its entry of every column, a ``str``
    column being the same text on every row) separated by ``between``, then ``last``; ""
    when there are no rows. One join over a list filled by slice assignments, no text made
    per row."""
    rows = len(next(c for c in columns if type(c) is list))
    if not rows:
        return ""
    width = 1 + len(columns)
    pieces: list[str] = [between] * (rows * width)
    pieces[0] = first
    for k, column in enumerate(columns, start=1):
        pieces[k::width] = [column] * rows if type(column) is str else column
    pieces.append(last)
    return "".join(pieces)


def _number_texts(values: list[Any]) -> list[str]:
    """Each of ``values`` (numbers, None, "nan"/"inf" strings: nothing with a comma in its
    JSON) as orjson writes it, from one call for the whole list."""
    return orjson.dumps(values).decode()[1:-1].split(",") if values else []


def _edge_rows(doc: GraphFile, back: Backward, convert: Any = list) -> list[tuple]:
    """``(src, dst, slot, local, accumulated)`` per edge, in the file's order of ``dst``;
    ``convert`` is applied to the local and accumulated columns as a whole."""
    c = back.edge_columns()
    rows = list(zip(c["src"], c["dst"], c["slot"], convert(c["local"]),
                    convert(c["accumulated"]), strict=True))
    names = list(doc.graph)
    if names != back.plan.order:
        position = {n: i for i, n in enumerate(names)}
        rows.sort(key=lambda e: (position[e[1]], e[2]))
    return rows


def _cell(v: Any) -> str:
    text = format_value(v, digits=8, max_items=6)
    if is_array(v):
        return f"{format_shape(v.shape)} {text}"
    return text


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]
    return "\n".join(out)


def eval_table(doc: GraphFile, fwd: Forward) -> str:
    """Forward values as a text table."""
    g = doc.graph
    values, index = fwd.value_list(), fwd.plan.index  # lists: floats, not numpy scalars
    rows = [[n, g.op(n).name, _cell(values[index[n]])] for n in _node_order(doc, fwd)]
    return _table(["node", "op", "value"], rows)


def grad_table(doc: GraphFile, back: Backward) -> str:
    """Values, gradients and per-edge derivatives as two text tables."""
    g = doc.graph
    fwd = back.forward
    out = back.output
    values, grads, index = fwd.value_list(), back.grad_list(), fwd.plan.index
    rows = [[n, g.op(n).name, _cell(values[index[n]]), _cell(grads[index[n]])]
            for n in _node_order(doc, fwd)]
    nodes = _table(["node", "op", "value", f"grad d{out}/dnode"], rows)
    edge_rows = []
    for s, d, k, local, carried in _edge_rows(doc, back):
        slot = g.op(d).slot_names[k]
        shown = "—" if carried is None else format_local(
            local, values[index[s]], values[index[d]], digits=8)
        edge_rows.append([f"{s} → {d}", slot, shown, _cell(carried)])
    edges = _table(["edge", "slot", "local ∂dst/∂src", "grad carried back"],
                   edge_rows)
    return f"output {out} = {_cell(values[index[out]])}\n\n{nodes}\n\n{edges}"


def check_table(rows: list[CheckRow]) -> str:
    """Backprop against finite differences, one row per input element."""
    body = [[r.node, "" if not r.index else str(list(r.index)), format_value(r.backprop, 10),
             format_value(r.numeric, 10), f"{r.error:.2g}", f"{r.allowed:.2g}",
             "DIFFERENT" if not r.ok else "ok" if r.resolved else "ok (round-off)"]
            for r in rows]
    return _table(["input", "index", "backprop", "finite difference", "|error|", "allowed",
                   "agree"], body)


def tangents_json(doc: GraphFile, output: str, total: Any, partials: list) -> dict[str, Any]:
    """Forward mode as JSON: every node's d node/d wrt, and the output's partial through each
    edge leaving ``wrt`` (the other edges held still)."""
    return {"wrt": total.wrt,
            "tangents": {n: to_json_value(total.values[n]) for n in doc.graph
                         if n in total.values},
            "partials": [{"src": s, "dst": d, "slot": k, "value": to_json_value(v)}
                         for (s, d, k), v in partials],
            "total": to_json_value(total.values[output])}


def tangents_table(doc: GraphFile, output: str, total: Any, partials: list) -> str:
    """Forward mode as text: totals per node, then partials of the output per edge."""
    wrt = total.wrt
    rows = [[n, _cell(total.values[n])] for n in doc.graph if n in total.values]
    first = _table(["node", f"d node/d{wrt} (forward mode, total)"], rows)
    part_rows = [[f"{s} → {d}", doc.graph.op(d).slot_names[k], _cell(v)]
                 for (s, d, k), v in partials]
    second = _table(["edge", "slot", f"∂{output}/∂{wrt} through this edge only"], part_rows)
    return (f"{first}\n\n{second}\n\ntotal d{output}/d{wrt} = "
            f"{_cell(total.values[output])} (the sum of the partials)")
