"""The .expr parser: what it builds, every error with its line and column, the fast path's
agreement with the ast path, and round trips through the writer."""

from __future__ import annotations

import math
import re

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphapp.engine import Graph, backward
from graphapp.formats import FormatError, GraphFile, parse_expr, write_expr
from graphapp.formats.expr import ExprParser
from graphapp.formats.io import load_graph
from tests.helpers import MICROGRAD


def test_micrograd_script_builds_the_named_graph():
    doc = parse_expr("# the micrograd example\n" + MICROGRAD)
    assert doc.output == "L" and doc.lesson == "the micrograd example"
    g = doc.graph
    assert g.nodes() == ["a", "b", "c", "f", "e", "d", "L"]
    assert g.inputs("e") == ["a", "b"] and g.op("L").name == "mul"


def test_statement_kinds():
    doc = parse_expr("x = 2\nv = [[1, 2], [3, 4]]\nneg = -3.5\nt = x\ny = x * 3 + -1\n")
    g = doc.graph
    assert g.op("x").name == "input" and float(g.value("x")) == 2.0
    assert g.value("v").shape == (2, 2)
    assert g.op("neg").name == "input" and float(g.value("neg")) == -3.5
    assert g.op("t").name == "identity" and g.inputs("t") == ["x"]
    consts = sorted(float(g.value(n)) for n in g if g.op(n).name == "const")
    assert consts == [-1.0, 3.0]
    assert all("#" in n for n in g if n not in {"x", "v", "neg", "t", "y"})


def test_pi_and_e_are_constants_unless_the_file_defines_them():
    g = parse_expr("r = 2.0\nA = pi * r**2").graph
    assert float(backward(g, "A").forward.values["A"]) == pytest.approx(4 * math.pi)
    g = parse_expr("a = 2.0\ne = a * 3\nL = e + 1").graph  # micrograd's e
    assert g.op("e").name == "mul" and g.inputs("L")[0] == "e"
    with pytest.raises(FormatError, match="'e' is used before it is defined"):
        parse_expr("a = e * 2\ne = 3.0")


@pytest.mark.parametrize("text, line, col, message", [
    ("a = 1\nb = a +\n", 2, 8, "invalid syntax"),
    ("a = 1\nb = foo(a)\n", 2, 5, "unknown function 'foo'"),
    ("a = 1\nb = tahn(a)\n", 2, 5, "or tanh()?"),
    ("a = 1\nb = a * q\n", 2, 9, "unknown name 'q'"),
    ("a = 1\nb = a * aa\n", 2, 9, "did you mean 'a'"),
    ("a = 1\na = 2\n", 2, 1, "'a' is already defined on line 1"),
    ("a = 1\nb = max(a)\n", 2, 5, "max() takes 2 arguments, got 1"),
    ("a = 1\nb = tanh(a, a)\n", 2, 5, "tanh() takes 1 argument, got 2"),
    ("a = 1\nb = tanh(x=a)\n", 2, 5, "plain positional arguments"),
    ("a = 1\nb = a // 2\n", 2, 5, "FloorDiv is not supported"),
    ("a = 1\nb = a < 2\n", 2, 5, "comparisons are not supported"),
    ("a = 'text'\n", 1, 5, "'text' is not a number"),
    ("a = 1\nb = os.system(a)\n", 2, 5, "only calls of functions by name"),
    ("b = __import__('os')\n", 1, 5, "unknown function '__import__'"),
    ("a = 1; b = 2\n", 1, 8, "one statement per line"),
    ("a + 1\n", 1, 1, "expected NAME = EXPRESSION"),
    ("a = b = 1\n", 1, 1, "single name"),
    ("a = [[1, 2], [3]]\n", 1, 5, "rectangular"),
    ("a = [1, 'x']\n", 1, 9, "only numbers"),
    ("a = 1\nb = lambda: a\n", 2, 5, "Lambda is not allowed"),
    ("a = True\n", 1, 5, "True is not a number"),
    ("\n# only a comment\n", 1, 1, "no statements"),
    ("x = 1\ny = x\n# output: z\n", 3, 1, "names 'z', which is not defined"),
    ("  a = 1\n  b = a *\n", 2, 10, "invalid syntax"),
    ("x = 1\ny = 1j * x\n", 2, 5, "1j is not a number"),
])
def test_errors_name_the_line_and_column(text, line, col, message):
    with pytest.raises(FormatError) as err:
        parse_expr(text, "bad.expr")
    assert (err.value.line, err.value.col) == (line, col), str(err.value)
    assert message in err.value.message
    assert str(err.value).startswith(f"bad.expr:{line}:{col}: ")


