"""Result sizes checked from shapes before numpy allocates (issue 9, item 17)."""

from __future__ import annotations

import numpy as np
import pytest

from graphapp.engine import limits
from graphapp.engine.limits import result_shape
from graphapp.engine.ops import OPS
from tests.helpers import expr_graph


@pytest.mark.parametrize(("op", "a", "b"), [
    ("add", (3, 1), (1, 4)), ("mul", (2, 1, 5), (7, 1)), ("max", (), (4,)),
    ("matmul", (3, 4), (4, 5)), ("matmul", (4,), (4, 5)), ("matmul", (3, 4), (4,)),
    ("matmul", (4,), (4,)), ("matmul", (6, 1, 3, 4), (5, 4, 2)),
])
def test_result_shapes_match_what_numpy_makes(op, a, b):
    expected = OPS[op].forward(np.ones(a), np.ones(b))
    assert result_shape(OPS[op], [a, b]) == np.shape(expected)


@pytest.mark.parametrize(("op", "a", "b"), [("add", (3,), (4,)), ("matmul", (3, 4), (5, 6))])
def test_shapes_that_do_not_fit_are_left_to_the_op(op, a, b):
    assert result_shape(OPS[op], [a, b]) is None


def test_a_node_too_big_fails_with_its_size_and_the_rest_still_runs(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 1000)
    rows = np.ones((100, 1)).tolist()
    cols = [np.ones(20).tolist()]
    g = expr_graph(f"a = {rows}\nb = {cols}\nc = a * b\nd = a @ b\ne = sum(a + a)\n")
    fwd = g.plan().forward(g)
    assert fwd.values["c"] is None and fwd.values["d"] is None
    assert fwd.failures["c"] == ("mul would make an array of 100×20 = 2,000 numbers (16 kB), "
                                 "more than the 1,000 (8 kB) one node may hold")
    assert "matmul would make an array of 100×20" in fwd.failures["d"]
    assert fwd.values["e"] == 200.0
