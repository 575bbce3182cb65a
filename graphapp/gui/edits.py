"""Edits that take more than one command: adding a node with a fresh name, applying a typed
statement (``L = (a*b + c) * f``), copy and paste. Each is one undo step (a macro)."""

from __future__ import annotations

import string
from typing import Any

from PySide6.QtCore import QPointF

from graphapp.engine import Graph, GraphError
from graphapp.engine.ops import OPS
from graphapp.formats import FormatError
from graphapp.formats.expr import ExprParser
from graphapp.formats.text import from_json_value, to_json_value
from graphapp.gui import commands
from graphapp.gui.document import Document
from graphapp.gui.layout import COLUMN, ROW, layered_layout

__all__ = ["CLIP_MIME", "add_node", "apply_statement", "copy_nodes", "free_spot", "fresh_name",
           "paste_nodes", "statement_output"]

#: Clipboard format of copied nodes (a small graph as JSON).
CLIP_MIME = "application/x-graphapp-nodes"

#: Value given to new inputs (from the palette, or names typed that do not exist yet).
NEW_INPUT_VALUE = 1.0
#: How far apart two cards' corners must be for the cards not to overlap.
CARD_W, CARD_H = 180.0, 95.0


def fresh_name(graph: Graph, taken: set[str] | None = None) -> str:
    """The first free name among a, b, …, z, a1, b1, … (``e`` included: micrograd uses it)."""
    taken = set(graph) | (taken or set())
    for suffix in ["", *map(str, range(1, 1000))]:
        for letter in string.ascii_lowercase:
            if letter + suffix not in taken:
                return letter + suffix
    raise RuntimeError("no free name")


def add_node(doc: Document, op: str, pos: QPointF, value: Any = None, free: bool = False) \
        -> str:
    """Add a node of ``op`` with its top-left corner at ``pos`` (``free``: or the first place
    below it where it covers no card); returns its id."""
    spec = OPS[op]
    # inputs get letters (a, b, …); an op gets a generated id (mul#1), so its card is named
    # by what it computes (a·b, or ?·? while unconnected), never like an input slot
    name = fresh_name(doc.graph) if spec.is_leaf else _next_generated(doc.graph, f"{op}#", set())
    if spec.is_leaf and value is None:
        value = NEW_INPUT_VALUE
    x, y = pos.x(), pos.y()
    if free:
        taken = [p for p in (doc.graph.attrs(n).get("pos") for n in doc.graph) if p is not None]
        x, y = free_spot(x, y, taken)
    doc.undo_stack.push(commands.AddNode(doc, name, op, value,
                                         {"pos": [round(x, 1), round(y, 1)]}))
    return name


def free_spot(x: float, y: float, taken: list) -> tuple[float, float]:
    """The first place at or below (x, y) where a card overlaps none of the cards whose
    top-left corners are ``taken``."""
    while any(abs(x - p[0]) < CARD_W and abs(y - p[1]) < CARD_H for p in taken):
        y += ROW * 0.8
    return x, y


