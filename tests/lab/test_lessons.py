"""Every bundled example's "try this" prompts: each check is false when the example opens and
true after the edit that achieves it, and the numbers the edit gives are the ones worked out by
hand here (not read from the app). Then the checker's semantics on small graphs."""

from __future__ import annotations

import math

import pytest

from graphapp.api import load, parse
from graphapp.formats.conditions import parse_condition
from graphapp.lab.lesson import Situation, check
from tests.conftest import EXAMPLES


def _situation(doc, step=None, selected=()) -> Situation:
    graph = doc.graph
    fwd = graph.plan().forward(graph)
    return Situation(fwd, graph.plan().backward(fwd, doc.output), step, frozenset(selected))


def _read(now: Situation, what: str, name: str, index: tuple[int, ...] | None = None) -> float:
    import numpy as np

    raw = now.forward.values[name] if what == "value" else now.backward.grads[name]
    return float(np.asarray(raw)[index] if index is not None else raw)


# Each case: example, prompt number (1-based), the edit that achieves it, and what the edit
# gives, worked out by hand: (reading, node, [index,] expected).
#   ("set", NAME, V)          type V for input NAME (the inspector)
#   ("line", OLD, NEW)        replace a statement (the expression bar)
#   ("select", NAME)          click a card;  ("step", MODE, NAME): step mode stands at NAME
CASES = [
    # L = (a·b + c)·f with a·b = −6, f = −2: c = 5 → d = −1, L = 2
    ("01_micrograd", 1, ("set", "c", 5.0), [("value", "L", 2.0)]),
    # dL/da = f·b: b = 3 → −6
    ("01_micrograd", 2, ("set", "b", 3.0), [("grad", "a", -6.0)]),
    ("01_micrograd", 3, ("step", "backward", "a"), []),
    # 6x − 4 at x = 0.6667 is 0.0002
    ("02_slope", 1, ("set", "x", 0.6667), [("grad", "x", 0.0002)]),
    # f(1.3333) = 3·1.77768889 − 5.3332 + 5 = 4.99986667; slope 3.9998
    ("02_slope", 2, ("set", "x", 1.3333), [("value", "f", 4.99986667), ("grad", "x", 3.9998)]),
    ("03_two_products", 1, ("select", "a"), []),
    # dd/da = b + c² = −100 + 100
    ("03_two_products", 2, ("set", "b", -100.0), [("grad", "a", 0.0)]),
    # c = 0: dd/da = b + 0 = −3 = b
    ("03_two_products", 3, ("set", "c", 0.0), [("grad", "a", -3.0)]),
    # 6xy = 6·2·10, 3x² = 12
    ("04_partial_3x2y", 1, ("set", "y", 10.0), [("grad", "x", 120.0), ("grad", "y", 12.0)]),
    # 3x² = 27 at x = 3
    ("04_partial_3x2y", 2, ("set", "x", 3.0), [("grad", "y", 27.0)]),
    # x = 2, y = 1: 6·2·1 = 12 = 3·4
    ("04_partial_3x2y", 3, ("set", "y", 1.0), [("grad", "x", 12.0), ("grad", "y", 12.0)]),
    # 0.5y at y = 0
    ("05_gradient_vector", 1, ("set", "y", 0.0), [("grad", "y", 0.0)]),
    ("05_gradient_vector", 2, ("set", "y", -1.0), [("grad", "y", -0.5)]),
    # x = 0.5·4² = 8: −4 + 4
    ("05_gradient_vector", 3, ("set", "x", 8.0), [("value", "f", 0.0)]),
    # dy/dx = cos(−0.25)·0; dy/du = cos(−0.25) ≈ 0.968912
    ("06_sin_x_plus_x2", 1, ("set", "x", -0.5), [("grad", "x", 0.0), ("grad", "u", 0.968912)]),
    # u = 0.8494 + 0.72148036 = 1.57088036, cos(u) ≈ −0.000084
    ("06_sin_x_plus_x2", 2, ("set", "x", 0.8494), [("value", "u", 1.57088036),
                                                   ("grad", "u", -0.000084)]),
    ("06_sin_x_plus_x2", 3, ("step", "backward", "x"), []),
    ("07_two_paths", 1, ("step", "backward", "x"), []),
    # 1 + 2x
    ("07_two_paths", 2, ("set", "x", -0.5), [("grad", "x", 0.0)]),
    ("07_two_paths", 3, ("set", "x", 0.0), [("grad", "x", 1.0)]),
    ("08_fan_out", 1, ("step", "backward", "a"), []),
    # a·a = 9, d/da = 2a = 6
    ("08_fan_out", 2, ("line", "b = a + a", "b = a * a"),
     [("value", "b", 9.0), ("grad", "a", 6.0)]),
    # a³ = 27, 3a² = 27
    ("08_fan_out", 3, ("line", "b = a + a", "b = a * a * a"),
     [("value", "b", 27.0), ("grad", "a", 27.0)]),
    ("09_ellipsoid", 1, ("select", "x"), []),
    # dV/dx = 8/3·π·x·y = 8/3·π·2·1.5 = 8π
    ("09_ellipsoid", 2, ("set", "y", 1.5), [("grad", "x", 8 * math.pi)]),
    # t an input: dV/dx = 4/3·π·t·y = 4/3·π·2·3 = 8π = dV/dt = 4/3·π·x·y
    ("09_ellipsoid", 3, ("line", "t = x", "t = 2.0"), [("grad", "x", 8 * math.pi),
                                                       ("grad", "t", 8 * math.pi)]),
    # z[0] = −0.6 + b
    ("10_relu_neuron", 1, ("set", "b", 0.7), [("value", "z", (0,), 0.1)]),
    # b = 0: z = [−0.6, 1.35, −0.05, 0.65]; samples 2 and 4 on: −½(0.5 − 1.35) − ½(2 − 0.65)
    ("10_relu_neuron", 2, ("set", "b", 0.0), [("value", "z", (2,), -0.05), ("grad", "b", -0.25)]),
    ("11_mlp_sigmoid", 1, ("step", "backward", "W1"), []),
    # ŷ = 0.7·σ(0.260434) − 0.6·σ(−0.176371) + 0.2 ≈ 0.32171; dE/db3 = ŷ − y
    ("11_mlp_sigmoid", 2, ("set", "y", 0.3), [("value", "yhat", 0.32171),
                                              ("grad", "b3", 0.02171)]),
    ("11_mlp_sigmoid", 3, ("set", "y", 0.3217), [("value", "E", 0.0)]),
    ("12_quiz_backprop", 1, ("step", "backward", "a"), []),
    # L = (a·b + a)·f: dL/da = (b + 1)·f, 0 at b = −1
    ("12_quiz_backprop", 2, ("set", "b", -1.0), [("grad", "a", 0.0)]),
]


