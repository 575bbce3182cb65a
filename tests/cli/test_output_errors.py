"""Bad places to write (issue 9, item 21): a full disk, a closed stdout, a file name ending in
a slash, a symbolic link. Each is one line and exit 1, never a traceback; a link is written
through, atomically, and stays a link."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

import pytest

from tests.cli.contract import assert_one_line_error, run
from tests.conftest import EXAMPLES, ROOT

MICRO = str(EXAMPLES / "01_micrograd.expr")
PRINTING = [["grad", MICRO, "--json"], ["grad", MICRO], ["eval", MICRO], ["eval", MICRO, "--json"],
            ["check", MICRO], ["ops"], ["examples"]]
HAS_DEV_FULL = os.path.exists("/dev/full")


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
@pytest.mark.parametrize("argv", PRINTING, ids=" ".join)
def test_a_full_disk_is_one_line(capsys, monkeypatch, argv):
    full = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        monkeypatch.setattr(sys, "stdout", full)
        code, _, err = run(capsys, *argv)
    finally:
        monkeypatch.undo()
        with contextlib.suppress(OSError):  # what could not be written stays unwritten
            full.close()
    assert_one_line_error(code, err)
    assert code == 1 and err == "graphapp: cannot write output: No space left on device\n"


@pytest.mark.parametrize("argv", PRINTING, ids=" ".join)
def test_a_closed_stdout_is_one_line(capsys, monkeypatch, argv):
    monkeypatch.setattr(sys, "stdout", None)  # what Python makes of `>&-`
    code = __import__("graphapp.cli").cli.main(argv)
    err = capsys.readouterr().err
    assert_one_line_error(code, err)
    assert code == 1 and err == "graphapp: cannot write output: standard output is closed\n"


def _shell(command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
def test_the_real_process_on_a_full_disk_and_a_closed_stdout():
    py = f"'{sys.executable}' -m graphapp"
    for redirect, why in (("> /dev/full", "No space left on device"),
                          (">&-", "standard output is closed")):
        done = _shell(f"{py} grad '{MICRO}' --json {redirect}")
        assert done.returncode == 1, done.stderr
        assert done.stderr == f"graphapp: cannot write output: {why}\n"


def _export(capsys, tmp_path, out):
    return run(capsys, "export", MICRO, "-o", out)


@pytest.mark.parametrize("name", ["out.svg/", "out.dot/"])
def test_an_output_name_ending_in_a_slash_is_refused(tmp_path, capsys, name):
    code, _, err = _export(capsys, tmp_path, f"{tmp_path}/{name}")
    m = assert_one_line_error(code, err)
    assert code == 1 and "folder" in m["msg"]
    assert list(tmp_path.iterdir()) == []
    code, _, err = run(capsys, "convert", MICRO, "-o", f"{tmp_path}/g.graph.json/")
    assert code == 1 and "folder" in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", ["dot", "svg"])
def test_saving_over_a_link_writes_through_it(tmp_path, capsys, suffix):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / f"picture.{suffix}"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / f"link.{suffix}"
    link.symlink_to(real)
    code, _, err = _export(capsys, tmp_path, link)
    assert (code, err) == (0, "")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert ("digraph" if suffix == "dot" else "<svg") in real.read_text()
    assert (real.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in real_dir.iterdir()) == [real.name]  # no temporary left


def test_convert_through_a_dangling_link_creates_its_target(tmp_path, capsys):
    target = tmp_path / "made.graph.json"
    link = tmp_path / "link.graph.json"
    link.symlink_to(target.name)  # relative, like `ln -s made.graph.json link.graph.json`
    code, _, err = run(capsys, "convert", MICRO, "-o", link)
    assert (code, err) == (0, "")
    assert link.is_symlink() and target.exists() and '"format": "graphapp"' in target.read_text()


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
def test_a_command_printing_on_its_own_into_a_full_disk_is_one_line():
    done = _shell(f"'{sys.executable}' -m graphapp train --dataset xor --epochs 1 --json "
                  "> /dev/full")
    assert done.returncode == 1
    assert done.stderr == "graphapp: cannot write output: No space left on device\n"
