"""How big an array graphapp will make, checked from shapes before numpy allocates anything.

Broadcasting can turn three modest vectors into an enormous array: shapes (3000, 1, 1),
(1, 3000, 1) and (1, 1, 3000) added together make 3000 × 3000 × 3000 = 2.7·10¹⁰ numbers
(216 GB). Only two-input ops can make a result bigger than their inputs (element-wise ops by
broadcasting, ``matmul`` by its batch dimensions and its outer sizes), so those are checked
against :data:`MAX_ELEMENTS`; a node above it fails with a message that gives the size, like
any other evaluation failure (the rest of the graph still runs).

>>> from graphapp.engine.ops import OPS
>>> oversized(OPS["add"], [np.zeros((3000, 1, 1)), np.zeros((1, 3000, 1))]) is None
True
>>> oversized(OPS["add"], [np.empty((3000, 3000, 1)), np.zeros((1, 1, 3000))])[:66]
'add would make an array of 3000×3000×3000 = 27,000,000,000 numbers'
"""

from __future__ import annotations

import math
from typing import Any

from graphapp.engine.lazy_numpy import np
from graphapp.engine.ops import OpSpec

__all__ = ["MAX_ELEMENTS", "oversized", "result_shape"]

#: The most numbers one node's value may hold: 50 million float64s, 400 MB.
MAX_ELEMENTS = 50_000_000


def result_shape(spec: OpSpec, shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """The shape a two-input op would give, from its inputs' shapes alone; ``None`` when the
    shapes do not fit together (the op itself then says why) or the op cannot grow."""
    if spec.arity != 2:
        return None
    try:
        if spec.name == "matmul":
            return _matmul_shape(*shapes)
        if spec.elementwise:
            return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None
    return None


def _matmul_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """numpy.matmul's rule: vectors gain (and then lose) a dimension, batch dimensions
    broadcast, and (n × k) @ (k × m) is (n × m)."""
    if not a or not b or a[-1] != (b[-2] if len(b) > 1 else b[0]):
        return None
    rows = a[-2:-1] if len(a) > 1 else ()
    cols = b[-1:] if len(b) > 1 else ()
    batch = np.broadcast_shapes(a[:-2], b[:-2])
    return (*batch, *rows, *cols)


def oversized(spec: OpSpec, inputs: list[Any]) -> str | None:
    """Why ``spec`` must not run on ``inputs`` (its result would be too big), or ``None``."""
    shapes = [np.shape(v) for v in inputs]
    if len(shapes) != 2 or shapes[0] == shapes[1] or not shapes[0] or not shapes[1]:
        return None  # one input's shape (or a scalar's): no bigger than what exists already
    shape = result_shape(spec, shapes)
    if shape is None:
        return None
    n = math.prod(shape)
    if n <= MAX_ELEMENTS:
        return None
    dims = "×".join(str(d) for d in shape)
    return (f"{spec.name} would make an array of {dims} = {n:,} numbers ({_bytes(8 * n)}), "
            f"more than the {MAX_ELEMENTS:,} ({_bytes(8 * MAX_ELEMENTS)}) one node may hold")


def _bytes(n: int) -> str:
    """A size in bytes the way people say it: 400 MB, 216 GB."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.3g} {unit}"
        n /= 1000
    raise AssertionError
