"""Formulas in standard notation, for names of intermediate nodes and for explanations.

A node the user named is called by its name. A generated sub-expression (ids like ``mul#2``,
which ``.expr`` files and the expression bar make for the parts of ``3*x**2 - 4*x + 5``) is
called by what it computes, as a reader writes it: ``3·x²``, ``a·b``, ``3·x² − 4·x + 5``, with
brackets only where precedence needs them. Constants are written as their value, with ``π``
and simple fractions (``4/3``) recognised. Formulas that grow too long keep their outer shape
and write deeper parts as ``…``.

>>> from graphapp.formats import parse_expr
>>> g = parse_expr("x = 3\\nf = 3*x**2 - 4*x + 5").graph
>>> formula(g, "f", expand_named=True)
'3·x² − 4·x + 5'
>>> [formula(g, n) for n in sorted(g) if "#" in n and g.op(n).name == "mul"]
['3·x²', '4·x']
>>> g = parse_expr("a = 2\\nb = -3\\ne = a*b\\nL = (e + 1) * a").graph
>>> formula(g, "L", expand_named=True), formula(g, "L", inputs_only=True)
('(e + 1)·a', '(a·b + 1)·a')
>>> constant_text(3.141592653589793), constant_text(4 / 3), constant_text(0.5), constant_text(2.0)
('π', '4/3', '0.5', '2')

Caveat: the text is for reading, not for parsing back (``·`` and superscripts are not
``.expr`` syntax).
"""

from __future__ import annotations

import math
from typing import Any

from graphapp.engine.lazy_numpy import is_array
from graphapp.formats.text import display_name, format_value

__all__ = ["constant_text", "formula", "formula_names", "op_text", "operand", "short_name"]

#: Binding strength: sums < products < unary minus < powers < calls and names.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_INFIX = {"add": (" + ", _SUM), "sub": (" − ", _SUM), "mul": ("·", _PRODUCT),
          "div": ("/", _PRODUCT), "matmul": (" @ ", _PRODUCT), "pow": ("^", _POWER)}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
#: Card titles longer than this are shortened.
TITLE_LIMIT = 16


def constant_text(value: Any) -> str:
    """A constant as a reader writes it: ``π``, ``2π``, ``π/2``, ``4/3``, else its number."""
    if is_array(value) and value.ndim:
        return format_value(value, digits=4, max_items=3).replace("-", "−")
    v = float(value)
    if not math.isfinite(v) or v == 0:
        return format_value(v, digits=4).replace("-", "−")
    sign = "−" if v < 0 else ""
    from fractions import Fraction  # only for display (start-up time of the command line)

    for base, symbol in ((math.pi, "π"), (1.0, "")):
        ratio = Fraction(abs(v) / base).limit_denominator(12)
        if ratio.numerator <= 100 and math.isclose(float(ratio) * base, abs(v), rel_tol=1e-12):
            if not symbol and ratio.denominator in (1, 2, 4, 5, 8, 10):
                break  # 0.5, 0.25: the decimal reads better
            top = f"{ratio.numerator if ratio.numerator != 1 or not symbol else ''}{symbol}"
            return sign + (top if ratio.denominator == 1 else f"{top}/{ratio.denominator}")
    return format_value(v, digits=4).replace("-", "−")


def _is_named(graph: Any, node: str) -> bool:
    return bool(display_name(node, graph.attrs(node)))


def formula(graph: Any, node: str, depth: int = 6, expand_named: bool = False,
            inputs_only: bool = False) -> str:
    """What ``node`` computes, in standard notation; named inputs to it appear by name (and
    ``node`` itself too, unless ``expand_named``). ``inputs_only``: named intermediate nodes
    are written out too, so that only inputs and constants remain. Parts deeper than
    ``depth`` are ``…``."""
    return _render(graph, node, depth, expand_named, inputs_only)[0]


