"""``.expr`` graph scripts: a graph typed as text, one statement per line.

::

    # the micrograd example            <- the comment header is the lesson
    a = 2.0                            <- NAME = NUMBER or [nested list]: an input
    t = a                              <- NAME = OTHER_NAME: an identity node (a constraint)
    L = (a * -3.0 + 10.0) * t          <- NAME = EXPRESSION: a computed node called L

Each line is parsed with :mod:`ast` and checked against a whitelist (numbers, names, the
operators ``+ - * / ** @``, unary minus, and calls to the op table's functions); nothing is ever
evaluated. Sub-expressions get ids such as ``mul#2`` that cannot clash with user names; literals
inside expressions become ``const`` nodes. ``pi`` and ``e`` are constants unless the file defines
them (the micrograd example defines ``e``). The last statement is the output, unless a comment
``# output: NAME`` names another. A comment ``# quiz: gradients`` (or ``locals``, optionally
followed by the items and answers) sets a quiz, see :mod:`graphapp.formats.quiz`.

Lines of the most common shapes (``x = 2.0``, ``y = a * b``, ``z = tanh(y)``) are matched by a
regular expression first, which is several times faster than building an ``ast`` for them;
other lines of names, numbers, ``+ - * / ** @``, brackets and calls are read by a small
precedence parser with Python's rules (:class:`_Reader`), which makes exactly the nodes the
``ast`` path makes, about five times faster. A line neither fast path fully understands (an
error, a list, an unknown name) goes through ``ast`` and gets its precise errors. A script
made only of lines of the most common shapes, blank lines and comments (what a program
writes: ``graphapp bench``'s 100k-node graphs) is read whole, by one regular expression over
the text and a few passes over its columns, straight to the graph's plan; any other script,
or one with any fault, is read line by line.
"""

from __future__ import annotations

import ast
import gc
import keyword
import math
import re
import sys
import warnings
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import add, lt, not_
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from graphapp.engine import Graph
from graphapp.engine.lazy_numpy import np
from graphapp.engine.ops import OPS, OpSpec, function_ops, infix_op
from graphapp.formats.document import GraphFile
from graphapp.formats.errors import FormatError
from graphapp.formats.header import (
    Directive,
    directives,
    is_directive,
    prompt_lines,
    prompts_of,
)
from graphapp.formats.notation import short_name

if TYPE_CHECKING:
    from graphapp.formats.quiz import Quiz

__all__ = ["ExprParser", "parse_expr", "unfinished", "write_expr"]

_CONSTANTS = {"pi": math.pi, "e": math.e}
_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
                            ast.Pow: "**", ast.MatMult: "@"}

# Fast path. Numbers here are a strict subset of Python's float literals; names must be
# identifiers already defined; anything else falls through to the ast path.
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
# (Whole numbers of more than 300 digits go the slow way, to be refused as too large.)
_NUM = r"-?(?:[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|[1-9][0-9]{0,299}|0)"
_TAIL = r"[ \t]*(?:#.*)?\r?$"
_FAST = re.compile(
    rf"({_ID})[ \t]*=[ \t]*(?:({_NUM})|({_ID})[ \t]*(\*\*|[-+*/@])[ \t]*({_ID})|"
    rf"({_ID})\([ \t]*({_ID})[ \t]*(?:,[ \t]*({_ID})[ \t]*)?\)|({_ID})){_TAIL}")
_INFIX = {token: infix_op(token, 2).name for token in ("+", "-", "*", "/", "**", "@")}
#: A whole script of lines :data:`_FAST` reads (the same lines), blank lines and comment
#: lines, one match per line (:func:`_read_columns`). Its groups: name, number, function,
#: first operand, operator, second operand (after the operator or the comma), comment line.
#: One group per operand, whichever the shape, saves passes over the columns.
_FAST_SCRIPT = re.compile(
    rf"^(?:({_ID})[ \t]*=[ \t]*(?:({_NUM})|(?:({_ID})\([ \t]*)?({_ID})"
    rf"(?:(?(3)[ \t]*,|[ \t]*(\*\*|[-+*/@]))[ \t]*({_ID}))?(?(3)[ \t]*\))){_TAIL}"
    rf"|[ \t]*(#.*)?\r?$)", re.MULTILINE)
_EMPTY_LINE = ("",) * 7  # what _FAST_SCRIPT finds on a blank line
_PIECE = 1 << 16  # characters searched at a time (a few thousand lines)
_KEYWORDS = frozenset(keyword.kwlist)
_NO_ATTRS = MappingProxyType({})  # shared by every parsed node: .expr has no attributes
_OUTPUT_DIRECTIVE = re.compile(r"#\s*output:\s*(\S+)\s*$")
_LONG_INT = re.compile(r"[0-9]{4000,}")
_TOO_LARGE = "number too large for a float (beyond ±1.8e308; write 1e999 for infinity)"
_LHS = re.compile(r"^[ \t]*([^\W\d]\w*)[ \t]*=(?!=)", re.MULTILINE)


@dataclass
class _Spans:
    """Where the current line sits, to turn ast offsets into file columns."""

    line_no: int
    text: str
    indent: int