def apply_statement(doc: Document, text: str, anchor: QPointF) -> str:
    """Apply one ``NAME = EXPRESSION`` to the graph: add the nodes it needs (names that do not
    exist become inputs), or, when NAME exists, redefine it in place so its consumers stay
    connected. Returns an error message ("" on success); on error nothing changes."""
    g = doc.graph
    parser = ExprParser(path="expression", existing=set(g), taken=set(g),
                        auto_input=NEW_INPUT_VALUE, redefine=True)
    # as in a file: `e = e + 1` with no node e yet means "e used before it is defined", not
    # Euler's number
    parser.declare(text)
    try:
        name = parser.statement(text, 1)
    except FormatError as exc:
        return f"column {exc.col}: {exc.message}"
    if name is None:
        return "type a statement such as  L = (a*b + c) * f"
    rows = {row[0]: row for row in parser.nodes}
    target_op, target_value = rows[name][1], rows[name][2]
    updating = name in g
    if updating:
        import networkx as nx  # on first use, not at start-up (~0.14 s)

        feeders = {src for src, dst, _ in parser.edges if dst == name}
        ancestors = _new_ancestors(parser, name)
        if name in ancestors or (feeders | ancestors) & (nx.descendants(g.nx, name) | {name}):
            return f"{name} cannot be defined in terms of itself"
    new_rows = [row for row in parser.nodes if not (updating and row[0] == name)]
    positions = _place(g, new_rows, parser.edges, anchor)
    stack = doc.undo_stack
    stack.beginMacro(f"{name} = {text.split('=', 1)[1].strip()}")
    try:
        for node, op, value, _ in new_rows:
            stack.push(commands.AddNode(doc, node, op, value, {"pos": positions[node]}))
        if updating:
            old_inputs = [(src, name, slot) for slot, src in enumerate(g.inputs(name))
                          if src is not None]
            for edge in old_inputs:
                stack.push(commands.Disconnect(doc, *edge))
            if g.op(name).name != target_op or OPS[target_op].is_leaf:
                if OPS[target_op].is_leaf and g.op(name).name == target_op:
                    stack.push(commands.SetValue(doc, name, target_value))
                else:
                    stack.push(commands.SetOp(doc, name, target_op, target_value))
            _drop_orphans(doc, [src for src, _, _ in old_inputs])
        for edge in parser.edges:
            stack.push(commands.Connect(doc, *edge))
        chosen = statement_output(g, name, doc.output, doc.output_pinned)
        if chosen != doc.output:
            stack.push(commands.SetOutput(doc, chosen, by_hand=False))
    except GraphError as exc:  # should not happen: checked above; never leave half an edit
        stack.endMacro()
        stack.undo()
        return exc.message
    stack.endMacro()
    return ""


def statement_output(g: Graph, name: str, output: str | None, pinned: bool) -> str:
    """The output after the statement defining ``name``: an output chosen by hand stays;
    otherwise the graph's single sink (the node nothing reads), else ``name`` when nothing
    reads it (the last statement typed), else the current output."""
    if pinned and output in g:
        return output
    sinks = [n for n in g if not g.consumers(n) and not g.op(n).constant]
    if len(sinks) == 1:
        return sinks[0]
    if not g.consumers(name) or output not in g:
        return name
    return output


def _new_ancestors(parser: ExprParser, name: str) -> set[str]:
    """Existing nodes the new definition of ``name`` reads, directly or through new nodes."""
    new = {row[0] for row in parser.nodes}
    feeds: dict[str, list[str]] = {}
    for src, dst, _ in parser.edges:
        feeds.setdefault(dst, []).append(src)
    seen: set[str] = set()
    stack = [name]
    while stack:
        for src in feeds.get(stack.pop(), []):
            if src not in seen:
                seen.add(src)
                if src in new and src != name:
                    stack.append(src)
    return {s for s in seen if s not in new or s == name}


def _drop_orphans(doc: Document, candidates: list[str]) -> None:
    """Remove generated sub-expression nodes (ids with ``#``) left feeding nothing."""
    g = doc.graph
    queue = [c for c in candidates if "#" in c]
    while queue:
        node = queue.pop()
        if node in g and "#" in node and not g.consumers(node):
            feeders = [s for s in g.inputs(node) if s is not None]
            doc.undo_stack.push(commands.RemoveItems(doc, [node]))
            queue.extend(feeders)


