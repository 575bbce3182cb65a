"""The derivative lab's docks show the numbers worked out by hand (seed examples), and follow
the document when its inputs change."""

from __future__ import annotations

import itertools

import pytest

from graphapp.formats.io import load_graph
from graphapp.gui import commands
from tests.conftest import EXAMPLES
from tests.gui.conftest import wait_layout


def _open(window, qtbot, name: str):
    path = EXAMPLES / name
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    return window


def _dock_in_ordinary_window(window, qtbot, example: str, dock: str):
    """The view of lab dock ``dock``, shown on ``example`` in a 1400×900 window."""
    window.resize(1400, 900)
    _open(window, qtbot, example)
    window.show()
    window.lab_docks[dock].show()
    return window.lab_docks[dock].widget()


def _text(table, row: int, column: int) -> str:
    return table.model().index(row, column).data()


def _cell(view, key: str) -> float:
    return float(view.cells[key].text().replace("−", "-"))


def test_nudge_dock_shows_seed_001_slope(window, qtbot):
    # f = 3x² − 4x + 5 at x = 3: f(3) = 20, f(3.001) = 20.014003, slope 14.003, gradient
    # 6x − 4 = 14, predicted change 14·0.001 = 0.014, error 3h = 0.003 (worked by hand).
    _open(window, qtbot, "02_slope.expr")
    dock = window.lab_docks["lab-nudge"]
    dock.show()
    view = dock.widget()
    view.choose("x")
    assert _cell(view, "x") == 3.0
    assert _cell(view, "f_x") == 20.0
    assert _cell(view, "f_xh") == pytest.approx(20.014003, abs=1e-9)
    assert _cell(view, "slope") == pytest.approx(14.003, abs=1e-8)
    assert _cell(view, "gradient") == pytest.approx(14.0, abs=1e-9)
    assert _cell(view, "predicted") == pytest.approx(0.014, abs=1e-12)
    assert _cell(view, "actual") == pytest.approx(0.014003, abs=1e-10)
    assert _cell(view, "error") == pytest.approx(0.003, abs=1e-8)


def test_nudge_dock_follows_the_input_and_h(window, qtbot):
    _open(window, qtbot, "02_slope.expr")
    view = window.lab_docks["lab-nudge"].widget()
    view.choose("x")
    window.doc.undo_stack.push(commands.SetValue(window.doc, "x", 1.0))
    # at x = 1: f = 3 − 4 + 5 = 4, gradient 6·1 − 4 = 2, slope 2 + 3h = 2.003
    qtbot.waitUntil(lambda: view.cells["x"].text() == "1")
    assert _cell(view, "f_x") == 4.0
    assert _cell(view, "gradient") == pytest.approx(2.0)
    assert _cell(view, "slope") == pytest.approx(2.003, abs=1e-8)
    view.h_edit.setText("0.1")
    view.h_edit.editingFinished.emit()
    assert _cell(view, "slope") == pytest.approx(2.3, abs=1e-9)  # 2 + 3·0.1
    view.h_edit.setText("0")
    view.h_edit.editingFinished.emit()
    assert "other than 0" in view.note.text()
    assert view.h == 0.1


def test_gradient_check_dock_from_the_run_menu(window, qtbot):
    # f = 3x² − 4x + 5 at x = 3: backprop 14; the forward difference is 14 + 3h (14.3 at
    # h = 0.1, 14.03 at 0.01: worked by hand); the central one is exact for a quadratic.
    _open(window, qtbot, "02_slope.expr")
    window.act_grad_check.trigger()
    dock = window.lab_docks["lab-check"]
    assert dock.isVisible()
    view = dock.widget()
    assert view.table.rowCount() == 1
    assert view.table.item(0, 0).text() == "x"
    assert float(view.table.item(0, 1).text()) == 14.0
    check = view.checks["x"]
    assert check.rows[0].forward == pytest.approx(14.3, abs=1e-9)
    assert check.rows[1].forward == pytest.approx(14.03, abs=1e-9)
    assert float(view.table.item(0, 2).text()) == pytest.approx(14.0, abs=1e-9)
    view.open_plot()
    curves = [c for c in view.plot.listDataItems() if c.name() == "forward difference"]
    xs, ys = curves[0].getOriginalDataset()
    assert xs[0] == 0.1 and ys[0] == pytest.approx(0.3, abs=1e-9)
    stars = [c for c in view.plot.listDataItems() if (c.name() or "").startswith("best h")]
    assert len(stars) >= 1


