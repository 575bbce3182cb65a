"""Where the window keeps things between runs: recent files, and the recovery file that
autosave writes every 30 s so that a crash loses at most half a minute of work."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QSettings, QStandardPaths

from graphapp.formats import GraphFile
from graphapp.formats.atomic import write_text_atomic
from graphapp.formats.jsongraph import dumps_graph, loads_graph

__all__ = ["MAX_RECENT", "Orphan", "Recent", "Recovery"]

MAX_RECENT = 10


class Recent:
    """The most recently opened or saved files, newest first."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def paths(self) -> list[Path]:
        """Recent files that still exist."""
        raw = self.settings.value("recent", [])
        if isinstance(raw, str):
            raw = [raw]
        return [Path(p) for p in raw or [] if Path(p).exists()]

    def add(self, path: Path) -> None:
        """Put ``path`` first."""
        paths = [str(path.resolve())] + [str(p) for p in self.paths()
                                         if p.resolve() != path.resolve()]
        self.settings.setValue("recent", paths[:MAX_RECENT])

    def clear(self) -> None:
        """Forget them all."""
        self.settings.setValue("recent", [])


@dataclass
class Orphan:
    """Unsaved work of an instance that is no longer running, held (``lock``) while this
    instance offers it, so that two new instances never restore the same work."""

    file: Path
    meta: Path
    lock: QLockFile | None


class Recovery:
    """This instance's autosave file (the unsaved document as .graph.json, plus where it came
    from), and the ones that crashed instances left behind.

    Each running instance writes its own ``autosave-ID.graph.json`` and holds
    ``autosave-ID.lock`` (a ``QLockFile``: it records the process id, and a lock whose process
    is gone counts as stale). Recovery is offered only for files whose lock nobody holds, and
    a live instance's files are never touched.
    """

    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            base = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.AppLocalDataLocation)
            folder = Path(base or Path.home() / ".local" / "share" / "graphapp") / "recovery"
        self.folder = folder
        self.id = f"{os.getpid()}-{os.urandom(4).hex()}"  # uuid would import platform
        self.file = folder / f"autosave-{self.id}.graph.json"
        self.meta = folder / f"autosave-{self.id}.json"
        self._lock: QLockFile | None = None

    def _hold(self) -> None:
        """Take this instance's lock (before its first autosave)."""
        if self._lock is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = _locked(self.folder / f"autosave-{self.id}.lock")

    def save(self, doc: GraphFile, origin: Path | None) -> None:
        """Write the recovery copy (atomically)."""
        import json

        self._hold()
        write_text_atomic(self.file, dumps_graph(doc))
        write_text_atomic(self.meta, json.dumps({"origin": str(origin) if origin else None}))

    def exists(self) -> bool:
        """True when this instance has unsaved work on disk."""
        return self.file.exists()

    def orphans(self) -> list[Orphan]:
        """Autosave files of instances that are no longer running, newest first (each one's
        lock now held by this instance). Files of live instances are left alone; the lock of
        a dead instance that left no work (it crashed with nothing unsaved) is removed."""
        for lock_file in self.folder.glob("autosave-*.lock"):
            stem = lock_file.name[:-len(".lock")]
            if stem != f"autosave-{self.id}" and \
                    not (self.folder / f"{stem}.graph.json").exists():
                lock = _locked(lock_file)
                if lock is not None:  # its instance is gone: let go of it (removes it)
                    lock.unlock()
        found = []
        for file in sorted(self.folder.glob("autosave*.graph.json"),
                           key=lambda f: f.stat().st_mtime, reverse=True):
            if file == self.file:
                continue
            stem = file.name[:-len(".graph.json")]
            lock = None
            if stem != "autosave":  # (one file of its own per instance; older versions
                # wrote autosave.graph.json, with no lock)
                lock = _locked(self.folder / f"{stem}.lock")
                if lock is None:
                    continue  # its instance is running
            found.append(Orphan(file, self.folder / f"{stem}.json", lock))
        return found

    def load(self, orphan: Orphan | None = None) -> tuple[GraphFile, Path | None]:
        """The document an orphan (by default: this instance's own copy) holds and the file
        it had been opened from (if any)."""
        import json

        orphan = orphan or Orphan(self.file, self.meta, None)
        doc = loads_graph(orphan.file.read_text(encoding="utf-8"), str(orphan.file),
                          unfinished=True)
        origin = None
        try:
            raw = json.loads(orphan.meta.read_text(encoding="utf-8")).get("origin")
            origin = Path(raw) if raw else None
        except (OSError, ValueError, AttributeError):
            origin = None
        return doc, origin

    def forget(self, orphan: Orphan) -> None:
        """Remove an orphan (restored or declined) and its lock."""
        for f in (orphan.file, orphan.meta):
            f.unlink(missing_ok=True)
        if orphan.lock is not None:
            orphan.lock.unlock()

    def discard(self) -> None:
        """Remove this instance's recovery copy (after a save, an undo back to the saved
        state, or a clean exit)."""
        for f in (self.file, self.meta):
            f.unlink(missing_ok=True)

    def abandon(self) -> None:
        """Let go of the lock but leave the files: what a crash leaves behind (for tests)."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def _locked(path: Path) -> QLockFile | None:
    """``path`` locked by this process, or ``None`` when a live process holds it."""
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    return lock if lock.tryLock(0) else None
