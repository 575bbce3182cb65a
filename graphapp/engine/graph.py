"""The expression graph: a networkx ``MultiDiGraph`` whose edge keys are input slots.

``x * x`` is two parallel edges ``x → mul`` with keys 0 and 1, so both factors get their share
of the gradient; ``x - y`` knows which side is which. Nodes carry their op name (``op``), leaves
carry their ``value``, and any node may carry display attributes (``label``, ``pos``).

Mutate a graph through :class:`Graph`'s methods, not through ``graph.nx`` directly: they check
the structure (no cycles, one edge per slot, no inputs into leaves), keep the compiled plan's
cache honest, and tell listeners (the GUI's document) what changed.

A graph built in bulk (:meth:`Graph.from_parts`, what reading a file does, or
:meth:`Graph.from_columns`, whose edges by name are made from its input rows only when first
needed) keeps its checked rows and edges and builds the networkx graph only when something
first changes its structure or runs a networkx algorithm on it: running the compiled plan,
reading nodes, edges, inputs, values and attributes, setting values and attributes, validating,
copying and the layered layout's depth columns do not. So ``graphapp grad`` on a 100k-node file
never builds (nor imports) networkx, and neither does the window's first frame (networkx costs
~0.14 s to import), while edits, the editor's checks and layout work on it as always.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain, compress, repeat
from typing import TYPE_CHECKING, Any

from graphapp.engine import adjacency, rules
from graphapp.engine.errors import ArityError, NodeError, OpError, SlotError
from graphapp.engine.ops import OPS, OpSpec
from graphapp.engine.plan import Plan
from graphapp.engine.values import Value, as_leaf, as_value

__all__ = ["Edge", "Graph", "Listener"]

#: An edge as ``(src, dst, slot)``.
Edge = tuple[str, str, int]
#: Called as ``listener(event, **details)`` after every change.
Listener = Callable[..., None]

_RESERVED = frozenset({"op", "value"})
_ID = operator.itemgetter(0)  # of a node row, and an edge's source
_OP = operator.itemgetter(1)
_ATTRS = operator.itemgetter(3)
_ARITY = operator.attrgetter("arity")

if TYPE_CHECKING:
    import networkx as nx


class _Parts:
    """A graph read in bulk, before networkx: each node's op and display attributes in row
    order (``attrs`` ``None``: none at all), each node's row (``position``, in row order), the
    leaves' values and its checked edges (made on first need from each node's input rows,
    ``args``, when a reader gave those instead); the ``{node: attrs}`` table is made on first
    need."""

    __slots__ = ("_args", "_edges", "attrs", "leaf_values", "links", "ops", "position", "rows")

    def __init__(self, ops: list[str], attrs: list[Mapping[str, Any]] | None,
                 edges: list[Edge] | None, position: dict[str, int],
                 leaf_values: dict[str, Value],
                 rows: dict[str, dict[str, Any]] | None = None,
                 args: list[Sequence[int]] | None = None) -> None:
        self.ops, self.attrs, self._edges, self.position = ops, attrs, edges, position
        self.leaf_values, self.rows, self._args = leaf_values, rows, args
        self.links: tuple[adjacency.Links, adjacency.Links] | None = None

    @property
    def edges(self) -> list[Edge]:
        """Every edge as ``(src, dst, slot)``."""
        if self._edges is None:  # from the input rows, by dst in row order, then by slot
            ids = list(self.position)
            self._edges = [(ids[src], dst, slot) for dst, sources in zip(ids, self._args,
                                                                         strict=True)
                           for slot, src in enumerate(sources)]
        return self._edges

    def adjacency(self) -> tuple[adjacency.Links, adjacency.Links]:
        """``(succ, pred)`` as networkx will hold them (see :func:`adjacency.links`)."""
        if self.links is None:
            self.links = adjacency.links(self.position, self.edges)
        return self.links

    def table(self) -> dict[str, dict[str, Any]]:
        """``{node: attrs}``: the very dicts the networkx graph will hold. A scalar read from
        the file stays a Python float (no numpy needed) until it is set again."""
        if self.rows is None:
            if self.attrs is None:
                rows = {node: {"op": op} for node, op in zip(self.position, self.ops,
                                                              strict=True)}
            else:
                rows = {node: {"op": op, **attrs} if attrs else {"op": op} for node, op, attrs
                        in zip(self.position, self.ops, self.attrs, strict=True)}
            for node, value in self.leaf_values.items():
                rows[node]["value"] = value
            self.rows = rows
        return self.rows


def _grouped_args(ids: list[str], arity: list[int], src: list[int],
                  edges: list[Edge]) -> list[list[int]] | None:
    """Each node's inputs by slot, when ``edges`` come as a file reader makes them: grouped
    by destination in row order, each node's slots 0, 1, … all filled (``src`` holds each
    edge's source row). Checked and cut with whole-list steps instead of one edge at a time;
    ``None`` for edges in any other order (or with a slot empty or filled twice)."""
    if [d for _, d, _ in edges] != list(chain.from_iterable(map(repeat, ids, arity))):
        return None
    slots = [k for _, _, k in edges]
    if slots != list(chain.from_iterable(map(range, arity))) or set(map(type, slots)) - {int}:
        return None  # (True == 1: a bool slot is not an int slot)
    ends = list(accumulate(arity))
    return list(map(src.__getitem__, map(slice, [0, *ends[:-1]], ends)))


class Graph:
    """An expression graph, with a compiled plan cached until its structure changes.

    >>> g = Graph()
    >>> g.add_node("x", "input", 3.0)
    >>> g.add_node("sq", "mul")
    >>> g.connect("x", "sq", 0); g.connect("x", "sq", 1)
    >>> sorted(g.edges())
    [('x', 'sq', 0), ('x', 'sq', 1)]
    """

    def __init__(self) -> None:
        #: The networkx graph, once built (see :attr:`_g`).
        self._built: nx.MultiDiGraph | None = None
        #: Until then, what it will be built from.
        self._pending: _Parts | None = _Parts([], None, [], {}, {}, {})
        self._version = 0
        self._plan: Plan | None = None
        self._plan_version = -1
        self._listeners: list[Listener] = []

    # ----------------------------------------------------------------- reading
    @property
    def _g(self) -> nx.MultiDiGraph:
        """The networkx graph, built from the pending rows and edges on first use."""
        if self._pending is not None:
            import networkx as nx

            g = nx.MultiDiGraph()
            adjacency.fill(g, self._pending.table(), *self._pending.adjacency())
            self._built, self._pending = g, None
        return self._built

    @_g.setter
    def _g(self, g: nx.MultiDiGraph) -> None:
        self._built, self._pending = g, None

    def _rows(self) -> dict[str, dict[str, Any]]:
        """``{node: attrs}`` without building the networkx graph."""
        if self._pending is not None:
            return self._pending.table()
        return adjacency.node_table(self._built)

    def _links(self) -> tuple[adjacency.Links, adjacency.Links]:
        """``(succ, pred)``, ``{u: {v: {slot: {}}}}``, without building the networkx graph."""
        if self._pending is not None:
            return self._pending.adjacency()
        return adjacency.graph_links(self._built)

    def _ids(self) -> Mapping[str, Any]:
        """The node ids (as keys, in order), without making the rows of a bulk read."""
        return self._pending.position if self._pending is not None else self._rows()

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The underlying networkx graph (read it freely; change it through this class)."""
        return self._g

    @property
    def structure_version(self) -> int:
        """A counter bumped by every structural change (not by value or attribute edits)."""
        return self._version

    def __contains__(self, node: object) -> bool:
        try:
            return node in self._ids()
        except TypeError:  # unhashable: networkx says False too
            return False

    def __len__(self) -> int:
        return len(self._ids())

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def nodes(self) -> list[str]:
        """Node ids in insertion order."""
        return list(self._ids())

    def edges(self) -> list[Edge]:
        """Every edge as ``(src, dst, slot)``, in networkx's order (by source, in node order)."""
        return adjacency.edge_list(self._links()[0])

    def table(self) -> Mapping[str, Mapping[str, Any]]:
        """``{node: attrs}`` with ``op`` and ``value`` included, in node order: networkx's
        ``nodes(data=True)`` without building it. Read only (change through the methods)."""
        return self._rows()

    def op(self, node: str) -> OpSpec:
        """The op of ``node``."""
        parts = self._pending
        if parts is not None and parts.rows is None:  # a bulk read: no need to make the rows
            i = parts.position.get(node)
            if i is not None:
                return OPS[parts.ops[i]]
        return OPS[self._data(node)["op"]]

    def value(self, node: str, plain: bool = False) -> Value | float | None:
        """The value set on a leaf (``None`` for computed nodes), a ``numpy.float64`` or array;
        ``plain``: as kept, where a scalar read from a file and not set since is a Python
        float (reading it needs no numpy: what a display reads)."""
        value = self._data(node).get("value")
        return as_value(value) if type(value) is float and not plain else value

    def attr(self, node: str, key: str, default: Any = None) -> Any:
        """One display attribute of ``node`` (no copy: for code that reads many nodes)."""
        return self._data(node).get(key, default)

    def attrs(self, node: str) -> dict[str, Any]:
        """Display attributes of ``node`` (everything but its op and value)."""
        return {k: v for k, v in self._data(node).items() if k not in _RESERVED}

    def inputs(self, node: str) -> list[str | None]:
        """The node feeding each input slot of ``node``, ``None`` where a slot is empty."""
        slots: list[str | None] = [None] * self.op(node).arity
        for src, keys in self._links()[1][node].items():
            for slot in keys:
                slots[slot] = src
        return slots

    def consumers(self, node: str) -> list[tuple[str, int]]:
        """``(dst, slot)`` for every edge leaving ``node``."""
        self._data(node)
        return [(dst, slot) for dst, keys in self._links()[0][node].items() for slot in keys]

    def predecessors(self, node: str) -> list[str]:
        """The nodes feeding ``node``, each once, in networkx's order."""
        self._data(node)
        return list(self._links()[1][node])

    def columns(self) -> list[list[str]]:
        """The nodes by depth: inputs and constants first, then the nodes they alone feed, and
        so on (networkx's ``topological_generations``). Raises :class:`CycleError` on a cycle."""
        self.plan()  # names a cycle
        return adjacency.generations(*self._links())

    def leaves(self) -> list[str]:
        """Inputs and constants."""
        return [n for n, d in self._rows().items() if OPS[d["op"]].is_leaf]

    def inputs_nodes(self) -> list[str]:
        """The input leaves: the ones that receive gradients."""
        return [n for n, d in self._rows().items() if OPS[d["op"]].is_input]

    def missing_slots(self) -> list[tuple[str, int]]:
        """``(node, slot)`` for every empty input slot, in node order."""
        missing = []
        pred = self._links()[1]
        for node, data in self._rows().items():
            arity = OPS[data["op"]].arity
            if arity:
                filled = {k for keys in pred[node].values() for k in keys}
                if len(filled) < arity:
                    missing.extend((node, s) for s in range(arity) if s not in filled)
        return missing

    # ----------------------------------------------------------------- listening
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event, **details)`` after each change (see ``_emit`` calls)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def _emit(self, event: str, **details: Any) -> None:
        for listener in list(self._listeners):
            listener(event, **details)

    # ----------------------------------------------------------------- editing
    def add_node(self, node: str, op: str, value: Any = None, **attrs: Any) -> None:
        """Add ``node`` computing ``op``; leaves need a ``value`` (a number or nested list)."""
        self._check_new_id(node)
        spec = self._spec(op)
        data: dict[str, Any] = {"op": op, **attrs}
        if spec.is_leaf:
            if value is None:
                raise NodeError(f"{op} node {node!r} needs a value", (node,))
            data["value"] = self._as_value(node, value)
        elif value is not None:
            raise NodeError(f"{op} node {node!r} is computed; it cannot be given a value", (node,))
        self._g.add_node(node, **data)
        self._changed()
        self._emit("node_added", node=node)

    def remove_node(self, node: str) -> None:
        """Remove ``node`` and every edge touching it."""
        self._data(node)
        edges = [(u, v, k) for u, v, k in self._g.in_edges(node, keys=True)]
        edges += [(u, v, k) for u, v, k in self._g.out_edges(node, keys=True)]
        for src, dst, slot in edges:
            self.disconnect(src, dst, slot)
        self._g.remove_node(node)
        self._changed()
        self._emit("node_removed", node=node)

    def connect(self, src: str, dst: str, slot: int) -> None:
        """Feed ``src`` into input ``slot`` of ``dst``; refuses cycles and filled slots."""
        self.check_connect(src, dst, slot)
        self._g.add_edge(src, dst, key=slot)
        self._changed()
        self._emit("edge_added", edge=(src, dst, slot))

    def check_connect(self, src: str, dst: str, slot: int) -> None:
        """Raise the error :meth:`connect` would raise, without changing anything."""
        self._data(src)
        spec = self.op(dst)
        fed_by = None
        if type(slot) is int:
            fed_by = next((other for other, keys in self._g.pred[dst].items() if slot in keys),
                          None)
        error = rules.edge_error(dst, spec, slot, fed_by)
        if error is not None:
            raise error
        import networkx as nx

        if src == dst or nx.has_path(self._g, dst, src):
            raise rules.would_cycle_error(src, dst)

    def disconnect(self, src: str, dst: str, slot: int) -> None:
        """Remove the edge feeding ``src`` into ``slot`` of ``dst``."""
        if not self._g.has_edge(src, dst, key=slot):
            raise SlotError(f"there is no edge {src!r} → {dst!r} on slot {slot}", (src, dst))
        self._g.remove_edge(src, dst, key=slot)
        self._changed()
        self._emit("edge_removed", edge=(src, dst, slot))

    def set_value(self, node: str, value: Any) -> None:
        """Set a leaf's value. Not a structural change: the cached plan is kept."""
        data = self._data(node)
        if not OPS[data["op"]].is_leaf:
            raise NodeError(f"{node!r} is computed ({data['op']}); only inputs and constants "
                            "hold values", (node,))
        old = data["value"]
        new = self._as_value(node, value)
        data["value"] = new
        if getattr(old, "shape", ()) != getattr(new, "shape", ()):
            self._changed()  # a shape change can change how the plan runs
        self._emit("value_changed", node=node)

    def set_op(self, node: str, op: str, value: Any = None) -> None:
        """Change what ``node`` computes; its edges must still fit the new op's slots."""
        data = self._data(node)
        spec = self._spec(op)
        for _, keys in self._g.pred[node].items():
            for slot in keys:
                if slot >= spec.arity:
                    raise ArityError(f"{node!r} has an input on slot {slot}; {op} takes "
                                     f"{spec.arity}", (node,))
        if spec.is_leaf:
            data["value"] = self._as_value(node, 0.0 if value is None else value)
        else:
            data.pop("value", None)
        data["op"] = op
        self._changed()
        self._emit("op_changed", node=node)

    def rename(self, old: str, new: str) -> None:
        """Give node ``old`` the id ``new``, keeping its edges and their slots."""
        self._data(old)
        if new == old:
            return
        self._check_new_id(new)
        import networkx as nx

        nx.relabel_nodes(self._g, {old: new}, copy=False)
        self._changed()
        self._emit("node_renamed", old=old, new=new)

    def update_attrs(self, node: str, **attrs: Any) -> None:
        """Set display attributes (``label``, ``pos``...); ``None`` removes one."""
        self.update_many_attrs({node: attrs})

    def update_many_attrs(self, changes: Mapping[str, Mapping[str, Any]]) -> None:
        """Set display attributes of many nodes at once (a layout): one event for all."""
        for node, attrs in changes.items():
            data = self._data(node)
            for key, val in attrs.items():
                if key in _RESERVED:
                    raise NodeError(f"use set_op/set_value to change {key!r}", (node,))
                if val is None:
                    data.pop(key, None)
                else:
                    data[key] = val
        keys = tuple({k for attrs in changes.values() for k in attrs})
        self._emit("attrs_changed", nodes=tuple(changes), keys=keys)

    # ----------------------------------------------------------------- bulk
    @classmethod
    def from_parts(cls, nodes: Iterable[tuple[str, str, Any, Mapping[str, Any]]],
                   edges: Iterable[Edge]) -> Graph:
        """Build a graph from ``(id, op, value, attrs)`` rows and ``(src, dst, slot)`` edges.

        Checks the same rules as one call per node would, once, and compiles the plan (which
        finds cycles). For files of 100k nodes it fills networkx's adjacency dicts the way
        ``MultiDiGraph.add_edge`` does, which is about ten times faster than
        ``add_edges_from`` and its views.
        """
        nodes = nodes if type(nodes) is list else list(nodes)
        edges = edges if type(edges) is list else list(edges)
        fast = cls._from_good_parts(nodes, edges)
        if fast is not None:
            return fast
        # Something is wrong: go one row and one edge at a time, to say what.
        graph = cls()
        position: dict[str, int] = {}
        specs: list[OpSpec] = []
        rows: dict[str, dict[str, Any]] = {}
        for node, op, value, attrs in nodes:
            if node in position:
                raise NodeError(f"node id {node!r} is used twice", (node,))
            if type(node) is not str or not node:
                raise NodeError(f"a node id must be a non-empty string, not {node!r}")
            spec = OPS.get(op) if type(op) is str else None
            if spec is None:
                graph._spec(op)  # raises OpError with the known ops
            position[node] = len(specs)
            specs.append(spec)
            data = {"op": op, **attrs} if attrs else {"op": op}
            if spec.arity == 0:
                if value is None:
                    raise NodeError(f"{op} node {node!r} needs a value", (node,))
                data["value"] = graph._as_value(node, value)
            elif value is not None:
                raise NodeError(f"{op} node {node!r} is computed; it cannot be given a value",
                                (node,))
            rows[node] = data
        args = [[-1] * spec.arity for spec in specs]
        checked: list[Edge] = []
        in_order = True  # every edge points from an earlier row to a later one
        for src, dst, slot in edges:
            i, j = position.get(src), position.get(dst)
            if i is None or j is None:
                raise rules.unknown_node_error(src if i is None else dst)
            slots = args[j]
            if type(slot) is not int or not 0 <= slot < len(slots) or slots[slot] != -1:
                # the slow path, only to say which rule: a leaf, a bad slot, a slot taken
                fed = slots[slot] if type(slot) is int and 0 <= slot < len(slots) else -1
                error = rules.edge_error(dst, specs[j], slot, list(rows)[fed] if fed >= 0 else None)
                raise error if error is not None else AssertionError(slot)
            slots[slot] = i
            if i >= j:
                in_order = False
            checked.append((src, dst, slot))
        graph._pending = _Parts([], None, checked, position, {}, rows)  # networkx on first need
        graph._changed()
        if in_order:  # rows already in topological order (always so for .expr files)
            graph._plan = Plan(list(rows), specs, args, position)
            graph._plan_version = graph._version
        else:
            graph.plan()  # sorts topologically: raises CycleError on a cycle
        return graph

    @classmethod
    def from_parsed(cls, nodes: list[tuple[str, str, Any, Mapping[str, Any]]],
                    edges: list[Edge]) -> Graph:
        """:meth:`from_parts` for rows and edges as the ``.expr`` reader makes them, which
        hold by construction what :meth:`from_parts` checks: ids unique, ops known, values on
        the leaves only, every node's edges right after it in slot order, from nodes before
        it. Goes from them to the plan in a few whole-list steps (the checks cost as much as
        the rest). Anything else must go through :meth:`from_parts`."""
        ids = list(map(_ID, nodes))
        position = dict(zip(ids, range(len(ids)), strict=True))
        ops = list(map(_OP, nodes))
        specs = list(map(OPS.__getitem__, ops))
        arity = list(map(_ARITY, specs))
        leaf_values = {node: as_leaf(value) for node, _, value, _
                       in compress(nodes, map(operator.not_, arity))}
        src = list(map(position.__getitem__, map(_ID, edges)))
        ends = list(accumulate(arity))
        if len(src) != (ends[-1] if ends else 0):
            raise ArityError(f"{len(src)} edges for ops taking {ends[-1] if ends else 0} "
                             "inputs in all: not rows as the .expr reader makes them")
        args = list(map(src.__getitem__, map(slice, [0, *ends[:-1]], ends)))
        parts = _Parts(ops, list(map(_ATTRS, nodes)), edges, position, leaf_values)
        return cls._read(parts, Plan(ids, specs, args, position))

    @classmethod
    def from_columns(cls, ids: list[str], ops: list[str], leaf_values: dict[str, float],
                     args: list[Sequence[int]], position: dict[str, int]) -> Graph:
        """A graph from columns a reader has checked (as :meth:`from_parsed` trusts its rows):
        node ids in topological order, their op names, the leaves' values (Python floats),
        each node's input rows by slot (as many as its op takes) and ``{id: row}``. Nothing
        is made per edge until the edges are first read by name (``graphapp grad`` never
        does)."""
        parts = _Parts(ops, None, None, position, leaf_values, args=args)
        return cls._read(parts, Plan(ids, list(map(OPS.__getitem__, ops)), args, position))

    @classmethod
    def _read(cls, parts: _Parts, plan: Plan) -> Graph:
        """A graph of ``parts`` (networkx on first need) whose plan is already compiled."""
        graph = cls()
        graph._pending = parts
        graph._changed()
        graph._plan = plan
        graph._plan_version = graph._version
        return graph

    @classmethod
    def _from_good_parts(cls, nodes: list[tuple[str, str, Any, Mapping[str, Any]]],
                         edges: list[Edge]) -> Graph | None:
        """:meth:`from_parts` in bulk steps (comprehensions rather than one check at a time):
        ``None`` when any rule is broken, for the careful path to name it."""
        ids = [row[0] for row in nodes]
        position = dict(zip(ids, range(len(ids)), strict=True))
        if len(position) != len(nodes) or not all(type(n) is str and n for n in ids):
            return None
        try:
            if not {op for _, op, _, _ in nodes} <= OPS.keys():
                return None
        except TypeError:  # an unhashable op
            return None
        specs = [OPS[op] for _, op, _, _ in nodes]
        arity = [spec.arity for spec in specs]
        leaves = [i for i, a in enumerate(arity) if not a]
        if [i for i, row in enumerate(nodes) if row[2] is not None] != leaves:
            return None  # a leaf without a value, or a computed node with one
        leaf_values = {}
        for i in leaves:
            node, _, value, _ = nodes[i]
            try:
                leaf_values[node] = as_leaf(value)  # a float stays one: no numpy for scalars
            except ValueError:
                return None
        try:
            src = list(map(position.__getitem__, [s for s, _, _ in edges]))
        except (KeyError, TypeError):
            return None
        args = _grouped_args(ids, arity, src, edges)
        if args is None:  # edges in another order: slot by slot
            try:
                dst = list(map(position.__getitem__, [d for _, d, _ in edges]))
            except (KeyError, TypeError):
                return None
            args = [[-1] * a for a in arity]
            for i, j, (_, _, k) in zip(src, dst, edges, strict=True):
                slots = args[j]
                if type(k) is not int or not 0 <= k < len(slots) or slots[k] != -1:
                    return None
                slots[k] = i
        else:
            dst = list(chain.from_iterable(map(repeat, range(len(arity)), arity)))
        graph = cls()
        graph._pending = _Parts([op for _, op, _, _ in nodes], list(map(_ATTRS, nodes)), edges,
                                position, leaf_values)  # networkx on first need
        graph._changed()
        if all(map(int.__lt__, src, dst)):  # rows in topological order
            graph._plan = Plan(ids, specs, args, position)
            graph._plan_version = graph._version
        else:
            graph.plan()  # sorts topologically: raises CycleError on a cycle
        return graph

    def copy(self) -> Graph:
        """An independent copy (values are shared arrays; they are never changed in place)."""
        other = Graph()
        parts = self._pending
        if parts is not None:  # not built yet: neither is the copy
            rows = {node: dict(data) for node, data in self._rows().items()}
            other._pending = _Parts([], None, list(parts.edges), dict(parts.position), {}, rows)
        else:
            other._g = self._g.copy()
        other._changed()
        return other

    def validate(self) -> None:
        """Raise :class:`SlotError` if any computed node has an empty input slot."""
        missing = self.missing_slots()
        if missing:
            node, slot = missing[0]
            raise rules.empty_slot_error(node, self.op(node), slot, len(missing) - 1)

    # ----------------------------------------------------------------- plan cache
    def plan(self) -> Plan:
        """The compiled :class:`~graphapp.engine.plan.Plan`, rebuilt only after a structural
        change (raises :class:`CycleError` if the graph has a cycle)."""
        if self._plan is None or self._plan_version != self._version:
            succ, pred = self._links()
            order = adjacency.topological_order(succ, pred)
            index = {node: i for i, node in enumerate(order)}
            rows = self._rows()
            specs = [OPS[rows[node]["op"]] for node in order]
            args = adjacency.slot_sources(pred, order, index, [s.arity for s in specs])
            self._plan = Plan(order, specs, args, index)
            self._plan_version = self._version
        return self._plan

    def values_of(self, nodes: Sequence[str]) -> list[Value]:
        """The values of the leaves ``nodes``, in that order (what a plan runs on). A scalar
        read in bulk and not set since is a Python float (see
        :func:`~graphapp.engine.values.as_leaf`); :meth:`value` gives ``numpy.float64``."""
        parts = self._pending
        if parts is not None and parts.rows is None:  # a bulk read not yet edited
            leaf_values = parts.leaf_values
            return [leaf_values[node] for node in nodes]
        rows = self._rows()
        return [rows[node]["value"] for node in nodes]

    # ----------------------------------------------------------------- helpers
    def _changed(self) -> None:
        self._version += 1

    def _data(self, node: str) -> dict[str, Any]:
        try:
            return self._rows()[node]  # no view per call
        except KeyError:
            raise NodeError(f"no node {node!r}", (node,)) from None

    def _check_new_id(self, node: str) -> None:
        if not isinstance(node, str) or not node:
            raise NodeError(f"a node id must be a non-empty string, not {node!r}")
        if node in self._rows():
            raise NodeError(f"node id {node!r} is already taken", (node,))

    @staticmethod
    def _spec(op: str) -> OpSpec:
        try:
            return OPS[op]
        except (KeyError, TypeError):
            raise OpError(f"unknown op {op!r}; known ops: {', '.join(OPS)}") from None

    @staticmethod
    def _as_value(node: str, value: Any) -> Value:
        try:
            return as_value(value)
        except ValueError as exc:
            raise NodeError(f"bad value for {node!r}: {exc}", (node,)) from None
