"""The derivative lab's numbers: what the lab docks and ``graphapp plot`` / ``check --h-sweep``
show, computed from the engine (forward and reverse mode, finite differences, the compiled plan
run on arrays). No Qt, no files, no printing: the window and the command line render these.

Every function takes an engine :class:`~graphapp.engine.graph.Graph` (``doc.graph`` of a
document), the ``output`` node, the input(s) it is about, and ``values={input: value}`` that
replace inputs for that call only (the graph is never changed). Results are frozen dataclasses
of floats and numpy arrays, safe to hand from a worker thread to the window.

* Nudge and slope, :func:`slope` → :class:`Slope`: ``x, h, f_x, f_xh``, ``rise`` (= ``actual``),
  ``run`` (= h), ``slope`` (rise/run), ``gradient`` (backprop), ``predicted`` (gradient·h),
  ``error``. Any finite non-zero h, down to 1e-15.
* Gradient check, :func:`h_sweep` / :func:`h_sweep_all` → :class:`InputCheck`: ``backprop``,
  ``rows`` of :class:`SweepRow` (``h, forward, central, forward_error, central_error``) for
  :data:`SWEEP_H` = 1e-1 … 1e-12, and ``best("central" | "forward")``.
* Partial vs total, :func:`partial_vs_total` → :class:`PartialTotal`: ``partial`` (held nodes
  fixed; by default the constraints ``t = x`` the input feeds), ``total``, ``totals`` (d node/dx
  on every node), ``edge_locals`` (∂dst/∂src per edge), ``shares`` (:class:`EdgeShare` per edge
  leaving the input, ``via`` naming the constraint it enters) and ``paths``
  (:class:`PathTerm`: nodes, local factors, product; the total is their sum).
* Function plot, :func:`curve` → :class:`Curve` (``x, f, dfdx, x0, f0, slope0``,
  ``tangent()``) and :func:`surface` → :class:`Surface` (``x, y, f, dfdx, dfdy`` with
  ``f[i, j]`` at ``(x[i], y[j])``, the current point and its gradient). One plan run on arrays
  for the whole grid when :func:`vectorisable` (every value scalar, everything that depends on
  the inputs element-wise); otherwise point by point, and ``vectorised`` is False.
  :func:`default_range` is the value ± max(1, |value|). While only the plotted inputs move,
  :func:`grid_key` stays the same and :func:`moved` re-reads just the current point.
* Trace table, :func:`trace_rows` → :class:`TraceRow` list; :func:`to_markdown`,
  :func:`to_csv`, :func:`cells` (one row as text), :data:`TRACE_COLUMNS`.
* Quiz, in its own module :mod:`graphapp.lab.quiz` (imported when a quiz is used):
  ``questions`` (the hidden numbers and their right values, in backprop's order), ``mark``
  (verdicts, score, the first mistake explained), ``explain``, ``hidden_numbers``.

Caveats: the views move one scalar input at a time (``ValueError`` for an array input, a zero
or non-finite h, a bad range); an output that cannot be computed raises the engine's
:class:`~graphapp.engine.errors.EvaluationError`; maths never raises (nan and inf flow through
as in the engine). At kinks (relu, abs, max, min) derivatives follow the op table's
conventions.

>>> from graphapp.api import parse
>>> from graphapp.lab import slope
>>> g = parse("x = 3.0\\nf = 3*x**2 - 4*x + 5").graph
>>> s = slope(g, "f", "x", 0.001)
>>> s.f_x, round(s.slope, 6), s.gradient, round(s.error / 0.001, 6)   # the error is 3h
(20.0, 14.003, 14.0, 3.0)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: The module each other name comes from (as ``(module, name there)`` when renamed). A module
#: is imported when one of its names is first read: the window's lesson checks and quiz import
#: this package for a submodule and need none of them (~10 ms at start-up).
_WHERE: dict[str, str | tuple[str, str]] = {
    **dict.fromkeys(("DEFAULT_H", "Slope", "slope"), "finite_slope"),
    **dict.fromkeys(("Curve", "Surface", "curve", "default_range", "grid_key", "moved",
                     "surface", "vectorisable"), "grid"),
    **dict.fromkeys(("SWEEP_H", "InputCheck", "SweepRow", "h_sweep", "h_sweep_all"), "hsweep"),
    **dict.fromkeys(("EdgeShare", "PartialTotal", "PathTerm", "default_held",
                     "partial_vs_total"), "partial"),
    **dict.fromkeys(("TraceRow", "cells", "to_csv", "to_markdown", "trace_rows"),
                    "trace_table"),
    "TRACE_COLUMNS": ("trace_table", "COLUMNS"),
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = where if isinstance(where, tuple) else (where, name)
    value = getattr(import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


if TYPE_CHECKING:
    from graphapp.lab.finite_slope import DEFAULT_H, Slope, slope
    from graphapp.lab.grid import (
        Curve,
        Surface,
        curve,
        default_range,
        grid_key,
        moved,
        surface,
        vectorisable,
    )
    from graphapp.lab.hsweep import SWEEP_H, InputCheck, SweepRow, h_sweep, h_sweep_all
    from graphapp.lab.partial import (
        EdgeShare,
        PartialTotal,
        PathTerm,
        default_held,
        partial_vs_total,
    )
    from graphapp.lab.trace_table import COLUMNS as TRACE_COLUMNS
    from graphapp.lab.trace_table import TraceRow, cells, to_csv, to_markdown, trace_rows

__all__ = [
    "DEFAULT_H",
    "SWEEP_H",
    "TRACE_COLUMNS",
    "Curve",
    "EdgeShare",
    "InputCheck",
    "PartialTotal",
    "PathTerm",
    "Slope",
    "Surface",
    "SweepRow",
    "TraceRow",
    "cells",
    "curve",
    "default_held",
    "default_range",
    "grid_key",
    "h_sweep",
    "h_sweep_all",
    "moved",
    "partial_vs_total",
    "slope",
    "surface",
    "to_csv",
    "to_markdown",
    "trace_rows",
    "vectorisable",
]
