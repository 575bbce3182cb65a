"""Property: whatever a graph file holds, ``grad --json`` and ``export`` keep the command line's
contract (issue 9). Mutated ``.expr`` and ``.graph.json`` files, made from real ones by cutting,
repeating and inserting text and by putting odd JSON values in their fields, exit 0, 1 or 2;
a failure is exactly one line ``FILE:LINE:COL: message`` (or ``FILE: message``) with no
traceback and no output file; a success prints nothing to stderr but one-line notes, and its
JSON parses. Runs in-process (Python warnings are errors under pytest, so a numpy
RuntimeWarning or a SyntaxWarning fails the property too)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphapp.formats import parse_expr
from graphapp.formats.jsongraph import dumps_graph
from tests.cli.contract import assert_one_line_error, run
from tests.conftest import EXAMPLES

#: capsys is read (and so emptied) after every run; hypothesis may reuse it across examples.
_REUSES_CAPSYS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                  HealthCheck.data_too_large]
SEED_FILES = ["01_micrograd.expr", "10_relu_neuron.expr"]
SEEDS_EXPR = [(EXAMPLES / name).read_text(encoding="utf-8") for name in SEED_FILES]
SEEDS_JSON = [dumps_graph(parse_expr(text)) for text in SEEDS_EXPR]

#: Text that tends to break readers: operators, brackets, digits, long numbers, control
#: characters, quotes, unicode, keywords, JSON punctuation.
PIECES = ["(", ")", "[", "]", "{", "}", ",", ":", "=", "*", "**", "+", "-", "/", "@", "#",
          "\n", "\x00", "\x1b", "\t", '"', "'", "\\", "é", "\ud7ff", "1e308", "1e999", "nan",
          "9" * 5000, "[" * 300, "]" * 300, "1if", " if ", "lambda", "tanh(", "sum(", "x",
          "0.5", "-", "true", "null", "\u2028", "\ufeff"]
ODD_VALUES = st.sampled_from([
    None, True, 0, -1, 2.5, 1e308, "", "x", "a\x00b", "\x1b[31m", "nan", "inf", [], {},
    ["a"], {"a": 1}, [[1, 2], [3]], [1, True], [[[[[[1.0]]]]]], "mul", "input",
    "__HUGE__", "__DEEP__", ["__HUGE__", 1.0],
])
#: Values json.dumps cannot write (or not as plainly), put in by text replacement.
_RAW = {'"__HUGE__"': "9" * 5000, '"__DEEP__"': "[" * 500 + "1.0" + "]" * 500}


@st.composite
def mutated_text(draw: st.DrawFn, seeds: list[str]) -> str:
    """A seed file with a few cuts, repeats and insertions."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        kind = draw(st.sampled_from(["cut", "repeat", "insert", "replace"]))
        if kind == "cut":
            text = text[:i] + text[j:]
        elif kind == "repeat":
            text = text[:j] + text[i:j] * draw(st.integers(2, 30)) + text[j:]
        else:
            piece = draw(st.sampled_from(PIECES) | st.text(max_size=5))
            text = text[:i] + piece + (text[i:] if kind == "insert" else text[j:])
    return text


@st.composite
def mutated_json(draw: st.DrawFn) -> str:
    """A .graph.json with odd values put into some of its fields (every JSON type)."""
    data = json.loads(draw(st.sampled_from(SEEDS_JSON)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["top", "nodes", "edges"]))
        items = data.get(where)
        target = data if where == "top" or not isinstance(items, list) or not items else draw(
            st.sampled_from(items))
        if not isinstance(target, dict):
            continue
        key = draw(st.sampled_from([*target.keys(), "label", "pos", "group", "groups"]))
        target[key] = draw(ODD_VALUES)
    text = json.dumps(data, indent=draw(st.sampled_from([None, 1])))
    for placeholder, raw in _RAW.items():
        text = text.replace(placeholder, raw)
    return text


def _check_contract(capsys, text: str, suffix: str, picture_suffix: str = ".dot") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"mutant{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, out, err = run(capsys, "grad", path, "--json")
        _one_run(code, out, err, path, None)
        if code == 0:
            json.loads(out)
        picture = Path(tmp) / f"out{picture_suffix}"
        code, out, err = run(capsys, "export", path, "-o", picture)
        _one_run(code, out, err, path, picture)
        assert code != 0 or picture.stat().st_size > 0


def _one_run(code: int, out: str, err: str, path: Path, picture: Path | None) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "Warning" not in err, err
    if code:
        assert out == ""
        assert_one_line_error(code, err, str(path), picture)
    else:
        notes = err.splitlines()
        assert all(line.startswith("graphapp: note: ") for line in notes), err
        assert len(set(notes)) == len(notes), err  # each said once


@settings(max_examples=40, suppress_health_check=_REUSES_CAPSYS)
@given(mutated_text(SEEDS_EXPR))
def test_mutated_expr_files_keep_the_contract(capsys, text):
    _check_contract(capsys, text, ".expr")


@settings(max_examples=25, suppress_health_check=_REUSES_CAPSYS)
@given(mutated_text(SEEDS_JSON))
def test_mutated_json_text_keeps_the_contract(capsys, text):
    _check_contract(capsys, text, ".graph.json")


@settings(max_examples=40, suppress_health_check=_REUSES_CAPSYS)
@given(mutated_json(), st.sampled_from([".dot", ".dot", ".svg"]))
def test_json_fields_of_any_type_keep_the_contract(capsys, text, picture_suffix):
    if picture_suffix == ".svg" and shutil.which("dot") is None:
        picture_suffix = ".dot"
    _check_contract(capsys, text, ".graph.json", picture_suffix)
