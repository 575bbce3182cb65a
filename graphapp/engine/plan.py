"""A graph compiled for running, and what running it gives: forward values, reverse-mode
gradients with per-edge local derivatives, and forward-mode tangents.

:meth:`Graph.plan() <graphapp.engine.graph.Graph.plan>` builds a :class:`Plan` once per
structural change (topological order, which node feeds which slot, level batches) and caches
it; a value edit re-runs the same plan. This module depends on the op table and on values
only: it never sees networkx, and reads leaf values through :class:`ValueSource`.

Caveats, up front:

* Nothing here recurses: a 100,000-node chain is as fine as a 10-node one.
* Maths never raises. Everything runs under ``numpy.errstate(all="ignore")``: ``log(-1)`` is
  nan, ``1/0`` is inf, and :attr:`Forward.nonfinite` names the first node that went non-finite.
  Shapes that do not fit raise :class:`~graphapp.engine.errors.EvaluationError`.
* Constants are not differentiated: their gradient, and what their out-edges carry, is ``None``.
* For an output that is an array, gradients are those of the sum of its elements.
* A graph made only of scalars and element-wise ops runs in one of two modes. When its levels
  are wide, *batched*: nodes at the same depth with the same op are computed in one numpy call.
  Otherwise (a deep chain) *scalar*: node by node on Python floats with the op table's
  :mod:`math` rules, numpy only where :mod:`math` raises (so ``log(-1)`` is still nan). Graphs
  with arrays, or ops that are not element-wise, run node by node on numpy values (*nodes*).
  All give the same numbers (to an ulp or two: numpy's ``tanh`` rounds apart from C's); the
  first two are what make a value edit on a 100k-node graph, wide or deep, fast.
* A scalar run, and reading its results as lists (:meth:`Forward.value_list`,
  :meth:`Backward.grad_list`, :meth:`Backward.edge_columns`), import no numpy (it is imported
  lazily: :mod:`graphapp.engine.lazy_numpy`), unless :mod:`math` raised somewhere or a node
  cannot be computed; that is most of ``graphapp grad``'s start-up on a small graph. Reading
  one value through :attr:`Forward.values` gives a ``numpy.float64``, and so imports it.

>>> from graphapp.engine.ops import OPS
>>> class Leaves:  # anything with values_of() can feed a plan; usually a Graph
...     def values_of(self, nodes): return [np.float64(3.0) for _ in nodes]
>>> plan = Plan(["x", "y"], [OPS["input"], OPS["mul"]], [(), (0, 0)])
>>> fwd = plan.forward(Leaves())
>>> float(fwd.values["y"]), float(plan.backward(fwd, "y").grads["x"])
(9.0, 6.0)
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from graphapp.engine.errors import EvaluationError, GraphError, NodeError
from graphapp.engine.lazy_numpy import loaded, np
from graphapp.engine.limits import oversized
from graphapp.engine.ops import OPS, OpSpec, call_scalar, local_scalar
from graphapp.engine.values import Value, as_leaf, as_value, shape_of, tidy, unbroadcast

__all__ = [
    "JACOBIAN_LIMIT",
    "MIN_BATCH",
    "MODES",
    "Backward",
    "EdgeGrad",
    "Forward",
    "NonFinite",
    "Plan",
    "Tangents",
    "ValueSource",
]


class ValueSource(Protocol):
    """Where a plan reads its leaves' values from (a :class:`~graphapp.engine.graph.Graph`)."""

    def values_of(self, nodes: Sequence[str]) -> list[Value]:
        """The values of the leaves ``nodes``, in that order, as a new list (a scalar may
        also be a Python float: see :func:`~graphapp.engine.values.as_leaf`)."""
        ...


#: Tensor edges whose Jacobian has more entries than this report ``local`` as ``None``.
JACOBIAN_LIMIT = 4096
#: Batched mode pays off when a (depth, op) group holds at least this many nodes on average.
MIN_BATCH = 8


@dataclass(frozen=True)
class NonFinite:
    """The first node (in topological order) whose value is nan or inf, and why."""

    node: str
    op: str
    value: float
    message: str


@dataclass(frozen=True)
class EdgeGrad:
    """What one edge carries back: ∂dst/∂src and the gradient flowing to src along it."""

    local: Value | None
    accumulated: Value | None


@dataclass(frozen=True)
class _Batch:
    spec: OpSpec
    out: np.ndarray  # node indices computed by this batch
    args: tuple[np.ndarray, ...]  # one index array per input slot


_ARITY = operator.attrgetter("arity")
_CONSTANT = operator.attrgetter("constant")
_NAME = operator.attrgetter("name")

#: How a forward pass ran (see the module's caveats).
MODES = ("batched", "scalar", "nodes")


