"""``.graph.json`` files, version 1.

::

    {"format": "graphapp", "version": 1, "output": "L",
     "lesson": "optional text", "groups": {"neuron": {"collapsed": true, "pos": [0, 0]}},
     "nodes": [{"id": "a", "op": "input", "value": 2.0, "label": "a", "pos": [0, 0]},
               {"id": "e", "op": "mul"}, ...],
     "edges": [{"src": "a", "dst": "e", "slot": 0}, ...]}

``value`` is a number or nested lists of numbers (``"nan"``, ``"inf"`` and ``"-inf"`` stand for
the numbers strict JSON cannot hold). ``label`` (display name) and ``pos`` (canvas position)
are optional; other fields of a node are kept as they are. Errors name the line of the node or
edge at fault; saving is atomic (see :mod:`graphapp.formats.atomic`).
"""

from __future__ import annotations

import json
from typing import Any

from graphapp.engine import Graph, GraphError
from graphapp.engine.ops import OPS
from graphapp.formats.document import GraphFile
from graphapp.formats.errors import FormatError
from graphapp.formats.text import from_json_value, is_position, to_json_value

__all__ = ["FORMAT", "VERSION", "dumps_graph", "loads_graph"]

FORMAT = "graphapp"
VERSION = 1
_NODE_KEYS = {"id", "op", "value"}


class _Located:
    """Finds the line and column of each element of the top-level ``nodes`` and ``edges``
    arrays, so a message about node 7 can point at node 7's line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: dict[str, list[int]] = {"nodes": [], "edges": []}
        self._scan()

    def _scan(self) -> None:
        decoder = json.JSONDecoder()
        text, i = self.text, self._ws(0)
        if i >= len(text) or text[i] != "{":
            return
        i = self._ws(i + 1)
        while i < len(text) and text[i] != "}":
            key, i = decoder.raw_decode(text, i)
            i = self._ws(self._ws(i) + 1)  # skip ':'
            if key in self.starts and text[i] == "[":
                i = self._ws(i + 1)
                while text[i] != "]":
                    self.starts[key].append(i)
                    _, i = decoder.raw_decode(text, i)
                    i = self._ws(i)
                    if text[i] == ",":
                        i = self._ws(i + 1)
                i += 1
            else:
                _, i = decoder.raw_decode(text, i)
            i = self._ws(i)
            if i < len(text) and text[i] == ",":
                i = self._ws(i + 1)

    def _ws(self, i: int) -> int:
        text = self.text
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def where(self, array: str, k: int) -> tuple[int, int]:
        """(line, column) of element ``k`` of a top-level array; (1, 1) if unknown."""
        starts = self.starts.get(array, [])
        if k >= len(starts):
            return 1, 1
        pos = starts[k]
        line = self.text.count("\n", 0, pos) + 1
        return line, pos - (self.text.rfind("\n", 0, pos) + 1) + 1


def loads_graph(text: str, path: str = "<text>") -> GraphFile:
    """Read ``.graph.json`` text; raise :class:`FormatError` naming the line at fault."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = exc.msg
        if exc.pos >= len(text.rstrip()):
            msg += " (the file ends too early: is it truncated?)"
        raise FormatError(f"bad JSON: {msg}", path, exc.lineno, exc.colno) from None
    except RecursionError:
        raise FormatError("bad JSON: nested too deeply", path) from None
    if not isinstance(data, dict):
        raise FormatError("expected a JSON object with format, version, nodes and edges", path)
    if data.get("format") != FORMAT:
        raise FormatError(f'not a graphapp graph: "format" must be "{FORMAT}"', path)
    version = data.get("version")
    if version != VERSION:
        raise FormatError(f"unknown version {version!r}: this graphapp reads version {VERSION}",
                          path)
    loc = _Located(text)

    def fail(array: str, k: int, message: str) -> FormatError:
        line, col = loc.where(array, k)
        return FormatError(message, path, line, col)

    raw_nodes, raw_edges = data.get("nodes"), data.get("edges", [])
    if not isinstance(raw_nodes, list) or not isinstance(raw_edges, list):
        raise FormatError('"nodes" and "edges" must be lists', path)
    rows = []
    where_node: dict[str, int] = {}
    for k, item in enumerate(raw_nodes):
        if not isinstance(item, dict):
            raise fail("nodes", k, f"node {k} must be an object")
        node_id, op = item.get("id"), item.get("op")
        if not isinstance(node_id, str) or not node_id:
            raise fail("nodes", k, f'node {k} needs an "id" string')
        if node_id in where_node:
            raise fail("nodes", k, f"node id {node_id!r} is used twice")
        if op not in OPS:
            raise fail("nodes", k, f"node {node_id!r}: unknown op {op!r}; known ops: "
                                   f"{', '.join(OPS)}")
        if OPS[op].is_leaf and "value" not in item:
            raise fail("nodes", k, f"{op} node {node_id!r} needs a \"value\"")
        attrs = {key: val for key, val in item.items() if key not in _NODE_KEYS}
        if "pos" in attrs and not is_position(attrs["pos"]):
            raise fail("nodes", k, f'node {node_id!r}: "pos" must be [x, y]')
        rows.append((node_id, op, from_json_value(item.get("value")), attrs))
        where_node[node_id] = k
    edges = []
    where_edge: dict[tuple[str, int], int] = {}
    for k, item in enumerate(raw_edges):
        if not isinstance(item, dict):
            raise fail("edges", k, f"edge {k} must be an object")
        src, dst, slot = item.get("src"), item.get("dst"), item.get("slot")
        for end, what in ((src, "src"), (dst, "dst")):
            if end not in where_node:
                raise fail("edges", k, f"edge {k}: {what} {end!r} is not a node")
        if not isinstance(slot, int) or isinstance(slot, bool):
            raise fail("edges", k, f'edge {k}: "slot" must be a whole number')
        spec = OPS[rows[where_node[dst]][1]]
        if spec.is_leaf:
            raise fail("edges", k, f"edge {k}: {dst!r} is an {spec.name} node; it takes no "
                                   "inputs")
        if not 0 <= slot < spec.arity:
            raise fail("edges", k, f"edge {k}: {spec.name} node {dst!r} has slots "
                                   f"0..{spec.arity - 1}, not {slot}")
        if (dst, slot) in where_edge:
            raise fail("edges", k, f"edge {k}: slot {slot} of {dst!r} is already fed "
                                   f"(edge {where_edge[dst, slot]})")
        where_edge[dst, slot] = k
        edges.append((src, dst, slot))
    for node_id, op, _, _ in rows:
        for slot in range(OPS[op].arity):
            if (node_id, slot) not in where_edge:
                raise fail("nodes", where_node[node_id],
                           f"{op} node {node_id!r} has nothing on input slot {slot}")
    try:
        graph = Graph.from_parts(rows, edges)
    except GraphError as exc:
        k = where_node.get(exc.nodes[0], 0) if exc.nodes else 0
        raise fail("nodes", k, exc.message) from None
    output = data.get("output")
    if output is None:
        sinks = [n for n in graph if graph.nx.out_degree(n) == 0]
        output = sinks[-1] if sinks else None
    elif output not in where_node:
        raise FormatError(f"output {output!r} is not a node", path, *_key_line(text, "output"))
    lesson = data.get("lesson", "")
    groups = data.get("groups", {})
    if not isinstance(groups, dict) or not all(isinstance(v, dict) for v in groups.values()):
        raise FormatError('"groups" must map names to objects', path, *_key_line(text, "groups"))
    lines = {node: loc.where("nodes", k)[0] for node, k in where_node.items()}
    return GraphFile(graph, output, lesson if isinstance(lesson, str) else "", groups, lines)


