"""graphapp check never calls a correct gradient wrong (issue 9, item 22): when one element of
an input dominates the output, the finite differences of the others drown in the output's
round-off, and the tolerance must allow for it (while a real error still shows)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graphapp.engine import gradcheck
from tests.cli.contract import run
from tests.helpers import expr_graph

DOMINATED = "x = [-0.54, 0.54, 2.96]\ny = sum(exp(x ** 3))\n"


def test_a_dominated_output_is_not_called_different():
    rows = gradcheck(expr_graph(DOMINATED), "y")
    x = np.array([-0.54, 0.54, 2.96])
    exact = 3 * x**2 * np.exp(x**3)  # by hand: d/dx exp(x³) = 3x² exp(x³)
    assert [r.backprop for r in rows] == pytest.approx(exact.tolist(), rel=1e-12)
    assert all(r.ok for r in rows), rows
    # the allowance is the round-off of the output (about 1.8e11) over the step, not more
    assert all(r.allowed < 1e3 for r in rows[:2])


def test_a_wrong_gradient_is_still_caught_beside_a_dominant_element():
    rows = gradcheck(expr_graph("x = [0.5, 30.0]\ny = sum(exp(x))\n"), "y")
    assert all(r.ok for r in rows)
    assert not math.isclose(rows[0].allowed, 0.0)
    # relu at its kink: backprop says 0, finite differences ½, the output is tiny: DIFFERENT
    [kink] = gradcheck(expr_graph("x = 0.0\ny = relu(x) + 1e8\n"), "y")
    assert (kink.backprop, kink.ok) == (0.0, False) and kink.numeric == pytest.approx(0.5, 0.01)


def test_check_on_the_command_line_agrees(tmp_path, capsys):
    path = tmp_path / "cube.expr"
    path.write_text(DOMINATED, encoding="utf-8")
    code, out, err = run(capsys, "check", path)
    assert (code, err) == (0, "") and "all 3 agree; 2 only within" in out
    assert "DIFFERENT" not in out and out.count("ok (round-off)") == 2
