"""Where nodes go: Graphviz ``dot`` in a background job, or a layered layout.

``dot`` makes the nicest pictures but takes seconds on thousands of nodes (about 5 s for 3,000
here), so it never runs on the GUI thread: :func:`layout_work` is run as a job
(:mod:`graphapp.gui.jobs`), which reports back on the GUI thread and kills ``dot`` if
cancelled. When ``dot`` is missing, and while it works on a big file, :func:`layered_layout`
places nodes in columns by depth, stacked without overlaps, instantly.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING

from graphapp.engine import Graph
from graphapp.gui.jobs import JobContext

if TYPE_CHECKING:
    from graphapp.formats.graphviz_export import Runner

__all__ = ["COLUMN", "ROW", "compact", "dot_available", "dot_failure", "dot_layout", "fold",
           "layered_layout", "layout_work", "spread_columns"]

#: Graphs with more nodes than this get dot's quicker settings.
BIG = 300
#: Seconds dot's full settings get on a graph up to BIG nodes before the quick ones take over.
FULL_BUDGET = 3.0
#: Spacing of the layered layout, in scene pixels: column to column (for a card of the
#: default size; room for edge labels between), row to row, and the gap between stacked cards.
COLUMN = 230.0
ROW = 115.0
GAP = 24.0
#: A card's size when none is given (width, height).
DEFAULT_SIZE = (168.0, 95.0)

Positions = dict[str, tuple[float, float]]


def dot_available() -> bool:
    """True when Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def layered_layout(graph: Graph, sizes: dict[str, tuple[float, float]] | None = None) \
        -> Positions:
    """Columns by depth (inputs left, output right), cards stacked in each column by their
    ``sizes`` (width, height) so none overlap, each column ordered by where its inputs are
    (fewer crossings) and centred. Linear in the graph's size: the interim layout of a big
    file while ``dot`` works, and the layout when ``dot`` is missing."""
    sizes = sizes or {}
    result: Positions = {}
    x = 0.0
    for column in graph.columns():
        def barycentre(node: str) -> float:
            ys = [result[p][1] for p in graph.predecessors(node) if p in result]
            return sum(ys) / len(ys) if ys else 0.0

        column.sort(key=barycentre)
        dims = [sizes.get(node, DEFAULT_SIZE) for node in column]
        total = sum(h for _, h in dims) + GAP * (len(column) - 1)
        y = -total / 2
        for node, (_, h) in zip(column, dims, strict=True):
            result[node] = (x, y)
            y += h + GAP
        x += max(w for w, _ in dims) + COLUMN - DEFAULT_SIZE[0]
    return result


def dot_layout(graph: Graph, sizes: dict[str, tuple[float, float]], timeout: float = 120,
               run: Runner | None = None) -> Positions:
    """Positions from ``dot`` (top-left corners, scene pixels); ``sizes`` are card sizes.

    ``run(args, input, timeout)`` starts the program (a job's :meth:`JobContext.run`, so that
    cancelling the job kills ``dot``); by default :func:`subprocess.run`. Graphs up to
    :data:`BIG` nodes get dot's full optimisation for at most :data:`FULL_BUDGET` seconds, then
    its quick settings: on some shapes (a deep chain with skip connections, 200 nodes) the
    full placement takes minutes where the quick one takes a second or two.
    """
    index = {node: i for i, node in enumerate(graph)}
    run = run or _run
    output = None
    if len(graph) <= BIG:
        try:
            output = run(["dot", "-Tplain"], _dot_source(graph, sizes, index, False),
                         min(timeout, FULL_BUDGET))
        except subprocess.TimeoutExpired:
            output = None
    if output is None:
        output = run(["dot", "-Tplain"], _dot_source(graph, sizes, index, True), timeout)
    return _positions(output.decode(), list(index), sizes)


def _dot_source(graph: Graph, sizes: dict[str, tuple[float, float]], index: dict[str, int],
                quick: bool) -> str:
    # ranksep leaves room between columns for the edge labels (local / grad); the canvas
    # draws its own edges, so dot need not route splines; the quick settings (fewer
    # crossing-reduction and placement passes: mclimit, nslimit) trade a little tidiness for
    # a layout 2-3x sooner on big graphs, and for one at all on some shapes
    settings = ", mclimit=0.3, nslimit=2" if quick else ""
    lines = ["digraph g {", "  graph [rankdir=LR, nodesep=0.45, ranksep=1.2, ordering=in, "
             f"splines=false{settings}];",
             "  node [shape=box, fixedsize=true, label=\"\"];"]
    for node, i in index.items():
        w, h = sizes.get(node, (156.0, 68.0))
        lines.append(f"  n{i} [width={w / 72:.3f}, height={h / 72:.3f}];")
    for src, dst, _ in sorted(graph.edges(), key=lambda e: (index[e[1]], e[2])):
        lines.append(f"  n{index[src]} -> n{index[dst]};")
    lines.append("}")
    return "\n".join(lines)