def _key_line(text: str, key: str) -> tuple[int, int]:
    pos = text.find(f'"{key}"')
    if pos < 0:
        return 1, 1
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def dumps_graph(doc: GraphFile) -> str:
    """The ``.graph.json`` text of a graph: one node or edge per line, so diffs stay readable."""
    g = doc.graph.nx
    head: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if doc.output is not None:
        head["output"] = doc.output
    if doc.lesson:
        head["lesson"] = doc.lesson
    if doc.groups:
        head["groups"] = doc.groups
    node_lines = []
    for node, data in g.nodes(data=True):
        item: dict[str, Any] = {"id": node, "op": data["op"]}
        if "value" in data:
            item["value"] = to_json_value(data["value"])
        item.update((k, v) for k, v in data.items() if k not in _NODE_KEYS)
        node_lines.append(json.dumps(item, ensure_ascii=False, allow_nan=False))
    edge_lines = [json.dumps({"src": u, "dst": v, "slot": k}, ensure_ascii=False)
                  for u, v, k in sorted(g.edges(keys=True), key=_edge_order(g))]
    head_text = json.dumps(head, ensure_ascii=False)[:-1]
    return (head_text + ',\n "nodes": [\n  ' + ",\n  ".join(node_lines) + '\n ],\n'
            ' "edges": [\n  ' + ",\n  ".join(edge_lines) + "\n ]\n}\n")


def _edge_order(g: Any) -> Any:
    position = {n: i for i, n in enumerate(g)}
    return lambda e: (position[e[1]], e[2])
