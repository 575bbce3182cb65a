"""The one error every reader raises: a message that points at the file, line and column."""

from __future__ import annotations

__all__ = ["FormatError"]


class FormatError(Exception):
    """A file could not be read as a graph. ``str(err)`` is ``FILE:LINE:COL: message``
    (``FILE: message`` when no line is at fault, e.g. the file is missing)."""

    def __init__(self, message: str, path: str = "<text>", line: int | None = 1,
                 col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col

    def __str__(self) -> str:
        if self.line is None:  # about the whole file (it is missing, say)
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.col}: {self.message}"
