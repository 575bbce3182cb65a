"""Text helpers shared by the readers, the command line, the exporter and the window:
decoding files with a precise error, and writing numbers the way a person reads them."""

from __future__ import annotations

import math
import sys
from typing import Any

from graphapp.engine.lazy_numpy import is_array, np
from graphapp.formats.errors import FormatError

__all__ = [
    "decode_utf8",
    "display_name",
    "format_local",
    "format_number",
    "format_shape",
    "format_value",
    "from_json_value",
    "is_position",
    "magnitude",
    "sign_of",
    "to_json_value",
]


def decode_utf8(data: bytes, path: str) -> str:
    """Decode UTF-8 (a leading BOM is dropped); a bad byte is reported with its line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
        raise FormatError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path, line,
                          col) from None


def format_number(x: float, digits: int = 6) -> str:
    """A scalar with ``digits`` significant digits, without trailing zeros.

    >>> format_number(6.0), format_number(-0.8813735870195429), format_number(1.5e-9)
    ('6', '-0.881374', '1.5e-09')
    """
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def format_shape(shape: tuple[int, ...]) -> str:
    """``(3×4)`` for a shape, ``scalar`` for ``()``."""
    return "(" + "×".join(str(n) for n in shape) + ")" if shape else "scalar"


def format_value(v: Any, digits: int = 6, max_items: int = 6) -> str:
    """A scalar as a number; an array as a compact preview such as ``[1, 2, 3]``."""
    if v is None:
        return "—"
    if not is_array(v):
        return format_number(v, digits)
    flat = v.ravel()
    if v.ndim == 1:
        items = [format_number(x, digits) for x in flat[:max_items]]
        more = ", …" if v.size > max_items else ""
        return "[" + ", ".join(items) + more + "]"
    rows = [format_value(r, digits, max_items) for r in v[: max(1, max_items // 2)]]
    more = ", …" if v.shape[0] > len(rows) else ""
    return "[" + ", ".join(rows) + more + "]"


def to_json_value(v: Any) -> Any:
    """A value as JSON: a float or nested lists; nan and ±inf as the strings "nan", "inf",
    "-inf" (strict JSON has no such numbers)."""
    if type(v) is float and v - v == 0.0:  # the common case, finite: no conversion at all
        return v
    if v is None:
        return None
    if is_array(v):  # (asked without importing numpy: a scalar graph may not need it)
        if v.ndim and np.isfinite(v).all():
            return v.tolist()
        return [to_json_value(x) for x in v] if v.ndim else to_json_value(float(v))
    x = float(v)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def display_name(node: str, attrs: dict[str, Any] | None = None) -> str:
    """The name to show for a node: its ``label``, else its id; empty for generated ids
    (``mul#2``), which are shown by their op symbol alone."""
    label = (attrs or {}).get("label")
    if isinstance(label, str) and label:
        return label
    return "" if "#" in node else node


def format_local(local: Any, src: Any, dst: Any, digits: int = 5) -> str:
    """A local derivative ∂dst/∂src for display. A scalar is a number; a Jacobian that is
    diagonal (element-wise ops) is shown as ``diag [..]``; other Jacobians by their shape."""
    if local is None:
        return f"Jacobian {format_shape(np.shape(dst) + np.shape(src))} (too large to show)"
    if not is_array(local):
        return format_number(local, digits)
    src_shape, dst_shape = np.shape(src), np.shape(dst)
    if local.shape == src_shape and not dst_shape:
        return format_value(local, digits, max_items=4)
    if src_shape == dst_shape and local.shape == dst_shape + src_shape:
        n = int(np.prod(src_shape))
        square = local.reshape(n, n)
        diagonal = np.diagonal(square)
        if np.array_equal(square, np.diag(diagonal)):
            return "diag " + format_value(diagonal.reshape(src_shape), digits, max_items=4)
    if local.size <= 4:
        return format_value(local, digits, max_items=4)
    return f"Jacobian {format_shape(local.shape)}"


def magnitude(v: Any) -> float:
    """The size of a value for drawing (|x|, or the Euclidean norm of an array); 0 for
    ``None`` and non-finite values, so one nan does not flatten every other edge.

    The norm is taken of the array scaled by its largest element, so 1e200s do not overflow
    (a norm beyond the largest float is the largest float).

    >>> f"{magnitude(np.array([3e200, 4e200])):.6g}"
    '5e+200'
    """
    if v is None:
        return 0.0
    if not is_array(v):
        m = abs(float(v))
        return m if m - m == 0.0 else 0.0
    with np.errstate(all="ignore"):
        biggest = float(np.max(np.abs(v)))
        if biggest - biggest != 0.0:
            return 0.0
        if biggest == 0.0:
            return 0.0
        m = biggest * float(np.sqrt(np.sum(np.square(v / biggest))))
    return min(m, _LARGEST)


def sign_of(v: Any) -> float:
    """The sign used to colour a value: of the number, or of an array's sum; nan counts as
    negative (drawn red, like an error)."""
    if v is None:
        return 0.0
    total = float(np.sum(v)) if is_array(v) else float(v)
    if math.isnan(total):
        return -1.0
    return (total > 0) - (total < 0)


_LARGEST = sys.float_info.max
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
#: Lists in a value nest at most this deep (an array of at most this many dimensions).
MAX_DIMS = 32
_NUMBER_TYPES = frozenset({int, float})


def from_json_value(raw: Any) -> Any:
    """The inverse of :func:`to_json_value`: "nan", "inf", "-inf" back to floats, in nested
    lists too. Raises ``ValueError`` for anything else that is not a number or nested lists
    of numbers (``true``, ``null``, other strings, objects) and for lists nested more than
    :data:`MAX_DIMS` deep.

    Iterative, and quick on big arrays: a list of plain numbers is checked in one pass over
    its element types, without a Python step per number.

    >>> from_json_value([[1, "inf"], [2.5, "-inf"]])
    [[1, inf], [2.5, -inf]]
    >>> from_json_value([1, True])
    Traceback (most recent call last):
    ...
    ValueError: expected a number or nested lists of numbers, not true
    """
    if type(raw) is not list:
        return _json_scalar(raw)
    stack = [(raw, 1)]
    while stack:
        items, depth = stack.pop()
        if depth > MAX_DIMS:
            raise ValueError(f"lists nested more than {MAX_DIMS} deep (an array has at most "
                             f"{MAX_DIMS} dimensions)")
        kinds = set(map(type, items))
        if kinds <= _NUMBER_TYPES:
            continue
        if list in kinds:
            if kinds != {list}:
                raise ValueError("the nested lists must be rectangular (all rows the same "
                                 "length)")
            stack.extend((item, depth + 1) for item in items)
            continue
        for k, item in enumerate(items):
            if type(item) not in _NUMBER_TYPES:
                items[k] = _json_scalar(item)
    return raw


def _json_scalar(raw: Any) -> Any:
    """A JSON number, or one of the words for non-finite numbers, as a number."""
    if type(raw) in _NUMBER_TYPES:
        return raw
    if isinstance(raw, str) and raw in _NON_FINITE:
        return _NON_FINITE[raw]
    shown = ("true" if raw is True else "false" if raw is False else "null" if raw is None
             else "an object" if isinstance(raw, dict) else repr(raw)[:40])
    raise ValueError(f"expected a number or nested lists of numbers, not {shown}")


def is_position(pos: Any) -> bool:
    """True for a canvas position: ``[x, y]`` (or a tuple) of two real numbers."""
    return (isinstance(pos, list | tuple) and len(pos) == 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in pos))
