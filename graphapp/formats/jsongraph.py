"""``.graph.json`` files, version 1.

::

    {"format": "graphapp", "version": 1, "output": "L",
     "lesson": "optional text", "groups": {"neuron": {"collapsed": true, "pos": [0, 0]}},
     "prompts": [{"try": "Make L positive.", "check": "value(L) > 0", "hint": "optional"}],
     "nodes": [{"id": "a", "op": "input", "value": 2.0, "label": "a", "pos": [0, 0]},
               {"id": "e", "op": "mul"}, ...],
     "edges": [{"src": "a", "dst": "e", "slot": 0}, ...],
     "quiz": {"mode": "gradients", "items": [{"node": "a", "answer": "6"}, ...]}}

``value`` is a number or nested lists of numbers (``"nan"``, ``"inf"`` and ``"-inf"`` stand for
the numbers strict JSON cannot hold). ``label`` (display name) and ``pos`` (canvas position)
are optional; other fields of a node are kept as they are. Errors name the line of the node or
edge at fault; saving is atomic (see :mod:`graphapp.formats.atomic`). ``prompts`` are the
lesson's "try this" prompts, as an ``.expr`` writes them in ``# try:`` / ``# check:`` /
``# hint:`` lines (:mod:`graphapp.formats.header`). ``quiz`` (optional) is the quiz a teacher
set (:mod:`graphapp.formats.quiz`).
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphapp.engine import Graph, GraphError, rules
from graphapp.engine.ops import OPS
from graphapp.formats.document import GraphFile
from graphapp.formats.errors import FormatError
from graphapp.formats.header import Directive, Prompt, prompts_of
from graphapp.formats.text import from_json_value, is_position, to_json_value

__all__ = ["FORMAT", "VERSION", "dumps_graph", "loads_graph"]

FORMAT = "graphapp"
VERSION = 1
_NODE_KEYS = {"id", "op", "value"}
#: Characters no name or label may hold: control characters (NUL, escape, …), lone
#: surrogates and the two non-characters, which break Graphviz, XML and terminals.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class _Located:
    """Finds the line and column of each element of the top-level ``nodes`` and ``edges``
    arrays, so a message about node 7 can point at node 7's line.

    Built only when a position is asked for (an error, or a node's line after an evaluation
    error): a successful load never pays for it. Linear in the text: one pass to find where
    the elements start, one to find the line breaks, then a binary search per position.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: dict[str, list[int]] = {"nodes": [], "edges": []}
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        # Text the JSON reader refused leaves the positions past the fault unknown.
        with contextlib.suppress(ValueError, IndexError, RecursionError):
            self._scan()

    def _scan(self) -> None:
        import json

        decoder = json.JSONDecoder(parse_int=float)  # no digit limit: this only skips values
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

    def at(self, pos: int) -> tuple[int, int]:
        """(line, column) of a character offset."""
        line = bisect.bisect_left(self._newlines, pos)
        line_start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, pos - line_start + 1

    def where(self, array: str, k: int) -> tuple[int, int]:
        """(line, column) of element ``k`` of a top-level array; (1, 1) if unknown."""
        starts = self.starts.get(array, [])
        return self.at(starts[k]) if k < len(starts) else (1, 1)

    def key(self, key: str) -> tuple[int, int]:
        """(line, column) of a top-level key; (1, 1) if it is not there."""
        pos = self.text.find(f'"{key}"')
        return self.at(pos) if pos >= 0 else (1, 1)