@dataclass
class ExprParser:
    """Turns ``.expr`` statements into graph nodes and edges.

    ``existing`` names nodes already in a graph that statements may refer to (the editor's
    expression bar); ``taken`` holds ids that generated ids must avoid.
    """

    path: str = "<text>"
    existing: Container[str] = ()
    taken: Container[str] = ()
    #: When set, an unknown name becomes a new input with this value instead of an error
    #: (the editor's expression bar: typing ``L = a * b`` on an empty canvas makes a and b).
    auto_input: float | None = None
    #: When True a statement may define a name in ``existing`` again (the editor updates it).
    redefine: bool = False
    #: (id, op, value, attrs) rows and (src, dst, slot) edges, in the order they were made.
    nodes: list[tuple[str, str, Any, Mapping[str, Any]]] = field(default_factory=list)
    edges: list[tuple[str, str, int]] = field(default_factory=list)
    #: User names defined so far, with their line numbers.
    defined: dict[str, int] = field(default_factory=dict)
    #: The line of every node made (generated sub-expressions too).
    lines: dict[str, int] = field(default_factory=dict)
    last: str | None = None
    output_directive: str | None = None
    _user_names: set[str] = field(default_factory=set)
    _counters: dict[str, int] = field(default_factory=dict)
    _funcs: dict[str, OpSpec] = field(default_factory=function_ops)
    _span: _Spans | None = None
    #: What the fast reader made of each line shape: ``(root, records)``, ``None`` if not its.
    _shapes: dict[tuple[str, ...], Any] = field(default_factory=dict)
    #: The same reads by a line's text with its defined names blanked out (``_quick_key``),
    #: found without tokenizing: ``(root, records)`` of lines the reader accepted.
    _quick: dict[str, Any] = field(default_factory=dict)

    # ----------------------------------------------------------------- driving
    def declare(self, text: str) -> None:
        """Note the names ``text`` defines, so that ``pi`` or ``e`` there mean the user's."""
        self._user_names.update(_LHS.findall(text))
        self._shapes.clear()  # pi or e may read differently now
        self._quick.clear()

    def parse(self, text: str) -> None:
        """Parse a whole script (several lines)."""
        self.declare(text)
        fast, fast_expr, statement = self._fast, self._fast_expr, self.statement
        for number, line in enumerate(text.split("\n"), start=1):
            if not (fast(line, number) or fast_expr(line, number)):
                statement(line, number)

    def statement(self, raw: str, line_no: int) -> str | None:
        """Parse one line; return the name it defines (``None`` for blank or comment lines)."""
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if not stripped:
            return None
        if stripped.startswith("#"):
            m = _OUTPUT_DIRECTIVE.match(stripped)
            if m:
                self.output_directive = m.group(1)
            return None
        if self._fast(line, line_no) or self._fast_expr(line, line_no):
            return self.last
        indent = len(line) - len(line.lstrip())
        self._span = _Spans(line_no, line, indent)
        self._slow(line.strip())
        return self.last

    # ----------------------------------------------------------------- fast path
    def _fast(self, line: str, line_no: int) -> bool:
        """Handle a line of a common shape without ast; False sends it down the ast path."""
        m = _FAST.match(line)
        if m is None:
            return False
        name, number, a, token, b, func, x, y, src = m.groups()
        defined, existing = self.defined, self.existing
        if name in defined or name in existing or name in _KEYWORDS:
            return False
        if number is not None:
            self.nodes.append((name, "input", float(number), _NO_ATTRS))
        elif token is not None:
            if not ((a in defined or a in existing) and (b in defined or b in existing)):
                return False
            self.nodes.append((name, _INFIX[token], None, _NO_ATTRS))
            self.edges.append((a, name, 0))
            self.edges.append((b, name, 1))
        elif func is not None:
            spec = self._funcs.get(func)
            if spec is None or spec.arity != (1 if y is None else 2):
                return False
            if not (x in defined or x in existing):
                return False
            if y is not None and not (y in defined or y in existing):
                return False
            self.nodes.append((name, spec.name, None, _NO_ATTRS))
            self.edges.append((x, name, 0))
            if y is not None:
                self.edges.append((y, name, 1))
        else:
            if not (src in defined or src in existing):
                return False
            self.nodes.append((name, "identity", None, _NO_ATTRS))
            self.edges.append((src, name, 0))
        defined[name] = line_no
        self.lines[name] = line_no
        self.last = name
        return True

    def _fast_expr(self, line: str, line_no: int) -> bool:
        """Handle ``NAME = EXPRESSION`` of names already defined, numbers, ``+ - * / ** @``,
        brackets and calls without ast, making the same nodes in the same order; False sends
        it down the ast path (errors, lists, unknown names, anything unusual)."""
        if self.auto_input is not None:
            return False
        defined, existing = self.defined, self.existing
        quick = _QUICK_LINE.fullmatch(line)
        if quick is not None:  # a line of a shape read before: no tokens, no reader
            name, rhs = quick.groups()
            read = self._quick.get(_NAME_OPERAND.sub("\0", rhs))
            if read is not None and not (name in defined or name in existing or
                                         name in _KEYWORDS):
                names = _NAME_OPERAND.findall(rhs)
                if all(map(defined.__contains__, names)) if not existing else all(
                        n in defined or n in existing for n in names):
                    return self._make_read(name, names, read, line_no)
        tokens = _tokenize(line)
        if tokens is None or len(tokens) < 4 or tokens[1] != "=":
            return False
        name = tokens[0]
        if not _IDENT.match(name) or name in defined or name in existing or \
                name in _KEYWORDS:
            return False
        # The line's shape: its tokens with each defined name (not a call) as a placeholder.
        # Lines of one shape read the same way, so the reader runs once per shape.
        names: list[str] = []
        shape = []
        for k in range(2, len(tokens) - 1):
            token = tokens[k]
            if (token in defined or token in existing) and tokens[k + 1] != "(":
                shape.append(_PLACEHOLDERS[len(names)] if len(names) < _MAX_NAMES else token)
                names.append(token)
            else:
                shape.append(token)
        key = tuple(shape)
        read = self._shapes.get(key, _UNREAD)
        if read is _UNREAD:
            reader = _Reader(["", "=", *shape, ""], self)
            root = reader.read()
            read = None if root is None else (root, _template(reader.records))
            if len(self._shapes) < _MAX_SHAPES:
                self._shapes[key] = read
        if read is None:
            return False
        if (quick is not None and len(names) <= _MAX_NAMES and len(self._quick) < _MAX_SHAPES
                and quick.group(1) == name and _NAME_OPERAND.findall(quick.group(2)) == names):
            # every name the quick key blanks out is a placeholder here, in the same order
            self._quick[_NAME_OPERAND.sub("\0", quick.group(2))] = read
        return self._make_read(name, names, read, line_no)

    def _make_read(self, name: str, names: list[str], read: tuple[Any, list[tuple]],
                   line_no: int) -> bool:
        """Make the nodes of ``NAME = EXPRESSION`` from the reader's ``(root, records)`` for
        its shape, ``names`` being the line's defined names in order."""
        root, records = read
        if type(root) is float:  # NAME = number (signs and pi/e folded): an input
            self._add(name, "input", root, line_no)
            return True
        if type(root) is str:  # NAME = OTHER (in brackets, or with a unary plus)
            self._add(name, "identity", None, line_no)
            self.edges.append((_named(root, names), name, 0))
            return True
        ids: list[str] = []
        last = len(records) - 1
        nodes, edges, lines = self.nodes, self.edges, self.lines
        counters, fresh = self._counters, not self.taken
        for k, (op, value, inputs) in enumerate(records):
            if k == last:
                node_id = name
            elif fresh:  # no ids to avoid (a whole file): the next number is free
                n = counters.get(op, 0) + 1
                counters[op] = n
                node_id = f"{op}#{n}"
            else:
                node_id = self._generated_id(op)
            ids.append(node_id)
            nodes.append((node_id, op, value, _NO_ATTRS))
            lines[node_id] = line_no
            for slot, (from_names, src) in enumerate(inputs):
                edges.append((names[src] if from_names else ids[src] if from_names is not None
                              else src, node_id, slot))
        self.defined[name] = line_no
        self.last = name
        return True

    # ----------------------------------------------------------------- ast path
    def _slow(self, text: str) -> None:
        limit = sys.getrecursionlimit()
        try:
            # ast turns a long sum a + b + … into nested nodes, one level per term, and
            # counts those levels against the recursion limit: allow long lines.
            sys.setrecursionlimit(max(limit, AST_DEPTH))
            with warnings.catch_warnings():
                # Python's SyntaxWarnings (`1if x`) and DeprecationWarnings (bad escapes)
                # become errors at their column instead of noise on stderr.
                warnings.simplefilter("error")
                tree = ast.parse(text, mode="exec")
        except (RecursionError, MemoryError):
            raise FormatError("the expression is nested too deeply to read; split it over "
                              "several lines with names", self.path, self._span.line_no,
                              1 + self._span.indent) from None
        except SyntaxError as exc:
            col = (exc.offset or 1) + self._span.indent
            msg = exc.msg
            if msg.startswith("invalid syntax"):
                msg = "invalid syntax: expected NAME = EXPRESSION"
            elif msg == "too many nested parentheses":  # Python's parser stops at 200
                msg = "brackets or parentheses nested too deeply (more than 200 levels)"
            elif msg.startswith("Exceeds the limit"):  # Python's int-conversion limit
                digits = _LONG_INT.search(text)
                col = (digits.start() if digits else 0) + 1 + self._span.indent
                msg = _TOO_LARGE
            raise FormatError(msg, self.path, self._span.line_no, col) from None
        finally:
            sys.setrecursionlimit(limit)
        body = tree.body
        if len(body) != 1:
            self._fail(body[1] if body else None, "one statement per line")
        stmt = body[0]
        if not isinstance(stmt, ast.Assign):
            self._fail(stmt, "expected NAME = EXPRESSION")
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            self._fail(stmt, "the left side must be a single name (NAME = EXPRESSION)")
        name = stmt.targets[0].id
        if name in self.defined:
            self._fail(stmt.targets[0],
                       f"{name!r} is already defined on line {self.defined[name]}")
        if name in self.existing and not self.redefine:
            self._fail(stmt.targets[0], f"{name!r} is already a node")
        value = stmt.value
        literal = self._literal(value)
        if literal is not None:
            self._add(name, "input", literal, self._span.line_no)
            return
        while isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.UAdd):
            value = value.operand
        if isinstance(value, ast.Name):
            src = self._expr(value)
            self._add(name, "identity", None, self._span.line_no)
            self.edges.append((src, name, 0))
            return
        self._expr(value, name=name)
        self.defined[name] = self._span.line_no
        self.last = name

    def _expr(self, root: ast.expr, name: str | None = None) -> str:
        """Make the nodes for ``root``; return the id of its top node (called ``name``).

        Iterative, children before parents, so that ``x + x + … + x`` of any length works
        (a recursive walk fails at Python's recursion limit, a few hundred terms deep).
        """
        done: list[str] = []  # ids of finished sub-expressions, in order
        work: list[tuple[ast.expr, str | None, tuple[str, int] | None]] = [(root, name, None)]
        while work:
            node, node_name, pending = work.pop()
            if pending is not None:  # its inputs are made: make the node itself
                op, arity = pending
                inputs = done[len(done) - arity:]
                del done[len(done) - arity:]
                done.append(self._make(op, inputs, name=node_name))
                continue
            if isinstance(node, ast.Name):
                done.append(self._name(node))
                continue
            literal = self._literal(node)
            if literal is not None:
                done.append(self._make("const", [], value=literal, name=node_name))
                continue
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
                work.append((node.operand, node_name, None))
                continue
            op, children = self._op_of(node)
            work.append((node, node_name, (op, len(children))))
            work.extend((child, None, None) for child in reversed(children))
        return done[-1]

    def _op_of(self, node: ast.expr) -> tuple[str, list[ast.expr]]:
        """The op an operator or call stands for, and its operands; errors for the rest."""
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return "neg", [node.operand]
            self._fail(node, "only unary minus and plus are allowed")
        if isinstance(node, ast.BinOp):
            token = _BINOPS.get(type(node.op))
            spec = infix_op(token, 2) if token else None
            if spec is None:
                self._fail(node, f"operator {type(node.op).__name__} is not supported; "
                                 "use + - * / ** @")
            return spec.name, [node.left, node.right]
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                self._fail(node, "only calls of functions by name are allowed, such as tanh(x)")
            func = node.func.id
            spec = self._funcs.get(func)
            if spec is None:
                import difflib  # only for a message (start-up time)

                close = difflib.get_close_matches(func, list(self._funcs), n=2)
                hint = ("; did you mean " + " or ".join(f"{c}()" for c in close) + "?"
                        if close else f"; functions: {', '.join(sorted(self._funcs))}")
                self._fail(node.func, f"unknown function {func!r}{hint}")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                self._fail(node, f"{func}() takes plain positional arguments")
            if len(node.args) != spec.arity:
                plural = "argument" if spec.arity == 1 else "arguments"
                self._fail(node, f"{func}() takes {spec.arity} {plural}, got {len(node.args)}")
            return spec.name, list(node.args)
        kind = type(node).__name__
        if isinstance(node, ast.Constant):
            self._fail(node, f"{node.value!r} is not a number")
        if isinstance(node, ast.Compare):
            self._fail(node, "comparisons are not supported")
        self._fail(node, f"{kind} is not allowed here; use numbers, names, + - * / ** @ and "
                         "functions such as tanh(x)")
        raise AssertionError  # _fail raised

    def _make(self, op: str, inputs: list[str], value: Any = None,
              name: str | None = None) -> str:
        node_id = name if name is not None else self._generated_id(op)
        self.nodes.append((node_id, op, value, _NO_ATTRS))
        self.lines[node_id] = self._span.line_no
        self.edges.extend((src, node_id, slot) for slot, src in enumerate(inputs))
        return node_id

    def _name(self, node: ast.Name) -> str:
        ident = node.id
        if ident in self.defined or ident in self.existing:
            return ident
        if ident in _CONSTANTS and ident not in self._user_names:
            return self._make("const", [], value=_CONSTANTS[ident])
        if ident in self._user_names:
            self._fail(node, f"{ident!r} is used before it is defined")
        if self.auto_input is not None and ident not in _CONSTANTS:
            self._add(ident, "input", self.auto_input, self._span.line_no)
            return ident
        import difflib  # only for a message (start-up time)

        close = difflib.get_close_matches(ident, [*self.defined, *_CONSTANTS], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self._fail(node, f"unknown name {ident!r}{hint}")
        raise AssertionError

    def _literal(self, node: ast.expr) -> Any:
        """The number or nested list ``node`` spells, or ``None`` if it is not a literal."""
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, int | float):
                return None
            try:
                return float(v)
            except OverflowError:
                self._fail(node, _TOO_LARGE)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign = 1.0
            while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
                sign = -sign if isinstance(node.op, ast.USub) else sign
                node = node.operand
            inner = self._literal(node)
            if inner is None or isinstance(inner, list):
                return None
            return sign * inner
        if isinstance(node, ast.Name) and node.id in _CONSTANTS and (
                node.id not in self._user_names and node.id not in self.existing):
            return _CONSTANTS[node.id]
        if isinstance(node, ast.List):
            items = []
            for item in node.elts:
                v = self._literal(item)
                if v is None:
                    self._fail(item, "a list may hold only numbers (or lists of numbers)")
                items.append(v)
            if not items:
                self._fail(node, "an empty list is not a value")
            try:
                np.array(items, dtype=np.float64)
            except ValueError:
                self._fail(node, "the nested lists must be rectangular (all rows the same "
                                 "length)")
            return items
        return None

    # ----------------------------------------------------------------- helpers
    def _add(self, name: str, op: str, value: Any, line_no: int) -> None:
        self.nodes.append((name, op, value, _NO_ATTRS))
        self.lines[name] = line_no
        self.defined[name] = line_no
        self.last = name

    def _generated_id(self, op: str) -> str:
        k = self._counters.get(op, 0)
        while True:
            k += 1
            candidate = f"{op}#{k}"
            if candidate not in self.taken:
                break
        self._counters[op] = k
        return candidate

    def _fail(self, node: ast.AST | None, message: str) -> None:
        span = self._span
        col = 1
        if node is not None and hasattr(node, "col_offset"):
            # ast columns count UTF-8 bytes; count characters instead.
            text = span.text.strip()
            col = len(text.encode()[: node.col_offset].decode(errors="ignore")) + 1
        raise FormatError(message, self.path, span.line_no, col + span.indent)


