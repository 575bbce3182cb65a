"""Reading and writing graphs: ``.expr`` scripts, ``.graph.json`` files, Graphviz pictures.

Depends on the engine only. Every reader raises :class:`FormatError` (``FILE:LINE:COL:
message``) for anything it cannot read; nothing in a file is ever executed.
"""

from graphapp.formats.document import GraphFile
from graphapp.formats.errors import FormatError
from graphapp.formats.expr import parse_expr, write_expr

__all__ = ["FormatError", "GraphFile", "parse_expr", "write_expr"]
