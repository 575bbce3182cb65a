"""graphapp: a desktop lab for the chain rule, and the same engine for scripts and notebooks.

Build an expression graph, see every node's forward value, and watch reverse-mode gradients
flow back edge by edge. From Python, the functions of :mod:`graphapp.api` are here:
:func:`load` / :func:`parse` a graph, :func:`set_values`, :func:`forward`, :func:`backward`
(per-edge local and accumulated derivatives), :func:`tangents` (forward mode), :func:`save` and
:func:`export` (Graphviz). The ``graphapp`` command runs on the same functions.

>>> import graphapp
>>> doc = graphapp.parse("x = 3.0\\ny = x * x")
>>> back = graphapp.backward(doc)
>>> float(back.grads["x"])                          # dy/dx = 2x
6.0
>>> [float(back.edge("x", "y", slot).local) for slot in (0, 1)]   # x·x: one share per factor
[3.0, 3.0]

``import graphapp`` itself is cheap (no numpy, no Qt): each name is imported on first use. The
layers below are :mod:`graphapp.engine` (graphs, the op table, differentiation; pure Python +
numpy + networkx), :mod:`graphapp.formats` (files, reports, Graphviz) and :mod:`graphapp.gui`
(the window).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> the module that defines it (imported when the name is first used).
_LAZY = {
    "load": "graphapp.api", "parse": "graphapp.api", "save": "graphapp.api",
    "set_values": "graphapp.api", "forward": "graphapp.api", "backward": "graphapp.api",
    "tangents": "graphapp.api", "export": "graphapp.api",
    "Graph": "graphapp.engine", "GraphError": "graphapp.engine",
    "EvaluationError": "graphapp.engine", "OPS": "graphapp.engine",
    "GraphFile": "graphapp.formats", "FormatError": "graphapp.formats",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'graphapp' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