_TOKEN = re.compile(r"[0-9]+\.?[0-9]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?"
                    r"|[A-Za-z_][A-Za-z0-9_]*|\*\*|[-+*/@(),=]")
#: What a line the fast reader takes may hold (before a comment): anything else, the ast path.
_READABLE = re.compile(r"[A-Za-z0-9_ \t.+\-*/@(),=]*")
#: A decimal integer with a leading zero (a SyntaxError), or of 300+ digits (refused).
_BAD_INTEGER = re.compile(r"(?<![A-Za-z0-9_.])(?:0+[1-9][0-9]*|[0-9]{301,})(?![0-9.eE])")
_IDENT = re.compile(r"[A-Za-z_]")
#: ``NAME = EXPRESSION`` of the characters the fast reader takes, without a comment.
_QUICK_LINE = re.compile(r"[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)"
                         r"([A-Za-z0-9_ \t.+\-*/@(),]*)")
#: A name used as an operand (not a call, not the exponent or tail of a number).
_NAME_OPERAND = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*"
                           r"(?![A-Za-z0-9_]|[ \t]*\()")
#: Brackets and unary signs nested deeper than this go the ast way (which has its own limits).
_READER_DEPTH = 50


def _tokenize(line: str) -> list[str] | None:
    """Numbers, ASCII names and operators up to a comment, then an empty end marker; ``None``
    for anything else (including integers Python refuses or finds too large: ``012``, 300+
    digits)."""
    end = _READABLE.match(line).end()
    if end < len(line) and line[end] != "#" and line[end:] != "\r":
        return None
    text = line[:end]
    if _BAD_INTEGER.search(text):
        return None
    tokens = _TOKEN.findall(text)
    if sum(map(len, tokens)) != len(text) - text.count(" ") - text.count("\t"):
        return None  # a character no token took (a stray ".")
    tokens.append("")
    return tokens


