"""``graphapp plot`` and ``graphapp check --h-sweep``: JSON against sympy and hand values,
bad arguments in one line (exit 2), pictures that are really written."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import sympy

from tests.cli.contract import assert_one_line_error, run
from tests.conftest import EXAMPLES

SLOPE = str(EXAMPLES / "02_slope.expr")
GRADIENT = str(EXAMPLES / "05_gradient_vector.expr")

X, Y = sympy.symbols("x y")


def _random_expr(rng: random.Random, depth: int) -> str:
    """A smooth random expression in x and y, written the same in .expr and sympy."""
    if depth == 0:
        return rng.choice(["x", "y", f"{rng.uniform(-2, 2):.3f}"])
    kind = rng.choice(["+", "-", "*", "sin", "cos", "tanh", "exp", "sq"])
    a = _random_expr(rng, depth - 1)
    if kind in "+-*":
        return f"({a} {kind} {_random_expr(rng, depth - 1)})"
    if kind == "sq":
        return f"({a})**2"
    if kind == "exp":
        return f"exp(0.3*{a})"
    return f"{kind}({a})"


def _file(tmp_path, expr: str, x: float = 0.4, y: float = -0.7):
    path = tmp_path / "g.expr"
    path.write_text(f"x = {x}\ny = {y}\nf = {expr} + 0*x + 0*y\n")
    return str(path)


@pytest.mark.parametrize("seed", range(5))
def test_plot_json_of_one_input_against_sympy(capsys, tmp_path, seed):
    expr = _random_expr(random.Random(seed), 3)
    code, out, err = run(capsys, "plot", _file(tmp_path, expr), "--wrt", "x",
                         "--range=-1.5:2", "--points", "17", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"output", "wrt", "x", "f", "dfdx"}
    assert data["output"] == "f" and data["wrt"] == "x"
    assert data["x"] == np.linspace(-1.5, 2.0, 17).tolist()  # exactly numpy's grid
    sym = sympy.sympify(expr).subs(Y, -0.7)
    f = sympy.lambdify(X, sym, "math")
    d = sympy.lambdify(X, sympy.diff(sym, X), "math")
    assert data["f"] == pytest.approx([f(x) for x in data["x"]], rel=1e-12, abs=1e-12)
    assert data["dfdx"] == pytest.approx([d(x) for x in data["x"]], rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("seed", range(5, 9))
def test_plot_json_of_two_inputs_against_sympy(capsys, tmp_path, seed):
    expr = _random_expr(random.Random(seed), 3)
    code, out, err = run(capsys, "plot", _file(tmp_path, expr), "--wrt", "x", "--wrt", "y",
                         "--range", "0:1", "--range=-2:-1", "--points", "6", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"output", "wrt", "x", "y", "f", "dfdx", "dfdy"}
    assert data["wrt"] == ["x", "y"]
    assert data["y"] == np.linspace(-2.0, -1.0, 6).tolist()
    sym = sympy.sympify(expr)
    fns = [sympy.lambdify((X, Y), e, "math")
           for e in (sym, sympy.diff(sym, X), sympy.diff(sym, Y))]
    for key, fn in zip(("f", "dfdx", "dfdy"), fns, strict=True):
        want = [[fn(x, y) for y in data["y"]] for x in data["x"]]  # f[i][j] at (x[i], y[j])
        assert np.allclose(data[key], want, rtol=1e-10, atol=1e-10), key


def test_plot_default_range_and_the_seed_002_gradient(capsys):
    code, out, _ = run(capsys, "plot", GRADIENT, "--wrt", "y", "--points", "5", "--json",
                       "--set", "y=-0.5")
    assert code == 0
    data = json.loads(out)
    assert data["x"] == np.linspace(-1.5, 0.5, 5).tolist()  # −0.5 ± max(1, 0.5)
    assert data["dfdx"] == [0.5 * y for y in data["x"]]  # ∂f/∂y = 0.5y


def test_plot_takes_a_negative_range_with_or_without_equals(capsys):
    # f = 3x² − 4x + 5 by hand: 12 at x = −1, 5 at 0, 4 at 1; f′ = 6x − 4: −10, −4, 2
    for argv in (["--range", "-1:1"], ["--range=-1:1"], ["--range", "-1e0:1"]):
        code, out, err = run(capsys, "plot", SLOPE, "--wrt", "x", *argv, "--points", "3",
                             "--json")
        assert code == 0, err
        data = json.loads(out)
        assert (data["x"], data["f"], data["dfdx"]) == ([-1, 0, 1], [12, 5, 4], [-10, -4, 2])
    code, out, err = run(capsys, "plot", GRADIENT, "--wrt", "x", "--wrt", "y", "--range",
                         "-2:-1", "--range", "-3:3", "--points", "3", "--json")
    assert code == 0, err
    assert json.loads(out)["y"] == [-3, 0, 3]


def test_plot_non_finite_values_as_grad_json_writes_them(capsys, tmp_path):
    path = tmp_path / "log.expr"
    path.write_text("x = 1.0\nf = log(x)\n")
    code, out, _ = run(capsys, "plot", path, "--wrt", "x", "--range=-1:1", "--points", "3",
                       "--json")
    assert code == 0
    data = json.loads(out)
    assert data["f"] == ["nan", "-inf", 0.0] and data["dfdx"][2] == 1.0


def test_plot_table_names_the_current_point(capsys):
    code, out, _ = run(capsys, "plot", SLOPE, "--wrt", "x", "--points", "3")
    assert code == 0
    assert out.splitlines()[-1] == "at x = 3: f = 20, slope 14"


def test_h_sweep_json_shape_and_values(capsys):
    code, out, err = run(capsys, "check", SLOPE, "--h-sweep", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["inputs"] and list(data["inputs"]) == ["x"]
    x = data["inputs"]["x"]
    assert x["backprop"] == 14.0
    assert [r["h"] for r in x["sweep"]] == [float(f"1e-{k}") for k in range(1, 13)]
    for r in x["sweep"]:
        assert set(r) == {"h", "forward", "central", "forward_error", "central_error"}
        assert r["forward_error"] == abs(r["forward"] - 14.0)
        assert r["central_error"] == abs(r["central"] - 14.0)
    for r in x["sweep"][:4]:  # truncation: forward error 3h, central exact for a parabola
        assert r["forward_error"] == pytest.approx(3 * r["h"], rel=1e-4)
        assert r["central_error"] < 1e-9


def test_h_sweep_best_central_h_for_a_smooth_function(capsys):
    code, out, _ = run(capsys, "check", str(EXAMPLES / "06_sin_x_plus_x2.expr"), "--h-sweep",
                       "--json")
    assert code == 0
    for entry in json.loads(out)["inputs"].values():
        errors = [r["central_error"] for r in entry["sweep"]]
        best = entry["sweep"][errors.index(min(errors))]["h"]
        assert best in (1e-5, 1e-6)


@pytest.mark.parametrize("argv, words", [
    (["plot", SLOPE], "--wrt"),
    (["plot", SLOPE, "--wrt", "f"], "not an input"),
    (["plot", SLOPE, "--wrt", "nope"], "not an input"),
    (["plot", GRADIENT, "--wrt", "x", "--wrt", "y", "--wrt", "x"], "one input"),
    (["plot", GRADIENT, "--wrt", "x", "--wrt", "x"], "twice"),
    (["plot", SLOPE, "--wrt", "x", "--range", "2:1"], "LO < HI"),
    (["plot", SLOPE, "--wrt", "x", "--range=a:b"], "LO:HI"),
    (["plot", SLOPE, "--wrt", "x", "--range", "-1"], "--range"),
    (["plot", SLOPE, "--wrt", "x", "--range", "-1:z"], "--range"),
    (["plot", SLOPE, "--wrt", "x", "--points", "1"], "--points"),
    (["plot", SLOPE, "--wrt", "x", "--points", "many"], "--points"),
    (["plot", GRADIENT, "--wrt", "x", "--range=0:1", "--range=0:1", "--range=0:1"], "once"),
    (["plot", SLOPE, "--wrt", "x", "-o", "out.pdf"], ".png or .svg"),
    (["check", SLOPE, "--json"], "--h-sweep"),
    (["check", SLOPE, "--h-sweep", "-o", "sweep.gif"], ".png or .svg"),
])
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert_one_line_error(code, err)
    assert code == 2 and words in err and out == ""


def test_array_inputs_are_refused_in_one_line(capsys, tmp_path):
    path = tmp_path / "v.expr"
    path.write_text("v = [1.0, 2.0]\nf = sum(v)\n")
    code, _, err = run(capsys, "plot", path, "--wrt", "v")
    assert_one_line_error(code, err, str(path))
    assert code == 2 and "array" in err


@pytest.mark.parametrize("argv", [
    ["plot", SLOPE, "--wrt", "x"],
    ["plot", GRADIENT, "--wrt", "x", "--wrt", "y", "--points", "30"],
    ["check", str(EXAMPLES / "04_partial_3x2y.expr"), "--h-sweep"],
])
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_pictures_are_written(capsys, tmp_path, argv, suffix):
    out_file = tmp_path / f"pic.{suffix}"
    code, out, err = run(capsys, *argv, "-o", out_file)
    assert code == 0 and err == "" and out == ""
    data = out_file.read_bytes()
    assert len(data) > 10_000
    if suffix == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert b"<svg" in data[:1000] and data.rstrip().endswith(b"</svg>")
    assert not list(tmp_path.glob(".pic*"))  # no temporary left behind


def test_a_picture_that_cannot_be_written_is_one_line_exit_1(capsys, tmp_path):
    target = tmp_path / "missing-dir" / "pic.png"
    code, _, err = run(capsys, "plot", SLOPE, "--wrt", "x", "-o", target)
    assert_one_line_error(code, err)
    assert code == 1 and "cannot write" in err
