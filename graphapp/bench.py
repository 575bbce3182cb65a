"""``graphapp bench``: speed figures, quoted as medians of several runs.

* forward+backward on random scalar graphs of 1k, 10k and 100k nodes, re-running a cached plan
  (what the editor does on every value edit; the target is under 100 ms for 100k nodes), and
  the same on a 100k-node chain, the deepest (and slowest) shape a graph can have;
* training through the engine (:mod:`graphapp.train.bench`): steps per second of a 2-16-16-1
  tanh network at batch 200 against a numpy loop written by hand, and (not with ``--quick``)
  the test accuracy and whole-process seconds of ``graphapp train --dataset NAME --seed 0``;
* a whole ``graphapp grad --json`` process on a 100k-node ``.expr`` against micrograd building
  and back-propagating the same graph, when micrograd is installed (``pip install -e .[bench]``);
* reading the same 40,000-node chain from ``.expr`` and from ``.graph.json`` (both must stay
  linear in the file's size, and within 2× of each other);
* the derivative lab's function plot: a 200 × 200 grid (f and both partials) on a 100-node
  graph in one plan run on arrays, against point by point (:mod:`graphapp.lab_bench`);
* with ``--gui``: opening, laying out and drawing a 1,000-node graph in the window, the
  training panel's steps per second (open and playing vs closed) and frames per second,
  recomputing and repainting after a value edit, and the function plot dock's redraw while its
  point is dragged over a 200 × 200 map of a 100-node graph (target under 30 ms).

The machines this runs on are shared and noisy: read ratios and medians, not single runs.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from graphapp.formats.document import GraphFile
from graphapp.formats.expr import write_expr
from graphapp.generate import chain_graph, random_scalar_graph
from graphapp.lab_bench import format_grid, grid_figures
from graphapp.train.bench import accuracy_figures, format_training, speed_figures

__all__ = ["format_report", "run_bench"]


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm up (compiles plans, fills caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _scalar_figures(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        g, out, _ = random_scalar_graph(n)
        plan = g.plan()
        ms = _median_ms(lambda g=g, plan=plan, out=out: plan.backward(plan.forward(g), out),
                        repeat)
        rows.append({"graph": f"random {n:,}", "nodes": n, "ms": ms,
                     "nodes_per_s": n / ms * 1e3, "batched": plan.forward(g).batched})
    n = sizes[-1]
    g, out = chain_graph(n)
    plan = g.plan()
    ms = _median_ms(lambda: plan.backward(plan.forward(g), out), max(1, repeat // 2))
    rows.append({"graph": f"chain {n:,}", "nodes": n, "ms": ms, "nodes_per_s": n / ms * 1e3,
                 "batched": plan.forward(g).batched})
    return rows


_MICROGRAD_SCRIPT = r"""
import json, sys, threading
sys.setrecursionlimit(10_000_000)          # micrograd's topological sort is recursive
threading.stack_size(1024 * 1024 * 1024)   # ... and needs a deep C stack for 100k nodes
def run():
    from micrograd.engine import Value
    spec = json.load(open(sys.argv[1]))
    vals = [Value(v) for v in spec["inputs"]]
    for op, i, j in spec["nodes"]:
        a = vals[i]
        if op == "add": vals.append(a + vals[j])
        elif op == "sub": vals.append(a - vals[j])
        elif op == "mul": vals.append(a * vals[j])
        else: vals.append(a.relu())
    vals[-1].backward()
    print(vals[-1].data, vals[0].grad)