def test_columns_count_characters_not_bytes():
    with pytest.raises(FormatError) as err:
        parse_expr("α = 1.0\nβ = α * γ\n")
    assert (err.value.line, err.value.col) == (2, 9)


def test_non_utf8_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "bad.expr"
    path.write_bytes(b"a = 1\nb = a * 2 # caf\xe9\n")
    with pytest.raises(FormatError) as err:
        load_graph(path)
    assert err.value.line == 2 and "not UTF-8" in err.value.message


def test_nothing_is_ever_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    text = f"a = 1\nb = open('{marker}', 'w')\n"
    with pytest.raises(FormatError):
        parse_expr(text)
    assert not marker.exists()


def test_output_directive_picks_another_output():
    doc = parse_expr("x = 1.0\ny = x * 2\n# output: y\nz = y + 1\n")
    assert doc.output == "y"


_names = st.sampled_from(["a", "b", "c", "x1", "y_2"])
_number = st.one_of(st.integers(-1000, 1000).map(str),
                    st.floats(-1e6, 1e6, allow_nan=False).map(repr))


@st.composite
def fast_path_lines(draw):
    """Statements of the shapes the regular expressions handle, plus some they must refuse."""
    kind = draw(st.sampled_from(["decl", "bin", "call1", "call2", "copy"]))
    name = draw(_names)
    sp = draw(st.sampled_from(["", " ", "  ", "\t"]))
    tail = draw(st.sampled_from(["", "  # note", "#x"]))
    a, b = draw(_names), draw(_names)
    if kind == "decl":
        rhs = draw(_number)
    elif kind == "bin":
        rhs = f"{a}{sp}{draw(st.sampled_from(['+', '-', '*', '/', '**', '@']))}{sp}{b}"
    elif kind == "call1":
        rhs = f"{draw(st.sampled_from(['tanh', 'exp', 'relu', 'sum', 'ln', 'nope']))}({a})"
    elif kind == "call2":
        rhs = f"{draw(st.sampled_from(['max', 'min', 'tanh', 'add']))}({a},{sp}{b})"
    else:
        rhs = a
    return f"{name}{sp}={sp}{rhs}{tail}"


@given(st.lists(fast_path_lines(), min_size=1, max_size=12))
def test_fast_path_agrees_with_the_ast_path(lines):
    def run(fast: bool):
        parser = ExprParser(path="f.expr")
        if not fast:
            parser._fast = parser._fast_expr = lambda line, n: False
        try:
            parser.parse("\n".join(lines))
        except FormatError as exc:
            return ("error", exc.line)
        return parser.nodes, parser.edges, parser.defined

    assert run(True) == run(False)


_atoms = st.one_of(
    _names, st.sampled_from(["pi", "e", "q", "None", "tanh", "1_0", "012", "00", "1.", ".5",
                             "1e3", "1.5E-2", "2x", "0x1f", "3j", "1" * 320]),
    st.integers(0, 99).map(str), st.floats(0, 1e6, allow_nan=False).map(repr))


