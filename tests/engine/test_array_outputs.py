"""Array-valued outputs: gradients are those of the sum of the output's elements (the output is
seeded with ones, not 1/n), checked against hand-derived values, for backprop, the finite
differences and the gradient check alike."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphapp.cli import main
from graphapp.engine import backward, finite_differences, gradcheck, tangents
from tests.helpers import expr_graph
from tests.oracle import numeric_gradients

# (text, output, {input: hand-derived d(sum of output)/d input})
CASES = [
    ("x = [1.0, 2.0, -1.0]\ny = x * 3", "y", {"x": [3.0, 3.0, 3.0]}),
    ("x = [1.0, 2.0, 3.0]\ny = x * x", "y", {"x": [2.0, 4.0, 6.0]}),
    ("W = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]\nv = [1.0, -1.0]\ny = W @ v", "y",
     {"W": [[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]], "v": [9.0, 12.0]}),
    ("s = 2.0\nx = [1.0, 2.0, 3.0]\ny = x * s", "y", {"s": 6.0, "x": [2.0, 2.0, 2.0]}),
    ("x = [0.5, -1.0]\ny = x * 3 + x", "y", {"x": [4.0, 4.0]}),
    ("a = [[1.0, 2.0], [3.0, 4.0]]\nb = [10.0, 20.0]\ny = a - b", "y",
     {"a": [[1.0, 1.0], [1.0, 1.0]], "b": [-2.0, -2.0]}),
]


@pytest.mark.parametrize("text, out, expected", CASES, ids=[c[0].split("\n")[-1] for c in CASES])
def test_gradients_of_an_array_output_are_of_its_sum(text, out, expected):
    g = expr_graph(text)
    back = backward(g, out)
    assert isinstance(back.forward.values[out], np.ndarray) and not back.forward.batched
    np.testing.assert_array_equal(back.grads[out], np.ones_like(back.forward.values[out]))
    for name, grad in expected.items():
        np.testing.assert_allclose(back.grads[name], grad, rtol=1e-15)
        np.testing.assert_allclose(finite_differences(g, out)[name], grad, rtol=1e-7)
        np.testing.assert_allclose(numeric_gradients(text)[name], grad, rtol=1e-7)


@pytest.mark.parametrize("text, out, expected", CASES, ids=[c[0].split("\n")[-1] for c in CASES])
def test_gradcheck_on_an_array_output(text, out, expected):
    rows = gradcheck(expr_graph(text), out)
    flat = {(name, idx): float(v) for name, grad in expected.items()
            for idx, v in np.ndenumerate(np.asarray(grad))}
    assert {(r.node, r.index) for r in rows} == set(flat)
    for r in rows:
        assert r.ok, r
        assert r.backprop == pytest.approx(flat[r.node, r.index], rel=1e-15)
        assert r.numeric == pytest.approx(flat[r.node, r.index], rel=1e-7)


def test_what_an_edge_into_an_array_output_carries():
    g = expr_graph("x = [1.0, 2.0, -1.0]\ny = tanh(x) * 3")
    back = backward(g, "y")
    x = np.array([1.0, 2.0, -1.0])
    mid = g.inputs("y")[0]
    edge = back.edge("x", mid, 0)
    np.testing.assert_allclose(edge.local, np.diag(1 - np.tanh(x) ** 2), rtol=1e-15)
    np.testing.assert_allclose(edge.accumulated, 3 * (1 - np.tanh(x) ** 2), rtol=1e-15)
    np.testing.assert_allclose(back.edge(mid, "y", 0).accumulated, [3.0, 3.0, 3.0])
    # forward mode, one direction at a time, agrees element by element
    np.testing.assert_allclose(tangents(g, "x", direction=[0.0, 1.0, 0.0]).values["y"],
                               [0.0, 3 * (1 - np.tanh(2.0) ** 2), 0.0], rtol=1e-15)


def test_the_command_line_on_an_array_output(tmp_path, capsys):
    f = tmp_path / "vec.expr"
    f.write_text("x = [1.0, 2.0, -1.0]\ny = x * x * 3\n")
    assert main(["grad", str(f), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["nodes"]["y"]["value"] == [3.0, 12.0, 3.0]
    assert data["nodes"]["x"]["grad"] == [6.0, 12.0, -6.0]  # d Σ 3x²/dx = 6x
    assert main(["check", str(f)]) == 0
    table, summary = capsys.readouterr().out.split("\n\n")
    rows = [line.split() for line in table.splitlines()[1:]]
    assert [(r[0], r[1], r[2], r[-1]) for r in rows] == [
        ("x", "[0]", "6", "ok"), ("x", "[1]", "12", "ok"), ("x", "[2]", "-6", "ok")]
    assert summary.strip() == "all 3 agree"