def test_partial_vs_total_dock_on_the_ellipsoid(window, qtbot):
    # V = 4/3·π·t·x·y with t = x, at x = 2, y = 3 (worked by hand): holding t fixed,
    # ∂V/∂x = 4/3·π·t·y = 8π; following x through t too, dV/dx = 8/3·π·x·y = 16π.
    import math

    _open(window, qtbot, "09_ellipsoid.expr")
    view = window.lab_docks["lab-partial"].widget()
    view.choose("x")
    text = view.headline.text()
    assert "∂V/∂x = 8π" in text and "dV/dx = 16π" in text
    assert view.result.partial == pytest.approx(8 * math.pi)
    assert view.result.total == pytest.approx(16 * math.pi)
    carried = {_text(view.edges, r, 3): _text(view.edges, r, 2)
               for r in range(view.edges.model().rowCount())}
    assert carried == {"∂V/∂x": "8π ≈ 25.132741", "the total, through t": "8π ≈ 25.132741"}
    assert view.paths.model().rowCount() == 2  # x → … → V directly, and x → t → … → V


def test_partial_vs_total_dock_by_a_bias_broadcast_over_samples(window, qtbot):
    # The ReLU neuron: z = X·w + b = [−0.5, 1.45, 0.05, 0.75], a = max(0, z), y − a =
    # [1, −0.95, −0.55, 1.25]; dC/db = mean(−2(y − a)·[z > 0]) = −½·(−0.95 − 0.55 + 1.25) =
    # 0.125 (by hand). b's only edge enters an array node, so its local is [1, 1, 1, 1] and
    # the paths multiply Jacobians: the dock says so instead of failing.
    _open(window, qtbot, "10_relu_neuron.expr")
    view = window.lab_docks["lab-partial"].widget()
    view.choose("b")
    assert "dC/db = 0.125" in view.headline.text()
    assert view.result.total == pytest.approx(0.125, abs=1e-12)
    assert view.edges.model().rowCount() == 1 and "1" in _text(view.edges, 0, 1)
    assert view.paths.model().rowCount() == 1
    assert "Jacobians" in _text(view.paths, 0, 0)


def test_trace_table_copies_markdown(window, qtbot):
    # micrograd's first example, by hand: e = a·b = −6, d = e + c = 4, L = d·f = −8; backward
    # dL/dd = f = −2, dL/df = d = 4, dL/de = dL/dc = −2, dL/da = −2·b = 6, dL/db = −2·a = −4.
    from PySide6.QtGui import QGuiApplication

    _open(window, qtbot, "01_micrograd.expr")
    view = window.lab_docks["lab-trace"].widget()
    view.refresh()
    assert view.table.rowCount() == 14  # 7 nodes forward, 7 back
    view.copy("markdown")
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0] == ("| phase | step | node | op | inputs | value | local derivatives "
                        "| gradient |")
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    forward = {r[2]: r[5] for r in rows if r[0] == "forward"}
    assert forward == {"a": "2", "b": "-3", "c": "10", "f": "-2", "e": "-6", "d": "4",
                       "L": "-8"}
    back = {r[2]: (r[6], r[7]) for r in rows if r[0] == "backward"}
    assert back["L"] == ("∂L/∂d = -2; ∂L/∂f = 4", "1")
    assert back["e"] == ("∂e/∂a = -3; ∂e/∂b = 2", "-2")
    assert {n: back[n][1] for n in "abcf"} == {"a": "6", "b": "-4", "c": "-2", "f": "4"}
    assert view.copy("csv").splitlines()[0] == ("phase,step,node,op,inputs,value,"
                                                "local derivatives,gradient")


