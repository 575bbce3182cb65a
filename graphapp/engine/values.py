"""What a node's value may be: a float64 scalar or a float64 numpy array.

Scalars are kept as ``numpy.float64`` (never Python floats, never 0-d arrays) so that maths on
them follows IEEE like numpy does: ``1/0`` is ``inf`` rather than a ``ZeroDivisionError``.

One exception, so that a scalar graph read from a file needs no numpy (see
:mod:`graphapp.engine.lazy_numpy`): :func:`as_leaf` keeps a Python float as it is, and a graph
read in bulk keeps such floats until a value is set (its ``value`` method still answers
``numpy.float64``) and hands them to its plan, which runs them on :mod:`math` (with numpy's
answer where :mod:`math` raises) or turns them into ``numpy.float64`` before any numpy maths.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from graphapp.engine.lazy_numpy import np

__all__ = ["Value", "as_leaf", "as_value", "shape_of", "tidy", "unbroadcast"]

#: A node value: a float64 scalar or array (a string, so that defining it reads no numpy).
Value: TypeAlias = "np.float64 | np.ndarray"


def as_value(x: float | int | Sequence | np.ndarray) -> Value:
    """Turn a number or a (nested) list of numbers into a node value.

    Raises ``ValueError`` for ragged lists, strings, booleans or complex numbers.

    >>> as_value(2)
    np.float64(2.0)
    >>> as_value([[1, 2], [3, 4]]).shape
    (2, 2)
    """
    if isinstance(x, (bool | np.bool_, str | bytes)):
        raise ValueError(f"not a number: {x!r}")
    if isinstance(x, complex | np.complexfloating):
        raise ValueError(f"complex numbers are not supported: {x!r}")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("not a number or a rectangular list of numbers (every row the same "
                         "length)") from None
    if arr.ndim == 0:
        return np.float64(arr)
    if arr.size == 0:
        raise ValueError("an empty list is not a value")
    return arr.copy() if arr is x else arr


def as_leaf(x: Any) -> Value | float:
    """A leaf's value as a plan runs it: a Python float stays as it is (no numpy needed for a
    scalar graph), anything else is checked and converted by :func:`as_value`.

    >>> as_leaf(2.5), as_leaf([1, 2]).tolist()
    (2.5, [1.0, 2.0])
    """
    return x if type(x) is float else as_value(x)


def tidy(v: object) -> Value:
    """Normalise a computed result: 0-d arrays and Python numbers become ``np.float64``."""
    if type(v) is np.ndarray:
        if v.ndim == 0:
            return np.float64(v)
        if v.dtype != np.float64:
            return v.astype(np.float64)
        return v
    if type(v) is np.float64:
        return v
    return np.float64(v)


def shape_of(v: Value) -> tuple[int, ...]:
    """The shape of a value; ``()`` for scalars."""
    return v.shape if type(v) is np.ndarray else ()


def unbroadcast(grad: Value, shape: tuple[int, ...]) -> Value:
    """Sum ``grad`` over the axes numpy broadcasting added, so it has ``shape`` again.

    This is the one place where broadcasting is undone, rather than in every op's rule.

    >>> unbroadcast(np.ones((2, 3)), (3,)).tolist()
    [2.0, 2.0, 2.0]
    >>> float(unbroadcast(np.ones((2, 3)), ()))
    6.0
    """
    gshape = np.shape(grad)
    if gshape == shape:
        return tidy(grad)
    g = np.asarray(grad, dtype=np.float64)
    if g.ndim < len(shape):  # a scalar or smaller gradient spreads over the input
        return tidy(np.broadcast_to(g, shape).copy())
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return tidy(g.reshape(shape))
