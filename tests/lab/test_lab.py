"""The lab's numbers against values derived by hand from the seeds (001's slope, 000's
ellipsoid, 002's gradient), against finite differences computed here, and fallback against
the vectorised path."""

from __future__ import annotations

import csv
import importlib
import io
import json
import math

import numpy as np
import pytest

from graphapp.engine import EvaluationError
from graphapp.lab import (
    SWEEP_H,
    curve,
    h_sweep,
    h_sweep_all,
    partial_vs_total,
    slope,
    surface,
    to_csv,
    to_markdown,
    trace_rows,
    vectorisable,
)
from tests.conftest import EXAMPLES
from tests.helpers import expr_graph, fresh_python

SLOPE = "x = 3.0\nf = 3*x**2 - 4*x + 5"


# --------------------------------------------------------------------- nudge and slope (seed 001)
def test_seed_001_slope_is_14_at_3_and_the_forward_error_is_3h():
    g = expr_graph(SLOPE)
    for h in (1e-1, 1e-2, 1e-3):
        s = slope(g, "f", "x", h)
        assert s.f_x == 20.0 and s.gradient == 14.0
        # f(3+h) − f(3) = 14h + 3h² exactly, so rise over run is 14 + 3h
        assert s.f_xh == pytest.approx(20 + 14 * h + 3 * h * h, rel=1e-14)
        assert s.error == pytest.approx(3 * h, rel=1e-6)
        assert s.predicted == pytest.approx(14 * h, rel=1e-15)
        assert s.actual == pytest.approx(14 * h + 3 * h * h, rel=1e-9)


def test_seed_001_numbers_as_python_prints_them():
    g = expr_graph(SLOPE)
    assert slope(g, "f", "x", 0.001).f_xh == 20.014003000000002
    tiny = slope(g, "f", "x", 1e-7)
    assert tiny.f_xh == 20.00000140000003
    assert tiny.slope == 14.000000305713911  # the seed's rise over run, digit for digit


def test_slope_accepts_tiny_steps_and_refuses_zero():
    g = expr_graph(SLOPE)
    s = slope(g, "f", "x", 1e-15)
    assert s.h == 1e-15 and math.isfinite(s.slope)
    for bad in (0.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="step h"):
            slope(g, "f", "x", bad)
    with pytest.raises(ValueError, match="not an input"):
        slope(g, "f", "f", 0.1)


# --------------------------------------------------------------------- h sweep
def test_h_sweep_matches_hand_computed_differences():
    g = expr_graph("x = 0.7\nf = sin(x)*exp(x)")
    check = h_sweep(g, "f", "x")
    f = lambda x: math.sin(x) * math.exp(x)  # noqa: E731
    exact = math.exp(0.7) * (math.sin(0.7) + math.cos(0.7))
    assert check.backprop == pytest.approx(exact, rel=1e-15)
    assert [r.h for r in check.rows] == [10.0 ** -k for k in range(1, 13)] == list(SWEEP_H)
    for r in check.rows:
        assert r.forward == pytest.approx((f(0.7 + r.h) - f(0.7)) / r.h, rel=1e-9, abs=1e-9)
        assert r.central == pytest.approx((f(0.7 + r.h) - f(0.7 - r.h)) / (2 * r.h),
                                          rel=1e-9, abs=1e-9)
        assert r.central_error == abs(r.central - check.backprop)


@pytest.mark.parametrize("expr", ["sin(x)*exp(x)", "tanh(x) + x**3", "log(x) * sin(x)"])
def test_central_error_is_smallest_near_1e5_to_1e6(expr):
    check = h_sweep(expr_graph(f"x = 0.7\nf = {expr}"), "f", "x")
    assert check.best("central").h in (1e-5, 1e-6)
    assert check.best("forward").h <= 1e-7  # forward differences want a smaller h
    errs = [r.central_error for r in check.rows]
    assert errs[0] > 100 * min(errs) and errs[-1] > 100 * min(errs)  # the V: both sides rise


def test_h_sweep_all_is_the_same_point_by_point_when_not_vectorisable():
    g = expr_graph("x = 0.5\nv = [1.0, 2.0]\nf = sum(v * x) + x**3")
    assert not vectorisable(g, ["x"])
    check = h_sweep_all(g, "f")
    assert list(check) == ["x"]  # the array input is left out
    assert check["x"].backprop == pytest.approx(3 + 3 * 0.25, rel=1e-15)
    assert check["x"].best().central_error < 1e-9


