"""Background jobs: work that must not block the window (Graphviz layout, export, training,
plots) runs in a worker thread and reports back on the GUI thread.

A job is a plain function ``work(ctx) -> result`` that gets a :class:`JobContext`. It must not
touch Qt widgets or the document: it works on its own copy of the data and hands back immutable
values. Through ``ctx`` it can

* report progress or a snapshot (``ctx.report(value)``) as often as it likes: the GUI receives
  the *latest* value, at most :data:`MAX_FPS` times a second (a trainer may step thousands of
  times a second; the window repaints at screen rate);
* ask whether it was cancelled (``ctx.cancelled``, or ``ctx.check()`` which raises
  :class:`Cancelled`);
* run a child process (``ctx.run(["dot", "-Tplain"], source)``) that cancelling kills, with
  every process it started (it runs in its own process group).

The :class:`Job` object lives on the GUI thread; its signals ``progress``, ``finished``,
``failed`` and ``cancelled`` arrive there (queued), exactly one of the last three per job.
:class:`Jobs` keeps the jobs of one window; closing the window calls :meth:`Jobs.shutdown`,
which cancels them, ends their child processes and waits for the threads.

Why not superqt's ``thread_worker``: it has no notion of child processes (cancel only stops a
generator at its next ``yield``), delivers every yielded value as its own queued signal (a fast
trainer floods the event loop) and brings a Qt-binding shim; the few lines here do exactly what
the app needs.

Caveat: a worker that never checks ``ctx.cancelled`` and runs no child process cannot be
stopped; :meth:`Jobs.shutdown` waits for it up to its time limit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

__all__ = ["MAX_FPS", "Cancelled", "Job", "JobContext", "Jobs"]

#: Progress reaches the GUI at most this often per second.
MAX_FPS = 60


class Cancelled(Exception):
    """Raised inside a worker (by :meth:`JobContext.check` or :meth:`JobContext.run`) once its
    job was cancelled; the job then ends with ``cancelled``, not ``failed``."""


class JobContext:
    """What a worker may use: progress, cancellation and child processes (thread-safe)."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._processes: list[subprocess.Popen] = []
        self._latest: Any = None
        self._pending = False

    @property
    def cancelled(self) -> bool:
        """True once the job was cancelled: the worker should return soon."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job was cancelled."""
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, value: Any) -> None:
        """Hand ``value`` (immutable: the GUI reads it later) to the GUI's ``progress``."""
        with self._lock:
            self._latest = value
            if self._pending:
                return  # a delivery is on its way; it will carry this newer value
            self._pending = True
        self._wake()

    def take(self) -> Any:
        """The latest reported value (GUI side); the next :meth:`report` wakes the GUI again."""
        with self._lock:
            self._pending = False
            return self._latest

    def run(self, args: Sequence[str], input: bytes | str = b"",
            timeout: float | None = None) -> bytes:
        """Run a program, feed it ``input``, return its standard output.

        Raises :class:`Cancelled` when the job is cancelled meanwhile (the process is killed),
        ``subprocess.CalledProcessError`` when it fails, ``subprocess.TimeoutExpired`` after
        ``timeout`` seconds (killed too), ``OSError`` when it cannot start.
        """
        data = input.encode() if isinstance(input, str) else input
        with self._lock:
            self.check()
            proc = subprocess.Popen(list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=os.name == "posix")
            self._processes.append(proc)
        try:
            out, err = proc.communicate(data, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            raise
        finally:
            with self._lock:
                self._processes.remove(proc)
        self.check()
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, list(args), out, err)
        return out

    def cancel(self) -> None:
        """Ask the worker to stop and kill its child processes (GUI side)."""
        with self._lock:
            self._cancel.set()
            processes = list(self._processes)
        for proc in processes:
            _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    """End ``proc`` and everything it started (its process group on POSIX)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass  # already gone


class Job(QObject):
    """One background task. Signals arrive on the GUI thread:

    ``progress(value)`` with the latest :meth:`JobContext.report`, then exactly one of
    ``finished(result)``, ``failed(message)`` (a one-line reason) or ``cancelled()``.
    """

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    #: Emitted after any of the three endings (for :class:`Jobs` and for waiting in tests).
    ended = Signal()
    _wake = Signal()
    _done = Signal(str, object)

    def __init__(self, name: str, work: Callable[[JobContext], Any],
                 describe: Callable[[Exception], str] = str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._work = work
        self._describe = describe
        self.ctx = JobContext(self._wake.emit)
        self._thread = threading.Thread(target=self._run, name=f"job-{name}", daemon=True)
        self._last_delivery = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._deliver)
        # emitted from the worker thread, received here on the GUI thread (queued)
        self._wake.connect(self._schedule)
        self._done.connect(self._end)
        self.outcome = ""  # "finished", "failed" or "cancelled" once ended

    # ----------------------------------------------------------------- GUI side
    def start(self) -> Job:
        """Begin the work in its thread."""
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop the work: the worker sees ``ctx.cancelled``, its child processes are killed."""
        self.ctx.cancel()

    @property
    def running(self) -> bool:
        """True while the worker thread runs."""
        return self._thread.is_alive()

    def wait(self, seconds: float = 60) -> bool:
        """Block until the worker thread ends (tests, screenshots, shutdown); True if it ended.
        Its signals are delivered once the event loop runs again."""
        if self._thread.ident is not None:
            self._thread.join(seconds)
        return not self._thread.is_alive()

    def _schedule(self) -> None:
        wait_ms = int((self._last_delivery + 1 / MAX_FPS - time.monotonic()) * 1000)
        if wait_ms > 0:
            if not self._timer.isActive():
                self._timer.start(wait_ms)
        else:
            self._deliver()

    def _deliver(self) -> None:
        if self.outcome:
            return
        self._last_delivery = time.monotonic()
        self.progress.emit(self.ctx.take())

    def _end(self, outcome: str, payload: Any) -> None:
        self._timer.stop()
        if self.ctx.cancelled:
            outcome = "cancelled"  # cancelled on this side after the worker had finished
        if outcome == "finished" and self.ctx._pending:
            self._deliver()  # the last snapshot before the result
        self.outcome = outcome
        if outcome == "finished":
            self.finished.emit(payload)
        elif outcome == "failed":
            self.failed.emit(payload)
        else:
            self.cancelled.emit()
        self.ended.emit()

    # ----------------------------------------------------------------- worker side
    def _run(self) -> None:
        try:
            result = self._work(self.ctx)
        except Cancelled:
            self._done.emit("cancelled", None)
        except Exception as exc:  # every failure becomes a one-line message
            if self.ctx.cancelled:
                self._done.emit("cancelled", None)
            else:
                self._done.emit("failed", self._describe(exc) or type(exc).__name__)
        else:
            self._done.emit("cancelled" if self.ctx.cancelled else "finished", result)


