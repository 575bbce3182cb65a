"""The whole pipeline (``.expr`` text → parser → graph → backprop) against oracles that share
no code with it: sympy's exact derivatives of the same text, and central differences on the
separate evaluator in ``tests/oracle.py``. A parser that swapped the operands of ``-`` or ``/``,
or a rule with a wrong sign, passes graphapp's own gradient check but fails here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from graphapp.engine import backward
from graphapp.formats import parse_expr
from graphapp.formats.io import load_graph
from tests.conftest import EXAMPLES
from tests.oracle import numeric_gradients, read_script, symbolic


def test_the_oracle_itself_on_hand_derived_values():
    """x − y and x / y at x = 3, y = 2, worked out by hand: the oracle must know which side
    is which before it can judge the parser."""
    grads = numeric_gradients("x = 3.0\ny = 2.0\nd = x - y")
    assert grads["x"] == pytest.approx(1.0) and grads["y"] == pytest.approx(-1.0)
    grads = numeric_gradients("x = 3.0\ny = 2.0\nq = x / y")
    assert grads["x"] == pytest.approx(0.5) and grads["y"] == pytest.approx(-0.75)
    assert read_script("x = 3.0\ny = 2.0\np = x ** y").objective() == 9.0
    assert read_script("e = 2.0\nv = e * pi").objective() == pytest.approx(2 * math.pi)
    expr, s = symbolic("x = 3.0\ny = 2.0\nq = x / y - y")
    assert str(expr.diff(s["y"])) == "-x/y**2 - 1"


# Hand-picked scripts that exercise operand order, precedence, unary minus, constants,
# functions and arrays.
SCRIPTS = [
    "x = 3.0\ny = 2.0\nL = x - y",
    "x = 3.0\ny = 2.0\nL = y - x",
    "x = 3.0\ny = 2.0\nL = x / y",
    "x = 3.0\ny = 2.0\nL = y / x",
    "x = 1.5\ny = 0.5\nL = x ** y + y ** x",
    "x = 1.5\nL = -x ** 2 + (-x) ** 2 * 3",
    "x = 0.7\nL = 2 - x / 4 - 1 / x",
    "x = 0.7\ny = -0.2\nL = x - y - (x - y) - y",
    "a = 2.0\nb = -3.0\nc = 10.0\nf = -2.0\ne = a * b\nd = e + c\nL = d * f",
    "x = 2.0\ny = 3.0\nt = x\nV = 4/3*pi*t*x*y",
    "x = 0.3\nL = tanh(x) * sigmoid(x) - exp(-x) + log(x + 1) / sqrt(x)",
    "x = 0.3\nL = sin(x) ** 2 + cos(x) ** 2 + tan(x) - ln(2 + x)",
    "x = 0.3\ny = -1.2\nL = max(x, y) * min(x, y) + abs(y) + relu(x) - relu(y)",
    "e = 2.0\nL = e * 3 - e / 2",
    "x = 2.0\n# output: u\nu = x * 3\nw = u - x",
    "x = [0.5, -1.0, 2.0]\nL = sum(x * x) - mean(x) / 2",
    "x = [0.5, -1.0, 2.0]\nw = [1.0, 2.0, 3.0]\nL = x @ w - sum(w / (x + 3))",
    "A = [[1.0, 2.0], [3.0, -1.0]]\nv = [0.5, 2.0]\nL = sum(tanh(A @ v) - v @ A)",
    "W = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]\nb = [0.5, -0.5]\ns = 2.0\n"
    "L = sum((W - b) / s)",
]


@pytest.mark.parametrize("text", SCRIPTS, ids=[t.split("\n")[-1] for t in SCRIPTS])
def test_backprop_matches_independent_finite_differences(text):
    doc = parse_expr(text)
    back = backward(doc.graph, doc.output)
    expected = numeric_gradients(text)
    assert set(expected) == set(doc.graph.inputs_nodes())
    for name, grad in expected.items():
        np.testing.assert_allclose(back.grads[name], grad, rtol=1e-6, atol=1e-8, err_msg=name)
    assert float(np.sum(back.forward.values[doc.output])) == pytest.approx(
        read_script(text).objective(), rel=1e-14)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.expr")), ids=lambda p: p.name)
def test_every_example_matches_independent_finite_differences(path):
    text = path.read_text(encoding="utf-8")
    doc = load_graph(path)
    back = backward(doc.graph, doc.output)
    expected = numeric_gradients(text)
    assert expected and set(expected) == set(doc.graph.inputs_nodes())
    for name, grad in expected.items():
        np.testing.assert_allclose(back.grads[name], grad, rtol=1e-6, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("text", [t for t in SCRIPTS if "[" not in t and "max" not in t],
                         ids=lambda t: t.split("\n")[-1])
def test_backprop_matches_sympy_exactly(text):
    doc = parse_expr(text)
    back = backward(doc.graph, doc.output)
    expr, symbols = symbolic(text)
    point = {s: float(doc.graph.value(name)) for name, s in symbols.items()}
    assert float(back.forward.values[doc.output]) == pytest.approx(
        float(expr.subs(point)), rel=1e-13)
    for name, s in symbols.items():
        assert float(back.grads[name]) == pytest.approx(float(expr.diff(s).subs(point)),
                                                        rel=1e-12, abs=1e-14), name


# --------------------------------------------------------------------- generated scripts
_NAMES = ("x", "y", "z")


def _expressions(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Expression text over ``names`` (all positive), smooth where it is defined."""
    leaves = st.one_of(st.sampled_from(names),
                       st.sampled_from(["2", "0.5", "3.0", "1.25"]))

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})")
        bare = st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), st.sampled_from(names))
        power = st.tuples(inner, st.sampled_from(["2", "3"])).map(lambda t: f"{t[0]} ** {t[1]}")
        name_power = st.tuples(st.sampled_from(names), st.sampled_from(names)).map(
            lambda t: f"{t[0]} ** {t[1]}")
        unary = st.tuples(st.sampled_from(["tanh", "sin", "cos", "sigmoid", "-"]), inner).map(
            lambda t: f"-({t[1]})" if t[0] == "-" else f"{t[0]}({t[1]})")
        of_name = st.tuples(st.sampled_from(["log", "sqrt", "exp", "ln"]),
                            st.sampled_from(names)).map(lambda t: f"{t[0]}({t[1]})")
        return st.one_of(binary, bare.map(lambda t: f"{t[0]} {t[1]} {t[2]}"), power,
                         name_power, unary, of_name)

    return st.recursive(leaves, grow, max_leaves=8)


