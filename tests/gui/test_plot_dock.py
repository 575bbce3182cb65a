"""The Function Plot dock draws the seed examples' functions as worked out by hand: f and its
derivative along one input with the tangent at the current point (seed 001), and the gradient
field of two inputs (seed 002), with a drag that moves both inputs as one undo step."""

from __future__ import annotations

import numpy as np
import pytest

from graphapp.formats.io import load_graph
from tests.conftest import EXAMPLES
from tests.gui.conftest import wait_layout


def _plot(window, qtbot, name: str):
    path = EXAMPLES / name
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    dock = window.lab_docks["lab-plot"]
    dock.show()
    return dock.widget()


def test_curve_tangent_and_derivative_of_seed_001(window, qtbot):
    # f = 3x² − 4x + 5 at x = 3: f = 20, slope 6·3 − 4 = 14 (by hand); default range 3 ± 3.
    view = _plot(window, qtbot, "02_slope.expr")
    view.choose("x")
    xs, fs = view.f_item.getData()
    assert xs[0] == pytest.approx(0.0) and xs[-1] == pytest.approx(6.0)
    np.testing.assert_allclose(fs, 3 * xs**2 - 4 * xs + 5, rtol=1e-12)
    dx, ds = view.d_item.getData()
    np.testing.assert_allclose(ds, 6 * dx - 4, rtol=1e-12, atol=1e-12)
    tx, ty = view.tangent_item.getData()
    keep = np.isfinite(ty)
    tx, ty = tx[keep], ty[keep]
    np.testing.assert_allclose(ty, 20 + 14 * (tx - 3), rtol=1e-12, atol=1e-9)
    assert "slope is 14" in view.f_plot.titleLabel.text
    assert view.f_plot.legend.getLabel(view.f_item).text == "f"


def test_curve_legend_names_the_output(window, qtbot):
    # y = sin(x + x²): the curve is y's, as the title and axis say (by hand at x = 0.5:
    # y = sin(0.75) = 0.681639, slope cos(0.75)·2 = 1.46338)
    view = _plot(window, qtbot, "06_sin_x_plus_x2.expr")
    view.choose("x")
    assert view.f_plot.legend.getLabel(view.f_item).text == "y"
    assert "y = 0.681639" in view.f_plot.titleLabel.text
    assert "slope is 1.46338" in view.f_plot.titleLabel.text


def test_gradient_field_and_drag_of_seed_002(window, qtbot):
    # f = −0.5x + 0.25y²: ∇f = (−0.5, 0.5y) everywhere (by hand).
    view = _plot(window, qtbot, "05_gradient_vector.expr")
    view.choose_pair("x", "y")
    s = view.surface
    assert s is not None
    gx, gy = np.meshgrid(s.x, s.y, indexing="ij")
    np.testing.assert_allclose(s.f, -0.5 * gx + 0.25 * gy**2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.dfdx, -0.5)
    np.testing.assert_allclose(s.dfdy, 0.5 * gy, rtol=1e-12, atol=1e-12)
    doc = window.doc
    view.drag_to(1.5, 3.0)
    view.drag_to(0.5, 2.0)
    view.end_drag()
    assert float(doc.results.value("x")) == 0.5 and float(doc.results.value("y")) == 2.0
    assert float(doc.results.grad("y")) == pytest.approx(1.0)  # 0.5 · 2
    doc.undo_stack.undo()  # the whole drag is one step
    assert float(doc.results.value("x")) == 1.0 and float(doc.results.value("y")) == 4.0


