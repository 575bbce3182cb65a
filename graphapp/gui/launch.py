"""Start the window: check that Qt can reach a display, then open a file — or render the
window offscreen to a PNG and exit (``graphapp open FILE --screenshot OUT.png``)."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["launch"]


def _display_problem() -> str:
    """Why a real window cannot open here, in one line ("" when it can)."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return ""
    if not sys.platform.startswith("linux"):
        return ""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return ("no display: run graphapp on a desktop, or render a picture with "
                "`graphapp open FILE --screenshot out.png`")
    if os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        from graphapp.sysdeps import DISPLAY_LIBS, missing_libraries

        missing = missing_libraries(DISPLAY_LIBS)
        if missing:
            packages = " ".join(sorted(set(missing.values())))
            return (f"Qt's xcb platform plugin needs {', '.join(missing)}: install it with "
                    f"`sudo apt-get install {packages}`")
    return ""


#: The Qt-free modules the first frame needs, imported before PySide6 (see ``launch``); numpy
#: too, unless the graph runs on Python floats (:meth:`Plan.runs_on_floats`).
QT_FREE = ("graphapp.formats.present",)
#: What a first edit may need and the first frame may not, imported once the window has been
#: on screen this many milliseconds, so that the first edit does not wait for them: numpy (a
#: value set by hand is a float64) and networkx (~0.14 s; a structural edit builds the
#: graph's networkx model).
WARM_UP_MS = 250
WARM_UP = ("numpy", "networkx")
#: Window sizes the screenshot option accepts.
MIN_SIZE, MAX_SIZE = (400, 300), (8000, 8000)
#: Qt's quality for a PNG screenshot: zlib's quick end (lossless all the same). Measured on
#: the micrograd example's 1400 × 900 picture: 40 % less time to write than Qt's default for a
#: file 1.2 % bigger (145.7 kB against 144.0 kB); 90 and up would not compress at all.
PNG_QUALITY = 80
#: Picture formats a screenshot can be written in, by file extension.
SHOT_FORMATS = {".png": "PNG", ".jpg": "JPG", ".jpeg": "JPG", ".bmp": "BMP"}


def _parse_size(text: str) -> tuple[int, int] | None:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        return None
    if not (MIN_SIZE[0] <= w <= MAX_SIZE[0] and MIN_SIZE[1] <= h <= MAX_SIZE[1]):
        return None
    return w, h


def launch(path: Path, screenshot: str | None = None, backward: bool = False,
           step: int | None = None, size: str = "1400x900", select: str | None = None,
           lab: str | None = None) -> int:
    """Open the window on ``path``; with ``screenshot``, write a PNG of it and return.

    Python's garbage collector is paused until the window is on screen: start-up makes many
    objects that live as long as the window (modules, Qt wrappers, the graph's cards) and
    almost no garbage, and its passes over them cost time before the first frame. In a process
    of its own the window then freezes them (:func:`gc.freeze`): later collections skip them,
    and no collection over all of them pauses the first edits (a full one there took 80 ms on
    the micrograd example, 150 ms on a 1,000-node graph, on a busy machine). The price: the
    little garbage start-up made (about 600 objects on the micrograd example, 5,600 on a
    1,000-node graph) is frozen with them and stays until the window's process ends."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _launch(path, screenshot, backward, step, size, select, lab, collecting)
    finally:
        if collecting:
            gc.enable()


def _started(collecting: bool, own_process: bool) -> None:
    """The window is on screen: the collector runs again, past what start-up made."""
    if own_process:
        gc.freeze()
    if collecting:
        gc.enable()


def _launch(path: Path, screenshot: str | None, backward: bool, step: int | None, size: str,
            select: str | None, lab: str | None, collecting: bool) -> int:
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = _display_problem()
    if problem:
        print(f"graphapp: {problem}", file=sys.stderr)
        return 1
    parsed = _parse_size(size)
    if parsed is None:
        print(f"graphapp: --size {size!r}: expected WIDTHxHEIGHT between "
              f"{MIN_SIZE[0]}x{MIN_SIZE[1]} and {MAX_SIZE[0]}x{MAX_SIZE[1]}, e.g. 1400x900",
              file=sys.stderr)
        return 2
    width, height = parsed
    if (backward or step is not None or select or lab) and not screenshot:
        print("graphapp: --backward, --step, --select and --lab go with --screenshot",
              file=sys.stderr)
        return 2
    if step is not None and (step < 0 or not backward):
        print("graphapp: --step N needs --backward and N ≥ 0", file=sys.stderr)
        return 2
    if screenshot and Path(screenshot).suffix.lower() not in SHOT_FORMATS:
        print(f"graphapp: --screenshot {screenshot}: use one of "
              f"{', '.join(SHOT_FORMATS)}", file=sys.stderr)
        return 2
    # The file first, and every Qt-free module the first frame uses, before PySide6: a bad
    # file is refused before Qt starts, and PySide6 reads the source of each module imported
    # after it (to look for its snake_case feature), which costs ~0.05 s more for numpy. A
    # small graph of scalars needs neither numpy (~0.07 s) nor networkx (~0.14 s) to be drawn:
    # the window imports them once it is idle (WARM_UP).
    from graphapp.formats import FormatError
    from graphapp.formats.io import load_graph

    try:
        doc = load_graph(path, unfinished=True)
    except FormatError as exc:
        print(exc, file=sys.stderr)
        return 2
    if screenshot and select is not None and select not in doc.graph:
        print(f"graphapp: --select {select}: no such node in {path}", file=sys.stderr)
        return 2
    if not _runs_on_floats(doc):
        importlib.import_module("numpy")
    for name in QT_FREE:
        importlib.import_module(name)
    if doc.prompts:  # the Lesson dock checks the lesson's prompts in the first frame
        importlib.import_module("graphapp.lab.lesson")
    if doc.quiz is not None:  # the cards hide the quiz's numbers in the first frame
        importlib.import_module("graphapp.lab.quiz")

    from PySide6.QtWidgets import QApplication

    from graphapp.gui.main_window import MainWindow
    from graphapp.paths import default_example

    if screenshot:
        from graphapp.gui.qtlog import install_message_filter

        install_message_filter()
    made_here = QApplication.instance() is None
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("graphapp")
    app.setOrganizationName("graphapp")
    app.setApplicationDisplayName("graphapp")
    if screenshot:
        window, code = _screenshot(app, doc, path, Path(screenshot), backward, step,
                                   (width, height), select, lab)
        _started(collecting, made_here)
    else:
        window = MainWindow()
        if path.resolve() == default_example().resolve() or path.parent.resolve() == \
                default_example().parent.resolve():
            window.load(doc, None, example=path.stem)
        else:
            window.load(doc, path)
            window.recent.add(path)
        window.show()
        _started(collecting, made_here)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(WARM_UP_MS, _warm_up)
        window.offer_recovery()
        code = app.exec()
    if made_here:
        _tear_down(app, window)
    return code


def _runs_on_floats(doc: Any) -> bool:
    """Whether the first frame's numbers come without numpy (a small graph of scalars)."""
    from graphapp.engine import GraphError

    try:
        return doc.graph.plan().runs_on_floats(doc.graph)
    except GraphError:
        return False


