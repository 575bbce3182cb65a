"""Background jobs: results and progress arrive on the GUI thread, cancel kills child
processes, and closing the window ends every job and its ``dot``."""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

import pytest

from graphapp.gui.jobs import MAX_FPS, Cancelled, JobContext, Jobs


def _gone(pid: int) -> bool:
    """True when no process ``pid`` runs (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state == "Z"


@pytest.fixture
def slow_dot(tmp_path, monkeypatch):
    """A fake ``dot`` on the PATH that records its pid and its child's, then sleeps a minute."""
    folder = tmp_path / "bin"
    folder.mkdir()
    pids = tmp_path / "pids"
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\necho $$ >> {pids}\nsleep 60 &\necho $! >> {pids}\nwait\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    def started() -> list[int]:
        try:
            return [int(p) for p in pids.read_text().split()]
        except (OSError, ValueError):
            return []

    return started


def test_result_and_progress_arrive_on_the_gui_thread(qtbot):
    jobs = Jobs()
    gui = threading.get_ident()
    seen: list[tuple[int, object]] = []

    def work(ctx):
        for k in range(2000):  # far more reports than the GUI can take
            ctx.report(k)
        return threading.get_ident()

    job = jobs.start("count", work)
    job.progress.connect(lambda v: seen.append((threading.get_ident(), v)))
    with qtbot.waitSignal(job.finished, timeout=10_000) as result:
        pass
    assert result.args[0] != gui  # it ran in another thread...
    assert seen and all(t == gui for t, _ in seen)  # ...and reported on this one
    assert seen[-1][1] == 1999  # the last snapshot always arrives
    assert len(seen) < 200  # coalesced: not one delivery per report
    assert jobs.running() == []


def test_progress_is_limited_to_screen_rate(qtbot):
    jobs = Jobs()
    times: list[float] = []

    def work(ctx):
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            ctx.report(time.monotonic())
            time.sleep(0.001)

    job = jobs.start("fast", work)
    job.progress.connect(lambda _: times.append(time.monotonic()))
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert len(times) >= 5
    # the last one comes with the result, at once; the others at most MAX_FPS a second
    gaps = [b - a for a, b in itertools.pairwise(times[:-1])]
    assert min(gaps) >= 1 / MAX_FPS * 0.8  # timer slack


def test_failure_is_one_line_and_cancel_is_not_a_failure(qtbot):
    jobs = Jobs()
    job = jobs.start("bad", lambda ctx: 1 / 0, describe=lambda exc: f"broken: {exc}")
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        pass
    assert failed.args == ["broken: division by zero"]

    started = threading.Event()

    def forever(ctx):
        started.set()
        while True:
            ctx.check()
            time.sleep(0.005)

    job = jobs.start("forever", forever)
    assert started.wait(5)
    ended = []
    job.failed.connect(ended.append)
    job.finished.connect(ended.append)
    with qtbot.waitSignal(job.cancelled, timeout=10_000):
        jobs.cancel("forever")
    # the worker's thread may still be returning when its queued signal arrives
    assert ended == [] and job.wait(5)


def test_cancel_kills_the_child_process_and_its_children(qtbot, slow_dot):
    jobs = Jobs()
    job = jobs.start("dot", lambda ctx: ctx.run(["dot", "-Tplain"], "digraph {}"))
    qtbot.waitUntil(lambda: len(slow_dot()) == 2, timeout=10_000)
    assert not any(_gone(p) for p in slow_dot())
    started = time.monotonic()
    with qtbot.waitSignal(job.cancelled, timeout=10_000):
        job.cancel()
    assert time.monotonic() - started < 5
    qtbot.waitUntil(lambda: all(_gone(p) for p in slow_dot()), timeout=5_000)


def test_a_child_process_failure_is_reported(qtbot):
    jobs = Jobs()
    job = jobs.start("false", lambda ctx: ctx.run(["sh", "-c", "exit 3"]))
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        pass
    assert "exit status 3" in failed.args[0]


def test_no_child_process_starts_after_cancel(tmp_path):
    ctx = JobContext(lambda: None)
    ctx.cancel()
    marker = tmp_path / "ran"
    with pytest.raises(Cancelled):
        ctx.run(["touch", str(marker)])
    assert not marker.exists()


@pytest.mark.parametrize("what", ["layout", "export"])
def test_closing_the_window_ends_a_running_dot(window, qtbot, slow_dot, tmp_path, capfd, what):
    from graphapp.formats.expr import parse_expr

    doc = parse_expr("a = 2\nb = 3\nL = a * b")
    doc.graph.update_many_attrs({n: {"pos": [0, 0]} for n in doc.graph})  # no layout on load
    window.load(doc, None)
    if what == "layout":
        window.start_layout()
    else:
        window.export_to(tmp_path / "g.svg")
    qtbot.waitUntil(lambda: len(slow_dot()) == 2, timeout=10_000)
    job = window.jobs.running(what)[0]
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 5  # not the minute the fake dot sleeps
    assert not job.running
    qtbot.waitUntil(lambda: all(_gone(p) for p in slow_dot()), timeout=5_000)
    assert not (tmp_path / "g.svg").exists()  # no half-written picture
    qtbot.wait(50)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err


def test_without_cancel_a_real_process_runs_to_its_end(qtbot):
    jobs = Jobs()
    job = jobs.start("echo", lambda ctx: ctx.run(["sh", "-c", "cat"], "hello"))
    with qtbot.waitSignal(job.finished, timeout=10_000) as done:
        pass
    assert done.args == [b"hello"]
