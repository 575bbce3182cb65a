"""Window figures for ``graphapp bench --gui``, on a random 1,000-node graph, offscreen:

* ``first_draw_ms``: from opening to the graph drawn with the quick layered layout;
* ``open_ms``: until Graphviz's layout (computed in a thread meanwhile) is applied and drawn;
* ``edit_ms``: a value edit: recompute every value and gradient, redraw what is on screen,
  repaint (cards off screen follow in slices on later turns of the event loop)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["gui_figures"]


def gui_figures(repeat: int = 5, nodes: int = 1000) -> dict[str, Any]:
    """Medians in milliseconds (see the module docstring)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from graphapp.formats import GraphFile
    from graphapp.generate import random_scalar_graph
    from graphapp.gui import commands
    from graphapp.gui.files import Recovery
    from graphapp.gui.main_window import MainWindow
    from graphapp.gui.qtlog import install_message_filter

    install_message_filter()
    app = QApplication.instance() or QApplication([])
    first_draw, open_times, edit_times = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, Recovery(Path(tmp) / "recovery"), ask=False)
        window.resize(1400, 900)
        window.show()
        app.processEvents()
        for run in range(repeat):
            graph, output, _ = random_scalar_graph(nodes, seed=run)
            start = time.perf_counter()
            window.load(GraphFile(graph, output), None)
            window.view.viewport().repaint()  # drawn, with the quick layered layout
            first_draw.append((time.perf_counter() - start) * 1e3)
            job = window._layout_job
            while job is not None and window._layout_job is job:
                app.processEvents()  # the window keeps answering while dot runs
                time.sleep(0.002)
            window.view.viewport().repaint()
            open_times.append((time.perf_counter() - start) * 1e3)
            for k in range(repeat * 3):
                start = time.perf_counter()
                window.doc.undo_stack.push(commands.SetValue(window.doc, "x0", 0.1 * k))
                window.doc.results  # noqa: B018 (recompute; the scene redraws on the signal)
                window.view.viewport().repaint()
                edit_times.append((time.perf_counter() - start) * 1e3)
        window.doc.undo_stack.setClean()
        window.close()
    return {"nodes": nodes, "first_draw_ms": statistics.median(first_draw),
            "open_ms": statistics.median(open_times), "edit_ms": statistics.median(edit_times)}