# --------------------------------------------------------------------- partial vs total (seed 000)
def test_seed_000_ellipsoid_partial_8pi_total_16pi():
    g = (EXAMPLES / "09_ellipsoid.expr").read_text()
    pt = partial_vs_total(expr_graph(g), "V", "x")
    assert pt.held == ("t",)
    assert pt.partial == pytest.approx(8 * math.pi, rel=1e-14)
    assert pt.total == pytest.approx(16 * math.pi, rel=1e-14)
    assert float(pt.totals["t"]) == 1.0 and float(pt.totals["y"]) == 0.0
    shares = {s.via: s.share for s in pt.shares}
    assert shares == pytest.approx({"t": 8 * math.pi, None: 8 * math.pi}, rel=1e-14)
    # two paths, one through the constraint; their products add up to the total
    assert len(pt.paths) == 2 and not pt.paths_truncated
    assert sorted(p.through for p in pt.paths) == [(), ("t",)]
    assert sum(p.product for p in pt.paths) == pytest.approx(pt.total, rel=1e-14)
    direct = next(p for p in pt.paths if not p.through)
    assert direct.product == pytest.approx(pt.partial, rel=1e-14)


def test_partial_equals_total_without_constraints_and_paths_sum_up():
    # seed 003: y = x + x², two paths from x, dy/dx = 1 + 2x
    pt = partial_vs_total(expr_graph("x = 1.5\ny = x + x**2"), "y", "x")
    assert pt.held == () and pt.partial == pt.total == pytest.approx(4.0)
    assert sorted(p.product for p in pt.paths) == pytest.approx([1.0, 3.0])
    # holding the named intermediate u fixed leaves only the direct edge
    pt = partial_vs_total(expr_graph("x = 1.5\nu = x**2\ny = x + u"), "y", "x", held=["u"])
    assert pt.partial == pytest.approx(1.0) and pt.total == pytest.approx(4.0)


def test_paths_are_capped():
    text = "x = 1.0\n" + "".join(f"a{k} = {'x' if k == 0 else f'a{k-1}'} * 1.0 + "
                                 f"{'x' if k == 0 else f'a{k-1}'}\n" for k in range(8))
    pt = partial_vs_total(expr_graph(text), "a7", "x", max_paths=10)
    assert len(pt.paths) == 10 and pt.paths_truncated
    assert pt.total == pytest.approx(2.0 ** 8)


# --------------------------------------------------------------------- plots (seed 002)
def test_seed_002_gradient_is_minus_half_and_half_y():
    g = (EXAMPLES / "05_gradient_vector.expr").read_text()
    sf = surface(expr_graph(g), "f", ("x", "y"), points=7)
    assert sf.vectorised and sf.f.shape == (7, 7)
    assert np.array_equal(sf.x, np.linspace(0.0, 2.0, 7))  # 1 ± max(1, 1)
    assert np.array_equal(sf.y, np.linspace(0.0, 8.0, 7))  # 4 ± 4
    assert np.all(sf.dfdx == -0.5)
    assert np.allclose(sf.dfdy, 0.5 * sf.y[None, :], rtol=0, atol=1e-15)
    assert np.allclose(sf.f, -0.5 * sf.x[:, None] + 0.25 * sf.y[None, :] ** 2)
    assert (sf.dfdx0, sf.dfdy0) == (-0.5, 2.0)


def test_curve_of_the_slope_seed_and_its_tangent():
    c = curve(expr_graph(SLOPE), "f", "x", 2.0, 4.0, 5)
    assert c.vectorised and c.x.tolist() == [2.0, 2.5, 3.0, 3.5, 4.0]
    assert c.f.tolist() == [3 * x * x - 4 * x + 5 for x in c.x]
    assert c.dfdx.tolist() == [6 * x - 4 for x in c.x]
    assert (c.x0, c.f0, c.slope0) == (3.0, 20.0, 14.0)
    assert c.tangent().tolist() == [20 + 14 * (x - 3) for x in c.x]


def test_relu_kink_follows_the_engine_convention():
    c = curve(expr_graph("x = 0.0\nf = relu(x) + abs(x) + max(x, 0.0)"), "f", "x", -1, 1, 3)
    # relu'(0) = 0, |x|'(0) = 0, max gives ½ at a tie
    assert c.dfdx.tolist() == [-1.0, 0.5, 3.0]


def test_fallback_point_by_point_matches_hand_values():
    g = expr_graph("x = 1.0\ny = 2.0\nw = [1.0, 3.0]\nf = sum(w * x * y) + x")
    assert not vectorisable(g, ["x", "y"])
    sf = surface(g, "f", ("x", "y"), points=4)
    assert not sf.vectorised
    X, Y = np.meshgrid(sf.x, sf.y, indexing="ij")
    assert np.allclose(sf.f, 4 * X * Y + X)
    assert np.allclose(sf.dfdx, 4 * Y + 1) and np.allclose(sf.dfdy, 4 * X)


def test_undefined_points_are_nan_not_errors():
    c = curve(expr_graph("x = 1.0\nf = log(x)"), "f", "x", -1.0, 1.0, 3)
    assert math.isnan(c.f[0]) and c.f[1] == -math.inf and c.f[2] == 0.0