#: Placeholders for the defined names of a line, in a line's shape (never a token: a token is
#: ASCII text); a line with more names than this keeps the rest as they are.
_MAX_NAMES = 64
_PLACEHOLDERS = tuple(f"\0{k}" for k in range(_MAX_NAMES))
#: Shapes remembered per parser (lines with numbers of their own each have a shape).
_MAX_SHAPES = 4096
_UNREAD = object()


def _template(records: list[tuple[str, float | None, list[str | int]]]) -> list[tuple]:
    """Records with each input as ``(True, k)`` (the line's k-th defined name), ``(False, k)``
    (record k) or ``(None, name)`` (a name kept as it is), ready to instantiate per line."""
    return [(op, value, [(True, int(src[1:])) if type(src) is str and src[0] == "\0" else
                         (None, src) if type(src) is str else (False, src) for src in inputs])
            for op, value, inputs in records]


def _named(operand: str, names: list[str]) -> str:
    """The name a placeholder stands for in this line (a name kept as it is, itself)."""
    return names[int(operand[1:])] if operand[0] == "\0" else operand


class _NotMine(Exception):
    """A line the fast expression reader leaves to the ast path."""


class _Reader:
    """Python's precedence over tokens (``+ -`` < ``* / @`` < unary ``+ -`` < ``**``, which is
    right-associative and takes a signed right operand), making node records as it reduces,
    which is the order the ast path makes nodes in (children before parents, left to right).

    An operand is a float (a number: signs over a number or pi/e fold into it, as in
    ``ExprParser._literal``), a str (a name already defined) or an int (a record). A number
    becomes a ``const`` record only once something uses it. :meth:`read` gives the root, or
    ``None`` for anything it does not accept."""

    def __init__(self, tokens: list[str], parser: ExprParser) -> None:
        self.toks = tokens
        self.pos = 2  # after NAME =
        self.parser = parser
        self.depth = 0
        #: (op, value, inputs) per node to make, inputs being names or record indices.
        self.records: list[tuple[str, float | None, list[str | int]]] = []

    def read(self) -> float | str | int | None:
        try:
            root = self.sum()
        except _NotMine:
            return None
        return root if self.toks[self.pos] == "" else None

    def operand(self, x: float | str | int) -> str | int:
        """``x`` as an input: a number becomes a const record here."""
        if type(x) is float:
            self.records.append(("const", x, []))
            return len(self.records) - 1
        return x

    def node(self, op: str, inputs: list[str | int]) -> int:
        self.records.append((op, None, inputs))
        return len(self.records) - 1

    def sum(self) -> float | str | int:
        left = self.product()
        toks = self.toks
        while (op := toks[self.pos]) == "+" or op == "-":
            self.pos += 1
            a = self.operand(left)
            left = self.node(_INFIX[op], [a, self.operand(self.product())])
        return left

    def product(self) -> float | str | int:
        left = self.factor()
        toks = self.toks
        while (op := toks[self.pos]) == "*" or op == "/" or op == "@":
            self.pos += 1
            a = self.operand(left)
            left = self.node(_INFIX[op], [a, self.operand(self.factor())])
        return left

    def factor(self) -> float | str | int:
        op = self.toks[self.pos]
        if op == "-" or op == "+":
            self.pos += 1
            self.enter()
            inner = self.factor()
            self.depth -= 1
            if op == "+" or type(inner) is float:
                return -inner if op == "-" else inner
            return self.node("neg", [inner])
        base = self.atom()
        if self.toks[self.pos] == "**":
            self.pos += 1
            a = self.operand(base)
            self.enter()
            exponent = self.factor()
            self.depth -= 1
            return self.node("pow", [a, self.operand(exponent)])
        return base

    def atom(self) -> float | str | int:
        text = self.toks[self.pos]
        self.pos += 1
        first = text[:1]
        if first.isdigit() or first == ".":
            return float(text)
        if text == "(":
            self.enter()
            inner = self.sum()
            self.depth -= 1
            self.expect(")")
            return inner
        if first == "\0":
            return text  # a defined name, as a placeholder in a line's shape
        if not (first.isalpha() or first == "_") or text in _KEYWORDS:
            raise _NotMine
        if self.toks[self.pos] == "(":
            return self.call(text)
        p = self.parser
        if text in p.defined or text in p.existing:
            return text
        if text in _CONSTANTS and text not in p._user_names:
            return _CONSTANTS[text]
        raise _NotMine  # unknown, or used before it is defined: the ast path says which

    def call(self, func: str) -> int:
        spec = self.parser._funcs.get(func)
        if spec is None:
            raise _NotMine
        self.pos += 1  # (
        self.enter()
        args = [self.operand(self.sum())]
        while self.toks[self.pos] == ",":
            self.pos += 1
            args.append(self.operand(self.sum()))
        self.depth -= 1
        self.expect(")")
        if len(args) != spec.arity:
            raise _NotMine
        return self.node(spec.name, args)

    def expect(self, text: str) -> None:
        if self.toks[self.pos] != text:
            raise _NotMine
        self.pos += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _READER_DEPTH:
            raise _NotMine


