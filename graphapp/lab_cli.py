"""The derivative lab on the command line: ``graphapp plot`` and ``graphapp check --h-sweep``.

``cli.py`` holds only their table entries and prints the :class:`Reply`; the options, the
JSON and the text are here, the numbers in :mod:`graphapp.lab`, the pictures in
:mod:`graphapp.lab_figures`. A problem to report in one line is a :class:`LabError` with its
exit code (2: the command line is wrong, 1: a picture could not be written).

``plot --json`` prints, for one input, ``{"output", "wrt", "x", "f", "dfdx"}`` with ``x``
exactly numpy's ``linspace(LO, HI, N)``, and for two ``{"output", "wrt": [X, Y], "x", "y", "f",
"dfdx", "dfdy"}`` with ``f[i][j]`` at ``(x[i], y[j])``; nan and ±inf are the strings "nan",
"inf", "-inf", as in ``grad --json``. ``check --h-sweep --json`` prints ``{"inputs": {NAME:
{"backprop": g, "sweep": [{"h", "forward", "central", "forward_error", "central_error"},
...]}}}`` for h = 1e-1 … 1e-12, errors being absolute differences from backprop.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_POINTS", "LabError", "Reply", "Request", "check_sweep", "join_ranges", "plot",
           "plot_options", "sweep_options"]

#: The largest grids: points along one input, and per axis for two (memory stays < 100 MB).
MAX_POINTS = (1_000_000, 2_000)
#: Points when ``--points`` is not given: along one input, and per axis for two.
DEFAULT_POINTS = (200, 60)


class LabError(Exception):
    """A failure to report in one line, with its exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Reply:
    """What a command prints: JSON (a dict), text, or nothing (a picture was asked for)."""

    json: dict[str, Any] | None = None
    text: str | None = None


@dataclass(frozen=True)
class Request:
    """A graph file read, with its ``--set`` values: what the commands here work on."""

    args: argparse.Namespace
    graph: Any
    output: str
    overrides: dict[str, Any]




def join_ranges(argv: list[str]) -> list[str]:
    """``--range -1:1`` as ``--range=-1:1``: argparse would take a value that starts with a
    minus for an option of its own and refuse it. Only a value that reads as LO:HI is joined.
    """
    out: list[str] = []
    for k, item in enumerate(argv):
        if k and argv[k - 1] == "--range" and item.startswith("-") and out[-1] == "--range":
            lo, sep, hi = item.partition(":")
            try:
                float(lo), float(hi)
            except ValueError:
                sep = ""
            if sep:
                out[-1] = f"--range={item}"
                continue
        out.append(item)
    return out


def plot_options(c: argparse.ArgumentParser) -> None:
    """The options of ``graphapp plot``."""
    c.add_argument("--wrt", metavar="NAME", action="append", required=True,
                   help="the input to vary (give --wrt twice for a map over two inputs); the "
                        "others keep their values")
    c.add_argument("--range", metavar="LO:HI", action="append", default=[],
                   help="the input's range (default: its value ± max(1, |value|)); once for "
                        "all inputs or once per --wrt (--range -1:1 and "
                        "--range=-1:1 both work)")
    c.add_argument("--points", metavar="N", type=int, default=None,
                   help=f"grid points, exactly numpy's linspace(LO, HI, N) (default "
                        f"{DEFAULT_POINTS[0]}, or {DEFAULT_POINTS[1]} per axis for two inputs)")
    c.add_argument("--output", metavar="NAME", help="plot this node (default: the file's "
                                                    "output)")
    c.add_argument("--json", action="store_true", help="print the grid as JSON")
    c.add_argument("-o", "--out", metavar="OUT.png|svg", help="draw the plot to this picture")


def sweep_options(c: argparse.ArgumentParser) -> None:
    """The options ``graphapp check`` gains for the error sweep over h."""
    c.add_argument("--h-sweep", action="store_true",
                   help="sweep h = 1e-1 … 1e-12: forward and central differences against "
                        "backprop for every scalar input, and the best h")
    c.add_argument("--json", action="store_true", help="with --h-sweep: print JSON")
    c.add_argument("-o", "--out", metavar="OUT.png|svg",
                   help="with --h-sweep: draw the errors against h (log-log) to this picture")