def _expressions():
    """Expressions of every shape the fast reader takes (signs, powers, brackets, calls of
    the right and wrong arity, literals of every spelling) and some it must leave alone."""
    def extend(inner):
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "@", "//", "%"]),
                           inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}")
        tight = st.tuples(inner, st.sampled_from(["+", "-", "*", "**"]),
                          inner).map(lambda t: f"{t[0]}{t[1]}{t[2]}")
        unary = st.tuples(st.sampled_from(["-", "+", "- ", "--", "-+"]),
                          inner).map("".join)
        call = st.tuples(st.sampled_from(["tanh", "exp", "max", "min", "pow", "ln", "nope"]),
                         st.lists(inner, min_size=0, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})")
        return st.one_of(binary, tight, unary, call, inner.map(lambda x: f"({x})"))
    return st.recursive(_atoms, extend, max_leaves=12)


@st.composite
def expression_scripts(draw):
    head = ["a = 1.5", "b = -2.0", "c = 0.5", "x1 = 3.0", "y_2 = 0.25"]
    if draw(st.booleans()):
        head.append("e = 2.0")  # the file's own e: a name, not the constant
    body = [f"{draw(st.sampled_from(['r', 's', 'a', 'pi', 'if']))}{i} = {draw(_expressions())}"
            f"{draw(st.sampled_from(['', '  # note', ' ']))}"
            for i in range(draw(st.integers(1, 4)))]
    body.insert(draw(st.integers(0, len(body))), f"t = {draw(_expressions())}")
    indent = draw(st.sampled_from(["", "  "]))
    return "\n".join(head + [indent + line for line in body])


def _read_both_ways(text: str) -> tuple[tuple, tuple]:
    """What the fast readers and the ast path alone make of ``text``: the nodes (values as
    repr, so nan == nan), edges, lines, names and last name, or ``("error", message)``."""
    def run(fast: bool):
        parser = ExprParser(path="f.expr")
        if not fast:
            parser._fast = parser._fast_expr = lambda line, n: False
        try:
            parser.parse(text)
        except FormatError as exc:
            return ("error", str(exc))
        return ([(n, op, repr(v), a) for n, op, v, a in parser.nodes], parser.edges,
                parser.lines, parser.defined, parser.last)

    return run(True), run(False)


@given(expression_scripts())
def test_the_fast_expression_reader_makes_what_the_ast_path_makes(text):
    """Same nodes (ids, ops, values, order), edges, lines, names, or the same error."""
    fast, slow = _read_both_ways(text)
    assert fast == slow


def test_the_fast_expression_reader_takes_the_deep_chain_lines():
    """The lines of a deep chain go the fast way (no ast), with the ast path's ids."""
    parser = ExprParser(path="f.expr")
    parser._slow = None  # any line reaching the ast path fails this test
    parser.parse("w = 0.9\nb = 0.1\nh0 = 0.5\nh1 = tanh(h0 * w + b) + -h0 * 2 ** -1")
    assert [n[:3] for n in parser.nodes[3:]] == [
        ("mul#1", "mul", None), ("add#1", "add", None), ("tanh#1", "tanh", None),
        ("neg#1", "neg", None), ("const#1", "const", 2.0), ("const#2", "const", -1.0),
        ("pow#1", "pow", None), ("mul#2", "mul", None), ("h1", "add", None)]


_RENAMES = ["a", "b", "c", "x1", "y_2", "e", "pi", "q", "r0", "if", "tanh"]


@st.composite
def repeated_shape_scripts(draw):
    """One expression written on several lines with its names changed from line to line
    (to defined names, the constants pi and e, unknown names, names defined further down,
    keywords, function names), so that later lines meet a shape read before."""
    head = ["a = 1.5", "b = -2.0", "c = 0.5", "x1 = 3.0", "y_2 = 0.25"]
    if draw(st.booleans()):
        head.append("e = 2.0")
    expr = draw(_expressions())
    lines = []
    for i in range(draw(st.integers(2, 5))):
        renames = {old: draw(st.sampled_from(_RENAMES)) for old in ("a", "b", "c", "x1", "y_2")}
        text = re.sub(r"(?<![\w.])(a|b|c|x1|y_2)\b", lambda m, r=renames: r[m.group(1)], expr)
        lines.append(f"r{i} = {text}{draw(st.sampled_from(['', '  # note', ' ']))}")
    return "\n".join(head + lines)