class _IndexedView(Mapping):
    """A read-only ``{node id: value}`` view over a list or array indexed like the plan."""

    def __init__(self, index: dict[str, int], data: Any, skip: Any = None) -> None:
        self._index = index
        self._data = data
        self._skip = skip  # indices whose entry reads as None

    def __getitem__(self, node: str) -> Any:
        i = self._index[node]
        if self._skip is not None and self._skip[i]:
            return None
        return self._data[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class _FloatView(_IndexedView):
    """An :class:`_IndexedView` over Python floats that reads them as ``numpy.float64`` (node
    values are float64, whose maths follows IEEE: ``1/v`` is inf, not an exception)."""

    def __getitem__(self, node: str) -> Any:
        v = super().__getitem__(node)
        return None if v is None else np.float64(v)


def _nonfinite_cause(spec: OpSpec, first: float, inputs: list[Any]) -> str:
    """Why finite inputs gave nan or inf, in words ("" when an input was not finite)."""
    if all(type(v) is float for v in inputs):  # a scalar run: no numpy needed
        finite = all(math.isfinite(v) for v in inputs)
        zero = any(v == 0.0 for v in inputs)
    else:
        with np.errstate(all="ignore"):
            finite = all(np.all(np.isfinite(v)) for v in inputs)
            zero = any(np.any(np.asarray(v) == 0) for v in inputs)
    if not finite:
        return ""
    if math.isnan(first):
        return spec.domain or "an undefined result"
    if spec.pole and zero:
        return spec.pole
    return "overflow: beyond ±1.8e308, the largest float"


def _shape_words(v: Any) -> str:
    shape = shape_of(v)
    return "a scalar" if not shape else f"shape ({', '.join(map(str, shape))})"


def _explain_failure(spec: OpSpec, inputs: list[Any], exc: Exception) -> str:
    """Why an op could not combine its inputs, in words rather than numpy's."""
    shapes = " and ".join(_shape_words(v) for v in inputs)
    if spec.name == "matmul":
        return (f"matmul needs arrays whose inner sizes match (a vector or matrix on each "
                f"side); got {shapes}")
    if "broadcast" in str(exc):
        return f"{spec.name} cannot combine {shapes}: the shapes do not broadcast"
    return f"{spec.name} failed on {shapes}: {str(exc).split(';')[0].strip()}"


class Plan:
    """A graph compiled for running: topological order and one call list.

    Built by :meth:`Graph.plan` once per structural change, from plain lists (see
    :meth:`__init__`); running it again after a value edit
    reuses everything here. Nodes with an empty input slot (and everything downstream of them)
    are listed in :attr:`incomplete` and left out, so a half-built graph still shows what it can.
    """

    def __init__(self, order: list[str], specs: list[OpSpec], args: list[Sequence[int]],
                 index: dict[str, int] | None = None) -> None:
        """A plan from nodes in topological ``order``, their ops, and for each node the plan
        index feeding each input slot (-1 for an empty slot). See :meth:`compile`."""
        n = len(order)
        incomplete = [False] * n
        arity = list(map(_ARITY, specs))
        gaps = -1 in itertools.chain.from_iterable(args)
        if gaps:  # an empty slot: mark it and all downstream
            for i, slots in enumerate(args):
                if slots and (-1 in slots or any(incomplete[j] for j in slots)):
                    incomplete[i] = True
            computed: Any = map(operator.and_, map(bool, arity),
                                map(operator.not_, incomplete))
        else:
            computed = arity
        self.order: list[str] = order
        self.index: dict[str, int] = index or {node: i for i, node in enumerate(order)}
        self.specs = specs
        self.args = args
        #: Nodes that cannot be computed because an input slot upstream is empty.
        self.incomplete: frozenset[str] = (frozenset(itertools.compress(order, incomplete))
                                           if gaps else frozenset())
        self.leaves = list(itertools.compress(range(n), map(operator.not_, arity)))
        self.leaf_names = [order[i] for i in self.leaves]
        #: Plan indices of the constants (they get no gradient).
        self.constants = [i for i in self.leaves if specs[i].constant]
        # Python lists, and the numpy masks made from them on first use (a scalar graph on
        # the command line never needs numpy: see graphapp.engine.lazy_numpy).
        self._incomplete_flags = incomplete
        self._const_flags = list(map(_CONSTANT, specs))
        self._incomplete_mask: np.ndarray | None = None
        self._const_mask: np.ndarray | None = None
        # (node, spec, input indices) of every node to compute, in order (whole-list steps)
        self.steps = list(itertools.compress(zip(range(n), specs, args, strict=True), computed))
        self._reach: dict[int, bytearray] = {}
        self._reach_masks: dict[int, np.ndarray] = {}
        self._batches: list[_Batch] | None = None
        self._edges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._names: np.ndarray | None = None
        self._lists: tuple[list[int], ...] | None = None
        self._batchable = all(OPS[name].elementwise for name in dict.fromkeys(
            map(_NAME, map(operator.itemgetter(1), self.steps))))
        self._scalar_steps: list[tuple[int, Any, int, int, OpSpec]] | None = None
        self._is_wide: bool | None = None
        self._groups: list[tuple[str, np.ndarray]] | None = None
        self._columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._scalar_back: dict[int, tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}

    # ----------------------------------------------------------------- structure
    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All edges as index arrays ``(src, dst, slot)``, ordered by ``dst`` then slot."""
        if self._edges is None and self._columns is not None and not self.incomplete:
            # a batched run made the steps' index columns (every computed node, one or two
            # inputs): the edges are those, slot 0 and slot 1 interleaved by node
            node, first, second = self._columns
            two = second >= 0
            at = np.arange(len(node)) + np.cumsum(two) - two  # each node's slot-0 edge
            src = np.empty(len(node) + int(two.sum()), dtype=np.intp)
            dst, slot = np.empty_like(src), np.zeros_like(src)
            src[at], dst[at] = first, node
            src[at[two] + 1], dst[at[two] + 1], slot[at[two] + 1] = second[two], node[two], 1
            self._edges = (src, dst, slot)
        if self._edges is None:
            counts = np.fromiter(map(len, self.args), dtype=np.intp, count=len(self.args))
            total = int(counts.sum())
            src = np.fromiter(itertools.chain.from_iterable(self.args), dtype=np.intp,
                              count=total)
            dst = np.repeat(np.arange(len(self.args), dtype=np.intp), counts)
            slot = np.arange(total, dtype=np.intp) - np.repeat(np.cumsum(counts) - counts,
                                                                counts)
            filled = src >= 0  # empty slots are not edges
            if not filled.all():
                src, dst, slot = src[filled], dst[filled], slot[filled]
            self._edges = (src, dst, slot)
        return self._edges

    def _edge_lists(self) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
        """All edges as Python lists (:meth:`edge_arrays` without numpy, for scalar runs):
        ``src, dst, slot``, each edge's place in per-slot lists laid end to end
        (``dst + slot × nodes``), and the edges that leave a constant. Built once."""
        if self._lists is None:
            n = len(self.order)
            edges = [(s, d, k) for d, args in enumerate(self.args) for k, s in enumerate(args)
                     if s >= 0]
            src = [e[0] for e in edges]
            dst = [e[1] for e in edges]
            slot = [e[2] for e in edges]
            flat = [d + k * n for _, d, k in edges]
            const = self._const_flags
            from_constant = [e for e, s in enumerate(src) if const[s]]
            self._lists = (src, dst, slot, flat, from_constant)
        return self._lists

    def order_array(self) -> np.ndarray:
        """Node ids in plan order as a numpy object array, for gathering names by index."""
        if self._names is None:
            self._names = np.array(self.order, dtype=object)
        return self._names

    @property
    def incomplete_mask(self) -> np.ndarray:
        """Boolean mask over plan indices: the nodes of :attr:`incomplete`."""
        if self._incomplete_mask is None:
            self._incomplete_mask = np.array(self._incomplete_flags, dtype=bool)
        return self._incomplete_mask

    @property
    def const_mask(self) -> np.ndarray:
        """Boolean mask over plan indices: the constants."""
        if self._const_mask is None:
            self._const_mask = np.array(self._const_flags, dtype=bool)
        return self._const_mask

    def reaches(self, output: str) -> np.ndarray:
        """Boolean mask over plan indices: which nodes have a path to ``output`` (itself too)."""
        o = self._node_index(output)
        if o not in self._reach_masks:
            self._reach_masks[o] = np.frombuffer(bytes(self._reach_flags(o)),
                                                 dtype=np.bool_).copy()
        return self._reach_masks[o]

    def _reach_flags(self, o: int) -> bytearray:
        """:meth:`reaches` as Python-speed flags (1 for a node with a path to node ``o``)."""
        if o not in self._reach:
            seen = bytearray(len(self.order))
            seen[o] = 1
            stack = [o]
            args = self.args
            while stack:
                for j in args[stack.pop()]:
                    if j >= 0 and not seen[j]:
                        seen[j] = 1
                        stack.append(j)
            self._reach[o] = seen
        return self._reach[o]

    def batches(self) -> list[_Batch]:
        """Groups of same-op nodes at the same depth, in an order that respects dependencies."""
        if self._batches is None:
            groups = self._level_groups(None)
            node, first, second = self._program_columns()
            self._batches = [_Batch(OPS[name], node[rows],
                                    (first[rows],) if OPS[name].arity == 1 else
                                    (first[rows], second[rows]))
                             for name, rows in groups]
        return self._batches

    def _level_groups(self, limit: float | None) -> list[tuple[str, np.ndarray]] | None:
        """The steps grouped by (depth, op), in order of depth then op name: each group's op
        and its rows of :meth:`_scalar_program` (ascending). ``None`` as soon as there are
        more than ``limit`` groups (a deep chain needs only its first nodes to tell). Depths
        are found in one tight loop, the grouping by numpy; a complete grouping is kept for
        :meth:`batches`."""
        if self._groups is not None:
            return self._groups
        program = self._scalar_program()
        depth = [0] * (len(self.order) + 1)  # the last entry, depth[-1], stands for "no input"
        cap = math.inf if limit is None else limit  # each depth holds one group at least
        for i, _, a, b, _ in program:
            d = depth[a]
            e = depth[b]
            d = (d if d > e else e) + 1
            depth[i] = d
            if d > cap:
                return None
        if not program:
            self._groups = []
            return self._groups
        names = sorted({row[4].name for row in program})
        code = {name: k for k, name in enumerate(names)}
        key = np.array(depth, dtype=np.intp)[self._program_columns()[0]] * len(names)
        key += np.array([code[row[4].name] for row in program], dtype=np.intp)
        rows = np.argsort(key, kind="stable")  # stable: each group's rows stay ascending
        ordered = key[rows]
        cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        if limit is not None and len(cuts) + 1 > limit:
            return None
        starts = [0, *cuts.tolist()]
        self._groups = [(names[int(ordered[s]) % len(names)], rows[s:e])
                        for s, e in zip(starts, [*starts[1:], len(rows)], strict=True)]
        return self._groups

    def runs_on_floats(self, graph: ValueSource) -> bool:
        """True when a forward and backward pass on ``graph``'s values run node by node on
        Python floats with every slot filled: their results read without numpy (see
        :attr:`Forward.plain`). Telling may import numpy (to group the levels of a wide
        graph): the window asks before it imports Qt, whose import hook makes every module
        imported after it cost more."""
        return not self.incomplete and self._mode(graph.values_of(self.leaf_names),
                                                  None) == "scalar"

    def use_batched(self, leaf_values: list[Value]) -> bool:
        """Batched mode needs only scalars and element-wise ops, and wide enough levels."""
        return self._mode(leaf_values, None) == "batched"

    def _mode(self, leaf_values: list[Value], batched: bool | None) -> str:
        """``batched`` or ``scalar`` for graphs of scalars and element-wise ops (batched when
        asked, or by default when the levels are wide), else ``nodes``."""
        if not self._batchable or not self.steps:
            return "nodes"
        if loaded() and any(type(v) is np.ndarray for v in leaf_values):  # no numpy: no arrays
            return "nodes"
        if batched is None:
            batched = self._wide()
        return "batched" if batched else "scalar"

    def _wide(self) -> bool:
        """Whether the (depth, op) groups hold at least MIN_BATCH nodes on average. Found once
        per plan, and given up on as soon as there are too many groups (a deep chain needs
        only the first eighth of its nodes to tell)."""
        if self._is_wide is None:
            self._is_wide = self._level_groups(len(self.steps) / MIN_BATCH) is not None
        return self._is_wide

    def _scalar_program(self) -> list[tuple[int, Any, int, int, OpSpec]]:
        """The steps as ``(node, float forward, input a, input b or -1, spec)``, built once."""
        if self._scalar_steps is None:
            self._scalar_steps = [(i, spec.scalar, args[0], args[1] if len(args) > 1 else -1,
                                   spec) for i, spec, args in self.steps]
        return self._scalar_steps

    def _program_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_scalar_program` as index arrays: each step's node, first input and second
        input (-1 when it has none), for gathering level batches."""
        if self._columns is None:
            program = self._scalar_program()
            self._columns = tuple(np.fromiter(map(operator.itemgetter(k), program),
                                              dtype=np.intp, count=len(program))
                                  for k in (0, 2, 3))
        return self._columns

    def _scalar_backward_program(self, o: int, reach: bytearray) -> tuple[list, list]:
        """For output ``o``: the steps that reach it, last first, as ``(node, local a, local b
        or None, a, b or -1, spec)``, and the same for the steps that do not (their local
        derivatives are shown too, but they carry nothing). Built once per output."""
        if o not in self._scalar_back:
            reached, others = [], []
            for i, spec, args in reversed(self.steps):
                local = spec.scalar_local
                row = (i, local[0], local[1] if len(local) > 1 else None, args[0],
                       args[1] if len(args) > 1 else -1, spec)
                (reached if reach[i] else others).append(row)
            self._scalar_back[o] = (reached, others)
        return self._scalar_back[o]

    # ----------------------------------------------------------------- forward
    def forward(self, graph: ValueSource, overrides: Mapping[str, Any] | None = None,
                batched: bool | None = None, mode: str | None = None) -> Forward:
        """Every node's value. ``overrides`` replaces leaf values for this run only.

        By default the plan picks its mode (see the module's caveats); ``batched=False`` runs
        node by node (on floats when it can), and ``mode`` forces one of :data:`MODES` (tests
        compare them; ``batched`` and ``scalar`` need a graph of scalars and element-wise ops).
        """
        leaf_values = graph.values_of(self.leaf_names)
        if overrides:
            for node, val in overrides.items():
                i = self._node_index(node)
                if self.specs[i].arity:
                    raise NodeError(f"{node!r} is computed; only inputs and constants can be set",
                                    (node,))
                leaf_values[self.leaves.index(i)] = as_leaf(val)
        if mode is None:
            mode = self._mode(leaf_values, batched)
        elif mode not in MODES or (mode != "nodes" and self._mode(leaf_values, False) == "nodes"):
            raise ValueError(f"mode {mode!r} cannot run this plan (modes: {', '.join(MODES)})")
        failures: dict[int, str] = {}
        if mode == "scalar":  # Python floats: no numpy state to set
            values: Any = self._forward_scalar(leaf_values)
        else:
            with np.errstate(all="ignore"):
                if mode == "batched":
                    values = self._forward_batched(leaf_values)
                else:
                    values, failures = self._forward_nodes(leaf_values)
        return Forward(self, values, mode, failures)

    def _forward_scalar(self, leaf_values: list[Value]) -> list[float]:
        vals = [0.0] * len(self.order)  # nodes that cannot be computed stay 0, masked later
        for i, v in zip(self.leaves, leaf_values, strict=True):
            vals[i] = float(v)
        for i, fn, a, b, spec in self._scalar_program():
            try:
                vals[i] = fn(vals[a]) if b < 0 else fn(vals[a], vals[b])
            except (ArithmeticError, ValueError):  # where numpy gives nan or inf
                vals[i] = call_scalar(spec, vals[a]) if b < 0 else call_scalar(
                    spec, vals[a], vals[b])
        return vals

    def _forward_nodes(self, leaf_values: list[Value]) -> tuple[list[Value | None],
                                                                  dict[int, str]]:
        vals: list[Any] = [None] * len(self.order)
        failures: dict[int, str] = {}
        for i, v in zip(self.leaves, leaf_values, strict=True):
            vals[i] = np.float64(v) if type(v) is float else v  # numpy's IEEE maths (1/0 = inf)
        for i, spec, args in self.steps:
            ins = [vals[j] for j in args]
            if any(v is None for v in ins):  # failed upstream: no value here either
                continue
            too_big = oversized(spec, ins) if spec.arity == 2 else None
            if too_big is not None:  # refused from the shapes, before numpy allocates
                failures[i] = too_big
                continue
            try:
                vals[i] = tidy(spec.forward(*ins))
            except (ValueError, TypeError) as exc:
                failures[i] = _explain_failure(spec, ins, exc)
        return vals, failures

    def _forward_batched(self, leaf_values: list[Value]) -> np.ndarray:
        vals = np.full(len(self.order), np.nan)
        vals[self.leaves] = np.array(leaf_values, dtype=np.float64) if leaf_values else []
        for b in self.batches():
            vals[b.out] = b.spec.forward(*[vals[a] for a in b.args])
        return vals

    # ----------------------------------------------------------------- backward
    def backward(self, fwd: Forward, output: str) -> Backward:
        """Gradients of ``output`` with respect to every node, and what each edge carries."""
        o = self._node_index(output)
        if output in self.incomplete:
            raise GraphError(f"{output!r} cannot be computed: an input slot upstream is empty",
                             (output,))
        if fwd.missing is not None and fwd.missing[o]:
            node, why = fwd.root_failure(output)
            raise EvaluationError(node, why)
        if fwd.mode == "scalar":
            return self._backward_scalar(fwd, o, self._reach_flags(o))
        reach = self.reaches(output)
        with np.errstate(all="ignore"):
            if fwd.mode == "batched":
                return self._backward_batched(fwd, o, reach)
            return self._backward_nodes(fwd, o, reach)

    def _backward_scalar(self, fwd: Forward, o: int, reach: bytearray) -> Backward:
        vals = fwd._values
        n = len(vals)
        grads = [0.0] * n
        grads[o] = 1.0
        loc0, loc1, acc0, acc1 = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
        reached, others = self._scalar_backward_program(o, reach)
        for i, d0, d1, a, b, spec in reached:
            g = grads[i]
            out = vals[i]
            x = vals[a]
            if d1 is None:
                try:
                    loc = d0(out, x)
                except (ArithmeticError, ValueError):
                    loc = local_scalar(spec, 0, out, x)
                loc0[i] = loc
                acc0[i] = c = g * loc
                grads[a] += c
                continue
            y = vals[b]
            try:
                la = d0(out, x, y)
            except (ArithmeticError, ValueError):
                la = local_scalar(spec, 0, out, x, y)
            try:
                lb = d1(out, x, y)
            except (ArithmeticError, ValueError):
                lb = local_scalar(spec, 1, out, x, y)
            loc0[i] = la
            loc1[i] = lb
            acc0[i] = c = g * la
            grads[a] += c
            acc1[i] = c = g * lb
            grads[b] += c
        for i, _, _, a, b, spec in others:  # shown, but carrying nothing
            ins = (vals[a],) if b < 0 else (vals[a], vals[b])
            loc0[i] = local_scalar(spec, 0, vals[i], *ins)
            if b >= 0:
                loc1[i] = local_scalar(spec, 1, vals[i], *ins)
        return Backward(self, fwd, self.order[o], grads, (loc0, loc1), (acc0, acc1), reach)

    def _backward_nodes(self, fwd: Forward, o: int, reach: np.ndarray) -> Backward:
        vals = fwd._values
        grads: list[Any] = [None] * len(self.order)
        out_val = vals[o]
        grads[o] = np.ones_like(out_val) if type(out_val) is np.ndarray else np.float64(1.0)
        local: dict[int, tuple[Any, ...]] = {}
        acc: dict[int, tuple[Any, ...]] = {}
        for i, spec, args in reversed(self.steps):
            g = grads[i]
            if g is None or not reach[i]:
                continue
            out = vals[i]
            ins = [vals[j] for j in args]
            if type(out) is not np.ndarray:
                # Scalar output: the VJP is linear in g, so local = VJP(1) and the edge carries
                # g × local, exactly the product the display shows.
                locs = tuple(tidy(rule(1.0, out, *ins)) for rule in spec.vjp)
                local[i] = locs
                contrib = tuple(g * loc for loc in locs)
            else:
                contrib = tuple(unbroadcast(rule(g, out, *ins), shape_of(x))
                                for rule, x in zip(spec.vjp, ins, strict=True))
            acc[i] = contrib
            for j, c in zip(args, contrib, strict=True):
                prev = grads[j]
                grads[j] = c if prev is None else prev + c
        for i, v in enumerate(vals):
            if grads[i] is None and v is not None:
                grads[i] = np.zeros_like(v) if type(v) is np.ndarray else np.float64(0.0)
        return Backward(self, fwd, self.order[o], grads, local, acc, reach)

    def _backward_batched(self, fwd: Forward, o: int, reach: np.ndarray) -> Backward:
        vals = fwd._values
        n = len(self.order)
        grads = np.zeros(n)
        grads[o] = 1.0
        local = np.zeros((n, 2))
        acc = np.zeros((n, 2))
        all_reach = bool(reach[self.incomplete_mask == 0].all())
        for b in reversed(self.batches()):
            g = grads[b.out]
            if not all_reach:
                g = np.where(reach[b.out], g, 0.0)
            out = vals[b.out]
            ins = [vals[a] for a in b.args]
            for s, (rule, a) in enumerate(zip(b.spec.vjp, b.args, strict=True)):
                loc = rule(1.0, out, *ins)
                local[b.out, s] = loc
                c = g * loc
                if not all_reach:
                    c = np.where(reach[b.out], c, 0.0)  # 0 × inf would be nan
                acc[b.out, s] = c
                np.add.at(grads, a, c)
        return Backward(self, fwd, self.order[o], grads, local, acc, reach)

    # ----------------------------------------------------------------- tangents
    def tangents(self, fwd: Forward, wrt: str, direction: Any = None,
                 only_edge: tuple[str, str, int] | None = None) -> Tangents:
        """Forward mode: d node / d ``wrt`` (times ``direction``) for every node.

        With ``only_edge=(wrt, dst, slot)`` the change of ``wrt`` is let through that one edge
        only, so the tangents are the *partial* derivatives along it; without, they are totals.
        """
        w = self._node_index(wrt)
        vals = fwd._numpy_values()
        wval = vals[w]
        if direction is None:
            if type(wval) is np.ndarray and wval.size != 1:
                raise ValueError(f"{wrt!r} is an array of shape {wval.shape}: give a direction")
            direction = np.ones_like(wval) if type(wval) is np.ndarray else 1.0
        seed = as_value(direction)
        if shape_of(seed) != shape_of(wval):
            seed = tidy(np.broadcast_to(seed, shape_of(wval)).copy())
        edge_filter = None
        if only_edge is not None:
            src, dst, slot = only_edge
            if src != wrt:
                raise ValueError(f"only_edge must leave {wrt!r}, not {src!r}")
            edge_filter = (self._node_index(dst), slot)
        tans: list[Any] = [None] * len(self.order)
        tans[w] = seed
        with np.errstate(all="ignore"):
            for i, spec, args in self.steps:
                if i == w:
                    continue
                total = None
                for s, (rule, j) in enumerate(zip(spec.jvp, args, strict=True)):
                    t = tans[j]
                    if t is None or (j == w and edge_filter is not None
                                     and edge_filter != (i, s)):
                        continue
                    c = rule(t, vals[i], *[vals[k] for k in args])
                    total = c if total is None else total + c
                if total is not None:
                    out_shape = shape_of(vals[i])
                    if shape_of(total) != out_shape:
                        total = np.broadcast_to(total, out_shape).copy()
                    tans[i] = tidy(total)
        for i, v in enumerate(vals):
            if tans[i] is None and v is not None:
                tans[i] = np.zeros_like(v) if type(v) is np.ndarray else np.float64(0.0)
        return Tangents(wrt, _IndexedView(self.index, tans))

    # ----------------------------------------------------------------- local Jacobians
    def local(self, fwd: Forward, src_i: int, dst_i: int, slot: int) -> Value | None:
        """∂dst/∂src on one edge: a number, or for array outputs the Jacobian of shape
        ``dst.shape + src.shape`` (``None`` when it has more than JACOBIAN_LIMIT entries)."""
        spec = self.specs[dst_i]
        vals = fwd._numpy_values()
        out = vals[dst_i]
        ins = [vals[j] for j in self.args[dst_i]]
        rule = spec.vjp[slot]
        src_shape = shape_of(vals[src_i])
        with np.errstate(all="ignore"):
            if type(out) is not np.ndarray:
                return tidy(rule(1.0, out, *ins))
            size_in = int(np.prod(src_shape)) if src_shape else 1
            if out.size * size_in > JACOBIAN_LIMIT:
                return None
            jac = np.empty(out.shape + src_shape)
            for k in range(out.size):
                e = np.zeros(out.shape)
                e.flat[k] = 1.0
                jac[np.unravel_index(k, out.shape)] = unbroadcast(rule(e, out, *ins), src_shape)
            return jac

    def _node_index(self, node: str) -> int:
        try:
            return self.index[node]
        except KeyError:
            raise NodeError(f"no node {node!r}", (node,)) from None


class Forward:
    """The result of a forward pass."""

    def __init__(self, plan: Plan, values: Any, mode: str,
                 failures: dict[int, str] | None = None) -> None:
        self.plan = plan
        self._values = values
        #: How it ran: ``batched`` (numpy, level by level), ``scalar`` (node by node on
        #: Python floats) or ``nodes`` (node by node on numpy values).
        self.mode = mode
        #: True when it ran level by level.
        self.batched = mode == "batched"
        self._numpy: np.ndarray | None = None
        #: Nodes whose op failed (shapes that do not fit), with why; nodes downstream of them
        #: have no value either, but everything else is computed.
        self.failures: dict[str, str] = {plan.order[i]: why for i, why in (failures or {}).items()}
        missing = None
        if failures or plan.incomplete:
            missing = plan.incomplete_mask
            if failures:
                missing = missing | np.array([v is None for v in values], dtype=bool)
        #: Mask of nodes without a value (empty slot upstream, or a failure upstream).
        self.missing = missing if missing is not None and missing.any() else None
        #: ``{node: value}``; ``None`` for nodes that cannot be computed.
        view = _FloatView if mode == "scalar" else _IndexedView
        self.values: Mapping[str, Value | None] = view(plan.index, values, self.missing)
        #: :attr:`values` as the run made them: Python floats on a scalar run (reading them
        #: needs no numpy: the window draws its first frame from these), else :attr:`values`.
        self.plain: Mapping[str, Value | float | None] = _IndexedView(
            plan.index, values, self.missing) if mode == "scalar" else self.values
        self.nonfinite: NonFinite | None = self._first_nonfinite()

    def root_failure(self, node: str) -> tuple[str, str]:
        """The failed node upstream of ``node`` that keeps it from having a value, and why."""
        plan = self.plan
        upstream = plan.reaches(node)
        for i, name in enumerate(plan.order):
            if upstream[i] and name in self.failures:
                return name, self.failures[name]
        return node, "an input slot upstream is empty"

    def value_list(self) -> list[Any]:
        """Every value in plan order (``plan.order``), scalars as Python floats: the fast way
        to read a whole large graph."""
        if self.batched:
            out = self._values.tolist()
        elif self.mode == "scalar":
            out = list(self._values)
        else:
            out = [v if type(v) is np.ndarray or v is None else float(v) for v in self._values]
        if self.missing is not None:
            for i in np.flatnonzero(self.missing):
                out[i] = None
        return out

    def _numpy_values(self) -> Any:
        """The values indexable by plan index, scalars as ``numpy.float64`` (what the numpy
        rules are called with): for a scalar run, an array made on first use."""
        if self.mode != "scalar":
            return self._values
        if self._numpy is None:
            self._numpy = np.array(self._values)
        return self._numpy

    def _first_nonfinite(self) -> NonFinite | None:
        plan = self.plan
        if self.mode == "scalar":
            if math.isfinite(sum(self._values)):  # a nan or inf anywhere makes the sum one
                return None
            candidates = (i for i, v in enumerate(self._values)
                          if not math.isfinite(v) and not plan._incomplete_flags[i])
        elif self.batched:
            bad = ~np.isfinite(self._values)
            bad &= ~plan.incomplete_mask
            hits = np.flatnonzero(bad)
            candidates: Any = hits[:1]
        else:
            candidates = (i for i, v in enumerate(self._values)
                          if v is not None and not np.all(np.isfinite(v)))
        for i in candidates:
            i = int(i)
            v = self._values[i]
            if self.mode == "scalar":  # a float: no numpy needed
                first = v
            else:
                flat = np.ravel(v)
                first = float(flat[~np.isfinite(flat)][0])
            spec = plan.specs[i]
            node = plan.order[i]
            if spec.is_leaf:
                why = f"{spec.name} {node!r} was set to {first}"
            else:
                ins = ", ".join(plan.order[j] for j in plan.args[i])
                why = f"{node} = {spec.name}({ins}) gave {first}"
                cause = _nonfinite_cause(spec, first, [self._values[j] for j in plan.args[i]])
                if cause:
                    why += f" ({cause})"
            return NonFinite(node, spec.name, first, why)
        return None


class Backward:
    """Reverse-mode results for one output: node gradients and what every edge carries."""

    def __init__(self, plan: Plan, fwd: Forward, output: str, grads: Any,
                 local: Any, acc: Any, reach: np.ndarray | bytearray) -> None:
        self.plan = plan
        self.forward = fwd
        self.output = output
        self._grads = grads
        self._local = local
        self._acc = acc
        self._reach = reach
        # Without missing nodes only constants are skipped: Python flags, no numpy needed.
        skip = plan._const_flags if fwd.missing is None else plan.const_mask | fwd.missing
        view = _FloatView if fwd.mode == "scalar" else _IndexedView
        #: ``{node: d output / d node}``; 0 where the node does not reach the output, ``None``
        #: for constants (not differentiated) and nodes that cannot be computed.
        self.grads: Mapping[str, Value | None] = view(plan.index, grads, skip)
        #: :attr:`grads` as the run made them: Python floats on a scalar run (see
        #: :attr:`Forward.plain`), else :attr:`grads`.
        self.plain_grads: Mapping[str, Value | float | None] = _IndexedView(
            plan.index, grads, skip) if fwd.mode == "scalar" else self.grads
        self._dense: tuple[np.ndarray, np.ndarray] | None = None

    def grad_list(self) -> list[Any]:
        """Every gradient in plan order, scalars as Python floats, ``None`` for constants and
        nodes that cannot be computed."""
        plan = self.plan
        if self.forward.batched:
            out = self._grads.tolist()
        elif self.forward.mode == "scalar":
            out = list(self._grads)
        else:
            out = [g if type(g) is np.ndarray or g is None else float(g) for g in self._grads]
        missing = self.forward.missing
        skipped = (plan.constants if missing is None
                   else np.flatnonzero(plan.const_mask | missing))
        for i in skipped:
            out[i] = None
        return out

    def edge_columns(self) -> dict[str, list[Any]]:
        """Every edge as columns ``src, dst, slot, local, accumulated`` (lists), in plan order
        of ``dst`` then slot; ``None`` where the source is a constant. The fast way to read a
        whole large graph: for batched plans it is a handful of numpy gathers."""
        plan = self.plan
        if self.forward.mode == "scalar":
            return self._scalar_edge_columns()
        src, dst, slot = plan.edge_arrays()
        names = plan.order_array()
        columns: dict[str, list[Any]] = {"src": names[src].tolist(), "dst": names[dst].tolist(),
                                         "slot": slot.tolist()}
        if self.forward.mode != "nodes":
            local, acc = self._arrays()
            columns["local"] = local[dst, slot].tolist()
            columns["accumulated"] = acc[dst, slot].tolist()
            for e in np.flatnonzero(plan.const_mask[src]):
                columns["local"][e] = columns["accumulated"][e] = None
        else:
            pairs = [self.edge(s, d, k) for s, d, k in zip(columns["src"], columns["dst"],
                                                          columns["slot"], strict=True)]
            columns["local"] = [e.local for e in pairs]
            columns["accumulated"] = [e.accumulated for e in pairs]
        return columns

    def _scalar_edge_columns(self) -> dict[str, list[Any]]:
        """:meth:`edge_columns` for a scalar run: gathers from its Python lists (``map`` over
        :meth:`Plan._edge_lists`), so that no numpy is needed."""
        src, dst, slot, _, _ = self.plan._edge_lists()
        get_name = self.plan.order.__getitem__
        return {"src": list(map(get_name, src)), "dst": list(map(get_name, dst)),
                "slot": slot[:], "local": self._scalar_edge_values(self._local),
                "accumulated": self._scalar_edge_values(self._acc)}

    def _scalar_edge_values(self, per_slot: Sequence[list[Any]]) -> list[Any]:
        """One of a scalar run's per-slot lists (local or carried) gathered edge by edge, in
        :meth:`edge_columns` order; ``None`` on edges leaving a constant."""
        _, _, _, flat, from_constant = self.plan._edge_lists()
        values: list[Any] = list(map((per_slot[0] + per_slot[1]).__getitem__, flat))
        for e in from_constant:
            values[e] = None
        return values

    def largest_carried(self) -> float:
        """The largest gradient any edge carries (its size: |x|, or an array's norm), for
        scaling how edges are drawn; 0 when nothing finite is carried."""
        if self.forward.mode == "scalar":  # Python floats: no numpy needed
            carried = self._scalar_edge_values(self._acc)
            return max((abs(c) for c in carried if c is not None and math.isfinite(c)),
                       default=0.0)
        with np.errstate(over="ignore", invalid="ignore"):  # a norm beyond 1.8e308: not finite
            if self.forward.mode != "nodes":
                src, dst, slot = self.plan.edge_arrays()
                carried = np.abs(self._arrays()[1][dst, slot])
                carried = carried[~self.plan.const_mask[src] & np.isfinite(carried)]
                return float(carried.max()) if carried.size else 0.0
            best = 0.0
            const = self.plan._const_flags
            for d, contributions in self._acc.items():
                for s, c in zip(self.plan.args[d], contributions, strict=True):
                    if const[s]:  # not differentiated: carries nothing
                        continue
                    size = float(np.sqrt(np.sum(np.square(c))))
                    if size > best and np.isfinite(size):
                        best = size
            return best

    def reaches(self, node: str) -> bool:
        """True when ``node`` has a path to the output (the output itself included)."""
        return bool(self._reach[self.plan._node_index(node)])

    def edge(self, src: str, dst: str, slot: int, plain: bool = False) -> EdgeGrad:
        """∂dst/∂src on one edge and the gradient it carries back to ``src``; ``plain``: as
        the run made them (Python floats on a scalar run: see :attr:`Forward.plain`)."""
        plan = self.plan
        s, d = plan._node_index(src), plan._node_index(dst)
        args = plan.args[d]
        if slot >= len(args) or args[slot] != s:
            raise NodeError(f"no edge {src!r} → {dst!r} on slot {slot}", (src, dst))
        missing = self.forward.missing
        if plan._const_flags[s] or plan._incomplete_flags[d] or (
                missing is not None and missing[d]):
            return EdgeGrad(None, None)
        if plain and self.forward.mode == "scalar":
            return EdgeGrad(self._local[slot][d], self._acc[slot][d])
        return EdgeGrad(self._edge_local(s, d, slot), self._edge_acc(s, d, slot))

    def edges(self) -> Iterator[tuple[str, str, int, EdgeGrad]]:
        """Every edge of the plan as ``(src, dst, slot, EdgeGrad)``, in topological order."""
        order = self.plan.order
        for d, args in enumerate(self.plan.args):
            for slot, s in enumerate(args):
                if s >= 0:
                    yield order[s], order[d], slot, self.edge(order[s], order[d], slot)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Local derivatives and carried gradients as ``(nodes, 2)`` arrays (slot by column);
        for a scalar run, made from its lists on first use."""
        if self.forward.batched:
            return self._local, self._acc
        if self._dense is None:
            self._dense = (np.array(self._local).T, np.array(self._acc).T)
        return self._dense

    def _edge_local(self, s: int, d: int, slot: int) -> Value | None:
        if self.forward.batched:
            return np.float64(self._local[d, slot])
        if self.forward.mode == "scalar":
            return np.float64(self._local[slot][d])
        locs = self._local.get(d)
        if locs is not None:
            return locs[slot]
        return self.plan.local(self.forward, s, d, slot)

    def _edge_acc(self, s: int, d: int, slot: int) -> Value:
        if self.forward.batched:
            return np.float64(self._acc[d, slot])
        if self.forward.mode == "scalar":
            return np.float64(self._acc[slot][d])
        contrib = self._acc.get(d)
        if contrib is not None:
            return contrib[slot]
        v = self.forward._values[s]
        return np.zeros_like(v) if type(v) is np.ndarray else np.float64(0.0)


@dataclass(frozen=True)
class Tangents:
    """Forward-mode results: ``values[node]`` is d node / d ``wrt`` (times the direction)."""

    wrt: str
    values: Mapping[str, Value | None]