def test_formulas_dock_follows_selection_and_values(window, qtbot):
    _open(window, qtbot, "01_micrograd.expr")
    dock = window.lab_docks["lab-formulas"]
    dock.show()
    view = dock.widget()
    window.select(["e"])
    qtbot.waitUntil(lambda: "∂(a·b)/∂a = b = −3" in view.text.text())
    window.doc.undo_stack.push(commands.SetValue(window.doc, "b", 5.0))
    qtbot.waitUntil(lambda: "∂(a·b)/∂a = b = 5" in view.text.text())
    assert "a·b = <b>10</b>" in view.text.text()


def test_nudge_dock_prints_every_digit_as_seed_001_does_and_its_slider_follows_h(window, qtbot):
    # seed 001 prints, for f(x) = 3x² − 4x + 5 at x = 3, f(x + h) = 20.014003000000002 at
    # h = 0.001 and 20.00000140000003 at h = 0.0000001, where rise over run is
    # 14.000000305713911 (Python's own output, quoted in the seed). At h = 1e-15 the text of
    # f(x + h) must still differ from f(x) = 20, or the rise would come from nowhere.
    _open(window, qtbot, "02_slope.expr")
    view = window.lab_docks["lab-nudge"].widget()
    view.choose("x")
    assert view.cells["f_xh"].text() == "20.014003000000002"
    for text, slider in (("0.0000001", -70), ("1e-15", -150), ("0.01", -20)):
        view.h_edit.setText(text)
        view.h_edit.editingFinished.emit()
        assert view.h_slider.value() == slider  # the slider shows the typed h
        if text == "0.0000001":
            assert view.cells["f_xh"].text() == "20.00000140000003"
            assert view.cells["slope"].text() == "14.000000305713911"
            assert "Rise over run is 14.000000305713911 against the gradient's 14:" in \
                view.note.text()
        if text == "1e-15":
            assert view.cells["f_x"].text() == "20"
            assert view.cells["f_xh"].text() != "20"
            assert float(view.cells["f_xh"].text()) > 20.0
    view.h_slider.setValue(-30)  # a drag to 10^-3
    assert view.h == 0.001 and view.h_edit.text() == "0.001"


def test_trace_table_names_nodes_as_their_cards_do_in_markdown_and_csv(window, qtbot):
    # f = 3x² − 4x + 5 at x = 3, by hand: x² = 9, 3·x² = 27, 4·x = 12, 3·x² − 4·x = 15, f = 20;
    # backward: ∂x²/∂x = 2x = 6, ∂(3·x²)/∂x² = 3, ∂(4·x)/∂x = 4, gradients 3·x²: 1, x²: 3,
    # 4·x: −1, x: 3·6 − 4 = 14. The cards are titled 3·x² and x², never by internal ids.
    import csv
    import io

    from PySide6.QtGui import QGuiApplication

    _open(window, qtbot, "02_slope.expr")
    view = window.lab_docks["lab-trace"].widget()
    view.refresh()
    markdown = view.copy("markdown")
    assert QGuiApplication.clipboard().text() == markdown
    assert "#" not in markdown
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in markdown.splitlines()[2:]]
    forward = {r[2]: (r[4], r[5]) for r in rows if r[0] == "forward"}
    assert forward["x²"] == ("x, 2", "9") and forward["3·x²"] == ("3, x²", "27")
    assert forward["3·x² − 4·x"] == ("3·x², 4·x", "15") and forward["f"][1] == "20"
    text = view.copy("csv")
    assert QGuiApplication.clipboard().text() == text
    back = {r["node"]: r for r in csv.DictReader(io.StringIO(text)) if r["phase"] == "backward"}
    assert back["x²"]["local derivatives"] == "∂x²/∂x = 6" and back["x²"]["gradient"] == "3"
    assert back["3·x²"]["local derivatives"] == "∂(3·x²)/∂x² = 3"
    assert back["4·x"]["local derivatives"] == "∂(4·x)/∂x = 4" and back["4·x"]["gradient"] == "-1"
    assert back["x"]["gradient"] == "14"
    assert view.table.item(3, 2).text() == "x²"  # the dock's own table reads the same


