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
import orjson

from graphapp.formats.document import GraphFile
from graphapp.generate import chain_graph, deep_chain_script, random_scalar_graph
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
    """Cached forward+backward re-runs on random graphs of each size and on a chain of the
    largest, each 100k-node row beside its target."""
    graphs = [(f"random {n:,}", n, *random_scalar_graph(n)[:2]) for n in sizes]
    n = sizes[-1]
    graphs.append((f"chain {n:,}", n, *chain_graph(n)))
    rows = []
    for label, n, g, out in graphs:
        plan = g.plan()
        ms = _median_ms(lambda g=g, plan=plan, out=out: plan.backward(plan.forward(g), out),
                        repeat)
        row = {"graph": label, "nodes": n, "ms": ms, "nodes_per_s": n / ms * 1e3,
               "mode": plan.forward(g).mode}
        if n >= 100_000:
            row["target_ms"], row["aim_ms"] = RERUN_TARGET_MS
        rows.append(row)
    return rows


#: micrograd building and back-propagating a graph given as JSON (every node in topological
#: order: ``["leaf", value]`` or ``[op, a, b]``), then printing the output's value and the
#: gradient of every leaf: "a micrograd script computing the same gradients".
_MICROGRAD_SCRIPT = r"""
import json, math, sys, threading
sys.setrecursionlimit(10_000_000)          # micrograd's topological sort is recursive
threading.stack_size(1024 * 1024 * 1024)   # ... and needs a deep C stack for 100k nodes
failed = []
def unary(f, df):  # tanh and exp as the micrograd lecture adds them to Value
    def op(self):
        out = Value(f(self.data), (self,), f.__name__)
        def _backward():
            self.grad += df(self.data, out.data) * out.grad
        out._backward = _backward
        return out
    return op
def run():
    try:
        global Value
        from micrograd.engine import Value
        if not hasattr(Value, "tanh"):
            Value.tanh = unary(math.tanh, lambda x, t: 1 - t * t)
        if not hasattr(Value, "exp"):
            Value.exp = unary(math.exp, lambda x, e: e)
        spec = json.load(open(sys.argv[1]))
        vals, leaves = [], []
        for op, a, b in spec["nodes"]:
            if op == "leaf":
                v = Value(a); leaves.append(v)
            elif op == "add": v = vals[a] + vals[b]
            elif op == "sub": v = vals[a] - vals[b]
            elif op == "mul": v = vals[a] * vals[b]
            elif op == "neg": v = -vals[a]
            elif op == "tanh": v = vals[a].tanh()
            elif op == "exp": v = vals[a].exp()
            else: v = vals[a].relu()
            vals.append(v)
        out = vals[spec["output"]]
        out.backward()
        print(json.dumps({"value": out.data, "grads": [v.grad for v in leaves]}))
    except BaseException as exc:
        failed.append(exc)
        raise
t = threading.Thread(target=run); t.start(); t.join()
sys.exit(1 if failed else 0)
"""
_MICROGRAD_OPS = frozenset({"add", "sub", "mul", "neg", "tanh", "exp", "relu"})

#: Whole-process targets: graphapp's time over micrograd's, at most (and the aim).
PROCESS_TARGETS: dict[str, tuple[float, float]] = {
    "small": (3.0, 2.0), "deep": (1.0, 1 / 3), "wide": (0.5, 1 / 3)}
#: A cached forward+backward re-run of a 100k-node graph, milliseconds (and the aim).
RERUN_TARGET_MS = (100.0, 40.0)


def ratio_words(ratio: float) -> str:
    """A time ratio (ours over theirs) in words: "3.2× slower" or "2.0× faster", never
    "0.2× faster".

    >>> ratio_words(3.2), ratio_words(0.5), ratio_words(1.0)
    ('3.2× slower', '2.0× faster', '1.0× (as fast)')
    """
    if round(ratio, 1) == 1.0:
        return "1.0× (as fast)"
    return f"{ratio:.1f}× slower" if ratio > 1 else f"{1 / ratio:.1f}× faster"