def _parse_range(text: str) -> tuple[float, float]:
    lo, sep, hi = text.partition(":")
    try:
        bounds = (float(lo), float(hi)) if sep else None
    except ValueError:
        bounds = None
    if bounds is None or not all(math.isfinite(b) for b in bounds) or not bounds[0] < bounds[1]:
        raise LabError(f"graphapp: --range {text!r}: expected LO:HI with finite LO < HI "
                     "(e.g. --range=-1:1)")
    return bounds


def _check_out(path: str | None) -> None:
    from graphapp.lab_figures import FORMATS

    if path is not None and path.rpartition(".")[2].lower() not in FORMATS:
        raise LabError(f"graphapp: -o {path}: the picture must be .png or .svg")


def _plot_inputs(run: Request) -> tuple[list[str], list[tuple[float, float] | None], int]:
    """The inputs, their ranges and the number of points, checked (one line, exit 2)."""
    import numpy as np

    args, graph = run.args, run.graph
    names = args.wrt
    if len(names) > 2:
        raise LabError("graphapp: --wrt: give one input (a curve) or two (a map), not "
                     f"{len(names)}")
    if len(names) == 2 and names[0] == names[1]:
        raise LabError(f"graphapp: --wrt {names[0]} twice: give two different inputs")
    for name in names:
        if name not in graph or not graph.op(name).is_input:
            raise LabError(f"{args.file}: --wrt {name}: not an input")
        value = run.overrides.get(name, graph.value(name))
        if np.ndim(value):
            raise LabError(f"{args.file}: --wrt {name}: holds an array of shape "
                         f"{np.shape(value)}; plots vary one number per input")
    if len(args.range) not in (0, 1, len(names)):
        raise LabError(f"graphapp: --range: give it once, or once per --wrt ({len(names)})")
    ranges: list[tuple[float, float] | None] = [None] * len(names)
    if args.range:
        parsed = [_parse_range(r) for r in args.range]
        ranges = parsed * len(names) if len(parsed) == 1 else parsed
    two = len(names) == 2
    points = DEFAULT_POINTS[two] if args.points is None else args.points
    if not 2 <= points <= MAX_POINTS[two]:
        raise LabError(f"graphapp: --points {points}: expected 2 to {MAX_POINTS[two]:,}"
                     + (" per axis" if two else ""))
    _check_out(args.out)
    return names, ranges, points


def _json_array(a: Any) -> Any:
    from graphapp.formats.text import to_json_value

    return to_json_value(a)


def _others(run: Request, names: list[str]) -> dict[str, float]:
    """The other scalar inputs and their values (said on the picture: they are fixed)."""
    import numpy as np

    graph = run.graph
    out = {}
    for n in graph.inputs_nodes():
        v = run.overrides.get(n, graph.value(n))
        if n not in names and np.ndim(v) == 0:
            out[n] = float(v)
    return out


def plot(run: Request) -> Reply:
    """``graphapp plot``: the output over one or two inputs, as JSON, a table or a picture."""
    from graphapp import lab

    args, output = run.args, run.output
    names, ranges, points = _plot_inputs(run)
    graph = run.graph
    if len(names) == 1:
        lo, hi = ranges[0] or (None, None)
        c = lab.curve(graph, output, names[0], lo, hi, points, run.overrides)
        result: dict[str, Any] = {"output": output, "wrt": names[0], "x": _json_array(c.x),
                                  "f": _json_array(c.f), "dfdx": _json_array(c.dfdx)}
        picture = c
    else:
        s = lab.surface(graph, output, (names[0], names[1]), ranges[0], ranges[1], points,
                        run.overrides)
        result = {"output": output, "wrt": names, "x": _json_array(s.x),
                  "y": _json_array(s.y), "f": _json_array(s.f), "dfdx": _json_array(s.dfdx),
                  "dfdy": _json_array(s.dfdy)}
        picture = s
    if args.out:
        _draw(picture, args.out, _others(run, names))
    if args.json:
        return Reply(json=result)
    return Reply() if args.out else Reply(text=_plot_text(picture))