def _render(graph: Any, root: str, depth: int, expand_root: bool,
            inputs_only: bool = False) -> tuple[str, int]:
    """(text, precedence) of ``root``, built bottom-up with an explicit stack (no recursion)."""
    done: dict[tuple[str, int], tuple[str, int]] = {}
    stack: list[tuple[str, int, bool]] = [(root, depth, False)]
    while stack:
        node, d, expanded = stack.pop()
        key = (node, d)
        if key in done:
            continue
        spec = graph.op(node)
        leafish = spec.is_leaf or (not inputs_only and _is_named(graph, node) and not (
            node == root and d == depth and expand_root))
        if leafish:
            if spec.constant:
                text = constant_text(graph.value(node, plain=True))
                done[key] = (text, _ATOM if text.replace(".", "").isalnum() else _PRODUCT)
            else:
                done[key] = (display_name(node, graph.attrs(node)) or spec.symbol, _ATOM)
            continue
        if d == 0:
            done[key] = ("…", _ATOM)
            continue
        inputs = graph.inputs(node)
        if not expanded:
            stack.append((node, d, True))
            stack.extend((s, d - 1, False) for s in inputs if s is not None)
            continue
        args = [done[(s, d - 1)] if s is not None else ("?", _ATOM) for s in inputs]
        done[key] = _combine(spec.name, spec.symbol, args)
    return done[(root, depth)]


def _wrap(arg: tuple[str, int], need: int) -> str:
    text, prec = arg
    return f"({text})" if prec < need else text


def _combine(op: str, symbol: str, args: list[tuple[str, int]]) -> tuple[str, int]:
    if op in _INFIX and len(args) == 2:
        sign, prec = _INFIX[op]
        b = args[1][0]
        if op == "pow":
            if b.isdigit() or (b.startswith("−") and b[1:].isdigit()):
                return _wrap(args[0], _ATOM) + b.translate(_SUPERSCRIPT), _POWER
            return f"{_wrap(args[0], _ATOM)}^{_wrap(args[1], _POWER)}", _POWER
        # left-associative: the right operand of − and / needs brackets at equal strength
        right_need = prec + (1 if op in ("sub", "div") else 0)
        return f"{_wrap(args[0], prec)}{sign}{_wrap(args[1], right_need)}", prec
    if op == "neg":
        return "−" + _wrap(args[0], _POWER), _UNARY
    if op == "identity":
        return args[0]
    if op == "abs":
        return f"|{args[0][0]}|", _ATOM
    if op == "sqrt":
        return "√" + _wrap(args[0], _ATOM), _ATOM
    name = {"sigmoid": "σ", "log": "ln", "sum": "Σ"}.get(op, op)
    return f"{name}({', '.join(text for text, _ in args)})", _ATOM


def short_name(graph: Any, node: str, limit: int = TITLE_LIMIT) -> str:
    """A card title for ``node``: its name, or for a generated sub-expression the formula it
    computes, shortened (deeper parts as ``…``) to at most about ``limit`` characters."""
    name = display_name(node, graph.attrs(node))
    if name:
        return name
    spec = graph.op(node)
    if spec.constant:
        return constant_text(graph.value(node, plain=True))
    text = ""
    for depth in (4, 3, 2, 1):
        text = formula(graph, node, depth)
        if len(text) <= limit:
            break
    return text


def operand(graph: Any, node: str) -> str:
    """A node's name as an operand: bracketed when it is a compound formula (``(3·x²)``)."""
    text = short_name(graph, node)
    return text if text.replace("_", "").replace(".", "").isalnum() else f"({text})"


def formula_names(graph: Any, node: str) -> dict[str, str]:
    """Names to fill into ``node``'s op formulas (:meth:`OpSpec.render_formula`): its inputs'
    (and its own) names, generated sub-expressions written as the formula they compute."""
    spec = graph.op(node)
    names = {"out": operand(graph, node)}
    for slot, src in enumerate(graph.inputs(node)):
        if src is not None:
            names[spec.slot_names[slot]] = operand(graph, src)
    return names


def op_text(graph: Any, node: str) -> str:
    """``node``'s own op applied to its inputs' names, one level deep (``(3·x² − 4·x) + 5``,
    ``a·b``, ``x²``): the function whose partial derivatives its edges carry."""
    spec = graph.op(node)
    args = [("?", _ATOM) if src is None else _render(graph, src, 6, False)
            for src in graph.inputs(node)]
    return _combine(spec.name, spec.symbol, args)[0]
