"""Where nodes go: Graphviz ``dot`` in a worker thread, or a layered networkx layout.

``dot`` makes the nicest pictures but takes seconds on thousands of nodes (about 5 s for 3,000
here), so it never runs on the GUI thread: :class:`LayoutJob` runs it in a thread and reports
back with a signal. When ``dot`` is missing, :func:`layered_layout` places nodes in columns by
depth (networkx's ``multipartite_layout``), instantly.
"""

from __future__ import annotations

import shutil
import subprocess
import threading

import networkx as nx
from PySide6.QtCore import QObject, Signal

from graphapp.engine import Graph

__all__ = ["COLUMN", "ROW", "LayoutJob", "dot_available", "dot_layout", "layered_layout"]

#: Graphs with more nodes than this get dot's quicker settings.
BIG = 300
#: Spacing of the layered layout, in scene pixels.
COLUMN = 230.0
ROW = 115.0

Positions = dict[str, tuple[float, float]]


def dot_available() -> bool:
    """True when Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def layered_layout(graph: Graph) -> Positions:
    """Columns by depth (inputs left, output right), nodes spread evenly in each column."""
    g = graph.nx
    if g.number_of_nodes() == 0:
        return {}
    layers = {k: list(nodes) for k, nodes in enumerate(nx.topological_generations(g))}
    pos = nx.multipartite_layout(g, subset_key=layers, align="vertical", scale=1.0)
    tallest = max(len(v) for v in layers.values())
    width = max(1, len(layers) - 1)
    result: Positions = {}
    for node, (x, y) in pos.items():
        # multipartite_layout spreads columns over [-scale, scale]; undo that to fixed spacing
        result[node] = (float(x + 1) / 2 * width * COLUMN, float(-y) * tallest * ROW / 2)
    return result


def dot_layout(graph: Graph, sizes: dict[str, tuple[float, float]], timeout: float = 120) -> \
        Positions:
    """Positions from ``dot`` (top-left corners, scene pixels); ``sizes`` are card sizes."""
    # ranksep leaves room between columns for the edge labels (local / grad); the canvas
    # draws its own edges, so dot need not route splines; on big graphs fewer crossing-
    # reduction passes (mclimit, nslimit) trade a little tidiness for a layout 2-3x sooner
    quick = ", mclimit=0.3, nslimit=2" if len(graph) > BIG else ""
    lines = ["digraph g {", "  graph [rankdir=LR, nodesep=0.45, ranksep=1.2, ordering=in, "
             f"splines=false{quick}];",
             "  node [shape=box, fixedsize=true, label=\"\"];"]
    index = {node: i for i, node in enumerate(graph)}
    for node, i in index.items():
        w, h = sizes.get(node, (156.0, 68.0))
        lines.append(f"  n{i} [width={w / 72:.3f}, height={h / 72:.3f}];")
    for src, dst, _ in sorted(graph.edges(), key=lambda e: (index[e[1]], e[2])):
        lines.append(f"  n{index[src]} -> n{index[dst]};")
    lines.append("}")
    # -Tplain: "graph scale w h", then "node name x y w h ..." lines, in inches
    result = subprocess.run(["dot", "-Tplain"], input="\n".join(lines), capture_output=True,
                            text=True, timeout=timeout, check=True)
    names = list(index)
    positions: Positions = {}
    top = 0.0
    for line in result.stdout.splitlines():
        parts = line.split(" ", 4)
        if parts[0] == "graph":
            top = float(parts[3]) * 72
        elif parts[0] == "node":
            name = names[int(parts[1][1:])]
            w, h = sizes.get(name, (156.0, 68.0))
            x, y = float(parts[2]) * 72, float(parts[3]) * 72
            positions[name] = (x - w / 2, (top - y) - h / 2)  # dot's y axis points up
    return positions


class LayoutJob(QObject):
    """Runs :func:`dot_layout` in a thread; ``finished`` carries the positions, ``failed`` a
    one-line reason. Both arrive on the GUI thread (queued signals)."""

    finished = Signal(dict)
    failed = Signal(str)

    def __init__(self, graph: Graph, sizes: dict[str, tuple[float, float]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._graph = graph.copy()  # the user may keep editing meanwhile
        self._sizes = dict(sizes)
        self._thread = threading.Thread(target=self._run, name="dot-layout", daemon=True)

    def start(self) -> None:
        """Begin the layout in the background."""
        self._thread.start()

    def wait(self, seconds: float = 60) -> bool:
        """Block until the thread ends (for tests and the benchmark); True if it ended."""
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            positions = dot_layout(self._graph, self._sizes)
        except subprocess.CalledProcessError as exc:
            how = f"signal {-exc.returncode}" if exc.returncode < 0 else f"exit {exc.returncode}"
            self.failed.emit(f"dot stopped with {how}")
            return
        except (OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
            self.failed.emit(f"dot: {exc}")
            return
        self.finished.emit(positions)
