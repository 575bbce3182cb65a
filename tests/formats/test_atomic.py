"""Atomic saves (issue 9, item 26): a save killed mid-write leaves its temporary file; the
next save of that file removes it, but never a temporary a live process is still writing,
and never a file of any other name."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from graphapp.formats.atomic import remove_stale_temporaries, write_text_atomic
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock and kill -9 are POSIX")

# A child process that saves `target` and stops inside the save, its temporary file written
# and locked: killed there (`kill`) or left hanging until the test kills it (`hang`).
_CHILD = r"""
import os, sys, time
from graphapp.formats import atomic
def stop(tmp, target):
    print("written", flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), 9)
    time.sleep(600)
atomic.os.replace = stop
atomic.write_text_atomic(sys.argv[1], "new " * 100_000)
"""


def _child(target, how):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(target), how], env=env,
                             stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    child.stdout.close()
    assert line == "written\n"
    return child


def _temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _age(path, seconds=60):
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_a_killed_save_leaves_debris_that_the_next_save_removes(tmp_path):
    target = tmp_path / "g.graph.json"
    write_text_atomic(target, "old")
    child = _child(target, "kill")
    assert child.wait(timeout=30) == -9
    [leftover] = _temporaries(tmp_path)
    assert leftover.startswith(".g.graph.json.") and target.read_text() == "old"
    _age(tmp_path / leftover)
    write_text_atomic(target, "newer")
    assert _temporaries(tmp_path) == [] and target.read_text() == "newer"


def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    target = tmp_path / "g.graph.json"
    write_text_atomic(target, "old")
    child = _child(target, "hang")
    try:
        [live] = _temporaries(tmp_path)
        _age(tmp_path / live)  # old, but locked by a running process
        write_text_atomic(target, "mine")
        assert _temporaries(tmp_path) == [live] and target.read_text() == "mine"
    finally:
        child.kill()
        child.wait(timeout=30)
    assert remove_stale_temporaries(target) == [tmp_path / live]  # dead now: it goes


def test_only_our_own_pattern_for_that_file_is_removed(tmp_path):
    target = tmp_path / "g.graph.json"
    keep = [".g.graph.json.short.tmp", ".g.graph.json.abcdefgh.tmp.bak",
            "g.graph.json.abcdefgh.tmp", ".other.graph.json.abcdefgh.tmp",
            ".g.graph.json.abcdefgh.temp"]
    stale = ".g.graph.json.abc_1234.tmp"
    for name in [*keep, stale]:
        (tmp_path / name).write_text("x")
        _age(tmp_path / name)
    young = tmp_path / ".g.graph.json.young123.tmp"
    young.write_text("x")  # just made: its writer may not have locked it yet
    write_text_atomic(target, "data")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert stale not in left and young.name in left
    assert set(keep) <= set(left)