def _micrograd_spec(doc: GraphFile) -> dict[str, Any] | None:
    """The graph as micrograd's script reads it, or ``None`` if it has an op micrograd lacks."""
    plan = doc.graph.plan()
    leaf_values = dict(zip(plan.leaf_names, doc.graph.values_of(plan.leaf_names), strict=True))
    nodes: list[list[Any]] = []
    for name, spec, args in zip(plan.order, plan.specs, plan.args, strict=True):
        if spec.is_leaf:
            nodes.append(["leaf", float(leaf_values[name]), None])
        elif spec.name in _MICROGRAD_OPS:
            nodes.append([spec.name, args[0], args[1] if len(args) > 1 else None])
        else:
            return None
    return {"nodes": nodes, "output": plan.index[doc.output]}


def _process_row(kind: str, label: str, text: str, repeat: int) -> dict[str, Any]:
    """One whole-process row: ``graphapp grad FILE --json`` against micrograd on ``text``,
    timed alternately (so that a busy machine slows both alike), with the answers compared."""
    from graphapp.formats.expr import parse_expr

    doc = parse_expr(text)
    row: dict[str, Any] = {"kind": kind, "graph": label, "nodes": len(doc.graph),
                           "target": PROCESS_TARGETS[kind][0], "aim": PROCESS_TARGETS[kind][1]}
    with tempfile.TemporaryDirectory() as tmp:
        expr = Path(tmp) / f"{kind}.expr"
        expr.write_text(text, encoding="utf-8")
        ours = [sys.executable, "-m", "graphapp", "grad", str(expr), "--json"]
        spec = _micrograd_spec(doc)
        theirs = None
        try:
            import micrograd  # noqa: F401
        except ImportError:
            row["note"] = "micrograd is not installed (pip install -e '.[bench]')"
        else:
            if spec is None:
                row["note"] = "the graph has an op micrograd lacks"
            else:
                spec_path = Path(tmp) / f"{kind}.json"
                spec_path.write_text(json.dumps(spec))
                theirs = [sys.executable, "-c", _MICROGRAD_SCRIPT, str(spec_path)]
        times: dict[str, list[float]] = {"graphapp": [], "micrograd": []}
        for _ in range(repeat):
            times["graphapp"].append(_process_seconds(ours))
            if theirs is not None:
                times["micrograd"].append(_process_seconds(theirs))
        row["graphapp_s"] = statistics.median(times["graphapp"])
        if theirs is None:
            return row
        row["micrograd_s"] = statistics.median(times["micrograd"])
        row["ratio"] = row["graphapp_s"] / row["micrograd_s"]
        row["max_rel_diff"] = _compare_answers(ours, theirs, doc)
    return row


def _compare_answers(ours: list[str], theirs: list[str], doc: GraphFile) -> float:
    """The largest relative difference between graphapp's and micrograd's output value and leaf
    gradients (constants included: micrograd differentiates them too)."""
    mine = orjson.loads(subprocess.run(ours, capture_output=True, check=True).stdout)
    other = json.loads(subprocess.run(theirs, capture_output=True, check=True).stdout)
    plan = doc.graph.plan()
    pairs = [(mine["nodes"][doc.output]["value"], other["value"])]
    for name, g in zip(plan.leaf_names, other["grads"], strict=True):
        if not plan.specs[plan.index[name]].constant:
            pairs.append((mine["nodes"][name]["grad"], g))
    return max(abs(a - b) / max(abs(a), abs(b), 1e-300) for a, b in pairs)


