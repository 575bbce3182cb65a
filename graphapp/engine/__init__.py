"""The engine: expression graphs, the op table, and automatic differentiation.

Pure Python + numpy + networkx. No Qt, no file formats, no printing: everything above (the
command line, the window) reads it and renders it.
"""

from graphapp.engine.autodiff import (
    CheckRow,
    backward,
    finite_differences,
    forward,
    gradcheck,
    tangents,
)
from graphapp.engine.errors import (
    ArityError,
    CycleError,
    EvaluationError,
    GraphError,
    NodeError,
    OpError,
    SlotError,
)
from graphapp.engine.graph import Edge, Graph
from graphapp.engine.ops import CATEGORIES, OPS, OpSpec, get_op, iter_ops
from graphapp.engine.plan import Backward, EdgeGrad, Forward, NonFinite, Plan, Tangents
from graphapp.engine.values import Value, as_value

__all__ = [
    "CATEGORIES",
    "OPS",
    "ArityError",
    "Backward",
    "CheckRow",
    "CycleError",
    "Edge",
    "EdgeGrad",
    "EvaluationError",
    "Forward",
    "Graph",
    "GraphError",
    "NodeError",
    "NonFinite",
    "OpError",
    "OpSpec",
    "Plan",
    "SlotError",
    "Tangents",
    "Value",
    "as_value",
    "backward",
    "finite_differences",
    "forward",
    "get_op",
    "gradcheck",
    "iter_ops",
    "tangents",
]
