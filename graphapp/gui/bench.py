"""Window figures for ``graphapp bench --gui``.

Start-up (:func:`start_up_figures`), whole processes on the micrograd example against a bare
PySide6 window of the same size: saving a screenshot offscreen, and the time until the window
is on screen (a real X server, Xvfb, polled with xdotool; skipped without them).

On a random 1,000-node graph, offscreen (:func:`gui_figures`):

* ``first_draw_ms``: from opening to the graph drawn with the quick layered layout;
* ``open_ms``: until Graphviz's layout (computed in a thread meanwhile) is applied and drawn;
* ``edit_ms``: a value edit of an input whose card is on screen, the view as opening the
  graph left it: from the undo command to the end of the canvas's next repaint, as the event
  loop runs it (recompute every value and gradient, redraw the items on screen whose look
  changed, repaint what they cover; cards off screen follow in slices on later turns of the
  event loop). ``edit_cpu_ms``: the GUI thread's processor time over the same span (less
  sensitive to a busy machine). ``edit_repainted`` checks that the repaint happened: the
  edited card's pixels differ from before the edit (grabbed from the canvas);
* ``view_repaint_ms``: the whole canvas repainted (as after scrolling), for comparison;

and, in :func:`plot_figures`, the Function Plot dock's redraw while its point is dragged over a
200 × 200 map of a random 100-node graph."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["gui_figures", "plot_figures", "start_up_figures", "training_figures"]

#: A bare PySide6 window of the screenshot's default size: saves a screenshot, or (with no
#: file) stays open.
_BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.setWindowTitle("bare")
w.resize(1400, 900)
w.show()
if len(sys.argv) > 1:
    for _ in range(5):
        app.processEvents()
    w.grab().save(sys.argv[1], "PNG")
else:
    app.exec()
"""


def start_up_figures(repeat: int = 5) -> dict[str, Any]:
    """Median seconds, whole process: ``graphapp open EXAMPLE --screenshot`` against a bare
    window saving one (alternately), and until each window is on screen under Xvfb."""
    from graphapp.paths import default_example

    example = str(default_example())
    result: dict[str, Any] = {"example": default_example().name}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": tmp,
               "XDG_CONFIG_HOME": tmp}
        shot = str(Path(tmp) / "shot.png")
        ours = [sys.executable, "-m", "graphapp", "open", example, "--screenshot", shot]
        bare = [sys.executable, "-c", _BARE_WINDOW, shot]
        times: dict[str, list[float]] = {"ours": [], "bare": []}
        for _ in range(repeat):
            for key, cmd in (("ours", ours), ("bare", bare)):
                t0 = time.perf_counter()
                subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                times[key].append(time.perf_counter() - t0)
        result["screenshot_s"] = statistics.median(times["ours"])
        result["bare_screenshot_s"] = statistics.median(times["bare"])
        result["screenshot_ratio"] = result["screenshot_s"] / result["bare_screenshot_s"]
        appear = _appear_times([sys.executable, "-m", "graphapp", "open", example],
                               [sys.executable, "-c", _BARE_WINDOW], repeat, tmp)
        result.update(appear)
    return result