@st.composite
def scripts(draw) -> str:
    values = [draw(st.floats(0.3, 2.5, allow_nan=False)) for _ in _NAMES]
    lines = [f"{n} = {v!r}" for n, v in zip(_NAMES, values, strict=True)]
    names = _NAMES
    for k in range(draw(st.integers(0, 2))):
        expr = draw(_expressions(names))
        lines.append(f"t{k} = x * 1.5 + {expr}")
        names = (*names, f"t{k}")
    lines.append(f"L = {draw(_expressions(names))} - y")
    return "\n".join(lines)


@given(scripts())
def test_generated_scripts_match_sympy(text):
    expr, symbols = symbolic(text)
    point = {s: float(read_script(text).inputs[name]) for name, s in symbols.items()}
    exact = {name: expr.diff(s).subs(point) for name, s in symbols.items()}
    value = expr.subs(point)
    assume(value.is_real and math.isfinite(float(value)) and abs(float(value)) < 1e8)
    assume(all(d.is_real and math.isfinite(float(d)) and abs(float(d)) < 1e8
               for d in exact.values()))
    doc = parse_expr(text)
    back = backward(doc.graph, "L")
    assert float(back.forward.values["L"]) == pytest.approx(float(value), rel=1e-9, abs=1e-9)
    for name, d in exact.items():
        assert float(back.grads[name]) == pytest.approx(float(d), rel=1e-7, abs=1e-8), name
