"""Atomic writes: the temporary file is made in the target's own folder (a rename across file
systems is not atomic, and fails), it is renamed over the target, and nothing is left behind,
whether the write succeeds or fails."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from graphapp.formats.atomic import write_bytes_atomic, write_text_atomic


def _record_replace(monkeypatch) -> list[tuple[Path, Path]]:
    calls: list[tuple[Path, Path]] = []
    real = os.replace

    def replace(src, dst):
        calls.append((Path(src), Path(dst)))
        assert Path(src).read_bytes()  # the whole new content is there before the rename
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_the_temporary_file_is_beside_the_target(tmp_path, monkeypatch):
    here, there = tmp_path / "cwd", tmp_path / "elsewhere"
    here.mkdir()
    there.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("TMPDIR", str(here))
    calls = _record_replace(monkeypatch)
    target = there / "g.graph.json"
    write_text_atomic(target, "ünïcode ✓\n")
    [(src, dst)] = calls
    assert src.parent == there and dst == target and src != target
    assert src.name.startswith(".g.graph.json.") and src.name.endswith(".tmp")
    assert target.read_bytes() == "ünïcode ✓\n".encode()
    assert sorted(p.name for p in there.iterdir()) == ["g.graph.json"]
    assert list(here.iterdir()) == []


def test_a_relative_target_gets_its_temporary_file_in_its_folder(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    calls = _record_replace(monkeypatch)
    write_bytes_atomic(Path("sub") / "x.expr", b"x = 1\n")
    [(src, _)] = calls
    assert src.parent.resolve() == (tmp_path / "sub").resolve()
    assert sorted(os.listdir(tmp_path)) == ["sub"]
    assert os.listdir(tmp_path / "sub") == ["x.expr"]


def test_replacing_keeps_the_file_mode_and_a_new_file_follows_the_umask(tmp_path):
    old = tmp_path / "old.expr"
    old.write_text("a = 1\n")
    old.chmod(0o640)
    write_text_atomic(old, "a = 2\n")
    assert old.read_text() == "a = 2\n" and stat.S_IMODE(old.stat().st_mode) == 0o640
    umask = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "new.expr", "b = 1\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.expr").stat().st_mode) == 0o640  # 0o666 & ~0o027
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.expr", "old.expr"]


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    target = tmp_path / "g.graph.json"
    target.write_bytes(b"old")

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.graph.json"]


def test_an_interrupt_mid_write_leaves_no_debris(tmp_path, monkeypatch):
    target = tmp_path / "g.expr"

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(target, "x = 1\n")
    assert list(tmp_path.iterdir()) == []