def test_gradient_check_menu_item_shows_the_sweep_plot_beside_the_table(window, qtbot):
    # Run ▸ Gradient Check over h opens the log-log plot at once; in a window of ordinary size
    # the table, the plot and the note do not overlap. f = 3x² − 4x + 5 at x = 3: the forward
    # difference errs by exactly 3h at large h (by hand), 0.3 at h = 0.1.
    window.resize(1400, 900)
    _open(window, qtbot, "02_slope.expr")
    window.show()
    window.act_grad_check.trigger()
    view = window.lab_docks["lab-check"].widget()
    qtbot.waitUntil(lambda: view.plot is not None and view.plot.isVisible())
    curves = {c.name(): c for c in view.plot.listDataItems()}
    xs, ys = curves["forward difference"].getOriginalDataset()
    assert xs[0] == 0.1 and ys[0] == pytest.approx(0.3, abs=1e-9)
    assert view.plot.getViewBox().xInverted()  # h shrinks to the right, as in the pictures
    boxes = [w.geometry() for w in (view.table, view.plot, view.note)]
    assert all(b.height() > 0 for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.intersects(b)


def test_partial_vs_total_dock_shows_both_edges_and_both_paths_whole(window, qtbot):
    # the ellipsoid has two edges leaving x and two paths to V (by hand: x → 4/3·π·t·x → V
    # and x → t → … → V); in a window of ordinary size both rows of each are on screen
    view = _dock_in_ordinary_window(window, qtbot, "09_ellipsoid.expr", "lab-partial")
    view.choose("x")
    qtbot.waitUntil(lambda: view.edges.viewport().height() > 0)
    for table in (view.edges, view.paths):
        assert table.model().rowCount() == 2
        bottom = table.rowViewportPosition(1) + table.rowHeight(1)
        assert bottom <= table.viewport().height()


def test_trace_table_dock_shows_several_steps_at_once(window, qtbot):
    # opened from View ▸ Lab in a window of ordinary size, the trace shows at least the first
    # five steps of the forward pass whole (micrograd's a, b, c, f, e: seen two rows high)
    view = _dock_in_ordinary_window(window, qtbot, "01_micrograd.expr", "lab-trace")
    view.refresh()
    qtbot.waitUntil(lambda: view.table.viewport().height() > 0)
    bottom = view.table.rowViewportPosition(4) + view.table.rowHeight(4)
    assert bottom <= view.table.viewport().height()


def test_three_lab_docks_side_by_side_fit_the_screen_without_overlapping_rows(window, qtbot):
    # Nudge and Slope, Partial vs Total and Trace Table open together at the bottom of a
    # 1400 × 900 window: the window stays that wide, and no two rows of numbers overlap
    window.resize(1400, 900)
    _open(window, qtbot, "09_ellipsoid.expr")
    window.show()
    for name in ("lab-trace", "lab-partial", "lab-nudge"):
        window.lab_docks[name].show()
    nudge = window.lab_docks["lab-nudge"].widget()
    nudge.choose("x")
    qtbot.wait(50)
    assert window.width() <= 1400
    # each dock can be narrower than a third of the window (the trace's one-line note was not)
    for name in ("lab-trace", "lab-partial", "lab-nudge"):
        assert window.lab_docks[name].minimumSizeHint().width() <= 1400 // 3, name
    cells = [nudge.cells[key] for key in ("x", "h", "f_x", "f_xh", "rise", "slope")]
    for a, b in itertools.pairwise(cells):
        assert a.geometry().bottom() < b.geometry().top()
        assert a.height() >= a.sizeHint().height()
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QScrollArea

    viewport = nudge.findChild(QScrollArea).viewport()
    for key in ("f_xh", "rise", "error"):  # every digit on screen, none cut off at the right
        cell = nudge.cells[key]
        assert cell.width() >= cell.fontMetrics().horizontalAdvance(cell.text())
        assert cell.mapTo(viewport, QPoint(cell.width(), 0)).x() <= viewport.width()