t = threading.Thread(target=run); t.start(); t.join()
"""


def _process_figures(n: int, repeat: int) -> dict[str, Any]:
    g, out, recipe = random_scalar_graph(n, seed=1, ops=("add", "sub", "mul", "relu"))
    with tempfile.TemporaryDirectory() as tmp:
        expr = Path(tmp) / "big.expr"
        expr.write_text(write_expr(GraphFile(g, out)), encoding="utf-8")
        spec = Path(tmp) / "big.json"
        inputs = [float(g.value(f"x{i}")) for i in range(n - len(recipe))]
        spec.write_text(json.dumps({"inputs": inputs, "nodes": recipe}))
        ours_cmd = [sys.executable, "-m", "graphapp", "grad", str(expr), "--json"]
        result: dict[str, Any] = {"nodes": n,
                                  "graphapp_s": _process_median(ours_cmd, repeat)}
        try:
            import micrograd  # noqa: F401
        except ImportError:
            result["micrograd_s"] = None
            result["note"] = "micrograd is not installed (pip install -e '.[bench]')"
            return result
        theirs = [sys.executable, "-c", _MICROGRAD_SCRIPT, str(spec)]
        result["micrograd_s"] = _process_median(theirs, repeat)
        result["speedup"] = result["micrograd_s"] / result["graphapp_s"]
        return result


def _load_figures(n: int, repeat: int) -> dict[str, Any]:
    """Median seconds to read an ``n``-node chain from each format (in this process)."""
    from graphapp.formats.io import load_graph, save_graph

    g, out = chain_graph(n)
    result: dict[str, Any] = {"nodes": n}
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in ("expr", "graph.json"):
            path = Path(tmp) / f"chain.{suffix}"
            save_graph(GraphFile(g, out), path)
            result[suffix.replace("graph.", "") + "_s"] = _median_ms(
                lambda path=path: load_graph(path), repeat) / 1e3
    result["json_over_expr"] = result["json_s"] / result["expr_s"]
    return result


def _process_median(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_bench(json_out: bool = False, quick: bool = False, repeat: int | None = None,
              gui: bool = False) -> int:
    """Run the benchmark and print the figures; returns the exit code."""
    repeat = repeat or (3 if quick else 7)
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "numpy": np.__version__, "platform": platform.platform()},
        "repeat": repeat,
        "scalar": _scalar_figures(sizes, repeat),
        "training": speed_figures(rounds=2 * repeat + 1, steps=50 if quick else 200),
        "train_accuracy": None if quick else accuracy_figures(),
        "process": _process_figures(10_000 if quick else 100_000, 1 if quick else 3),
        "load": _load_figures(10_000 if quick else 40_000, 3),
        "lab_grid": grid_figures(_median_ms, repeat),
    }
    if gui:
        from graphapp.gui.bench import gui_figures

        report["gui"] = gui_figures(repeat)
        from graphapp.gui.bench import plot_figures, training_figures

        report["plot_drag"] = plot_figures()

        report["training_panel"] = training_figures()
    if json_out:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return 0


def format_report(report: dict[str, Any]) -> str:
    """The figures as the table the README quotes."""
    m = report["machine"]
    lines = [f"graphapp bench — Python {m['python']}, numpy {m['numpy']}, {m['cpus']} CPUs, "
             f"median of {report['repeat']} runs", "",
             "forward+backward on a compiled plan (a value edit in the editor)"]
    for r in report["scalar"]:
        mode = "batched" if r["batched"] else "node by node"
        lines.append(f"  {r['graph']:>15} nodes: {r['ms']:9.1f} ms  "
                     f"{r['nodes_per_s'] / 1e6:6.2f} M nodes/s  ({mode})")
    lines += ["", *format_training(report["training"], report["train_accuracy"])]
    p = report["process"]
    lines += ["", f"whole process on a {p['nodes']:,}-node .expr (parse, build, forward, "
                  "backward, print JSON):",
              f"  graphapp grad --json: {p['graphapp_s']:.2f} s"]
    if p.get("micrograd_s") is not None:
        speedup = p["speedup"]
        ratio = f"{speedup:.1f}× faster" if speedup >= 1 else f"{1 / speedup:.1f}× slower"
        lines.append(f"  micrograd (build + backward): {p['micrograd_s']:.2f} s  → graphapp is "
                     f"{ratio}")
    else:
        lines.append(f"  micrograd: {p.get('note')}")
    ld = report["load"]
    ratio = ld["json_over_expr"]
    lines += ["", f"reading a {ld['nodes']:,}-node chain: .expr {ld['expr_s']:.2f} s, "
                  f".graph.json {ld['json_s']:.2f} s (.graph.json is "
                  + (f"{ratio:.1f}× slower)" if ratio >= 1 else f"{1 / ratio:.1f}× faster)")]
    if "lab_grid" in report:
        lines += ["", *format_grid(report["lab_grid"])]
    if "gui" in report:
        gfig = report["gui"]
        lines += ["", f"window, random {gfig['nodes']:,}-node graph (offscreen):",
                  f"  open, layered layout, draw:        {gfig['first_draw_ms']:7.0f} ms",
                  f"  … until dot's layout is applied:   {gfig['open_ms']:7.0f} ms",
                  f"  value edit → recompute + repaint:  {gfig['edit_ms']:7.1f} ms",
                  f"  place every edge label:            {gfig['labels_ms']:7.1f} ms",
                  f"  … again the ones an edit resized:  {gfig['relabel_ms']:7.2f} ms"]
    if "plot_drag" in report:
        d = report["plot_drag"]
        lines += ["", f"function plot dock, a {d['points']} × {d['points']} map of a random "
                      f"{d['nodes']}-node graph, {d['moves']} moves of a drag (offscreen; "
                      "target: the plot redraws in under 30 ms):"]
        for what, text in (("grid", "a third input dragged (new grid)"),
                           ("point", "the map's point dragged")):
            ms, p90 = d[f"{what}_redraw_ms"], d[f"{what}_redraw_p90_ms"]
            move, move_p90 = d[f"{what}_move_ms"], d[f"{what}_move_p90_ms"]
            met = "met" if ms < 30 else "NOT met"
            lines += [f"  {text}: plot redraw {ms:5.1f} ms median, {p90:.1f} ms p90 ({met}); "
                      f"whole move {move:.1f} ms median, {move_p90:.1f} ms p90"]
    if "training_panel" in report:
        t = report["training_panel"]
        load = f", load average {t['load']:.1f}" if "load" in t else ""
        lines += ["", f"training panel, {t['network']} (offscreen{load}):",
                  f"  panel closed:                 {t['closed_steps_per_s']:9,.0f} steps/s",
                  f"  panel open, playing:          {t['open_steps_per_s']:9,.0f} steps/s "
                  + (f"({t['ratio']:.2f}× slower" if t["ratio"] >= 1 else
                     f"({1 / t['ratio']:.2f}× faster") + "; target at most 2× slower, "
                  + ("met)" if t["ratio"] <= 2 else "NOT met)"),
                  f"  frames drawn:                 {t['fps']:9.1f} per s (target 60)",
                  f"  a frame's GUI-thread time:    {t['frame_ms']:9.1f} ms median, "
                  f"{t.get('frame_p90_ms', float('nan')):.1f} ms p90 (target 16.7)",
                  f"  boundary and neuron maps:     {t['maps_per_s']:9.1f} per s"]
    return "\n".join(lines)