def test_a_drag_of_the_point_keeps_the_grid_and_a_third_input_redraws_it(window, qtbot,
                                                                         tmp_path):
    # f = x·y + z over (x, y): moving the point keeps every grid value; changing z shifts them
    # all by the change (by hand: f = x·y + 2 after z = 2), the arrows (y, x) stay.
    path = tmp_path / "xyz.expr"
    path.write_text("x = 1.0\ny = 1.0\nz = 0.0\nf = x*y + z\n")
    window.load(load_graph(path), path)
    wait_layout(window, qtbot)
    dock = window.lab_docks["lab-plot"]
    dock.show()
    view = dock.widget()
    view.choose_pair("x", "y")
    before = view.surface
    gx, gy = np.meshgrid(before.x, before.y, indexing="ij")
    np.testing.assert_allclose(before.f, gx * gy, atol=1e-12)
    view.drag_to(1.5, 0.5)
    view.end_drag()
    view.refresh()
    after = view.surface
    assert after.f is before.f  # the same grid, not computed again
    assert (after.x0, after.y0, after.f0, after.dfdx0, after.dfdy0) == (1.5, 0.5, 0.75, 0.5, 1.5)
    assert "f = 0.75" in view.map_plot.titleLabel.text
    window.doc.graph.set_value("z", 2.0)
    window.doc.results  # noqa: B018 (recompute)
    view.refresh()
    moved = view.surface
    np.testing.assert_allclose(moved.f, gx * gy + 2.0, atol=1e-12)
    np.testing.assert_allclose(moved.dfdx, gy, atol=1e-12)
    assert moved.f0 == pytest.approx(2.75)


def test_gradient_arrows_cross_the_contours_at_right_angles_on_screen(window, qtbot):
    # seed 002 over its default ranges x in 0…2, y in 0…8 (very different scales): the contour
    # through (x, y) has tangent (y, 1) in data units (by hand: −0.5·dx + 0.5y·dy = 0). Mapped
    # to the screen as pyqtgraph draws them, every arrow's shaft is square to it and uphill.
    from PySide6.QtCore import QPointF

    view = _plot(window, qtbot, "05_gradient_vector.expr")
    view.choose_pair("x", "y")
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: view.map_plot.getViewBox().height() > 50)
    box = view.map_plot.getViewBox()
    qtbot.waitUntil(lambda: abs(view.aspect() - box.width() / box.height()) < 1e-9)
    xs, ys = view.arrows.getData()
    seg = np.stack([xs, ys], axis=1).reshape(-1, 6, 2)
    assert len(seg) > 100

    def screen(p):
        q = box.mapViewToScene(QPointF(float(p[0]), float(p[1])))
        return np.array([q.x(), q.y()])

    for base, tip in zip(seg[:, 0], seg[:, 1], strict=True):
        shaft = screen(tip) - screen(base)
        mid = (base + tip) / 2  # the grid point the arrow is centred on
        tangent = screen(mid + np.array([mid[1], 1.0])) - screen(mid)
        assert abs(shaft @ tangent) <= 1e-6 * np.hypot(*shaft) * np.hypot(*tangent)
        assert -0.5 * tip[0] + 0.25 * tip[1] ** 2 > -0.5 * base[0] + 0.25 * base[1] ** 2


def test_colour_bar_has_room_for_its_ticks_and_the_output_name(window, qtbot):
    # the ellipsoid's V runs from 0 to about 400 over x in 0…4, y in 0…6 (by hand: 4/3·π·4²·6
    # = 402): tick labels of three digits, and the name V beside them, must not overlap
    from PySide6.QtGui import QFontMetrics

    view = _plot(window, qtbot, "09_ellipsoid.expr")
    view.choose_pair("x", "y")
    axis = view.colour_bar.axis
    lo, hi = view.colour_bar.levels()
    assert hi == pytest.approx(128 * np.pi, rel=1e-6)  # 4/3·π·4²·6 = 128π
    ticks = [s for _, values in axis.tickValues(lo, hi, 400)
             for s in axis.tickStrings(values, 1.0, (hi - lo) / 4)]
    metrics = QFontMetrics(axis.style["tickFont"])
    needed = (max(metrics.horizontalAdvance(t) for t in ticks)
              + axis.style["tickTextOffset"][0] + axis.label.boundingRect().height())
    assert axis.width() >= needed