def _apply(name: str, edit: tuple) -> tuple:
    """The example after ``edit``, and the situation to check (step mode, selection)."""
    path = EXAMPLES / f"{name}.expr"
    kind = edit[0]
    if kind == "line":
        text = path.read_text(encoding="utf-8")
        assert edit[1] in text
        doc = parse(text.replace(edit[1], edit[2]), name=path.name)
        return doc, _situation(doc)
    doc = load(path)
    if kind == "set":
        doc.graph.set_value(edit[1], edit[2])
        return doc, _situation(doc)
    if kind == "select":
        return doc, _situation(doc, selected=[edit[1]])
    return doc, _situation(doc, step=(edit[1], edit[2]))


@pytest.mark.parametrize(("name", "number", "edit", "hand"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_a_prompt_is_open_at_the_start_and_done_after_its_edit(name, number, edit, hand):
    start = load(EXAMPLES / f"{name}.expr")
    prompt = start.prompts[number - 1]
    assert not check(prompt.check, _situation(start)).met, prompt.text
    doc, after = _apply(name, edit)
    for reading in hand:
        what, node, *index, expected = reading
        got = _read(after, what, node, index[0] if index else None)
        assert got == pytest.approx(expected, abs=1e-5), reading
    outcome = check(doc.prompts[number - 1].check, after)
    assert outcome.met and not outcome.problem, (prompt.text, outcome)


def test_every_example_has_two_or_three_prompts_and_every_one_is_tested():
    tested = {(c[0], c[1]) for c in CASES}
    for path in sorted(EXAMPLES.glob("*.expr")):
        doc = load(path)
        assert 2 <= len(doc.prompts) <= 3, path.name
        for k, prompt in enumerate(doc.prompts, start=1):
            assert (path.stem, k) in tested, (path.name, prompt.text)
            assert prompt.hint, (path.name, prompt.text)


def test_prompts_speak_to_the_learner():
    for path in sorted(EXAMPLES.glob("*.expr")):
        for prompt in load(path).prompts:
            for text in (prompt.text, prompt.hint):
                assert ".expr" not in text and "graphapp " not in text and "seed" not in text
                assert "--" not in text, text  # no command-line options


# --------------------------------------------------------------------- the checker's semantics
GRAPH = "a = 2.0\nb = -3.0\ne = a * b\nq = a * a\nz = [1.0, -2.0]\nL = e + q"


def _met(condition: str, **kw) -> bool:
    doc = parse(GRAPH)
    return check(parse_condition(condition), _situation(doc, **kw)).met


@pytest.mark.parametrize(("condition", "expected"), [
    ("value(e) == -6", True), ("value(e) != -6", False), ("value(e) < -6", False),
    ("value(e) <= -6", True), ("value(e) > -6.5", True), ("value(e) >= -5.9", False),
    # dL/da = b + 2a = −3 + 4 = 1; dL/db = a = 2
    ("grad(a) == 1 and grad(b) == 2", True), ("grad(a) == 1 and grad(b) == 3", False),
    ("grad(a) == 5 or grad(b) == 2", True), ("grad(a) == 5 or grad(b) == 3", False),
    # and binds tighter than or: F and F or T
    ("grad(a) == 5 and grad(b) == 3 or value(a) == 2", True),
    # ∂e/∂a = b = −3; ∂q/∂a = a + a (two parallel edges) = 4
    ("local(a, e) == -3", True), ("local(a, q) == 4", True), ("local(a, q) == 2", False),
    ("grad(a) == value(a) within 1", True), ("grad(a) == value(a) within 0.5", False),
    ("value(e) == -6.0005 within 1e-3", True), ("value(e) == -6.002 within 1e-3", False),
    ("value(e) != -6.002 within 1e-3", True),
    ("value(z[1]) == -2", True), ("value(z[0]) > 0", True),
])
def test_conditions_against_numbers_worked_by_hand(condition, expected):
    assert _met(condition) is expected


def test_equality_without_tolerance_forgives_only_rounding():
    doc = parse("x = 0.1\ny = x + 0.2")
    now = _situation(doc)
    assert check(parse_condition("value(y) == 0.3"), now).met  # 0.30000000000000004
    assert not check(parse_condition("value(y) == 0.3000001"), now).met


def test_flags_read_step_mode_and_selection():
    assert _met("backward_step(a)", step=("backward", "a"))
    assert not _met("backward_step(a)", step=("forward", "a"))
    assert not _met("backward_step(a)", step=("backward", "b"))
    assert _met("forward_step(e)", step=("forward", "e"))
    assert _met("selected(q)", selected=["q", "a"]) and not _met("selected(q)")


def test_a_check_that_cannot_be_read_says_why_instead_of_failing():
    doc = parse(GRAPH)
    now = _situation(doc)
    for condition, why in [("value(z) > 0", "z holds 2 numbers"),
                           ("value(z[5]) > 0", "no element [5]"),
                           ("value(gone) > 0", "there is no node gone"),
                           ("local(b, q) > 0", "b is not an input of q")]:
        outcome = check(parse_condition(condition), now)
        assert not outcome.met and why in outcome.problem, (condition, outcome)
    assert check(parse_condition("grad(a) > 0"), Situation(now.forward)).problem == \
        "there are no gradients now"