@given(repeated_shape_scripts())
def test_lines_of_a_shape_read_before_make_what_the_ast_path_makes(text):
    """The quick way for a known shape (no tokens, no reader) agrees with ast too."""
    fast, slow = _read_both_ways(text)
    assert fast == slow


def _same_plans(a, b) -> bool:
    pa, pb = a.plan(), b.plan()
    return (pa.order == pb.order and pa.args == pb.args and pa.specs == pb.specs
            and repr(a.values_of(pa.leaf_names)) == repr(b.values_of(pb.leaf_names))
            and sorted(a.edges()) == sorted(b.edges()))


@given(st.one_of(expression_scripts(), repeated_shape_scripts()))
def test_parsed_rows_go_to_the_plan_as_from_parts_checks_them(text):
    """Graph.from_parsed (no checks: the reader's rows hold them by construction) builds the
    graph that from_parts (every rule checked) builds from the same rows."""
    parser = ExprParser(path="f.expr")
    try:
        parser.parse(text)
    except FormatError:
        return
    assert _same_plans(Graph.from_parsed(parser.nodes, parser.edges),
                       Graph.from_parts(parser.nodes, parser.edges))


def test_a_deep_chain_is_tokenized_once(monkeypatch):
    """Lines of one shape after the first are made without tokens or the reader, and with
    the same nodes as the first way."""
    import graphapp.formats.expr as expr_module
    from graphapp.generate import deep_chain_script

    calls = []
    tokenize = expr_module._tokenize
    monkeypatch.setattr(expr_module, "_tokenize", lambda line: calls.append(line) or
                        tokenize(line))
    text = deep_chain_script(40)
    quick = ExprParser(path="f.expr")
    quick.parse(text)
    assert [line for line in calls if line] == ["h1 = tanh(h0 * w + b) + h0 * c"]  # h2 … h40:
    # read from h1's shape
    slow = ExprParser(path="f.expr")
    slow._fast = slow._fast_expr = lambda line, n: False
    slow.parse(text)
    assert (quick.nodes, quick.edges, quick.lines) == (slow.nodes, slow.edges, slow.lines)


def _isomorphic(a: GraphFile, b: GraphFile) -> bool:
    def node_match(x, y):
        same_value = True
        if "value" in x or "value" in y:
            same_value = repr(x.get("value")) == repr(y.get("value"))
        return x["op"] == y["op"] and same_value

    return nx.is_isomorphic(a.graph.nx, b.graph.nx, node_match=node_match,
                            edge_match=lambda x, y: x == y)


@pytest.mark.parametrize("text", [
    MICROGRAD,
    "x = 3\ny = -x**2 + (-2.0)**x - neg(3) + x / (x - 1) - (x - (x - 1))\n",
    "x = 2\nt = x\nV = 4/3*pi*t*x*3\n",
    "x = [1.0, 2.0]\nW = [[1.0, 0.0], [0.5, 2.0]]\nL = sum(tanh(W @ x) ** 2) + max(0, mean(x))\n",
    "e = 2.0\ny = e * 2.718281828459045 + pi\n",
    "x = 1.5\ny = identity(x * 2)\nz = y\n",
])
def test_write_then_read_gives_the_same_graph(text):
    doc = parse_expr(text)
    again = parse_expr(write_expr(doc))
    assert _isomorphic(doc, again)
    assert again.output == doc.output
    for node in doc.graph:
        if "#" not in node:
            assert node in again.graph


def test_shared_generated_nodes_get_fresh_names(examples_dir):
    doc = parse_expr(MICROGRAD)
    g = doc.graph
    g.add_node("mul#9", "mul")  # a generated node used twice, as an editor can make
    g.connect("a", "mul#9", 0)
    g.connect("b", "mul#9", 1)
    g.add_node("out", "add")
    g.connect("mul#9", "out", 0)
    g.connect("mul#9", "out", 1)
    doc.output = "out"
    text = write_expr(doc)
    assert "t1 = a * b" in text and text.rstrip().endswith("out = t1 + t1")
    assert _isomorphic(doc, parse_expr(text))


