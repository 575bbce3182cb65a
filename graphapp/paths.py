"""Where graphapp's bundled files are: the examples, icons and style sheets in ``resources/``."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["RESOURCES", "default_example", "examples"]

#: The ``resources/`` folder beside the package (installed in place, ``pip install -e``), or
#: what a wheel installed under ``<prefix>/share/graphapp``.
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
if not (RESOURCES / "examples").is_dir():
    RESOURCES = Path(sys.prefix) / "share" / "graphapp"
DEFAULT_EXAMPLE = "01_micrograd.expr"


def examples() -> list[Path]:
    """The bundled example scripts, in a stable order (their file names start with a number)."""
    return sorted((RESOURCES / "examples").glob("*.expr"))


def default_example() -> Path:
    """The example the window opens with: micrograd's L-graph."""
    return RESOURCES / "examples" / DEFAULT_EXAMPLE