def _place(g: Graph, rows: list, edges: list, anchor: QPointF) -> dict[str, list[float]]:
    """Positions for new nodes: next to the nodes they connect to, or a fresh layout at
    ``anchor`` when they connect to nothing on the canvas."""
    import networkx as nx  # on first use, not at start-up (~0.14 s)

    trial = nx.MultiDiGraph()
    trial.add_nodes_from(g.nx.nodes)
    trial.add_nodes_from(row[0] for row in rows)
    trial.add_edges_from((s, d, k) for s, d, k in g.edges())
    trial.add_edges_from((s, d, k) for s, d, k in edges)
    known = {n: g.attrs(n).get("pos") for n in g if g.attrs(n).get("pos") is not None}
    new = [row[0] for row in rows]
    if not any(nb in known for n in new for nb in nx.all_neighbors(trial, n)):
        sub = Graph.from_parts(rows, [e for e in edges if e[0] in set(new) and e[1] in set(new)])
        layout = layered_layout(sub)
        top = anchor.y()
        cards = [(p[0], p[1]) for p in known.values()]
        block = [(anchor.x() + x, top + y) for x, y in layout.values()]
        if any(abs(bx - cx) < CARD_W and abs(by - cy) < CARD_H
               for bx, by in block for cx, cy in cards):
            top = max(cy for _, cy in cards) + ROW + (top - min(y for _, y in block))
        return {n: [round(anchor.x() + x, 1), round(top + y, 1)]
                for n, (x, y) in layout.items()}
    placed: dict[str, list[float]] = {}
    order = [n for n in nx.topological_sort(trial) if n in set(new)]
    computed = [n for n in order if trial.in_degree(n)]
    leaves = [n for n in reversed(order) if not trial.in_degree(n)]
    for n in computed + leaves:
        ins = [known.get(s) or placed.get(s) for s in trial.predecessors(n)]
        outs = [known.get(d) or placed.get(d) for d in trial.successors(n)]
        ins, outs = [p for p in ins if p], [p for p in outs if p]
        if ins:
            x, y = max(p[0] for p in ins) + COLUMN, sum(p[1] for p in ins) / len(ins)
        elif outs:
            x, y = min(p[0] for p in outs) - COLUMN, sum(p[1] for p in outs) / len(outs)
        else:
            x, y = anchor.x(), anchor.y()
        x, y = free_spot(x, y, [*known.values(), *placed.values()])
        placed[n] = [round(x, 1), round(y, 1)]
    return placed


# --------------------------------------------------------------------- clipboard
def copy_nodes(doc: Document, nodes: list[str]) -> str:
    """The selected nodes and the edges among them, as JSON text for the clipboard."""
    import json

    g = doc.graph
    chosen = set(nodes)
    data = {"format": "graphapp-clip", "nodes": [], "edges": []}
    for node in nodes:
        item: dict[str, Any] = {"id": node, "op": g.op(node).name, "attrs": g.attrs(node)}
        if g.value(node) is not None:
            item["value"] = to_json_value(g.value(node))
        data["nodes"].append(item)
    data["edges"] = [[s, d, k] for s, d, k in g.edges() if s in chosen and d in chosen]
    return json.dumps(data)


def paste_nodes(doc: Document, text: str, offset: QPointF) -> list[str]:
    """Add copied nodes (renamed where their names are taken), shifted by ``offset``; returns
    the new ids, or [] if the text is not copied nodes."""
    import json

    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return []
    if not isinstance(data, dict) or data.get("format") != "graphapp-clip":
        return []
    g = doc.graph
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for item in data["nodes"]:
        old = item["id"]
        new = old
        if new in g or new in taken:
            new = fresh_name(g, taken) if "#" not in old else _next_generated(g, old, taken)
        renamed[old] = new
        taken.add(new)
    stack = doc.undo_stack
    stack.beginMacro(f"Paste {len(renamed)} node" + ("s" if len(renamed) != 1 else ""))
    for item in data["nodes"]:
        attrs = dict(item.get("attrs") or {})
        pos = attrs.get("pos") or [0.0, 0.0]
        attrs["pos"] = [pos[0] + offset.x(), pos[1] + offset.y()]
        attrs.pop("group", None)
        value = item.get("value")
        stack.push(commands.AddNode(doc, renamed[item["id"]], item["op"],
                                    from_json_value(value) if value is not None else None, attrs))
    for src, dst, slot in data["edges"]:
        stack.push(commands.Connect(doc, renamed[src], renamed[dst], slot))
    stack.endMacro()
    return list(renamed.values())


def _next_generated(g: Graph, old: str, taken: set[str]) -> str:
    op = old.split("#", 1)[0]
    k = 1
    while f"{op}#{k}" in g or f"{op}#{k}" in taken:
        k += 1
    return f"{op}#{k}"
