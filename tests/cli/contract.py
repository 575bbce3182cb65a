"""The command line's contract for bad input, as one check the tests share.

A run that fails exits 1 or 2 and says why in exactly one line, ``FILE:LINE:COL: message``,
``FILE: message`` or ``graphapp: message``; no traceback, and no output file left behind.
"""

from __future__ import annotations

import re
from pathlib import Path

from graphapp.cli import main

#: ``FILE:LINE:COL: message`` or ``FILE: message`` (FILE may be ``graphapp``).
ONE_LINE = re.compile(r"^(?P<file>[^\n]+?)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<msg>[^\n]+)\n$")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``graphapp ARGV`` in this process: (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, file: str | None = None,
                          out_file: Path | None = None) -> re.Match[str]:
    """Check a failed run kept the contract; return the parts of its one line."""
    assert code in (1, 2), f"exit {code}, stderr: {err!r}"
    assert "Traceback" not in err, err
    m = ONE_LINE.match(err)
    assert m is not None, f"not one line FILE[:LINE:COL]: message: {err!r}"
    if file is not None:
        assert m["file"] in (file, "graphapp"), err
    if out_file is not None:
        assert not out_file.exists(), f"{out_file} was written"
        leftovers = [p for p in out_file.parent.glob(f".{out_file.name}.*")]
        assert not leftovers, f"temporary files left: {leftovers}"
    return m
