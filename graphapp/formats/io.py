"""Open and save graph files by their extension: ``.expr`` or ``.graph.json``."""

from __future__ import annotations

from pathlib import Path

from graphapp.formats.atomic import write_text_atomic
from graphapp.formats.document import GraphFile
from graphapp.formats.errors import FormatError
from graphapp.formats.expr import parse_expr, write_expr
from graphapp.formats.jsongraph import dumps_graph, loads_graph
from graphapp.formats.text import decode_utf8

__all__ = ["GRAPH_SUFFIXES", "kind_of", "load_graph", "save_graph"]

#: File name endings graphapp reads and writes, for file dialogs and messages.
GRAPH_SUFFIXES = (".expr", ".graph.json", ".json")


def kind_of(path: str | Path, text: str | None = None) -> str:
    """``"expr"`` or ``"json"`` from the file name; for other names, from the text itself."""
    name = Path(path).name.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".expr"):
        return "expr"
    if text is not None:
        return "json" if text.lstrip().startswith("{") else "expr"
    raise ValueError(f"{path}: unknown file type; use .expr or .graph.json")


def load_graph(path: str | Path, unfinished: bool = False) -> GraphFile:
    """Read a graph file; every failure is a :class:`FormatError` naming the file.
    ``unfinished``: a ``.graph.json`` may hold ops with empty input slots (the window's)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise FormatError("no such file", str(p), None) from None
    except IsADirectoryError:
        raise FormatError("is a folder, not a graph file", str(p), None) from None
    except OSError as exc:
        raise FormatError(f"cannot read: {exc.strerror or exc}", str(p), None) from None
    text = decode_utf8(data, str(p))
    if kind_of(p, text) == "json":
        return loads_graph(text, str(p), unfinished)
    return parse_expr(text, str(p))


def save_graph(doc: GraphFile, path: str | Path) -> None:
    """Write ``doc`` in the format its extension names, atomically."""
    text = dumps_graph(doc) if kind_of(path) == "json" else write_expr(doc)
    write_text_atomic(path, text)
