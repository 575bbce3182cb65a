"""The command line as a user runs it: outputs, JSON, exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from graphapp.cli import main
from tests.conftest import EXAMPLES, ROOT
from tests.helpers import fresh_python
from tests.oracle import numeric_gradients

MICRO = str(EXAMPLES / "01_micrograd.expr")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_grad_json_for_the_micrograd_graph(capsys):
    code, out, err = run(capsys, "grad", MICRO, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["output"] == "L"
    assert data["nodes"]["a"] == {"op": "input", "value": 2.0, "grad": 6.0}
    assert data["nodes"]["L"] == {"op": "mul", "value": -8.0, "grad": 1.0}
    assert {"src": "a", "dst": "e", "slot": 0, "local": -3.0, "accumulated": 6.0} in data["edges"]
    assert len(data["edges"]) == 6 and data["nonfinite"] is None


def _table(text: str) -> list[list[str]]:
    """The rows of a text table (header first), cells split where two spaces part them."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()]


def test_grad_table_shows_the_right_numbers_in_the_right_columns(capsys):
    code, out, _ = run(capsys, "grad", MICRO)
    assert code == 0
    head, nodes, edges = out.split("\n\n")
    assert head == "output L = -8"
    # micrograd's example by hand: L = (a·b + c)·f with a=2, b=−3, c=10, f=−2.
    assert _table(nodes) == [
        ["node", "op", "value", "grad dL/dnode"],
        ["a", "input", "2", "6"], ["b", "input", "-3", "-4"], ["c", "input", "10", "-2"],
        ["f", "input", "-2", "4"], ["e", "mul", "-6", "-2"], ["d", "add", "4", "-2"],
        ["L", "mul", "-8", "1"]]
    # local = ∂dst/∂src on the edge; carried = dL/d(dst) × local
    assert _table(edges) == [
        ["edge", "slot", "local ∂dst/∂src", "grad carried back"],
        ["a → e", "a", "-3", "6"], ["b → e", "b", "2", "-4"], ["e → d", "a", "1", "-2"],
        ["c → d", "b", "1", "-2"], ["d → L", "a", "-2", "-2"], ["f → L", "b", "4", "4"]]


def test_grad_table_of_constants_and_arrays(tmp_path, capsys):
    f = tmp_path / "c.expr"
    f.write_text("x = 2.0\nL = x * 3 * x\n")
    code, out, _ = run(capsys, "grad", str(f))
    assert code == 0
    _, nodes, edges = out.split("\n\n")
    assert _table(nodes)[1:] == [["x", "input", "2", "12"], ["const#1", "const", "3", "—"],
                                 ["mul#1", "mul", "6", "2"], ["L", "mul", "12", "1"]]
    assert _table(edges)[1:] == [["x → mul#1", "a", "3", "6"], ["const#1 → mul#1", "b", "—", "—"],
                                 ["mul#1 → L", "a", "2", "2"], ["x → L", "b", "6", "6"]]
    f.write_text("x = [1.0, -2.0]\ny = tanh(x)\nL = sum(y * 3)\n")
    code, out, _ = run(capsys, "grad", str(f))
    rows = {r[0]: r for r in _table(out.split("\n\n")[2])[1:]}
    t1, t2 = (f"{3 * (1 - math.tanh(v) ** 2):.8g}" for v in (1.0, -2.0))
    s1, s2 = (f"{1 - math.tanh(v) ** 2:.8g}" for v in (1.0, -2.0))
    assert rows["x → y"] == ["x → y", "x", f"diag [{s1}, {s2}]", f"(2) [{t1}, {t2}]"]


def test_set_and_output(capsys):
    code, out, _ = run(capsys, "grad", MICRO, "--set", "a=4", "--output", "d", "--json")
    data = json.loads(out)
    assert code == 0 and data["output"] == "d"
    assert data["nodes"]["a"]["value"] == 4.0 and data["nodes"]["a"]["grad"] == -3.0
    assert data["nodes"]["L"]["grad"] == 0.0  # L does not reach d


