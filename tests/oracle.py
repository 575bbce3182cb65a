"""Independent oracles for the tests: an evaluator of ``.expr`` text that shares no code with
graphapp (it walks Python's ``ast`` itself and computes with numpy), central differences on
top of it, and the same text turned into a sympy expression for exact derivatives.

graphapp's parser, op table and engine are never imported here, so a bug there (the operands
of ``-`` or ``/`` swapped, a wrong derivative rule, a lost gradient) cannot hide in the oracle.
The evaluator reads the same language as the user's files: one ``NAME = EXPRESSION`` per line,
literals (numbers or nested lists) define inputs, the last statement is the output unless a
``# output: NAME`` comment names another, and ``pi``/``e`` are constants unless defined.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Script", "numeric_gradients", "read_script", "symbolic"]

_OUTPUT = re.compile(r"#\s*output:\s*(\S+)\s*$")


def _sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


#: Functions by name, written with numpy (element by element) directly, not graphapp's table.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "tanh": np.tanh, "exp": np.exp, "log": np.log, "ln": np.log, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "sqrt": np.sqrt, "abs": np.abs,
    "relu": lambda x: np.maximum(x, 0.0), "sigmoid": _sigmoid,
    "max": np.maximum, "min": np.minimum, "sum": np.sum, "mean": np.mean,
    "identity": lambda x: x, "neg": lambda x: -x,
}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b, ast.MatMult: np.matmul,
}


@dataclass
class Script:
    """A parsed ``.expr`` text: statements in order, which names are inputs, the output."""

    statements: list[tuple[str, ast.expr]]
    inputs: dict[str, Any]
    output: str

    def evaluate(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every named value, with ``overrides`` replacing inputs."""
        env: dict[str, Any] = {}
        defined = {name for name, _ in self.statements}
        constants = {k: v for k, v in (("pi", math.pi), ("e", math.e)) if k not in defined}
        with np.errstate(all="ignore"):
            for name, node in self.statements:
                if name in self.inputs:
                    value = (overrides or {}).get(name, self.inputs[name])
                    env[name] = np.asarray(value, dtype=np.float64) * 1.0
                else:
                    env[name] = _eval(node, env, constants)
        return env

    def objective(self, overrides: Mapping[str, Any] | None = None) -> float:
        """The sum of the output's elements (what a gradient of an array output is of)."""
        return float(np.sum(self.evaluate(overrides)[self.output]))


def _literal(node: ast.expr) -> Any:
    """A number or nested list of numbers (unary minus allowed), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _literal(node.operand)
        if inner is None:
            return None
        return -np.asarray(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.List):
        items = [_literal(x) for x in node.elts]
        return None if any(i is None for i in items) else np.array(items, dtype=np.float64)
    return None


def _eval(node: ast.expr, env: dict[str, Any], constants: dict[str, float]) -> Any:
    if isinstance(node, ast.Name):
        return env[node.id] if node.id in env else np.float64(constants[node.id])
    literal = _literal(node)
    if literal is not None:
        return np.asarray(literal, dtype=np.float64) * 1.0
    if isinstance(node, ast.UnaryOp):
        x = _eval(node.operand, env, constants)
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, env, constants),
                                      _eval(node.right, env, constants))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return FUNCTIONS[node.func.id](*[_eval(a, env, constants) for a in node.args])
    raise ValueError(f"the oracle does not read {ast.dump(node)}")


def read_script(text: str) -> Script:
    """Parse ``.expr`` text line by line with Python's ``ast``."""
    statements: list[tuple[str, ast.expr]] = []
    inputs: dict[str, Any] = {}
    output = None
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            m = _OUTPUT.match(stripped)
            if m:
                output = m.group(1)
            continue
        stmt = ast.parse(stripped).body[0]
        assert isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
        name = stmt.targets[0].id
        statements.append((name, stmt.value))
        literal = _literal(stmt.value)
        if literal is not None:
            inputs[name] = literal
    return Script(statements, inputs, output or statements[-1][0])


def numeric_gradients(text: str, eps: float = 1e-6,
                      at: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Central differences of the output's sum with respect to every input element, computed
    on the independent evaluator (``at`` moves inputs first)."""
    script = read_script(text)
    base = {k: np.array(v, dtype=np.float64) for k, v in script.inputs.items()}
    base.update({k: np.array(v, dtype=np.float64) for k, v in (at or {}).items()})
    result = {}
    for name, x0 in base.items():
        grad = np.zeros_like(x0)
        for idx in np.ndindex(x0.shape):
            h = eps * max(1.0, abs(float(x0[idx])))
            plus, minus = x0.copy(), x0.copy()
            plus[idx] += h
            minus[idx] -= h
            f_plus = script.objective({**base, name: plus})
            f_minus = script.objective({**base, name: minus})
            grad[idx] = (f_plus - f_minus) / (2 * h)
        result[name] = grad if grad.shape else float(grad)
    return result


def symbolic(text: str) -> tuple[Any, dict[str, Any]]:
    """A scalar script as one sympy expression of its inputs: ``(expression, {name: symbol})``.

    sympy gives exact derivatives: ``expression.diff(symbols["x"])``.
    """
    import sympy

    script = read_script(text)
    symbols = {name: sympy.Symbol(name, real=True) for name in script.inputs}
    funcs: dict[str, Callable[..., Any]] = {
        "tanh": sympy.tanh, "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
        "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sqrt": sympy.sqrt,
        "abs": sympy.Abs, "relu": lambda x: sympy.Max(x, 0),
        "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)), "max": sympy.Max, "min": sympy.Min,
        "identity": lambda x: x, "neg": lambda x: -x,
    }
    binary = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
              ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
              ast.Pow: lambda a, b: a ** b}
    defined = {name for name, _ in script.statements}
    constants = {k: v for k, v in (("pi", sympy.pi), ("e", sympy.E)) if k not in defined}
    env: dict[str, Any] = dict(symbols)

    def walk(node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            return env[node.id] if node.id in env else constants[node.id]
        if isinstance(node, ast.Constant):
            return sympy.Float(node.value) if isinstance(node.value, float) \
                else sympy.Integer(node.value)
        if isinstance(node, ast.UnaryOp):
            x = walk(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            return binary[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Call):
            return funcs[node.func.id](*[walk(a) for a in node.args])
        raise ValueError(f"sympy oracle does not read {ast.dump(node)}")

    for name, node in script.statements:
        if name not in script.inputs:
            env[name] = walk(node)
    return env[script.output], symbols