def parse_expr(text: str, path: str = "<text>") -> GraphFile:
    """Parse ``.expr`` text into a graph; raise :class:`FormatError` pointing at the line."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # parsing allocates many small acyclic objects; collecting them is wasted time
    try:
        columns = _read_columns(text)
        if columns is None:  # line by line
            parser = ExprParser(path=path)
            parser.parse(text)
    finally:
        if gc_was_enabled:
            gc.enable()
    if columns is None:
        last, output_directive, lines = parser.last, parser.output_directive, parser.lines
        defined: Container[str] = parser.defined
    else:
        last = columns.ids[-1] if columns.ids else None
        output_directive, lines = columns.output_directive, columns.lines
        defined = columns.position
    if last is None:
        raise FormatError("no statements: write lines such as `x = 2.0` and `y = x * x`", path)
    output = last
    if output_directive is not None:
        output = output_directive
        if output not in defined:
            line = _directive_line(text)
            raise FormatError(f"# output: names {output!r}, which is not defined", path, line)
    found = directives(text)
    prompts = prompts_of(found, path)
    if columns is None:
        graph = Graph.from_parsed(parser.nodes, parser.edges)  # checked as it was read
    else:
        graph = Graph.from_columns(columns.ids, columns.ops, columns.leaf_values, columns.args,
                                   columns.position)
    quiz = _read_quiz([d for d in found if d.kind == "quiz"], graph, path)
    return GraphFile(graph, output, lesson_of(text), lines=lines, prompts=prompts, quiz=quiz)


@dataclass(frozen=True)
class _Columns:
    """A script read whole by :func:`_read_columns`: one entry per statement, in file order."""

    ids: list[str]
    ops: list[str]
    #: The inputs' values.
    leaf_values: dict[str, float]
    #: Each node's inputs by slot, as rows (indices into ``ids``).
    args: list[tuple[int, ...]]
    #: ``{id: row}``.
    position: dict[str, int]
    #: ``{id: line}``.
    lines: dict[str, int]
    #: The node a ``# output:`` comment names (the last such comment).
    output_directive: str | None


def _read_columns(text: str) -> _Columns | None:
    """Read a script whose every line is blank, a comment or of the shapes
    :meth:`ExprParser._fast` reads (``x = 2.0``, ``y = a * b``, ``z = tanh(y)``, ``t = y``),
    in whole-column steps: one ``findall`` and a few passes over its columns, no call per
    line, and every name looked up once (line by line, and again to make the plan, took two
    thirds of ``graphapp grad``'s time on a 100k-node file). The same graph as line by line.
    ``None`` when some line is of another shape or :meth:`ExprParser._fast` would refuse it
    (a name used before it is defined, defined twice or a keyword, an unknown function, a
    wrong count of arguments, ``pi`` or ``e``): the script is then read line by line, which
    makes the nodes of any line and says what is wrong with a bad one."""
    found = _simple_lines(text)
    if found is None:
        return None
    line_count = len(found)
    if found[-1] == _EMPTY_LINE:  # after a final newline: leave it out at once
        found.pop()
    columns = list(zip(*found, strict=True)) or [()] * 7
    comments = columns.pop()
    if "" in columns[0]:  # blank or comment lines among the statements
        keep = list(map(bool, columns[0]))
        columns = [list(compress(column, keep)) for column in columns]
        line_nos: Any = compress(range(1, line_count + 1), keep)
    else:
        line_nos = range(1, len(found) + 1)
    names, numbers, funcs, firsts, tokens, seconds = columns
    names = list(names)  # the plan's order: a list, as line by line
    n = len(names)
    position = dict(zip(names, range(n), strict=True))
    if len(position) != n or not _KEYWORDS.isdisjoint(position):
        return None
    table = function_ops()
    ones = set(compress(funcs, map(not_, seconds))) - {""}
    twos = set(compress(funcs, seconds)) - {""}
    if not all(f in table and table[f].arity == 1 for f in ones) or not all(
            f in table and table[f].arity == 2 for f in twos):
        return None
    # The row feeding each node's first and second slot, -1 for none (one look-up per name).
    position[""] = -1
    try:
        first = list(map(position.__getitem__, firsts))
        second = list(map(position.__getitem__, seconds))
    except KeyError:  # a name never defined (pi and e included: constants the slow way)
        return None
    finally:
        del position[""]
    if not (all(map(lt, first, range(n))) and all(map(lt, second, range(n)))):
        return None  # a name used before (or on) the line defining it
    op_of = {**_INFIX, **{f: table[f].name for f in ones | twos}, "": "identity"}
    ops = list(map(op_of.__getitem__, map(add, tokens, funcs)))  # `t = y`: no op
    for row in compress(range(n), numbers):
        ops[row] = "input"
    args = [(a, b) if b >= 0 else (a,) if a >= 0 else () for a, b in zip(first, second,
                                                                       strict=True)]
    output_directive = None
    for comment in filter(None, comments):
        m = _OUTPUT_DIRECTIVE.match(comment.strip())
        if m:
            output_directive = m.group(1)
    return _Columns(names, ops, dict(zip(compress(names, numbers),
                                         map(float, filter(None, numbers)), strict=True)),
                    args, position, dict(zip(names, line_nos, strict=True)), output_directive)


def _simple_lines(text: str) -> list[tuple[str, ...]] | None:
    """What :data:`_FAST_SCRIPT` finds on each line of ``text``, or ``None`` as soon as a line
    of another shape turns up: the text is searched in pieces of whole lines, so that a
    script that is not simple (a deep chain of longer expressions) costs one piece, not a
    search through all of it."""
    found: list[tuple[str, ...]] = []
    start = 0
    while True:
        end = text.find("\n", start + _PIECE)
        piece = text[start:] if end < 0 else text[start:end]
        rows = _FAST_SCRIPT.findall(piece)
        if len(rows) != piece.count("\n") + 1:  # a line of another shape
            return None
        found += rows
        if end < 0:
            return found
        start = end + 1


def _read_quiz(found: list[Directive], graph: Graph, path: str) -> Quiz | None:
    """The quiz a ``# quiz:`` line sets (one per file); errors point at the token at fault."""
    if not found:
        return None
    if len(found) > 1:
        raise FormatError(f"only one # quiz: line (the first is line {found[0].line})", path,
                          found[1].line, 1)
    from graphapp.formats.quiz import QuizError, parse_quiz  # only for a file with a quiz

    d = found[0]
    try:
        return parse_quiz(d.text, graph)
    except QuizError as exc:
        tokens = list(re.finditer(r"\S+", d.text))
        k = exc.index + 1  # token 0 is the mode
        at = tokens[k].start() if 0 <= k < len(tokens) else 0
        raise FormatError(exc.message, path, d.line, d.col + at) from None


def _directive_line(text: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if _OUTPUT_DIRECTIVE.match(line.strip()):
            return number
    return 1


def lesson_of(text: str) -> str:
    """The comment block at the top of a script, without the ``#`` marks and without its
    directives (a lesson's prompts, :mod:`graphapp.formats.header`)."""
    if not text.lstrip().startswith("#"):  # no comment at the top: no need to split the text
        return ""
    lesson = []
    for line in text.split("\n"):
        s = line.strip()
        if not s and not lesson:
            continue
        if not s.startswith("#") or _OUTPUT_DIRECTIVE.match(s):
            break
        if is_directive(s):
            continue
        lesson.append(s[1:].removeprefix(" "))
    return "\n".join(lesson).strip("\n")


# ===================================================================== writing
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "neg": 3, "**": 4}
#: How deep ast may nest while reading one line (a sum of this many terms).
AST_DEPTH = 20_000
#: Sub-expressions nest at most this deep in a written statement.
INLINE_DEPTH = 40


def _number(v: float) -> str:
    if math.isnan(v):
        raise ValueError("nan cannot be written in an .expr file")
    if math.isinf(v):
        return "1e999" if v > 0 else "-1e999"
    return repr(float(v))


def _literal_text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        def rec(x: Any) -> str:
            return "[" + ", ".join(rec(i) for i in x) + "]" if isinstance(x, list) else _number(x)
        return rec(value.tolist())
    return _number(float(value))


def unfinished(graph: Any) -> str:
    """Why ``graph`` cannot be an ``.expr`` script ("" when it can): a script has no way to
    write an op with an empty input slot. Names the first such node as its card does."""
    for node in graph:
        empty = [graph.op(node).slot_names[k] for k, src in enumerate(graph.inputs(node))
                 if src is None]
        if empty:
            spec = graph.op(node)
            what = node if "#" not in node else f"the {spec.name} node {short_name(graph, node)}"
            return (f"{what} has an empty input {' and '.join(empty)}: an .expr script cannot "
                    "hold an unfinished graph (a .graph.json file can)")
    return ""


def write_expr(doc: GraphFile) -> str:
    """The ``.expr`` text of a graph. Reading it back gives the same graph, up to the names of
    generated nodes; a named constant is written inline as its value, as ``.expr`` has no named
    constants. A graph with an empty input slot raises ``ValueError`` (:func:`unfinished`)."""
    import networkx as nx  # only for writing: reading needs no graph library

    problem = unfinished(doc.graph)
    if problem:
        raise ValueError(problem)
    g = doc.graph.nx
    position = {n: i for i, n in enumerate(g)}

    def is_name(n: str) -> bool:
        return n.isidentifier() and not keyword.iskeyword(n)

    def op(n: str) -> OpSpec:
        return OPS[g.nodes[n]["op"]]

    user = {n for n in g if is_name(n) and not op(n).constant}
    # Nodes a quiz names need a name in the file, so that its # quiz: line can say them.
    quiz = doc.quiz.fitted(doc.graph) if doc.quiz is not None else None
    quizzed = _quiz_nodes(quiz)
    # A generated node used by more (or fewer) than one consumer needs a name of its own.
    taken = set(g)
    fresh_names: dict[str, str] = {}
    counter = 0
    for n in g:
        if n in user or op(n).constant:
            continue
        if g.out_degree(n) != 1 or n == doc.output or op(n).is_input or n in quizzed:
            counter += 1
            while f"t{counter}" in taken:
                counter += 1
            fresh_names[n] = f"t{counter}"
            taken.add(fresh_names[n])
    # Inline at most INLINE_DEPTH levels of sub-expressions: deeper chains get names too, so
    # neither the text nor the writer (which recurses over one statement) grows without bound.
    inline_depth: dict[str, int] = {}
    for n in nx.topological_sort(g):
        if n in user or n in fresh_names or op(n).constant:
            inline_depth[n] = 0
            continue
        depth = 1 + max((inline_depth[src] for src in g.predecessors(n)), default=0)
        if depth > INLINE_DEPTH:
            counter += 1
            while f"t{counter}" in taken:
                counter += 1
            fresh_names[n] = f"t{counter}"
            taken.add(fresh_names[n])
            depth = 0
        inline_depth[n] = depth
    named = {n: n for n in user} | fresh_names
    shadow = set(named.values())

    def const_text(n: str) -> str:
        v = g.nodes[n]["value"]
        if not isinstance(v, np.ndarray):
            for cname, cval in _CONSTANTS.items():
                if float(v) == cval and cname not in shadow:
                    return cname
        return _literal_text(v)

    def expr(n: str, top: bool = False) -> tuple[str, int]:
        """Text of node ``n`` and its precedence (99 for atoms)."""
        if not top and n in named:
            return named[n], 99
        spec = op(n)
        if spec.is_leaf:
            text = const_text(n) if spec.constant else _literal_text(g.nodes[n]["value"])
            negative = text.startswith("-")
            return (f"({text})" if negative and not top else text), 99
        args = [None] * spec.arity
        for src, keys in g.pred[n].items():
            for slot in keys:
                args[slot] = src
        if spec.token and spec.arity == 2:
            prec = _PRECEDENCE[spec.token]
            (lt, lp), (rt, rp) = expr(args[0]), expr(args[1])
            right_assoc = spec.token == "**"
            if lp < prec or (right_assoc and lp == prec) or (right_assoc and lp == 3):
                lt = f"({lt})"
            if rp < prec or (not right_assoc and rp == prec):
                rt = f"({rt})"
            return f"{lt} {spec.token} {rt}", prec
        if spec.name == "neg" and not op(args[0]).constant:  # -3.0 would read as a const
            it, ip = expr(args[0])
            return f"-{it}" if ip >= _PRECEDENCE["**"] else f"-({it})", _PRECEDENCE["neg"]
        if spec.name == "identity" and top and args[0] in named:
            return named[args[0]], 99
        inner = ", ".join(expr(a)[0] for a in args)
        return f"{spec.name}({inner})", 99

    lines = [f"# {line}".rstrip() for line in doc.lesson.split("\n")] if doc.lesson else []
    if lines and doc.prompts:
        lines.append("#")
    lines += prompt_lines(doc.prompts)
    if quiz is not None:
        from graphapp.formats.quiz import quiz_text

        lines.append(f"# quiz: {quiz_text(quiz, doc.graph, lambda n: named.get(n, n))}")
    if lines:
        lines.append("")
    statements = [n for n in nx.lexicographical_topological_sort(g, key=position.__getitem__)
                  if n in named]
    if doc.output in named and statements and statements[-1] != doc.output:
        # Put the output last when nothing depends on it; otherwise say which one it is.
        downstream = nx.descendants(g, doc.output)
        if not downstream & set(statements):
            statements.remove(doc.output)
            statements.append(doc.output)
        else:
            lines.append(f"# output: {named[doc.output]}")
    for n in statements:
        if op(n).is_input:
            lines.append(f"{named[n]} = {_literal_text(g.nodes[n]['value'])}")
            continue
        lines.append(f"{named[n]} = {expr(n, top=True)[0]}")
    return "\n".join(lines) + "\n"


def _quiz_nodes(quiz: Quiz | None) -> set[str]:
    """The nodes a quiz's items name."""
    nodes: set[str] = set()
    for item in (quiz.items or ()) if quiz is not None else ():
        nodes.update((item,) if isinstance(item, str) else item[:2])
    return nodes