def test_tensor_json_uses_nested_lists(capsys):
    code, out, _ = run(capsys, "grad", str(EXAMPLES / "10_relu_neuron.expr"), "--json")
    data = json.loads(out)
    assert code == 0
    assert len(data["nodes"]["X"]["grad"]) == 4 and len(data["nodes"]["X"]["grad"][0]) == 3
    assert data["nodes"]["w"]["grad"] == pytest.approx([-1.425, -0.9625, 0.9125])
    consts = [n for n, v in data["nodes"].items() if v["op"] == "const"]
    assert consts and all(data["nodes"][n]["grad"] is None for n in consts)


def test_eval(capsys):
    code, out, _ = run(capsys, "eval", MICRO, "--json", "--set", "f=[1, 2]")
    data = json.loads(out)
    assert code == 0 and data["nodes"]["L"]["value"] == [4.0, 8.0]
    code, out, _ = run(capsys, "eval", MICRO)
    assert code == 0 and "L     mul    -8" in out


def test_nonfinite_is_a_note_not_a_failure(tmp_path, capsys):
    f = tmp_path / "n.expr"
    f.write_text("x = -1.0\ny = log(x)\nz = y + x\n")
    code, out, err = run(capsys, "grad", str(f), "--json")
    data = json.loads(out)
    assert code == 0 and data["nodes"]["y"]["value"] == "nan"
    assert data["nonfinite"]["node"] == "y"
    assert "log is defined for x > 0" in err and "Traceback" not in err


def test_check_agrees_on_every_example(capsys):
    for path in sorted(EXAMPLES.glob("*.expr")):
        code, out, err = run(capsys, "check", str(path))
        assert code == 0, (path.name, out, err)
        table, summary = out.split("\n\n")
        header, *rows = _table(table)
        assert header == ["input", "index", "backprop", "finite difference", "|error|",
                          "allowed", "agree"]
        expected = numeric_gradients(path.read_text(encoding="utf-8"))
        cells = [(name, idx) for name, g in expected.items()
                 for idx in (np.ndindex(np.shape(g)) if np.shape(g) else [()])]
        assert len(rows) == len(cells), path.name
        assert summary.strip().split(";")[0] == f"all {len(rows)} agree"
        for row, (name, idx) in zip(rows, cells, strict=True):
            assert row[0] == name and row[-1] in ("ok", "ok (round-off)"), (path.name, row)
            # a scalar's index cell is empty, so its row splits into one cell fewer
            assert (row[1], len(row)) == (str(list(idx)), 7) if idx else len(row) == 6
            backprop = float(row[2 if idx else 1])
            assert backprop == pytest.approx(float(np.asarray(expected[name])[idx]), rel=1e-5,
                                             abs=1e-7), (path.name, row)


def test_check_exits_1_on_disagreement(tmp_path, capsys):
    f = tmp_path / "kink.expr"
    f.write_text("x = 0.0\ny = relu(x)\n")
    code, out, err = run(capsys, "check", str(f))
    assert code == 1 and "DIFFERENT" in out and "1 of 1 disagree" in err


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF"), (".dot", b"digraph")])
def test_export(tmp_path, capsys, suffix, magic):
    if suffix != ".dot":
        pytest.importorskip("graphviz")
        if __import__("shutil").which("dot") is None:
            pytest.skip("Graphviz's dot is not installed (make installs it)")
    out = tmp_path / f"g{suffix}"
    code, _, err = run(capsys, "export", MICRO, "-o", str(out), "--rankdir", "TB")
    assert code == 0 and err == ""
    assert out.read_bytes().startswith(magic)


def test_export_without_dot_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    code, _, err = run(capsys, "export", MICRO, "-o", str(tmp_path / "g.png"))
    assert code == 1 and err.count("\n") == 1 and "apt-get install graphviz" in err
    assert not list(tmp_path.iterdir())


def test_convert_round_trip(tmp_path, capsys):
    j = tmp_path / "m.graph.json"
    e = tmp_path / "m.expr"
    assert run(capsys, "convert", MICRO, "-o", str(j))[0] == 0
    assert run(capsys, "convert", str(j), "-o", str(e))[0] == 0
    assert e.read_text() == (EXAMPLES / "01_micrograd.expr").read_text()
    _code, out, _ = run(capsys, "grad", str(j), "--json")
    assert json.loads(out)["nodes"]["b"]["grad"] == -4.0


