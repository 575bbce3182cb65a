"""Start-up of the window: what opening it loads, and Python's garbage collector around it.

Timings belong in ``graphapp bench --gui`` (the machine is shared); these tests check the
causes instead: modules the first frame does not need stay unloaded, the collector paused
while starting comes back for the running window."""

from __future__ import annotations

import gc
import json
import os
import subprocess
from pathlib import Path

import pytest

from graphapp.gui.lab import DOCKS
from tests.conftest import EXAMPLES
from tests.helpers import fresh_python

#: Modules the first frame of the window on the micrograd example does not need: the plots'
#: library, the training panel and trainer, the derivative lab's views (each built when its
#: dock is first shown), the op search box (Tab), the Graphviz exporter, the lab's numbers
#: (its lesson checks need none), step mode's traces, the nudge's prediction (a drag), quizzes,
#: the reports (the command line's, and the gradient check's table), JSON (orjson imports
#: uuid, datetime and platform; the html package its named entities: text is escaped for the
#: inspector's explanations, shown once a node is selected).
NOT_AT_START = ("pyqtgraph", "graphapp.gui.training", "graphapp.train",
                "graphapp.gui.lab.base", *(f"graphapp.gui.lab.{m}" for _, _, m, _ in DOCKS),
                "graphapp.gui.op_popup", "graphapp.formats.graphviz_export", "graphviz",
                "graphapp.lab.finite_slope", "graphapp.lab.grid", "graphapp.lab.hsweep",
                "graphapp.lab.partial", "graphapp.lab.trace_table", "graphapp.engine.trace",
                "graphapp.engine.nudge", "graphapp.formats.quiz", "graphapp.formats.report",
                "orjson", "json", "uuid", "platform", "datetime", "html")


def _fresh_process(code: str, home: Path) -> subprocess.CompletedProcess:
    """``python -c code`` in a fresh interpreter, offscreen, with its own home; it must
    succeed."""
    return fresh_python(code, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                   "HOME": str(home), "XDG_CONFIG_HOME": str(home)})


def test_the_first_frame_loads_no_plots_training_or_lab_views(tmp_path):
    shot = tmp_path / "shot.png"
    code = (
        "import gc, sys\n"
        "from graphapp.cli import main\n"
        f"code = main(['open', {str(EXAMPLES / '01_micrograd.expr')!r}, '--screenshot', "
        f"{str(shot)!r}])\n"
        "import PySide6.QtWidgets as widgets\n"
        "modules = sorted(sys.modules)\n"
        "import json\n"
        "print(json.dumps({'code': code, 'modules': modules, 'style': 'QStyle' in vars(widgets),\n"
        "                  'collecting': gc.isenabled(), 'frozen': gc.get_freeze_count()}))\n")
    result = _fresh_process(code, tmp_path)
    assert result.stderr == "", result.stderr
    seen = json.loads(result.stdout)
    # The drawn icons: the style's standard ones would make PySide6 build QStyle's type and its
    # eleven enums (~6 ms). PySide6 makes a class's Python type when it is first used.
    lazy = "False" in fresh_python("import PySide6.QtWidgets as w; print('QStyle' in vars(w))",
                                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout
    assert not (lazy and seen["style"])
    assert seen["code"] == 0 and shot.read_bytes().startswith(b"\x89PNG")
    loaded = [m for m in seen["modules"] if m.startswith(NOT_AT_START)]
    assert not loaded, loaded
    assert "graphapp.gui.main_window" in seen["modules"]  # the window did open
    # the collector is back on after start-up, past the objects start-up made
    assert seen["collecting"] and seen["frozen"] > 10_000


def test_the_collector_runs_while_the_window_is_open(qapp, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    import graphapp.gui.main_window as mw
    from graphapp.gui import launch

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    states = []

    def run_loop(*_args) -> int:  # the event loop, as the window runs: note, then close
        states.append(gc.isenabled())
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, mw.MainWindow):
                widget.jobs.shutdown(60)
                widget.doc.undo_stack.setClean()
                widget.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_loop)
    monkeypatch.setattr(mw.MainWindow, "offer_recovery", lambda self: None)
    path = tmp_path / "g.expr"
    path.write_text("x = 2.0\ny = x * x\n")
    assert gc.isenabled()
    assert launch.launch(path) == 0
    assert states == [True]  # on while the window runs, not only once it has closed
    assert gc.isenabled()


@pytest.mark.parametrize(("example", "numpy"), [
    ("01_micrograd.expr", False),  # a small graph of scalars: Python floats throughout
    ("02_slope.expr", False),  # constants too
    ("10_relu_neuron.expr", True),  # arrays
    ("12_quiz_backprop.expr", True),  # a quiz (its questions are read with numpy)
])
def test_the_first_frame_imports_numpy_only_when_it_needs_it_and_before_pyside6(
        tmp_path, example, numpy):
    """A small graph of scalars is drawn without numpy (~0.07 s to import) or networkx
    (~0.14 s): edges, inputs and depth columns come from the rows read, numbers as Python
    floats. When the graph needs numpy it is imported before PySide6, which reads the source
    of every module imported after it (its snake_case feature), numpy's hundreds included.
    A finder placed first on ``sys.meta_path`` notes the order imports start in."""
    code = (
        "import json, sys\n"
        "order = []\n"
        "class Note:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        order.append(name)\n"
        "sys.meta_path.insert(0, Note())\n"
        "from graphapp.cli import main\n"
        f"code = main(['open', {str(EXAMPLES / example)!r}, '--screenshot', "
        f"{str(tmp_path / 's.png')!r}])\n"
        "print(json.dumps({'code': code, 'order': order}))\n")
    seen = json.loads(_fresh_process(code, tmp_path).stdout)
    assert seen["code"] == 0
    order = seen["order"]
    assert ("numpy" in order[:order.index("PySide6")]) is numpy
    assert ("numpy" in order) is numpy  # never after PySide6
    assert "networkx" not in order


def test_the_open_window_imports_networkx_once_it_is_idle(tmp_path):
    """A first value edit needs numpy, the first structural edit networkx: the window imports
    them once it has been on screen a moment, so that no edit waits for them (the event loop
    runs 1 s here)."""
    path = tmp_path / "g.expr"
    path.write_text("x = 2.0\ny = x * x\n")
    code = (
        "import json, sys\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "import graphapp.gui.main_window as mw\n"
        "from graphapp.gui import launch\n"
        "seen = {}\n"
        "def run_loop(*_args):\n"
        "    seen['at_show'] = [m for m in ('numpy', 'networkx') if m in sys.modules]\n"
        "    loop = QEventLoop()\n"
        "    QTimer.singleShot(1000, loop.quit)\n"
        "    loop.exec()\n"
        "    seen['idle'] = [m for m in ('numpy', 'networkx') if m in sys.modules]\n"
        "    for widget in QApplication.topLevelWidgets():\n"
        "        if isinstance(widget, mw.MainWindow):\n"
        "            widget.jobs.shutdown(60)\n"
        "            widget.close()\n"
        "    return 0\n"
        "QApplication.exec = run_loop\n"
        "mw.MainWindow.offer_recovery = lambda self: None\n"
        f"seen['code'] = launch.launch(__import__('pathlib').Path({str(path)!r}))\n"
        "print(json.dumps(seen))\n")
    seen = json.loads(_fresh_process(code, tmp_path).stdout)
    assert seen == {"at_show": [], "idle": ["numpy", "networkx"], "code": 0}