def _positions(output: str, names: list[str], sizes: dict[str, tuple[float, float]]) \
        -> Positions:
    # -Tplain: "graph scale w h", then "node name x y w h ..." lines, in inches
    positions: Positions = {}
    top = 0.0
    for line in output.splitlines():
        parts = line.split(" ", 4)
        if parts[0] == "graph":
            top = float(parts[3]) * 72
        elif parts[0] == "node":
            name = names[int(parts[1][1:])]
            w, h = sizes.get(name, (156.0, 68.0))
            x, y = float(parts[2]) * 72, float(parts[3]) * 72
            positions[name] = (x - w / 2, (top - y) - h / 2)  # dot's y axis points up
    return positions


def _run(args: list[str], input: str, timeout: float | None) -> bytes:
    return subprocess.run(args, input=input.encode(), capture_output=True, timeout=timeout,
                          check=True).stdout


def dot_failure(exc: Exception) -> str:
    """One line saying why ``dot`` failed (for a layout or export job's ``failed``)."""
    if isinstance(exc, subprocess.CalledProcessError):
        code = exc.returncode
        return f"dot stopped with {f'signal {-code}' if code < 0 else f'exit {code}'}"
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"dot took longer than {exc.timeout:.0f} s"
    return f"dot: {exc}"


def layout_work(graph: Graph, sizes: dict[str, tuple[float, float]]) -> \
        Callable[[JobContext], Positions]:
    """A job (see :mod:`graphapp.gui.jobs`) laying out a copy of ``graph`` with ``dot``: the
    user may keep editing meanwhile. The window then folds the result to fit its view
    (:func:`fold`, quick on graphs that can fit at all)."""
    graph, sizes = graph.copy(), dict(sizes)
    return lambda ctx: dot_layout(graph, sizes, run=ctx.run)


#: Room a label needs beside its width between two columns: the ports sticking out of the
#: cards either side, and play to slide along its curve past the labels of the other edges.
LABEL_MARGIN = 32.0


def spread_columns(positions: Positions, sizes: dict[str, tuple[float, float]],
                   labels: dict[tuple[str, str, int], float]) -> Positions:
    """Widen the gaps between a left-to-right layout's columns (cards sharing a centre line)
    so that each is wider than the widest ``labels`` width (edge → label width) of the edges
    between those two columns, plus ``LABEL_MARGIN``: room for every label on its own edge.
    Columns only move right, and never closer.

    >>> pos = {"a": (0.0, 0.0), "b": (250.0, 0.0), "c": (500.0, 0.0)}
    >>> spread_columns(pos, {n: (168.0, 74.0) for n in pos}, {("a", "b", 0): 120.0})
    {'a': (0.0, 0.0), 'b': (320.0, 0.0), 'c': (570.0, 0.0)}
    """
    if not positions or not labels:
        return positions
    size = {n: sizes.get(n, DEFAULT_SIZE) for n in positions}
    column_of = {n: round(x + size[n][0] / 2) for n, (x, _) in positions.items()}
    centres = sorted(set(column_of.values()))
    index = {c: i for i, c in enumerate(centres)}
    right = [float("-inf")] * len(centres)
    left = [float("inf")] * len(centres)
    for n, (x, _) in positions.items():
        i = index[column_of[n]]
        left[i] = min(left[i], x)
        right[i] = max(right[i], x + size[n][0])
    need = [0.0] * len(centres)
    for (src, dst, _), width in labels.items():
        if src in column_of and dst in column_of:
            i = index[column_of[src]]
            if index[column_of[dst]] == i + 1:
                need[i] = max(need[i], width + LABEL_MARGIN)
    shift, shifts = 0.0, []
    for i in range(len(centres)):
        if i:
            shift += max(0.0, need[i - 1] - (left[i] - right[i - 1]))
        shifts.append(shift)
    return {n: (x + shifts[index[column_of[n]]], y) for n, (x, y) in positions.items()}


#: Graphs up to this size are folded as well as they can be even when they cannot fit at a
#: readable zoom (they come closest); bigger ones keep dot's picture, explored with the minimap.
FOLD_ALWAYS = 60
#: Vertical room between two bands of a folded layout (for the edges that wrap).
BAND_GAP = 50.0
#: Room around the graph when fitting it into the view (as the view's Fit leaves).
FIT_MARGIN = 80.0


def _extent(positions: Positions, sizes: dict[str, tuple[float, float]]) -> \
        tuple[float, float, float, float]:
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    right = max(x + sizes.get(n, DEFAULT_SIZE)[0] for n, (x, _) in positions.items())
    bottom = max(y + sizes.get(n, DEFAULT_SIZE)[1] for n, (_, y) in positions.items())
    return min(xs), min(ys), right, bottom