BAD_FILES = {
    "syntax.expr": ("a = 1\nb = a +\n", ":2:8: invalid syntax"),
    "function.expr": ("a = 1\nb = foo(a)\n", ":2:5: unknown function 'foo'"),
    "name.expr": ("a = 1\nb = a * z\n", ":2:9: unknown name 'z'"),
    "twice.expr": ("a = 1\na = 2\n", ":2:1: 'a' is already defined on line 1"),
    "arity.expr": ("a = 1\nb = max(a)\n", ":2:5: max() takes 2 arguments"),
    "bad.graph.json": ('{"format": "graphapp", "version": 1,\n "nodes": [\n', ":3:1: bad JSON"),
    "version.graph.json": ('{"format": "graphapp", "version": 7, "nodes": [], "edges": []}',
                           ":1:24: unknown version 7"),
    "op.graph.json": ('{"format": "graphapp", "version": 1,\n"nodes": [\n'
                      '{"id": "a", "op": "zap"}],\n"edges": []}', ":3:1: node 'a': unknown op"),
    "cycle.graph.json": ('{"format": "graphapp", "version": 1,\n"nodes": [\n'
                         '{"id": "a", "op": "neg"},\n{"id": "b", "op": "neg"}],\n"edges": [\n'
                         '{"src": "a", "dst": "b", "slot": 0},\n'
                         '{"src": "b", "dst": "a", "slot": 0}]}', "cycle"),
    "slot.graph.json": ('{"format": "graphapp", "version": 1,\n"nodes": [\n'
                        '{"id": "a", "op": "input", "value": 1},\n{"id": "b", "op": "mul"}],\n'
                        '"edges": [\n{"src": "a", "dst": "b", "slot": 0}]}',
                        ":4:1: mul node 'b' has nothing on input slot 1"),
    "dupslot.graph.json": ('{"format": "graphapp", "version": 1,\n"nodes": [\n'
                           '{"id": "a", "op": "input", "value": 1},\n{"id": "b", "op": "neg"}],\n'
                           '"edges": [\n{"src": "a", "dst": "b", "slot": 0},\n'
                           '{"src": "a", "dst": "b", "slot": 0}]}', ":7:1: edge 1: slot 0"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["grad", "export"])
def test_unreadable_files_exit_2_with_file_line_col(tmp_path, capsys, name, command):
    text, expected = BAD_FILES[name]
    f = tmp_path / name
    f.write_text(text)
    out_file = tmp_path / "out.svg"
    args = [command, str(f)] + (["-o", str(out_file)] if command == "export" else [])
    code, out, err = run(capsys, *args)
    assert code == 2, err
    assert err.startswith(str(f)) and expected in err and "Traceback" not in err
    assert err.count("\n") == 1 and out == ""
    assert not out_file.exists()


def test_unknown_output_and_bad_set_exit_2(capsys):
    assert run(capsys, "grad", MICRO, "--output", "zz")[0] == 2
    code, _, err = run(capsys, "grad", MICRO, "--set", "zz=1")
    assert code == 2 and "no such node" in err
    code, _, err = run(capsys, "grad", MICRO, "--set", "e=1")
    assert code == 2 and "only inputs can be set" in err
    code, _, err = run(capsys, "grad", MICRO, "--set", "a=abc")
    assert code == 2 and "not a number" in err
    code, _, err = run(capsys, "grad", "/no/such/file.expr")
    assert code == 2 and err == "/no/such/file.expr: no such file\n"


def test_shape_mismatch_exits_1(tmp_path, capsys):
    f = tmp_path / "shapes.expr"
    f.write_text("a = [1.0, 2.0]\nb = [1.0, 2.0, 3.0]\nc = a * b\n")
    code, _out, err = run(capsys, "grad", str(f))
    assert code == 1 and "evaluation failed at node 'c'" in err and "Traceback" not in err


def test_ops_and_examples_listings(capsys):
    code, out, _ = run(capsys, "ops")
    assert code == 0 and "∂(a·b)/∂a = b" in out and "matmul" in out
    code, out, _ = run(capsys, "examples")
    assert code == 0 and "01_micrograd.expr" in out and "micrograd" in out


@pytest.mark.slow
def test_cli_does_not_import_qt(tmp_path):
    dot = tmp_path / "g.dot"
    code = (
        "import sys, io, contextlib\n"
        "from graphapp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['grad', {MICRO!r}, '--json']) == 0\n"
        f"    assert main(['export', {MICRO!r}, '-o', {str(dot)!r}]) == 0\n"
        "import graphapp.engine, graphapp.formats\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', "
        "'pyqtgraph')))\n"
        "print(bad)\n"
        "assert not bad, bad\n")
    fresh_python(code)
    assert dot.read_text(encoding="utf-8").startswith("digraph")


def test_engine_imports_no_qt_anywhere_in_its_source():
    for path in (ROOT / "graphapp" / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "PySide6" not in text and "import Qt" not in text, path
        assert "open(" not in text and "print(" not in text, path  # no I/O in the engine


@pytest.mark.slow
def test_python_dash_m_and_version():
    result = subprocess.run([sys.executable, "-m", "graphapp", "--version"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("graphapp ")
    result = subprocess.run([sys.executable, "-m", "graphapp", "grad", MICRO, "--json"],
                            capture_output=True, text=True, cwd=ROOT)
    assert json.loads(result.stdout)["nodes"]["c"]["grad"] == -2.0
    assert not math.isnan(json.loads(result.stdout)["nodes"]["L"]["value"])


def test_forward_mode_shows_partials_beside_the_total(capsys):
    import math as m

    path = str(EXAMPLES / "09_ellipsoid.expr")
    code, out, _ = run(capsys, "grad", path, "--wrt", "x", "--json")
    forward = json.loads(out)["forward"]
    assert code == 0 and forward["wrt"] == "x"
    partials = sorted(p["value"] for p in forward["partials"])
    assert partials == pytest.approx([8 * m.pi, 8 * m.pi])  # 4/3·π·t·y each, t = x = 2, y = 3
    assert forward["total"] == pytest.approx(16 * m.pi)
    assert forward["tangents"]["t"] == 1.0 and forward["tangents"]["y"] == 0.0
    code, out, _ = run(capsys, "grad", path, "--wrt", "x")
    assert "through this edge only" in out and "the sum of the partials" in out
    code, _, err = run(capsys, "grad", path, "--wrt", "V")
    assert code == 2 and "not an input" in err


def test_evaluation_errors_point_at_the_line(tmp_path, capsys):
    f = tmp_path / "shapes.expr"
    f.write_text("a = [1.0, 2.0]\nb = [1.0, 2.0, 3.0]\nc = a * b\nd = sum(a)\n")
    code, _, err = run(capsys, "eval", str(f))
    assert code == 1 and err.startswith(f"{f}:3:1: evaluation failed at node 'c': mul cannot")
    code, out, err = run(capsys, "grad", str(f), "--output", "d", "--json")
    assert code == 0 and json.loads(out)["nodes"]["a"]["grad"] == [1.0, 1.0]
    assert "note" in err and "d does not depend on it" in err


def test_usage_errors_are_one_line(capsys):
    code, _, err = run(capsys, "export", MICRO, "-o", "x.svg", "--rankdir", "XX")
    assert code == 2 and err.count("\n") == 1 and "invalid choice" in err
    code, _, err = run(capsys, "frob")
    assert code == 2 and "neither a command nor a file" in err


def test_set_accepts_nan_and_inf_and_refuses_empty_lists(capsys):
    code, out, err = run(capsys, "eval", MICRO, "--set", "a=inf", "--json")
    assert code == 0 and json.loads(out)["nodes"]["L"]["value"] == "inf"  # (inf·−3 + 10)·−2
    assert "set to inf" in err
    code, _, err = run(capsys, "eval", MICRO, "--set", "a=[]")
    assert code == 2 and "empty list" in err


def test_forward_mode_on_an_array_input_takes_a_direction(capsys):
    path = str(EXAMPLES / "10_relu_neuron.expr")
    code, _, err = run(capsys, "grad", path, "--wrt", "w")
    assert code == 2 and "--direction" in err
    code, out, _ = run(capsys, "grad", path, "--wrt", "w", "--direction", "[1, 0, 0]",
                       "--json")
    assert code == 0 and json.loads(out)["forward"]["total"] == pytest.approx(-1.425)


def test_convert_says_which_names_it_had_to_change(tmp_path, capsys):
    src = tmp_path / "ids.graph.json"
    src.write_text(json.dumps({
        "format": "graphapp", "version": 1, "output": "my out",
        "nodes": [{"id": "if", "op": "input", "value": 1}, {"id": "x", "op": "input", "value": 2},
                  {"id": "my out", "op": "mul"}],
        "edges": [{"src": "if", "dst": "my out", "slot": 0},
                  {"src": "x", "dst": "my out", "slot": 1}]}))
    out = tmp_path / "ids.expr"
    code, _, err = run(capsys, "convert", str(src), "-o", str(out))
    assert code == 0 and "'if', 'my out'" in err
    code, text, _ = run(capsys, "eval", str(out), "--json")
    assert json.loads(text)["nodes"]["x"]["value"] == 2.0


def test_check_on_an_infinite_input_is_quiet_and_disagrees(tmp_path, capsys):
    f = tmp_path / "huge.expr"
    f.write_text("a = 1e999\nb = a * 2\n")
    code, out, err = run(capsys, "check", str(f))
    assert code == 1 and "DIFFERENT" in out and "Warning" not in err


def test_main_gives_the_garbage_collector_back(capsys):
    """Regression: main() switched the collector off for one-shot commands and left it off, so
    every test after the CLI tests ran without garbage collection."""
    import gc

    assert gc.isenabled()
    assert main(["eval", MICRO]) == 0
    assert gc.isenabled()
    assert main(["eval", str(EXAMPLES / "no-such-file.expr")]) == 2  # failures too
    assert gc.isenabled()
    capsys.readouterr()


def test_every_command_in_the_table_has_help(capsys):
    from graphapp.cli import COMMANDS

    assert main(["-h"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command.name in out
        assert main([command.name, "-h"]) == 0
        assert command.help.split()[0] in capsys.readouterr().out


def test_grad_on_a_scalar_file_does_not_import_networkx(tmp_path):
    """Start-up: `graphapp grad` needs only the numbers, so the graph library stays unloaded
    (and the answers are the hand-derived ones: dL/da = 6, dL/db = -4)."""
    script = ("import sys\nfrom graphapp.cli import main\ntry:\n    main(sys.argv[1:])\n"
              "except SystemExit:\n    pass\nprint('networkx' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", script, "grad",
                          str(EXAMPLES / "01_micrograd.expr"), "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    nodes = json.loads(out.stdout)["nodes"]
    assert (nodes["a"]["grad"], nodes["b"]["grad"]) == (6.0, -4.0)
    assert out.stderr.strip() == "False"


@pytest.mark.parametrize("answers", [False, True])
def test_export_of_a_quiz_draws_an_exercise_sheet(capsys, tmp_path, answers):
    """12_quiz_backprop.expr (L = (a·b + a)·f, a = 3, b = −2, f = 0.5) sets a gradients quiz:
    by hand dL/da = b·f + f = −0.5, dL/db = a·f = 1.5, dL/de = dL/dd = 0.5, dL/df = d = −3.
    The picture draws them as ? (and what edges carry back), unless --answers."""
    out = tmp_path / "hw.dot"
    extra = ["--answers"] if answers else []
    code, _, err = run(capsys, "export", str(EXAMPLES / "12_quiz_backprop.expr"), "-o",
                       str(out), *extra)
    assert code == 0 and err == ""
    rows = dict(re.findall(r'COLOR="#616e7c">(dL/d\w)</FONT></TD><TD ALIGN="RIGHT"><FONT '
                           r'COLOR="#\w+">([^<]+)</FONT>', out.read_text(encoding="utf-8")))
    key = {"dL/da": "-0.5", "dL/db": "1.5", "dL/dd": "0.5", "dL/de": "0.5", "dL/df": "-3"}
    assert rows == ({**key, "dL/dL": "1"} if answers else {**dict.fromkeys(key, "?"),
                                                             "dL/dL": "1"})
    grads_on_edges = re.findall(r'grad </FONT><FONT COLOR="#\w+">([^<]+)</FONT>',
                                out.read_text(encoding="utf-8"))
    assert len(grads_on_edges) == 6
    assert (set(grads_on_edges) == {"?"}) != answers