def _process_figures(quick: bool, repeat: int) -> list[dict[str, Any]]:
    """Whole ``graphapp grad --json`` processes against micrograd: the micrograd example, a
    deep chain and a wide random graph."""
    from graphapp.formats.expr import write_expr
    from graphapp.paths import default_example

    statements = 3_000 if quick else 30_000
    wide_n = 10_000 if quick else 100_000
    g, out, _ = random_scalar_graph(wide_n, seed=1, ops=("add", "sub", "mul", "relu"))
    return [
        _process_row("small", "the micrograd example",
                     default_example().read_text(encoding="utf-8"), max(repeat, 5)),
        _process_row("deep", f"deep chain, {statements:,} statements each using the one "
                             "before", deep_chain_script(statements), repeat),
        _process_row("wide", "wide random graph",
                     write_expr(GraphFile(g, out)), repeat),
    ]


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


def _process_seconds(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - t0


#: What ``--only`` can pick, in the order the report shows them.
SECTIONS = ("rerun", "training", "process", "load", "lab", "gui")


def run_bench(json_out: bool = False, quick: bool = False, repeat: int | None = None,
              gui: bool = False, only: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; returns the exit code. ``only`` picks some
    of :data:`SECTIONS` (``gui`` also needs ``gui=True`` or is picked by name)."""
    repeat = repeat or (3 if quick else 7)
    chosen = set(only or [s for s in SECTIONS if s != "gui" or gui])
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "numpy": np.__version__, "platform": platform.platform()},
        "repeat": repeat, "load_average": _load_average(), "quick": quick,
    }
    if chosen & {"process", "gui"}:
        report["bytecode"] = _compile_bytecode()
    if "rerun" in chosen:
        report["scalar"] = _scalar_figures([1_000, 100_000] if quick else
                                           [1_000, 10_000, 100_000], repeat)
    if "training" in chosen:
        report["training"] = speed_figures(rounds=2 * repeat + 1, steps=50 if quick else 200)
        report["train_accuracy"] = None if quick else accuracy_figures()
    if "process" in chosen:
        report["process"] = _process_figures(quick, 3 if quick else 5)
    if "load" in chosen:
        report["load"] = _load_figures(10_000 if quick else 40_000, 3)
    if "lab" in chosen:
        report["lab_grid"] = grid_figures(_median_ms, repeat)
    if "gui" in chosen:
        from graphapp.gui.bench import gui_figures, plot_figures, start_up_figures

        report["start_up"] = start_up_figures(max(repeat, 5))
        report["gui"] = gui_figures(repeat)
        if not quick:
            report["plot_drag"] = plot_figures()
            report["training_panel"] = _training_panel_figures()
    report["load_average_after"] = _load_average()
    if json_out:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return 0


def _training_panel_figures() -> dict[str, Any]:
    """The training panel's figures measured in a process of their own, as ``graphapp train
    --gui`` runs it: the editor windows measured before leave Qt and Python state behind
    (the same panel drew ~10 % fewer frames after them)."""
    code = ("import json; from graphapp.gui.bench import training_figures; "
            "print(json.dumps(training_figures()))")
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _compile_bytecode() -> bool:
    """Compile graphapp's modules to bytecode first, as an installed package has them, so that
    whole processes are not timed compiling sources (with PYTHONDONTWRITEBYTECODE set, or in a
    fresh checkout, every start would compile every module again). True when it worked."""
    import compileall

    return bool(compileall.compile_dir(str(Path(__file__).parent), quiet=2))


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _target_words(value: float, target: float, aim: float | None = None,
                  unit: str = "") -> str:
    """"target under 100 ms ✓ (aim 40 ms)": whether ``value`` is within ``target``."""
    met = "✓" if value <= target else "✗ NOT met"
    aim_text = f", aim {aim:g}{unit}" if aim is not None else ""
    return f"target at most {target:g}{unit} {met}{aim_text}"


def format_report(report: dict[str, Any]) -> str:
    """The figures as the table the README quotes."""
    m = report["machine"]
    load = report.get("load_average")
    lines = [f"graphapp bench — Python {m['python']}, numpy {m['numpy']}, {m['cpus']} CPUs, "
             f"median of {report['repeat']} runs; load average {load} before, "
             f"{report.get('load_average_after')} after"
             + ("; graphapp's modules compiled to bytecode first" if report.get("bytecode")
                else "")]
    if "scalar" in report:
        lines += ["", "cached forward+backward re-run on a compiled plan (a value edit in the "
                      "editor)"]
        for r in report["scalar"]:
            line = (f"  {r['graph']:>15} nodes: {r['ms']:9.1f} ms  "
                    f"{r['nodes_per_s'] / 1e6:6.2f} M nodes/s  ({r['mode']})")
            if "target_ms" in r:
                line += "  " + _target_words(r["ms"], r["target_ms"], r["aim_ms"], " ms")
            lines.append(line)
    if "training" in report:
        lines += ["", *format_training(report["training"], report["train_accuracy"])]
    if "process" in report:
        lines += ["", "whole process: `graphapp grad FILE --json` (start, parse, build, forward, "
                      "backward, print JSON) against a micrograd script building and "
                      "back-propagating the same graph, timed alternately"]
        if report.get("quick"):
            lines.append("  (--quick: smaller graphs, where start-up weighs more; the targets are "
                         "set for 30,000 statements and 100,000 nodes)")
        for p in report["process"]:
            lines.append(f"  {p['graph']} ({p['nodes']:,} nodes):")
            if p.get("micrograd_s") is None:
                lines.append(f"    graphapp {p['graphapp_s']:.3f} s; micrograd: {p['note']}")
                continue
            lines.append(f"    graphapp {p['graphapp_s']:.3f} s, micrograd {p['micrograd_s']:.3f} s"
                         f" → graphapp is {ratio_words(p['ratio'])} "
                         f"(time ratio {p['ratio']:.2f}; "
                         + _target_words(p["ratio"], p["target"], round(p["aim"], 2)) + ")")
            lines.append(f"    answers (output and input gradients) agree with micrograd's to "
                         f"{p['max_rel_diff']:.1e} (relative)")
    if "load" in report:
        ld = report["load"]
        lines += ["", f"reading a {ld['nodes']:,}-node chain: .expr {ld['expr_s']:.2f} s, "
                      f".graph.json {ld['json_s']:.2f} s (.graph.json is "
                      f"{ratio_words(ld['json_over_expr'])})"]
    if "lab_grid" in report:
        lines += ["", *format_grid(report["lab_grid"])]
    if "start_up" in report:
        st = report["start_up"]
        lines += ["", f"window start-up, whole process, on {st['example']} (a bare PySide6 window "
                      "of the same size, 1400×900, timed alternately):",
                  f"  open --screenshot: {st['screenshot_s']:.2f} s, bare window saving a "
                  f"screenshot {st['bare_screenshot_s']:.2f} s → "
                  f"{ratio_words(st['screenshot_ratio'])} "
                  f"({_target_words(st['screenshot_ratio'], 2.0, 1.5)})"]
        if "appear_s" in st:
            lines.append(f"  window on screen (Xvfb): {st['appear_s']:.2f} s "
                         f"({_target_words(st['appear_s'], 0.5, None, ' s')}); "
                         f"bare window {st['bare_appear_s']:.2f} s")
        else:
            lines.append(f"  window on screen: not measured ({st['appear_note']})")
    if "gui" in report:
        gfig = report["gui"]
        lines += ["", f"window, random {gfig['nodes']:,}-node graph (offscreen):",
                  f"  open, layered layout, draw:        {gfig['first_draw_ms']:7.0f} ms",
                  f"  … until dot's layout is applied:   {gfig['open_ms']:7.0f} ms  "
                  + _target_words(gfig["open_ms"], 2000, None, " ms"),
                  f"  value edit → recompute + repaint:  {gfig['edit_ms']:7.1f} ms  "
                  + _target_words(gfig["edit_ms"], 16, None, " ms")
                  + ("" if gfig["edit_repainted"] else "  (the edited card did NOT change!)"),
                  f"  … its GUI thread's processor time: {gfig['edit_cpu_ms']:7.1f} ms",
                  f"  … the whole view repainted:        {gfig['view_repaint_ms']:7.1f} ms",
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