class _NodeLines(Mapping[str, int]):
    """The line each node was read from, worked out on first use (see :class:`_Located`)."""

    def __init__(self, located: Callable[[], _Located], index: dict[str, int]) -> None:
        self._located = located
        self._index = index

    def __getitem__(self, node: str) -> int:
        return self._located().where("nodes", self._index[node])[0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class _Reader:
    """One ``.graph.json`` text being read: errors point at the node, edge or key at fault."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path
        self._loc: _Located | None = None

    def located(self) -> _Located:
        if self._loc is None:
            self._loc = _Located(self.text)
        return self._loc

    def fail(self, array: str, k: int, message: str) -> FormatError:
        return FormatError(message, self.path, *self.located().where(array, k))

    def fail_key(self, key: str, message: str) -> FormatError:
        return FormatError(message, self.path, *self.located().key(key))


def _parse_json(text: str, path: str) -> Any:
    """The JSON document; bad JSON is a :class:`FormatError` at its line and column.

    orjson reads numbers of any length without Python's 4,300-digit limit (a number too large
    for a float is an error at its position), refuses nesting deeper than 1,024 with a clean
    error instead of a ``RecursionError``, and is several times faster than ``json``.
    """
    import orjson  # here: it imports uuid, datetime and platform (an .expr needs none)

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        msg = exc.msg
        if msg == "number is infinity when parsed as double":
            msg = 'number too large (write "inf" for infinity)'
        elif msg == "recursion limit reached" or msg.startswith("depth limit"):
            msg = "nested too deeply (more than 1,024 levels)"
        elif exc.pos >= len(text.rstrip()):
            msg += " (the file ends too early: is it truncated?)"
        raise FormatError(f"bad JSON: {msg}", path, exc.lineno, exc.colno) from None


def _text_problem(value: Any, what: str, optional: bool = True) -> str | None:
    """Why ``value`` cannot be a name or label (``None`` if it can)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        return f'{what} must be a string, not {_json_kind(value)}'
    bad = _CONTROL.search(value)
    if bad is not None:
        return (f"{what} holds the control character U+{ord(bad.group()):04X}; names and "
                "labels must be printable text")
    return None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return {dict: "an object", list: "a list", str: "a string", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def loads_graph(text: str, path: str = "<text>", unfinished: bool = False) -> GraphFile:
    """Read ``.graph.json`` text; raise :class:`FormatError` naming the line at fault.
    ``unfinished``: accept ops with empty input slots (a graph being built in the window,
    saved or autosaved half done); the command line's verbs need finished graphs."""
    data = _parse_json(text, path)
    r = _Reader(text, path)
    _check_head(data, r)
    rows, where_node = _read_nodes(data["nodes"], r)
    edges = _read_edges(data.get("edges", []), rows, where_node, r, unfinished)
    try:
        graph = Graph.from_parts(rows, edges)
    except GraphError as exc:
        k = where_node.get(exc.nodes[0], 0) if exc.nodes else 0
        raise r.fail("nodes", k, exc.message) from None
    output = data.get("output")
    if output is None:
        sinks = [n for n in graph if not graph.consumers(n)]
        output = sinks[-1] if sinks else None
    elif output not in where_node:
        raise r.fail_key("output", str(rules.output_error(output)))
    quiz = None
    if "quiz" in data:
        from graphapp.formats.quiz import QuizError, quiz_from_json

        try:
            quiz = quiz_from_json(data["quiz"], graph)
        except QuizError as exc:
            raise r.fail_key("quiz", exc.message) from None
    return GraphFile(graph, output, data.get("lesson", ""), data.get("groups", {}),
                     _NodeLines(r.located, where_node), _read_prompts(data, r), quiz=quiz)


def _read_prompts(data: dict, r: _Reader) -> tuple[Prompt, ...]:
    """The lesson's prompts: a list of ``{"try", "check", "hint"}`` objects, read as the
    ``.expr`` directives they stand for; errors point at the ``"prompts"`` key."""
    raw = data.get("prompts", [])
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        raise r.fail_key("prompts", '"prompts" must be a list of {"try", "check", "hint"} '
                                    "objects")
    found = []
    for k, item in enumerate(raw):
        for key, text in item.items():
            if key not in ("try", "check", "hint") or not isinstance(text, str):
                raise r.fail_key("prompts", f'prompt {k + 1}: "{key}" must be one of "try", '
                                            '"check", "hint", holding a string')
        found += [Directive(key, item[key].strip(), k + 1, 1)
                  for key in ("try", "check", "hint") if key in item]
    try:
        return prompts_of(found, "prompt")
    except FormatError as exc:
        raise r.fail_key("prompts", f"prompt {exc.line}: {exc.message}") from None


def _check_head(data: Any, r: _Reader) -> None:
    """The top-level object: format, version, and the types of output, lesson and groups."""
    if not isinstance(data, dict):
        raise FormatError("expected a JSON object with format, version, nodes and edges", r.path)
    if data.get("format") != FORMAT:
        raise r.fail_key("format", f'not a graphapp graph: "format" must be "{FORMAT}"')
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise r.fail_key("version", f"unknown version {version!r}: this graphapp reads "
                                    f"version {VERSION}")
    if not isinstance(data.get("nodes"), list) or not isinstance(data.get("edges", []), list):
        raise FormatError('"nodes" and "edges" must be lists', r.path)
    problem = _text_problem(data.get("output"), '"output"')
    if problem is None and not isinstance(data.get("lesson", ""), str):
        problem = f'"lesson" must be a string, not {_json_kind(data["lesson"])}'
    if problem is not None:
        raise r.fail_key("output" if "output" in problem else "lesson", problem)
    groups = data.get("groups", {})
    if not isinstance(groups, dict) or not all(isinstance(v, dict) for v in groups.values()):
        raise r.fail_key("groups", '"groups" must map names to objects')
    for name, info in groups.items():
        problem = _text_problem(name, f"group name {name!r}")
        if problem is None and not isinstance(info.get("collapsed", False), bool):
            problem = f'group {name!r}: "collapsed" must be true or false'
        if problem is None and "pos" in info and not is_position(info["pos"]):
            problem = f'group {name!r}: "pos" must be [x, y]'
        if problem is not None:
            raise r.fail_key("groups", problem)


def _read_nodes(raw_nodes: list[Any], r: _Reader) -> tuple[list[tuple], dict]:
    """(id, op, value, attrs) rows, and the index of each id in the ``nodes`` array."""
    rows = []
    where_node: dict[str, int] = {}
    for k, item in enumerate(raw_nodes):
        if not isinstance(item, dict):
            raise r.fail("nodes", k, f"node {k} must be an object")
        node_id, op = item.get("id"), item.get("op")
        if not isinstance(node_id, str) or not node_id:
            raise r.fail("nodes", k, f'node {k} needs an "id" string')
        problem = _text_problem(node_id, f'node {k}: "id"')
        if problem is not None:
            raise r.fail("nodes", k, problem)
        if node_id in where_node:
            raise r.fail("nodes", k, f"node id {node_id!r} is used twice")
        if not isinstance(op, str):
            raise r.fail("nodes", k, f'node {node_id!r}: "op" must be an op name (a string), '
                                     f"not {_json_kind(op)}")
        if op not in OPS:
            raise r.fail("nodes", k, f"node {node_id!r}: unknown op {op!r}; known ops: "
                                     f"{', '.join(OPS)}")
        if OPS[op].is_leaf and "value" not in item:
            raise r.fail("nodes", k, f"{op} node {node_id!r} needs a \"value\"")
        attrs = {key: val for key, val in item.items() if key not in _NODE_KEYS}
        problem = _attrs_problem(attrs)
        if problem is not None:
            raise r.fail("nodes", k, f"node {node_id!r}: {problem}")
        value = item.get("value")
        try:
            if value is not None or OPS[op].is_leaf:
                value = from_json_value(value)
        except ValueError as exc:
            raise r.fail("nodes", k, f"bad value for {node_id!r}: {exc}") from None
        rows.append((node_id, op, value, attrs))
        where_node[node_id] = k
    return rows, where_node


def _attrs_problem(attrs: dict[str, Any]) -> str | None:
    """Why a node's display attributes cannot be used (``None`` if they can)."""
    if "pos" in attrs and not is_position(attrs["pos"]):
        return '"pos" must be [x, y]'
    problem = _text_problem(attrs.get("label"), '"label"')
    if problem is None and "group" in attrs:
        problem = _text_problem(attrs["group"], '"group"', optional=False)
    return problem


def _read_edges(raw_edges: list[Any], rows: list[tuple], where_node: dict[str, int],
                r: _Reader, unfinished: bool = False) -> list[tuple[str, str, int]]:
    """(src, dst, slot) for every edge; every slot of every op node fed exactly once."""
    edges = []
    where_edge: dict[tuple[str, int], int] = {}
    for k, item in enumerate(raw_edges):
        if not isinstance(item, dict):
            raise r.fail("edges", k, f"edge {k} must be an object")
        src, dst, slot = item.get("src"), item.get("dst"), item.get("slot")
        for end, what in ((src, "src"), (dst, "dst")):
            if not isinstance(end, str):
                raise r.fail("edges", k, f'edge {k}: "{what}" must be a node id (a string), '
                                         f"not {_json_kind(end)}")
            if end not in where_node:
                raise r.fail("edges", k, f"edge {k}: {what} {rules.unknown_node_error(end)}")
        if not isinstance(slot, int) or isinstance(slot, bool):
            raise r.fail("edges", k, f'edge {k}: "slot" must be a whole number')
        spec = OPS[rows[where_node[dst]][1]]
        taken = where_edge.get((dst, slot))
        error = rules.edge_error(dst, spec, slot, None if taken is None else edges[taken][0])
        if error is not None:
            at = f" (edge {taken})" if taken is not None else ""
            raise r.fail("edges", k, f"edge {k}: {error}{at}")
        where_edge[dst, slot] = k
        edges.append((src, dst, slot))
    for node_id, op, _, _ in [] if unfinished else rows:
        for slot in range(OPS[op].arity):
            if (node_id, slot) not in where_edge:
                raise r.fail("nodes", where_node[node_id],
                             str(rules.empty_slot_error(node_id, OPS[op], slot)))
    return edges


def dumps_graph(doc: GraphFile) -> str:
    """The ``.graph.json`` text of a graph: one node or edge per line, so diffs stay readable."""
    import json  # here, with orjson's: opening an .expr needs no JSON

    g = doc.graph.nx
    head: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if doc.output is not None:
        head["output"] = doc.output
    if doc.lesson:
        head["lesson"] = doc.lesson
    if doc.groups:
        head["groups"] = doc.groups
    if doc.quiz is not None:
        from graphapp.formats.quiz import quiz_to_json

        head["quiz"] = quiz_to_json(doc.quiz.fitted(doc.graph))
    if doc.prompts:
        head["prompts"] = [{"try": p.text, "check": p.check.text} | ({"hint": p.hint} if p.hint
                                                                     else {})
                           for p in doc.prompts]
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
