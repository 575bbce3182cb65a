"""The text helpers every view shares (numbers, shapes, local derivatives, names, JSON values),
each expected string written out by hand, edge cases included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graphapp.formats import FormatError
from graphapp.formats.text import (
    MAX_DIMS,
    decode_utf8,
    display_name,
    format_local,
    format_number,
    format_shape,
    format_value,
    from_json_value,
    is_position,
    magnitude,
    sign_of,
    to_json_value,
)

BIG = float(np.finfo(np.float64).max)


@pytest.mark.parametrize("x, digits, text", [
    (6.0, 6, "6"), (-0.8813735870195429, 6, "-0.881374"), (1.5e-9, 6, "1.5e-09"),
    (math.nan, 6, "nan"), (math.inf, 6, "inf"), (-math.inf, 6, "-inf"), (-0.0, 6, "0"),
    (-1e-30, 3, "-1e-30"), (123456789.0, 4, "1.235e+08"), (2.5, 1, "2"), (np.float64(3), 6, "3"),
    (0.1 + 0.2, 17, "0.30000000000000004"),
])
def test_format_number(x, digits, text):
    assert format_number(x, digits) == text


def test_format_number_default_digits():
    assert format_number(math.pi) == "3.14159"


def test_format_shape():
    assert (format_shape(()), format_shape((3,)), format_shape((3, 4)),
            format_shape((2, 1, 5))) == ("scalar", "(3)", "(3×4)", "(2×1×5)")


def test_format_value():
    assert format_value(None) == "—"
    assert format_value(np.float64(-2.5)) == "-2.5"
    assert format_value(1 / 3, digits=3) == "0.333"
    assert format_value(np.array([1.0, 2.0, 3.0])) == "[1, 2, 3]"
    assert format_value(np.arange(6.0)) == "[0, 1, 2, 3, 4, 5]"
    assert format_value(np.arange(7.0)) == "[0, 1, 2, 3, 4, 5, …]"
    assert format_value(np.arange(5.0), max_items=2) == "[0, 1, …]"
    assert format_value(np.array([1 / 3, 2.0]), digits=2) == "[0.33, 2]"
    assert format_value(np.array([[1.0, 2.0], [3.0, 4.0]])) == "[[1, 2], [3, 4]]"
    assert format_value(np.arange(8.0).reshape(4, 2)) == "[[0, 1], [2, 3], [4, 5], …]"
    assert format_value(np.arange(8.0).reshape(4, 2), max_items=4) == "[[0, 1], [2, 3], …]"
    assert format_value(np.arange(4.0).reshape(2, 2), max_items=1) == "[[0, …], …]"
    assert format_value(np.arange(6.0).reshape(3, 2), max_items=6) == "[[0, 1], [2, 3], [4, 5]]"
    assert format_value(np.array([[1 / 3]]), digits=2) == "[[0.33]]"


def test_to_json_value():
    assert to_json_value(2.5) == 2.5 and type(to_json_value(2.5)) is float
    assert to_json_value(None) is None
    assert to_json_value(np.float64(-1.5)) == -1.5 and type(to_json_value(np.float64(1))) is float
    assert to_json_value(3) == 3.0 and type(to_json_value(3)) is float
    assert to_json_value(math.nan) == "nan"
    assert to_json_value(math.inf) == "inf" and to_json_value(-math.inf) == "-inf"
    assert to_json_value(np.float64("-inf")) == "-inf"
    assert to_json_value(np.array([[1.0, 2.0], [3.0, 4.0]])) == [[1.0, 2.0], [3.0, 4.0]]
    assert to_json_value(np.array([1.0, np.nan, -np.inf])) == [1.0, "nan", "-inf"]
    assert to_json_value(np.array([[np.inf], [0.5]])) == [["inf"], [0.5]]
    assert to_json_value(np.array(7.0)) == 7.0 and to_json_value(np.array(np.nan)) == "nan"


def test_from_json_value():
    assert from_json_value([[1, "inf"], [2.5, "-inf"]]) == [[1, math.inf], [2.5, -math.inf]]
    assert math.isnan(from_json_value("nan")) and from_json_value(3) == 3
    assert from_json_value([1.5, 2]) == [1.5, 2]
    nested = from_json_value([[["nan", 1]]])
    assert math.isnan(nested[0][0][0]) and nested[0][0][1] == 1
    for bad, word in [(True, "true"), (False, "false"), (None, "null"), ({"a": 1}, "an object"),
                      ("infinity", "'infinity'"), ([1, True], "true"), ([[1], ["x"]], "'x'")]:
        with pytest.raises(ValueError, match=f"not {word}"):
            from_json_value(bad)
    with pytest.raises(ValueError, match="rectangular"):
        from_json_value([[1], 2])
    deep: list = [1.0]
    for _ in range(MAX_DIMS - 1):
        deep = [deep]
    assert from_json_value(deep) == deep  # exactly MAX_DIMS deep is fine
    with pytest.raises(ValueError, match=f"more than {MAX_DIMS} deep"):
        from_json_value([deep])


def test_display_name():
    assert display_name("a") == "a" and display_name("mul#2") == ""
    assert display_name("mul#2", {"label": "product"}) == "product"
    assert display_name("x", {"label": ""}) == "x" and display_name("x", {"label": 3}) == "x"
    assert display_name("x", {"pos": [0, 0]}) == "x" and display_name("x", None) == "x"


def test_format_local():
    x = np.array([1.0, 2.0])
    assert format_local(np.float64(-3.0), 2.0, 1.0) == "-3"
    assert format_local(1 / 3, 2.0, 1.0, digits=3) == "0.333"
    assert format_local(None, np.zeros(100), np.zeros((3, 4))) == \
        "Jacobian (3×4×100) (too large to show)"
    assert format_local(None, 1.0, 2.0) == "Jacobian scalar (too large to show)"
    assert format_local(np.array([0.5, 2.0]), x, np.float64(1.0)) == "[0.5, 2]"  # a gradient
    assert format_local(np.diag([0.25, 3.0]), x, x) == "diag [0.25, 3]"
    assert format_local(np.diag(np.arange(1.0, 6.0)), np.zeros(5), np.zeros(5)) == \
        "diag [1, 2, 3, 4, …]"
    assert format_local(np.array([[1.0, 2.0], [0.0, 1.0]]), x, x) == "[[1, 2], [0, 1]]"
    assert format_local(np.ones((3, 3)) + np.eye(3), np.zeros(3), np.zeros(3)) == \
        "Jacobian (3×3)"
    assert format_local(np.ones((2, 3)), np.zeros(3), np.zeros(2)) == "Jacobian (2×3)"
    assert format_local(np.ones((1, 2)), np.zeros(2), np.zeros(1)) == "[[1, 1]]"
    assert format_local(np.array([1 / 3, 1.0]), x, 0.0, digits=2) == "[0.33, 1]"


def test_magnitude():
    assert magnitude(None) == 0.0 and magnitude(-3.0) == 3.0 and magnitude(np.float64(2)) == 2
    assert magnitude(math.nan) == 0.0 and magnitude(-math.inf) == 0.0
    assert magnitude(np.array([3.0, -4.0])) == 5.0
    assert magnitude(np.zeros(3)) == 0.0
    assert magnitude(np.array([1.0, np.nan])) == 0.0 and magnitude(np.array([np.inf])) == 0.0
    assert magnitude(np.array([3e200, 4e200])) == pytest.approx(5e200, rel=1e-15)
    assert magnitude(np.array([1e-200, 0.0])) == pytest.approx(1e-200, rel=1e-15)
    assert magnitude(np.full(4, BIG)) == BIG  # the norm would be 2·BIG: capped
    assert magnitude(np.array([[0.0, -2.0]])) == 2.0


def test_sign_of():
    assert sign_of(None) == 0.0 and sign_of(2.5) == 1 and sign_of(-0.1) == -1
    assert sign_of(0.0) == 0 and sign_of(math.nan) == -1.0 and sign_of(math.inf) == 1
    assert sign_of(np.array([1.0, -3.0])) == -1 and sign_of(np.array([2.0, -1.0])) == 1
    assert sign_of(np.array([1.0, -1.0])) == 0 and sign_of(np.array([1.0, np.nan])) == -1


def test_decode_utf8():
    assert decode_utf8("ünï\n".encode(), "f") == "ünï\n"
    assert decode_utf8(b"\xef\xbb\xbfx = 1\n", "f") == "x = 1\n"  # the BOM is dropped
    with pytest.raises(FormatError) as err:
        decode_utf8("a = 1\nβ = 2 # caf".encode() + b"\xe9\n", "bad.expr")
    assert (err.value.line, err.value.col, err.value.path) == (2, 12, "bad.expr")
    assert err.value.message == "not UTF-8 text (byte 0xe9)"
    with pytest.raises(FormatError) as err:
        decode_utf8(b"\xff", "b")
    assert (err.value.line, err.value.col) == (1, 1)


def test_is_position():
    assert is_position([0, 1.5]) and is_position((2.0, -3))
    for bad in ([1], [1, 2, 3], [True, 1], ["1", 2], None, {"x": 1, "y": 2}, [1, None]):
        assert not is_position(bad), bad