def _plot_text(p: Any) -> str:
    from graphapp.lab import Curve

    if isinstance(p, Curve):
        lines = [f"{p.wrt:>14} {p.output:>14} {'d' + p.output + '/d' + p.wrt:>14}"]
        lines += [f"{x:14.6g} {f:14.6g} {d:14.6g}" for x, f, d in zip(p.x, p.f, p.dfdx,
                                                                         strict=True)]
        lines.append(f"at {p.wrt} = {p.x0:g}: {p.output} = {p.f0:.6g}, slope {p.slope0:.6g}")
        return "\n".join(lines)
    xn, yn = p.wrt
    lines = [f"{xn:>12} {yn:>12} {p.output:>14} {'d/d' + xn:>14} {'d/d' + yn:>14}"]
    for i, x in enumerate(p.x):
        lines += [f"{x:12.6g} {y:12.6g} {p.f[i, j]:14.6g} {p.dfdx[i, j]:14.6g} "
                  f"{p.dfdy[i, j]:14.6g}" for j, y in enumerate(p.y)]
    lines.append(f"at ({xn}, {yn}) = ({p.x0:g}, {p.y0:g}): {p.output} = {p.f0:.6g}, gradient "
                 f"({p.dfdx0:.6g}, {p.dfdy0:.6g})")
    return "\n".join(lines)


def _draw(picture: Any, path: str, others: dict[str, float]) -> None:
    from graphapp import lab_figures
    from graphapp.lab import Curve

    fig = (lab_figures.curve_figure(picture, others) if isinstance(picture, Curve)
           else lab_figures.surface_figure(picture, others))
    _save(fig, path)


def _save(fig: Any, path: str) -> None:
    from graphapp import lab_figures

    try:
        lab_figures.save(fig, path)
    except OSError as exc:
        raise LabError(f"graphapp: cannot write {path}: {exc.strerror or exc}", 1) from None


def check_sweep(run: Request) -> Reply:
    """``graphapp check --h-sweep``: the error sweep, as JSON, a table or a picture."""
    from graphapp import lab

    args, output = run.args, run.output
    _check_out(args.out)
    checks = lab.h_sweep_all(run.graph, output, values=run.overrides)
    if not checks:
        raise LabError(f"{args.file}: no scalar inputs to sweep", 2)
    if args.out:
        from graphapp import lab_figures

        _save(lab_figures.sweep_figure(checks, output), args.out)
    if args.json:
        return Reply(json={"inputs": {name: {"backprop": _json_array(c.backprop),
                                  "sweep": [{"h": r.h, "forward": _json_array(r.forward),
                                             "central": _json_array(r.central),
                                             "forward_error": _json_array(r.forward_error),
                                             "central_error": _json_array(r.central_error)}
                                            for r in c.rows]}
                           for name, c in checks.items()}})
    return Reply() if args.out else Reply(text=_sweep_text(checks, output))


def _sweep_text(checks: dict[str, Any], output: str) -> str:
    blocks = []
    for name, c in checks.items():
        lines = [f"d{output}/d{name} = {c.backprop:.12g} by backprop",
                 f"{'h':>8} {'forward':>20} {'central':>20} {'fwd error':>10} {'cen error':>10}"]
        lines += [f"{r.h:8.0e} {r.forward:20.12g} {r.central:20.12g} {r.forward_error:10.2e} "
                  f"{r.central_error:10.2e}" for r in c.rows]
        bf, bc = c.best("forward"), c.best("central")
        lines.append("best h: forward " + (f"{bf.h:g}" if bf else "—") + ", central "
                     + (f"{bc.h:g}" if bc else "—"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
