"""Bad files on the command line (issue 9, items 14-23): each ends in one line naming the
file (and line and column where one is at fault), exit 1 or 2, no traceback, no output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.cli.contract import assert_one_line_error, run
from tests.conftest import ROOT

try:
    import resource
except ImportError:  # not on Windows
    resource = None

GOOD = {"format": "graphapp", "version": 1, "output": "L",
        "nodes": [{"id": "a", "op": "input", "value": 2.0},
                  {"id": "b", "op": "input", "value": 3.0},
                  {"id": "L", "op": "mul"}],
        "edges": [{"src": "a", "dst": "L", "slot": 0}, {"src": "b", "dst": "L", "slot": 1}]}


def _write(tmp_path, data, name="bad.graph.json"):
    """Write ``data`` one node or edge per line, as graphapp does, so lines can be checked."""
    head = {k: v for k, v in data.items() if k not in ("nodes", "edges")}
    text = (json.dumps(head)[:-1] + ',\n"nodes": [\n'
            + ",\n".join(json.dumps(n) for n in data["nodes"]) + '\n],\n"edges": [\n'
            + ",\n".join(json.dumps(e) for e in data["edges"]) + "\n]}\n")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _changed(where, key, value):
    data = json.loads(json.dumps(GOOD))
    if where is None:
        data[key] = value
    else:
        array, k = where
        data[array][k][key] = value
    return data


# Item 14: every field of the wrong JSON type is one line at the node or edge at fault.
WRONG_TYPES = [
    (("nodes", 0), "id", ["a"], 3, "id"),
    (("nodes", 0), "id", {"a": 1}, 3, "id"),
    (("nodes", 2), "op", {"x": 1}, 5, "op"),
    (("nodes", 2), "op", ["mul"], 5, "op"),
    (("nodes", 0), "op", 7, 3, "op"),
    (("edges", 0), "src", ["a"], 8, "src"),
    (("edges", 0), "dst", {"a": 1}, 8, "dst"),
    (("edges", 1), "slot", "1", 9, "slot"),
    (("edges", 1), "slot", 1.0, 9, "slot"),
    (("nodes", 0), "value", {"a": 1}, 3, "value"),
    (("nodes", 0), "value", [1.0, True], 3, "value"),
    (("nodes", 0), "value", [1.0, "2"], 3, "value"),
    (("nodes", 0), "value", [1.0, None], 3, "value"),
    (("nodes", 0), "label", ["x"], 3, "label"),
    (("nodes", 0), "label", 5, 3, "label"),
    (("nodes", 0), "group", {"g": 1}, 3, "group"),
    (("nodes", 0), "pos", [1, "2"], 3, "pos"),
    (None, "output", ["L"], 1, "output"),
    (None, "output", {"L": 1}, 1, "output"),
    (None, "lesson", ["x"], 1, "lesson"),
    (None, "groups", {"g": {"collapsed": "yes"}}, 1, "collapsed"),
    (None, "groups", {"g": {"pos": "here"}}, 1, "pos"),
    (None, "version", True, 1, "version"),
    (None, "format", ["graphapp"], 1, "format"),
]


@pytest.mark.parametrize(("where", "key", "value", "line", "word"), WRONG_TYPES)
@pytest.mark.parametrize("command", ["grad", "export"])
def test_wrong_json_types_are_one_line_at_the_right_line(tmp_path, capsys, where, key, value,
                                                         line, word, command):
    path = _write(tmp_path, _changed(where, key, value))
    out = tmp_path / "out.dot"
    argv = ["grad", path, "--json"] if command == "grad" else ["export", path, "-o", out]
    code, stdout, err = run(capsys, *argv)
    m = assert_one_line_error(code, err, str(path), out)
    assert code == 2 and stdout == ""
    assert m["line"] == str(line), err
    assert word in m["msg"], err


def _run_both(capsys, tmp_path, path):
    """``grad --json`` and ``export`` on ``path``: both must fail by the contract."""
    results = []
    for argv in (["grad", path, "--json"], ["export", path, "-o", tmp_path / "out.svg"]):
        code, out, err = run(capsys, *argv)
        results.append(assert_one_line_error(code, err, str(path), tmp_path / "out.svg"))
        assert code == 2 and out == ""
    return results


def _json_with_value(tmp_path, value_text, name="bad.graph.json"):
    text = json.dumps(GOOD, indent=1).replace('"value": 2.0', f'"value": {value_text}', 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# Item 15: numbers longer than Python's 4,300-digit int-conversion limit.
@pytest.mark.parametrize("text", [
    "x = 2.0\ny = x * " + "9" * 5000 + "\n",
    "x = [" + "9" * 5000 + ", 1.0]\ny = x * x\n",
    "x = " + "9" * 5000 + "\ny = x * x\n",
    "x = -" + "9" * 400 + "\ny = x * x\n",
])
def test_huge_integers_in_expr_are_one_line(tmp_path, capsys, text):
    path = tmp_path / "big.expr"
    path.write_text(text, encoding="utf-8")
    for m in _run_both(capsys, tmp_path, path):
        assert m["line"] in ("1", "2") and "number too large" in m["msg"]
        assert "set_int_max_str_digits" not in m["msg"]


@pytest.mark.parametrize("digits", [400, 5000])
def test_huge_integers_in_json_are_one_line(tmp_path, capsys, digits):
    path = _json_with_value(tmp_path, "9" * digits)
    for m in _run_both(capsys, tmp_path, path):
        assert "too large" in m["msg"] and m["line"] != "1"


# Item 16: deep nesting, in a value and in the JSON document itself.
def test_a_value_nested_500_deep_is_one_line(tmp_path, capsys):
    path = _json_with_value(tmp_path, "[" * 500 + "1" + "]" * 500)
    for m in _run_both(capsys, tmp_path, path):
        assert "nested" in m["msg"] and "32" in m["msg"]
    path = tmp_path / "deep.expr"
    path.write_text("x = " + "[" * 500 + "1.0" + "]" * 500 + "\ny = x * x\n", encoding="utf-8")
    for m in _run_both(capsys, tmp_path, path):
        assert m["line"] == "1" and "nested" in m["msg"]


def test_a_document_nested_5000_deep_is_one_line(tmp_path, capsys):
    data = json.loads(json.dumps(GOOD))
    data["nodes"][0]["label_notes"] = "__DEEP__"
    path = tmp_path / "deep.graph.json"
    path.write_text(json.dumps(data).replace('"__DEEP__"', "[" * 5000 + "]" * 5000),
                    encoding="utf-8")
    for m in _run_both(capsys, tmp_path, path):
        assert "nested too deeply" in m["msg"]


def test_values_nested_32_deep_still_load(tmp_path, capsys):
    path = _json_with_value(tmp_path, "[" * 32 + "1.5" + "]" * 32)
    code, out, err = run(capsys, "grad", path, "--json")
    assert (code, err) == (0, "")
    value = json.loads(out)["nodes"]["a"]["value"]
    for _ in range(32):
        value = value[0]
    assert value == 1.5


# Item 18: Python's SyntaxWarning never reaches stderr; the line is an error at its column.
def test_syntax_warnings_become_the_error_line(tmp_path, capsys, recwarn):
    path = tmp_path / "w.expr"
    path.write_text("a = 2.0\nb = 1if a else a\n", encoding="utf-8")
    code, _, err = run(capsys, "grad", path, "--json")
    m = assert_one_line_error(code, err, str(path))
    assert m["line"] == "2" and "SyntaxWarning" not in err and not recwarn.list


# Item 19: control characters in ids, labels and group names are refused on load.
@pytest.mark.parametrize(("where", "key", "value"), [
    (("nodes", 0), "label", "a\x01\x1bb"),
    (("nodes", 0), "label", "tab\there"),
    (("nodes", 2), "id", "L\x00"),
    (("nodes", 0), "group", "g\x7f"),
    (None, "output", "L\x00"),
])
def test_control_characters_are_refused_on_load(tmp_path, capsys, where, key, value):
    data = _changed(where, key, value)
    if key == "id":
        data["edges"] = [{**e, "dst": value} for e in data["edges"]]
        data["output"] = value
    for m in _run_both(capsys, tmp_path, _write(tmp_path, data)):
        assert "control character" in m["msg"]


# Item 18: numpy's RuntimeWarnings (an overflow while sizing an edge by its gradient's norm)
# never reach stderr on a run that succeeds.
@pytest.mark.parametrize("suffix", ["dot", "svg"])
def test_huge_gradients_export_without_warnings(tmp_path, capsys, suffix):
    path = tmp_path / "big.expr"
    path.write_text("x = [1e200, 1e200]\nw = [1e200, 1e200]\ny = sum(x * w)\n", encoding="utf-8")
    out = tmp_path / f"out.{suffix}"
    code, _, err = run(capsys, "export", path, "-o", out)
    assert code == 0 and out.exists()
    assert "Warning" not in err and err.count("\n") == 1 and "gave inf" in err  # said once


# Item 17: broadcasting that would make a huge array is refused from the shapes, with its size;
# a value of ten million numbers still loads and runs within a 4 GB address space.
def test_broadcasting_to_a_huge_array_is_one_line_with_its_size(tmp_path, capsys):
    n = 3000
    path = tmp_path / "cube.expr"
    path.write_text(f"a = [{', '.join(['[[1.0]]'] * n)}]\n"
                    f"b = [[{', '.join(['[1.0]'] * n)}]]\n"
                    f"c = [[[{', '.join(['1.0'] * n)}]]]\n"
                    "d = a + b\ne = d + c\n", encoding="utf-8")
    code, out, err = run(capsys, "grad", path, "--json")
    m = assert_one_line_error(code, err, str(path))
    assert code == 1 and out == "" and m["line"] == "5"
    assert "3000×3000×3000 = 27,000,000,000 numbers (216 GB)" in m["msg"]


@pytest.mark.skipif(resource is None or sys.platform != "linux", reason="RLIMIT_AS is Linux's")
def test_ten_million_numbers_run_under_a_4_gb_address_space(tmp_path):
    n = 10_000_000
    data = json.loads(json.dumps(GOOD))
    data["nodes"][0]["value"] = "__BIG__"
    path = tmp_path / "big.graph.json"
    path.write_text(json.dumps(data).replace('"__BIG__"', "[" + "0.25, " * (n - 1) + "0.5]"),
                    encoding="utf-8")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4_000_000_000, 4_000_000_000))

    done = subprocess.run([sys.executable, "-m", "graphapp", "grad", str(path), "--json"],
                          preexec_fn=limit, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stderr == b""
