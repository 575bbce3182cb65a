"""Export of long sums stays cheap for dot, and dot always runs under a time limit (issue 9,
item 20). dot's work is measured by the size of the graph its positioning pass solves (what
``dot -v`` reports), not by a clock."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from graphapp.formats import parse_expr
from graphapp.formats.graphviz_export import to_dot
from tests.cli.contract import assert_one_line_error, run

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def _sum(n: int) -> str:
    return "x = 1.0\nq = " + " + ".join(["x"] * n) + "\n"


def _positioning_nodes(source: str) -> int:
    """The largest graph dot's network simplex solves for this source (dummy nodes count)."""
    done = subprocess.run(["dot", "-v", "-Tcanon"], input=source, capture_output=True,
                          text=True, timeout=300, check=True)
    sizes = [int(n) for n in re.findall(r"network simplex: +(\d+) nodes \d+ edges \d+ iter",
                                        done.stderr)]
    return max(sizes)


@needs_dot
@pytest.mark.parametrize("terms", [50, 100])
def test_a_long_sum_gives_dot_work_linear_in_its_length(terms):
    doc = parse_expr(_sum(terms))
    fwd = doc.graph.plan().forward(doc.graph)
    back = doc.graph.plan().backward(fwd, "q")
    # each add is one node and one label per edge: a few nodes per term, not terms² / 2
    assert _positioning_nodes(to_dot(doc, fwd, back)) < 8 * terms


@needs_dot
def test_dot_has_a_time_limit_with_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "sum.expr"
    path.write_text(_sum(30), encoding="utf-8")
    out = tmp_path / "sum.svg"
    code, _, err = run(capsys, "export", path, "-o", out, "--time-limit", "0.001")
    m = assert_one_line_error(code, err, out_file=out)
    assert code == 1 and "took more than 0.001 s" in m["msg"] and "--time-limit" in m["msg"]


@needs_dot
def test_a_dot_failure_is_one_line(tmp_path, capsys, monkeypatch):
    from graphapp.formats import graphviz_export

    monkeypatch.setattr(graphviz_export, "to_dot", lambda *a, **k: "digraph { a -> }")
    out = tmp_path / "bad.svg"
    path = tmp_path / "x.expr"
    path.write_text("x = 1.0\ny = x * x\n", encoding="utf-8")
    code, _, err = run(capsys, "export", path, "-o", out)
    m = assert_one_line_error(code, err, out_file=out)
    assert code == 1 and "dot failed" in m["msg"]