def test_bad_ranges_are_refused():
    g = expr_graph(SLOPE)
    with pytest.raises(ValueError, match="LO < HI"):
        curve(g, "f", "x", 1.0, 1.0)
    with pytest.raises(ValueError, match="at least 2"):
        curve(g, "f", "x", 0.0, 1.0, 1)
    with pytest.raises(ValueError, match="array"):
        curve(expr_graph("v = [1.0, 2.0]\nf = sum(v)"), "f", "v")


def test_an_output_that_cannot_be_computed_is_an_evaluation_error():
    g = expr_graph("x = 1.0\nv = [1.0, 2.0]\nw = [1.0, 2.0, 3.0]\nf = sum(v * w) + x")
    with pytest.raises(EvaluationError):
        h_sweep(g, "f", "x")


# --------------------------------------------------------------------- trace table
def test_trace_table_of_the_micrograd_graph():
    g = (EXAMPLES / "01_micrograd.expr").read_text()
    rows = trace_rows(expr_graph(g), "L")
    back = {r.node: r for r in rows if r.phase == "backward"}
    # L = d·f with d = e + c, e = a·b; a = 2, b = −3, c = 10, f = −2 (micrograd's example)
    assert float(back["L"].gradient) == 1.0
    assert {s: float(v) for s, _, v in back["L"].locals} == {"d": -2.0, "f": 4.0}
    assert float(back["a"].gradient) == 6.0 and float(back["b"].gradient) == -4.0
    assert float(back["c"].gradient) == -2.0 and float(back["f"].gradient) == 4.0
    table = list(csv.reader(io.StringIO(to_csv(rows))))
    assert table[0] == ["phase", "step", "node", "op", "inputs", "value",
                        "local derivatives", "gradient"]
    assert len(table) == len(rows) + 1
    e_row = next(r for r in table if r[0] == "backward" and r[2] == "e")
    assert e_row[6] == "∂e/∂a = -3; ∂e/∂b = 2" and e_row[7] == "-2"
    md = to_markdown(rows).splitlines()
    assert md[1].count("---") == 8 and len(md) == len(rows) + 2


def test_a_reduction_of_scalars_is_not_vectorised():
    # sum(x·x) of a scalar x is x², but on a grid vector a sum would add the points up
    g = expr_graph("x = 1.0\nf = sum(x * x) + x")
    assert not vectorisable(g, ["x"])
    c = curve(g, "f", "x", -1.0, 1.0, 5)
    assert not c.vectorised
    assert c.f.tolist() == [x * x + x for x in c.x] and c.dfdx.tolist() == [2 * x + 1 for x in c.x]


def test_parallel_edges_are_two_paths():
    pt = partial_vs_total(expr_graph("x = 3.0\ny = x * x"), "y", "x")
    assert sorted(p.slots for p in pt.paths) == [(0,), (1,)]
    assert [p.product for p in pt.paths] == [3.0, 3.0] and pt.total == 6.0


def test_an_array_value_anywhere_means_point_by_point():
    # w is an array that x never meets, yet a grid of x would mix with it: point by point
    g = expr_graph("w = [1.0, 2.0]\nx = 3.0\nf = x * sum(w)")
    assert not vectorisable(g, ["x"])
    c = curve(g, "f", "x", 0.0, 1.0, 5)
    assert not c.vectorised
    np.testing.assert_allclose(c.f, 3 * c.x)  # f = x·(1 + 2), by hand
    np.testing.assert_allclose(c.dfdx, 3.0)
    assert vectorisable(g, ["x"], values={"w": 2.0})


def test_every_lab_name_is_its_modules_own_and_loads_only_that_module():
    """The package hands out each name from the module that defines it, importing a module
    only when one of its names is first read: the window's lesson checks need none."""
    code = (
        "import importlib, json, sys\n"
        "import graphapp.lab.lesson\n"
        "import graphapp.lab as lab\n"
        "at_start = sorted(m for m in sys.modules if m.startswith('graphapp.lab.'))\n"
        "lab.h_sweep\n"
        "after = sorted(m for m in sys.modules if m.startswith('graphapp.lab.'))\n"
        "print(json.dumps([at_start, after]))\n")
    at_start, after = json.loads(fresh_python(code).stdout)
    assert at_start == ["graphapp.lab.lesson"]
    assert "graphapp.lab.hsweep" in after  # (with what it imports, but not the rest)
    assert not {"graphapp.lab.partial", "graphapp.lab.trace_table"} & set(after)
    import graphapp.lab as lab

    defined = {}
    for module in ("finite_slope", "grid", "hsweep", "partial", "trace_table"):
        mod = importlib.import_module(f"graphapp.lab.{module}")
        defined.update({name: getattr(mod, name) for name in mod.__all__})
    defined["TRACE_COLUMNS"] = defined.pop("COLUMNS")
    for name in lab.__all__:
        assert getattr(lab, name) is defined[name], name
    with pytest.raises(AttributeError):
        lab.no_such_name  # noqa: B018
