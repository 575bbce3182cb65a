"""Regression: PySide6 6.12.0 on Python 3.11 leaks a reference to None on every Qt call that
returns void, and the interpreter aborts (`Fatal Python error: none_dealloc`) after ~5,000 of
them. pyproject.toml pins PySide6 below 6.12 on Python < 3.12; this makes 20,000 such calls."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtWidgets import QApplication, QGraphicsRectItem
app = QApplication([])
item = QGraphicsRectItem(0, 0, 10, 10)
for i in range(20000):
    item.setPos(i % 100, i % 50)
print("survived", item.pos().x())
"""


def test_twenty_thousand_void_qt_calls_do_not_abort_the_interpreter():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout and "none_dealloc" not in result.stderr