def _appear_times(ours: list[str], bare: list[str], repeat: int, home: str) -> dict[str, Any]:
    """Median seconds from starting each command until its window is viewable on an Xvfb
    display (polled with xdotool every few milliseconds)."""
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        return {"appear_note": "needs Xvfb and xdotool"}
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1600x1000x24",
                             "-nolisten", "tcp"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        display = f":{xvfb.stdout.readline().strip()}"
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env.update(DISPLAY=display, HOME=home, XDG_CONFIG_HOME=home)
        times: dict[str, list[float]] = {"ours": [], "bare": []}
        for _ in range(repeat):
            for key, cmd in (("ours", ours), ("bare", bare)):
                seconds = _until_visible(cmd, env)
                if seconds is not None:
                    times[key].append(seconds)
        if not times["ours"] or not times["bare"]:
            return {"appear_note": "no window appeared within 20 s"}
        return {"appear_s": statistics.median(times["ours"]),
                "bare_appear_s": statistics.median(times["bare"])}
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def _until_visible(cmd: list[str], env: dict[str, str]) -> float | None:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < 20:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid",
                                    str(proc.pid)], env=env, capture_output=True)
            if found.stdout.strip():
                return time.perf_counter() - t0
            time.sleep(0.005)
        return None
    finally:
        proc.kill()
        proc.wait(10)


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
    first_draw, open_times, edit_times, label_times, relabel_times = [], [], [], [], []
    edit_cpu: list[float] = []
    view_times, repainted = [], []
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, Recovery(Path(tmp) / "recovery"), ask=False)
        window.resize(1400, 900)
        window.show()
        app.processEvents()
        viewport = window.view.viewport()
        paints = _paint_counter(window.view)
        for run in range(repeat):
            graph, output, _ = random_scalar_graph(nodes, seed=run)
            start = time.perf_counter()
            window.load(GraphFile(graph, output), None)
            viewport.repaint()  # drawn, with the quick layered layout
            first_draw.append((time.perf_counter() - start) * 1e3)
            job = window._layout_job
            while job is not None and window._layout_job is job:
                app.processEvents()  # the window keeps answering while dot runs
                time.sleep(0.002)
            viewport.repaint()
            open_times.append((time.perf_counter() - start) * 1e3)
            window.scene.flush()
            start = time.perf_counter()
            window.scene.labels_stale()
            window.scene.place_labels()
            label_times.append((time.perf_counter() - start) * 1e3)
            node = _input_on_screen(window)
            card = window.view.mapFromScene(
                window.scene.nodes[node].sceneBoundingRect()).boundingRect()
            for k in range(repeat * 3):
                _settle(app, window)
                before = viewport.grab(card).toImage() if k == 0 else None
                painted = paints.count
                start, cpu = time.perf_counter(), time.thread_time()
                window.doc.undo_stack.push(commands.SetValue(window.doc, node, 0.1 * k + 0.05))
                window.doc.results  # noqa: B018 (recompute; the scene redraws on the signal)
                while paints.count == painted:  # the repaint the edit asked for
                    app.processEvents()
                edit_times.append((paints.end - start) * 1e3)
                edit_cpu.append((paints.cpu_end - cpu) * 1e3)
                if before is not None:
                    repainted.append(viewport.grab(card).toImage() != before)
                start = time.perf_counter()
                viewport.repaint()
                view_times.append((time.perf_counter() - start) * 1e3)
                window.scene.refresh(everything=True)
                start = time.perf_counter()
                window.scene.place_labels()
                relabel_times.append((time.perf_counter() - start) * 1e3)
        window.doc.undo_stack.setClean()
        _dispose(app, window)
    return {"nodes": nodes, "first_draw_ms": statistics.median(first_draw),
            "open_ms": statistics.median(open_times), "edit_ms": statistics.median(edit_times),
            "edit_cpu_ms": statistics.median(edit_cpu),
            "edit_repainted": all(repainted),
            "view_repaint_ms": statistics.median(view_times),
            "labels_ms": statistics.median(label_times),
            "relabel_ms": statistics.median(relabel_times)}