def compact(positions: Positions, sizes: dict[str, tuple[float, float]]) -> Positions:
    """The same columns, each stacked tight (``GAP`` between cards, in the order they had)
    and centred on one line: shorter bands when a layout is folded, where ``dot`` spreads a
    column's cards to keep edges straight.

    >>> compact({"a": (0.0, -200.0), "b": (0.0, 300.0), "c": (250.0, 40.0)},
    ...         {"a": (168.0, 74.0), "b": (168.0, 74.0), "c": (168.0, 74.0)})
    {'a': (0.0, -86.0), 'b': (0.0, 12.0), 'c': (250.0, -37.0)}
    """
    size = {n: sizes.get(n, DEFAULT_SIZE) for n in positions}
    columns: dict[int, list[str]] = {}
    for n, (x, _) in positions.items():
        columns.setdefault(round(x + size[n][0] / 2), []).append(n)
    result: Positions = {}
    for members in columns.values():
        members.sort(key=lambda n: positions[n][1])
        y = -(sum(size[n][1] for n in members) + GAP * (len(members) - 1)) / 2
        for n in members:
            result[n] = (positions[n][0], y)
            y += size[n][1] + GAP
    return {n: result[n] for n in positions}


def fold(positions: Positions, sizes: dict[str, tuple[float, float]], width: float,
         height: float, least_zoom: float) -> Positions:
    """A left-to-right layout too wide for a ``width`` × ``height`` view, folded like a line
    of text: runs of columns become bands placed one below the other, so the whole graph
    fits at a larger zoom instead of shrinking until its text is unreadable. The fewest
    bands that fit it at ``least_zoom`` (else the ones that come closest); unchanged when it
    already fits at ``least_zoom``, or when no folding reaches ``least_zoom`` and the graph is big
    (more than ``FOLD_ALWAYS`` nodes: better dot's picture with the minimap than many thin
    bands). When the layout's own columns are too tall for that, they are stacked tight
    first (:func:`compact`).

    >>> pos = {f"n{i}": (i * 250.0, 0.0) for i in range(8)}
    >>> folded = fold(pos, {}, 1000, 900, 0.8)
    >>> sorted({y for _, y in folded.values()}), max(x for x, _ in folded.values())
    ([0.0, 145.0], 750.0)
    """
    if not positions:
        return positions
    area = sum(w * h for w, h in (sizes.get(n, DEFAULT_SIZE) for n in positions))
    if len(positions) > FOLD_ALWAYS and area * least_zoom ** 2 > width * height:
        return positions  # cannot fit readably however folded: leave dot's picture
    best, best_zoom = _fold(positions, sizes, width, height, least_zoom)
    if best_zoom < least_zoom and len(positions) <= FOLD_ALWAYS:
        tight, zoom = _fold(compact(positions, sizes), sizes, width, height, least_zoom)
        if zoom > best_zoom:
            best, best_zoom = tight, zoom
    return best if best_zoom >= least_zoom or len(positions) <= FOLD_ALWAYS else positions


def _fold(positions: Positions, sizes: dict[str, tuple[float, float]], width: float,
          height: float, least_zoom: float) -> tuple[Positions, float]:
    """:func:`fold`'s search: the layout with the fewest bands that reaches ``least_zoom``
    (else the one that comes closest), and its zoom."""

    def zoom_of(layout: Positions) -> float:
        left, top, right, bottom = _extent(layout, sizes)
        return min(1.0, width / (right - left + FIT_MARGIN),
                   height / (bottom - top + FIT_MARGIN))

    columns = sorted({round(x, 1) for x, _ in positions.values()})
    best, best_zoom = positions, zoom_of(positions)
    if best_zoom >= least_zoom:
        return positions, best_zoom  # readable whole as it is: folding only adds long edges
    for bands in range(2, len(columns) + 1):
        per_band = -(-len(columns) // bands)
        band_of = {c: k // per_band for k, c in enumerate(columns)}
        folded: Positions = {}
        top = 0.0
        for band in range(bands):
            members = {n: p for n, p in positions.items() if band_of[round(p[0], 1)] == band}
            if not members:
                continue
            left, up, _, bottom = _extent(members, sizes)
            for n, (x, y) in members.items():
                folded[n] = (x - left, y - up + top)
            top += bottom - up + BAND_GAP
        zoom = zoom_of(folded)
        if zoom > best_zoom * 1.02:
            best, best_zoom = folded, zoom
        if best_zoom >= least_zoom or per_band == 1:
            break  # the fewest bands that make it readable
    return best, best_zoom