@pytest.mark.parametrize("path", sorted(
    __import__("pathlib").Path(__file__).resolve().parents[2].joinpath(
        "resources", "examples").glob("*.expr")), ids=lambda p: p.name)
def test_examples_round_trip(path):
    doc = load_graph(path)
    assert doc.lesson, "every example states its lesson in a comment header"
    assert _isomorphic(doc, parse_expr(write_expr(doc)))


@pytest.mark.slow
def test_long_flat_expressions_need_no_recursion():
    """Regression: a sum of 400 terms hit Python's recursion limit in the parser."""
    doc = parse_expr("x = 1.0\ny = " + " + ".join(["x"] * 3000) + "\nz = " + "-" * 150 + "x")
    back = backward(doc.graph, "y")
    assert float(back.forward.values["y"]) == 3000.0 and float(back.grads["x"]) == 3000.0
    assert float(back.forward.values["z"]) == 1.0


def test_nesting_beyond_what_python_can_parse_is_a_clean_error():
    with pytest.raises(FormatError, match="nested too deeply") as err:
        parse_expr("x = 1.0\ny = " + "-" * 6000 + "x\n", "deep.expr")
    assert err.value.line == 2


@pytest.mark.slow
def test_writing_a_long_anonymous_chain_names_parts_of_it():
    """Regression: converting a 3,000-node chain of generated ids to .expr recursed too deep."""
    from graphapp.engine import Graph

    nodes = [("x", "input", 1.0, {})] + [(f"add#{i}", "add", None, {}) for i in range(3000)]
    edges = []
    for i in range(3000):
        edges += [("x" if i == 0 else f"add#{i - 1}", f"add#{i}", 0), ("x", f"add#{i}", 1)]
    doc = GraphFile(Graph.from_parts(nodes, edges), "add#2999")
    text = write_expr(doc)
    again = parse_expr(text)
    assert len(again.graph) == len(doc.graph)  # the same nodes, some of them named t1, t2…
    assert float(backward(again.graph, again.output).forward.values[again.output]) == 3001.0
    assert float(backward(again.graph, again.output).grads["x"]) == 3001.0


def test_lines_of_one_shape_are_read_once_and_named_by_their_own_names():
    """The reader's result is reused for every line of the same shape; each line's names (a
    name used twice included) and numbers land in the right slots, as the ast path has it."""
    text = ("a = 1.0\nb = 2.0\nc = 3.0\np = a * b + c\nq = c * a + b\nr = b * b + b\n"
            "s = tanh(r) * 2.0 - -q\nt = tanh(s) * 2.0 - -p\nu = tanh(t) * 3.0 - -p")

    def run(fast: bool):
        parser = ExprParser(path="f.expr")
        if not fast:
            parser._fast = parser._fast_expr = lambda line, n: False
        parser.parse(text)
        return parser.nodes, parser.edges, parser.lines, parser

    *fast, parser = run(True)
    *slow, _ = run(False)
    assert fast == slow
    assert len(parser._shapes) == 3  # p, q, r share one shape; s and t another; u its own
    edges = set(fast[1])
    assert {("c", "mul#2", 0), ("a", "mul#2", 1), ("b", "q", 1)} <= edges
    assert {("b", "mul#3", 0), ("b", "mul#3", 1), ("b", "r", 1)} <= edges
    assert ("neg#2", "t", 1) in edges and ("p", "neg#2", 0) in edges


