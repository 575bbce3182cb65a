"""Every bundled example gives the answers its lesson states, computed independently here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graphapp.engine import backward, forward, gradcheck
from graphapp.formats.io import load_graph
from tests.conftest import EXAMPLES
from tests.oracle import read_script


def grads(name: str, output: str | None = None):
    doc = load_graph(EXAMPLES / name)
    back = backward(doc.graph, output or doc.output)
    return doc, back


def test_micrograd():
    _, back = grads("01_micrograd.expr")
    assert {n: float(back.grads[n]) for n in "abcfedL"} == {
        "a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "e": -2.0, "d": -2.0, "L": 1.0}


def test_slope_is_14_at_3():
    """The lesson's numbers: f(3) = 20, f(3.001) = 20.014003, rise over run ≈ 14.003; the
    exact derivative 6x − 4 = 14."""
    doc, back = grads("02_slope.expr")
    assert float(back.forward.values["f"]) == 20.0
    assert float(back.grads["x"]) == 14.0  # 6x - 4
    nudged = float(forward(doc.graph, {"x": 3.001}).values["f"])
    script = read_script((EXAMPLES / "02_slope.expr").read_text(encoding="utf-8"))
    assert nudged == pytest.approx(20.014003, rel=1e-12)
    assert script.objective({"x": 3.001}) == pytest.approx(nudged, rel=1e-14)
    assert (nudged - 20.0) / 0.001 == pytest.approx(14.003, rel=1e-9)


def test_two_products_give_b_plus_c_squared_not_b_plus_2c():
    _, back = grads("03_two_products.expr")
    b, c = -3.0, 10.0
    assert float(back.grads["a"]) == b + c**2 == 97.0  # not b + 2c = 17
    assert float(back.grads["b"]) == 2.0 and float(back.grads["c"]) == 2 * 2.0 * c


def test_partials_of_3x2y():
    _, back = grads("04_partial_3x2y.expr")
    x, y = 2.0, 5.0
    assert float(back.grads["x"]) == 6 * x * y
    assert float(back.grads["y"]) == 3 * x**2


def test_gradient_vector():
    _, back = grads("05_gradient_vector.expr")
    assert (float(back.grads["x"]), float(back.grads["y"])) == (-0.5, 0.5 * 4.0)


def test_sin_of_x_plus_x_squared():
    _, back = grads("06_sin_x_plus_x2.expr")
    x = 0.5
    assert float(back.grads["x"]) == pytest.approx(math.cos(x + x**2) * (1 + 2 * x), rel=1e-15)
    assert float(back.grads["u"]) == pytest.approx(math.cos(x + x**2), rel=1e-15)


def test_two_paths_each_contribution_and_their_sum():
    doc, back = grads("07_two_paths.expr")
    g = doc.graph
    contributions = sorted(float(back.edge("x", dst, slot).accumulated)
                           for dst, slot in g.consumers("x"))
    assert contributions == [1.0, 6.0]
    assert float(back.grads["x"]) == 7.0


def test_fan_out():
    doc, back = grads("08_fan_out.expr")
    assert float(back.grads["a"]) == 2.0
    assert [float(back.edge("a", "b", slot).accumulated) for slot in (0, 1)] == [1.0, 1.0]
    assert sorted(doc.graph.consumers("a")) == [("b", 0), ("b", 1)]


def test_ellipsoid_partial_and_total():
    """V = 4/3·π·t·x·y with the constraint t = x: the partial through the direct edge holds t
    fixed (4/3·π·x·y); the total adds the path through t, so it is twice that."""
    doc, back = grads("09_ellipsoid.expr")
    x, y = 2.0, 3.0
    partial = 4 / 3 * math.pi * x * y
    carried = {dst: float(back.edge("x", dst, slot).accumulated)
               for dst, slot in doc.graph.consumers("x")}
    assert len(carried) == 2
    for value in carried.values():  # each path carries one partial
        assert value == pytest.approx(partial, rel=1e-14)
    assert float(back.grads["x"]) == pytest.approx(8 / 3 * math.pi * x * y, rel=1e-14)
    assert float(back.grads["y"]) == pytest.approx(4 / 3 * math.pi * x * x, rel=1e-14)


def test_relu_neuron_loss_matches_the_formula():
    doc, back = grads("10_relu_neuron.expr")
    g = doc.graph
    X, w, b, y = (np.asarray(g.value(n)) for n in ("X", "w", "b", "y"))
    z = X @ w + b
    a = np.maximum(0, z)
    n = len(y)
    assert float(back.forward.values["C"]) == pytest.approx(np.mean((y - a) ** 2))
    on = (z > 0).astype(float)
    dw = -2 / n * ((y - a) * on) @ X
    db = -2 / n * np.sum((y - a) * on)
    np.testing.assert_allclose(back.grads["w"], dw, rtol=1e-13)
    assert float(back.grads["b"]) == pytest.approx(db, rel=1e-13)
    assert back.grads["X"][0].tolist() == [0.0, 0.0, 0.0]  # the sample whose neuron is off


def test_sigmoid_mlp_matches_hand_backprop():
    doc, back = grads("11_mlp_sigmoid.expr")
    v = {n: np.asarray(doc.graph.value(n)) for n in ("x", "W1", "b1", "W2", "b2", "w3", "b3",
                                                     "y")}
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h1 = s(v["W1"] @ v["x"] + v["b1"])
    h2 = s(v["W2"] @ h1 + v["b2"])
    yhat = v["w3"] @ h2 + v["b3"]
    d_yhat = -(v["y"] - yhat)
    d_s2 = d_yhat * v["w3"] * h2 * (1 - h2)  # σ'(s) = σ(s)(1 − σ(s))
    d_s1 = (v["W2"].T @ d_s2) * h1 * (1 - h1)
    np.testing.assert_allclose(back.grads["w3"], d_yhat * h2, rtol=1e-12)
    np.testing.assert_allclose(back.grads["W2"], np.outer(d_s2, h1), rtol=1e-12)
    np.testing.assert_allclose(back.grads["W1"], np.outer(d_s1, v["x"]), rtol=1e-12)
    np.testing.assert_allclose(back.grads["b1"], d_s1, rtol=1e-12)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.expr")), ids=lambda p: p.name)
def test_every_example_passes_gradcheck(path):
    doc = load_graph(path)
    rows = gradcheck(doc.graph, doc.output)
    assert rows and all(r.ok for r in rows)
