"""Atomic file writes: write a temporary file beside the target, flush it to disk, rename it
over the target. A crash at any moment leaves either the old file or the new one, whole.

Saving over a symbolic link writes the file the link points to (as editors do), so the link
stays a link. A name ending in ``/`` is refused: it names a folder, and ``Path`` would
silently drop the slash.

A save killed mid-write leaves its temporary file (``.NAME.XXXXXXXX.tmp``) behind; the next
save of the same file removes such leftovers, but only ones no running process is writing:
a writer holds an exclusive ``flock`` on its temporary file until it is renamed, and the
lock dies with the process. (Where ``flock`` does not exist, leftovers older than a day go.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None  # type: ignore[assignment]

__all__ = ["real_target", "remove_stale_temporaries", "write_bytes_atomic", "write_text_atomic"]

_SUFFIX = ".tmp"
#: A leftover must also be this old (seconds), so a writer that has just made its temporary
#: file and not yet locked it is never mistaken for a dead one.
_MIN_AGE = 5.0
_NO_LOCK_AGE = 24 * 3600.0


def real_target(path: str | Path) -> Path:
    """The file a save to ``path`` must replace: ``path`` itself, or the file a symbolic link
    there points to (followed to the end, relative links from the link's folder).

    Raises ``IsADirectoryError`` for a name that ends in a slash.
    """
    text = os.fspath(path)
    if text.endswith(("/", os.sep)):
        raise IsADirectoryError(errno.EISDIR, "the name ends in / (a folder, not a file)", text)
    target = Path(text)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    return target


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` (or the file a link there points to) with ``data`` in one step."""
    target = real_target(path)
    remove_stale_temporaries(target)
    import tempfile  # only when writing: reading a graph needs none of it (start-up time)

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # "a live process is writing this"
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            if target.exists():
                with contextlib.suppress(OSError):
                    os.chmod(tmp, target.stat().st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)  # still locked: a cleaner never sees it unlocked
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step."""
    write_bytes_atomic(path, text.encode("utf-8"))


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete the temporary files earlier, killed saves of ``target`` left beside it; return
    them. Only names of our own pattern, and only files no running process holds locked."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"[A-Za-z0-9_]{8}" + re.escape(_SUFFIX))
    removed = []
    try:
        candidates = [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return removed
    now = time.time()
    for leftover in candidates:
        with contextlib.suppress(OSError):
            if not leftover.is_file() or leftover.is_symlink():
                continue
            if now - leftover.stat().st_mtime < _MIN_AGE or _is_being_written(leftover, now):
                continue
            leftover.unlink()
            removed.append(leftover)
    return removed


def _is_being_written(path: Path, now: float) -> bool:
    """True when a running process holds the lock on ``path`` (or, without ``flock``, when
    the file is younger than a day)."""
    if fcntl is None:
        return now - path.stat().st_mtime < _NO_LOCK_AGE
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return False