@st.composite
def whole_scripts(draw):
    """Scripts of the shapes read whole (``v = 2.0``, ``v = a * b``, ``v = f(x)``,
    ``v = f(x, y)``, ``v = a``) with blank and comment lines (``# output:`` among them), LF or
    CRLF; and half of them with lines that must leave the script to the line-by-line reader:
    a name defined twice, used on or before its own line, never defined, a keyword, pi or e,
    an unknown function, a wrong count of arguments, a leading zero, an indented line, a
    longer expression."""
    faulty = draw(st.booleans())

    def pick(good: list[str], bad: list[str]) -> str:  # bad now and then: a fault or two
        return draw(st.sampled_from(bad if faulty and draw(st.integers(0, 9)) == 0 else good))

    lines = []
    for i in range(draw(st.integers(1, 10))):
        earlier = [f"v{k}" for k in range(i)] or ["pi"]  # (pi: line by line)

        def operand(earlier=earlier, i=i):
            return pick(earlier, ["pi", "e", "None", "q", f"v{i}", f"v{i + 1}"])

        name = pick([f"v{i}"] * 3, ["v0", "e", "if", "None", "relu", "x_1"])
        sp = draw(st.sampled_from(["", " ", "\t"]))
        kind = "num" if i == 0 else pick(["num", "bin", "bin", "call1", "call2", "copy",
                                           "blank", "comment"], ["odd"])
        if kind == "num":
            rhs = pick(["2.0", "-0.5", "3", "0", "1.5e-3", "-7.", "1.e999"], ["007", "1e3"])
        elif kind == "bin":
            rhs = f"{operand()}{sp}{draw(st.sampled_from(['+', '-', '*', '/', '**', '@']))}" \
                  f"{sp}{operand()}"
        elif kind == "call1":
            rhs = f"{pick(['tanh', 'exp', 'relu', 'ln', 'neg'], ['max', 'nope'])}" \
                  f"({sp}{operand()}{sp})"
        elif kind == "call2":
            rhs = f"{pick(['max', 'min', 'pow', 'add', 'mul'], ['tanh'])}" \
                  f"({sp}{operand()}{sp},{sp}{operand()}{sp})"
        elif kind == "copy":
            rhs = operand()
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", " ", "\t "])))
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# a note", "  # output: v0", "# output: v1",
                                               "#output:v2  ", "# output: nowhere"])))
        elif kind == "odd":
            lines.append(draw(st.sampled_from([f"  v{i} = 1.0", f"v{i} = [1.0, 2.0]",
                                               f"v{i} = v0 * v0 + 1.0", f"v{i} == 1.0",
                                               f"v{i} = relu(v0", f"v{i} = v0)",
                                               f"v{i} = tanh(v0) * v0", f"v{i} = v0, v0",
                                               f"v{i} = (v0)", f"v{i} = relu (v0)"])))
        else:
            lines.append(f"{name}{sp}={sp}{rhs}{draw(st.sampled_from(['', '  # note', ' ']))}")
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n"]))


def _read_fully(text: str, whole: bool, monkeypatch) -> tuple:
    """What ``parse_expr`` makes of ``text`` (reading it whole where it can, or line by line
    only): every node with its op and value (as repr), the edges, the plan, the lines, the
    output, the lesson; or ``("error", message)``."""
    import graphapp.formats.expr as expr_module

    with monkeypatch.context() as m:
        if not whole:
            m.setattr(expr_module, "_read_columns", lambda text: None)
        try:
            doc = parse_expr(text, "f.expr")
        except FormatError as exc:
            return ("error", str(exc))
    g, plan = doc.graph, doc.graph.plan()
    return (list(g), [g.op(n).name for n in g], [repr(v) for v in g.values_of(plan.leaf_names)],
            plan.order, [list(a) for a in plan.args], [s.name for s in plan.specs],
            sorted(g.edges()), {n: repr(g.nx.nodes[n]) for n in g}, doc.lines, doc.output,
            doc.lesson)


@given(whole_scripts(), st.sampled_from([1, 2, 9, 30, 1 << 16]))
def test_a_script_read_whole_gives_what_line_by_line_gives(text, piece):
    """Read in whole columns (one regular expression over the file, searched in pieces of
    ``piece`` characters or more, up to a line's end) or line by line, a script gives the
    same graph, plan, lines and output, or the same error."""
    import graphapp.formats.expr as expr_module

    taken = expr_module._read_columns(text) is not None  # searched at once
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(expr_module, "_PIECE", piece)
        assert (expr_module._read_columns(text) is not None) == taken  # the same, in pieces
        assert _read_fully(text, True, monkeypatch) == _read_fully(text, False, monkeypatch)


