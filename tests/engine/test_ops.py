"""Every op's derivative rules against central finite differences: one parametrised test over
the whole op table keeps every formula honest."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from graphapp.engine import CATEGORIES, OPS, iter_ops
from graphapp.engine.ops import function_ops, infix_op

COMPUTED = [s for s in iter_ops() if not s.is_leaf]
ELEMENTWISE = [s for s in COMPUTED if s.elementwise]

# Where each op is smooth: inputs are drawn here, away from kinks and poles.
_DOMAIN = {
    "log": (0.1, 10.0), "sqrt": (0.1, 10.0), "tan": (-1.3, 1.3), "exp": (-5.0, 5.0),
}
_finite = st.floats(-4.0, 4.0, allow_nan=False)


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def _args_ok(name, args):
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if name in ("relu", "abs"):
        return abs(a) > 1e-3
    if name in ("max", "min"):
        return abs(a - b) > 1e-3
    if name == "div":
        return abs(b) > 0.2
    if name == "pow":
        return a > 0.2 and abs(b) < 3
    return True


@pytest.mark.parametrize("spec", ELEMENTWISE, ids=lambda s: s.name)
@given(data=st.data())
def test_scalar_rules_match_finite_differences(spec, data):
    lo, hi = _DOMAIN.get(spec.name, (-4.0, 4.0))
    args = [data.draw(st.floats(lo, hi, allow_nan=False)) for _ in range(spec.arity)]
    assume(_args_ok(spec.name, args))
    args = [np.float64(a) for a in args]
    out = spec.forward(*args)
    for i in range(spec.arity):
        def f(x, i=i):
            moved = list(args)
            moved[i] = np.float64(x)
            return float(spec.forward(*moved))
        numeric = _central(f, float(args[i]))
        vjp = float(spec.vjp[i](np.float64(1.0), out, *args))
        jvp = float(spec.jvp[i](np.float64(1.0), out, *args))
        assert vjp == pytest.approx(numeric, rel=1e-5, abs=1e-6), spec.formula[i]
        assert jvp == pytest.approx(vjp, rel=1e-12, abs=1e-15)
        # The VJP is linear in the incoming gradient: g·VJP(1) = VJP(g).
        assert float(spec.vjp[i](np.float64(2.5), out, *args)) == pytest.approx(2.5 * vjp)


_shapes = st.sampled_from([(2,), (3,), (2, 3), (3, 2)])


@pytest.mark.parametrize("name", ["sum", "mean", "matmul"])
@given(data=st.data())
def test_tensor_rules_match_finite_differences(name, data):
    spec = OPS[name]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    if name == "matmul":
        m, k, n = (data.draw(st.integers(1, 3)) for _ in range(3))
        a_shape = data.draw(st.sampled_from([(k,), (m, k)]))
        b_shape = data.draw(st.sampled_from([(k,), (k, n)]))
        args = [rng.normal(size=a_shape), rng.normal(size=b_shape)]
    else:
        args = [rng.normal(size=data.draw(_shapes))]
    out = spec.forward(*args)
    g = rng.normal(size=np.shape(out))
    for i in range(spec.arity):
        vjp = spec.vjp[i](g, out, *args)
        numeric = np.zeros_like(args[i])
        for idx in np.ndindex(args[i].shape):
            plus = [a.copy() for a in args]
            minus = [a.copy() for a in args]
            plus[i][idx] += 1e-6
            minus[i][idx] -= 1e-6
            numeric[idx] = np.sum(g * (spec.forward(*plus) - spec.forward(*minus))) / 2e-6
        np.testing.assert_allclose(vjp, numeric, rtol=1e-5, atol=1e-7)
        # Forward mode agrees with reverse mode: <g, J t> == <J^T g, t>.
        t = rng.normal(size=args[i].shape)
        jvp = spec.jvp[i](t, out, *args)
        assert float(np.sum(g * jvp)) == pytest.approx(float(np.sum(vjp * t)), rel=1e-9,
                                                         abs=1e-12)


def test_kinks_take_the_central_difference_value():
    one = np.float64(1.0)
    zero = np.float64(0.0)
    assert OPS["relu"].vjp[0](one, zero, zero) == 0.0
    assert OPS["abs"].vjp[0](one, zero, zero) == 0.0
    assert OPS["max"].vjp[0](one, one, one, one) == 0.5
    assert OPS["max"].vjp[1](one, one, one, one) == 0.5
    assert OPS["min"].vjp[0](one, one, one, one) == 0.5


def test_sigmoid_is_accurate_far_from_zero():
    s = OPS["sigmoid"].forward
    assert float(s(np.float64(-40.0))) == pytest.approx(math.exp(-40.0), rel=1e-12)
    assert float(s(np.float64(40.0))) == 1.0
    with np.errstate(over="raise", invalid="raise"):  # neither branch overflows
        s(np.array([-1000.0, 1000.0]))


def test_table_is_complete_and_consistent():
    required = {"input", "const", "identity", "add", "sub", "mul", "div", "pow", "neg", "exp",
                "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "sqrt", "max",
                "min", "sum", "mean", "matmul"}
    assert required <= set(OPS)
    for spec in iter_ops():
        assert spec.category in CATEGORIES
        assert spec.symbol and spec.description
        for slot in range(spec.arity):
            text = spec.render_formula(slot)
            assert "∂" in text and "{" not in text
    assert infix_op("*", 2).name == "mul" and infix_op("-", 1).name == "neg"
    assert function_ops()["ln"] is OPS["log"]
    assert "input" not in function_ops()


def test_formula_renders_with_node_names():
    assert OPS["mul"].render_formula(0, {"a": "d", "b": "f"}) == "∂(d·f)/∂d = f"
    assert OPS["tanh"].render_formula(0, {"x": "n"}) == "∂tanh(n)/∂n = 1 − tanh²(n)"


# Every derivative formula as the window and `graphapp ops` show it, written out by hand (with
# inputs called p, q or u and the node v): the signs, powers and ½s must be the mathematics.
FORMULAS = {
    ("identity", 0): "∂v/∂u = 1",
    ("add", 0): "∂(p+q)/∂p = 1", ("add", 1): "∂(p+q)/∂q = 1",
    ("sub", 0): "∂(p−q)/∂p = 1", ("sub", 1): "∂(p−q)/∂q = −1",
    ("mul", 0): "∂(p·q)/∂p = q", ("mul", 1): "∂(p·q)/∂q = p",
    ("div", 0): "∂(p/q)/∂p = 1/q", ("div", 1): "∂(p/q)/∂q = −p/q²",
    ("pow", 0): "∂(p^q)/∂p = q·p^(q−1)", ("pow", 1): "∂(p^q)/∂q = p^q·ln p",
    ("neg", 0): "∂(−u)/∂u = −1",
    ("exp", 0): "∂exp(u)/∂u = exp(u)",
    ("log", 0): "∂ln(u)/∂u = 1/u",
    ("sin", 0): "∂sin(u)/∂u = cos(u)",
    ("cos", 0): "∂cos(u)/∂u = −sin(u)",
    ("tan", 0): "∂tan(u)/∂u = 1 + tan²(u)",
    ("sqrt", 0): "∂√u/∂u = 1/(2√u)",
    ("abs", 0): "∂|u|/∂u = sign(u)",
    ("max", 0): "∂max(p,q)/∂p = 1 if p > q, ½ if equal, else 0",
    ("max", 1): "∂max(p,q)/∂q = 1 if q > p, ½ if equal, else 0",
    ("min", 0): "∂min(p,q)/∂p = 1 if p < q, ½ if equal, else 0",
    ("min", 1): "∂min(p,q)/∂q = 1 if q < p, ½ if equal, else 0",
    ("tanh", 0): "∂tanh(u)/∂u = 1 − tanh²(u)",
    ("sigmoid", 0): "∂σ(u)/∂u = σ(u)·(1 − σ(u))",
    ("relu", 0): "∂relu(u)/∂u = 1 if u > 0 else 0",
    ("sum", 0): "∂Σu/∂uᵢ = 1",
    ("mean", 0): "∂mean(u)/∂uᵢ = 1/n",
    ("matmul", 0): "∂(p@q)/∂p: G ↦ G·qᵀ", ("matmul", 1): "∂(p@q)/∂q: G ↦ pᵀ·G",
}


def test_every_formula_reads_as_the_mathematics():
    names = {"a": "p", "b": "q", "x": "u", "out": "v"}
    rendered = {(spec.name, slot): spec.render_formula(slot, names)
                for spec in COMPUTED for slot in range(spec.arity)}
    assert rendered == FORMULAS