class Jobs(QObject):
    """The running jobs of one window: start them, find them by name, end them all at exit."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[Job] = []
        app = QCoreApplication.instance()
        if app is not None:  # quitting without closing the window ends the jobs too
            app.aboutToQuit.connect(self.shutdown)

    def start(self, name: str, work: Callable[[JobContext], Any],
              describe: Callable[[Exception], str] = str) -> Job:
        """Create a job, keep it until it ends, start it. Connect to its signals right after
        (they arrive through the event loop, so none is missed)."""
        job = Job(name, work, describe, self)
        self._running.append(job)
        job.ended.connect(self._forget)
        return job.start()

    def running(self, name: str | None = None) -> list[Job]:
        """Jobs neither ended nor cancelled (with this name)."""
        return [j for j in self._running if (name is None or j.name == name)
                and not j.ctx.cancelled]

    def cancel(self, name: str | None = None) -> None:
        """Cancel the running jobs (with this name)."""
        for job in self.running(name):
            job.cancel()

    def shutdown(self, seconds: float = 10) -> bool:
        """Cancel every job, kill their child processes, wait for the threads (at most
        ``seconds`` in all). True if every thread ended."""
        jobs = list(self._running)  # cancelled ones too: their threads may still be ending
        for job in jobs:
            job.cancel()
        deadline = time.monotonic() + seconds
        ended = all(job.wait(max(0.0, deadline - time.monotonic())) for job in jobs)
        for job in jobs:
            job.blockSignals(True)  # the window is going: nobody is left to hear them
        self._running.clear()
        return ended

    def _forget(self) -> None:
        job = self.sender()
        if job in self._running:
            self._running.remove(job)
        # whoever still holds the job keeps it; otherwise Python frees it (deleteLater here
        # would free it under a caller that still holds it)
        job.setParent(None)