def test_large_generated_files_are_read_whole():
    """The wide random graph of ``graphapp bench`` and the micrograd example go the whole
    way (the fast way for large files), to the same graph as line by line."""
    from graphapp.formats.expr import _read_columns
    from graphapp.generate import random_scalar_graph

    g, out, _ = random_scalar_graph(2_000, seed=1, ops=("add", "sub", "mul", "relu", "tanh"))
    for text in (write_expr(GraphFile(g, out)), "# a lesson\n\n" + MICROGRAD):
        assert _read_columns(text) is not None
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert _read_fully(text, True, monkeypatch) == _read_fully(text, False,
                                                                       monkeypatch)


@pytest.mark.parametrize("line", [
    "y = y * a",        # used on its own line
    "y = a * z",        # used before the line defining it (z, below)
    "a = 2.0",          # defined twice
    "if = a * a",       # a keyword
    "y = a * pi",       # a constant: line by line
    "y = nope(a)",      # an unknown function
    "y = max(a)",       # a wrong count of arguments
    "y = tanh(a, a)",
    "y = 007",          # a leading zero (Python refuses it)
    "  y = a * a",      # indented
])
def test_a_script_with_one_line_read_whole_would_get_wrong_goes_line_by_line(line):
    """Each fault of a line that the whole read would otherwise take sends the script line
    by line, which reads it as it always did (or says what is wrong)."""
    from graphapp.formats.expr import _read_columns

    text = f"a = 2.0\n{line}\nz = a + a\n"
    assert _read_columns(text) is None
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _read_fully(text, True, monkeypatch) == _read_fully(text, False, monkeypatch)


@st.composite
def near_statements(draw):
    """Statements of the fast shapes, and the same with one character dropped or added."""
    sp = st.sampled_from(["", " ", "\t"])
    operand = st.sampled_from(["a", "b1", "_c"])
    rhs = draw(st.one_of(
        st.sampled_from(["2.0", "-1.5e3", "0", "7", "007", "1.", ".5"]), operand,
        st.builds("{}{}{}{}{}".format, operand, sp, st.sampled_from(["+", "*", "**", "//"]),
                  sp, operand),
        st.builds("tanh({}{}{})".format, sp, operand, sp),
        st.builds("max({}{}{},{}{}{})".format, sp, operand, sp, sp, operand, sp),
        st.builds("{}({}{}{}{})".format, st.sampled_from(["tanh", "max"]), operand, sp,
                  st.sampled_from([",", "*", "+ "]), operand)))
    tail = draw(st.sampled_from(["", " ", "  # c", "#", "\r"]))
    line = f"y{draw(sp)}={draw(sp)}{rhs}{tail}"
    k = draw(st.integers(0, len(line)))
    change = draw(st.sampled_from(["", "drop", "add"]))
    if change == "drop" and k < len(line):
        line = line[:k] + line[k + 1:]
    elif change == "add":
        line = line[:k] + draw(st.sampled_from(list("(),*= #a1.-\t"))) + line[k:]
    return line


@settings(max_examples=1000)  # two regular expressions on one short line: cheap
@given(near_statements())
def test_the_whole_script_pattern_takes_the_lines_the_line_pattern_takes(line):
    """One line is a statement of the whole-script pattern exactly when the line-by-line
    fast path's pattern takes it, with the same name, number, operands and operator."""
    from graphapp.formats.expr import _FAST, _FAST_SCRIPT

    one = _FAST.match(line)
    whole = _FAST_SCRIPT.fullmatch(line)
    assert (one is not None) == (whole is not None and whole.group(1) is not None)
    if one is not None:
        name, number, a, token, b, func, x, y, src = one.groups(default="")
        assert whole.groups(default="")[:6] == (name, number, func, a + x + src, token, b + y)
