"""Where the window keeps things between runs: recent files, and the recovery file that
autosave writes every 30 s so that a crash loses at most half a minute of work."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from graphapp.formats import GraphFile
from graphapp.formats.atomic import write_text_atomic
from graphapp.formats.jsongraph import dumps_graph, loads_graph

__all__ = ["MAX_RECENT", "Recent", "Recovery"]

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


class Recovery:
    """The autosave file: the unsaved document as .graph.json, plus where it came from."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            base = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.AppLocalDataLocation)
            folder = Path(base or Path.home() / ".local" / "share" / "graphapp") / "recovery"
        self.folder = folder
        self.file = folder / "autosave.graph.json"
        self.meta = folder / "autosave.json"

    def save(self, doc: GraphFile, origin: Path | None) -> None:
        """Write the recovery copy (atomically)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.file, dumps_graph(doc))
        write_text_atomic(self.meta, json.dumps({"origin": str(origin) if origin else None}))

    def exists(self) -> bool:
        """True when a previous run left unsaved work behind."""
        return self.file.exists()

    def load(self) -> tuple[GraphFile, Path | None]:
        """The recovered document and the file it had been opened from (if any)."""
        doc = loads_graph(self.file.read_text(encoding="utf-8"), str(self.file), unfinished=True)
        origin = None
        try:
            raw = json.loads(self.meta.read_text(encoding="utf-8")).get("origin")
            origin = Path(raw) if raw else None
        except (OSError, ValueError, AttributeError):
            origin = None
        return doc, origin

    def discard(self) -> None:
        """Remove the recovery copy (after a save, or a clean exit)."""
        for f in (self.file, self.meta):
            f.unlink(missing_ok=True)