def _dispose(app: Any, window: Any) -> None:
    """Close ``window`` and free it with everything it held, so that the rows measured after
    it in this process (the training panel) do not pay for a graph nobody uses any more (a
    closed window's scene lives on, and Python's collector walks it)."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    gc.collect()


def _paint_counter(view: Any) -> Any:
    """Counts the canvas's repaints (``.count``) and notes when the last one ended (``.end``,
    ``time.perf_counter``; ``.cpu_end``, ``time.thread_time``)."""

    class Paints:
        count, end, cpu_end = 0, 0.0, 0.0

        def __call__(self) -> None:
            self.count += 1
            self.end = time.perf_counter()
            self.cpu_end = time.thread_time()

    counter = Paints()
    view.repainted.connect(counter)
    return counter


def _input_on_screen(window: Any) -> str:
    """An input whose card the view shows (the first by name): what a learner would edit.
    When the view shows none, the first input, brought into view at the same zoom."""
    from graphapp.gui.canvas.node_item import NodeItem

    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    inputs = window.doc.graph.inputs_nodes()
    found = sorted(i.node_id for i in window.scene.items(shown)
                   if type(i) is NodeItem and i.node_id in set(inputs)
                   and shown.contains(i.sceneBoundingRect()))
    if found:
        return found[0]
    view.centerOn(window.scene.nodes[inputs[0]])
    return inputs[0]


def _settle(app: Any, window: Any) -> None:
    """Let the window finish what the last edit started (slices, labels, the minimap)."""
    window.scene.flush()
    end = time.perf_counter() + 0.3
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def _percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def plot_figures(moves: int = 60, nodes: int = 100, points: int = 200) -> dict[str, Any]:
    """The Function Plot dock showing a ``points`` × ``points`` map of a random ``nodes``-node
    graph over two of its inputs, in a window offscreen, while an input is dragged: first the
    map's own point (the plotted inputs move, the grid stays: ``point_*``), then a third
    input, as the inspector's slider drags it (every grid value changes: ``grid_*``).

    Each move is timed as the event loop runs it: ``*_redraw_ms`` is the dock's part (for a
    third input the grid — f and both partials, one plan run on arrays — and the arrows; the
    image, curves and point handed to pyqtgraph; the plot painted) and ``*_move_ms`` the whole
    turn from the drag event to everything repainted (the edit as an undo command, the
    document's recompute, the canvas and inspector following, the plot). Medians and 90th
    percentiles in milliseconds."""
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
    result: dict[str, Any] = {"nodes": nodes, "points": points, "moves": moves}
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, Recovery(Path(tmp) / "recovery"), ask=False)
        window.resize(1400, 900)
        window.show()
        graph, output, _ = random_scalar_graph(nodes, seed=3, n_inputs=10)
        window.load(GraphFile(graph, output), None)
        while window._layout_job is not None:
            app.processEvents()
            time.sleep(0.002)
        doc = window.doc
        back = doc.results.backward
        x, y, third = [n for n in graph.inputs_nodes() if back.reaches(n)][:3]
        dock = window.lab_docks["lab-plot"]
        dock.show()
        view = dock.widget()
        view.points_spin.setValue(points)
        view.choose_pair(x, y)
        app.processEvents()
        (x_lo, x_hi), (y_lo, y_hi) = view._range(x), view._range(y)
        paint = view.map_widget.viewport().repaint
        gesture = commands.new_gesture()
        drags = {
            "point": lambda t: view.drag_to(x_lo + (x_hi - x_lo) * t, y_hi - (y_hi - y_lo) * t),
            "grid": lambda t: doc.undo_stack.push(commands.SetValue(doc, third, 2 * t - 1,
                                                                   gesture)),
        }
        for what, drag in drags.items():
            redraw, whole = [], []
            for k in range(moves + 5):  # the first few warm caches up and are not counted
                start = time.perf_counter()
                drag((k % 30 + 0.5) / 30)
                doc.results  # noqa: B018 (the document's recompute, as its timer runs it)
                begin = time.perf_counter()
                view.refresh()  # what the dock's own timer runs after the edit
                paint()
                end = time.perf_counter()
                view._timer.stop()  # refreshed already: not twice
                app.processEvents()  # the canvas, inspector and the rest of the window
                window.repaint()
                if k >= 5:
                    redraw.append((end - begin) * 1e3)
                    whole.append((time.perf_counter() - start) * 1e3)
            view.end_drag()
            result |= {f"{what}_redraw_ms": statistics.median(redraw),
                       f"{what}_redraw_p90_ms": _percentile(redraw, 0.9),
                       f"{what}_move_ms": statistics.median(whole),
                       f"{what}_move_p90_ms": _percentile(whole, 0.9)}
        result["vectorised"] = bool(view.surface is not None and view.surface.vectorised)
        window.doc.undo_stack.setClean()
        _dispose(app, window)
    return result


def training_figures(seconds: float = 4.0) -> dict[str, Any]:
    """The training panel's speed: a 2-16-16-1 tanh network on 250 moons points at batch 200
    (one step per epoch, each epoch evaluated), trained for ``seconds`` with the panel closed
    (the training layer alone, in this process; before and after the open run, averaged, as
    the shared machine's load drifts) and with the panel open, playing at full speed
    offscreen while its diagram, boundary and curves animate. Steps per second of each, their
    ratio, frames drawn per second, the median and 90th percentile of a frame's time (the GUI
    thread's processor time from one tick of the panel's clock to the next: the snapshot
    handled and the widgets repainted), boundary and neuron map refreshes per second, and the
    load average (1 minute) at the start."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from graphapp.gui.qtlog import install_message_filter
    from graphapp.gui.training.panel import TrainingPanel
    from graphapp.gui.training.session import Setup
    from graphapp.train import MLP, ModelConfig, TrainConfig, Trainer, make_dataset, train

    install_message_filter()
    app = QApplication.instance() or QApplication([])
    data = make_dataset("moons", points=250, noise=0.1, test_share=0.2, seed=0)
    config = ModelConfig(hidden=(16, 16), activation="tanh")
    training = TrainConfig(optimizer="sgd", lr=0.03, batch=200, seed=0)
    load = os.getloadavg()[0]

    def closed_rate() -> float:
        trainer = Trainer(MLP(config, data.task, data.n_classes), data, training)
        start = time.perf_counter()
        for _ in train(trainer, epochs=10**9):
            if time.perf_counter() - start >= seconds:
                break
        return trainer.steps / (time.perf_counter() - start)

    closed = closed_rate()

    panel = TrainingPanel(Setup(data, config, training))
    panel.resize(1400, 900)
    panel.show()
    frames: list[Any] = []
    panel.drawn.connect(frames.append)
    deadline = time.perf_counter() + 60
    while panel.snapshot is None and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.005)
    panel.set_playing(True)
    while (panel.snapshot is None or not panel.snapshot.playing) and \
            time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.002)
    first, t0, n0 = panel.snapshot, time.perf_counter(), len(frames)
    panel.frame_times.clear()
    loop = QEventLoop()  # the window's own event loop, as a learner's session runs it
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()
    last, t1 = panel.snapshot, time.perf_counter()
    times = sorted(panel.frame_times) or [float("nan")]
    drawn = frames[n0:]
    maps = {id(f.maps) for f in drawn if f.maps is not None}
    panel.close()
    closed = (closed + closed_rate()) / 2
    opened = (last.steps - first.steps) / (t1 - t0)
    return {"network": "2-16-16-1 tanh, batch 200", "load": load, "closed_steps_per_s": closed,
            "open_steps_per_s": opened, "ratio": closed / opened if opened else float("inf"),
            "fps": len(drawn) / (t1 - t0), "maps_per_s": len(maps) / (t1 - t0),
            "frame_ms": 1e3 * statistics.median(times),
            "frame_p90_ms": 1e3 * times[min(len(times) - 1, int(0.9 * len(times)))]}
