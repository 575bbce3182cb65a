"""The op table: every operation graphapp knows, each declared once.

An :class:`OpSpec` gives an op's name, arity, display symbol, forward function, one
vector-Jacobian product (VJP) per input for reverse mode, and a readable formula of each local
derivative. Forward mode's Jacobian-vector products (JVPs) come from the VJPs for element-wise
ops; only the others (``sum``, ``mean``, ``matmul``) write their own. The ``.expr`` parser,
the canvas palette, the Graphviz exporter and the docs all read this table, so adding an op is
one entry here plus its row in the gradient-check test.

Conventions, so that every rule reads the same way:

* ``vjp[i](g, out, *inputs)`` is the gradient flowing back to input ``i`` when ``g`` arrives at
  the output; for scalars it is ``g`` times the local derivative ∂out/∂input_i.
* ``jvp[i](t, out, *inputs)`` is the change of the output when input ``i`` moves by ``t``.
  For an element-wise op the local Jacobian is diagonal, so ``g × local`` and ``local × t``
  are one function: ``jvp`` defaults to ``vjp``.
* Rules may return a gradient of the broadcast shape; the engine sums it back to the input's
  shape (:func:`graphapp.engine.values.unbroadcast`), so no rule handles broadcasting itself.
* ``formula[i]`` is a template with the input names in braces (``{a}``, ``{b}`` or ``{x}``,
  and ``{out}`` for the node itself), rendered by :meth:`OpSpec.render_formula`.
* At a kink, ``max`` and ``min`` give ½ to each side of a tie and ``abs`` gives 0 at 0, the
  values a central difference gives; ``relu`` gives 0 at 0 by the usual convention (a central
  difference gives ½ there, and ``graphapp check`` reports the disagreement).

Rules are called by the engine inside ``numpy.errstate(all="ignore")``: ``log(-1)`` is nan and
``1/0`` is inf, as in numpy, and the engine reports the first node that went non-finite.

Element-wise ops also give the same maths on plain Python floats with :mod:`math`
(``scalar`` and ``scalar_local``, ∂out/∂input_i from ``(out, *inputs)``): a graph too narrow
to batch by level runs on those, about ten times faster than on numpy scalars. Where
:mod:`math` raises (``log(-1)``, ``exp(1000)``, ``1/0``) :func:`call_scalar` answers with the
numpy rule instead, so both give numpy's nan and inf. Every op's scalar rules are checked
against its numpy rules on a set of points (0, ±1, kinks, poles, inf, nan): the same numbers,
to within an ulp or two where numpy's own ``tanh`` rounds differently from C's.

When that check runs, and why: numpy is imported lazily (:mod:`graphapp.engine.lazy_numpy`), so
that ``graphapp grad`` on a small scalar graph, which runs on the float rules alone, does not
spend most of its time importing numpy. The check needs numpy, so it runs when numpy is first
used by the engine (a graph with arrays, a batched run, the window, the tests), before any numpy
rule gives a number: wherever both kinds of rule are in use they have been compared first, and a
process that never loads numpy never compares them. The comparison itself does not change with
the process, so that one is vouched for by the test suite, which runs it (and a gradient check
of every op on both kinds of rule) explicitly. The numpy forward rules are written
``lambda x: np.exp(x)`` rather than ``np.exp`` for the same reason: the table is built without
reading numpy.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graphapp.engine.lazy_numpy import np, on_load

__all__ = ["CATEGORIES", "OPS", "OpSpec", "call_scalar", "function_ops", "get_op", "infix_op",
           "iter_ops", "local_scalar"]

Rule = Callable[..., object]

#: Palette groups, in the order the palette and the docs list them.
CATEGORIES = ("Leaves", "Arithmetic", "Functions", "Activations", "Reductions", "Linear algebra")


@dataclass(frozen=True)
class OpSpec:
    """One operation: how to compute it and how to differentiate it."""

    name: str
    arity: int
    symbol: str
    category: str
    description: str
    forward: Rule | None = None
    vjp: tuple[Rule, ...] = ()
    #: Forward-mode rules; left empty, an element-wise op uses its ``vjp`` (see above).
    jvp: tuple[Rule, ...] = ()
    formula: tuple[str, ...] = ()
    #: Input names used by the formulas, one per slot (``a, b`` or ``x``).
    slot_names: tuple[str, ...] = ()
    #: The Python operator that writes this op in ``.expr`` text (``*`` for mul), if any.
    token: str | None = None
    #: True when the op works element by element (so scalar graphs can batch it).
    elementwise: bool = True
    #: Where the op is undefined (gives nan), said in words, for messages.
    domain: str = ""
    #: What an input of 0 does when it makes the result infinite, for messages.
    pole: str = ""
    #: Keyword spellings the ``.expr`` parser also accepts for this op (``ln`` for log).
    aliases: tuple[str, ...] = field(default=())
    #: For a leaf: its value is a fixed number (``const``), not differentiated, so it has no
    #: gradient and its out-edges carry none; a leaf that is not constant is an input.
    constant: bool = False
    #: Element-wise ops: the forward on Python floats with :mod:`math` (may raise where numpy
    #: gives nan or inf; :func:`call_scalar` handles that).
    scalar: Rule | None = None
    #: Element-wise ops: ∂out/∂input_i on Python floats, called as ``(out, *inputs)``.
    scalar_local: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        if self.elementwise and not self.jvp:
            # Element by element, each VJP is g times the local derivative, so the JVP (t times
            # the same derivative) is the same function applied to t.
            object.__setattr__(self, "jvp", self.vjp)
        # tinygrad's rule: every op gives exactly one derivative (and one formula) per input.
        if self.arity and self.forward is None:
            raise ValueError(f"op {self.name}: computed ops need a forward function")
        for what, rules in (("vjp", self.vjp), ("jvp", self.jvp), ("formula", self.formula),
                            ("slot_names", self.slot_names)):
            if len(rules) != self.arity:
                raise ValueError(f"op {self.name}: {len(rules)} {what} for arity {self.arity}")
        if self.arity and self.elementwise and (self.scalar is None
                                                or len(self.scalar_local) != self.arity):
            raise ValueError(f"op {self.name}: element-wise ops need scalar rules, one local "
                             f"derivative per input")

    @property
    def is_leaf(self) -> bool:
        """Inputs and constants: nodes that hold a value, set rather than computed."""
        return self.arity == 0

    @property
    def is_input(self) -> bool:
        """A leaf that holds a value and receives a gradient (one you set or ``--set``)."""
        return self.arity == 0 and not self.constant

    def render_formula(self, slot: int, names: dict[str, str] | None = None) -> str:
        """The local-derivative formula for input ``slot`` with node names filled in.

        >>> OPS["mul"].render_formula(0, {"a": "d", "b": "f"})
        '∂(d·f)/∂d = f'
        """
        names = dict(names or {})
        for own in (*self.slot_names, "out"):
            names.setdefault(own, own)
        return self.formula[slot].format(**names)


def _mask_gt(a, b):
    """1 where a > b, ½ where equal, 0 where smaller: the central-difference derivative of max."""
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def _sigmoid(x):
    # Written so that neither branch overflows: exp(-|x|) is at most 1.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)) * 1.0


def _pow_exponent_grad(out, a):
    # d(a^b)/db = a^b ln a; at a = 0 the limit is 0, for a < 0 it is undefined (nan).
    safe = np.where(a > 0, a, 1.0)
    return np.where(a > 0, out * np.log(safe), np.where(a == 0, 0.0, np.nan))


def _matmul_vjp_a(g, out, a, b):
    if np.ndim(b) == 1:
        return np.multiply.outer(g, b) if np.ndim(a) > 1 else g * b
    if np.ndim(a) == 1:
        return np.matmul(b, g)
    return np.matmul(g, np.swapaxes(b, -1, -2))


def _matmul_vjp_b(g, out, a, b):
    if np.ndim(a) == 1:
        return np.multiply.outer(a, g) if np.ndim(b) > 1 else g * a
    return np.matmul(np.swapaxes(a, -1, -2), g)


def _relu(x: float) -> float:
    return x if x > 0.0 or x != x else 0.0  # nan stays nan, as in numpy.maximum


def _max(a: float, b: float) -> float:
    return a if a > b or a != a else b if b > a or b != b else a  # nan wins, as in numpy


def _min(a: float, b: float) -> float:
    return a if a < b or a != a else b if b < a or b != b else a


def _gt(a: float, b: float) -> float:
    return 1.0 if a > b else 0.5 if a == b else 0.0


def _sign(x: float) -> float:
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else x * 0.0  # 0 → 0, nan → nan


def _sigmoid_scalar(x: float) -> float:
    z = math.exp(-abs(x))
    return 1.0 / (1.0 + z) if x >= 0 else z / (1.0 + z)


def _pow_exponent_local(out: float, a: float) -> float:
    return out * math.log(a) if a > 0 else 0.0 if a == 0 else math.nan


def _ones(x):
    return np.ones_like(x) if isinstance(x, np.ndarray) else 1.0


def _leaf(name: str, symbol: str, description: str, constant: bool = False) -> OpSpec:
    return OpSpec(name=name, arity=0, symbol=symbol, category="Leaves", description=description,
                  constant=constant)


def _unary(name, symbol, category, description, forward, vjp, formula, scalar=None,
           local=None, **kw) -> OpSpec:
    return OpSpec(name=name, arity=1, symbol=symbol, category=category, description=description,
                  forward=forward, vjp=(vjp,), formula=(formula,), slot_names=("x",),
                  scalar=scalar, scalar_local=(local,) if local else (), **kw)


def _binary(name, symbol, category, description, forward, vjps, formulas, scalar=None,
            locals_=(), **kw) -> OpSpec:
    return OpSpec(name=name, arity=2, symbol=symbol, category=category, description=description,
                  forward=forward, vjp=vjps, formula=formulas, slot_names=("a", "b"),
                  scalar=scalar, scalar_local=locals_, **kw)


_TABLE: tuple[OpSpec, ...] = (
    _leaf("input", "in", "A value you set; it receives a gradient."),
    _leaf("const", "c", "A fixed number; it is not differentiated.", constant=True),
    _unary("identity", "=", "Arithmetic", "The same value under another name (a constraint t = x).",
           lambda x: x,
           lambda g, out, x: g,
           "∂{out}/∂{x} = 1",
           scalar=lambda x: x, local=lambda out, x: 1.0),
    _binary("add", "+", "Arithmetic", "Sum of two values.",
            operator.add,
            (lambda g, out, a, b: g, lambda g, out, a, b: g),
            ("∂({a}+{b})/∂{a} = 1", "∂({a}+{b})/∂{b} = 1"), token="+",
            scalar=operator.add, locals_=(lambda out, a, b: 1.0, lambda out, a, b: 1.0)),
    _binary("sub", "−", "Arithmetic", "Difference of two values.",
            operator.sub,
            (lambda g, out, a, b: g, lambda g, out, a, b: -g),
            ("∂({a}−{b})/∂{a} = 1", "∂({a}−{b})/∂{b} = −1"), token="-",
            scalar=operator.sub, locals_=(lambda out, a, b: 1.0, lambda out, a, b: -1.0)),
    _binary("mul", "×", "Arithmetic", "Product of two values.",
            operator.mul,
            (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
            ("∂({a}·{b})/∂{a} = {b}", "∂({a}·{b})/∂{b} = {a}"), token="*",
            scalar=operator.mul, locals_=(lambda out, a, b: b, lambda out, a, b: a)),
    _binary("div", "÷", "Arithmetic", "Quotient of two values.",
            operator.truediv,
            (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * a / (b * b)),
            ("∂({a}/{b})/∂{a} = 1/{b}", "∂({a}/{b})/∂{b} = −{a}/{b}²"), token="/",
            pole="division by zero",
            scalar=operator.truediv,
            locals_=(lambda out, a, b: 1.0 / b, lambda out, a, b: -a / (b * b))),
    _binary("pow", "^", "Arithmetic", "Power: a raised to b.",
            operator.pow,
            (lambda g, out, a, b: g * b * a ** (b - 1.0),
             lambda g, out, a, b: g * _pow_exponent_grad(out, a)),
            ("∂({a}^{b})/∂{a} = {b}·{a}^({b}−1)", "∂({a}^{b})/∂{b} = {a}^{b}·ln {a}"),
            token="**", domain="a negative number to a fractional power",
            pole="0 to a negative power",
            scalar=math.pow,
            locals_=(lambda out, a, b: b * math.pow(a, b - 1.0),
                     lambda out, a, b: _pow_exponent_local(out, a))),
    _unary("neg", "−", "Arithmetic", "Negation.", operator.neg,
           lambda g, out, x: -g,
           "∂(−{x})/∂{x} = −1", token="-",
           scalar=operator.neg, local=lambda out, x: -1.0),
    _unary("exp", "exp", "Functions", "Exponential e^x.", lambda x: np.exp(x),
           lambda g, out, x: g * out,
           "∂exp({x})/∂{x} = exp({x})",
           scalar=math.exp, local=lambda out, x: out),
    _unary("log", "ln", "Functions", "Natural logarithm.", lambda x: np.log(x),
           lambda g, out, x: g / x,
           "∂ln({x})/∂{x} = 1/{x}", domain="log is defined for x > 0", pole="log(0) is −inf",
           aliases=("ln",),
           scalar=math.log, local=lambda out, x: 1.0 / x),
    _unary("sin", "sin", "Functions", "Sine.", lambda x: np.sin(x),
           lambda g, out, x: g * np.cos(x),
           "∂sin({x})/∂{x} = cos({x})",
           scalar=math.sin, local=lambda out, x: math.cos(x)),
    _unary("cos", "cos", "Functions", "Cosine.", lambda x: np.cos(x),
           lambda g, out, x: -g * np.sin(x),
           "∂cos({x})/∂{x} = −sin({x})",
           scalar=math.cos, local=lambda out, x: -math.sin(x)),
    _unary("tan", "tan", "Functions", "Tangent.", lambda x: np.tan(x),
           lambda g, out, x: g * (1.0 + out * out),
           "∂tan({x})/∂{x} = 1 + tan²({x})",
           scalar=math.tan, local=lambda out, x: 1.0 + out * out),
    _unary("sqrt", "√", "Functions", "Square root.", lambda x: np.sqrt(x),
           lambda g, out, x: g * 0.5 / out,
           "∂√{x}/∂{x} = 1/(2√{x})", domain="sqrt is defined for x ≥ 0",
           scalar=math.sqrt, local=lambda out, x: 0.5 / out),
    _unary("abs", "|x|", "Functions", "Absolute value.", lambda x: np.abs(x),
           lambda g, out, x: g * np.sign(x),
           "∂|{x}|/∂{x} = sign({x})",
           scalar=math.fabs, local=lambda out, x: _sign(x)),
    _binary("max", "max", "Functions", "The larger of two values (element by element).",
            lambda a, b: np.maximum(a, b),
            (lambda g, out, a, b: g * _mask_gt(a, b), lambda g, out, a, b: g * _mask_gt(b, a)),
            ("∂max({a},{b})/∂{a} = 1 if {a} > {b}, ½ if equal, else 0",
             "∂max({a},{b})/∂{b} = 1 if {b} > {a}, ½ if equal, else 0"),
            scalar=_max, locals_=(lambda out, a, b: _gt(a, b), lambda out, a, b: _gt(b, a))),
    _binary("min", "min", "Functions", "The smaller of two values (element by element).",
            lambda a, b: np.minimum(a, b),
            (lambda g, out, a, b: g * _mask_gt(b, a), lambda g, out, a, b: g * _mask_gt(a, b)),
            ("∂min({a},{b})/∂{a} = 1 if {a} < {b}, ½ if equal, else 0",
             "∂min({a},{b})/∂{b} = 1 if {b} < {a}, ½ if equal, else 0"),
            scalar=_min, locals_=(lambda out, a, b: _gt(b, a), lambda out, a, b: _gt(a, b))),
    _unary("tanh", "tanh", "Activations", "Hyperbolic tangent.", lambda x: np.tanh(x),
           lambda g, out, x: g * (1.0 - out * out),
           "∂tanh({x})/∂{x} = 1 − tanh²({x})",
           scalar=math.tanh, local=lambda out, x: 1.0 - out * out),
    _unary("sigmoid", "σ", "Activations", "Logistic sigmoid 1/(1+e^−x).", _sigmoid,
           lambda g, out, x: g * out * (1.0 - out),
           "∂σ({x})/∂{x} = σ({x})·(1 − σ({x}))",
           scalar=_sigmoid_scalar, local=lambda out, x: out * (1.0 - out)),
    _unary("relu", "ReLU", "Activations", "Rectified linear unit max(0, x).",
           lambda x: np.maximum(x, 0.0),
           lambda g, out, x: g * (x > 0),
           "∂relu({x})/∂{x} = 1 if {x} > 0 else 0",
           scalar=_relu, local=lambda out, x: 1.0 if x > 0 else 0.0),
    _unary("sum", "Σ", "Reductions", "Sum of all elements.", lambda x: np.sum(x),
           lambda g, out, x: g * _ones(x),
           "∂Σ{x}/∂{x}ᵢ = 1", elementwise=False,
           jvp=(lambda t, out, x: np.sum(t),)),
    _unary("mean", "mean", "Reductions", "Mean of all elements.", lambda x: np.mean(x),
           lambda g, out, x: g * _ones(x) / np.size(x),
           "∂mean({x})/∂{x}ᵢ = 1/n", elementwise=False,
           jvp=(lambda t, out, x: np.mean(t),)),
    _binary("matmul", "@", "Linear algebra", "Matrix product (vectors as in numpy.matmul).",
            lambda a, b: np.matmul(a, b),
            (_matmul_vjp_a, _matmul_vjp_b),
            ("∂({a}@{b})/∂{a}: G ↦ G·{b}ᵀ", "∂({a}@{b})/∂{b}: G ↦ {a}ᵀ·G"), token="@",
            elementwise=False,
            jvp=(lambda t, out, a, b: np.matmul(t, b), lambda t, out, a, b: np.matmul(a, t))),
)

#: Every op by name, in table order.
OPS: dict[str, OpSpec] = {spec.name: spec for spec in _TABLE}


def get_op(name: str) -> OpSpec:
    """The op called ``name``; ``KeyError`` with the known names if there is none."""
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}; known ops: {', '.join(OPS)}") from None


def iter_ops(category: str | None = None) -> Iterator[OpSpec]:
    """The ops in table order, optionally only those of one palette category."""
    return (s for s in _TABLE if category is None or s.category == category)


def function_ops() -> dict[str, OpSpec]:
    """Ops callable by name in ``.expr`` text (``max(a, b)``), aliases included."""
    table: dict[str, OpSpec] = {}
    for spec in _TABLE:
        if spec.is_leaf:
            continue
        table[spec.name] = spec
        for alias in spec.aliases:
            table[alias] = spec
    return table


def infix_op(token: str, arity: int) -> OpSpec | None:
    """The op written with Python operator ``token`` (``*``) taking ``arity`` operands."""
    for spec in _TABLE:
        if spec.token == token and spec.arity == arity:
            return spec
    return None


def call_scalar(spec: OpSpec, *args: float) -> float:
    """``spec``'s forward on Python floats, with numpy's answer (nan, ±inf) where :mod:`math`
    raises instead (``log(-1)``, ``exp(1000)``, ``1/0``).

    >>> call_scalar(OPS["log"], -1.0), call_scalar(OPS["div"], 1.0, 0.0)
    (nan, inf)
    """
    try:
        return spec.scalar(*args)
    except (ArithmeticError, ValueError):
        return _numpy_float(spec.forward, args)


def local_scalar(spec: OpSpec, slot: int, out: float, *args: float) -> float:
    """∂out/∂input ``slot`` on Python floats, with numpy's nan and inf where :mod:`math` raises.

    >>> local_scalar(OPS["log"], 0, -math.inf, 0.0)
    inf
    """
    try:
        return spec.scalar_local[slot](out, *args)
    except (ArithmeticError, ValueError):
        return _numpy_float(spec.vjp[slot], (1.0, out, *args))


def _numpy_float(rule: Rule, args: tuple[float, ...]) -> float:
    with np.errstate(all="ignore"):
        return float(rule(*(np.float64(a) for a in args)))


#: Where the scalar rules are checked against the numpy ones at import: ordinary numbers,
#: kinks and poles (0, ±1), the edges of the domains, overflow, inf and nan.
_CHECK_POINTS = (0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 800.0, -800.0, math.inf, -math.inf, math.nan)


def _same_float(a: float, b: float) -> bool:
    """Equal, both nan, or within two ulps (numpy's SIMD tanh rounds apart from C's)."""
    if a == b or (a != a and b != b):
        return True
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 2 * math.ulp(max(abs(a),
                                                                                      abs(b)))


def _check_scalar_rules() -> None:
    """Every element-wise op's float rules give the numbers its numpy rules give (the numpy
    rules run once per op on all the points, as arrays)."""
    pairs = [(a, b) for a in _CHECK_POINTS[:8] for b in _CHECK_POINTS]
    for spec in _TABLE:
        if not (spec.arity and spec.elementwise):
            continue
        points = [(a,) for a in _CHECK_POINTS] if spec.arity == 1 else pairs
        outs = [call_scalar(spec, *args) for args in points]
        columns = [np.array(col) for col in zip(*points, strict=True)]
        with np.errstate(all="ignore"):
            expected = [spec.forward(*columns).tolist()]
            out_col = np.array(outs)
            ones = np.ones(len(points))
            expected += [np.broadcast_to(rule(ones, out_col, *columns), ones.shape).tolist()
                         for rule in spec.vjp]
        for k, args in enumerate(points):
            if not _same_float(outs[k], expected[0][k]):
                raise AssertionError(f"op {spec.name}: scalar forward disagrees at {args}")
            for slot in range(spec.arity):
                mine = local_scalar(spec, slot, outs[k], *args)
                if not _same_float(mine, expected[1 + slot][k]):
                    raise AssertionError(f"op {spec.name}: scalar derivative {slot} disagrees "
                                         f"at {args}: {mine} against {expected[1 + slot][k]}")


# Checked when numpy is first used, before any numpy rule runs (see the module docstring).
on_load(_check_scalar_rules)
