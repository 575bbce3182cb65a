"""Graphviz export: what the picture says, and that every format really renders."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from graphapp.engine import backward, forward
from graphapp.formats import graphviz_export as gx
from graphapp.formats import parse_expr
from tests.helpers import MICROGRAD


def _picture(**kw):
    doc = parse_expr(MICROGRAD)
    back = backward(doc.graph, "L")
    return doc, back, gx.to_dot(doc, back.forward, back, **kw)


def test_nodes_show_name_op_value_and_grad_and_edges_show_local_and_carried():
    _, _, dot = _picture()
    assert "<B>e</B>" in dot and "×" in dot
    # a → e: local derivative -3 (= b), carries 6 back (= -2 × -3)
    edge = next(line for line in dot.splitlines() if line.strip().startswith('"a" -> "e"'))
    assert "local </FONT>-3" in edge and ">6</FONT>" in edge
    assert 'headport="s0:w"' in edge
    assert gx._POSITIVE in edge  # carries a positive gradient: blue
    edge = next(line for line in dot.splitlines() if line.strip().startswith('"b" -> "e"'))
    assert gx._NEGATIVE in edge and 'headport="s1:w"' in edge


def test_no_grads_and_rankdir():
    _, _, dot = _picture(show_grads=False, rankdir="TB")
    assert "grad" not in dot and "local" not in dot and "rankdir=TB" in dot
    assert 'headport="s0:n"' in dot


def test_unreached_nodes_are_dimmed_and_nonfinite_outlined():
    doc = parse_expr("x = -1.0\nbad = log(x)\nside = bad * 2\ny = x * 3")
    back = backward(doc.graph, "y")
    dot = gx.to_dot(doc, back.forward, back)
    side = next(line for line in dot.splitlines() if line.strip().startswith('"side" ['))
    assert gx._FAINT in side
    bad = next(line for line in dot.splitlines() if line.strip().startswith('"bad" ['))
    assert 'COLOR="#dc2626"' in bad and "nan" in bad


needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (make installs it)")


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-"),
                                        ("svg", b"<?xml")])
def test_each_format_renders(tmp_path, fmt, magic):
    doc, back, _ = _picture()
    out = tmp_path / f"g.{fmt}"
    gx.export_graph(doc, out, back.forward, back)
    data = out.read_bytes()
    assert data.startswith(magic) and len(data) > 2000
    if fmt == "svg":
        texts = {t.text for t in ET.fromstring(data).iter() if t.text}
        assert {"a", "e", "L", "6", "-4"} <= {t.strip() for t in texts}


@needs_dot
def test_dot_file_renders_with_dot(tmp_path):
    doc = parse_expr("X = [[1.0, 2.0], [3.0, 4.0]]\nw = [0.5, -1.0]\nL = sum(tanh(X @ w))")
    fwd = forward(doc.graph)
    back = backward(doc.graph, "L", fwd=fwd)
    out = tmp_path / "g.dot"
    gx.export_graph(doc, out, fwd, back)
    result = subprocess.run(["dot", "-Tsvg", str(out)], capture_output=True, check=True)
    assert b"<svg" in result.stdout and not result.stderr


def test_missing_dot_says_how_to_install(tmp_path, monkeypatch):
    doc, back, _ = _picture()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(gx.DotMissing, match="apt-get install graphviz"):
        gx.export_graph(doc, tmp_path / "g.svg", back.forward, back)
    assert not list(tmp_path.iterdir())
    gx.export_graph(doc, tmp_path / "g.dot", back.forward, back)  # .dot needs no Graphviz
    assert (tmp_path / "g.dot").exists()


def test_unknown_format_is_refused(tmp_path):
    doc, back, _ = _picture()
    with pytest.raises(ValueError, match="cannot export gif"):
        gx.export_graph(doc, tmp_path / "g.gif", back.forward, back)


def test_magnitude_of_huge_arrays_does_not_overflow():
    import numpy as np

    from graphapp.formats.text import magnitude

    assert magnitude(np.array([3e200, 4e200])) == pytest.approx(5e200)
    assert magnitude(np.array([1e-200, 0.0])) == pytest.approx(1e-200)
    assert magnitude(np.array([1.5e308, 1.5e308])) == np.finfo(float).max  # beyond: the largest
    assert magnitude(np.array([0.0, 0.0])) == 0.0
    assert magnitude(np.array([np.inf, 1.0])) == 0.0