def _warm_up() -> None:
    for name in WARM_UP:
        importlib.import_module(name)


def _tear_down(app: Any, window: Any) -> None:
    """Delete the (closed) window, then the application, while Python is still whole.

    Left to the interpreter's exit, PySide6 destroys them after Python has begun tearing down
    its modules, which took ~0.1 s here (measured: a screenshot's process ended 0.15 s sooner
    this way). Only for an application that :func:`launch` made itself."""
    import shiboken6

    if window is not None and shiboken6.isValid(window):
        if window.isVisible():  # not closed (its jobs may still run): leave it all to exit
            return
        shiboken6.delete(window)
    shiboken6.delete(app)


def _screenshot(app, doc, path: Path, out: Path, backward: bool, step: int | None,
                size: tuple[int, int], select: str | None = None,
                lab: str | None = None) -> tuple[object, int]:
    """Render the window on ``doc`` to ``out``; returns the (closed) window and the exit code."""
    import tempfile

    from PySide6.QtCore import QSettings

    from graphapp.gui.files import Recovery
    from graphapp.gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, Recovery(Path(tmp) / "recovery"), ask=False)
        window.resize(*size)
        window.load(doc, path)
        job = window._layout_job
        if job is not None:
            job.wait(120)
        # laid out as on screen, but painted once, into the picture: paints on the way (the
        # interim layout, dot's, the view fitted) would only be painted over (~35 ms here)
        window.setUpdatesEnabled(False)
        window.show()
        for _ in range(5):
            app.processEvents()
        if backward:
            window.pass_choice.setCurrentText("backward")
            window.act_step_mode.setChecked(True)
            window.stepper.go_to(len(window.stepper.steps()) if step is None else step)
            app.processEvents()
        if select is not None:
            window.select([select])
        if lab is not None:
            dock = window.lab_docks.get(f"lab-{lab}")
            if dock is None:
                print(f"graphapp: --lab {lab}: choose one of "
                      f"{', '.join(n[4:] for n in window.lab_docks)}", file=sys.stderr)
                window.close()
                return window, 2
            dock.show()
            dock.widget().refresh()
            if hasattr(dock.widget(), "open_plot"):
                dock.widget().open_plot()
            app.processEvents()
        window.view.fit()
        app.processEvents()
        window.scene.flush()
        window.view.minimap.render_now()
        app.processEvents()
        window.setUpdatesEnabled(True)
        pixmap = window.grab()
        kind = SHOT_FORMATS[out.suffix.lower()]
        ok = pixmap.save(str(out), kind, PNG_QUALITY if kind == "PNG" else -1)
        window.doc.undo_stack.setClean()
        window.close()
    if not ok:
        print(f"graphapp: cannot write {out}", file=sys.stderr)
        return window, 1
    return window, 0
